"""The day-before reminders of sign-ups: every few minutes, queue the reminders that have come due as
Deliveries (sent by jobs/delivery.py, quiet hours and quota respected, exactly once)."""
from __future__ import annotations

import logging
import os
from datetime import datetime, timezone

from content.signups.reminders import queue_due_reminders, reminder_hour
from models import utcnow

log = logging.getLogger(__name__)

INTERVAL_MINUTES = 5


def queue_reminders(engine, hour: int, tz: str) -> int:
    """One run: queue what is due (a run that overlaps or repeats queues nothing twice)."""
    queued = queue_due_reminders(engine, utcnow(), hour, tz)
    if queued:
        log.info("queued %d sign-up reminders", queued)
    return queued


def add_jobs(scheduler, engine, messenger, config) -> None:
    """Register the reminder job (TSUNAGARI_REMINDER_HOUR: the hour of the day before, city time; default 10)."""
    hour = reminder_hour(os.environ.get("TSUNAGARI_REMINDER_HOUR"))
    tz = getattr(config, "tz", None) or "Asia/Tokyo"
    scheduler.add_job(queue_reminders, "interval", minutes=INTERVAL_MINUTES, args=[engine, hour, tz],
                      id="signup_reminders", name="queue sign-up reminders", replace_existing=True, coalesce=True,
                      max_instances=1, misfire_grace_time=INTERVAL_MINUTES * 60,
                      next_run_time=datetime.now(timezone.utc))
