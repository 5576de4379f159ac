"""What organizations and open data publish: events, volunteer openings, notices."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import NaiveDateTime, utcnow

# Lifecycle of anything posted through the console; imported rows are born "published".
POST_STATUSES = ("draft", "pending", "approved", "rejected", "withdrawn", "published")
VISIBLE_STATUSES = ("approved", "published")


class Organization(SQLModel, table=True):
    """A 自治会, 地区交流センター運営協議会, NPO or the city itself."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    kind: Optional[str] = Field(default=None, max_length=64)
    district: Optional[str] = Field(default=None, max_length=64)
    contact: Optional[str] = Field(default=None, max_length=300)
    created_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)


class Event(SQLModel, table=True):
    """One occurrence of an event; a repeating event is one row per occurrence sharing series_key."""

    __table_args__ = (UniqueConstraint("source", "source_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    source: str = Field(default="console", max_length=200, index=True)
    source_key: str = Field(max_length=300)
    series_key: Optional[str] = Field(default=None, max_length=300, index=True)
    title: str = Field(max_length=300)
    kana: Optional[str] = Field(default=None, max_length=300)
    description: Optional[str] = Field(default=None, sa_type=Text)
    title_en: Optional[str] = Field(default=None, max_length=300)  # イベント名_英語 / 名称(英字), when published
    description_en: Optional[str] = Field(default=None, sa_type=Text)  # 説明_英語, when published
    category: Optional[str] = Field(default=None, max_length=200)
    starts_at: Optional[datetime] = Field(sa_type=NaiveDateTime, default=None, index=True)  # naive UTC
    ends_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    all_day: bool = False  # True when the source gave a date but no time
    time_note: Optional[str] = Field(default=None, sa_type=Text)  # 開始日時特記事項 etc.
    place_name: Optional[str] = Field(default=None, max_length=300)
    facility_id: Optional[int] = Field(default=None, foreign_key="facility.id", index=True)
    district: Optional[str] = Field(default=None, max_length=64)
    address: Optional[str] = Field(default=None, max_length=300)
    latitude: Optional[float] = None
    longitude: Optional[float] = None
    audience: Optional[str] = Field(default=None, sa_type=Text)  # 対象者 as published
    audience_tags: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    fee: Optional[str] = Field(default=None, max_length=300)
    is_free: Optional[bool] = None
    capacity: Optional[int] = None
    organizer: Optional[str] = Field(default=None, max_length=300)
    contact: Optional[str] = Field(default=None, max_length=300)
    url: Optional[str] = Field(default=None, max_length=1000)
    image_url: Optional[str] = Field(default=None, max_length=1000)
    # Sign-ups (issue 9): residents sign up in the chat only when chat_signup; else apply_method is shown as published.
    chat_signup: bool = Field(default=False)
    signup_deadline: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    apply_method: Optional[str] = Field(default=None, sa_type=Text)
    organization_id: Optional[int] = Field(default=None, foreign_key="organization.id", index=True)
    status: str = Field(default="published", max_length=16, index=True)
    reject_reason: Optional[str] = Field(default=None, sa_type=Text)
    active: bool = Field(default=True, index=True)  # False once retired from its source
    created_by: Optional[int] = Field(default=None, foreign_key="console_user.id")
    created_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
    updated_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow, index=True)  # search index version check


class Opportunity(SQLModel, table=True):
    """A way to take part: volunteer opening, 自治会 work day, public comment, staff-bank registration."""

    __table_args__ = (UniqueConstraint("source", "source_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    source: str = Field(default="console", max_length=200, index=True)
    source_key: str = Field(max_length=300)
    kind: str = Field(default="volunteer", max_length=32)  # volunteer|workday|public_comment|staff_bank
    title: str = Field(max_length=300)
    description: Optional[str] = Field(default=None, sa_type=Text)
    organizer: Optional[str] = Field(default=None, max_length=300)
    place_name: Optional[str] = Field(default=None, max_length=300)
    facility_id: Optional[int] = Field(default=None, foreign_key="facility.id")
    district: Optional[str] = Field(default=None, max_length=64)
    starts_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    ends_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    deadline: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    capacity: Optional[int] = None
    audience: Optional[str] = Field(default=None, sa_type=Text)
    audience_tags: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    contact: Optional[str] = Field(default=None, max_length=300)
    url: Optional[str] = Field(default=None, max_length=1000)
    # Sign-ups (issue 9): in the chat when chat_signup (closing at `deadline`); else apply_method as published.
    chat_signup: bool = Field(default=False)
    apply_method: Optional[str] = Field(default=None, sa_type=Text)
    organization_id: Optional[int] = Field(default=None, foreign_key="organization.id", index=True)
    status: str = Field(default="published", max_length=16, index=True)
    reject_reason: Optional[str] = Field(default=None, sa_type=Text)
    active: bool = Field(default=True, index=True)
    created_by: Optional[int] = Field(default=None, foreign_key="console_user.id")
    created_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
    updated_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow, index=True)  # search index version check


class Notice(SQLModel, table=True):
    """A notice an organization posts; pushed to the residents whose districts/topics match once approved."""

    id: Optional[int] = Field(default=None, primary_key=True)
    organization_id: Optional[int] = Field(default=None, foreign_key="organization.id", index=True)
    title: str = Field(max_length=200)
    body: str = Field(sa_type=Text)
    topics: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    districts: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    image_url: Optional[str] = Field(default=None, max_length=1000)
    url: Optional[str] = Field(default=None, max_length=1000)  # 詳しくはこちら
    # Optional translations; a resident whose language has none gets the Japanese card.
    title_en: Optional[str] = Field(default=None, max_length=200)
    body_en: Optional[str] = Field(default=None, sa_type=Text)
    title_easy: Optional[str] = Field(default=None, max_length=200)  # やさしい日本語
    body_easy: Optional[str] = Field(default=None, sa_type=Text)
    category: str = Field(default="general", max_length=16)  # general | disaster (防災) | closure (臨時休館)
    urgent: bool = False  # pushed even in quiet hours
    # Who it goes to, as content.segments stores it ({"district": [...], "interest": [...], "lang": ...});
    # districts and topics above mirror its two most used keys for lists and exports.
    segment: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    # Repeating sends: {"freq": "weekly"|"monthly_days"|"monthly_nth", "weekdays", "days", "nths", "until",
    # "except"} in city dates, at send_at's time of day (content.notices reads it with dateutil's rrule).
    recurrence: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    facility_id: Optional[int] = Field(default=None, foreign_key="facility.id", index=True)  # 臨時休館: which
    closed_from: Optional[date] = None  # 臨時休館: first and last closed day (city dates)
    closed_until: Optional[date] = None
    status: str = Field(default="draft", max_length=16, index=True)
    reject_reason: Optional[str] = Field(default=None, sa_type=Text)
    send_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    sent_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    created_by: Optional[int] = Field(default=None, foreign_key="console_user.id")
    approved_by: Optional[int] = Field(default=None, foreign_key="console_user.id")
    created_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
    updated_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
