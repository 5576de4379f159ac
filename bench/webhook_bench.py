"""The inbox under load, beside the baseline: 2 web + 2 worker processes on PostgreSQL answering through the
emulator, and an echo bot written as line-bot-sdk's Flask example (bench/echo_bot.py) against the same emulator
in the same run, the two taking turns at each step.

For each: ack p50/p99 of the webhook at 50, 100 and 200 events/s (open loop), whether every event got its reply
and how long the backlog took to drain, and end-to-end events/s (webhook in → reply at the emulator) when 16
senders send as fast as they are answered. Then the claim's EXPLAIN ANALYZE and the 10,000-event fault run.

    python -m bench.webhook_bench [--scale 1.0] [--fault-events 10000] [--fault-rate 100] [--no-faults]

PostgreSQL comes from BENCH_DATABASE_URL or TEST_DATABASE_URL (a scratch database is made and dropped).
Figures on a shared machine are indicative; rerun on a quiet one for the record.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import summary
from bench.claim_explain import database_url, scratch_database
from bench.cluster import ROOT, SECRET, TOKEN, Cluster, Emulator, Load, answers_http, free_port, tally

RATES = ((50, 15.0), (100, 15.0), (200, 60.0))  # events/s, seconds
SATURATION_EVENTS = 1500
REPLY_WAIT = 120.0


def measure_rate(load: Load, emulator: Emulator, rate: float, seconds: float) -> tuple:
    """Ack and reply figures at one rate: (tally, seconds the backlog took to drain, every event answered)."""
    batch = load.run(rate, seconds)
    sent_until = max(s.at for s in batch)
    answered = load.wait_for_replies(batch, REPLY_WAIT)
    figures = tally(batch, emulator.replied_at)
    return figures, max(0.0, figures.last_reply - sent_until), answered


def measure_blast(load: Load, emulator: Emulator, count: int):
    """End-to-end throughput under a closed-loop blast of `count` events."""
    blast = load.blast(count)
    load.wait_for_replies(blast, REPLY_WAIT)
    return tally(blast, emulator.replied_at)


def measure_side_by_side(loads: dict[str, Load], emulator: Emulator, scale: float) -> dict[str, dict]:
    """Each rate and then the blast, tsunagari and the echo bot taking turns at each step, so a change in the
    machine's other load during the run weighs on both alike."""
    results: dict[str, dict] = {name: {} for name in loads}
    for rate, seconds in RATES:
        for name, load in loads.items():
            results[name][rate] = measure_rate(load, emulator, rate, max(3.0, seconds * scale))
    for name, load in loads.items():
        results[name]["saturation"] = measure_blast(load, emulator, max(200, int(SATURATION_EVENTS * scale)))
    return results


def start_tsunagari(url: str, emulator: Emulator, logs: Path) -> tuple[Cluster, Load]:
    """tsunagari: 2 web processes (no inbox threads) and 2 workers of 4 threads, warmed up."""
    cluster = Cluster(url, emulator, web=2, workers=2, worker_threads=4, schedulers=0, plugins="", log_dir=logs)
    cluster.start()
    cluster.live_workers_ready()
    load = Load(emulator, cluster.web_urls, residents=500, kind="text")
    load.run(20, 3)  # warm-up: connections, caches
    load.wait_for_replies(load.sent, REPLY_WAIT)
    return cluster, load


