"""The one scheduler process: APScheduler in the foreground, kept single by a lock."""
from __future__ import annotations

import fcntl
import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import text
from sqlalchemy.engine import Engine

from jobs.retention import purge_inbox, purge_login_attempts
from models import make_engine

log = logging.getLogger(__name__)

# Any constant works; it names "the tsunagari scheduler" among PostgreSQL advisory locks.
ADVISORY_LOCK_KEY = 0x7473756E  # "tsun"


@contextmanager
def single_scheduler_lock(engine: Engine, wait_seconds: float = 30.0) -> Iterator[None]:
    """Hold a PostgreSQL advisory lock (or a lock file on SQLite) so only one scheduler runs."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY}).scalar():
                conn.commit()
                log.info("another scheduler holds the lock; standing by")
                time.sleep(wait_seconds)
            # A session-level lock outlives the transaction; ending it keeps the connection from idling in one.
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
                conn.commit()
        return
    lock_path = Path("instance") / "scheduler.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                log.info("another scheduler holds the lock; standing by")
                time.sleep(wait_seconds)
        yield


def build_scheduler(engine: Engine, messenger=None) -> BlockingScheduler:
    """The scheduled jobs; each job is coalesced so a late start never runs it twice in a row."""
    scheduler = BlockingScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    scheduler.add_job(purge_inbox, "cron", hour=18, minute=30, args=[engine], id="purge_inbox")  # 03:30 JST
    scheduler.add_job(purge_login_attempts, "interval", hours=1, args=[engine], id="purge_login_attempts")
    return scheduler


def run_scheduler(config, messenger=None) -> None:
    """Run until stopped, holding the single-scheduler lock."""
    engine = make_engine(config.database_url)
    with single_scheduler_lock(engine):
        scheduler = build_scheduler(engine, messenger)
        log.info("scheduler running with %d jobs", len(scheduler.get_jobs()))
        scheduler.start()
