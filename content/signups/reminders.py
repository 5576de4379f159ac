"""The day-before reminder: from the configured hour of the day before an item, everyone going gets one push
with time, place and a cancel button. The unique SignupReminder row, written in the same transaction as the
Delivery, is what makes it one per item even when the scheduler restarts or two runs overlap."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from content.signups.items import Item, kind_of
from models import Event, Opportunity, Resident, Signup, SignupReminder, as_naive_utc
from models.posts import VISIBLE_STATUSES

DEFAULT_HOUR = 10


def reminder_hour(value: Optional[str]) -> int:
    """TSUNAGARI_REMINDER_HOUR: the city-time hour (0–23) of the day before when reminders go; default 10."""
    if value in (None, ""):
        return DEFAULT_HOUR
    hour = int(value)
    if not 0 <= hour <= 23:
        raise ValueError("TSUNAGARI_REMINDER_HOUR must be 0–23")
    return hour


def due_items(session, now: datetime, hour: int, tz: str = "Asia/Tokyo") -> list[Item]:
    """Items taking sign-ups that start tomorrow (city date), once today's reminder hour has come,
    not yet started and not yet reminded."""
    zone = ZoneInfo(tz)
    local_now = as_naive_utc(now).replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    if local_now.time() < time(hour, 0):
        return []
    tomorrow = local_now.date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(0, 0), tzinfo=zone)
    window = (as_naive_utc(start), as_naive_utc(start + timedelta(days=1)))
    found: list[Item] = []
    for model in (Event, Opportunity):
        kind = "event" if model is Event else "opportunity"
        reminded = select(SignupReminder.item_id).where(SignupReminder.item_kind == kind)
        found += session.exec(select(model).where(
            model.chat_signup == True, model.active == True, model.status.in_(VISIBLE_STATUSES),  # noqa: E712
            model.starts_at >= window[0], model.starts_at < window[1], model.id.not_in(reminded))).all()
    return found


def going_residents(session, item: Item) -> list[int]:
    """Ids of the residents going to the item who still follow the account."""
    rows = session.exec(select(Signup.resident_id).join(Resident, Resident.id == Signup.resident_id).where(
        Signup.item_kind == kind_of(item), Signup.item_id == item.id, Signup.status == "going",
        Resident.following == True)).all()  # noqa: E712
    return sorted(set(rows))


def queue_reminder_once(session, item: Item, now: datetime) -> Optional[SignupReminder]:
    """Claim the item's reminder (unique row) and queue its Delivery; None when another run already did."""
    from content.signups.pushes import queue_reminder

    claim = SignupReminder(item_kind=kind_of(item), item_id=item.id, created_at=as_naive_utc(now))
    try:
        with session.begin_nested():
            session.add(claim)
            session.flush()
    except IntegrityError:
        return None
    residents = going_residents(session, item)
    if residents:
        delivery = queue_reminder(session, item, residents, now)
        claim.delivery_id, claim.recipients = delivery.id, len(residents)
        session.add(claim)
        session.flush()
    return claim


def queue_due_reminders(engine, now: datetime, hour: int, tz: str = "Asia/Tokyo") -> int:
    """Queue every due reminder, each item in its own transaction; returns how many were queued."""
    from models import session_scope

    with session_scope(engine) as session:
        keys = [(kind_of(item), item.id) for item in due_items(session, now, hour, tz)]
    queued = 0
    for kind, item_id in keys:
        with session_scope(engine) as session:
            item = session.get(Event if kind == "event" else Opportunity, item_id)
            if item is not None and queue_reminder_once(session, item, now) is not None:
                queued += 1
    return queued
