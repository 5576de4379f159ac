"""Fan-out: one notice to 100,000 residents through the emulator, on SQLite and on PostgreSQL.

Each run happens in processes of its own: the emulator (a web process holding the 100,000 LINE users) and
the sender, which runs the scheduler's delivery job (jobs/delivery.py) until the notice is sent. The sender
reports multicast requests, its wall time, the time it waited for the emulator's answers, our own time
(wall − that wait: the emulator's work and simulated latency are not ours) and its peak memory (VmHWM).

Runs: a BASELINE bare loop (residents loaded as ORM objects, chunked, multicast; nothing stored, so not
restart-safe — what exactly-once costs shows beside it), the engine, and the engine with the emulator failing
10 % of multicast requests with 500. PostgreSQL runs in a scratch database when BENCH_DATABASE_URL or
TEST_DATABASE_URL names a server (dropped afterwards); otherwise it is skipped with a note.

    python -m bench.delivery_bench [--residents N]
"""
from __future__ import annotations

import argparse
import json
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESIDENTS = 100_000
TARGETS = {"requests": 200, "own_s": 10.0, "peak_mb": 300.0}
DISTRICTS = ("北野地区", "中央地区", "南が丘地区", "東原地区")


def user_id(n: int) -> str:
    """The LINE user id of resident n (the emulator and the database agree on it)."""
    return "U" + f"{n:032x}"


def free_port() -> int:
    """An unused loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- child processes ------------------------------------------------------------------------------------

def run_emulator(port: int, users: int) -> None:
    """The emulator as its own web process, with `users` following LINE users."""
    from waitress import serve

    from bot.app import create_app
    from bot.config import Config
    from bot.emulator import emulator_state

    with tempfile.TemporaryDirectory() as tmp:
        config = Config(database_url=f"sqlite:///{tmp}/emulator.db", inbox_threads=0,
                        session_cookie_secure=False).with_emulator(f"http://127.0.0.1:{port}")
        app = create_app(config, create_tables=True, start_workers=False)
        state = emulator_state(app)
        for n in range(users):
            state.add_user(f"住民{n}", "ja", user_id(n), following=True)
        serve(app, host="127.0.0.1", port=port, threads=4, ident="bench-emulator", _quiet=True)


class TimedMessenger:
    """Wraps the Messenger's HTTP client call to add up the time spent waiting for the emulator."""

    def __init__(self, messenger):
        self.messenger = messenger
        self.waited = 0.0
        rest = messenger.client.rest_client
        original = rest.request

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.waited += time.perf_counter() - started

        rest.request = timed

    def __getattr__(self, name):
        return getattr(self.messenger, name)


def run_sender(database_url: str, api_host: str, delivery_id: int, bare: bool) -> None:
    """Send one delivery (or the bare baseline loop) and print the figures as one JSON line."""
    from bot.config import EMULATOR_TOKEN, Config
    from jobs.scheduler import delivery_messenger
    from models import make_engine

    config = Config(database_url=database_url, line_api_host=api_host, channel_access_token=EMULATOR_TOKEN)
    engine = make_engine(database_url)
    timed = TimedMessenger(delivery_messenger(config))
    started, cpu_started = time.perf_counter(), cpu_seconds()
    requests = bare_loop(engine, timed, delivery_id) if bare else engine_loop(engine, timed, delivery_id)
    wall = time.perf_counter() - started
    peak_mb = peak_rss_mb()
    print(json.dumps({"requests": requests, "wall_s": wall, "wait_s": timed.waited, "own_s": wall - timed.waited,
                      "cpu_s": cpu_seconds() - cpu_started, "peak_mb": peak_mb}))


def peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM).

    Not ru_maxrss: Linux carries the high-water mark of the image replaced by exec into it, so a sender started
    from `make bench` after the tally section reported that section's 1.2 GB instead of its own."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """This process's CPU time so far (unlike wall time, not inflated by other processes on a busy machine)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def engine_loop(engine, messenger, delivery_id: int) -> int:
    """The scheduler's delivery job, run until the delivery is finished; returns its multicast requests."""
    from content.deliveries import delivery_report
    from jobs.delivery import DeliverySettings, send_due_deliveries
    from jobs.scheduler import SchedulerLock, shutting_down
    from models import session_scope

    settings = DeliverySettings(quiet=None)
    # As in `tsunagari scheduler`: the lock held, and re-checked by the job before each request.
    lock = SchedulerLock(engine)
    assert lock.try_acquire(), "another scheduler holds this database's lock"
    shutting_down.watch(lock)
    try:
        while True:
            send_due_deliveries(engine, messenger, settings, budget=600, stop=shutting_down)
            with session_scope(engine) as session:
                report = delivery_report(session, delivery_id)
            if report["state"] in ("done", "failed"):
                assert report["sent"] == report["recipients"], report
                return report["requests"]
    finally:
        lock.release()


def bare_loop(engine, messenger, delivery_id: int) -> int:
    """Baseline: load the residents as ORM objects, multicast in chunks of 500, store nothing, retry nothing."""
    from sqlmodel import Session, select

    from bot.messenger import chunks_of_500
    from models import Delivery, Resident

    with Session(engine) as session:
        delivery = session.get(Delivery, delivery_id)
        residents = session.exec(select(Resident).where(Resident.following == True,  # noqa: E712
                                                        Resident.notifications == True,  # noqa: E712
                                                        Resident.district.in_(delivery.segment["district"]))).all()
        by_lang: dict[str, list[str]] = {}
        for resident in residents:
            by_lang.setdefault(resident.language if resident.language in delivery.messages else "ja",
                               []).append(resident.line_user_id)
        requests = 0
        for lang, ids in by_lang.items():
            for chunk in chunks_of_500(ids):
                messenger.multicast(chunk, delivery.messages[lang])
                requests += 1
    return requests


# --- the parent ---------------------------------------------------------------------------------------------

def seed(database_url: str, residents: int) -> None:
    """Schema, residents (mixed languages), and an organization's approved notice in every district."""
    from sqlalchemy import insert

    from models import Notice, Organization, Resident, create_schema, make_engine, session_scope

    engine = make_engine(database_url)
    create_schema(engine)
    langs = ["ja"] * 90 + ["en"] * 7 + ["ja-easy"] * 3
    rows = [{"line_user_id": user_id(n), "language": langs[n % 100], "district": DISTRICTS[n % len(DISTRICTS)],
             "interests": ["disaster"] if n % 3 == 0 else [], "following": True, "notifications": True}
            for n in range(residents)]
    with engine.begin() as conn:
        for start in range(0, residents, 10_000):
            conn.execute(insert(Resident.__table__), rows[start:start + 10_000])
    if engine.dialect.name == "postgresql":
        # A table filled in one go has no planner statistics yet (autovacuum gathers them on a live server):
        # without them PostgreSQL scans the whole table for each batch's 500 ids.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE resident")
    with session_scope(engine) as session:
        org = Organization(name="北野地区自治会連合会")
        session.add(org)
        session.flush()
        session.add(Notice(organization_id=org.id, title="避難訓練のお知らせ", status="approved",
                           body="12月14日(日)9時から、各地区の避難所で避難訓練を行います。" * 3,
                           url="https://city.example.jp/bousai/kunren", category="disaster"))
    engine.dispose()


def queue(database_url: str) -> int:
    """Queue the notice to every district (everyone) as the console's approval would; returns the delivery id."""
    from content.deliveries import queue_delivery
    from content.notices import messages_by_language
    from content.segments import Segment
    from models import Notice, make_engine, session_scope

    engine = make_engine(database_url)
    with session_scope(engine) as session:
        notice = session.get(Notice, 1)
        delivery = queue_delivery(session, kind="notice", ref_id=notice.id,
                                  messages_by_lang=messages_by_language(session, notice),
                                  segment=Segment.of({"district": list(DISTRICTS)}))
        delivery_id = delivery.id
    engine.dispose()
    return delivery_id


