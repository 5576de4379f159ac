"""Clock times written the Japanese way in free text: 「午後2時05分 から 午後3時45分」, 「13時30分～」, 「10:00-12:00」."""
from __future__ import annotations

import re
import unicodedata
from datetime import time

_KANJI_DIGITS = str.maketrans("〇一二三四五六七八九", "0123456789")

# One clock: optional 午前/午後 (or AM/PM after), hour, then ":MM" or "時[MM分|半]".
CLOCK = re.compile(
    r"(?P<half>午前|午後|正午)?\s*(?:は\s*)?"
    r"(?:(?P<h1>\d{1,2})\s*:\s*(?P<m1>\d{2})(?::\d{2})?|(?P<h2>\d{1,2})\s*時(?!間)\s*(?:(?P<m2>\d{1,2})\s*分(?!間)|(?P<han>半))?)"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?"
)
_NOON = re.compile(r"正午")
_RANGE_GAP = re.compile(r"^\s*(?:[~〜～\-－ー―‐]|から|より|まで)\s*(?:[~〜～\-－ー―‐])?\s*$")


def normalize(text: str | None) -> str:
    """NFKC with kanji digits as numbers, so ９：００ and 十時 read alike (only for time/date parsing)."""
    return unicodedata.normalize("NFKC", text or "").translate(_KANJI_DIGITS)


def clock_time(hour: int, minute: int, *, pm: bool = False, am: bool = False) -> time | None:
    """hour:minute as a time: pm adds 12 to 1–11, am makes 12 midnight, 24:00 is the end of the day; None when out
    of range."""
    if pm and hour < 12:
        hour += 12
    if am and hour == 12:
        hour = 0
    if hour == 24 and minute == 0:
        return time(23, 59)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def clock_value(match: re.Match) -> time | None:
    """The time one CLOCK match stands for, or None when it is out of range."""
    hour = int(match["h1"] or match["h2"])
    minute = int(match["m1"] or match["m2"] or 0) + (30 if match["han"] else 0)
    half = match["half"] or ""
    ampm = (match["ampm"] or "").lower().replace(".", "")
    return clock_time(hour, minute, pm=half == "午後" or ampm == "pm", am=half == "午前" or ampm == "am")


def find_clocks(text: str | None) -> list[tuple[time, int, int]]:
    """Every clock time in the text with where it starts and ends; 正午 counts as 12:00."""
    text = normalize(text)
    found = []
    for match in CLOCK.finditer(text):
        value = clock_value(match)
        if value is not None:
            found.append((value, match.start(), match.end()))
    for match in _NOON.finditer(text):
        if not any(start <= match.start() < end for _, start, end in found):
            found.append((time(12, 0), match.start(), match.end()))
    return sorted(found, key=lambda item: item[1])


def parse_clock_span(text: str | None) -> tuple[time | None, time | None]:
    """The first clock in the text and, when a range mark (～, -, から) follows it, the clock it runs to.

    「午後2時05分 から 午後3時45分」 → (14:05, 15:45); 「13時30分～」 → (13:30, None); 「10:00-12:00」 → (10:00, 12:00).
    A later clock that is earlier than the start (「午後1時～4時」) is read as afternoon too."""
    clocks = find_clocks(text)
    if not clocks:
        return None, None
    start, _, start_end = clocks[0]
    if len(clocks) < 2:
        return start, None
    end, end_begin, _ = clocks[1]
    gap = normalize(text)[start_end:end_begin]
    if not _RANGE_GAP.match(gap):
        return start, None
    end = afternoon_end(start, end)
    return start, end if end > start else None


def parse_clock_bounds(text: str | None) -> tuple[time | None, time | None]:
    """From a note that may give several sessions, the start of the first and the end of the last:
    「午前は9時から11時、午後は1時30分から3時30分まで」 → (9:00, 15:30); one session reads as parse_clock_span."""
    clocks = find_clocks(text)
    if len(clocks) <= 2:
        return parse_clock_span(text)
    text = normalize(text)
    ranges = []
    for (start, _, start_end), (end, end_begin, _) in zip(clocks, clocks[1:]):
        if _RANGE_GAP.match(text[start_end:end_begin]):
            ranges.append((start, afternoon_end(start, end)))
    if not ranges:
        return clocks[0][0], None
    first, last = ranges[0][0], ranges[-1][1]
    return first, last if last > first else None


def session_starts(text: str | None) -> list[time]:
    """The start of every session a note gives as a range: 「10時30分~11時30分・19時~20時」 → [10:30, 19:00]."""
    clocks = find_clocks(text)
    text = normalize(text)
    return [start for (start, _, start_end), (_end, end_begin, _) in zip(clocks, clocks[1:])
            if _RANGE_GAP.match(text[start_end:end_begin])]


def afternoon_end(start: time, end: time) -> time:
    """An end written without 午後 after an afternoon start (「午後1時～4時」) is in the afternoon too."""
    if end < start and end.hour < 12 and start.hour >= 12:
        return time(end.hour + 12, end.minute)
    return end


def leading_clock(text: str | None) -> time | None:
    """The clock a time cell starts with, ignoring notes after it: 「17:00（最終入館16:30まで）」 → 17:00."""
    clocks = find_clocks(text)
    if not clocks:
        return None
    value, start, _ = clocks[0]
    before = normalize(text)[:start].strip()
    return value if len(before) <= 4 and not re.search(r"\d", before) else None  # 「開演 18:30」 yes, 「14日 13:00」 no
