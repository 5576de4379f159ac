"""The city's frequently asked questions, and the words residents asked that found nothing."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import NaiveDateTime, utcnow


class FaqEntry(SQLModel, table=True):
    """One question the city answers (ゴミの出し方, 市役所の連絡先, 各種証明書 …), imported from its FAQ CSV."""

    __tablename__ = "faq_entry"
    __table_args__ = (UniqueConstraint("source", "source_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    source: str = Field(default="console", max_length=200, index=True)
    source_key: str = Field(max_length=200)
    question: str = Field(max_length=500)
    paraphrases: Optional[str] = Field(default=None, sa_type=Text)  # other ways to ask, newline-separated
    answer: str = Field(sa_type=Text)
    url: Optional[str] = Field(default=None, max_length=1000)
    keywords: Optional[str] = Field(default=None, sa_type=Text)  # newline-separated
    category: Optional[str] = Field(default=None, max_length=100)
    department: Optional[str] = Field(default=None, max_length=200)  # 担当課
    phone: Optional[str] = Field(default=None, max_length=64)
    active: bool = Field(default=True, index=True)
    updated_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow, index=True)


class UnansweredWord(SQLModel, table=True):
    """How often, in one week, a normalised word matched nothing or a question (its words only) found no item.

    No resident id and no message text: only Sudachi-normalised words, counted by week, kept 90 days.
    """

    __tablename__ = "unanswered_word"
    __table_args__ = (UniqueConstraint("week", "kind", "words"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    week: date = Field(index=True)  # the Monday of the week (city time)
    kind: str = Field(max_length=16)  # "word": a word no row has | "question": the words of a question with no item
    words: str = Field(max_length=200)
    count: int = 0
    last_seen: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
