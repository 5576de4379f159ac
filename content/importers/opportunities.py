"""Ways to take part, from tsunagari's own opportunities CSV (docs/opportunities-csv.md)."""
from __future__ import annotations

import unicodedata
from datetime import time

from sqlmodel import Session

from content.importers.audience import audience_tags_for
from content.importers.csvread import CsvTable
from content.importers.events import first_url
from content.importers.keys import KeyMaker, source_name
from content.importers.layouts import Layout
from content.importers.places import FacilityMatcher
from content.importers.report import ImportReport
from content.importers.sync import Record, sync_rows
from content.importers.values import clean, parse_datetime, parse_int, tidy, tokyo_to_utc
from models import Opportunity

OPPORTUNITY_KINDS = ("volunteer", "workday", "public_comment", "staff_bank")
_KIND_WORDS = {
    "volunteer": ("volunteer", "ボランティア", "ボランティア募集"),
    "workday": ("workday", "作業日", "自治会作業", "共同作業", "清掃", "地域活動"),
    "public_comment": ("public_comment", "publiccomment", "パブリックコメント", "パブコメ", "意見募集"),
    "staff_bank": ("staff_bank", "staffbank", "スタッフバンク", "まちづくりスタッフバンク", "人材登録"),
}


def kind_of(text: str) -> str | None:
    """volunteer|workday|public_comment|staff_bank from the 種別 cell (English code or Japanese word)."""
    text = unicodedata.normalize("NFKC", text or "").strip().lower().replace(" ", "")
    for kind, words in _KIND_WORDS.items():
        if text in {w.lower() for w in words}:
            return kind
    return None


def import_opportunity_table(session: Session, table: CsvTable, layout: Layout, path: str, report: ImportReport) -> None:
    """Parse every row of an opportunities CSV and sync them into Opportunity rows of one source."""
    report.source = source_name(layout.name, "", path)
    matcher = FacilityMatcher(session)
    keys = KeyMaker([layout.value(cells, "id") for _, cells in table.rows])
    sync_rows(session, Opportunity, table.rows,
              lambda line_no, cells: opportunity_record(layout, cells, line_no, keys, matcher, report), report)


def opportunity_record(layout: Layout, cells: list[str], line_no: int, keys: KeyMaker, matcher: FacilityMatcher,
                       report: ImportReport) -> Record | None:
    """One row as a Record, or None (reason in the report)."""
    v = lambda field: layout.value(cells, field)  # noqa: E731
    title = tidy(v("title"))
    if not title:
        report.skip(line_no, "タイトルがありません")
        return None
    kind = kind_of(v("kind"))
    if kind is None:
        report.skip(line_no, f"種別「{v('kind')}」は volunteer / workday / public_comment / staff_bank のどれでもありません")
        return None
    moments = {}
    for field in ("starts", "ends", "deadline"):
        raw = v(field)
        day, clock = parse_datetime(raw)
        if raw and day is None:
            report.skip(line_no, f"{ {'starts': '開始日時', 'ends': '終了日時', 'deadline': '締切'}[field] }「{raw}」を日時として読めません")
            return None
        if field == "deadline" and day is not None and clock is None:
            # a deadline date means "until the end of that day" in Tokyo
            moments[field] = tokyo_to_utc(day, time(23, 59))
        else:
            moments[field] = tokyo_to_utc(day, clock) if day else None
    place = tidy(v("place"))
    facility = matcher.match(place, report.source)
    audience = clean(v("audience"))
    description = v("description").strip()
    values = {
        "kind": kind,
        "title": title,
        "description": description or None,
        "organizer": clean(v("organizer")) or None,
        "place_name": place or None,
        "facility_id": facility.id if facility else None,
        "district": clean(v("district")) or (facility.district if facility else None),
        "starts_at": moments["starts"],
        "ends_at": moments["ends"],
        "deadline": moments["deadline"],
        "capacity": parse_int(v("capacity")),
        "audience": audience or None,
        "audience_tags": audience_tags_for(" ".join(filter(None, (audience, title, description)))),
        "contact": clean(v("contact")) or None,
        "apply_method": clean(v("apply")) or None,
        "url": first_url(v("url")),
        "status": "published",
        "active": True,
    }
    key = keys.key(v("id"), kind, title, values["starts_at"] or "", place)
    return Record(line_no=line_no, source_key=key, values=values)
