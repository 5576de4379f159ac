"""Event rows from any of the three published event layouts."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlmodel import Session

from content.importers.audience import event_audience_tags
from content.importers.clocktext import leading_clock, parse_clock_bounds, parse_clock_span
from content.importers.csvread import CsvTable
from content.importers.freedates import (
    Schedule, YearHint, days_matching, fiscal_year_value, held_by_rule, month_named, parse_schedule, year_from_cells,
    year_from_file_name,
)
from content.importers.keys import KeyMaker, source_name
from content.importers.layouts import Layout
from content.importers.places import FacilityMatcher
from content.importers.report import ImportReport
from content.importers.sync import Record, sync_rows
from content.importers.values import (
    TOKYO, clean, fee_is_free, tidy, format_fee, is_placeholder_date, is_unreadable_time, parse_capacity, parse_coordinate,
    parse_date, parse_time, phone_in_text, tokyo_to_utc,
)
from content.search.event_days import stated_repeat
from models import Event

# The base-registry export appends copies of the date cells to 日時備考 ("開始日: 2019/1/13"); drop them.
_ECHO_LINE = re.compile(r"^\s*(開始日|終了日|開始時刻|終了時刻|開始時間|終了時間)\s*[:：].*$", re.M)
_FREE_WORDS = re.compile(r"(参加費|受講料|入場料|観覧料|料金|費用|参加|入場|観覧)(は)?無料|無料です|無料で")
_NO_AUDIENCE = ("対象者検索対象外",)
_PLACEHOLDER = re.compile(r"[\s\-－—―ー‐]*")  # 「—」 in a time cell: no time, nothing to note


def import_event_table(session: Session, table: CsvTable, layout: Layout, path: str, report: ImportReport, *,
                       year: int | None = None, today: date | None = None) -> None:
    """Parse every row of an event CSV and sync them into Event rows of one source."""
    first = table.rows[0][1] if table.rows else []
    report.source = source_name(layout.name, layout.value(first, "code"), path)
    matcher = FacilityMatcher(session)
    keys = KeyMaker([layout.value(cells, "id") for _, cells in table.rows])
    context = file_year_hint(path, table, year, today or datetime.now(TOKYO).date())
    sync_rows(session, Event, table.rows,
              lambda line_no, cells: event_records(layout, cells, line_no, keys, matcher, report, context), report)


def file_year_hint(path: str, table: CsvTable, year: int | None, today: date) -> YearHint:
    """Where yearless dates in this file take their year from: --year, the file name, the cells, else today."""
    if year is not None:
        return YearHint(today=today, year=year)
    found = year_from_file_name(Path(path).name) or year_from_cells([cells for _, cells in table.rows])
    return YearHint(today=today, year=found[0], fiscal=found[1]) if found else YearHint(today=today)


def without_placeholder_dates(v):
    """The row's values with placeholder dates (9999-12-31) in 開始日 and 終了日 read as empty."""
    return lambda field: "" if field in ("start_date", "end_date") and is_placeholder_date(v(field)) else v(field)


