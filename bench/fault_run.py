"""The fault scenario: load on a running Cluster while a worker is killed, every database connection is
terminated and LINE fails and times out; then the accounting (events in = handled once = answered).

    python -m bench.fault_run [--events 10000] [--rate 150]      (PostgreSQL: TEST_DATABASE_URL or BENCH_DATABASE_URL)
"""
from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.cluster import (Cluster, Emulator, Load, Sent, expected_marks, inbox_states, marks_by_resident, tally,
                           terminate_database_connections)

EVENTS_PER_BODY = 3
MALFORMED_EVERY = 10  # one event in ten is malformed, inside bodies whose other events are good


@dataclass
class FaultPlan:
    """How much load, and when (seconds into the run) each fault strikes."""

    bodies_per_second: float
    seconds: float
    residents: int = 300
    line_errors_at: float = 0.0
    kill_at: float = 0.0
    replace_at: float = 0.0
    terminate_at: float = 0.0
    line_slow_at: float = 0.0
    line_slow_for: float = 0.6

    @classmethod
    def scaled(cls, events: int, events_per_second: float = 10.0) -> "FaultPlan":
        """A plan sending about `events` events (2 in 3 good) at a steady rate, faults spread over the run."""
        bodies = events / EVENTS_PER_BODY
        rate = events_per_second / EVENTS_PER_BODY
        seconds = max(10.0, bodies / rate)
        return cls(bodies_per_second=rate, seconds=seconds, line_errors_at=0.15 * seconds, kill_at=0.3 * seconds,
                   replace_at=0.3 * seconds + 4.0, terminate_at=0.55 * seconds, line_slow_at=0.75 * seconds)


@dataclass
class Outcome:
    """What the run found."""

    good_events: int
    bad_events: int
    bodies_refused: int
    unanswered: int
    marks_wrong: list[str]
    inbox: dict[str, int]
    worst_wait_after_kill: float
    log: list[str] = field(default_factory=list)
    figures: object = None
    schedulers_alive: str = ""  # e.g. "0/2": jobs/scheduler exits when its lock connection is terminated

    def summary(self) -> str:
        """The accounting in one paragraph (for assertion messages and the bench)."""
        t = self.figures
        schedulers = f"; scheduler processes still running at the end {self.schedulers_alive}" \
            if self.schedulers_alive else ""
        return (f"good events {self.good_events}, malformed {self.bad_events}, bodies refused {self.bodies_refused}, "
                f"unanswered {self.unanswered}, residents with wrong marks {len(self.marks_wrong)}, inbox {self.inbox}, "
                f"worst wait after the worker died {self.worst_wait_after_kill:.1f} s; "
                f"ack p50/p99 {t.ack_p50_ms:.0f}/{t.ack_p99_ms:.0f} ms, reply p50/p99/max "
                f"{t.reply_p50_s:.2f}/{t.reply_p99_s:.2f}/{t.reply_max_s:.2f} s; faults: {'; '.join(self.log)}"
                f"{schedulers}")


class FaultInjector:
    """Strikes each fault of the plan once, when its time comes."""

    def __init__(self, cluster: Cluster, plan: FaultPlan):
        self.cluster, self.plan = cluster, plan
        self.done: set[str] = set()
        self.log: list[str] = []
        self.kill_time: float | None = None

    def __call__(self, elapsed: float) -> None:
        """Called about every 0.1 s with the seconds since the load started."""
        plan, emulator = self.plan, self.cluster.emulator
        self._once("line errors", elapsed >= plan.line_errors_at, lambda: emulator.fail_replies(500, 40))
        self._once("worker killed", elapsed >= plan.kill_at, self._kill)
        self._once("worker replaced", elapsed >= plan.replace_at, lambda: self.cluster.replace_worker(0))
        self._once("connections terminated", elapsed >= plan.terminate_at,
                   lambda: f"{terminate_database_connections(self.cluster.database_url)} connections")
        self._once("LINE slow", elapsed >= plan.line_slow_at, lambda: emulator.slow_down(
            int((self.cluster.line_timeout + 1.0) * 1000)))
        self._once("LINE fast again", elapsed >= plan.line_slow_at + plan.line_slow_for,
                   lambda: emulator.slow_down(0))

    def _kill(self) -> str:
        """SIGKILL worker 0 and note when."""
        self.cluster.kill_worker(0)
        self.kill_time = time.monotonic()
        return "SIGKILL"

    def _once(self, name: str, due: bool, strike) -> None:
        """Strike once when due, noting what happened."""
        if due and name not in self.done:
            self.done.add(name)
            note = strike()
            self.log.append(f"{name}{f' ({note})' if isinstance(note, str) else ''}")