def start_echo(emulator: Emulator, logs: Path) -> tuple[subprocess.Popen, Load]:
    """The SDK example's echo bot as one waitress process with 8 threads, warmed up."""
    port = free_port()
    env = dict(os.environ, LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=TOKEN,
               LINE_API_HOST=emulator.api_host, PYTHONPATH=str(ROOT))
    out = open(logs / "echo.log", "ab")
    proc = subprocess.Popen([sys.executable, "-m", "bench.echo_bot", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not answers_http(f"http://127.0.0.1:{port}/callback") and time.monotonic() < deadline:
        time.sleep(0.2)
    load = Load(emulator, [f"http://127.0.0.1:{port}"], residents=500, kind="text", start=10_000_000)
    load.run(20, 3)
    load.wait_for_replies(load.sent, REPLY_WAIT)
    return proc, load


def run_both(url: str, emulator: Emulator, scale: float, logs: Path) -> tuple[dict, dict]:
    """Start both bots on the same emulator and measure them side by side; (tsunagari's, echo's) figures."""
    cluster, echo = None, None
    try:
        cluster, ours = start_tsunagari(url, emulator, logs)
        echo, theirs = start_echo(emulator, logs)
        results = measure_side_by_side({"tsunagari": ours, "echo": theirs}, emulator, scale)
        return results["tsunagari"], results["echo"]
    finally:
        if echo is not None:
            echo.terminate()
            echo.wait(10)
        if cluster is not None:
            cluster.stop()


def print_table(ours: dict, echo: dict) -> None:
    """The webhook table, and its rows in the closing summary."""
    print("\nWebhook and inbox under load (PostgreSQL; tsunagari: 2 web + 2 workers of 4 threads; echo: line-bot-sdk Flask "
          "example, 1 process; the same emulator)")
    print(f"{'':26} {'ack p50':>8} {'ack p99':>8} {'reply p50':>9} {'reply p99':>9} {'answered':>10} {'drained':>8}")
    for rate, _ in RATES:
        for name, results in (("tsunagari", ours), ("echo baseline", echo)):
            figures, drained, _ = results[rate]
            print(f"{name + f' @ {rate}/s':26} {figures.ack_p50_ms:7.1f}ms {figures.ack_p99_ms:7.1f}ms "
                  f"{figures.reply_p50_s:8.2f}s {figures.reply_p99_s:8.2f}s "
                  f"{figures.replied:>5}/{figures.good_events:<5}{drained:7.1f}s")
        summary.record("webhook", f"ack p99 at {rate} events/s (ms)", ours[rate][0].ack_p99_ms,
                       echo[rate][0].ack_p99_ms, "ms", higher_is_better=False, baseline_name="SDK echo bot")
    ours_sat, echo_sat = ours["saturation"], echo["saturation"]
    for name, figures in (("tsunagari", ours_sat), ("echo baseline", echo_sat)):
        print(f"{name + ' end to end':26} {figures.events_per_second():7.1f} events/s "
              f"({figures.replied}/{figures.good_events} answered, 16 senders)")
    ratio = ours_sat.events_per_second() / echo_sat.events_per_second() if echo_sat.events_per_second() else 0.0
    print(f"end-to-end ratio tsunagari / echo: {ratio:.2f} (target ≥ 0.8)")
    summary.record("webhook", "end to end (events/s)", ours_sat.events_per_second(), echo_sat.events_per_second(),
                   "events/s", baseline_name="SDK echo bot")


def main(argv: list[str] | None = None) -> int:
    """Run the load benchmark, the claim's EXPLAIN ANALYZE and the fault run; print their figures."""
    from bench import claim_explain, fault_run
    from models.migrate import upgrade

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1.0")),
                        help="multiply every duration and count (0.2 for a quick look)")
    parser.add_argument("--fault-events", type=int, default=int(os.environ.get("BENCH_FAULT_EVENTS", "10000")))
    parser.add_argument("--fault-rate", type=float, default=float(os.environ.get("BENCH_FAULT_RATE", "100")))
    parser.add_argument("--no-faults", action="store_true")
    args = parser.parse_args(argv)
    base = database_url()
    if not base:
        print("\nwebhook bench: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL to a PostgreSQL server)")
        return 0
    with scratch_database(base) as url, tempfile.TemporaryDirectory() as tmp:
        upgrade(url)
        emulator = Emulator(threads=24)
        try:
            ours, echo = run_both(url, emulator, args.scale, Path(tmp))
        finally:
            emulator.stop()
    print_table(ours, echo)
    status = claim_explain.main([])
    if not args.no_faults:
        status = fault_run.main(["--events", str(args.fault_events), "--rate", str(args.fault_rate)]) or status
    return status


if __name__ == "__main__":
    raise SystemExit(main())
