"""import_path: one file (CSV in a known layout, or .ics) into the session, with its report."""
from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path

from sqlmodel import Session

from content.importers.audience import audience_tags_for
from content.importers.csvread import read_table
from content.importers.events import import_event_table
from content.importers.facilities import import_facility_table
from content.importers.faq import import_faq_table
from content.importers.ical import import_ics, is_ics, local_ics_path
from content.importers.layouts import REQUIRED, detect_layout, expected_headers, found_required
from content.importers.opportunities import import_opportunity_table
from content.importers.report import ImportReport, import_command_text
from content.importers.values import TOKYO
from models.db import as_naive_utc

KINDS = ("events", "facilities", "opportunities", "faq")
_IMPORTERS = {
    "events": import_event_table,
    "facilities": import_facility_table,
    "opportunities": import_opportunity_table,
    "faq": import_faq_table,
}
_KIND_NAMES = {"events": "イベント", "facilities": "施設", "opportunities": "参加の機会", "faq": "よくある質問"}


def import_path(session: Session, kind: str, path: str, *, now: datetime | None = None,
                year: int | None = None) -> ImportReport:
    """Import one file (CSV in a known layout, or .ics for events) into the session; never raises for bad data.

    `year`: for event dates written without one (「9月7日(土)」); see content/importers/freedates.py."""
    report = ImportReport(kind=kind, path=str(path))
    now = as_naive_utc(now)
    if kind not in KINDS:
        report.refused = f"種類「{kind}」は取り込めません。events / facilities / opportunities / faq のどれかを指定してください。"
        return report
    if is_ics(str(path)):
        if kind != "events":
            report.refused = "iCalendar（.ics）はイベントとしてだけ取り込めます（kind=events）。"
            return report
        file = local_ics_path(str(path))
        if file is not None and not file.is_file():
            report.refused = f"ファイルが見つかりません: {path}"
            return report
        try:
            import_ics(session, str(path), report, now)
        except ValueError as exc:
            report.refused = f"iCalendar として読めませんでした（{exc}）。"
        return report
    file = Path(path)
    if not file.is_file():
        report.refused = f"ファイルが見つかりません: {path}"
        return report
    try:
        table = read_table(file.read_bytes())
    except csv.Error as exc:
        report.refused = f"CSV として読めませんでした（{exc}）。"
        return report
    report.encoding = table.encoding
    layout = detect_layout(table.header, kind)
    if layout is None:
        report.refused = refusal_message(kind, table.header)
        return report
    report.layout = layout.name
    if kind == "events":
        today = now.replace(tzinfo=timezone.utc).astimezone(TOKYO).date() if now else None
        import_event_table(session, table, layout, str(path), report, year=year, today=today)
    else:
        _IMPORTERS[kind](session, table, layout, str(path), report)
    return report



def refusal_message(kind: str, header: list[str]) -> str:
    """Why a header is not a known layout for the kind: the headers expected, those found, and a likely kind."""
    found = "、".join(header[:12]) + ("…" if len(header) > 12 else "") if header else "（見出し行がありません）"
    message = (f"{_KIND_NAMES[kind]}の既知の形式ではありません。見出し行に {expected_headers(kind, header)} が"
               f"必要ですが、見つかりません。\n")
    if present := found_required(header, kind):
        message += f"必要な列のうち見つかったもの: {'、'.join('「' + name + '」' for name in present)}\n"
    message += f"見つかった見出し: {found}"
    others = [k for k in REQUIRED if k != kind and detect_layout(header, k) is not None]
    if others:
        message += f"\nこのファイルは「{_KIND_NAMES[others[0]]}」（{others[0]}）の形式のようです。"
    return message
