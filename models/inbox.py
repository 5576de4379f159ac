"""The durable webhook inbox: every event is stored before LINE gets its 200.

Rows are grouped in lanes (one per resident): a lane runs one event at a time, oldest first, so a resident's
events keep their order while different residents' events run in parallel on any number of workers.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Column, Index, String, Text, text
from sqlmodel import Field, SQLModel

from models.db import NaiveDateTime, utcnow

# pending: stored, handler not run · processing: claimed, handler running · replying: the handler's state change is
# committed, its reply (kept in `outbox`) not yet sent · done / failed: finished · rejected: malformed, never run.
INBOX_STATES = ("pending", "processing", "replying", "done", "failed", "rejected")
UNFINISHED_STATES = ("pending", "processing", "replying")
LANE_STATES = ("idle", "ready", "busy")
MAX_EVENT_ID_LENGTH = 255

_UNFINISHED_SQL = text("state IN ('pending', 'processing', 'replying')")
_ACTIVE_LANE_SQL = text("state <> 'idle'")


class InboxEvent(SQLModel, table=True):
    """One webhook event, unique on LINE's webhookEventId so a redelivery is stored once."""

    __tablename__ = "inbox_event"
    __table_args__ = (
        # The head of a lane (its oldest unfinished event) in one index probe, whatever the backlog.
        Index("ix_inbox_event_lane_unfinished", "lane", "id",
              postgresql_where=_UNFINISHED_SQL, sqlite_where=_UNFINISHED_SQL),
        # Backlog size and oldest waiting event for /healthz and /metrics without reading finished rows.
        Index("ix_inbox_event_backlog", "id", postgresql_where=_UNFINISHED_SQL, sqlite_where=_UNFINISHED_SQL),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    # Whole, as LINE sent it (ULIDs are 26 characters); longer ids are keyed by their hash (bot/inbox.event_id_of).
    webhook_event_id: str = Field(unique=True, max_length=MAX_EVENT_ID_LENGTH)
    event_type: str = Field(max_length=32)
    # A keyed hash of the LINE user id: keeps one resident's events in order without storing the id in clear.
    user_hash: Optional[str] = Field(default=None, max_length=64, index=True)
    # The lane this event waits in: the user hash, or a lane of its own for events without a resident.
    lane: str = Field(sa_column=Column(String(72), nullable=False))
    payload: str = Field(sa_type=Text)  # the event's JSON exactly as LINE sent it; dropped once finished
    outbox: Optional[str] = Field(default=None, sa_type=Text)  # the reply to send (JSON) while `replying`
    state: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0  # claims so far; also the claim's token (a worker that lost its claim cannot finish)
    next_attempt_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
    last_error: Optional[str] = Field(default=None, sa_type=Text)  # exception type and traceback, no user data
    redeliveries: int = 0
    event_time: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)  # LINE's timestamp: when the resident acted
    received_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
    processed_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)


class InboxLane(SQLModel, table=True):
    """A resident's queue head: idle (nothing waiting), ready (its oldest event may run at due_at) or busy
    (a worker holds it until due_at; the worker's heartbeat keeps pushing due_at ahead, so a dead worker's
    lane becomes claimable again within seconds)."""

    __tablename__ = "inbox_lane"
    __table_args__ = (
        # Claiming is "the active lane due first": one short index range, however many events wait.
        Index("ix_inbox_lane_due", "due_at", postgresql_where=_ACTIVE_LANE_SQL, sqlite_where=_ACTIVE_LANE_SQL),
    )

    key: str = Field(sa_column=Column(String(72), primary_key=True))
    state: str = Field(default="idle", max_length=8)
    due_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    waiting: int = 0  # unfinished events in the lane: releasing a lane reads it to choose ready or idle
    head_id: Optional[int] = None  # the inbox row a busy lane's worker is running
    worker: Optional[str] = Field(default=None, max_length=96)  # who holds a busy lane (host:pid:nonce)


class InboxWorker(SQLModel, table=True):
    """A running worker process (or the web process's worker threads), with its last heartbeat."""

    __tablename__ = "inbox_worker"

    name: str = Field(sa_column=Column(String(96), primary_key=True))
    host: str = Field(max_length=255)
    pid: int
    threads: int
    started_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
    heartbeat_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
