"""Table tests for the value quirks of municipal open data (pure functions, no database)."""
from datetime import date, datetime, time

import pytest

from content.importers.audience import audience_tags_for
from content.importers.csvread import decode_bytes, read_table
from content.importers.hours import split_hours_text, structured_hours
from content.importers.values import (
    fee_is_free, format_fee, is_excel_mangled, name_variants, parse_date, parse_datetime, parse_int, parse_time,
    split_places, tokyo_to_utc,
)


@pytest.mark.parametrize("text, expected", [
    ("2026-04-02", date(2026, 4, 2)),
    ("2026/4/2", date(2026, 4, 2)),
    ("2026/04/02 0:00", date(2026, 4, 2)),
    ("２０２６／４／２", date(2026, 4, 2)),
    ("2026年4月2日", date(2026, 4, 2)),
    ("令和8年4月2日", date(2026, 4, 2)),
    ("令和元年5月1日", date(2019, 5, 1)),
    ("平成31年4月30日", date(2019, 4, 30)),
    ("R8.4.2", date(2026, 4, 2)),
    ("20260402", date(2026, 4, 2)),
    ("46114", date(2026, 4, 2)),  # Excel serial
    ("2026/2/30", None),
    ("来週のどこか", None),
    ("", None),
])
def test_dates_in_every_published_form_are_read(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("9:00", time(9, 0)),
    ("09:30", time(9, 30)),
    ("９：００", time(9, 0)),
    ("15:30:00", time(15, 30)),
    ("9時30分", time(9, 30)),
    ("午後1時30分", time(13, 30)),
    ("午前10時", time(10, 0)),
    ("0:00", None),  # "no time given"
    ("00:00", None),
    ("24:00", time(23, 59)),
    ("午前中", None),
    ("", None),
])
def test_times_unpadded_fullwidth_and_zero_meaning_none(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("2026/4/2 9:00", (date(2026, 4, 2), time(9, 0))),
    ("2026-04-02T18:30", (date(2026, 4, 2), time(18, 30))),
    ("2026/4/2", (date(2026, 4, 2), None)),
    ("", (None, None)),
])
def test_date_and_time_in_one_cell(text, expected):
    assert parse_datetime(text) == expected


def test_tokyo_times_are_stored_as_naive_utc():
    assert tokyo_to_utc(date(2026, 4, 2), time(9, 0)) == datetime(2026, 4, 2, 0, 0)
    assert tokyo_to_utc(date(2026, 4, 2), None) == datetime(2026, 4, 1, 15, 0)


@pytest.mark.parametrize("text, expected", [
    ("20", 20), ("1,200", 1200), ("１５", 15), ("15組（申込順）", 15), ("1.00E+01", 10), ("", None), ("若干名", None),
])
def test_numbers_including_excel_mangled_ones(text, expected):
    assert parse_int(text) == expected


@pytest.mark.parametrize("text, expected", [("1.00E+12", True), ("1.2E+05", True), ("18314", False), ("", False)])
def test_excel_mangled_identifiers_are_recognised(text, expected):
    assert is_excel_mangled(text) is expected


@pytest.mark.parametrize("basic, detail, text, free", [
    ("0", "", "無料", True),
    ("無料", "", "無料", True),
    ("600", "保険料、消耗品代", "600円（保険料、消耗品代）", False),
    ("", "受講料は無料。", "受講料は無料。", True),
    ("", "参加費一組につき300円", "参加費一組につき300円", False),
    ("", "", "", None),
])
def test_fees_are_formatted_and_classified(basic, detail, text, free):
    fee = format_fee(basic, detail)
    assert fee == text
    assert fee_is_free(fee) is free


def test_several_places_in_one_field_are_split():
    assert split_places("浜当目海岸、石津海岸公園付近の海岸、一色海岸") == ["浜当目海岸", "石津海岸公園付近の海岸", "一色海岸"]


def test_a_name_with_its_popular_name_in_brackets_gives_both():
    assert name_variants("駿河湾深層水利用促進交流施設（深層水ミュージアム）") == ["駿河湾深層水利用促進交流施設", "深層水ミュージアム"]


@pytest.mark.parametrize("text, hours, closed", [
    ("【開館時間】9:00～17:00 【休館日】火曜日(火曜日が祝日の場合は翌日)、年末年始",
     "9:00～17:00", "火曜日(火曜日が祝日の場合は翌日)、年末年始"),
    ("【開館時間】8:30-21:00", "8:30-21:00", ""),
    ("【開館時間】平日：12:00～18:30\u3000\u3000土曜日：7:30～17:30 【休館日】日曜日、祝祭日",
     "平日:12:00～18:30 土曜日:7:30～17:30", "日曜日、祝祭日"),
    ("年末年始休館", "", "年末年始休館"),
    ("不定休。日曜日・祝祭日は9:30～16:30", "日曜日・祝祭日は9:30～16:30", "不定休"),
    ("随時見学可能", "随時見学可能", ""),
    ("", "", ""),
])
def test_free_text_hours_are_split_into_hours_and_closed_days(text, hours, closed):
    assert split_hours_text(text) == (hours, closed)


def test_structured_hours_read_as_one_line():
    assert structured_hours("火水木金土日", "9:00", "17:00") == "9:00～17:00（火水木金土日）"


@pytest.mark.parametrize("text, tags", [
    ("こども向け", ["children"]),
    ("どなたでも", ["anyone"]),
    ("高齢者向け", ["seniors"]),
    ("対象者検索対象外", []),
    ("乳幼児とその保護者", ["children", "parents"]),
    ("親子で楽しむおはなし会(0・1歳)", ["children", "parents"]),
    ("小学3年生～6年生", ["children", "elementary"]),
    ("65歳以上の方", ["seniors"]),
    ("中学生以上の方", []),
    ("どなたでも（小学生以下は保護者同伴）", ["anyone"]),
    ("障がいのある方とそのご家族、どなたでも", ["disabled", "anyone"]),
    ("手話奉仕員養成講座", ["disabled"]),
    ("", []),
    (None, []),
])
def test_audience_tags_from_free_text(text, tags):
    assert audience_tags_for(text) == tags


@pytest.mark.parametrize("data, encoding", [
    ("名称,住所\n".encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + "名称,住所\n".encode("utf-8"), "utf-8-sig"),
    ("名称,住所\n髙草山①\n".encode("cp932"), "cp932"),
])
def test_encodings_are_detected(data, encoding):
    text, found = decode_bytes(data)
    assert found == encoding
    assert text.lstrip("\ufeff").startswith("名称,住所")


def test_comment_lines_are_skipped_and_line_numbers_count_physical_lines():
    data = '# コメント\r\nA,B\r\n1,"複数行\r\nの値"\r\n\r\n2,"x, y"\r\n'.encode("cp932")
    table = read_table(data)
    assert table.header == ["A", "B"]
    assert table.header_line == 2
    assert table.rows == [(3, ["1", "複数行\r\nの値"]), (6, ["2", "x, y"])]


@pytest.mark.parametrize("cell, expected", [
    ("https://city.example.jp/a.html", "https://city.example.jp/a.html"),
    ("https://a.example.jp/a.html\nhttps://b.example.jp 詳細", "https://a.example.jp/a.html"),
    ("詳しくは https://city.example.jp/イベント をご覧ください", "https://city.example.jp/%E3%82%A4%E3%83%99%E3%83%B3%E3%83%88"),
    ("なし", None),
])
def test_first_url_takes_one_percent_encoded_url_from_a_cell(cell, expected):
    from content.importers.events import first_url

    assert first_url(cell) == expected
