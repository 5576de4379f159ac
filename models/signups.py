"""Sign-ups for events and openings, the attendance ledger, reminders sent, and residents' calendar tokens."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import NaiveDateTime, utcnow

SIGNUP_STATUSES = ("going", "waitlisted", "cancelled")
ITEM_KINDS = ("event", "opportunity")
ATTENDANCE_VIA = ("code", "list")


class Signup(SQLModel, table=True):
    """One resident's place (or place in line) for one event or opening; one row per resident and item."""

    __tablename__ = "signup"
    # The constraint, not a check in code, is what makes a double tap or a redelivered postback harmless.
    __table_args__ = (UniqueConstraint("item_kind", "item_id", "resident_id", name="uq_signup_item_resident"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    item_kind: str = Field(max_length=16)
    item_id: int = Field(index=True)
    # Unlinked (NULL) when the resident deletes their data; the row and its copied attributes stay for tallies.
    resident_id: Optional[int] = Field(default=None, foreign_key="resident.id", index=True, ondelete="SET NULL")
    status: str = Field(default="going", max_length=16, index=True)
    queued_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)  # order in the waitlist
    checkin_code: str = Field(max_length=12, unique=True)
    qr_token: str = Field(max_length=64, unique=True)  # names the QR image LINE fetches; not guessable
    district: Optional[str] = Field(default=None, max_length=64)
    age_group: Optional[str] = Field(default=None, max_length=8)
    gender: Optional[str] = Field(default=None, max_length=8)
    created_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
    updated_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
    cancelled_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    promoted_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)


class Attendance(SQLModel, table=True):
    """The attendance ledger: one row per sign-up that came, with the resident's attributes copied at the time."""

    __tablename__ = "attendance"

    id: Optional[int] = Field(default=None, primary_key=True)
    signup_id: int = Field(foreign_key="signup.id", unique=True)
    resident_id: Optional[int] = Field(default=None, foreign_key="resident.id", index=True, ondelete="SET NULL")
    item_kind: str = Field(max_length=16)
    item_id: int = Field(index=True)
    organization_id: Optional[int] = Field(default=None, index=True)
    facility_id: Optional[int] = Field(default=None, index=True)
    district: Optional[str] = Field(default=None, max_length=64)
    age_group: Optional[str] = Field(default=None, max_length=8)
    gender: Optional[str] = Field(default=None, max_length=8)
    attended_on: date = Field(index=True)  # the city's date of the visit: months and years are counted on it
    via: str = Field(default="code", max_length=8)
    recorded_by: Optional[int] = Field(default=None)  # console user id
    recorded_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)


class SignupReminder(SQLModel, table=True):
    """The day-before reminder of one item, queued once: the unique row is what survives a scheduler restart."""

    __tablename__ = "signup_reminder"
    __table_args__ = (UniqueConstraint("item_kind", "item_id", name="uq_signup_reminder_item"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    item_kind: str = Field(max_length=16)
    item_id: int
    delivery_id: Optional[int] = Field(default=None)
    recipients: int = 0
    created_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)


class CalendarToken(SQLModel, table=True):
    """The secret in a resident's personal calendar URL; renewing replaces it, so the old URL stops working."""

    __tablename__ = "calendar_token"

    id: Optional[int] = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", unique=True, ondelete="CASCADE")
    token: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
