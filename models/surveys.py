"""Surveys asked in the chat (and on paper), their rounds, responses and answers, the indicators they feed, and the
population table answers are weighted to.

A resident's district, age group and gender are COPIED onto each response and answer when it is made: deleting
the resident unlinks the response (resident_id → NULL) and the tallies keep the copied attributes (DESIGN: Privacy).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.db import NaiveDateTime, utcnow

QUESTION_TYPES = ("single", "multi", "scale", "yesno", "number", "text")
INDICATOR_METHODS = ("share", "mean_score", "per_capita")
INDICATOR_SOURCES = ("question", "attendance")
ANSWER_CHANNELS = ("line", "paper", "phone", "web")


class Survey(SQLModel, table=True):
    """A short questionnaire staff load from YAML or edit in the console; its questions are asked one per message."""

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=64)
    title: str = Field(max_length=200)
    # {"en": ..., "ja-easy": ...}: the title and the optional intro line in the other languages (ja is `title`).
    translations: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    intro: Optional[str] = Field(default=None, sa_type=Text)
    created_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
    updated_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)


class Question(SQLModel, table=True):
    """One question of a survey. A question that has answers is never deleted, only retired (active False)."""

    __tablename__ = "survey_question"
    __table_args__ = (UniqueConstraint("survey_id", "code"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=32)
    position: int = 0
    type: str = Field(max_length=16)
    # {"ja": ..., "en": ..., "ja-easy": ...}
    text: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    # [{"value": "a", "label": {"ja": ..., "en": ...}}] for single/multi/scale/yesno (scale: values "1".."5")
    choices: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False, default=list))
    min_value: Optional[float] = None
    max_value: Optional[float] = None
    unit: Optional[str] = Field(default=None, max_length=16)
    required: bool = True
    # {"q1": ["yes"]} or {"q3": {"min": 1}}: ask only when every named earlier answer fits (ask_if) /
    # pass over when one fits (skip_if).
    ask_if: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    skip_if: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    active: bool = True


class SurveyRound(SQLModel, table=True):
    """One time a survey is asked: numbered per survey, open from opens_at until closes_at or closed_at."""

    __tablename__ = "survey_round"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True, ondelete="CASCADE")
    number: int
    segment: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    in_chat: bool = True  # False for a paper-only round made by `import answers`
    opens_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
    closes_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    closed_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    reminder_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    reminder_queued_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    recipients: int = 0
    intro_delivery_id: Optional[int] = None
    reminder_delivery_id: Optional[int] = None
    summary: Optional[str] = Field(default=None, sa_type=Text)
    summary_published_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    results_delivery_id: Optional[int] = None
    created_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)


class Response(SQLModel, table=True):
    """One respondent's answers in a round: a resident in the chat, or a paper/phone/web respondent imported."""

    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("round_id", "resident_id"), UniqueConstraint("round_id", "respondent"))

    id: Optional[int] = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="survey_round.id", index=True, ondelete="CASCADE")
    resident_id: Optional[int] = Field(default=None, foreign_key="resident.id", index=True, ondelete="SET NULL")
    respondent: Optional[str] = Field(default=None, max_length=64)  # the CSV's respondent key (other channels)
    channel: str = Field(default="line", max_length=8)
    district: Optional[str] = Field(default=None, max_length=64)
    age_group: Optional[str] = Field(default=None, max_length=8)
    gender: Optional[str] = Field(default=None, max_length=8)
    current_question_id: Optional[int] = None  # where a chat respondent is (resume after 「あとで」)
    started_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
    answered_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)
    completed_at: Optional[datetime] = Field(default=None, sa_type=NaiveDateTime)


class Answer(SQLModel, table=True):
    """One answer to one question: at most one per response and question, so a repeated tap counts once.

    `value` holds the choice value (multi: sorted values joined by ';', scale: "1".."5", number: its canonical
    text); `number` the number; `text` a free-text answer. Round and attributes are copied from the response so
    a tally is one GROUP BY over this table's covering index."""

    __tablename__ = "survey_answer"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id"),
        Index("ix_survey_answer_tally", "question_id", "round_id", "age_group", "gender", "district", "value"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="survey_response.id", index=True, ondelete="CASCADE")
    question_id: int = Field(foreign_key="survey_question.id", ondelete="CASCADE")
    round_id: int = Field(foreign_key="survey_round.id", index=True, ondelete="CASCADE")
    value: Optional[str] = Field(default=None, max_length=400)
    number: Optional[float] = None
    text: Optional[str] = Field(default=None, sa_type=Text)
    district: Optional[str] = Field(default=None, max_length=64)
    age_group: Optional[str] = Field(default=None, max_length=8)
    gender: Optional[str] = Field(default=None, max_length=8)
    answered_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)


class Indicator(SQLModel, table=True):
    """A plan indicator (参加率, 満足度, 利用回数) with its 現状値 and 目標値, computed from a question's answers
    (source "question") or another record such as the attendance ledger (source "attendance")."""

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=64)
    survey_id: Optional[int] = Field(default=None, foreign_key="survey.id", index=True, ondelete="SET NULL")
    name: str = Field(max_length=200)
    unit: str = Field(default="", max_length=16)
    method: str = Field(max_length=16)
    source: str = Field(default="question", max_length=16)
    question_id: Optional[int] = Field(default=None, foreign_key="survey_question.id", ondelete="SET NULL")
    # method parameters: {"values": [...]} (share), {"scores": {...}} (mean_score), {"annualize": 12} (per_capita)
    params: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    baseline_value: Optional[float] = None
    baseline_year: Optional[int] = None
    target_value: Optional[float] = None
    target_year: Optional[int] = None
    position: int = 0


class PopulationCell(SQLModel, table=True):
    """One cell of the population table (district × age group × gender) that weighting rakes to; '' = not split."""

    __tablename__ = "population_cell"
    __table_args__ = (UniqueConstraint("as_of", "district", "age_group", "gender"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    district: str = Field(default="", max_length=64)
    age_group: str = Field(default="", max_length=8)
    gender: str = Field(default="", max_length=8)
    population: int
    as_of: date = Field(index=True)
    loaded_at: datetime = Field(sa_type=NaiveDateTime, default_factory=utcnow)
