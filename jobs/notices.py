"""Repeating notices: the next occurrence of each approved repeating notice is queued as a Delivery."""
from __future__ import annotations

import logging

from content.notices import repeating_notices_due
from models import session_scope, utcnow

log = logging.getLogger(__name__)

JOB_ID = "repeating_notices"


def queue_repeating_notices(engine, tz: str = "Asia/Tokyo") -> int:
    """Queue what repeating notices send next (one occurrence ahead each); returns how many were queued."""
    with session_scope(engine) as session:
        queued = repeating_notices_due(session, utcnow(), tz)
    for delivery in queued:
        log.info("repeating notice %s queued for %s", delivery.ref_id, delivery.scheduled_for)
    return len(queued)


def add_jobs(scheduler, engine, messenger, config) -> None:
    """Every minute: an occurrence is queued well before it is due (the delivery job sends it on time)."""
    scheduler.add_job(queue_repeating_notices, "interval", minutes=1, id=JOB_ID, name="queue repeating notices",
                      replace_existing=True, coalesce=True, max_instances=1,
                      misfire_grace_time=300,  # a late look still queues; nothing is lost by running it late
                      args=[engine, getattr(config, "tz", None) or "Asia/Tokyo"])
