"""Facility rows from 公共施設一覧 (24 columns) and 観光施設一覧 (30 columns)."""
from __future__ import annotations

import re

from sqlmodel import Session, select

from content.importers.csvread import CsvTable
from content.importers.events import first_url, join_text
from content.importers.freedates import WEEKDAYS
from content.importers.hours import split_hours_text, structured_hours, weekday_hours
from content.importers.keys import KeyMaker, source_name
from content.importers.layouts import Layout
from content.importers.places import FacilityMatcher
from content.importers.report import ImportReport
from content.importers.sync import Record, sync_rows
from content.importers.values import clean, format_fee, name_variants, parse_coordinate, phone_in_text, tidy
from models import Event, Facility

# the kind of place a layout lists, for rows that give no category of their own
_LAYOUT_CATEGORY = {"tourism": "観光施設", "cooling-shelter": "指定暑熱避難施設（クーリングシェルター）"}


# 屋台ID, 公園ID, 避難所番号: a column of ids named for what each row is. Not the generic 施設 or the codes of
# municipalities, nor a long compound (屋台開店情報連携ID is a link to another system).
_KIND_ID = re.compile(r"^([一-龥ァ-ヶー]{2,4})(?:ID|id|Id|番号)$")
_GENERIC_KINDS = {"施設", "管理", "整理", "データ", "登録", "識別", "通し", "連番", "郵便", "電話", "内線", "法人",
                  "町字", "町丁", "地区", "地域", "住所", "所在地", "番地", "区域", "画像", "写真"}


def kind_of_rows(header: list[str]) -> str | None:
    """The kind of place every row is, when an id column is named for it (屋台ID → 屋台); else None."""
    for name in header:
        found = _KIND_ID.match(name)
        if found and found.group(1) not in _GENERIC_KINDS:
            return found.group(1)
    return None


def import_facility_table(session: Session, table: CsvTable, layout: Layout, path: str, report: ImportReport) -> None:
    """Parse every row of a facility CSV and sync them into Facility rows of one source."""
    first = table.rows[0][1] if table.rows else []
    report.source = source_name(layout.name, layout.value(first, "code"), path)
    keys = KeyMaker([layout.value(cells, "id") for _, cells in table.rows])
    kind = kind_of_rows(table.header)
    sync_rows(session, Facility, table.rows,
              lambda line_no, cells: facility_record(layout, cells, line_no, keys, report, kind), report)
    report.linked = link_unlinked_events(session)


def link_unlinked_events(session: Session) -> int:
    """Give events imported before their facilities a facility_id now (returns how many were linked)."""
    matcher = FacilityMatcher(session)
    linked = 0
    query = select(Event).where(Event.facility_id == None, Event.place_name != None, Event.active == True)  # noqa: E711,E712
    for event in session.exec(query):
        facility = matcher.match(event.place_name, event.source)
        if facility is None:
            continue
        event.facility_id = facility.id
        event.district = event.district or facility.district
        if event.latitude is None or event.longitude is None:
            event.latitude, event.longitude = facility.latitude, facility.longitude
        if not event.address:
            event.address = facility.address
        session.add(event)
        linked += 1
    session.flush()
    return linked


_CLOCK = re.compile(r"\d{1,2}\s*[:：時]")
_HOURS_SENTENCE = re.compile(r"(?:開園|開館|営業|利用|開場)時間\s*[はがを:：]?\s*(?:午前|午後)?\d{1,2}\s*[:：時]\s*\d{0,2}分?\s*"
                             r"[～〜~\-－]\s*(?:午前|午後)?\d{1,2}\s*[:：時]\s*\d{0,2}分?")


def hours_in_description(description: str) -> str:
    """「開園時間8:00～21:00。」 written in 説明 when the hours columns give no time: the park's hours, or ''."""
    match = _HOURS_SENTENCE.search(description or "")
    return match.group(0) if match else ""


# 「【電話】04996-7-0411」, 「TEL：0859-27-0606」: a number the row states under a phone label, where it has no phone column
# 京都府's 観光施設一覧 writes its closed days in 利用可能曜日: 「休日：第1・第3日曜日、年末年始」, 「休日：無休」
_CLOSED_LABEL = re.compile(r"^\s*(?:休日|定休日|休館日|休業日|休園日|休み)\s*[:：]\s*")