def row_days(v, hint: YearHint, line_no: int, report: ImportReport) -> Schedule | None:
    """The row's occurrences: a published date, else the free text of the date cell (else, for a cell naming only a
    month, 「9月の試合日程」, the days written in the time cell). None, with the reason in the report, when no date
    can be read; the other rows are kept."""
    raw = v("start_date")
    if is_placeholder_date(raw) or is_placeholder_date(v("end_date")):
        report.warnings.append((line_no, "9999-12-31 のような日付は、日付がないものとして読みました"))
        v = without_placeholder_dates(v)
        raw = v("start_date")
    start_day = parse_date(raw)
    if start_day is not None and names_more_days(raw, start_day, hint):
        start_day = None  # 「令和6年10月5日（土）・6日（日）」: the leading date is only the first of the cell's days
    if start_day is None and raw:
        fiscal = fiscal_year_value(v("fiscal_year"))
        if fiscal is not None:
            hint = YearHint(today=hint.today, year=fiscal, fiscal=True)
        schedule = parse_schedule(raw, hint)
        if schedule is None and (month := month_named(raw)) is not None:
            schedule = parse_schedule(v("start_time"), hint, month=month)
        if schedule is None:
            report.skip(line_no, f"開始日「{raw}」を日付として読めません")
            return None
        report.warnings.extend((line_no, w) for w in schedule.warnings)
        end_day = parse_date(v("end_date")) or last_free_day(v("end_date"), schedule.spans[0][0], hint)
        if end_day is not None and len(schedule.spans) == 1 and end_day >= schedule.spans[0][0]:
            schedule.spans = [(schedule.spans[0][0], end_day)]
        return schedule
    if start_day is None:
        report.skip(line_no, "開始日がありません")
        return None
    end_day = parse_date(v("end_date")) or last_free_day(v("end_date"), start_day, hint) or start_day
    if end_day < start_day and (mended := end_in_start_year(start_day, end_day)) is not None:
        report.warnings.append((line_no, f"終了日 {end_day} が開始日より前のため、年の書き違いとみて {mended} にしました"))
        end_day = mended
    elif end_day < start_day:
        report.warnings.append((line_no, f"終了日 {end_day} が開始日より前のため、開始日と同じ日にしました"))
        end_day = start_day
    return days_in_note(v("time_note"), start_day, end_day, hint) or Schedule(spans=[(start_day, end_day)])


def days_in_note(note: str, start_day: date, end_day: date, hint: YearHint) -> Schedule | None:
    """The dates 日時備考 lists beside a one-day row's date (「日時:2022-01-24;2022-01-31;…」, an eight-week class
    filed under its first date): one occurrence each, when the list holds that day and none lies before it. A row
    over a period keeps its span: the search reads the repeat its note states (event_days.py)."""
    if end_day != start_day:
        return None
    schedule = parse_schedule(_ECHO_LINE.sub("", note or ""), YearHint(today=hint.today, year=start_day.year))
    if schedule is None or len(schedule.spans) < 2 or any(first != last for first, last in schedule.spans):
        return None
    days = [first for first, _ in schedule.spans]
    return schedule if start_day in days and min(days) == start_day else None


def held_days(schedule: Schedule, v, line_no: int, report: ImportReport) -> list[tuple[date, date]]:
    """A long period (焼津神社朝市 2026/9/1～2027/2/15) whose 開催パターン or description says which days it is held on
    (「毎月1日と15日に朝市を定期開催」, 「原則第2木曜日…行っています」): those days only. Else the spans, also when
    the time note or title names the days, which the search already reads on the long row."""
    if len(schedule.spans) != 1 or (schedule.spans[0][1] - schedule.spans[0][0]).days < _LONG_PERIOD_DAYS:
        return schedule.spans
    if stated_repeat(v("time_note"), v("title")).stated:
        return schedule.spans  # 「毎週木曜日開催」 in 日時備考: the search reads it on the long row (event_days.py)
    found = held_by_rule(v("pattern"), [v("summary"), v("description")])
    if found is None:
        return schedule.spans
    rule, sentence = found
    days = days_matching(rule, *schedule.spans[0])
    if not days:
        return schedule.spans
    report.warnings.append((line_no, f"「{sentence[:40]}」により、期間中の {len(days)} 日を開催日としました"))
    return days


_LONG_PERIOD_DAYS = 13  # two weeks and more: a period within which a repeating rule picks the days


def end_in_start_year(start_day: date, end_day: date) -> date | None:
    """An end written with the wrong year (開始日 2023-01-02, 終了日 2022-01-03, a slip at the turn of the year): the
    same month and day in the start's year or the next, when that falls within half a year after the start (a
    slip in the day, 3月10日～3月1日, is not mended); else None."""
    for year in (start_day.year, start_day.year + 1):
        try:
            candidate = end_day.replace(year=year)
        except ValueError:
            continue
        if start_day <= candidate <= start_day + timedelta(days=_MENDED_END_DAYS):
            return candidate
    return None


_MENDED_END_DAYS = 183


