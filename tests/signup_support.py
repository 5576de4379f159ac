"""Helpers for the sign-up tests: items taking sign-ups, residents, and taps as LINE sends them."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from models import Event, Opportunity, Resident, as_naive_utc

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)


def user_id(n: int) -> str:
    """A LINE-shaped user id for the n-th test resident."""
    return "U" + f"{n:032x}"


def add_resident(session, n: int, **values) -> Resident:
    """A following resident."""
    resident = Resident(line_user_id=user_id(n), **values)
    session.add(resident)
    session.flush()
    return resident


def add_event(session, *, capacity: int | None = 2, days: float = 5, deadline_days: float | None = None,
              chat: bool = True, **values) -> Event:
    """A published event `days` after NOW that takes sign-ups in the chat (unless chat=False)."""
    starts = as_naive_utc(NOW + timedelta(days=days))
    fields = dict(source="test", source_key=f"e{days}-{values.get('title', '')}", title="ふれあい料理教室",
                  starts_at=starts, ends_at=starts + timedelta(hours=2), place_name="中央公民館 料理室",
                  capacity=capacity, chat_signup=chat, status="published")
    if deadline_days is not None:
        fields["signup_deadline"] = as_naive_utc(NOW + timedelta(days=deadline_days))
    fields.update(values)
    event = Event(**fields)
    session.add(event)
    session.flush()
    return event


def add_opening(session, *, capacity: int | None = 3, chat: bool = True, **values) -> Opportunity:
    """A volunteer opening taking sign-ups, with a deadline a week after NOW."""
    fields = dict(source="test", source_key=f"o-{values.get('title', '')}", title="公園清掃ボランティア",
                  starts_at=as_naive_utc(NOW + timedelta(days=10)), deadline=as_naive_utc(NOW + timedelta(days=7)),
                  capacity=capacity, chat_signup=chat, status="published")
    fields.update(values)
    opening = Opportunity(**fields)
    session.add(opening)
    session.flush()
    return opening
