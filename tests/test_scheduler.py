"""The scheduler: job modules, explicit ids, the single-scheduler lock, the heartbeat and the error listener."""
from __future__ import annotations

import os
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from sqlmodel import select

from jobs import scheduler as sched
from models import JobError, last_scheduler_heartbeat, session_scope, utcnow


def test_every_job_module_adds_jobs_with_explicit_ids_coalesced_and_a_grace_time(engine):
    scheduler = sched.build_scheduler(engine)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert {"deliveries", "purge_inbox", "purge_login_attempts", "scheduler_heartbeat"} <= set(jobs)
    for job in jobs.values():
        assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time
    assert all(hasattr(__import__(name, fromlist=["add_jobs"]), "add_jobs") for name in sched.JOB_MODULES)


def test_adding_the_jobs_twice_replaces_them(engine):
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.start(paused=True)  # a running scheduler's job store enforces unique ids
    try:
        for _ in range(2):
            for name in sched.JOB_MODULES:
                __import__(name, fromlist=["add_jobs"]).add_jobs(scheduler, engine, None, None)
        ids = [job.id for job in scheduler.get_jobs()]
        assert len(ids) == len(set(ids)) and "deliveries" in ids
    finally:
        scheduler.shutdown(wait=False)


def test_a_failing_job_is_recorded_with_its_traceback(engine):
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        event = JobExecutionEvent(EVENT_JOB_ERROR, "deliveries", "default", utcnow(), exception=exc,
                                  traceback="")
    sched.record_job_event(engine, event)
    with session_scope(engine) as session:
        error = session.exec(select(JobError)).one()
    assert error.job_id == "deliveries" and error.kind == "error" and "RuntimeError: boom" in error.error


def test_the_heartbeat_says_when_the_scheduler_was_last_alive(engine):
    with session_scope(engine) as session:
        assert last_scheduler_heartbeat(session) is None
    sched.beat(engine, started=True)
    with session_scope(engine) as session:
        beat = last_scheduler_heartbeat(session)
    assert utcnow() - beat < timedelta(seconds=5)


def test_the_sqlite_lock_file_sits_beside_the_database_whatever_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir("/")
    assert sched.lock_file_for(f"sqlite:///{tmp_path}/city.db") == tmp_path / "city.db.scheduler.lock"
    relative = sched.lock_file_for("sqlite:///data/city.db")
    assert relative == Path("/data/city.db.scheduler.lock")


def test_only_one_scheduler_lock_is_held_per_database(engine, database_url):
    first, second = sched.SchedulerLock(engine, database_url), sched.SchedulerLock(engine, database_url)
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        first.release()
        assert second.try_acquire()
        second.check()
    finally:
        first.release()
        second.release()


def test_a_standby_waits_and_can_be_stopped(engine, database_url):
    holder = sched.SchedulerLock(engine, database_url)
    assert holder.try_acquire()
    stop = threading.Event()
    stop.set()
    try:
        with pytest.raises(SystemExit):
            with sched.single_scheduler_lock(engine, wait_seconds=0.01, stop=stop, database_url=database_url):
                pytest.fail("acquired a held lock")
    finally:
        holder.release()


def cut(engine, holder: bool) -> None:
    """pg_terminate_backend on the scheduler lock's holder connection, or on every other scheduler connection."""
    from sqlalchemy import text

    holder_pid = ("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid::bigint = :k AND granted")
    with engine.connect() as conn:
        conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name "
                          f"AND datname = current_database() AND pid {'IN' if holder else 'NOT IN'} ({holder_pid})"),
                     {"name": sched.APPLICATION_NAME, "k": sched.ADVISORY_LOCK_KEY})
        conn.commit()


@pytest.fixture
def pg_locks(engine, database_url):
    """Two scheduler locks on one PostgreSQL database (skipped on SQLite: a file lock cannot be cut)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("connections are cut on PostgreSQL only")
    first, second = sched.SchedulerLock(engine, database_url), sched.SchedulerLock(engine, database_url)
    yield first, second
    first.release()
    second.release()


def test_a_lock_whose_connection_was_cut_is_taken_back_when_nobody_took_it(engine, pg_locks):
    first, second = pg_locks
    assert first.try_acquire()
    cut(engine, holder=True)
    assert first.still_held()  # on a new connection
    assert not second.try_acquire()


def test_a_lock_taken_by_another_meanwhile_is_lost_and_stops_the_jobs(engine, pg_locks):
    first, second = pg_locks
    assert first.try_acquire()
    sched.shutting_down.watch(first)
    try:
        assert not sched.shutting_down.is_set()
        cut(engine, holder=True)
        assert second.try_acquire()
        assert not first.still_held() and sched.shutting_down.is_set()
        with pytest.raises(sched.LockLost):
            first.check()
    finally:
        sched.shutting_down.clear()


def test_a_standby_whose_connection_was_cut_keeps_waiting_and_then_takes_over(engine, pg_locks):
    first, second = pg_locks
    assert first.try_acquire() and not second.try_acquire()
    cut(engine, holder=False)
    assert not second.try_acquire()  # no PendingRollbackError: the broken connection is replaced
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire() and second.still_held()


def test_web_and_worker_processes_never_load_the_scheduler(tmp_path):
    import subprocess

    code = ("import sys; from bot.app import create_app; from bot.config import Config; "
            f"create_app(Config(database_url='sqlite:///{tmp_path}/w.db', testing=True, inbox_threads=1), "
            "create_tables=True); import bot.cli; "
            "print('jobs.scheduler' in sys.modules, 'apscheduler.schedulers.blocking' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[1], env=dict(os.environ))
    assert out.stdout.split()[-2:] == ["False", "False"], out.stderr[-2000:]
