"""`tsunagari worker` as a separate process: an event whose worker dies mid-way is handled after restart."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.config import EMULATOR_SECRET, EMULATOR_TOKEN
from bot.inbox import store_events
from models import InboxEvent, Resident
from tests.conftest import start_live_server
from tests.line_events import postback_event

ROOT = Path(__file__).resolve().parents[1]
USER = "U" + "7" * 32
pytestmark = pytest.mark.slow


def start_worker(database_url: str, api_host: str, slow_seconds: float) -> subprocess.Popen:
    """Run `tsunagari worker` with the test-only handlers loaded."""
    env = dict(os.environ, DATABASE_URL=database_url, LINE_CHANNEL_SECRET=EMULATOR_SECRET,
               LINE_CHANNEL_ACCESS_TOKEN=EMULATOR_TOKEN, LINE_API_HOST=api_host,
               TSUNAGARI_PLUGINS="tests.support_handlers", TEST_SLOW_SECONDS=str(slow_seconds),
               TSUNAGARI_INBOX_LEASE_SECONDS="2", PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "worker", "--threads", "1"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for(predicate, timeout: float = 30.0) -> bool:
    """Poll until predicate() is true or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def inbox_state(engine) -> str:
    """The state of the single inbox row."""
    with Session(engine) as session:
        return session.exec(select(InboxEvent.state)).one()


def marks(engine) -> list:
    """What the slow handler recorded on the resident (nothing until it committed)."""
    with Session(engine) as session:
        resident = session.exec(select(Resident).where(Resident.line_user_id == USER)).first()
        return resident.interests if resident else []


def test_event_survives_a_worker_killed_mid_event(database_url, engine):
    server = start_live_server(database_url, engine, inbox_threads=0)
    first = second = None
    try:
        store_events(engine, [postback_event(USER, "action=test_slow")], EMULATOR_SECRET)
        first = start_worker(database_url, server.base_url + "/emulator", slow_seconds=60)
        assert wait_for(lambda: inbox_state(engine) == "processing"), first.stderr.read1().decode() if first.poll() else ""
        time.sleep(0.5)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert inbox_state(engine) == "processing" and marks(engine) == []

        second = start_worker(database_url, server.base_url + "/emulator", slow_seconds=0)
        assert wait_for(lambda: inbox_state(engine) == "done", timeout=40)
        assert marks(engine) == ["slow-done"]
    finally:
        for proc in (first, second):
            if proc and proc.poll() is None:
                proc.terminate()
                proc.wait(10)
        server.stop()
