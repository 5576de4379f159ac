"""The console's CSV exports of posts: Japanese headers and labels, local times, formula-like text defused."""
from __future__ import annotations

from typing import Callable

from content.posts import NOTICE_CATEGORIES, OPPORTUNITY_KINDS, STATUS_LABELS, to_local
from content.topics import topic_by_code


def _label(labels: dict) -> Callable[[object], str]:
    """A formatter showing a code by its Japanese label (an unknown code as it is)."""
    return lambda value: labels.get(value, value)


def _source(value) -> str:
    """Where a post came from, in Japanese."""
    return "コンソール" if value in (None, "console") else f"取り込み（{value}）"


def _topics(codes) -> list[str]:
    """Topic codes as their Japanese labels."""
    return [topic.label if (topic := topic_by_code(code)) else code for code in codes or []]


# (attribute, header, formatter or None): the columns a city's staff reads in Excel.
COLUMNS = {
    "events": (("id", "ID", None), ("title", "タイトル", None), ("status", "状態", _label(STATUS_LABELS)),
               ("category", "分類", None), ("starts_at", "開始日時", None), ("ends_at", "終了日時", None),
               ("place_name", "場所", None), ("organizer", "主催", None), ("fee", "参加費", None),
               ("capacity", "定員", None), ("source", "登録元", _source)),
    "opportunities": (("id", "ID", None), ("title", "タイトル", None), ("status", "状態", _label(STATUS_LABELS)),
                      ("kind", "種類", _label(OPPORTUNITY_KINDS)), ("starts_at", "開始日時", None),
                      ("deadline", "締切", None), ("place_name", "場所", None), ("organizer", "主催", None),
                      ("capacity", "定員", None)),
    "notices": (("id", "ID", None), ("title", "タイトル", None), ("status", "状態", _label(STATUS_LABELS)),
                ("category", "種類", _label(NOTICE_CATEGORIES)), ("send_at", "配信日時", None),
                ("districts", "地区", None), ("topics", "分野", _topics)),
}


def export_rows(kind: str, records, tz: str) -> list[list[str]]:
    """The header and one row per record, every cell a string safe to open in a spreadsheet."""
    columns = COLUMNS[kind]
    rows = [[header for _, header, _ in columns]]
    for record in records:
        rows.append([_cell(fmt(value) if fmt and value is not None else value, tz)
                     for name, _, fmt in columns for value in [getattr(record, name, None)]])
    return rows


def _cell(value, tz: str) -> str:
    """One cell: local times, lists joined, and a leading quote on formula-like text (CSV injection)."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return to_local(value, tz).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list):
        value = ";".join(map(str, value))
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
