"""What residents asked that found nothing: normalised words counted by week, for staff to see what to add.

Only Sudachi-normalised content words are kept — never a resident id or the message text — and words with
digits (phone numbers, dates, addresses) are dropped. Rows older than KEEP_DAYS are deleted by the scheduler.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Iterable

from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from content.search.index import TOKYO
from content.search.terms import QUERY_STOPWORDS, terms_of
from models import UnansweredWord, as_naive_utc

KEEP_DAYS = 90
MAX_WORDS = 6  # a question is kept as at most this many of its words
MAX_WORD_CHARS = 20


def week_of(moment: datetime) -> date:
    """The Monday (city time) of the week a moment falls in."""
    local = moment.astimezone(TOKYO) if moment.tzinfo else moment
    day = local.date()
    return day - timedelta(days=day.weekday())


def clean_words(words: Iterable[str]) -> list[str]:
    """Words fit to keep: no digits, not too long, not a word that only says "search", each once."""
    out = []
    for word in words:
        word = (word or "").strip().lower()
        if (not word or any(c.isdigit() for c in word) or len(word) > MAX_WORD_CHARS or word in QUERY_STOPWORDS
                or word in out):
            continue
        out.append(word)
    return out


def question_words(text: str) -> list[str]:
    """The normalised content words of a question, as kept (the text itself is not)."""
    return clean_words(terms_of(text))[:MAX_WORDS]


def record_unanswered(session, *, question: str, unmatched: Iterable[str], now: datetime) -> None:
    """Count a question that got no item (its words only) and each word that matched nothing, this week."""
    week = week_of(now)
    words = question_words(question)
    if words:
        _count(session, week, "question", " ".join(words), now)
    for word in clean_words(unmatched)[:3]:
        _count(session, week, "word", word, now)


def _count(session, week: date, kind: str, words: str, now: datetime) -> None:
    """Add one to (week, kind, words), creating the row; a race with another worker just retries the update."""
    for _attempt in range(2):
        row = session.exec(select(UnansweredWord).where(UnansweredWord.week == week, UnansweredWord.kind == kind,
                                                        UnansweredWord.words == words)).first()
        if row is not None:
            row.count += 1
            row.last_seen = as_naive_utc(now)
            session.add(row)
            return
        try:
            with session.begin_nested():
                session.add(UnansweredWord(week=week, kind=kind, words=words, count=1, last_seen=as_naive_utc(now)))
            return
        except IntegrityError:
            continue  # another worker inserted it first: count on that row


def weekly_counts(session, *, weeks: int = 13, now: datetime | None = None) -> list[dict]:
    """The last weeks' rows for the staff page: newest week first, then most asked."""
    since = week_of(now or datetime.now(TOKYO)) - timedelta(weeks=weeks - 1)
    rows = session.exec(select(UnansweredWord).where(UnansweredWord.week >= since)
                        .order_by(UnansweredWord.week.desc(), UnansweredWord.count.desc(), UnansweredWord.words))
    return [{"week": r.week, "kind": r.kind, "words": r.words, "count": r.count} for r in rows]


def totals(session, *, weeks: int = 13, now: datetime | None = None) -> list[dict]:
    """Each word over the last weeks, most asked first (what to add content for)."""
    since = week_of(now or datetime.now(TOKYO)) - timedelta(weeks=weeks - 1)
    rows = session.exec(select(UnansweredWord.kind, UnansweredWord.words, func.sum(UnansweredWord.count))
                        .where(UnansweredWord.week >= since)
                        .group_by(UnansweredWord.kind, UnansweredWord.words)
                        .order_by(func.sum(UnansweredWord.count).desc(), UnansweredWord.words).limit(100))
    return [{"kind": kind, "words": words, "count": int(count)} for kind, words, count in rows]


def purge_unanswered(session, *, keep_days: int = KEEP_DAYS, now: datetime | None = None) -> int:
    """Delete the weeks older than keep_days; returns how many rows went."""
    cutoff = week_of(now or datetime.now(TOKYO)) - timedelta(days=keep_days)
    result = session.exec(delete(UnansweredWord).where(UnansweredWord.week < cutoff))
    return result.rowcount or 0
