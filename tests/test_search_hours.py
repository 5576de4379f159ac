"""Opening hours and closed days read from published free text."""
from __future__ import annotations

from datetime import date, time

import pytest

from content.search.facility_hours import hours_on, parse_hours


@pytest.mark.parametrize("hours_text, closed_text, kind, ranges", [
    ("9:00～17:00", None, "default", [(time(9), time(17))]),
    ("9：00～21：30", None, "default", [(time(9), time(21, 30))]),
    ("8:30-21:00", None, "default", [(time(8, 30), time(21))]),
    ("8時30分　～　17時15分", None, "default", [(time(8, 30), time(17, 15))]),
    ("午前９時　から　午後９時", None, "default", [(time(9), time(21))]),
    ("【開館時間】8:30～１7:15（不定期）", None, "default", [(time(8, 30), time(17, 15))]),
    ("平日　9：00～17：00 土日祝　10：00～19：00", None, "sat", [(time(10), time(19))]),
    ("平日：12:00～18:30　土曜日：7:30～16:30 長期休暇：7:30～18:30", None, "weekday", [(time(12), time(18, 30))]),
])
def test_hours_ranges_are_read(hours_text, closed_text, kind, ranges):
    assert parse_hours(hours_text, closed_text).ranges[kind] == ranges


@pytest.mark.parametrize("closed_text, weekdays, nth, holidays", [
    ("毎週月曜日", {0}, set(), False),
    ("月曜日（祝日の場合は翌平日）、年末年始", {0}, set(), False),
    ("土曜日、日曜日、祝日", {5, 6}, set(), True),
    ("土・日、祝日", {5, 6}, set(), True),
    ("土日曜日、祝休日", {5, 6}, set(), True),
    ("第2火曜日", set(), {(2, 1)}, False),
    ("月の第3日曜日、祝日", set(), {(3, 6)}, True),
    ("毎月第2・第4火曜日", set(), {(2, 1), (4, 1)}, False),
    ("日曜日、国民の祝日に関する法律に規定する休日", {6}, set(), True),
])
def test_closed_day_rules_are_read(closed_text, weekdays, nth, holidays):
    info = parse_hours(None, closed_text)
    assert (info.closed_weekdays, info.closed_nth, info.closed_holidays) == (weekdays, nth, holidays)
    assert info.closed_understood


@pytest.mark.parametrize("text, day, status", [
    ("【開館時間】9:00～17:00 【休館日】月曜日", date(2026, 11, 30), "closed"),  # a Monday
    ("【開館時間】9:00～17:00 【休館日】月曜日", date(2026, 12, 1), "open"),
    ("【開館時間】9:00～17:00 【休館日】年末年始", date(2027, 1, 2), "closed"),
    ("【開館時間】9:00～21:30 【休館日】12月29日から翌年１月３日まで", date(2026, 12, 29), "closed"),
    ("【開館時間】9:00～17:00 【休館日】月曜日、祝日、12/29～1/3", date(2026, 11, 23), "closed"),  # 勤労感謝の日
    # 月曜日が祝日なら開館し、翌平日が休館
    ("【開館時間】9:00～21:30 【休館日】月曜日（月曜日が祝日又は振替休日のときはその翌平日）", date(2026, 11, 23), "open"),
    ("【開館時間】9:00～21:30 【休館日】月曜日（月曜日が祝日又は振替休日のときはその翌平日）", date(2026, 11, 24), "closed"),
    ("【休館日】祝日の翌日 【開館時間】9:00～17:00", date(2026, 11, 24), "closed"),
    ("【開館時間】9:00～17:00 【休館日】第2火曜日", date(2026, 12, 8), "closed"),
    ("【開館時間】9:00～17:00 【休館日】第2火曜日", date(2026, 12, 15), "open"),
    ("【開館時間】24時間 【休館日】なし", date(2027, 1, 1), "open"),
    ("【開館時間】不定期 【休館日】不定期", date(2026, 12, 1), "unknown"),
    ("【開館時間】未定", date(2026, 12, 1), "unknown"),
])
def test_status_on_a_given_day(text, day, status):
    assert hours_on(parse_hours(text), day).status == status


NONOICHI_GYM = ("9:00～22:00（月火水木金土日） 日曜、祝日は9:00から18:00まで。月曜日（祝日にあたる場合はその翌日）は13:00から"
                "22:00まで。12月28日から1月4日は利用不可")


