"""The one scheduler process: APScheduler 3 runs the jobs while the main thread keeps watch over the lock.

Every area adds its jobs through JOB_MODULES: each module named there exposes
`add_jobs(scheduler, engine, messenger, config)` and registers its jobs with explicit ids and
`replace_existing=True`. Jobs run only here — never in a web or inbox worker: `tsunagari serve` and
`tsunagari worker` do not import this module.

One scheduler acts per database. On PostgreSQL it holds a session advisory lock on a connection of its own;
on SQLite an exclusive lock on a file beside the database file. A second scheduler waits as a standby, trying
every few seconds, and takes over within a minute of the first one dying (the kernel or PostgreSQL frees the
lock with the process or its connection). A scheduler whose connections are cut (pg_terminate_backend, a
server restart) stops sending at once, reconnects and takes the lock back if nobody else took it meanwhile;
otherwise it stands by in turn. Long job runs check `shutting_down` (the lock re-checked) before each
request. While it acts, the scheduler writes a heartbeat every few seconds
(models.last_scheduler_heartbeat reads it) and records every job error or missed run in job_error.
"""
from __future__ import annotations

import fcntl
import importlib
import logging
import os
import signal
import socket
import threading
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool

from models import JobError, SchedulerHeartbeat, make_engine, session_scope, utcnow
from models.db import default_database_url, normalize_url

log = logging.getLogger(__name__)

# Modules whose add_jobs(scheduler, engine, messenger, config) register scheduled work. Add yours here.
JOB_MODULES: list[str] = ["jobs.delivery", "jobs.notices", "jobs.retention", "jobs.reminders", "jobs.rounds",
                          "jobs.unanswered"]

# Any constant works; it names "the tsunagari scheduler" among PostgreSQL advisory locks.
ADVISORY_LOCK_KEY = 0x7473756E  # "tsun"
STANDBY_POLL_SECONDS = 5.0  # a standby tries the lock this often: takeover well within a minute
HEARTBEAT_SECONDS = 5
HEARTBEAT_JOB_ID = "scheduler_heartbeat"
# Jobs that poll every second: while one long run goes on, APScheduler's "skipped: maximum number of running
# instances" warning would repeat every second and bury real warnings.
QUIET_POLL_JOBS = {"deliveries"}
# Names the scheduler's connections in pg_stat_activity (operators, and the tests that cut them, find them by it).
APPLICATION_NAME = "tsunagari scheduler"


LOCK_CHECK_SECONDS = 1.0  # the acting scheduler also re-checks its lock this often when idle


class LockLost(RuntimeError):
    """The scheduler lock is no longer held: another scheduler may act now, so this one must stop."""


# --- the single-scheduler lock -----------------------------------------------------------------------

def lock_file_for(database_url: str | None) -> Path:
    """The lock file of a SQLite database: beside the database file, whatever the working directory."""
    url = make_url(database_url) if database_url else None
    database = url.database if url is not None else None
    if not database or database == ":memory:":
        return Path("instance").resolve() / "scheduler.lock"
    return Path(database).resolve().with_name(Path(database).name + ".scheduler.lock")


# pg_locks shows a bigint advisory key as classid (high half), objid (low half) and objsubid 1.
HELD_SQL = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted "
                "AND classid::bigint = :hi AND objid::bigint = :lo AND objsubid = 1")


