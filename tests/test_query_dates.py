"""Japanese date expressions resolve to [start, end) ranges in Asia/Tokyo relative to "now"."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from content.query.dates import JST, arabic_numerals, read_dates

THU = datetime(2026, 11, 26, 10, 0, tzinfo=JST)  # Thursday
SAT = datetime(2026, 11, 28, 10, 0, tzinfo=JST)
SUN = datetime(2026, 11, 29, 10, 0, tzinfo=JST)
DEC = datetime(2026, 12, 10, 10, 0, tzinfo=JST)  # Thursday in December
NYE = datetime(2026, 12, 31, 20, 0, tzinfo=JST)


def d(y, m, day, h=0, mi=0):
    """Aware JST datetime."""
    return datetime(y, m, day, h, mi, tzinfo=JST)


def day(y, m, dd):
    """The whole of one day."""
    return (d(y, m, dd), d(y, m, dd) + timedelta(days=1))


DATE_ROWS = [
    # (now, text, expected range, expected label)
    (THU, "今日", day(2026, 11, 26), "今日"),
    (THU, "本日のイベント", day(2026, 11, 26), "今日"),
    (THU, "きょうは何かある?", day(2026, 11, 26), "今日"),
    (THU, "きょう何かある?", day(2026, 11, 26), "今日"),
    (THU, "あしたイベントある?", day(2026, 11, 27), "明日"),
    (THU, "明日", day(2026, 11, 27), "明日"),
    (THU, "あした", day(2026, 11, 27), "明日"),
    (THU, "あさって", day(2026, 11, 28), "あさって"),
    (THU, "明後日", day(2026, 11, 28), "あさって"),
    (THU, "今夜", (d(2026, 11, 26, 17), d(2026, 11, 27)), "今夜"),
    (THU, "今晩なにかある", (d(2026, 11, 26, 17), d(2026, 11, 27)), "今夜"),
    (THU, "今週", (d(2026, 11, 26), d(2026, 11, 30)), "今週"),
    (THU, "今週末", (d(2026, 11, 28), d(2026, 11, 30)), "今週末"),
    (THU, "週末", (d(2026, 11, 28), d(2026, 11, 30)), "週末"),
    (THU, "土日", (d(2026, 11, 28), d(2026, 11, 30)), "土日"),
    (THU, "来週", (d(2026, 11, 30), d(2026, 12, 7)), "来週"),
    (THU, "再来週", (d(2026, 12, 7), d(2026, 12, 14)), "再来週"),
    (THU, "来週末", (d(2026, 12, 5), d(2026, 12, 7)), "来週末"),
    (THU, "来週の土日", (d(2026, 12, 5), d(2026, 12, 7)), "来週の土日"),
    (THU, "来週の土曜日", day(2026, 12, 5), "来週の土曜日"),
    (THU, "来週の土曜と日曜", (d(2026, 12, 5), d(2026, 12, 7)), "来週の土曜日・日曜日"),
    (THU, "今度の日曜", day(2026, 11, 29), "今度の日曜日"),
    (THU, "今週の金曜", day(2026, 11, 27), "今週の金曜日"),
    (THU, "土曜日", day(2026, 11, 28), "土曜日"),
    (THU, "どようび", day(2026, 11, 28), "土曜日"),
    (THU, "木曜日", day(2026, 11, 26), "木曜日"),
    (THU, "次の木曜", day(2026, 12, 3), "次の木曜日"),
    (THU, "今月", (d(2026, 11, 26), d(2026, 12, 1)), "今月"),
    (THU, "来月", (d(2026, 12, 1), d(2027, 1, 1)), "来月"),
    (THU, "12月", (d(2026, 12, 1), d(2027, 1, 1)), "12月"),
    (THU, "1月のイベント", (d(2027, 1, 1), d(2027, 2, 1)), "1月"),
    (THU, "12月3日", day(2026, 12, 3), "12月3日(木)"),
    (THU, "12/3", day(2026, 12, 3), "12月3日(木)"),
    (THU, "十二月三日", day(2026, 12, 3), "12月3日(木)"),
    (THU, "１２月３日（木）", day(2026, 12, 3), "12月3日(木)"),
    (THU, "30日", day(2026, 11, 30), "11月30日(月)"),
    (THU, "5日", day(2026, 12, 5), "12月5日(土)"),
    (THU, "2027年1月10日", day(2027, 1, 10), "1月10日(日)"),
    (THU, "令和9年1月10日", day(2027, 1, 10), "1月10日(日)"),
    (THU, "1月5日", day(2027, 1, 5), "1月5日(火)"),
    (THU, "3日後", day(2026, 11, 29), "3日後"),
    (THU, "三日後", day(2026, 11, 29), "3日後"),
    (THU, "1週間以内", (d(2026, 11, 26), d(2026, 12, 4)), "1週間以内"),
    (THU, "明日か明後日", (d(2026, 11, 27), d(2026, 11, 29)), "明日・あさって"),
    (THU, "12月3日から5日", (d(2026, 12, 3), d(2026, 12, 6)), "12月3日(木)〜12月5日(土)"),
    (THU, "明日以降", (d(2026, 11, 27), d(2026, 12, 28)), "明日以降"),
    (THU, "明日の午後", (d(2026, 11, 27, 12), d(2026, 11, 27, 18)), "明日の午後"),
    (THU, "明日の朝", (d(2026, 11, 27), d(2026, 11, 27, 12)), "明日の午前"),
    (THU, "明日の夜", (d(2026, 11, 27, 17), d(2026, 11, 28)), "明日の夜"),
    (THU, "明日の午後2時", (d(2026, 11, 27, 14), d(2026, 11, 27, 15)), "明日 14:00"),
    (THU, "12月3日(木)10時半", (d(2026, 12, 3, 10, 30), d(2026, 12, 3, 11, 30)), "12月3日(木) 10:30"),
    (THU, "祝日", day(2027, 1, 1), "1月1日(金) 元日"),
    (THU, "次の祝日は何かある", day(2027, 1, 1), "1月1日(金) 元日"),
    # 「今週の祝日」 asked on Sunday 9/20: the week ahead's run of holidays, not only the first of them
    (datetime(2026, 9, 20, 12, tzinfo=JST), "今週の祝日 なんかイベントある？", (d(2026, 9, 21), d(2026, 9, 24)),
     "9月21日(月) 敬老の日・9月22日(火) 国民の休日・9月23日(水) 秋分の日"),
    (datetime(2026, 11, 18, 12, tzinfo=JST), "来週の祝日", day(2026, 11, 23), "11月23日(月) 勤労感謝の日"),
    (THU, "GW", (d(2027, 4, 29), d(2027, 5, 7)), "GW"),
    (THU, "シルバーウィーク", (d(2027, 9, 14), d(2027, 9, 25)), "シルバーウィーク"),  # around 敬老の日 and 秋分の日
    (THU, "年末年始", (d(2026, 12, 29), d(2027, 1, 4)), "年末年始"),
    (THU, "昨日", day(2026, 11, 25), "昨日"),
    (THU, "12月20日の土曜日", day(2026, 12, 20), "12月20日(日)"),  # the date decides, not the weekday
    (THU, "来月の第一土曜", day(2026, 12, 5), "12月第1土曜日(12/5)"),
    (THU, "あしたなにあるの", day(2026, 11, 27), "明日"),
    (THU, "12月の第2土曜日", day(2026, 12, 12), "12月第2土曜日(12/12)"),
    (THU, "第3日曜", day(2026, 12, 20), "12月第3日曜日(12/20)"),  # November's has passed
    (THU, "12月最後の水曜", day(2026, 12, 30), "12月最後の水曜日(12/30)"),
    (THU, "最終日曜日のイベント", day(2026, 11, 29), "11月最後の日曜日(11/29)"),
    (THU, "最後の水曜", day(2026, 12, 30), "12月最後の水曜日(12/30)"),  # November's (the 25th) has passed
    (THU, "今やってるイベント", (d(2026, 11, 26, 10), d(2026, 11, 27)), "今から"),
    (THU, "いまから行ける", (d(2026, 11, 26, 10), d(2026, 11, 27)), "今から"),
    (THU, "こんばんは、明日のイベント", day(2026, 11, 27), "明日"),
    (THU, "クリスマスのイベント", (d(2026, 12, 24), d(2026, 12, 26)), "クリスマス"),
    (THU, "クリスマスの日のイベント", (d(2026, 12, 24), d(2026, 12, 26)), "クリスマス"),
    (THU, "お正月", (d(2027, 1, 1), d(2027, 1, 8)), "お正月"),
    (THU, "夏休み", (d(2027, 7, 20), d(2027, 9, 1)), "夏休み"),
    (THU, "春休み", (d(2027, 3, 20), d(2027, 4, 7)), "春休み"),  # from the earliest schools' break
    (datetime(2027, 1, 2, 10, tzinfo=JST), "年末年始", (d(2027, 1, 2), d(2027, 1, 4)), "年末年始"),
    (THU, "先週", (d(2026, 11, 16), d(2026, 11, 23)), "先週"),
    (THU, "先週の土曜日", day(2026, 11, 21), "先週の土曜日"),
    # A weekend is Saturday 00:00 to Monday 00:00; asked on the weekend it starts today.
    (SAT, "今週末", (d(2026, 11, 28), d(2026, 11, 30)), "今週末"),
    (SUN, "今週末", (d(2026, 11, 29), d(2026, 11, 30)), "今週末"),
    (SUN, "週末", (d(2026, 11, 29), d(2026, 11, 30)), "週末"),
    (SUN, "来週末", (d(2026, 12, 5), d(2026, 12, 7)), "来週末"),
    (SUN, "今週", (d(2026, 11, 29), d(2026, 11, 30)), "今週"),
    (SUN, "来週", (d(2026, 11, 30), d(2026, 12, 7)), "来週"),
    (SUN, "今度の日曜", day(2026, 12, 6), "今度の日曜日"),
    (SUN, "日曜日", day(2026, 11, 29), "日曜日"),
    # December: the year rolls over for dates already past.
    (DEC, "12/3", day(2027, 12, 3), "12月3日(金)"),
    (DEC, "1月5日", day(2027, 1, 5), "1月5日(火)"),
    (DEC, "12月31日", day(2026, 12, 31), "12月31日(木)"),
    (DEC, "今月", (d(2026, 12, 10), d(2027, 1, 1)), "今月"),
    (DEC, "来月", (d(2027, 1, 1), d(2027, 2, 1)), "来月"),
    (DEC, "来週の土曜日", day(2026, 12, 19), "来週の土曜日"),
    (NYE, "明日", day(2027, 1, 1), "明日"),
    (NYE, "1月3日", day(2027, 1, 3), "1月3日(日)"),
    (NYE, "来年", (d(2027, 1, 1), d(2028, 1, 1)), "来年"),
]


@pytest.mark.parametrize("now,text,expected,label", DATE_ROWS)
def test_date_expression_resolves_to_range(now, text, expected, label):
    """Each expression gives the documented [start, end) and a short label."""
    reading = read_dates(text, now)
    assert reading.date_range == expected
    assert reading.label == label


PAST_ROWS = [
    (THU, "昨日", True),
    (THU, "先週のイベント", True),
    (THU, "先月の講座", True),
    (THU, "過去のイベント", True),
    (THU, "今週末", False),
    (THU, "明日", False),
    (THU, "今週なにかイベントあったら教えて", False),
    (DEC, "12月3日のお祭りどうだった?", True),
    (THU, "あした 手芸の教室あったよね？", False),  # recalling what was announced: tomorrow is still to come
    (THU, "来週の講座 何時からだった？", False),
    (THU, "保定の話がきける講座 土曜日だったよね", False),  # よね/っけ: recalling an announced day
    (THU, "土曜のイベント どうだった？", True),
]


@pytest.mark.parametrize("now,text,past", PAST_ROWS)
def test_questions_about_the_past_are_flagged(now, text, past):
    """過去/先週/昨日 and past verb forms mark the question as about past events."""
    assert read_dates(text, now).past is past


def test_past_wording_keeps_a_passed_date_in_this_year():
    """「12月3日のお祭りどうだった」 asked on 12/10 means this year's 12/3, not next year's."""
    assert read_dates("12月3日のお祭りどうだった?", DEC).date_range == day(2026, 12, 3)


TIME_ROWS = [
    ("午前", "morning", None),
    ("午後", "afternoon", None),
    ("夜", "evening", None),
    ("夕方", "dusk", None),  # the JMA's 15–18 時: a 15:30 class is 夕方, not 夜
    ("ゆうがた", "dusk", None),
    ("夕方5時", "evening", (17, 0)),
    ("午後2時", "afternoon", (14, 0)),
    ("午前10時", "morning", (10, 0)),
    ("夜7時", "evening", (19, 0)),
    ("13:30から", "afternoon", (13, 30)),
    ("10時半", "morning", (10, 30)),
    ("十四時", "afternoon", (14, 0)),
    ("3時ごろ", "afternoon", (15, 0)),  # nothing is on at 3 a.m.
    ("仕事帰りに", "evening", None),  # after work is the evening
    ("会社の後に", "evening", None),
]


@pytest.mark.parametrize("text,time_of_day,exact", TIME_ROWS)
def test_time_words_give_time_of_day_without_inventing_a_date(text, time_of_day, exact):
    """A time without a date sets time_of_day/exact_time and leaves the date open."""
    reading = read_dates(text, THU)
    assert (reading.time_of_day, reading.exact_time, reading.date_range) == (time_of_day, exact, None)


def test_what_time_question_is_not_a_clock_time():
    """何時まで asks for hours; it is not 「時」 at some hour."""
    reading = read_dates("図書館は何時まで?", THU)
    assert (reading.exact_time, reading.date_range) == (None, None)


@pytest.mark.parametrize("now", [
    datetime(2026, 11, 25, 20, 0, tzinfo=timezone.utc),  # 11-26 05:00 in Tokyo
    datetime(2026, 11, 26, 5, 0),  # naive: read as Tokyo time
])
def test_now_in_another_zone_is_read_in_tokyo(now):
    """「今日」 is the Tokyo day whatever zone now is given in."""
    assert read_dates("今日", now).date_range == day(2026, 11, 26)


@pytest.mark.parametrize("text,expected", [
    ("十二月三日", "12月3日"),
    ("二十三日", "23日"),
    ("二〇二六年", "2026年"),
    ("三日後", "3日後"),
    ("一緒に", "一緒に"),
])
def test_kanji_numerals_before_date_units_become_digits(text, expected):
    """Kanji numerals are rewritten only where a date unit follows."""
    assert arabic_numerals(text) == expected


@pytest.mark.parametrize("text", ["こんばんは", "こんにちは", "おはようございます", "あしたば", "きょうしつ", "あすなろ"])
def test_greetings_and_kana_words_are_not_dates(text):
    """こんばんは is a greeting, not 今晩; あしたば is a plant, not 明日."""
    assert read_dates(text, THU).date_range is None


def test_text_without_dates_gives_no_range():
    """No date words, no range and no label."""
    reading = read_dates("ボランティアしたい", THU)
    assert (reading.date_range, reading.label, reading.past) == (None, None, False)


@pytest.mark.parametrize("text,weekdays,recurring,expected", [
    ("毎週土曜日", (5,), True, None),
    ("毎月第2日曜", (6,), True, None),
    ("おはなし会って毎週あるの?", (), True, None),
    ("平日の昼間", (0, 1, 2, 3, 4), False, None),
    ("土曜日", (5,), False, day(2026, 11, 28)),
    ("土日", (5, 6), False, (d(2026, 11, 28), d(2026, 11, 30))),
    ("図書館は月曜休み?", (0,), False, day(2026, 11, 30)),
    ("明日", (), False, day(2026, 11, 27)),
])
def test_weekdays_named_and_repeating_days(text, weekdays, recurring, expected):
    """Days of the week are listed; 毎週 makes them a repeating day instead of the next date."""
    reading = read_dates(text, THU)
    assert (reading.weekdays, reading.recurring, reading.date_range) == (weekdays, recurring, expected)


@pytest.mark.parametrize("now,text,expected,label", [
    # 一日 is "the 1st" only when it is clearly a date
    (THU, "十二月一日", day(2026, 12, 1), "12月1日(火)"),
    (THU, "一日(火)", day(2026, 12, 1), "12月1日(火)"),
    (THU, "1日", day(2026, 12, 1), "12月1日(火)"),
    (THU, "こども一日図書館員に申し込みたい", None, None),
    (THU, "一日体験", None, None),
    (THU, "1日体験教室", None, None),
    (THU, "一日中遊べるところ", None, None),
    # kana date words only as whole words (Sudachi tokens)
    (THU, "こどもが けがを したときの べんきょう", None, None),
    (THU, "きょうのべんきょう会", day(2026, 11, 26), "今日"),
    (THU, "あすなろ教室", None, None),
    # season words naming an event are topics, not a date filter
    (THU, "クリスマスコンサート", None, None),
    (THU, "クリスマスの コンサートは いつですか", None, None),
    (THU, "今月 クリスマスの子どもイベント", (d(2026, 11, 26), d(2026, 12, 1)), "今月"),
    (THU, "お正月あそび", None, None),
    (THU, "夏休み子ども教室", None, None),
    (THU, "クリスマスに何かある?", (d(2026, 12, 24), d(2026, 12, 26)), "クリスマス"),
    (THU, "クリスマスの催し", (d(2026, 12, 24), d(2026, 12, 26)), "クリスマス"),
    (THU, "クリスマスのおはなし会", None, None),
    (THU, "お正月は開いてる?", (d(2027, 1, 1), d(2027, 1, 8)), "お正月"),
    (THU, "夏休みのイベント", (d(2027, 7, 20), d(2027, 9, 1)), "夏休み"),
    (DEC, "年末年始は休み?", (d(2026, 12, 29), d(2027, 1, 4)), "年末年始"),
])
def test_date_looking_words_inside_other_words_are_not_dates(now, text, expected, label):
    """一日図書館員, べんきょう and クリスマスコンサート are not dates; 十二月一日, きょう and クリスマスに are."""
    reading = read_dates(text, now)
    assert (reading.date_range, reading.label) == (expected, label)


@pytest.mark.parametrize("now,text,expected,label", [
    (THU, "敬老の日のイベント", day(2027, 9, 20), "9月20日(月) 敬老の日"),
    (THU, "勤労感謝の日", day(2027, 11, 23), "11月23日(火) 勤労感謝の日"),
    (THU, "文化の日", day(2027, 11, 3), "11月3日(水) 文化の日"),
    (THU, "こどもの日に何かある?", day(2027, 5, 5), "5月5日(水) こどもの日"),
    (THU, "体育の日", day(2027, 10, 11), "10月11日(月) スポーツの日"),
    (THU, "元日", day(2027, 1, 1), "1月1日(金) 元日"),
])
def test_national_holidays_by_name(now, text, expected, label):
    """A holiday named (敬老の日, 体育の日 as スポーツの日) is its next date from jpholiday."""
    reading = read_dates(text, now)
    assert (reading.date_range, reading.label) == (expected, label)


@pytest.mark.parametrize("text", ["駅前ライブ", "フードドライブに協力したい", "ライブ配信の講座"])
def test_katakana_words_ending_in_ibu_are_not_christmas_eve(text):
    assert read_dates(text, THU).date_range is None


JAN9 = datetime(2027, 1, 9, 10, 0, tzinfo=JST)  # Saturday of the 成人の日 weekend


@pytest.mark.parametrize("now,text,expected,label", [
    (THU, "3連休", (d(2027, 1, 1), d(2027, 1, 4)), "3連休(1/1〜1/3)"),
    (THU, "今度の3連休なにかある?", (d(2027, 1, 1), d(2027, 1, 4)), "3連休(1/1〜1/3)"),
    (THU, "三連休", (d(2027, 1, 1), d(2027, 1, 4)), "3連休(1/1〜1/3)"),
    (THU, "次の連休", (d(2027, 1, 1), d(2027, 1, 4)), "連休(1/1〜1/3)"),
    (JAN9, "3連休", (d(2027, 1, 9), d(2027, 1, 12)), "3連休(1/9〜1/11)"),
    (THU, "月末", (d(2026, 11, 26), d(2026, 12, 1)), "11月末"),
    (JAN9, "今月末のイベント", (d(2027, 1, 25), d(2027, 2, 1)), "1月末"),
    (THU, "来月末", (d(2026, 12, 25), d(2027, 1, 1)), "12月末"),
    (THU, "月初", (d(2026, 12, 1), d(2026, 12, 8)), "12月初め"),
    (THU, "来月のはじめ", (d(2026, 12, 1), d(2026, 12, 8)), "12月初め"),
    (THU, "年度末", (d(2027, 3, 1), d(2027, 4, 1)), "年度末"),
])
def test_days_off_and_parts_of_a_month(now, text, expected, label):
    """連休 is the next run of weekend days and holidays (jpholiday); 月末 the last 7 days, 月初 the first 7."""
    reading = read_dates(text, now)
    assert reading.date_range == expected
    assert reading.label == label
