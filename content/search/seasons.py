"""Dated and seasonal notes in published hours: 「7/1～8/31の間利用可」「10/16～2/末は、8時～17時」
「11月～4月まで21時まで」「12月～3月は毎週木曜日…は終日利用不可」「4月下旬～11月下旬」「2月第3日曜日」.

Hand-written like facility_hours.py (no library reads these phrases): a span of the year is two date specs,
each resolved for the year asked about, so a span may wrap the new year (11/23～2月第3日曜日).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Optional

from content.importers.freedates import WEEKDAYS

# The seasons of Japan by month: 「冬でも泳げる」 asks about Dec–Feb, 「(冬21:30)」 in hours gives Dec–Feb's closing.
SEASON_MONTHS = (("冬", (12, 1, 2)), ("夏", (6, 7, 8)), ("春", (3, 4, 5)), ("秋", (9, 10, 11)))

# 7/1, 7月1日, 2月第3日曜日, 2/末, 4月下旬, 11月 (a whole month)
DATE_SPEC = (r"(\d{1,2})\s*(?:月|/)\s*(?:第\s*(\d)\s*([月火水木金土日])曜?日?|(\d{1,2})(?!\s*[:：時])\s*日?|"
             r"(末|上旬|中旬|下旬|初旬))?")
SPAN = re.compile(r"(?:毎年)?" + DATE_SPEC + r"\s*(?:～|~|〜|-|－|から)\s*(?:翌年|翌月)?\s*" + DATE_SPEC)


@dataclass(frozen=True)
class DaySpec:
    """One end of a span: a month and a day, an nth weekday, a part of the month or the whole month."""

    month: int
    day: Optional[int] = None
    nth: Optional[tuple[int, int]] = None  # (n, weekday)
    part: Optional[str] = None  # 末 上旬 中旬 下旬 初旬

    def resolve(self, year: int, is_end: bool) -> date:
        """The date this spec names in a year (the last day of the month or part when it ends a span)."""
        last = calendar.monthrange(year, self.month)[1]
        if self.day is not None:
            return date(year, self.month, min(self.day, last))
        if self.nth is not None:
            n, weekday = self.nth
            first = date(year, self.month, 1)
            day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
            return day if day.month == self.month else date(year, self.month, last)
        if self.part in ("上旬", "初旬"):
            return date(year, self.month, 10 if is_end else 1)
        if self.part == "中旬":
            return date(year, self.month, 20 if is_end else 11)
        if self.part == "下旬":
            return date(year, self.month, last if is_end else 21)
        if self.part == "末":
            return date(year, self.month, last)
        return date(year, self.month, last if is_end else 1)


def _spec(groups: tuple) -> Optional[DaySpec]:
    """A DaySpec from the five groups of DATE_SPEC (None for an impossible month)."""
    month, n, weekday, day, part = groups
    month = int(month)
    if not 1 <= month <= 12:
        return None
    if n:
        return DaySpec(month, nth=(int(n), WEEKDAYS.index(weekday)))
    if day:
        return DaySpec(month, day=int(day)) if 1 <= int(day) <= 31 else None
    return DaySpec(month, part=part)


@dataclass(frozen=True)
class YearSpan:
    """A part of every year, from one DaySpec to another, inclusive (wrapping the new year when it must)."""

    first: DaySpec
    last: DaySpec

    def contains(self, day: date) -> bool:
        """True when the day falls in this part of its year."""
        start, end = self.first.resolve(day.year, False), self.last.resolve(day.year, True)
        if start <= end:
            return start <= day <= end
        return day >= start or day <= end

    def days(self) -> int:
        """How many days the span covers (in a common year)."""
        start, end = self.first.resolve(2001, False), self.last.resolve(2001, True)
        return (end - start).days + 1 if start <= end else (end - start).days + 366

    def label(self) -> str:
        """The span as a short text (7/1〜8/31) for tests and logs."""
        return f"{self.first.month}/{self.first.day or self.first.part or ''}〜{self.last.month}/{self.last.day or self.last.part or ''}"


def span_of(match: re.Match) -> Optional[YearSpan]:
    """The YearSpan a SPAN match names (None for an impossible date)."""
    first, last = _spec(match.groups()[:5]), _spec(match.groups()[5:])
    return YearSpan(first, last) if first is not None and last is not None else None


def find_span(text: str) -> tuple[Optional[YearSpan], str]:
    """(the first span of the year in the text, the text without it), or (None, text)."""
    match = SPAN.search(text)
    span = span_of(match) if match else None
    if span is None:
        return None, text
    return span, text[:match.start()] + " " + text[match.end():]