class SchedulerLock:
    """Held while this process is THE scheduler; `still_held()` re-checks it (and takes it back if it is free).

    Its methods are called from the main thread, the heartbeat job and the delivery job: one mutex keeps them
    off the shared connection at the same time."""

    def __init__(self, engine: Engine, database_url: str | None = None):
        self.engine = engine
        self.database_url = database_url or engine.url.render_as_string(hide_password=False)
        self.is_postgresql = engine.dialect.name == "postgresql"
        self._conn = None
        self._lock_engine = None
        self._handle = None
        self._mutex = threading.RLock()

    def try_acquire(self) -> bool:
        """Take the lock if it is free (never blocks; a database that cannot be reached counts as 'not now')."""
        with self._mutex:
            if self.is_postgresql:
                return self._try_advisory()
            return self._try_file()

    def _connect(self) -> None:
        """A dedicated connection for the lock (not from the pool the jobs share)."""
        # Autocommit: each check is one round trip (it runs before every request of a send), and the connection
        # never sits idle in a transaction.
        self._lock_engine = make_engine(self.database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT",
                                        connect_args={"application_name": APPLICATION_NAME})
        self._conn = self._lock_engine.connect()
        # If this host vanishes without closing the socket, PostgreSQL notices within ~30 s and frees the lock.
        for setting in ("tcp_keepalives_idle = 10", "tcp_keepalives_interval = 5", "tcp_keepalives_count = 3"):
            self._conn.execute(text(f"SET {setting}"))

    def _try_advisory(self) -> bool:
        """pg_try_advisory_lock on the lock connection, reconnecting when that connection broke."""
        try:
            if self._conn is None:
                self._connect()
            return bool(self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY}).scalar())
        except Exception as exc:  # terminated backend, restarted server, network: drop it and try again later
            log.warning("scheduler lock: database not reachable (%s); trying again", type(exc).__name__)
            self._drop_connection()
            return False

    def _try_file(self) -> bool:
        """flock on <database>.scheduler.lock; the kernel frees it when the process dies."""
        if self._handle is None:
            path = lock_file_for(self.database_url)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = path.open("a+")
        try:
            fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.write(f"{socket.gethostname()} {os.getpid()}\n")
        self._handle.flush()
        return True

    def still_held(self) -> bool:
        """Whether this process still holds the lock; a lost one is taken back when nobody else took it meanwhile.

        A PostgreSQL session lock is lost with its connection (pg_terminate_backend, a server restart, a network
        cut). Until this returns True again nothing may be sent: another scheduler may be acting."""
        if not self.is_postgresql:
            return True  # a flock lives as long as this process
        with self._mutex:
            if self._conn is not None:
                try:
                    held = self._conn.execute(HELD_SQL, {"hi": ADVISORY_LOCK_KEY >> 32,
                                                         "lo": ADVISORY_LOCK_KEY & 0xFFFFFFFF}).scalar()
                    if held:
                        return True
                except Exception as exc:
                    log.warning("scheduler lock connection lost (%s)", type(exc).__name__)
                    self._drop_connection()
            if self._try_advisory():
                log.info("scheduler lock taken back on a new connection")
                return True
            return False

    def check(self) -> None:
        """Raise LockLost unless the lock is (still, or again) held."""
        if not self.still_held():
            raise LockLost("the scheduler lock was lost")

    def _drop_connection(self) -> None:
        """Close a broken lock connection without raising (closing it frees the lock on the server, if any)."""
        conn, engine, self._conn, self._lock_engine = self._conn, self._lock_engine, None, None
        for close in (conn.close if conn is not None else None, engine.dispose if engine is not None else None):
            if close is not None:
                try:
                    close()
                except Exception:
                    pass

    def release(self) -> None:
        """Give the lock up (a standby takes over at its next try)."""
        with self._mutex:
            try:
                if self._conn is not None:
                    try:
                        self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
                    finally:
                        self._drop_connection()
                if self._handle is not None:
                    fcntl.flock(self._handle, fcntl.LOCK_UN)
                    self._handle.close()
            except Exception as exc:  # best effort: a broken connection frees the lock on the server anyway
                log.warning("releasing the scheduler lock failed (%s)", type(exc).__name__)
            self._drop_connection()
            self._handle = None


class ActingGuard:
    """What long job runs (a big send) check before each request: set once the scheduler is stopping or has lost
    its lock, so that at most one scheduler sends at any moment."""

    def __init__(self):
        self._stopping = threading.Event()
        self._lock: SchedulerLock | None = None

    def watch(self, lock: SchedulerLock | None) -> None:
        """Start acting under this lock."""
        self._lock = lock
        self._stopping.clear()

    def set(self) -> None:
        """Stop acting."""
        self._stopping.set()

    def clear(self) -> None:
        """Act again (no lock to re-check)."""
        self.watch(None)

    def is_set(self) -> bool:
        """True when jobs must stop: told to, or the lock is gone."""
        if self._stopping.is_set():
            return True
        lock = self._lock
        if lock is not None and not lock.still_held():
            log.error("scheduler lock lost during a job run: stopping it")
            self._stopping.set()
            return True
        return False


# Long job runs check it between requests and return early when the scheduler stops or lost its lock.
shutting_down = ActingGuard()


@contextmanager
def single_scheduler_lock(engine: Engine, wait_seconds: float = STANDBY_POLL_SECONDS, stop: threading.Event | None = None,
                          database_url: str | None = None) -> Iterator[SchedulerLock]:
    """Wait (as a standby) until this process holds the scheduler lock, then hold it for the block."""
    lock = SchedulerLock(engine, database_url)
    stop = stop or threading.Event()
    announced = False
    while not lock.try_acquire():
        if not announced:
            log.info("another scheduler holds the lock; standing by")
            announced = True
        if stop.wait(wait_seconds):
            lock.release()
            raise SystemExit(0)
    log.info("scheduler lock acquired")
    try:
        yield lock
    finally:
        lock.release()


# --- heartbeat and job errors ----------------------------------------------------------------------------

