"""Cities' own event layouts (行事名, 催し物名, 事業名 … with free-text dates): recognised, read, one row per occurrence.

The fixtures are invented rows in the layouts of real cities' files (see tests/fixtures/opendata/README.md)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlmodel import select

from content.importers import import_path
from content.importers.csvread import normalize_header
from content.importers.layouts import detect_layout
from models import Event, Facility

FIXTURES = Path(__file__).parent / "fixtures" / "opendata"
NOW = datetime(2026, 11, 30, 3, 0)  # naive UTC, as the CLI passes it


def occurrences(session, title: str) -> list[Event]:
    """The active rows of one event title, in date order."""
    rows = session.exec(select(Event).where(Event.title == title, Event.active == True))  # noqa: E712
    return sorted(rows, key=lambda e: e.starts_at)


@pytest.mark.parametrize("header, fields", [
    ("No,対象,開催日,開始時間,終了時間,行事名,場所名称,料金,問い合わせ先（市の担当課）,TEL",
     {"title": "行事名", "start_date": "開催日", "place": "場所名称", "fee": "料金", "audience": "対象",
      "contact_name": "問い合わせ先(市の担当課)", "contact_phone": "TEL"}),
    ("催し物名,開催日時,会場名,内容,対象,費用,問合せ先",
     {"title": "催し物名", "start_date": "開催日時", "place": "会場名", "description": "内容", "fee": "費用",
      "contact_name": "問合せ先"}),
    ("年度,事業名,期間,時間,会場,対象者,受講料,お問い合わせ先",
     {"title": "事業名", "start_date": "期間", "start_time": "時間", "fiscal_year": "年度", "fee": "受講料",
      "contact_name": "お問い合わせ先"}),
    ("講座名,日時,場所,参加費,連絡先", {"title": "講座名", "start_date": "日時", "fee": "参加費", "contact_name": "連絡先"}),
])
def test_cities_header_names_are_mapped_to_event_fields(header, fields):
    names = [normalize_header(n) for n in header.split(",")]
    layout = detect_layout(names, "events")
    assert layout is not None and layout.name == "event-city"
    for field, column in fields.items():
        assert names[layout.columns[field][0]] == normalize_header(column), field


def test_a_file_with_yearless_free_text_dates_is_imported_one_row_per_occurrence(session):
    report = import_path(session, "events", str(FIXTURES / "event-city-gyoji-freetext.csv"), now=NOW)
    assert report.ok and report.layout == "event-city"
    assert (report.imported, report.skipped) == (1 + 4 + 3 + 2 + 2, 1)
    assert report.problems == [(8, "開始日「随時（要調整）」を日付として読めません")]  # the other rows are kept
    exhibition, = occurrences(session, "郷土の作家展")
    # no year anywhere but 令和６年度 in a title: 2024 (a 年度), and 9月7日 is a Saturday in 2024
    assert exhibition.starts_at == datetime(2024, 9, 7, 0, 0)  # 9:00 in Tokyo
    assert exhibition.ends_at == datetime(2024, 11, 4, 8, 0)  # 17:00 on the last day, the note kept
    assert "最終入館16:30まで" in exhibition.time_note
    assert exhibition.fee.startswith("一般300円") and exhibition.contact == "文化振興課 000-000-0001"
    yoga = occurrences(session, "はじめてのヨガ講座(全4回)")
    assert [e.starts_at.day for e in yoga] == [4, 11, 18, 25] and {e.starts_at.hour for e in yoga} == {10}
    assert len({e.series_key for e in yoga}) == 1 and yoga[0].series_key
    lecture = occurrences(session, "令和６年度 歴史講座「まちの暮らし」")
    assert [e.starts_at.date().isoformat() for e in lecture] == ["2024-10-27", "2024-11-06", "2025-01-09"]
    festival = occurrences(session, "秋の市民まつり")
    assert [e.starts_at.day for e in festival] == [28, 29] and festival[0].place_name == "中央公園"
    # 「10月の試合日程」: the days and each day's own clock are in the time cell
    games = occurrences(session, "プロ野球を応援しよう")
    assert [e.starts_at for e in games] == [datetime(2024, 10, 5, 9, 0), datetime(2024, 10, 13, 4, 0)]
    assert "—" not in games[0].time_note


def test_reimporting_a_file_of_occurrences_changes_nothing(session):
    path = str(FIXTURES / "event-city-gyoji-freetext.csv")
    import_path(session, "events", path, now=NOW)
    again = import_path(session, "events", path, now=NOW)
    assert (again.imported, again.updated, again.unchanged, again.retired) == (0, 0, 12, 0)


def test_the_year_option_wins_over_the_file(session):
    import_path(session, "events", str(FIXTURES / "event-city-gyoji-freetext.csv"), now=NOW, year=2030)
    festival = occurrences(session, "秋の市民まつり")
    assert [e.starts_at.date().isoformat() for e in festival] == ["2030-09-28", "2030-09-29"]


def test_date_and_time_in_one_cell_in_cp932(session):
    report = import_path(session, "events", str(FIXTURES / "event-city-moyooshi-nichiji.csv"), now=NOW)
    assert report.encoding == "cp932" and report.imported == 3
    # ロビーコンサート spans two lines, so the last row starts on line 6
    assert report.problems == [(6, "開始日「日程は後日お知らせします」を日付として読めません")]
    craft, = occurrences(session, "親子で楽しむ科学工作")
    assert (craft.starts_at, craft.ends_at) == (datetime(2024, 10, 5, 4, 30), datetime(2024, 10, 5, 6, 0))
    assert craft.place_name == "こども科学館 工作室" and craft.audience == "小学生と保護者"
    assert craft.fee == "1組500円(材料費)" and craft.is_free is False and craft.capacity == 15
    concert, = occurrences(session, "ロビーコンサート")
    # the year written in the other rows (2024) carries to 「12月1日（日）」
    assert (concert.starts_at, concert.ends_at) == (datetime(2024, 12, 1, 5, 0), datetime(2024, 12, 1, 5, 40))


def test_a_fiscal_year_column_and_every_week_within_a_period(session):
    report = import_path(session, "events", str(FIXTURES / "event-city-jigyo-kikan.csv"), now=NOW)
    assert report.skipped == 0 and report.imported == 5 + 1 + 1
    walking = occurrences(session, "健康ウォーキング教室")
    assert [e.starts_at.day for e in walking] == [1, 8, 15, 22, 29]
    assert (walking[0].starts_at, walking[0].ends_at) == (datetime(2024, 10, 1, 0, 30), datetime(2024, 10, 1, 2, 0))
    cooking, = occurrences(session, "冬の料理教室")
    assert cooking.starts_at == datetime(2025, 2, 8, 1, 0)  # 令和6年度: February is in 2025
    photos, = occurrences(session, "春の写真展")
    assert photos.all_day and photos.starts_at == datetime(2025, 3, 19, 15, 0)
    assert photos.ends_at == datetime(2025, 3, 25, 15, 0)


def test_a_japanese_clock_in_the_time_note_gives_the_times(session, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("イベント名,開始日,日時備考\n星を見る会,2026-12-05,午後2時05分 から 午後3時45分\n"
                    "昔の道具展,2026-12-06,長期間イベント\n", encoding="utf-8")
    import_path(session, "events", str(path), now=NOW)
    stars, = occurrences(session, "星を見る会")
    assert (stars.starts_at, stars.ends_at, stars.all_day) == (datetime(2026, 12, 5, 5, 5), datetime(2026, 12, 5, 6, 45),
                                                               False)
    tools, = occurrences(session, "昔の道具展")
    assert tools.all_day


def test_a_layout_without_a_title_column_names_what_was_found_and_what_is_missing(session, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("番号,開催日,会場名,内容\n1,9月7日,中央公園,ステージ\n", encoding="utf-8")
    report = import_path(session, "events", str(path), now=NOW)
    assert report.refused
    assert "「行事名」" in report.refused and "「催し物名」" in report.refused  # the title names it looks for
    assert "会場名" in report.refused  # what the file has


@pytest.mark.parametrize("header, fields", [
    ("施設名称,所在地,TEL,開館時間,休館日", {"name": "施設名称", "address": "所在地", "phone": "TEL", "open_time": "開館時間",
                                     "closed": "休館日"}),
    ("施設名,住所,電話,開館時間帯,休園日", {"name": "施設名", "phone": "電話", "hours_note": "開館時間帯", "closed": "休園日"}),
    # a town's own list of sightseeing spots names them by their kind, and links its page about each
    ("観光スポット名称,所在地,緯度,経度,座標系,説明,八丈町ホームページ記載",
     {"name": "観光スポット名称", "address": "所在地", "description": "説明", "url": "八丈町ホームページ記載"}),
    ("公園名,住所,面積,遊具", {"name": "公園名", "address": "住所"}),
])
def test_facility_header_names_of_cities_own_lists_are_mapped(header, fields):
    names = [normalize_header(n) for n in header.split(",")]
    layout = detect_layout(names, "facilities")
    assert layout is not None
    for field, column in fields.items():
        assert names[layout.columns[field][0]] == column, field


def test_a_facility_file_with_the_standard_english_item_names_is_imported(session):
    from models import Facility

    report = import_path(session, "facilities", str(FIXTURES / "facility-english-items.csv"), now=NOW)
    assert report.ok and (report.imported, report.skipped) == (2, 0)
    museum = session.exec(select(Facility).where(Facility.name == "島の資料館")).one()
    assert (museum.address, museum.phone) == ("架空市島町15-22", "000-000-0102")
    assert "8/1から8/20までは18:00まで" in (museum.hours_text or "") and "300円" in (museum.fee or "")
    assert museum.latitude == pytest.approx(34.389)


def test_a_sightseeing_list_without_a_phone_column_gives_the_phone_its_description_states(session, tmp_path):
    path = tmp_path / "spots.csv"
    path.write_text("観光スポット名称,所在地,説明,町ホームページ記載\n"
                    "めゆ工房,八丈町中之郷1,黄八丈の機織りを見学できます。\n【電話】04996-7-0411,https://example.jp/a\n"
                    "登龍峠展望,,八丈富士を一望できます。,https://example.jp/b\n".replace("\n【", "【"), encoding="utf-8")
    report = import_path(session, "facilities", str(path), now=NOW)
    assert report.ok and report.imported == 2
    by_name = {f.name: f for f in session.exec(select(Facility))}
    assert by_name["めゆ工房"].phone == "04996-7-0411" and by_name["めゆ工房"].url == "https://example.jp/a"
    assert by_name["登龍峠展望"].phone is None  # no number stated: none made up


@pytest.mark.parametrize("text, phone", [
    ("【電話】04996-7-0411", "04996-7-0411"), ("TEL：0859-27-0606 まで", "0859-27-0606"),
    ("お問い合わせ 電話 (03)1234-5678", "(03)1234-5678"), ("2021年3月開館、面積0123456789㎡", ""),
])
def test_a_phone_is_read_from_text_only_under_a_phone_label(text, phone):
    from content.importers.facilities import phone_in_text
    assert phone_in_text(text) == phone


@pytest.mark.parametrize("note, shown", [
    ("新型コロナウイルス感染症拡大防止のため中止", "【中止】新型コロナウイルス感染症拡大防止のため中止"),
    ("本年度の開催は中止となりました。", "【中止】本年度の開催は中止となりました"),
    ("小雨決行・荒天中止(順延日なし)", None),  # when it would be called off, not that it is
    ("雨天の場合は中止します", None),
    ("中止になる場合があります", None),
])
def test_a_note_calling_the_event_off_is_said_first(session, tmp_path, note, shown):
    path = tmp_path / "events.csv"
    path.write_text(f"イベント名,開始日,説明,備考\n花火大会,2020-06-06,川面に映える花火,{note}\n", encoding="utf-8")
    assert import_path(session, "events", str(path), now=NOW).ok
    event, = session.exec(select(Event))
    assert event.active and (event.description.splitlines()[0] == shown if shown else "【中止】" not in event.description)


@pytest.mark.parametrize("note, days", [
    # 墨田区's base-registry rows file an eight-week class under its first date and list the others in 日時備考
    ("日時:2022-01-24;2022-01-31;2022-02-07", [24, 31, 38]),
    ("1月24日、1月31日", [24, 31]),
    ("雨天の場合は1月31日に順延", [24]),  # a rain date is no second occurrence (the first day is not in the list)
    ("日時:2022-01-17;2022-01-24", [24]),  # a list reaching before the published first day is not this row's
])
def test_dates_the_time_note_lists_beside_the_first_day_are_occurrences(session, tmp_path, note, days):
    path = tmp_path / "events.csv"
    path.write_text(f"イベント名,開始日,開始時刻,日時備考\n男性の栄養教室,2022-01-24,10:00,\"{note}\"\n", encoding="utf-8")
    assert import_path(session, "events", str(path), now=NOW).ok
    held = occurrences(session, "男性の栄養教室")
    assert [(e.starts_at - datetime(2022, 1, 1)).days + 1 for e in held] == days
    assert all(e.starts_at.hour == 1 for e in held)  # 10:00 in Tokyo, stored as UTC


def test_closed_days_written_in_the_open_days_column_are_closed_days(session, tmp_path):
    """京都府's 観光施設一覧 writes 「休日：第1・第3日曜日、年末年始」 in 利用可能曜日: those are the days it is shut."""
    path = tmp_path / "kyoto.csv"
    path.write_text("名称,住所,利用可能曜日,利用可能日時特記事項\n"
                    "薫玉堂,京都府京都市下京区堀川通,休日：第1・第3日曜日、年末年始,9時～17時30分\n"
                    "渉成園,京都府京都市下京区東玉水町,休日：無休,9時～17時\n", encoding="utf-8")
    assert import_path(session, "facilities", str(path), now=NOW).ok
    by_name = {f.name: f for f in session.exec(select(Facility))}
    assert (by_name["薫玉堂"].hours_text, by_name["薫玉堂"].closed_text) == ("9時～17時30分", "第1・第3日曜日、年末年始")
    assert by_name["渉成園"].closed_text == "無休"


def test_an_event_with_no_contact_takes_the_phone_its_address_gives(session, tmp_path):
    """「掛川市五明925-1 電話 0537-28-0811」 in 住所 and no contact columns filled: that phone is the contact."""
    path = tmp_path / "events.csv"
    path.write_text("イベント名,開始日,場所名称,住所,定員\n"
                    "月夜の茶摘み会,2026-04-19,五明の茶畑,掛川市五明925-1 電話 0537-28-0811,10名/回\n", encoding="utf-8")
    assert import_path(session, "events", str(path), now=NOW).ok
    event, = session.exec(select(Event))
    assert event.contact == "0537-28-0811"
    assert event.capacity == 10 and "定員: 10名/回" in event.description  # the file's own words kept
