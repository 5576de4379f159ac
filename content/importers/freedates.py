"""Event dates written as free text: 「9月7日(土)～11月4日(月・祝)」, 「10月4日、11日、18日 いずれも（金）」, 「①10月27日(日) ②11月6日(水)」.

A date without a year takes it from context, in this order (the first that exists):
1. the year the operator gave (`tsunagari import events PATH --year 2024`);
2. the row's 年度 column, then a year in the file name (「…-2024.csv」, 「令和6年度…」), then the year most often
   written in the file's cells (「2024年」, 「令和6年度」);
3. else the year that puts the date nearest to the import date (of the three years before it, its own and the next,
   the nearest one whose weekday fits the weekday written beside the date, when one is written).
A 年度 (fiscal year) puts January–March in the following calendar year. When the cell gives a weekday (「(土)」) and the
context year does not fit it, the year before or after that does fit is taken. Later dates in one cell never go back in
time: 「12月12日、1月9日」 runs into the next year.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Callable

from content.importers.clocktext import normalize, parse_clock_span

WEEKDAYS = "月火水木金土日"
_ERA_START = {"令和": 2019, "平成": 1989, "昭和": 1926, "R": 2019, "H": 1989}
_CIRCLED = re.compile(r"[\u2460-\u2473\u2776-\u277f\u3251-\u325f]")  # ①..⑳ would become digits under NFKC
_DATE = re.compile(
    r"(?:(?P<era>令和|平成|昭和)\s*(?P<ey>\d{1,2}|元)\s*年\s*|(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"|(?<![\d/])(?P<ys>\d{4})[/.\-](?P<ms>\d{1,2})[/.\-](?P<ds>\d{1,2})(?![\d/:])"
    r"|(?<![\d/:.])(?P<mm>\d{1,2})/(?P<dd>\d{1,2})(?![\d/:])"
    r"|(?<![\d/:.])(?P<do>\d{1,2})\s*日(?!間)"
)
_WEEKDAY_AFTER = re.compile(r"\s*(?:\(\s*([月火水木金土日])[^()]{0,8}\)|([月火水木金土日])曜)")
_SHARED_WEEKDAY = re.compile(r"(?:いずれも|全て|すべて|各)\s*\(?\s*([月火水木金土日])")
_EVERY_WEEK = re.compile(r"毎週\s*([月火水木金土日](?:\s*[・、,及びと]\s*[月火水木金土日])*)\s*曜?")
_NTH_WEEKDAY = re.compile(r"第\s*([1-5](?:\s*(?:[・、,と]|及び)\s*第?\s*[1-5])*)\s*([月火水木金土日])曜")
_MONTHLY_DAY = re.compile(r"毎月\s*((?:\d{1,2}\s*日?\s*(?:[・、,と]|及び)\s*)*\d{1,2})\s*日(?!間)")
# a rule in a sentence that says the event is held by it (「毎月1日と15日に朝市を定期開催」), not one about closing or
# prices (「毎週月曜日休館」, 「第3日曜日は入館無料」)
_HELD = re.compile(r"開催|行い|行って|行う|行います|実施|定期|開き|開いて|開講|開館しています")
_NOT_HELD = re.compile(r"^\s*[はがも、,]?\s*.{0,4}?(?:休|除|閉|以外|無料|割引|半額)")
RECURRING_DAYS = 180  # a rule with no period (「毎月第2土曜日」) gives its days over this many days from the import date
_RANGE_GAP = re.compile(r"^[\s　]*(?:[~〜\-ー―‐─]|から)[\s　]*$")
_YEAR_MENTION = re.compile(r"(?P<era>令和|平成)\s*(?P<ey>\d{1,2}|元)\s*年(?P<fy1>度)?|(?<!\d)(?P<y>20\d{2})\s*年(?P<fy2>度)?")
_FILE_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
_MONTH_ONLY = re.compile(r"(?<!\d)(\d{1,2})\s*月(?!\s*\d)")


@dataclass(frozen=True)
class YearHint:
    """Where a yearless date takes its year from: a context year (calendar or 年度), else nearness to today."""

    today: date
    year: int | None = None
    fiscal: bool = False


@dataclass
class Schedule:
    """The days a free-text date cell names: each span is one occurrence (first day, last day).

    `clocks` holds, per span, the clock written right after its date (「14日（土）午後1時、15日（日）午後2時」), or
    (None, None); it is empty when the cell gives no date its own clock."""

    spans: list[tuple[date, date]]
    warnings: list[str] = field(default_factory=list)
    clocks: list[tuple[time | None, time | None]] = field(default_factory=list)


@dataclass
class _Token:
    """One date mention in the text, before its year is known."""

    year: int | None
    month: int | None
    day: int
    weekday: int | None
    start: int
    end: int


def clean_text(text: str | None) -> str:
    """The text normalised for date reading, numbered-item marks (①②) removed."""
    return normalize(_CIRCLED.sub(" ", text or ""))


def era_year(era: str, value: str) -> int:
    """The Gregorian year of 令和6 / 平成元 (元 is the first year)."""
    return _ERA_START[era] + (1 if value == "元" else int(value)) - 1


def find_tokens(text: str) -> list[_Token]:
    """Every date mention (with year, month, day or day only) and the weekday written right after it."""
    tokens = []
    for match in _DATE.finditer(text):
        if match["era"]:
            year = era_year(match["era"], match["ey"])
        else:
            year = int(match["y"] or match["ys"] or 0) or None
        month = match["m"] or match["ms"] or match["mm"]
        day = match["d"] or match["ds"] or match["dd"] or match["do"]
        weekday = None
        end = match.end()
        if (after := _WEEKDAY_AFTER.match(text, end)) is not None:
            weekday = WEEKDAYS.index(after[1] or after[2])
            end = after.end()
        tokens.append(_Token(year, int(month) if month else None, int(day), weekday, match.start(), end))
    return tokens


def first_year(month: int, day: int, weekday: int | None, hint: YearHint) -> tuple[int, str | None]:
    """The year of the cell's first yearless date (see the module rule), with a warning when no year fits its weekday."""
    if hint.year is not None:
        base = hint.year + (1 if hint.fiscal and month < 4 else 0)
        candidates = [base, base + 1, base - 1]
    else:
        # a weekday can point further back: an autumn list imported the next spring, or a file left a year or two
        years = range(hint.today.year - 3, hint.today.year + 2)
        candidates = sorted((y for y in years if valid(y, month, day)),
                            key=lambda y: abs((date(y, month, day) - hint.today).days))
    candidates = [y for y in candidates if valid(y, month, day)] or [hint.year or hint.today.year]
    if weekday is None:
        return candidates[0], None
    for year in candidates:
        if date(year, month, day).weekday() == weekday:
            return year, None
    return candidates[0], f"{month}月{day}日の曜日（{WEEKDAYS[weekday]}）がどの年にも合いません"


