"""Retention of the inbox: finished rows go after 30 days, lanes with nothing waiting and silent workers too."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

import tests.support_handlers  # noqa: F401
from bot.config import Config
from bot.inbox import EVENTS, LANES, WORKERS, Rejected, beat, counts_by_state, store_events
from bot.messenger import RecordingMessenger
from bot.workers import drain
from jobs.retention import purge_inbox
from models import utcnow
from tests.line_events import postback_event

USER = "U" + "3" * 32


def count(engine, table) -> int:
    """Rows in a table."""
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def test_finished_and_rejected_rows_older_than_30_days_go_with_their_idle_lanes(engine, database_url):
    config = Config(database_url=database_url, channel_secret="s", channel_access_token="t", testing=True,
                    inbox_threads=0)
    store_events(engine, [postback_event(USER, "action=test_count")], "s", [Rejected("01BAD", "type is missing")])
    drain(engine, RecordingMessenger(), config)
    store_events(engine, [postback_event("U" + "4" * 32, "action=test_count")], "s")  # still waiting
    beat(engine, "gone-worker:1:x", 1)
    with engine.begin() as conn:
        conn.execute(update(EVENTS).values(received_at=utcnow() - timedelta(days=31)))
        conn.execute(update(WORKERS).values(heartbeat_at=utcnow() - timedelta(days=2)))
    assert purge_inbox(engine) == 2
    assert counts_by_state(engine) == {"pending": 1}, "a waiting event is never purged, however old"
    assert count(engine, LANES) == 1 and count(engine, WORKERS) == 0
