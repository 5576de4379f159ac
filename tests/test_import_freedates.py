"""Event dates and times written as free text in cities' own layouts (issue 12: unseen layouts)."""
from datetime import date, time

import pytest

from content.importers.clocktext import leading_clock, parse_clock_bounds, parse_clock_span, session_starts
from content.importers.freedates import (
    YearHint, fiscal_year_value, month_named, parse_schedule, year_from_cells, year_from_file_name,
)
from content.importers.values import parse_capacity

D = date
AUTUMN_2024 = YearHint(today=date(2026, 11, 30), year=2024)
FISCAL_2024 = YearHint(today=date(2026, 11, 30), year=2024, fiscal=True)
NO_CONTEXT = YearHint(today=date(2026, 11, 30))


def one_day(*days):
    return [(d, d) for d in days]


@pytest.mark.parametrize("text, expected", [
    ("9月11日（水）", one_day(D(2024, 9, 11))),
    ("9月11日(aaa)", one_day(D(2024, 9, 11))),  # an annotation that is no weekday is ignored
    ("9月7日(土)～\n11月4日(月・祝) ", [(D(2024, 9, 7), D(2024, 11, 4))]),
    ("9月14日（土）\n～9月18日（水）", [(D(2024, 9, 14), D(2024, 9, 18))]),
    ("9月14日〜18日", [(D(2024, 9, 14), D(2024, 9, 18))]),
    ("10月28日～3日", [(D(2024, 10, 28), D(2024, 11, 3))]),
    ("9月28日（土）\n9月29日（日）", one_day(D(2024, 9, 28), D(2024, 9, 29))),
    ("10月4日、11日、18日、25日\nいずれも（金）", one_day(D(2024, 10, 4), D(2024, 10, 11), D(2024, 10, 18), D(2024, 10, 25))),
    ("10月11日、25日、11月8日、22日\nいずれも（金）",
     one_day(D(2024, 10, 11), D(2024, 10, 25), D(2024, 11, 8), D(2024, 11, 22))),
    ("①10月27日(日)\n②11月6日(水)\n③1月9日(木)", one_day(D(2024, 10, 27), D(2024, 11, 6), D(2025, 1, 9))),
    ("12月12日、1月9日、1月23日 いずれも（木）", one_day(D(2024, 12, 12), D(2025, 1, 9), D(2025, 1, 23))),
    ("令和6年9月7日(土)", one_day(D(2024, 9, 7))),
    ("令和元年5月1日", one_day(D(2019, 5, 1))),
    ("2025年3月1日～3月2日", [(D(2025, 3, 1), D(2025, 3, 2))]),
    ("2024/9/7～2024/9/8", [(D(2024, 9, 7), D(2024, 9, 8))]),
    ("9/7(土)、9/14(土)", one_day(D(2024, 9, 7), D(2024, 9, 14))),
    ("10月1日～10月15日 毎週火・木曜日", one_day(D(2024, 10, 1), D(2024, 10, 3), D(2024, 10, 8), D(2024, 10, 10),
                                             D(2024, 10, 15))),
    ("９月２１日（土）午後１時３０分から", one_day(D(2024, 9, 21))),
])
def test_free_text_dates_become_occurrences(text, expected):
    assert parse_schedule(text, AUTUMN_2024).spans == expected


@pytest.mark.parametrize("text", ["随時（要調整）", "日程調整し決定", "高松市ホームページ上で公開中", "9月の試合日程", "",
                                  "2月30日", "11日"])
def test_text_naming_no_readable_date_is_none(text):
    assert parse_schedule(text, AUTUMN_2024) is None


@pytest.mark.parametrize("hint, text, expected", [
    (FISCAL_2024, "1月9日", D(2025, 1, 9)),  # 令和6年度: January belongs to 2025
    (FISCAL_2024, "4月1日", D(2024, 4, 1)),
    (AUTUMN_2024, "1月9日", D(2024, 1, 9)),
    (AUTUMN_2024, "9月8日(日)", D(2024, 9, 8)),
    (YearHint(today=D(2026, 11, 30), year=2025), "9月7日(土)", D(2024, 9, 7)),  # the weekday corrects by a year
    (NO_CONTEXT, "12月5日", D(2026, 12, 5)),  # nearest to the import date
    (NO_CONTEXT, "1月10日", D(2027, 1, 10)),
    (NO_CONTEXT, "6月1日", D(2026, 6, 1)),
    (NO_CONTEXT, "9月7日(土)", D(2024, 9, 7)),  # nearest year whose 9月7日 is a Saturday
])
def test_a_yearless_date_takes_its_year_from_context(hint, text, expected):
    assert parse_schedule(text, hint).spans[0][0] == expected


