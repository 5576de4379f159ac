"""Retention: handled inbox rows are kept a while for diagnosis, then deleted."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine

from content.accounts import prune_login_attempts
from models import InboxEvent, session_scope, utcnow

INBOX_KEEP_DAYS = 30


def purge_inbox(engine: Engine, keep_days: int = INBOX_KEEP_DAYS) -> int:
    """Delete done and failed inbox rows older than keep_days; returns how many went."""
    cutoff = utcnow() - timedelta(days=keep_days)
    t = InboxEvent.__table__
    with engine.begin() as conn:
        result = conn.execute(delete(t).where(t.c.state.in_(("done", "failed"))).where(t.c.received_at < cutoff))
    return result.rowcount or 0


def purge_login_attempts(engine: Engine) -> int:
    """Forget failed console logins older than a day (they only matter to the rate limit)."""
    with session_scope(engine) as session:
        return prune_login_attempts(session)


def add_jobs(scheduler, engine, messenger, config) -> None:
    """Nightly inbox purge and hourly login-attempt pruning."""
    # 03:30 city time (Asia/Tokyo = UTC+9); a run missed by under an hour (a restart) still happens that night.
    scheduler.add_job(purge_inbox, "cron", hour=18, minute=30, args=[engine], id="purge_inbox",
                      replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=3600)
    scheduler.add_job(purge_login_attempts, "interval", hours=1, args=[engine], id="purge_login_attempts",
                      replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=600)
