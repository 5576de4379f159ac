"""The durable webhook inbox: every event is stored before LINE gets its 200."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from models.db import NaiveDateTime, utcnow

INBOX_STATES = ("pending", "processing", "done", "failed")


class InboxEvent(SQLModel, table=True):
    """One webhook event, unique on LINE's webhookEventId so a redelivery is stored once."""

    __tablename__ = "inbox_event"

    id: Optional[int] = Field(default=None, primary_key=True)
    webhook_event_id: str = Field(unique=True, max_length=64)
    event_type: str = Field(max_length=32)
    # A keyed hash of the LINE user id: keeps one resident's events in order without storing the id in clear.
    user_hash: Optional[str] = Field(default=None, max_length=64, index=True)
    payload: str = Field(sa_type=Text)  # the event's JSON exactly as LINE sent it
    state: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow, index=True)
    locked_until: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    last_error: Optional[str] = Field(default=None, sa_type=Text)  # exception type and traceback, no user data
    redeliveries: int = 0
    event_time: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)  # LINE's timestamp: when the resident acted
    received_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
    processed_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
