"""Event rows from any of the three published event layouts."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

from sqlmodel import Session

from content.importers.audience import event_audience_tags
from content.importers.csvread import CsvTable
from content.importers.keys import KeyMaker, source_name
from content.importers.layouts import Layout
from content.importers.places import FacilityMatcher
from content.importers.report import ImportReport
from content.importers.sync import Record, sync_rows
from content.search.facility_hours import clock_ranges
from content.importers.values import (
    clean, fee_is_free, tidy, format_fee, is_unreadable_time, parse_coordinate, parse_date, parse_int, parse_time,
    tokyo_to_utc,
)
from models import Event

# The base-registry export appends copies of the date cells to 日時備考 ("開始日: 2019/1/13"); drop them.
_ECHO_LINE = re.compile(r"^\s*(開始日|終了日|開始時刻|終了時刻|開始時間|終了時間)\s*[:：].*$", re.M)
_FREE_WORDS = re.compile(r"(参加費|受講料|入場料|観覧料|料金|費用|参加|入場|観覧)(は)?無料|無料です|無料で")
_NO_AUDIENCE = ("対象者検索対象外",)


def import_event_table(session: Session, table: CsvTable, layout: Layout, path: str, report: ImportReport) -> None:
    """Parse every row of an event CSV and sync them into Event rows of one source."""
    first = table.rows[0][1] if table.rows else []
    report.source = source_name(layout.name, layout.value(first, "code"), path)
    matcher = FacilityMatcher(session)
    keys = KeyMaker([layout.value(cells, "id") for _, cells in table.rows])
    sync_rows(session, Event, table.rows,
              lambda line_no, cells: event_record(layout, cells, line_no, keys, matcher, report), report)


def event_record(layout: Layout, cells: list[str], line_no: int, keys: KeyMaker, matcher: FacilityMatcher,
                 report: ImportReport) -> Record | None:
    """One row as a Record, or None (with the reason in the report) when it cannot be an event."""
    v = lambda field: layout.value(cells, field)  # noqa: E731
    title = tidy(v("title"))
    if not title:
        report.skip(line_no, "イベント名がありません")
        return None
    start_day = parse_date(v("start_date"))
    if start_day is None:
        raw = v("start_date")
        report.skip(line_no, f"開始日「{raw}」を日付として読めません" if raw else "開始日がありません")
        return None
    end_day = parse_date(v("end_date")) or start_day
    if end_day < start_day:
        report.warnings.append((line_no, f"終了日 {end_day} が開始日より前のため、開始日と同じ日にしました"))
        end_day = start_day
    start_clock, end_clock = parse_time(v("start_time")), parse_time(v("end_time"))
    notes = []
    for field in ("start_time", "end_time"):
        if is_unreadable_time(v(field)):
            notes.append(v(field))
    if start_clock is None:
        # 「午後2時05分 から 午後3時45分」 in 日時備考: the times are published, only not in the time cells
        ranges = clock_ranges(_ECHO_LINE.sub("", v("time_note")))
        if ranges:
            start_clock, end_clock = min(ranges)[0], max(end for _start, end in ranges)
    all_day = start_clock is None
    starts_at = tokyo_to_utc(start_day, start_clock)
    if all_day:
        ends_at = tokyo_to_utc(end_day + timedelta(days=1), None)  # exclusive end: midnight after the last day
        end_clock = None
    elif end_clock is not None:
        ends_at = tokyo_to_utc(end_day, end_clock)
        if ends_at < starts_at:
            ends_at = None
    elif end_day > start_day:
        ends_at = tokyo_to_utc(end_day + timedelta(days=1), None)
    else:
        ends_at = None
    time_note = "\n".join(filter(None, notes + [_ECHO_LINE.sub("", v("time_note")).strip()])) or None

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
    values = {
        "title": title,
        "kana": clean(v("kana")) or None,
        "description": description or None,
        "title_en": tidy(v("title_en")) or None,
        "description_en": v("description_en").strip() or None,
        "category": tidy(v("category")) or None,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "all_day": all_day,
        "time_note": time_note,
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
        "capacity": parse_int(v("capacity")) or parse_int(v("capacity_note")),
        "organizer": tidy(v("organizer")) or None,
        "contact": contact_of(v) or None,
        "url": first_url(v("url"), v("apply_url")),
        "image_url": first_url(v("image_url")),
        "status": "published",
        "active": True,
        **signup_values(v),
    }
    if "中止" in v("status"):
        values["active"] = False  # published as cancelled: kept, but not shown
        report.warnings.append((line_no, f"状態「{v('status')}」のため表示しません"))
    key = keys.key(v("id"), title, starts_at.isoformat(), place)
    return Record(line_no=line_no, source_key=key, values=values)


def signup_values(v) -> dict:
    """The published 参加申込終了日 (a date alone means the end of that day) and 申込方法, for sign-ups."""
    day = parse_date(v("apply_until_date"))
    clock = parse_time(v("apply_until_time"))
    deadline = None
    if day is not None:
        deadline = tokyo_to_utc(day, clock) if clock else tokyo_to_utc(day + timedelta(days=1), None)
    return {"signup_deadline": deadline, "apply_method": tidy(v("apply")) or None}


def describe(v) -> str:
    """概要, 説明 and the practical notes (申込方法, 定員備考, 備考) as one description."""
    parts = []
    for text in (v("subtitle"), v("summary"), v("description")):
        text = text.strip()
        if text and text not in parts:
            parts.append(text)
    for label, field in (("申込方法", "apply"), ("定員", "capacity_note"), ("備考", "note")):
        text = _ECHO_LINE.sub("", v(field)).strip()
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
    """連絡先名称, 電話番号 (内線) and mail on one line."""
    phone = clean(v("contact_phone"))
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
