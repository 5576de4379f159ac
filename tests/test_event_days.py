"""Long-running rows: which days of their span a note says they are on."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from content.search.event_days import is_long_running, repeat_of, runs_within, stated_repeat

TOKYO = ZoneInfo("Asia/Tokyo")


def at(y, m, d, h=0, mi=0) -> datetime:
    """An aware Tokyo datetime."""
    return datetime(y, m, d, h, mi, tzinfo=TOKYO)


@pytest.mark.parametrize("note, weekdays, nths, skipped", [
    ("毎週木曜日", {3}, set(), set()),
    ("令和3年9月から令和4年3月まで【木曜日】", {3}, set(), set()),
    ("10月13日から3月23日(毎月第2、第4水曜)", {2}, {2, 4}, set()),
    ("1月14日(金曜)から3月25日(金曜)毎週金曜※2月11日を除く(全10回)", {4}, set(), {(2, 11)}),
    ("毎週月曜日（12/28、1/4は休み）", {0}, set(), {(12, 28), (1, 4)}),
    ("月・水・金曜日", {0, 2, 4}, set(), set()),
    ("平日の午前", {0, 1, 2, 3, 4}, set(), set()),
    ("14日金曜に集合", {4}, set(), set()),  # the 日 of a date is no Sunday
    ("事前申込7月3日開始", set(), set(), set()),
    (None, set(), set(), set()),
])
def test_notes_name_the_days_a_row_is_on(note, weekdays, nths, skipped):
    rule = stated_repeat(note)
    assert (set(rule.weekdays), set(rule.nths), set(rule.skipped)) == (weekdays, nths, skipped)


@pytest.mark.parametrize("starts, ends, long", [
    (at(2026, 4, 15, 13, 30), at(2027, 3, 31, 14, 30), True),
    (at(2026, 7, 28, 10), at(2026, 8, 13, 16), True),
    (at(2026, 11, 21), at(2026, 11, 24), False),  # a long weekend festival
    (at(2026, 11, 21), at(2026, 11, 29), False),  # all day, exclusive midnight end: 8 days
    (at(2026, 11, 21, 10), None, False),
])
def test_long_running_rows(starts, ends, long):
    assert is_long_running(starts, ends) is long


@pytest.mark.parametrize("starts, ends, all_day, guessed", [
    (at(2021, 4, 15, 13, 30), at(2022, 3, 17, 14, 30), False, {3}),  # Thursday to Thursday, 1 hour: a class
    (at(2021, 4, 15, 9), at(2022, 3, 17, 17), False, set()),  # 8 hours a day: open every day
    (at(2021, 4, 15), at(2022, 3, 18), True, set()),  # all day
    (at(2021, 4, 15, 13, 30), at(2021, 4, 29, 14, 30), False, set()),  # two weeks only
])
def test_a_weekly_class_is_guessed_only_when_the_span_says_so(starts, ends, all_day, guessed):
    rule = repeat_of(starts, ends, all_day, None)
    assert set(rule.weekdays) == guessed and not rule.stated


@pytest.mark.parametrize("window, found", [
    ((date(2026, 11, 28), date(2026, 11, 30)), False),  # a weekend
    ((date(2026, 11, 26), date(2026, 11, 27)), True),  # a Thursday
    ((date(2026, 11, 1), date(2026, 12, 1)), True),  # a month
    ((date(2027, 4, 1), date(2027, 4, 30)), False),  # after the span
])
def test_a_window_holds_a_day_the_row_is_on(window, found):
    rule = stated_repeat("毎週木曜日")
    assert runs_within(rule, date(2026, 4, 16), date(2027, 3, 25), *window) is found
