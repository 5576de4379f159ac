"""The console's CSV exports speak Japanese: headers, statuses, kinds and topics as staff read them."""
from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from content.post_exports import export_rows
from models import Event, Notice, Opportunity
from tests.fixtures.console.support import event_form, fast_hashing, login, make_user, post_form  # noqa: F401


@pytest.mark.parametrize("kind, record, expected", [
    ("events", Event(id=3, title="餅つき", status="published", source="city-csv", category="祭り", fee="無料",
                     starts_at=datetime(2026, 12, 12, 1, 0)),
     {"ID": "3", "状態": "公開中（取り込み）", "分類": "祭り", "参加費": "無料", "開始日時": "2026-12-12 10:00",
      "登録元": "取り込み（city-csv）"}),
    ("opportunities", Opportunity(id=4, title="清掃", status="pending", kind="workday"),
     {"状態": "承認待ち", "種類": "自治会の作業日"}),
    ("notices", Notice(id=5, title="断水", body="本文", status="approved", category="disaster",
                       topics=["disaster", "children"], districts=["中央"]),
     {"状態": "承認済み", "種類": "防災", "分野": "防災・防犯;子育て・子ども", "地区": "中央"}),
])
def test_export_rows_have_japanese_headers_and_labels(kind, record, expected):
    header, row = export_rows(kind, [record], "Asia/Tokyo")
    cells = dict(zip(header, row))
    assert all(h.isascii() is False or h == "ID" for h in header)
    assert {k: cells[k] for k in expected} == expected


def test_staff_export_of_more_than_a_page_is_complete(engine, app):
    make_user(engine, "staff@city.example.jp", "staff")
    from sqlmodel import Session

    with Session(engine) as session:
        for n in range(130):
            session.add(Event(source="test", source_key=f"e{n}", title=f"行事{n}", status="published",
                              starts_at=datetime(2026, 12, 1, 1, 0)))
        session.commit()
    client = app.test_client()
    login(client, "staff@city.example.jp")
    text = client.get("/admin/events/export.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["ID", "タイトル", "状態"] and len(rows) == 131
