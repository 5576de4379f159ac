"""Pushes as Deliveries: one send to many residents, split into multicast batches that are each sent exactly once.

A Delivery is queued by whoever wants residents pushed (a notice, a survey round, a sign-up reminder); the one
scheduler process makes its batches (recipients fixed, a retry key each, all stored before any request) and
sends them. The scheduler's own liveness (heartbeat) and the errors of its jobs are kept here too.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import JSON, Column, Text, UniqueConstraint, select
from sqlmodel import Field, SQLModel

from models.db import NaiveDateTime, utcnow

SCHEDULER_STALE = timedelta(minutes=1)  # it beats every few seconds; the standby takes over within seconds

DELIVERY_KINDS = ("notice", "survey", "survey_reminder", "signup_reminder", "waitlist")
DELIVERY_STATES = ("queued", "held", "sending", "done", "failed", "cancelled")
BATCH_STATES = ("pending", "done", "failed")


class Delivery(SQLModel, table=True):
    """One push to a segment (or to listed residents), in each resident's language, sent by the scheduler."""

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32, index=True)  # notice|survey|survey_reminder|signup_reminder|waitlist|…
    ref_id: Optional[int] = Field(default=None, index=True)  # the notice, round, event… it is about
    segment: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))  # {"district": [...]}
    resident_ids: Optional[list] = Field(default=None, sa_column=Column(JSON, nullable=True))  # explicit recipients
    messages: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))  # lang → [...]
    scheduled_for: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow, index=True)  # naive UTC
    urgent: bool = False  # passes quiet hours (防災, 臨時休館)
    respect_notifications: bool = True  # False: also residents who switched notices off (a reply they asked for)
    state: str = Field(default="queued", max_length=16, index=True)
    held_reason: Optional[str] = Field(default=None, sa_type=Text)  # shown to staff as written
    recipients: int = 0
    sent: int = 0
    skipped: int = 0  # unfollowed, switched notices off or deleted between queueing and their batch
    failed: int = 0
    requests: int = 0  # multicast requests made, retries included
    created_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
    started_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    finished_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    updated_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)


class DeliveryBatch(SQLModel, table=True):
    """At most 500 residents of one Delivery who get the same messages, with the retry key of their request."""

    __tablename__ = "delivery_batch"
    __table_args__ = (UniqueConstraint("delivery_id", "seq"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="delivery.id", ondelete="CASCADE")
    seq: int
    language: str = Field(max_length=8)  # which entry of Delivery.messages these residents get
    retry_key: str = Field(max_length=36, unique=True)  # X-Line-Retry-Key, stored before the first request
    resident_ids: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    # The LINE user ids the first request went to (still following then); every retry sends exactly these.
    sent_to: Optional[list] = Field(default=None, sa_column=Column(JSON, nullable=True))
    state: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0  # requests made for this batch
    errors: int = 0  # of which ended in a 5xx or a timeout (a 429 is not an error: it waits)
    skipped: int = 0
    duplicate: bool = False  # LINE answered 409: it had already accepted this batch
    first_attempt_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    # The first request whose fate is unknown (timeout, 5xx): LINE keeps a retry key 24 hours, so after that
    # a retry could deliver twice and the batch is given up instead.
    uncertain_since: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    next_attempt_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    finished_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    request_id: Optional[str] = Field(default=None, max_length=64)  # LINE's x-line-(accepted-)request-id
    last_error: Optional[str] = Field(default=None, max_length=300)  # status and LINE's message, no content


class SchedulerHeartbeat(SQLModel, table=True):
    """The scheduler that holds the lock writes here every few seconds (health checks read it)."""

    __tablename__ = "scheduler_heartbeat"

    id: int = Field(default=1, primary_key=True)  # one row
    holder: str = Field(max_length=200)  # host and pid of the acting scheduler
    started_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
    beat_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)


class JobError(SQLModel, table=True):
    """A scheduled job that raised or missed its time, as the scheduler's listener saw it."""

    __tablename__ = "job_error"

    id: Optional[int] = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=100, index=True)
    at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow, index=True)
    kind: str = Field(default="error", max_length=16)  # error | missed
    error: Optional[str] = Field(default=None, sa_type=Text)  # exception type and traceback (no user data)


def last_scheduler_heartbeat(session) -> Optional[datetime]:
    """When the acting scheduler last reported alive (naive UTC), or None when none ever ran."""
    return session.execute(select(SchedulerHeartbeat.beat_at).where(SchedulerHeartbeat.id == 1)).scalar()


def scheduler_running(session, now: Optional[datetime] = None) -> bool:
    """Whether a scheduler reported alive within SCHEDULER_STALE (else nothing queued is being sent)."""
    beat = last_scheduler_heartbeat(session)
    return beat is not None and (now or utcnow()) - beat <= SCHEDULER_STALE
