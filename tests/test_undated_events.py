"""A year-round programme imported without a date (the importer keeps it, issue 12): the console lists it, shows
its page and exports it, and the chat's calendar and sign-up paths treat it as having no day."""
from __future__ import annotations

import pytest
from sqlmodel import select

from content.importers import import_path
from models import Event
from tests.fixtures.console.support import admin, fast_hashing  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashing")
UNDATED = ("イベント名,開始日,終了日,場所名称,説明,URL\n"
           "ティータイムコンサート,,,市民ホール ロビー,毎月のロビーコンサート。日程はホームページで。,https://example.jp/tea\n"
           "秋の音楽会,2026-12-12,2026-12-12,市民ホール,ピアノの演奏会。,\n")


@pytest.fixture
def undated(session, tmp_path) -> Event:
    """The demo-free database with one undated and one dated event imported from a file."""
    path = tmp_path / "events.csv"
    path.write_text(UNDATED, encoding="utf-8")
    assert import_path(session, "events", str(path)).imported == 2
    session.commit()
    return session.exec(select(Event).where(Event.title == "ティータイムコンサート")).one()


def test_an_undated_programme_is_imported_without_a_start(undated):
    assert undated.starts_at is None and undated.description.startswith("毎月のロビーコンサート")


@pytest.mark.parametrize("path", ["/admin/events/", "/admin/events/{id}", "/admin/events/export.csv"])
def test_the_console_lists_shows_and_exports_an_undated_programme(admin, undated, path):
    response = admin.get(path.format(id=undated.id))
    assert response.status_code == 200
    assert "ティータイムコンサート" in response.get_data(as_text=True)
