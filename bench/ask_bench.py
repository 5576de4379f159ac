"""`tsunagari ask` start-up: wall time of one ask on a small database (the demo city), beside a baseline.

The baseline is the same ask as it ran before issue 12: the line-bot-sdk's messaging package imported whole (API
clients and all) and the search index rebuilt because no stored one is there. Target: ≤ 1.5 s for one ask.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "今週末の子ども向けイベント"
RUNS = 3
TARGET_S = 1.5
SEED = ("from datetime import date; from models import make_engine, session_scope; "
        "from content.demo_city import seed_demo_city; "
        "e = make_engine(__import__('os').environ['DATABASE_URL']); "
        "s = session_scope(e).__enter__(); seed_demo_city(s, date.today()); s.commit(); s.close()")
BASELINE = ("import linebot.v3.messaging, sys; sys.argv = ['tsunagari'] + sys.argv[1:]; "
            "from bot.cli import main; main()")


def timed(command: list[str], env: dict, cwd: Path) -> float:
    """Seconds one command took (it must succeed)."""
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    """Build the demo database, warm the index as `tsunagari import` does, then time asks both ways."""
    work = Path(tempfile.mkdtemp(prefix="askbench-"))
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{work / 'demo.db'}")
    cli = [str(Path(sys.executable).with_name("tsunagari"))]
    try:
        subprocess.run(cli + ["db", "upgrade"], env=env, cwd=work, check=True, capture_output=True)
        subprocess.run([sys.executable, "-c", SEED], env=env, cwd=ROOT, check=True, capture_output=True)
        ask = ["ask", QUESTION, "--json"]
        subprocess.run(cli + ask, env=env, cwd=work, check=True, capture_output=True)  # builds and keeps the index
        now = [timed(cli + ask, env, work) for _ in range(RUNS)]
        before = []
        for _ in range(RUNS):
            shutil.rmtree(work / "instance" / "search-cache", ignore_errors=True)
            before.append(timed([sys.executable, "-c", BASELINE] + ask, env, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    best, base = min(now), min(before)
    print("\n`tsunagari ask` on the demo city (wall time of one process, best of 3 / median):")
    print(f"  tsunagari ask           {best:5.2f} s / {statistics.median(now):5.2f} s")
    print(f"  baseline (before #12)   {base:5.2f} s / {statistics.median(before):5.2f} s")
    print(f"  [{'ok' if best <= TARGET_S else 'MISSED'}] ≤ {TARGET_S} s for one ask")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
