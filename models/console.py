"""Console accounts and the append-only audit log."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from models.db import NaiveDateTime, utcnow

CONSOLE_ROLES = ("admin", "staff", "org")


class ConsoleUser(SQLModel, table=True):
    """A person who logs in to /admin: city staff or an organization's volunteer."""

    __tablename__ = "console_user"

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(unique=True, max_length=254)
    password_hash: str = Field(max_length=300)
    role: str = Field(max_length=8)
    organization_id: Optional[int] = Field(default=None, foreign_key="organization.id")
    active: bool = True
    must_change_password: bool = False
    created_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
    last_login_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)


class LoginAttempt(SQLModel, table=True):
    """One failed login, counted per account and per address for rate limiting."""

    __tablename__ = "login_attempt"

    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64, index=True)
    at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow, index=True)


class AuditLog(SQLModel, table=True):
    """Who did what to which record and when; the application only ever inserts."""

    __tablename__ = "audit_log"

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow, index=True)
    actor_id: Optional[int] = Field(default=None, index=True)
    actor_email: Optional[str] = Field(default=None, max_length=254)
    action: str = Field(max_length=32, index=True)  # login, post, edit, approve, reject, delete, export, ...
    record_type: Optional[str] = Field(default=None, max_length=32, index=True)
    record_id: Optional[int] = None
    detail: Optional[str] = Field(default=None, sa_type=Text)
    address: Optional[str] = Field(default=None, max_length=64)
