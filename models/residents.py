"""Residents who follow the account, and the conversation each is in."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models.db import NaiveDateTime, utcnow

RESIDENT_LANGUAGES = ("ja", "en", "ja-easy")
AGE_GROUPS = ("-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80-")
GENDERS = ("female", "male", "other")


class Resident(SQLModel, table=True):
    """A LINE user who follows (or followed) the city's account."""

    id: Optional[int] = Field(default=None, primary_key=True)
    line_user_id: str = Field(index=True, unique=True, max_length=64)
    language: str = Field(default="ja", max_length=8)
    district: Optional[str] = Field(default=None, max_length=64)
    interests: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    # Age group and gender are kept only after consent_at is set (DESIGN: Privacy).
    age_group: Optional[str] = Field(default=None, max_length=8)
    gender: Optional[str] = Field(default=None, max_length=8)
    consent_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    following: bool = Field(default=True)
    # The resident's own switch for notices (pushes); replies to what they ask are unaffected.
    # Push jobs send only to residents with following AND notifications.
    notifications: bool = Field(default=True)
    followed_at: Optional[datetime] = Field(sa_type=NaiveDateTime, default_factory=utcnow)
    unfollowed_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    onboarded_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    last_location_lat: Optional[float] = None
    last_location_lon: Optional[float] = None
    created_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
    updated_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)


class ConversationState(SQLModel, table=True):
    """Where a resident is in a multi-step conversation (onboarding, settings, a survey)."""

    __tablename__ = "conversation_state"

    id: Optional[int] = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", index=True, unique=True, ondelete="CASCADE")
    flow: str = Field(max_length=32)
    step: str = Field(max_length=32)
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    updated_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)


class NoticeOptOut(SQLModel, table=True):
    """A resident who deleted their data with notices switched off: only a hash of the LINE user id is kept (as
    e-mail systems keep an unsubscribe list), so coming back does not switch notices on again."""

    __tablename__ = "notice_opt_out"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