def valid(year: int, month: int, day: int) -> bool:
    """True when the day exists in that month of that year."""
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def resolve_dates(tokens: list[_Token], shared_weekday: int | None, hint: YearHint,
                  month_given: int | None = None) -> tuple[list[date], list[str]]:
    """Each token as a date: months carried forward, years from context, never going back in time within the cell."""
    days: list[date] = []
    warnings: list[str] = []
    for token in tokens:
        previous = days[-1] if days else None
        month = token.month or (previous.month if previous else month_given)
        if month is None:
            raise ValueError("a day without a month")
        weekday = token.weekday if token.weekday is not None else shared_weekday
        if token.year is not None:
            year = token.year
        elif previous is None:
            year, warning = first_year(month, token.day, weekday, hint)
            warnings += [warning] if warning else []
        else:
            year = previous.year
        if token.month is None and previous is not None and token.day < previous.day:
            month, year = (1, year + 1) if month == 12 else (month + 1, year)  # 「10月28日～3日」 runs into November
        day = date(year, month, token.day)
        if previous is not None and token.year is None and day < previous:
            day = date(year + 1, month, token.day)
        if weekday is not None and day.weekday() != weekday:
            warnings.append(f"{day.isoformat()} は{WEEKDAYS[day.weekday()]}曜日ですが「{WEEKDAYS[weekday]}」と書かれています")
        days.append(day)
    return days, warnings


