"""The city's districts and its public facilities."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import NaiveDateTime, utcnow


class District(SQLModel, table=True):
    """One of the city's 地区, in the order the city lists them."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=64)
    kana: Optional[str] = Field(default=None, max_length=128)
    position: int = 0
    # Renaming a district changes neither the count nor the max id: the search index checks this too.
    updated_at: Optional[datetime] = Field(sa_type=NaiveDateTime, default_factory=utcnow)


class Facility(SQLModel, table=True):
    """A public facility (公共施設一覧 row, or entered in the console)."""

    __table_args__ = (UniqueConstraint("source", "source_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    source: str = Field(default="console", max_length=200, index=True)
    source_key: str = Field(max_length=200)
    name: str = Field(max_length=200, index=True)
    kana: Optional[str] = Field(default=None, max_length=200)
    aliases: Optional[str] = Field(default=None, sa_type=Text)  # 通称 etc., newline-separated
    category: Optional[str] = Field(default=None, max_length=100)
    district: Optional[str] = Field(default=None, max_length=64)
    address: Optional[str] = Field(default=None, max_length=300)
    latitude: Optional[float] = None
    longitude: Optional[float] = None
    phone: Optional[str] = Field(default=None, max_length=64)
    hours_text: Optional[str] = Field(default=None, sa_type=Text)  # as published (free text)
    closed_text: Optional[str] = Field(default=None, sa_type=Text)
    url: Optional[str] = Field(default=None, max_length=1000)
    description: Optional[str] = Field(default=None, sa_type=Text)
    fee: Optional[str] = Field(default=None, sa_type=Text)  # 料金(基本)/(詳細), 入館料 as published ('無料', '200円（…）')
    active: bool = Field(default=True, index=True)
    updated_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow, index=True)  # search index version check
