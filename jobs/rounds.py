"""Survey rounds in the scheduler: every minute, queue the one reminder of each open round whose time has come
(a Delivery of kind survey_reminder to those who have not finished; sent by jobs/delivery.py exactly once)."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from content.surveys.opening import queue_due_reminders
from models import session_scope

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60


def queue_round_reminders(engine, tz: str) -> int:
    """One run: the reminder time and the queued Delivery are committed together, so none is queued twice."""
    with session_scope(engine) as session:
        queued = queue_due_reminders(session, tz)
    if queued:
        log.info("queued %d survey reminders", queued)
    return queued


def add_jobs(scheduler, engine, messenger, config) -> None:
    """Register the round reminder job."""
    tz = getattr(config, "tz", None) or "Asia/Tokyo"
    scheduler.add_job(queue_round_reminders, "interval", seconds=INTERVAL_SECONDS, args=[engine, tz],
                      id="survey_reminders", replace_existing=True, coalesce=True, max_instances=1,
                      misfire_grace_time=INTERVAL_SECONDS, next_run_time=datetime.now(timezone.utc))