def names_more_days(text: str, start_day: date, hint: YearHint) -> bool:
    """True when a cell that starts with a full date goes on to name other days (a range or a list)."""
    schedule = parse_schedule(text, YearHint(today=hint.today, year=start_day.year))
    return schedule is not None and (len(schedule.spans) > 1 or schedule.spans[0][1] > schedule.spans[0][0])


def last_free_day(text: str, start_day: date, hint: YearHint) -> date | None:
    """A free-text 終了日 (「11月4日」) read in the start day's year, or None."""
    if not text.strip():
        return None
    schedule = parse_schedule(text, YearHint(today=hint.today, year=start_day.year))
    if schedule is None:
        return None
    last = schedule.spans[-1][1]
    return last if last >= start_day else None


# 「受付 9:00～17:00」「申込は平日9時から」 in a time note say when to apply or call, not when the event is.
_NOT_THE_EVENT = re.compile(r"(?:受付|申込|申し込み|問い?合わ?せ|電話|締切|締め切り)[^、。\n]*")


def row_clocks(v) -> tuple[time | None, time | None, list[str]]:
    """Start and end clock: the time cells (「9:00」, 「17:00（最終入館16:30まで）」, 「10:00～12:00」), else a
    time written in the date cell (「令和6年10月5日（土）午後1時30分～3時」), else one in the time note (「午後2時05分 から 午後3時45分」)."""
    notes = [v(field) for field in ("start_time", "end_time")
             if is_unreadable_time(v(field)) and not _PLACEHOLDER.fullmatch(v(field))]
    start_clock = parse_time(v("start_time"))
    end_clock = parse_time(v("end_time"))
    if start_clock is None and is_unreadable_time(v("start_time")):
        start_clock, span_end = parse_clock_span(v("start_time"))
        start_clock = leading_clock(v("start_time")) and start_clock
        end_clock = end_clock or span_end
    if end_clock is None and is_unreadable_time(v("end_time")):
        end_clock = leading_clock(v("end_time"))
    for text in (v("start_date"), _NOT_THE_EVENT.sub("", _ECHO_LINE.sub("", v("time_note")))):
        if start_clock is None:
            start_clock, span_end = parse_clock_bounds(text)
            end_clock = end_clock or span_end
    return start_clock, end_clock, notes


def span_times(start_day: date, end_day: date, start_clock: time | None,
               end_clock: time | None) -> tuple[datetime, datetime | None, bool]:
    """starts_at, ends_at (naive UTC) and all_day for one occurrence."""
    starts_at = tokyo_to_utc(start_day, start_clock)
    if start_clock is None:
        return starts_at, tokyo_to_utc(end_day + timedelta(days=1), None), True  # exclusive end: midnight after
    if end_clock is not None:
        ends_at = tokyo_to_utc(end_day, end_clock)
        return starts_at, ends_at if ends_at >= starts_at else None, False
    if end_day > start_day:
        return starts_at, tokyo_to_utc(end_day + timedelta(days=1), None), False
    return starts_at, None, False


def event_records(layout: Layout, cells: list[str], line_no: int, keys: KeyMaker, matcher: FacilityMatcher,
                  report: ImportReport, hint: YearHint) -> list[Record] | None:
    """One row as its Records (one per occurrence, sharing a series key), or None with the reason in the report."""
    v = lambda field: layout.value(cells, field)  # noqa: E731
    title = tidy(v("title"))
    if not title:
        report.skip(line_no, "イベント名がありません")
        return None
    if not v("start_date") and is_undated_programme(v):
        return [undated_record(layout, cells, v, title, line_no, keys, matcher, report)]
    schedule = row_days(v, hint, line_no, report)
    if schedule is None:
        return None
    spans = held_days(schedule, v, line_no, report)
    start_clock, end_clock, notes = row_clocks(v)
    # a clock written after each date (「14日（土）午後1時、15日（日）午後2時」) counts when the time cells give none
    own = schedule.clocks if start_clock is None and schedule.clocks else [(start_clock, end_clock)] * len(spans)
    time_note = "\n".join(filter(None, notes + [_ECHO_LINE.sub("", v("time_note")).strip()])) or None
    values = row_values(layout, cells, v, title, matcher, report)
    values["time_note"] = time_note
    if "中止" in v("status"):
        values["active"] = False  # published as cancelled: kept, but not shown
        report.warnings.append((line_no, f"状態「{v('status')}」のため表示しません"))
    if len(spans) == 1:
        starts_at, ends_at, all_day = span_times(spans[0][0], spans[0][1], *own[0])
        key = keys.key(v("id"), title, starts_at.isoformat(), values["place_name"] or "")
        return [Record(line_no=line_no, source_key=key,
                       values={**values, "starts_at": starts_at, "ends_at": ends_at, "all_day": all_day})]
    base = keys.key(v("id"), title, "series", spans[0][0].isoformat(), values["place_name"] or "")
    records = []
    for (first, last), clocks in zip(spans, own):
        starts_at, ends_at, all_day = span_times(first, last, *clocks)
        records.append(Record(line_no=line_no, source_key=f"{base}@{first.strftime('%Y%m%d')}"[:300],
                              values={**values, "starts_at": starts_at, "ends_at": ends_at, "all_day": all_day,
                                      "series_key": f"{report.source}|{base}"[:300]}))
    return records