def spans_of(text: str, tokens: list[_Token], days: list[date]) -> list[tuple[date, date, str]]:
    """Join dates linked by ～ / 〜 / - / から (across line breaks) into ranges; the others are single days.

    Each span comes with the text after it, up to the next date (where its own clock would be written)."""
    spans = []
    index = 0
    while index < len(days):
        linked = index + 1 < len(days) and _RANGE_GAP.match(text[tokens[index].end:tokens[index + 1].start])
        last_index = index + 1 if linked else index
        first, last = days[index], days[last_index]
        tail_end = tokens[last_index + 1].start if last_index + 1 < len(tokens) else len(text)
        spans.append((first, last if last >= first else first, text[tokens[last_index].end:tail_end]))
        index = last_index + 1
    return spans


def recurrence(text: str) -> Callable[[date], bool] | None:
    """The rule a cell states for repeating days (「毎週火・木曜日」, 「毎月第2・第4土曜日」, 「毎月15日」), as a test
    of one day, or None when it states none."""
    if match := _EVERY_WEEK.search(text):
        weekly = {WEEKDAYS.index(c) for c in match[1] if c in WEEKDAYS}
        return lambda day: day.weekday() in weekly
    if match := _NTH_WEEKDAY.search(text):
        nths = {int(n) for n in re.findall(r"\d", match[1])}
        weekday = WEEKDAYS.index(match[2])
        return lambda day: day.weekday() == weekday and (day.day - 1) // 7 + 1 in nths
    if match := _MONTHLY_DAY.search(text):
        days_of_month = {int(n) for n in re.findall(r"\d+", match[1])}
        return lambda day: day.day in days_of_month
    return None


def held_by_rule(pattern: str, notes: list[str]) -> tuple[Callable[[date], bool], str] | None:
    """The repeating rule for when an event is held, with the text that states it: the 開催パターン cell
    (「毎週水曜日」), else the first note sentence that says the event is held by a rule (開催, 行う, 実施 … and the
    rule not followed by 休, 除く, 無料 …); None when none states one."""
    if pattern.strip() and (rule := recurrence(clean_text(pattern))) is not None:
        return rule, pattern.strip()
    for text in notes:
        for sentence in re.split(r"[。\n]", clean_text(text)):
            for pattern in (_EVERY_WEEK, _NTH_WEEKDAY, _MONTHLY_DAY):
                match = pattern.search(sentence)
                if match and _HELD.search(sentence) and not _NOT_HELD.match(sentence[match.end():]):
                    rule = recurrence(sentence[match.start():])
                    if rule is not None:
                        return rule, sentence.strip()
    return None


def days_matching(rule: Callable[[date], bool], first: date, last: date) -> list[tuple[date, date]]:
    """Each day from first to last (inclusive) that the rule keeps, as one-day spans."""
    days = []
    day = first
    while day <= last:
        if rule(day):
            days.append((day, day))
        day += timedelta(days=1)
    return days


def recurring_schedule(text: str, rule: Callable[[date], bool], hint: YearHint) -> Schedule | None:
    """A repeating rule with no stated period: its days in the month the cell names (「10月の毎週土曜日」), else over
    the RECURRING_DAYS from the import date, with a warning saying which days were taken."""
    month = month_named(text)
    if month is not None:
        year = hint.year + (1 if hint.fiscal and month < 4 else 0) if hint.year else nearest_month_year(month, hint.today)
        first = date(year, month, 1)
        last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    else:
        first, last = hint.today, hint.today + timedelta(days=RECURRING_DAYS - 1)
    days = days_matching(rule, first, last)
    if not days:
        return None
    return Schedule(spans=days, warnings=[f"期間の書かれていない繰り返し（{text.strip()[:40]}）を {first}～{last} の日付として取り込みました"])