@pytest.mark.parametrize("text, month, days, clocks", [
    ("10月5日(土)10:00～12:00、10月12日(土)14:00～16:00", None, [D(2024, 10, 5), D(2024, 10, 12)],
     [(time(10, 0), time(12, 0)), (time(14, 0), time(16, 0))]),
    ("【ホーム戦】\n14日（土）午後1時、15日（日）午後6時", 9, [D(2024, 9, 14), D(2024, 9, 15)],
     [(time(13, 0), None), (time(18, 0), None)]),
    ("10月4日、11日 いずれも（金）", None, [D(2024, 10, 4), D(2024, 10, 11)], []),  # no date has its own clock
])
def test_each_date_keeps_the_clock_written_after_it(text, month, days, clocks):
    schedule = parse_schedule(text, AUTUMN_2024, month=month)
    assert [first for first, _ in schedule.spans] == days and schedule.clocks == clocks


@pytest.mark.parametrize("text, expected", [("9月の試合日程", 9), ("9月7日", None), ("随時", None), ("13月", None)])
def test_a_cell_naming_only_a_month(text, expected):
    assert month_named(text) == expected


def test_a_weekday_that_fits_no_year_is_reported_and_the_date_kept():
    schedule = parse_schedule("2024年9月7日(日)", AUTUMN_2024)
    assert schedule.spans == one_day(D(2024, 9, 7))
    assert schedule.warnings == ["2024-09-07 は土曜日ですが「日」と書かれています"]


@pytest.mark.parametrize("name, expected", [
    ("takamatsu-events-2024.csv", (2024, False)),
    ("令和6年度イベント一覧.csv", (2024, True)),
    ("event_list.csv", None),
    ("372013_event_20241001.csv", None),  # a date stamp and a municipality code are not a year on their own
])
def test_year_from_the_file_name(name, expected):
    assert year_from_file_name(name) == expected


def test_year_most_written_in_the_cells_and_whether_as_a_fiscal_year():
    rows = [["令和６年度市民文化財教室", "9月7日"], ["2024年度講座", ""], ["2004（平成16）年4月1日以前生まれ"]]
    assert year_from_cells(rows) == (2024, True)
    assert year_from_cells([["9月7日"]]) is None


@pytest.mark.parametrize("text, expected", [("令和6年度", 2024), ("R6", 2024), ("2024", 2024), ("2024年度", 2024),
                                            ("", None), ("未定", None)])
def test_a_fiscal_year_column_value(text, expected):
    assert fiscal_year_value(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("午後2時05分 から 午後3時45分", (time(14, 5), time(15, 45))),
    ("13時30分～", (time(13, 30), None)),
    ("10:00-12:00", (time(10, 0), time(12, 0))),
    ("１０：００～１２：００", (time(10, 0), time(12, 0))),
    ("午前１０時～\n午後９時の間で", (time(10, 0), time(21, 0))),
    ("午後1時～4時", (time(13, 0), time(16, 0))),
    ("正午から午後1時", (time(12, 0), time(13, 0))),
    ("午前10時半開始", (time(10, 30), None)),
    ("受付 9:30 開始 10:00", (time(9, 30), None)),  # two clocks not joined by a range mark: only the first
    ("1時間程度", (None, None)),
    ("長期間イベント", (None, None)),
])
def test_japanese_clock_times_in_free_text(text, expected):
    assert parse_clock_span(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("開催時間は、午前は9時から11時、午後は1時30分から3時30分までです。", (time(9, 0), time(15, 30))),
    ("10:00～12:00、13:00～15:00の2回", (time(10, 0), time(15, 0))),
    ("午後2時05分 から 午後3時45分", (time(14, 5), time(15, 45))),
    ("受付 9:30 開会 10:00 閉会 12:00", (time(9, 30), None)),  # clocks but no range: only the first is sure
])
def test_a_note_with_several_sessions_gives_the_first_start_and_the_last_end(text, expected):
    assert parse_clock_bounds(text) == expected


@pytest.mark.parametrize("text, starts", [
    ("毎週木曜:10時30分~11時30分・19時~20時", [time(10, 30), time(19, 0)]),
    ("午前は9時から11時、午後は1時30分から3時30分まで", [time(9, 0), time(13, 30)]),
    ("13:00開演", []),  # no range: no session is sure
])
def test_every_session_a_note_gives_starts_somewhere(text, starts):
    assert session_starts(text) == starts


@pytest.mark.parametrize("text, expected", [
    ("17:00（最終入館16:30まで）", time(17, 0)),
    ("10:00\n（一部コーナーを除く）", time(10, 0)),
    ("開演 18:30", time(18, 30)),
    ("14日（土）午後1時", None),  # a day before the clock: not a time cell's own clock
    ("—", None),
])
def test_a_time_cell_is_read_by_the_clock_it_starts_with(text, expected):
    assert leading_clock(text) == expected


@pytest.mark.parametrize("text, expected", [("20", 20), ("15組（申込順）", 15), ("申込先着30人", 30), ("当日先着\n220人", 220),
                                            ("なし", None), ("", None)])
def test_a_capacity_written_in_words(text, expected):
    assert parse_capacity(text) == expected