def holder_name() -> str:
    """host:pid of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(engine: Engine, lock: SchedulerLock | None = None, started: bool = False) -> None:
    """Write the heartbeat (after checking the lock is still held)."""
    if lock is not None:
        lock.check()
    now = utcnow()
    with session_scope(engine) as session:
        row = session.get(SchedulerHeartbeat, 1)
        if row is None:
            row = SchedulerHeartbeat(id=1, holder=holder_name(), started_at=now, beat_at=now)
        if started:
            row.holder, row.started_at = holder_name(), now
        row.beat_at = now
        session.add(row)


def record_job_event(engine: Engine, event) -> None:
    """The listener: a job that raised or missed its time goes to job_error (type and traceback only)."""
    kind = "missed" if event.code == EVENT_JOB_MISSED else "error"
    detail = None
    if getattr(event, "exception", None) is not None:
        # Traceback lines name files and functions; exception messages are bounded (SQL hides its parameters).
        detail = "".join(traceback.format_exception(type(event.exception), event.exception,
                                                    event.exception.__traceback__))[-4000:]
    try:
        with session_scope(engine) as session:
            session.add(JobError(job_id=str(event.job_id)[:100], kind=kind, error=detail))
    except Exception:  # the listener must never take the scheduler down
        log.exception("could not record the job event")
    log.warning("job %s %s", event.job_id, kind)


class _QuietPollWarnings(logging.Filter):
    """Drop APScheduler's max-instances warning for jobs that poll every second (expected during a long send)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for 'skipped: maximum number of running instances' of a quiet poll job."""
        if "maximum number of running" in str(record.msg) and record.args:
            return getattr(record.args[0], "id", None) not in QUIET_POLL_JOBS
        return True


# --- building and running ----------------------------------------------------------------------------------

def build_scheduler(engine: Engine, messenger=None, config=None, lock: SchedulerLock | None = None,
                    modules: list[str] | None = None) -> BackgroundScheduler:
    """A scheduler with every job module's jobs, the heartbeat and the error listener (not started)."""
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                                  "misfire_grace_time": 60})
    for name in modules if modules is not None else JOB_MODULES:
        importlib.import_module(name).add_jobs(scheduler, engine, messenger, config)
    scheduler.add_job(beat, "interval", seconds=HEARTBEAT_SECONDS, id=HEARTBEAT_JOB_ID, name="heartbeat",
                      replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=HEARTBEAT_SECONDS,
                      args=[engine, lock])
    scheduler.add_listener(lambda event: record_job_event(engine, event), EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    return scheduler


def _quiet_apscheduler_logs() -> None:
    """Per-second runs are not news: keep APScheduler's executor at WARNING and drop the poll-job skip warning."""
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    scheduler_log = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, _QuietPollWarnings) for f in scheduler_log.filters):
        scheduler_log.addFilter(_QuietPollWarnings())


def scheduler_engine(database_url: str | None) -> Engine:
    """The jobs' engine; on PostgreSQL its connections carry the scheduler's application_name."""
    url = normalize_url(database_url or default_database_url())
    if url.startswith("postgresql"):
        return make_engine(url, connect_args={"application_name": APPLICATION_NAME})
    return make_engine(url)


def run_scheduler(config, messenger=None, stop: threading.Event | None = None) -> None:
    """Stand by until this process holds the lock, act until SIGTERM/SIGINT; a lost lock means standing by again."""
    engine = scheduler_engine(config.database_url)
    stop = stop or threading.Event()
    _quiet_apscheduler_logs()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    # Everything is loaded before waiting for the lock: a standby that takes over starts sending at once.
    messenger = messenger if messenger is not None else delivery_messenger(config)
    for name in JOB_MODULES:
        importlib.import_module(name)
    try:
        while not stop.is_set():
            with single_scheduler_lock(engine, stop=stop, database_url=config.database_url) as lock:
                act_while_held(engine, messenger, config, lock, stop)
            if not stop.is_set():
                log.warning("scheduler lock lost: standing by again (another scheduler may act now)")
                stop.wait(LOCK_CHECK_SECONDS)  # a database that keeps failing is not hammered in a loop
    finally:
        engine.dispose()


def act_while_held(engine: Engine, messenger, config, lock: SchedulerLock, stop: threading.Event) -> None:
    """Run every job until told to stop or the lock is found lost; return once every running job has ended."""
    shutting_down.watch(lock)
    scheduler = build_scheduler(engine, messenger, config, lock)
    try:
        beat(engine, lock, started=True)
    except Exception as exc:  # the database went away between taking the lock and now: wait and try again
        log.warning("scheduler could not start acting (%s)", type(exc).__name__)
        shutting_down.set()
        return
    scheduler.start()
    log.info("scheduler running with %d jobs", len(scheduler.get_jobs()))
    while not stop.wait(LOCK_CHECK_SECONDS):
        if not lock.still_held():
            log.error("scheduler lock lost: stopping so that exactly one scheduler acts")
            break
    shutting_down.set()
    scheduler.shutdown(wait=True)  # running jobs see shutting_down and end after their current request


def delivery_messenger(config):
    """A Messenger making ONE request per call: the delivery job counts, spaces and persists the retries itself."""
    from bot.messenger import LineMessenger, RetryPolicy

    return LineMessenger(config, policy=RetryPolicy(attempts=1))
