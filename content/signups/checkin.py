"""Check-in: the resident's code (typed, or scanned from its QR image) or a tick in the organizer's list
marks attendance, written to the ledger once per sign-up with the resident's attributes copied."""
from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

import segno
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from content import audit
from content.accounts import can_access_organization
from content.signups.core import copy_attributes
from content.signups.items import Item, get_item
from models import Attendance, Resident, Signup, as_naive_utc

_NOT_CODE = re.compile(r"[^0-9A-Z]")


@dataclass
class CheckinResult:
    """marked | already | not_going (waitlisted or cancelled) | not_found | other_item | forbidden."""

    outcome: str
    signup: Optional[Signup] = None
    item: Optional[Item] = None
    attendance: Optional[Attendance] = None


def normalize_code(text: str) -> str:
    """What was typed or scanned as a code: full-width folded, upper case, spaces and hyphens dropped;
    a scanned check-in URL (…?code=K7M4QX) gives its code."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    match = re.search(r"[?&]code=([^&#\s]+)", text)
    if match:
        text = match.group(1)
    return _NOT_CODE.sub("", text.upper())[:12]


def find_by_code(session, code: str) -> Optional[Signup]:
    """The sign-up with that check-in code, or None."""
    code = normalize_code(code)
    if not code:
        return None
    return session.exec(select(Signup).where(Signup.checkin_code == code)).first()


def attendance_of(session, signup: Signup) -> Optional[Attendance]:
    """The ledger row of a sign-up, or None when not (yet) marked."""
    return session.exec(select(Attendance).where(Attendance.signup_id == signup.id)).first()


def local_date(moment: Optional[datetime], tz: str):
    """The city's date of a naive UTC time (today when None)."""
    from content.posts import to_local

    return to_local(as_naive_utc(moment), tz).date()


def check_in(session, actor, signup: Optional[Signup], *, via: str, now: datetime, tz: str = "Asia/Tokyo",
             item_kind: Optional[str] = None, item_id: Optional[int] = None,
             address: Optional[str] = None) -> CheckinResult:
    """Mark a sign-up as attended (once: the ledger is unique per sign-up); checked against the actor's
    organization and, when given, against the item whose page the code was entered on."""
    if signup is None:
        return CheckinResult("not_found")
    item = get_item(session, signup.item_kind, signup.item_id)
    if item is None or not can_access_organization(actor, item.organization_id):
        return CheckinResult("forbidden" if item is not None else "not_found", signup=signup)
    if item_id is not None and (signup.item_kind, signup.item_id) != (item_kind, item_id):
        return CheckinResult("other_item", signup=signup, item=item)
    existing = attendance_of(session, signup)
    if existing is not None:
        return CheckinResult("already", signup=signup, item=item, attendance=existing)
    if signup.status != "going":
        return CheckinResult("not_going", signup=signup, item=item)
    resident = session.get(Resident, signup.resident_id) if signup.resident_id else None
    if resident is not None:
        copy_attributes(signup, resident)  # attributes as they are on the day of the visit
    row = Attendance(signup_id=signup.id, resident_id=signup.resident_id, item_kind=signup.item_kind,
                     item_id=signup.item_id, organization_id=item.organization_id, facility_id=item.facility_id,
                     district=signup.district, age_group=signup.age_group, gender=signup.gender,
                     attended_on=local_date(item.starts_at or now, tz), via=via, recorded_by=actor.id,
                     recorded_at=as_naive_utc(now))
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # two phones scanned the same code at once: the other one recorded it
        return CheckinResult("already", signup=signup, item=item, attendance=attendance_of(session, signup))
    audit.record(session, actor, "checkin", "signup", signup.id, detail=via, address=address)
    return CheckinResult("marked", signup=signup, item=item, attendance=row)


def undo_check_in(session, actor, signup: Signup, *, address: Optional[str] = None) -> bool:
    """Take a mistaken attendance off the ledger (audited); False when there was none or no access."""
    item = get_item(session, signup.item_kind, signup.item_id)
    if item is None or not can_access_organization(actor, item.organization_id):
        return False
    row = attendance_of(session, signup)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    audit.record(session, actor, "uncheckin", "signup", signup.id, address=address)
    return True


def checkin_url(base_url: str, code: str) -> str:
    """The console page that checks a code in: what the QR image holds, so any phone camera opens it."""
    return f"{base_url.rstrip('/')}/admin/checkin?code={code}"


def qr_png(data: str, scale: int = 10) -> bytes:
    """A PNG QR code (segno: pure Python, no image library needed)."""
    buffer = io.BytesIO()
    segno.make(data, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