def is_undated_programme(v) -> bool:
    """A row with no date that still tells residents what it is and where (a year-round programme, a tour held
    on request): a description and a place or a link. A bare title without a date says nothing and is skipped."""
    return bool(v("description").strip() or v("summary").strip()) and bool(
        v("place").strip() or v("building").strip() or v("url").strip())


def undated_record(layout: Layout, cells: list[str], v, title: str, line_no: int, keys: KeyMaker,
                   matcher: FacilityMatcher, report: ImportReport) -> Record:
    """An undated programme as one event without a start: found by its words, never on a date asked."""
    values = row_values(layout, cells, v, title, matcher, report)
    values["time_note"] = _ECHO_LINE.sub("", v("time_note")).strip() or None
    report.warnings.append((line_no, "開始日がないため、日程未定として取り込みました"))
    key = keys.key(v("id"), title, "undated", values["place_name"] or "")
    return Record(line_no=line_no, source_key=key,
                  values={**values, "starts_at": None, "ends_at": None, "all_day": True})


def row_values(layout: Layout, cells: list[str], v, title: str, matcher: FacilityMatcher,
               report: ImportReport) -> dict:
    """The columns every occurrence of the row shares (all but the times)."""
    place = tidy(v("place")) or tidy(v("building"))
    facility = matcher.match(place, report.source)
    latitude = parse_coordinate(v("latitude"), -90, 90)
    longitude = parse_coordinate(v("longitude"), -180, 180)
    if (latitude is None or longitude is None) and facility is not None:
        latitude, longitude = facility.latitude, facility.longitude
    audience = join_text(v("audience"), v("audience_note"))
    if audience in _NO_AUDIENCE:
        audience = ""
    description = describe(v)
    fee = format_fee(v("fee"), v("fee_detail"))
    is_free = fee_is_free(fee)
    if is_free is None and _FREE_WORDS.search(clean(description)):
        is_free = True
    return {
        "title": title,
        "kana": clean(v("kana")) or None,
        "description": description or None,
        "title_en": tidy(v("title_en")) or None,
        "description_en": v("description_en").strip() or None,
        "category": tidy(v("category")) or None,
        "place_name": place or None,
        "facility_id": facility.id if facility else None,
        "district": facility.district if facility else None,
        "address": address_of(layout, cells) or (facility.address if facility else None),
        "latitude": latitude,
        "longitude": longitude,
        "audience": audience or None,
        "audience_tags": event_audience_tags(audience, title, description),
        "fee": fee or None,
        "is_free": is_free,
        "capacity": parse_capacity(v("capacity")) or parse_capacity(v("capacity_note")),
        "organizer": tidy(v("organizer")) or None,
        "contact": contact_of(v) or None,
        "url": first_url(v("url"), v("apply_url")),
        "image_url": first_url(v("image_url")),
        "series_key": None,
        "status": "published",
        "active": True,
        **signup_values(v),
    }