def weekdays_or_closed(text: str) -> tuple[str, str]:
    """(the open weekdays 利用可能曜日 gives, the closed days it gives instead under a 休日： label)."""
    label = _CLOSED_LABEL.match(text or "")
    return ("", clean(text[label.end():])) if label else (text, "")


def facility_record(layout: Layout, cells: list[str], line_no: int, keys: KeyMaker, report: ImportReport,
                    kind: str | None = None) -> Record | None:
    """One row as a Record, or None (reason in the report) when it has no name; `kind`: what every row is."""
    v = lambda field: layout.value(cells, field)  # noqa: E731
    name = tidy(v("name"))
    if not name:
        report.skip(line_no, "名称がありません")
        return None
    note = v("hours_note").strip()
    hours, closed = split_hours_text(note)
    weekdays, closed_in_weekdays = weekdays_or_closed(v("weekdays"))
    structured = structured_hours(weekdays, v("open_time"), v("close_time"))
    by_day, closed_days = weekday_hours({d: v(f"open_{d}") for d in WEEKDAYS}, {d: v(f"close_{d}") for d in WEEKDAYS})
    hours = join_text(structured or by_day, hours)
    if not _CLOCK.search(hours or ""):
        hours = join_text(hours, hours_in_description(v("description")))
    closed = join_text(closed_days, closed, closed_in_weekdays, v("closed"))
    address = clean(v("address"))
    building = clean(v("building"))
    if building and building not in address:
        address = f"{address} {building}".strip()
    phone = clean(v("phone")) or phone_in_text(v("description"), v("note"))
    if phone and clean(v("phone_ext")):
        phone += f"（内線{clean(v('phone_ext'))}）"
    fee = format_fee(v("fee"), v("fee_detail"))
    # The published hours note is kept whole in the description: hours/closed are our reading of it.
    # 概要 and 説明 both published (文化財一覧): each says something (「一般公開時のみ（11月上旬）」 is in 概要)
    description_parts = list(dict.fromkeys(filter(None, (v("summary").strip(), v("description").strip()))))
    if note:
        description_parts.append(f"利用可能日時: {note}")
    if fee:
        description_parts.append(f"料金: {fee}")
    for label, field in (("アクセス", "access"), ("駐車場", "parking"), ("バリアフリー", "barrier_free"), ("備考", "note")):
        if v(field).strip():
            description_parts.append(f"{label}: {v(field).strip()}")
    values = {
        "name": name,
        "kana": clean(v("kana")) or None,
        "aliases": aliases_of(name, "；".join(filter(None, (v("alias"), v("name_en"))))),
        "category": category_of(clean(v("category")) or _LAYOUT_CATEGORY.get(layout.name), kind),
        "address": address or None,
        "latitude": parse_coordinate(v("latitude"), -90, 90),
        "longitude": parse_coordinate(v("longitude"), -180, 180),
        "phone": phone or None,
        "hours_text": hours or None,
        "closed_text": closed or None,
        "url": first_url(v("url")),
        "description": "\n".join(p for p in description_parts if p) or None,
        "fee": fee or None,
        "active": True,
    }
    key = keys.key(v("id"), name, address)
    return Record(line_no=line_no, source_key=key, values=values)


def category_of(category: str | None, kind: str | None) -> str | None:
    """The row's category with the kind every row is in front when it does not say it (屋台（ラーメン/おでん）)."""
    if not kind or (category and kind in category):
        return category
    return f"{kind}（{category}）"[:100] if category else kind


def aliases_of(name: str, published: str) -> str | None:
    """名称_通称 (';'-separated) plus the halves of a 'Name（通称）' name, newline-separated."""
    aliases: list[str] = []
    for alias in [*(clean(a) for a in re.split(r"[;；]", published or "")), *name_variants(name)]:
        if alias and alias != name and alias not in aliases:
            aliases.append(alias)
    return "\n".join(aliases) or None
