"""Long-running event rows: a weekly class published as one row from 4/15 to 3/31.

Such a row is "on" only the days its 日時備考 names (毎週木曜日, 毎月第2・第4水曜); search matches a date window
when the window holds one of those days, and cards show the period, not the long-past first date.
Hand-written: the notes are short and formulaic; no library reads 「【木曜日】」 or 「第2、第4水曜」.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Optional

from content.importers.freedates import WEEKDAYS

LONG_DAYS = 7  # a row whose first and last days are further apart than this runs over a period
GUESS_DAYS = 28  # a weekly class is only guessed from a span of four weeks or more
# 「1月14日(金曜)から」: a weekday that only annotates a date says nothing about the repeat
_DATE_WEEKDAY = re.compile(r"日\s*[(（]\s*[月火水木金土日](?:曜日?)?\s*[)）]")
_DAY_OF_MONTH = re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})日")  # 14日金曜: the 日 of a date is no Sunday
_WEEKDAY_RUN = re.compile(r"((?:[月火水木金土日][・、，,とや及]?)+)曜")
_NTH = re.compile(r"第\s*([1-5１-５])")
_WEEKDAYS_WORD = re.compile(r"平日")
_CLAUSE = re.compile(r"[。\n※*＊]")
_EXCEPT_WORDS = re.compile(r"除く|除き|除いて|休み|休講|中止|ありません")
_MONTH_DAY = re.compile(r"(\d{1,2})[月/](\d{1,2})日?")
_WEEKEND_WORD = re.compile(r"土日|週末")


@dataclass(frozen=True)
class Repeat:
    """The days a long row is on: weekdays (0 = Monday; empty = any day) and nth weeks of the month (empty = every)."""

    weekdays: frozenset = frozenset()
    nths: frozenset = frozenset()
    stated: bool = False  # False when guessed from the first and last days (never shown as fact)
    skipped: frozenset = frozenset()  # (month, day) the note leaves out: ※2月11日を除く

    def on(self, day: date) -> bool:
        """True when the row runs on this day (as far as its notes say)."""
        if (day.month, day.day) in self.skipped:
            return False
        if self.weekdays and day.weekday() not in self.weekdays:
            return False
        return not self.nths or (day.day - 1) // 7 + 1 in self.nths


def is_long_running(starts: Optional[datetime], ends: Optional[datetime]) -> bool:
    """True when a row's first and last days are more than LONG_DAYS apart."""
    if starts is None or ends is None:
        return False
    return (last_day(starts, ends) - starts.date()).days > LONG_DAYS


def stated_repeat(*texts: Optional[str]) -> Repeat:
    """The weekdays (and nth weeks) a note or title names: 毎週木曜日, 【木曜日】, 毎月第2、第4水曜, 平日."""
    weekdays: set[int] = set()
    nths: set[int] = set()
    for text in texts:
        if not text:
            continue
        text = _DAY_OF_MONTH.sub("#", _DATE_WEEKDAY.sub("日", text))
        for run in _WEEKDAY_RUN.findall(text):
            weekdays.update(WEEKDAYS.index(c) for c in run if c in WEEKDAYS)
        if _WEEKDAYS_WORD.search(text):
            weekdays.update(range(5))
        if _WEEKEND_WORD.search(text) and not weekdays:
            weekdays.update((5, 6))
        if weekdays:
            nths.update(int(n.translate(str.maketrans("１２３４５", "12345"))) for n in _NTH.findall(text))
        if weekdays:
            break  # the first text that names days decides (the note before the title)
    return Repeat(frozenset(weekdays), frozenset(nths), stated=bool(weekdays), skipped=_skipped_days(texts[0]))


def _skipped_days(note: Optional[str]) -> frozenset:
    """(month, day) pairs a note's 除く / 休み clauses name: 「※2月11日を除く」, 「1/1は休み」."""
    out = set()
    for clause in _CLAUSE.split(note or ""):
        if _EXCEPT_WORDS.search(clause):
            out.update((int(m), int(d)) for m, d in _MONTH_DAY.findall(clause)
                       if 1 <= int(m) <= 12 and 1 <= int(d) <= 31)
    return frozenset(out)


def repeat_of(starts: Optional[datetime], ends: Optional[datetime], all_day: bool, *texts: Optional[str]) -> Repeat:
    """The stated repeat of a long row, else a weekly guess when a timed row starts and ends on the same weekday."""
    rule = stated_repeat(*texts)
    if rule.stated or starts is None or ends is None or all_day or not is_long_running(starts, ends):
        return rule
    daily = (ends.hour * 60 + ends.minute) - (starts.hour * 60 + starts.minute)
    if starts.weekday() == ends.weekday() and (ends.date() - starts.date()).days >= GUESS_DAYS and 0 < daily <= 240:
        # 4/15(木)〜3/17(木) 13:30〜14:30 is a class on Thursdays; a 9:00〜17:00 exhibition is open every day
        return Repeat(frozenset({starts.weekday()}), skipped=rule.skipped)
    return rule


def runs_within(rule: Repeat, first: date, last: date, start: date, end: date) -> bool:
    """True when the row (first..last days) runs on some day of the window [start, end)."""
    return first_run_day(rule, first, last, start, end) is not None


def first_run_day(rule: Repeat, first: date, last: date, start: date, end: date) -> Optional[date]:
    """The first day of the window [start, end) the row (first..last days) runs on; None when it runs on none."""
    day = max(first, start)
    stop = min(last, end - timedelta(days=1))
    if day > stop:
        return None
    if not rule.weekdays and not rule.nths and not rule.skipped:
        return day
    for _ in range(62):  # two months cover every weekday and every nth week
        if day > stop:
            return None
        if rule.on(day):
            return day
        day += timedelta(days=1)
    return day  # a rule no day of two months meets says too little to rule the row out


def next_run_days(rule: Repeat, first: date, last: date, start: date, count: int) -> tuple[date, ...]:
    """The first `count` days from `start` on which a long row (first..last days) is held; () when its notes name
    no days (an exhibition open every day has no dates worth listing)."""
    if not rule.weekdays:
        return ()
    days: list[date] = []
    day = max(first, start)
    while day <= last and len(days) < count:
        if rule.on(day):
            days.append(day)
        day += timedelta(days=1)
    return tuple(days)


def last_day(starts: datetime, ends: datetime) -> date:
    """A row's last day (an end at 0:00 belongs to the day before)."""
    return (ends - timedelta(minutes=1) if (ends.hour, ends.minute) == (0, 0) and ends > starts else ends).date()
