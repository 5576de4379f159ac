"""The city's FAQ from a CSV of our own layout (docs/faq-csv.md): 質問, 回答 and optional paraphrases, keywords."""
from __future__ import annotations

import re

from sqlmodel import Session

from content.importers.csvread import CsvTable
from content.importers.events import first_url
from content.importers.keys import KeyMaker, source_name
from content.importers.layouts import Layout
from content.importers.report import ImportReport
from content.importers.sync import Record, sync_rows
from content.importers.values import clean, tidy
from models import FaqEntry

_LIST_SEPARATORS = re.compile(r"[;；\n]|(?<=\S)\s*[、,，]\s*(?=\S)")


def split_list(text: str) -> list[str]:
    """`;`-separated cells (キーワード, 質問_別表現) as a list; 、 and , separate too, blanks dropped."""
    return [part.strip() for part in _LIST_SEPARATORS.split(text or "") if part.strip()]


def import_faq_table(session: Session, table: CsvTable, layout: Layout, path: str, report: ImportReport) -> None:
    """Parse every row of an FAQ CSV and sync them into FaqEntry rows of one source (rows gone are retired)."""
    report.source = source_name(layout.name, "", path)
    keys = KeyMaker([layout.value(cells, "id") for _, cells in table.rows])
    sync_rows(session, FaqEntry, table.rows, lambda line_no, cells: faq_record(layout, cells, line_no, keys, report),
              report)


def faq_record(layout: Layout, cells: list[str], line_no: int, keys: KeyMaker, report: ImportReport) -> Record | None:
    """One row as a Record, or None (reason in the report) when the question or the answer is missing."""
    v = lambda field: layout.value(cells, field)  # noqa: E731
    question = tidy(v("question"))
    answer = v("answer").strip()
    if not question:
        report.skip(line_no, "質問がありません")
        return None
    if not answer:
        report.skip(line_no, "回答がありません")
        return None
    url = first_url(v("url"))
    if v("url").strip() and url is None:
        report.warnings.append((line_no, f"URL「{v('url').strip()[:60]}」は http(s) のアドレスではないため省きました"))
    values = {
        "question": question,
        "paraphrases": "\n".join(split_list(v("paraphrases"))) or None,
        "answer": answer,
        "url": url,
        "keywords": "\n".join(split_list(v("keywords"))) or None,
        "category": clean(v("category")) or None,
        "department": clean(v("department")) or None,
        "phone": clean(v("phone")) or None,
        "active": True,
    }
    return Record(line_no=line_no, source_key=keys.key(v("id"), question), values=values)
