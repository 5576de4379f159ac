"""A city sets up its own 地区 (names, kana, the facilities in each) from a CSV or the console; onboarding,
segments and the search use them."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlmodel import select

from content import districts
from content import residents as rs
from models import District, Facility, Notice, Resident
from tests.residents_support import Resident_

GOOD = "地区名,ふりがな,施設\n中央地区,ちゅうおうちく,中央公民館、市立図書館\n北地区,きたちく,\n南地区,ミナミチク,総合体育館\n"


@pytest.fixture
def facilities(session):
    """Three facilities without a district yet."""
    for name in ("中央公民館", "市立図書館", "総合体育館"):
        session.add(Facility(source="test", source_key=name, name=name))
    session.flush()
    return session


def district_of(session, facility_name: str) -> str | None:
    """The district a facility is in."""
    return session.exec(select(Facility).where(Facility.name == facility_name)).one().district


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_a_districts_csv_sets_names_kana_order_and_facilities(facilities, encoding):
    report = districts.import_districts(facilities, GOOD.encode(encoding))
    assert report.problems == [] and (report.added, report.facilities) == (3, 3)
    rows = facilities.exec(select(District).order_by(District.position)).all()
    assert [(d.name, d.kana) for d in rows] == [("中央地区", "ちゅうおうちく"), ("北地区", "きたちく"), ("南地区", "ミナミチク")]
    assert rs.district_names(facilities) == ["中央地区", "北地区", "南地区"]
    assert (district_of(facilities, "市立図書館"), district_of(facilities, "総合体育館")) == ("中央地区", "南地区")


@pytest.mark.parametrize("text, problem", [
    ("地区名,ふりがな\n中央地区,ちゅうおう\n,きた\n", "3行目: 地区名が空です。"),
    ("地区名,ふりがな\n中央地区,chuo\n", "2行目: ふりがなは、ひらがなかカタカナで入力してください。"),
    ("地区名,施設\n中央地区,\n# 北はあとで\n中央地区,\n", "4行目: 「中央地区」は2行目と重複しています。"),
    ("地区名,施設\n中央地区,中央公民館、どこか会館\n", "2行目: 施設「どこか会館」が見つかりません"),
    ("名前,よみ\n中央,ちゅうおう\n", "1行目: 見出しに「地区名」がありません"),
])
def test_a_bad_row_refuses_the_file_with_its_line_and_changes_nothing(facilities, text, problem):
    facilities.add(District(name="既存地区", position=0))
    facilities.flush()
    report = districts.import_districts(facilities, text.encode())
    assert any(p.startswith(problem) for p in report.problems), report.problems
    assert "何も変更していません" in report.format()
    assert rs.district_names(facilities) == ["既存地区"]
    assert district_of(facilities, "中央公民館") is None


def test_importing_again_updates_and_keeps_districts_not_in_the_file(facilities):
    facilities.add(District(name="旧市街", position=0))
    districts.import_districts(facilities, GOOD.encode())
    again = districts.import_districts(facilities, "地区名,ふりがな\n北地区,きたく\n".encode())
    assert (again.added, again.updated) == (0, 1)
    assert rs.district_names(facilities)[0] == "北地区" and "旧市街" in rs.district_names(facilities)
    assert facilities.exec(select(District).where(District.name == "北地区")).one().kana == "きたく"


def test_renaming_a_district_carries_to_facilities_and_residents(facilities):
    districts.import_districts(facilities, GOOD.encode())
    facilities.add(Resident(line_user_id="U" + "5" * 32, district="北地区"))
    north = facilities.exec(select(District).where(District.name == "北地区")).one()
    gym = facilities.exec(select(Facility).where(Facility.name == "総合体育館")).one()
    districts.save_district(facilities, north, "北部地区", "ほくぶちく", [gym.id])
    assert facilities.exec(select(Resident)).one().district == "北部地区"
    assert district_of(facilities, "総合体育館") == "北部地区"
    assert rs.district_names(facilities) == ["中央地区", "北部地区", "南地区"]


def notice_for(session, *districts_, status: str = "approved", delivered: str | None = None) -> Notice:
    """A notice to these districts; `delivered` queues its send and leaves the delivery in that state."""
    from content.notices import queue_notice

    notice = Notice(title="断水のお知らせ", body="12日は断水します。", status=status, districts=list(districts_),
                    segment={"district": list(districts_)})
    session.add(notice)
    session.flush()
    if delivered:
        queue_notice(session, notice).state = delivered
    session.flush()
    return notice


def test_renaming_a_district_carries_to_notices_not_yet_sent_and_their_waiting_sends(facilities):
    from content.deliveries import deliveries_for, eligible_recipients

    districts.import_districts(facilities, GOOD.encode())
    resident = Resident(line_user_id="U" + "5" * 32, district="北地区")
    facilities.add(resident)
    draft = notice_for(facilities, "北地区", "南地区", status="draft")
    waiting = notice_for(facilities, "北地区", delivered="queued")
    sent = notice_for(facilities, "北地区", delivered="done")
    north = facilities.exec(select(District).where(District.name == "北地区")).one()
    districts.save_district(facilities, north, "北部地区", "ほくぶちく", [])
    facilities.flush()
    for notice in (draft, waiting, sent):
        facilities.refresh(notice)
    assert draft.segment == {"district": ["北部地区", "南地区"]} and draft.districts == ["北部地区", "南地区"]
    assert waiting.segment == {"district": ["北部地区"]} and waiting.districts == ["北部地区"]
    waiting_send = deliveries_for(facilities, "notice", waiting.id)[0]
    assert waiting_send.segment == {"district": ["北部地区"]}
    assert [row[0] for row in eligible_recipients(facilities, waiting_send)] == [resident.id]  # still reaches them
    # What went out keeps the name it went out with.
    assert sent.segment == {"district": ["北地区"]}
    assert deliveries_for(facilities, "notice", sent.id)[0].segment == {"district": ["北地区"]}


def test_onboarding_offers_the_imported_districts(facilities):
    districts.import_districts(facilities, GOOD.encode())
    you = Resident_(facilities)
    you.follow()
    you.tap("日本語")
    assert you.labels()[:3] == ["中央地区", "北地区", "南地区"]
    you.tap("南地区")
    assert you.row.district == "南地区"


def test_the_search_knows_a_district_by_its_new_name(facilities):
    from content.search.index import clear_cache, current_index

    clear_cache()
    districts.import_districts(facilities, GOOD.encode())
    facilities.commit()
    assert "北地区" in [name for _id, name, _kana in current_index(facilities).districts]
    north = facilities.exec(select(District).where(District.name == "北地区")).one()
    districts.save_district(facilities, north, "北部地区", "ほくぶちく", [])
    facilities.commit()
    assert "北部地区" in [name for _id, name, _kana in current_index(facilities).districts]  # rebuilt, no restart


def test_cli_imports_districts_and_refuses_bad_rows_with_exit_2(monkeypatch, tmp_path):
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'city.db'}")
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    good, bad = tmp_path / "districts.csv", tmp_path / "bad.csv"
    good.write_text("地区名,ふりがな\n中央地区,ちゅうおうちく\n北地区,きたちく\n", encoding="utf-8-sig")
    bad.write_text("地区名,ふりがな\n西地区,にし\n,ひがし\n", encoding="utf-8")
    done = runner.invoke(main, ["import", "districts", str(good)])
    assert done.exit_code == 0 and "地区 2件を追加" in done.output
    refused = runner.invoke(main, ["import", "districts", str(bad)])
    assert refused.exit_code == 2 and "3行目: 地区名が空です。" in refused.output
