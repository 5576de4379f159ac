"""iCalendar feeds: a resident's own sign-ups behind a secret URL they can renew, and public feeds of the
events at one facility or of one organization (icalendar builds and escapes the text)."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from typing import Iterable, Optional

from icalendar import Calendar
from icalendar import Event as VEvent
from sqlmodel import select

from content.signups.items import Item, get_item, kind_of
from models import CalendarToken, Event, Signup, as_naive_utc
from models.posts import VISIBLE_STATUSES

PAST_DAYS = 31
AHEAD_DAYS = 366
PRODID = "-//tsunagari//signups//JA"


def calendar_token(session, resident, *, renew: bool = False) -> str:
    """The resident's calendar secret (made on first use); renew=True replaces it, ending the old URL."""
    row = session.exec(select(CalendarToken).where(CalendarToken.resident_id == resident.id)).first()
    if row is None:
        row = CalendarToken(resident_id=resident.id, token=secrets.token_urlsafe(24))
    elif renew:
        row.token, row.created_at = secrets.token_urlsafe(24), as_naive_utc(None)
    session.add(row)
    session.flush()
    return row.token


def calendar_url(public_url: Optional[str], token: str) -> Optional[str]:
    """https://…/calendar/me/<token>.ics, or None without a public HTTPS address."""
    if not public_url or not public_url.lower().startswith("https://"):
        return None
    return f"{public_url.rstrip('/')}/calendar/me/{token}.ics"


def _utc(value: Optional[datetime]) -> Optional[datetime]:
    """A stored naive UTC time as an aware one (iCalendar writes it with Z)."""
    return value.replace(tzinfo=timezone.utc) if value is not None else None


def vevent(item: Item, host: str, *, prefix: str = "", tentative: bool = False) -> Optional[VEvent]:
    """One VEVENT for an item with a start (None for items without one)."""
    if item.starts_at is None:
        return None
    entry = VEvent()
    entry.add("uid", f"{kind_of(item)}-{item.id}@{host}")
    entry.add("dtstamp", datetime.now(timezone.utc))
    entry.add("summary", prefix + (item.title or ""))
    if getattr(item, "all_day", False):
        entry.add("dtstart", item.starts_at.replace(tzinfo=timezone.utc).astimezone(_tokyo()).date())
    else:
        entry.add("dtstart", _utc(item.starts_at))
        entry.add("dtend", _utc(item.ends_at or item.starts_at + timedelta(hours=1)))
    if item.place_name or getattr(item, "address", None):
        entry.add("location", " ".join(filter(None, (item.place_name, getattr(item, "address", None)))))
    if item.description:
        entry.add("description", item.description)
    if item.url:
        entry.add("url", item.url)
    entry.add("status", "TENTATIVE" if tentative else "CONFIRMED")
    return entry


def _tokyo():
    """The city's zone for all-day dates."""
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Tokyo")


def calendar_bytes(name: str, entries: Iterable[Optional[VEvent]]) -> bytes:
    """A VCALENDAR holding the entries."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for entry in entries:
        if entry is not None:
            cal.add_component(entry)
    return cal.to_ical()


def resident_calendar(session, token: str, host: str, now: datetime) -> Optional[bytes]:
    """The resident's going (and, marked, waitlisted) sign-ups; None for an unknown token."""
    row = session.exec(select(CalendarToken).where(CalendarToken.token == token)).first()
    if row is None:
        return None
    since = as_naive_utc(now) - timedelta(days=PAST_DAYS)
    signups = session.exec(select(Signup).where(Signup.resident_id == row.resident_id,
                                                Signup.status.in_(("going", "waitlisted")))).all()
    from content.i18n import translator
    from models import Resident

    resident = session.get(Resident, row.resident_id)
    _ = translator(resident.language if resident is not None else "ja")
    entries = []
    for signup in signups:
        item = get_item(session, signup.item_kind, signup.item_id)
        if item is None or not item.active or item.status not in VISIBLE_STATUSES:
            continue
        if item.starts_at is None or item.starts_at < since:
            continue
        waiting = signup.status == "waitlisted"
        entries.append(vevent(item, host, prefix=_("【キャンセル待ち】") if waiting else "", tentative=waiting))
    return calendar_bytes(_("参加予定"), entries)


def public_events(session, now: datetime, *, facility_id: Optional[int] = None,
                  organization_id: Optional[int] = None) -> list[Event]:
    """Visible events at a facility or by an organization, from a month ago to a year ahead."""
    moment = as_naive_utc(now)
    stmt = select(Event).where(Event.active == True, Event.status.in_(VISIBLE_STATUSES),  # noqa: E712
                               Event.starts_at >= moment - timedelta(days=PAST_DAYS),
                               Event.starts_at <= moment + timedelta(days=AHEAD_DAYS))
    if facility_id is not None:
        stmt = stmt.where(Event.facility_id == facility_id)
    if organization_id is not None:
        stmt = stmt.where(Event.organization_id == organization_id)
    return list(session.exec(stmt.order_by(Event.starts_at, Event.id).limit(5000)).all())


def public_calendar(session, name: str, events: list[Event], host: str) -> bytes:
    """A public feed of events."""
    return calendar_bytes(name, (vevent(event, host) for event in events))