def nearest_month_year(month: int, today: date) -> int:
    """The year whose month is nearest the import date (this year's, or next year's once it is well past)."""
    return today.year + 1 if month < today.month - 2 else today.year


def every_week(text: str, spans: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """「毎週火・木曜日」「毎月第2土曜日」 within the stated period(s): one span per matching day; the spans unchanged
    otherwise."""
    rule = recurrence(text)
    if rule is None or not any(last > first for first, last in spans):
        return spans
    days = [day for first, last in spans for day in days_matching(rule, first, last)]
    return days or spans


def parse_schedule(text: str | None, hint: YearHint, month: int | None = None) -> Schedule | None:
    """The occurrences a free-text date cell names, or None when it names no readable date.

    `month`: the month of days written alone (「14日（土）、15日（日）」 under a cell saying 「9月の試合日程」)."""
    text = clean_text(text)
    tokens = find_tokens(text)
    if not any(token.month for token in tokens) and (rule := recurrence(text)) is not None:
        return recurring_schedule(text, rule, hint)
    if not tokens:
        return None
    shared = _SHARED_WEEKDAY.search(text)
    try:
        days, warnings = resolve_dates(tokens, WEEKDAYS.index(shared[1]) if shared else None, hint, month)
    except ValueError:
        return None
    spans = spans_of(text, tokens, days)
    stated = [(first, last) for first, last, _ in spans]
    weekly = every_week(text, stated)
    if weekly != stated:
        return Schedule(spans=weekly, warnings=warnings)  # the period's clock, if any, is the row's
    clocks = [parse_clock_span(tail) for _, _, tail in spans]
    own_clocks = clocks if any(start for start, _ in clocks) else []
    return Schedule(spans=weekly, warnings=warnings, clocks=own_clocks)


def month_named(text: str | None) -> int | None:
    """The month a date cell names without a day (「9月の試合日程」 → 9), or None."""
    match = _MONTH_ONLY.search(clean_text(text))
    return int(match[1]) if match and 1 <= int(match[1]) <= 12 else None


def year_mentions(text: str) -> list[tuple[int, bool]]:
    """Years written in a text as (year, is 年度): 「2024年」, 「令和6年度」."""
    found = []
    for match in _YEAR_MENTION.finditer(normalize(text)):
        year = era_year(match["era"], match["ey"]) if match["era"] else int(match["y"])
        found.append((year, bool(match["fy1"] or match["fy2"])))
    return found


def year_from_file_name(name: str) -> tuple[int, bool] | None:
    """A year in the file name: 「takamatsu-events-2024.csv」 → (2024, False), 「令和6年度イベント.csv」 → (2024, True)."""
    mentions = year_mentions(name)
    if mentions:
        return mentions[0]
    match = _FILE_YEAR.search(normalize(name))
    return (int(match[1]), False) if match else None


def year_from_cells(rows: list[list[str]]) -> tuple[int, bool] | None:
    """The year the file's cells mention most often (and whether mostly as 年度), or None."""
    counts: Counter = Counter()
    fiscal: Counter = Counter()
    for cells in rows:
        for cell in cells:
            for year, is_fiscal in year_mentions(cell):
                counts[year] += 1
                fiscal[year] += 1 if is_fiscal else 0
    if not counts:
        return None
    year, count = counts.most_common(1)[0]
    return year, fiscal[year] * 2 > count


def fiscal_year_value(text: str | None) -> int | None:
    """A 年度 column's value as its starting year: 「令和6年度」, 「R6」, 「2024」, 「2024年度」 → 2024."""
    text = normalize(text).strip()
    if mentions := year_mentions(text):
        return mentions[0][0]
    if match := re.fullmatch(r"(?:(令和|R)\s*(\d{1,2}|元)|(20\d{2}))\s*(?:年度?)?", text):
        return era_year("令和", match[2]) if match[1] else int(match[3])
    return None
