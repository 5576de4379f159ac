"""Scheduled work: retention, and the scheduler that must run only once."""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.inbox import store_events
from jobs.retention import purge_inbox, purge_login_attempts
from jobs.scheduler import build_scheduler
from models import InboxEvent, LoginAttempt, session_scope, utcnow
from tests.line_events import text_event


def test_old_handled_inbox_rows_are_purged_and_pending_ones_kept(engine):
    store_events(engine, [text_event("U" + "1" * 32, "a"), text_event("U" + "2" * 32, "b")], "s")
    with session_scope(engine) as session:
        first, second = session.exec(select(InboxEvent).order_by(InboxEvent.id)).all()
        first.state, first.received_at = "done", utcnow() - timedelta(days=40)
        second.received_at = utcnow() - timedelta(days=40)  # still pending: never purged
    assert purge_inbox(engine) == 1
    with session_scope(engine) as session:
        assert [row.state for row in session.exec(select(InboxEvent))] == ["pending"]


def test_failed_logins_older_than_a_day_are_forgotten(engine):
    with session_scope(engine) as session:
        session.add(LoginAttempt(email="a@example.jp", address="10.0.0.1", at=utcnow() - timedelta(days=2)))
        session.add(LoginAttempt(email="a@example.jp", address="10.0.0.1"))
    assert purge_login_attempts(engine) == 1


def test_the_scheduler_holds_the_retention_jobs(engine):
    assert {"purge_inbox", "purge_login_attempts"} <= {job.id for job in build_scheduler(engine).get_jobs()}