@pytest.mark.parametrize("text, day, ranges", [
    (NONOICHI_GYM, date(2022, 6, 13), [(time(13), time(22))]),  # a Monday: its own note
    (NONOICHI_GYM, date(2022, 6, 14), [(time(9), time(22))]),  # a Tuesday: the usual hours
    (NONOICHI_GYM, date(2022, 6, 12), [(time(9), time(18))]),  # a Sunday
    (NONOICHI_GYM, date(2022, 7, 18), [(time(9), time(18))]),  # 海の日, a Monday holiday: the holiday's hours
    ("月～金 9:00～17:00 土 9:00～12:00", date(2026, 12, 2), [(time(9), time(17))]),
    ("9:00～21:00 火・木は9:00から17:00まで", date(2026, 12, 3), [(time(9), time(17))]),  # a Thursday
    ("9:00～21:00 金～月は10:00から16:00まで", date(2026, 11, 30), [(time(10), time(16))]),  # a Monday, past 日
])
def test_one_weekday_with_hours_of_its_own(text, day, ranges):
    """A note giving one weekday (or a run of them) other hours applies on that weekday only."""
    assert hours_on(parse_hours(text), day).ranges == ranges


def test_weekend_hours_differ_from_weekday_hours():
    info = parse_hours("9:00～19:00 (土・日・祝休日は9:00～17:00)", "月曜日")
    assert hours_on(info, date(2026, 12, 5)).ranges == [(time(9), time(17))]  # Saturday
    assert hours_on(info, date(2026, 12, 2)).ranges == [(time(9), time(19))]  # Wednesday


@pytest.mark.parametrize("closed_text", ["月末日", "毎年9月上旬～翌年6月末、8/13", "展示替に伴う臨時休館日"])
def test_unrecognised_closed_text_is_flagged_for_showing_as_published(closed_text):
    assert not parse_hours("9:00～17:00", closed_text).closed_understood


@pytest.mark.parametrize("hours_text, closed_text, closed_weekdays", [
    ("9:00～17:00（火水木金土日）", "年末年始休館", {0}),
    ("9:00～17:00（月火水金土日）", None, {3}),
    ("利用可能曜日: 月火水木金土日 随時見学可能", None, set()),
])
def test_open_day_lists_give_the_closed_days(hours_text, closed_text, closed_weekdays):
    assert parse_hours(hours_text, closed_text).closed_weekdays == closed_weekdays


def test_a_later_closing_time_on_weekends_in_parentheses():
    info = parse_hours("10:00 ～ 16:00    (土日祝等17:00)")
    assert hours_on(info, date(2026, 7, 25)).ranges == [(time(10), time(17))]  # Saturday
    assert hours_on(info, date(2026, 7, 22)).ranges == [(time(10), time(16))]  # Wednesday


def test_hospital_style_department_hours_are_left_to_the_published_text():
    assert hours_on(parse_hours("8:30～17:00（外来）12:00～20:00（見舞い）"), date(2026, 12, 1)).status == "unknown"