def worst_wait_after(batch: list[Sent], replied_at: dict[str, float], moment: float | None) -> float:
    """The longest a resident waited for an answer counted from `moment` (the worker's death) for events sent
    up to 5 s either side of it."""
    if moment is None:
        return 0.0
    worst = 0.0
    for sent in batch:
        if abs(sent.at - moment) <= 5.0:
            for token in sent.tokens:
                if token in replied_at:
                    worst = max(worst, replied_at[token] - max(sent.at, moment))
    return worst


def wait_until_settled(database_url: str, timeout: float) -> dict[str, int]:
    """Inbox states once no event is unfinished (or the timeout passed)."""
    deadline = time.monotonic() + timeout
    while True:
        states = inbox_states(database_url)
        if not any(states.get(s) for s in ("pending", "processing", "replying")) or time.monotonic() > deadline:
            return states
        time.sleep(0.3)


def run_fault_scenario(cluster: Cluster, plan: FaultPlan) -> Outcome:
    """Send the plan's load with its faults, wait for every answer, and account for every event."""
    load = Load(cluster.emulator, cluster.web_urls, residents=plan.residents, kind="mixed",
                events_per_body=EVENTS_PER_BODY, malformed_every=MALFORMED_EVERY)
    injector = FaultInjector(cluster, plan)
    batch = load.run(plan.bodies_per_second, plan.seconds, during=injector)
    load.wait_for_replies(batch, timeout=120)
    states = wait_until_settled(cluster.database_url, timeout=60)
    replied_at = cluster.emulator.replied_at
    expected = expected_marks(batch)
    actual = marks_by_resident(cluster.database_url, list(expected))
    figures = tally(batch, replied_at)
    return Outcome(good_events=figures.good_events, bad_events=figures.bad_events,
                   bodies_refused=figures.bodies - figures.bodies_ok,
                   unanswered=figures.good_events - figures.replied,
                   marks_wrong=[user for user, tags in expected.items() if actual.get(user) != tags],
                   inbox=states, worst_wait_after_kill=worst_wait_after(batch, replied_at, injector.kill_time),
                   log=injector.log, figures=figures,
                   schedulers_alive=(f"{sum(p.poll() is None for p in cluster.scheduler_procs)}/"
                                     f"{len(cluster.scheduler_procs)}" if cluster.scheduler_procs else ""))


def main(argv: list[str] | None = None) -> int:
    """Run the scenario on a scratch PostgreSQL database and print the accounting."""
    from bench.claim_explain import database_url, scratch_database
    from models.migrate import upgrade

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=150.0, help="events per second")
    args = parser.parse_args(argv)
    base = database_url()
    if not base:
        print("fault run: skipped (set TEST_DATABASE_URL or BENCH_DATABASE_URL to a PostgreSQL server)")
        return 0
    with scratch_database(base) as url, tempfile.TemporaryDirectory() as logs:
        upgrade(url)
        emulator = Emulator()
        cluster = Cluster(url, emulator, web=2, workers=2, schedulers=2, log_dir=Path(logs))
        try:
            cluster.start()
            cluster.live_workers_ready()
            outcome = run_fault_scenario(cluster, FaultPlan.scaled(args.events, args.rate))
        finally:
            cluster.stop()
            emulator.stop()
    ok = (not outcome.bodies_refused and not outcome.unanswered and not outcome.marks_wrong
          and outcome.inbox == {"done": outcome.good_events, "rejected": outcome.bad_events}
          and outcome.worst_wait_after_kill <= 10.0)
    print(f"\nFault run, 2 web + 2 workers + scheduler pair on PostgreSQL, {args.events:,} events at "
          f"{args.rate:.0f}/s: {'PASS' if ok else 'FAIL'}\n  {outcome.summary()}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
