"""Retention of the unanswered-words counts: weeks older than 90 days are deleted every night."""
from __future__ import annotations

from sqlalchemy.engine import Engine

from content.unanswered import KEEP_DAYS, purge_unanswered
from models import session_scope


def purge_old_unanswered(engine: Engine, keep_days: int = KEEP_DAYS) -> int:
    """Delete the unanswered-word weeks older than keep_days; returns how many rows went."""
    with session_scope(engine) as session:
        return purge_unanswered(session, keep_days=keep_days)


def add_jobs(scheduler, engine, messenger, config) -> None:
    """Nightly at 03:45 city time (UTC+9), after the inbox purge."""
    scheduler.add_job(purge_old_unanswered, "cron", hour=18, minute=45, args=[engine], id="purge_unanswered_words",
                      replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=3600)