# --- notes after the plain hours: seasons, dated closures, other hours on some days ---------------------------
@pytest.mark.parametrize("hours_text, day, status, ranges", [
    # a facility open only in one season
    ("10:00～17:30（月火水木金土日） 7/1～8/31の間利用可", date(2022, 1, 15), "closed", []),
    ("10:00～17:30（月火水木金土日） 7/1～8/31の間利用可", date(2022, 7, 15), "open", [(time(10), time(17, 30))]),
    ("8:00～20:30（月火水木金土日） 11/23～2月第3日曜日の間利用可", date(2022, 2, 20), "open", [(time(8), time(20, 30))]),
    ("8:00～20:30（月火水木金土日） 11/23～2月第3日曜日の間利用可", date(2022, 2, 21), "closed", []),
    ("9:00～21:00（月火水木金土日） 4月下旬～11月下旬の間利用可", date(2022, 1, 10), "closed", []),
    ("0:00～23:59（月火水木金土日） 開館期間5/1～10/15", date(2022, 10, 20), "closed", []),
    # winter hours
    ("7:00～18:00（月火水木金土日） 10/16～2/末は、8時～17時", date(2022, 1, 10), "open", [(time(8), time(17))]),
    ("7:00～18:00（月火水木金土日） 10/16～2/末は、8時～17時", date(2022, 5, 1), "open", [(time(7), time(18))]),
    ("5:00～22:00（月火水木金土日） 年末年始（12/29～1/3）は終日利用不可。11月～4月まで21時まで", date(2022, 1, 20), "open",
     [(time(5), time(21))]),
    # a bare short span among closed days is days off, not the only season it opens; a listed day's hours win
    ("10:00～19:00（火水木金土日） 開館時間。平日10:00～19:00。土日祝10:00～18:00。月曜日（祝日の場合は翌日）。12/28～1/4。特別整理期間",
     date(2025, 6, 8), "open", [(time(10), time(18))]),
    ("10:00～19:00（火水木金土日） 開館時間。平日10:00～19:00。土日祝10:00～18:00。月曜日（祝日の場合は翌日）。12/28～1/4。特別整理期間",
     date(2025, 12, 30), "closed", []),
    ("10:00～19:00（火水木金土日） 開館時間。平日10:00～19:00。土日祝10:00～18:00。月曜日（祝日の場合は翌日）。12/28～1/4。特別整理期間",
     date(2025, 6, 10), "open", [(time(10), time(19))]),
    # a season named before a time: that season's months
    ("8:30～17:30 (冬21:30)", date(2022, 1, 15), "open", [(time(8, 30), time(21, 30))]),
    ("8:30～17:30 (冬21:30)", date(2022, 6, 15), "open", [(time(8, 30), time(17, 30))]),
    ("9:00～17:00 冬季は9:00～16:00", date(2022, 12, 10), "open", [(time(9), time(16))]),
    ("9:00～17:00（冬季休館）", date(2022, 6, 10), "open", [(time(9), time(17))]),
    # dated closures written after the hours
    ("9:30～18:30（火水木金土日） 毎月第4金曜日と祝日の翌日、年末年始（12/28～1/4）は終日利用不可", date(2022, 2, 25), "closed", []),
    ("9:30～18:30（火水木金土日） 毎月第4金曜日と祝日の翌日、年末年始（12/28～1/4）は終日利用不可", date(2022, 12, 28), "closed", []),
    ("9:00～17:00（月火水木金） 4月～11月は毎月第3木曜日、12月～3月は毎週木曜日（祝日の木曜日を除く）および年末年始は終日利用不可",
     date(2022, 1, 13), "closed", []),
    ("9:00～17:00（月火水木金） 4月～11月は毎月第3木曜日、12月～3月は毎週木曜日（祝日の木曜日を除く）および年末年始は終日利用不可",
     date(2022, 5, 12), "open", [(time(9), time(17))]),
    # 日曜・祝日 exceptions are not overridden by the weekday hours
    ("9:30～18:30（火水木金土日） 土日祝日は10:00から18:00まで", date(2022, 2, 26), "open", [(time(10), time(18))]),
    ("13:00～19:00（月火水金土日） 土・日曜日、祝日は10:00から利用可", date(2022, 2, 19), "open", [(time(10), time(19))]),
    # one part's hours (the bath) are not the facility's
    ("9:00～17:00（火水木金土日） 入浴時間は午前10時から午後4時まで。年末年始（12/29～1/3）は終日利用不可", date(2022, 2, 15), "open",
     [(time(9), time(17))]),
])
def test_notes_after_the_hours_change_the_day(hours_text, day, status, ranges):
    hours = hours_on(parse_hours(hours_text), day)
    assert (hours.status, hours.ranges) == (status, ranges)


def test_a_season_only_facility_says_it_is_out_of_season():
    assert hours_on(parse_hours("10:00～17:30（月火水木金土日） 7/1～8/31の間利用可"), date(2022, 1, 15)).out_of_season


def test_notes_are_kept_to_be_shown_with_the_answer():
    info = parse_hours("9:00～21:30（月火水木金土日） 毎月第2土曜日と年末年始（12/29～1/3）は終日利用不可")
    assert info.notes == "毎月第2土曜日と年末年始(12/29~1/3)は終日利用不可"  # NFKC, as read
    assert (2, 5) in info.closed_nth


@pytest.mark.parametrize("hours_text, day, status", [
    ("9:00～18:00（月;火;水;木;金;土）", date(2025, 6, 8), "closed"),  # 公共施設一覧's ';' between the open days
    ("9:00～18:00（月;火;水;木;金;土）", date(2025, 6, 9), "open"),
    ("9:00～18:00（月；水；木；金；土；日）", date(2025, 6, 10), "closed"),
    ("10:00～17:00（月火水金土日祝）", date(2025, 6, 5), "closed"),  # 祝 after the days: open on holidays too
    ("10:00～17:00（月火水金土日祝）", date(2025, 6, 6), "open"),
])
def test_open_days_lists_as_files_write_them(hours_text, day, status):
    assert hours_on(parse_hours(hours_text), day).status == status