def signup_values(v) -> dict:
    """The published 参加申込終了日 (a date alone means the end of that day) and 申込方法, for sign-ups."""
    day = parse_date(v("apply_until_date"))
    clock = parse_time(v("apply_until_time"))
    deadline = None
    if day is not None:
        deadline = tokyo_to_utc(day, clock) if clock else tokyo_to_utc(day + timedelta(days=1), None)
    return {"signup_deadline": deadline, "apply_method": tidy(v("apply")) or None}


# 「新型コロナウイルス感染症拡大防止のため中止」 in 備考: the event is called off. Not 「荒天中止」 or 「雨天の場合は中止」,
# which say when it would be, nor 「中止になる場合があります」.
_CALLED_OFF = re.compile(r"[^。\n]*(?<!荒天)(?<!雨天)(?<!悪天候)(?<!天候)(?<!荒天時)(?<!雨天時)中止"
                         r"(?:します|しました|となりました|になりました|いたします|いたしました|と(?:なり|し)ます|です|。|$)")
_CONDITIONAL = re.compile(r"場合|時は|ときは|際は|恐れ|可能性|順延|決行|雨天|荒天|天候")


def called_off(*texts: str) -> str:
    """The sentence of a row's notes saying the event is called off, or ''."""
    for text in texts:
        for match in _CALLED_OFF.finditer(text or ""):
            if not _CONDITIONAL.search(match.group(0)):
                return match.group(0).strip(" 　・※*")
    return ""


def describe(v) -> str:
    """概要, 説明 and the practical notes (申込方法, 定員備考, 備考, アクセス) as one description; a note calling the
    event off goes first (【中止】), where the card shows it."""
    parts = []
    cancelled = called_off(v("note"), v("summary"), v("time_note"))
    if cancelled:
        parts.append(f"【中止】{cancelled}")
    for text in (v("subtitle"), v("summary"), v("description")):
        text = text.strip()
        if text and text not in parts:
            parts.append(text)
    # アクセス names the station or district residents say (清澄白河, 池袋) when the address does not
    # 「10名/回」 in 定員: its own words are kept beside the number read from it
    capacity = "" if clean(v("capacity")).isdigit() else clean(v("capacity"))
    for label, field in (("申込方法", "apply"), ("定員", "capacity_note"), ("備考", "note"), ("アクセス", "access")):
        text = _ECHO_LINE.sub("", v(field)).strip()
        if field == "capacity_note" and capacity and capacity not in text:
            text = join_text(capacity, text)
        if text:
            parts.append(f"{label}: {text}")
    return "\n".join(parts)


def address_of(layout: Layout, cells: list[str]) -> str:
    """住所 as one line: the joined column, else the parts (都道府県 + 市区町村 + 町名 + 丁目), plus 方書."""
    address = clean(layout.value(cells, "address"))
    if not address:
        address = "".join(clean(p) for p in layout.values(cells, "address_parts"))
    building = clean(layout.value(cells, "building"))
    if building and building not in address:
        address = f"{address} {building}".strip()
    return address


def contact_of(v) -> str:
    """連絡先名称, 電話番号 (内線) and mail on one line; with none filled, a phone the address or description gives
    under a label (「掛川市五明925-1 電話 0537-28-0811」)."""
    phone = clean(v("contact_phone"))
    if not (phone or clean(v("contact_name")) or clean(v("contact_mail"))):
        return phone_in_text(v("address"), v("description"), v("note"))
    if phone and clean(v("contact_ext")):
        phone += f"（内線{clean(v('contact_ext'))}）"
    return " ".join(filter(None, (clean(v("contact_name")), phone, clean(v("contact_mail")))))


def first_url(*texts: str) -> str | None:
    """The first http(s) URL in the values (a cell may hold several, or a URL and words), percent-encoded."""
    for text in texts:
        match = URL_IN_TEXT.search(clean(text))
        if match:
            return quote(match.group(0), safe=URL_SAFE)[:1000]
    return None


URL_IN_TEXT = re.compile(r"https?://[^\s　、，,「」（）()<>\"']+")
URL_SAFE = "-._~:/?#[]@!$&'()*+,;=%"


def join_text(*texts: str) -> str:
    """Non-empty texts joined with a space."""
    return " ".join(t.strip() for t in texts if t and t.strip())