def start_emulator(users: int) -> tuple[subprocess.Popen, str]:
    """The emulator process, once it answers."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bench.delivery_bench", "emulator", str(port), str(users)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/emulator"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/config", timeout=2).read()
            return proc, base
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("emulator did not start: " + proc.stderr.read().decode()[-2000:])
            time.sleep(0.3)
    raise RuntimeError("emulator did not answer in time")


def configure(base: str, options: dict) -> None:
    """POST /emulator/config."""
    request = urllib.request.Request(base + "/config", data=json.dumps(options).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).read()


def measure(database_url: str, residents: int, bare: bool, failing: bool) -> dict:
    """One run in fresh processes: emulator, queue, sender; returns the sender's figures."""
    proc, base = start_emulator(residents)
    try:
        if failing:
            configure(base, {"fail_rate": [{"path": "/v2/bot/message/multicast", "status": 500, "rate": 0.1}]})
        delivery_id = queue(database_url)
        out = subprocess.run([sys.executable, "-m", "bench.delivery_bench", "send", database_url, base,
                              str(delivery_id), "bare" if bare else "engine"],
                             cwd=ROOT, capture_output=True, text=True, timeout=1800)
        if out.returncode:
            raise RuntimeError(out.stderr[-3000:])
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        proc.terminate()
        proc.wait(30)


def row(label: str, figures: dict) -> str:
    """One line of the table."""
    return (f"  {label:<34} {figures['requests']:>9} {figures['wall_s']:>8.1f} {figures['wait_s']:>8.1f} "
            f"{figures['own_s']:>8.1f} {figures['cpu_s']:>8.1f} {figures['peak_mb']:>8.0f}")


def bench_backend(name: str, database_url: str, residents: int) -> bool:
    """Seed, then the baseline, the engine, and the engine with 10 % failures; prints rows; True when on target."""
    started = time.perf_counter()
    seed(database_url, residents)
    print(f"\n{name}: {residents:,} residents seeded in {time.perf_counter() - started:.1f} s")
    print(f"  {'run':<34} {'requests':>9} {'wall s':>8} {'wait s':>8} {'own s':>8} {'cpu s':>8} {'peak MB':>8}")
    baseline = measure(database_url, residents, bare=True, failing=False)
    print(row("BASELINE bare loop (no exactly-once)", baseline))
    ok = True
    for label, failing in (("engine", False), ("engine, 10 % of requests fail 500", True)):
        figures = measure(database_url, residents, bare=False, failing=failing)
        print(row(label, figures))
        record_summary(name, "" if not failing else ", 10 % 500s", figures, baseline)
        ok &= figures["own_s"] <= TARGETS["own_s"] and figures["peak_mb"] <= TARGETS["peak_mb"]
        if not failing:
            ok &= figures["requests"] <= TARGETS["requests"]
    return ok


def record_summary(backend: str, variant: str, figures: dict, baseline: dict) -> None:
    """The closing table of `make bench`: requests, own time and peak memory beside the bare loop's."""
    from bench import summary

    area = "fan-out"
    summary.record(area, f"{backend}: multicast requests{variant}", figures["requests"], baseline["requests"],
                   "requests", higher_is_better=False, baseline_name="bare loop")
    summary.record(area, f"{backend}: own time{variant}", figures["own_s"], baseline["own_s"], "s",
                   higher_is_better=False, baseline_name="bare loop")
    summary.record(area, f"{backend}: peak memory{variant}", figures["peak_mb"], baseline["peak_mb"], "MB",
                   higher_is_better=False, baseline_name="bare loop")


def main(argv: list[str] | None = None) -> int:
    """Both backends; exit status 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=RESIDENTS)
    args = parser.parse_args(argv)
    print(f"Fan-out of one notice to {args.residents:,} residents (targets: ≤ {TARGETS['requests']} multicast "
          f"requests without failures, ≤ {TARGETS['own_s']:.0f} s own time, ≤ {TARGETS['peak_mb']:.0f} MB peak)")
    print("  own s = wall − time waiting for the emulator's answers (the target); cpu s = the sender's CPU time "
          "(unaffected by other load on the machine); peak = the sender process's own peak RSS (VmHWM)")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        ok &= bench_backend("SQLite", f"sqlite:///{tmp}/bench.db", args.residents)
    from bench.claim_explain import database_url, scratch_database

    server = database_url()
    if server is None:
        print("\nPostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL to a server)")
    else:
        with scratch_database(server) as url:
            ok &= bench_backend("PostgreSQL", url, args.residents)
    print("\nfan-out targets " + ("met" if ok else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "emulator":
        run_emulator(int(sys.argv[2]), int(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "send":
        run_sender(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] == "bare")
    else:
        raise SystemExit(main(sys.argv[1:]))
