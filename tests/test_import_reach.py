"""Importer reach: real files whose layouts were once refused or read badly (see fixtures/opendata/reach/README.md),
and the general readings they called for (header case, per-weekday hours, dates and clocks written other ways)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from content.importers import import_path
from content.importers.csvread import read_table
from content.importers.freedates import RECURRING_DAYS, YearHint, parse_schedule
from content.importers.hours import weekday_hours
from content.importers.layouts import detect_layout
from content.importers.values import parse_time
from models import Event, Facility

REACH = Path(__file__).parent / "fixtures" / "opendata" / "reach"
NOW = datetime(2026, 11, 30, 3, 0)  # naive UTC, as the CLI passes it


def facilities(session) -> dict[str, Facility]:
    """The imported facilities by name."""
    return {f.name: f for f in session.exec(select(Facility))}


def events(session) -> list[Event]:
    """The imported events in date order."""
    return sorted(session.exec(select(Event)), key=lambda e: e.starts_at)


def write_csv(tmp_path, text: str) -> str:
    """A small CSV file in the test's folder."""
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("text, header", [
    ("#property,name,address\n1,美術館,高松市紺屋町10-4\n", ["#property", "name", "address"]),
    ("# コメント\nname,address\n美術館,高松市\n", ["name", "address"]),
    ("#更新日 2024-04-01,\nname,address,phone\n美術館,高松市,0\n", ["name", "address", "phone"]),
])
def test_a_hash_line_is_the_header_when_it_has_the_rows_cells_else_a_comment(text, header):
    assert read_table(text.encode("utf-8")).header == header


def test_a_property_header_file_imports_with_its_hours_and_closed_days(session):
    report = import_path(session, "facilities", str(REACH / "facility-property-header.csv"), now=NOW)
    assert report.ok and (report.imported, report.skipped) == (2, 0)
    museum = facilities(session)["高松市美術館"]
    assert museum.hours_text.startswith("09:30～17:00（火水木金土日）")
    assert museum.closed_text.startswith("月曜日（祝日の場合は翌平日）") and museum.latitude == pytest.approx(34.34407)


def test_unfilled_numbered_template_rows_are_blank_not_skipped(session):
    report = import_path(session, "facilities", str(REACH / "facility-numbered-template-rows.csv"), now=NOW)
    assert report.ok and (report.imported, report.skipped, report.problems) == (1, 0, [])
    assert facilities(session)["高松市仏生山交流センター"].aliases == "ふらっと仏生山"


@pytest.mark.parametrize("kind, header, field, column", [
    ("facilities", "name,address,url", "url", "url"),
    ("facilities", "name,address,Url", "url", "Url"),
    ("facilities", "名称,住所,lat,lng", "latitude", "lat"),
    ("facilities", "名称,住所,lat,lng", "longitude", "lng"),
    ("facilities", "名称,住所,kana,category", "kana", "kana"),
    ("facilities", "名称,住所,kana,category", "category", "category"),
    ("facilities", "名称,住所,アクセス,駐車場", "access", "アクセス"),
    ("facilities", "名称,住所,アクセス,駐車場", "parking", "駐車場"),
    ("facilities", "NAME,ADDRESS,TEL", "phone", "TEL"),
    ("events", "催事名,日にち,時間帯,開催地", "title", "催事名"),
    ("events", "催事名,日にち,時間帯,開催地", "start_date", "日にち"),
    ("events", "催事名,日にち,時間帯,開催地", "start_time", "時間帯"),
    ("events", "催事名,日にち,時間帯,開催地", "place", "開催地"),
    ("events", "イベント名,開催月日,開催時刻,lat,lng", "start_date", "開催月日"),
    ("events", "イベント名,開催月日,開催時刻,lat,lng", "start_time", "開催時刻"),
    ("events", "イベント名,開催月日,開催時刻,lat,lng", "latitude", "lat"),
    # spelt another way: a start or end qualifier, names joined by ・ or /, a unit in brackets
    ("events", "行事・イベント名,実施予定日(始期),実施予定日(終期)", "title", "行事・イベント名"),
    ("events", "行事・イベント名,実施予定日(始期),実施予定日(終期)", "start_date", "実施予定日(始期)"),
    ("events", "行事・イベント名,実施予定日(始期),実施予定日(終期)", "end_date", "実施予定日(終期)"),
    ("events", "催し名,開催日(開始),開催日(終了),時間(開始),時間(終了)", "end_date", "開催日(終了)"),
    ("events", "催し名,開催日(開始),開催日(終了),時間(開始),時間(終了)", "start_time", "時間(開始)"),
    ("events", "催し名,開催日(開始),開催日(終了),時間(開始),時間(終了)", "end_time", "時間(終了)"),
    ("events", "会場/場所,イベント名,開催日", "place", "会場/場所"),
    ("events", "イベント名,開催日,参加費(円)", "fee", "参加費(円)"),
])
def test_headers_in_either_case_and_under_their_other_names(kind, header, field, column):
    names = header.split(",")
    layout = detect_layout(names, kind)
    assert layout is not None and names[layout.columns[field][0]] == column


def test_mixed_english_and_japanese_headers_keep_place_link_kind_access_and_parking(session):
    report = import_path(session, "facilities", str(REACH / "facility-mixed-english-headers.csv"), now=NOW)
    assert report.ok and report.imported == 2
    house = facilities(session)["旧瓜生家住宅"]
    assert house.latitude == pytest.approx(35.969092) and house.longitude == pytest.approx(136.18302)
    assert house.url == "https://www.fuku-e.com/spot/detail_1008.html" and house.kana == "きゅううりゅうけじゅうたく"
    assert house.category == "歴史・文化・史跡" and house.closed_text == "火・木・金" and house.fee == "無料"
    assert "アクセス: 福井鉄道神明駅から徒歩約2分" in house.description and "駐車場: あり" in house.description


@pytest.mark.parametrize("opens, closes, hours, closed", [
    ("- 8:30 8:30 8:30 8:30 8:30 -", "- 17:15 17:15 17:15 17:15 17:15 -", "8:30～17:15", "土曜日・日曜日"),
    ("10:00 9:00 9:00 9:00 9:00 9:00 10:00", "19:00 17:00 17:00 17:00 17:00 17:00 19:00",
     "平日 9:00～17:00 土日 10:00～19:00", ""),
    ("9:00 - 9:00 9:00 9:00 9:00 9:00", "17:00 - 19:00 19:00 19:00 19:00 17:00",
     "平日 9:00～19:00 土日 9:00～17:00", "月曜日"),
    ("- 9:00 9:00 9:00 9:00 9:00 9:00", "- 17:30 17:30 17:30 12:00 17:30 12:00",
     "土曜 9:00～12:00 月・火・水・金 9:00～17:30 木 9:00～12:00", "日曜日"),
    ("", "", "", ""),
])
def test_one_opening_and_closing_column_per_weekday_become_hours_and_closed_days(opens, closes, hours, closed):
    days = "日月火水木金土"  # the order of the 指定暑熱避難施設 columns
    to_cells = lambda text: dict(zip(days, text.split() or [""] * 7))  # noqa: E731
    assert weekday_hours(to_cells(opens), to_cells(closes)) == (hours, closed)


def test_a_cooling_shelter_list_imports_with_its_hours_per_weekday(session):
    report = import_path(session, "facilities", str(REACH / "facility-cooling-shelter.csv"), now=NOW)
    assert report.ok and report.layout == "cooling-shelter" and (report.imported, report.skipped) == (4, 0)
    rows = facilities(session)
    city_hall = rows["焼津市役所　本庁舎"]
    assert city_hall.hours_text.startswith("8:30～17:15") and city_hall.closed_text == "土曜日・日曜日"
    assert city_hall.category == "指定暑熱避難施設（クーリングシェルター）"
    assert rows["大井川図書館"].hours_text.startswith("平日 9:00～19:00 土日 9:00～17:00")


@pytest.mark.parametrize("cell, days", [
    ("令和6年10月5日（土）・6日（日）", [(date(2024, 10, 5), date(2024, 10, 5)), (date(2024, 10, 6), date(2024, 10, 6))]),
    ("2024年10月5日(土)～10月6日(日)", [(date(2024, 10, 5), date(2024, 10, 6))]),
    ("2024/10/5(土)、2024/10/12(土)", [(date(2024, 10, 5), date(2024, 10, 5)), (date(2024, 10, 12), date(2024, 10, 12))]),
    ("2024年10月5日", [(date(2024, 10, 5), date(2024, 10, 5))]),
])
def test_a_date_cell_starting_with_a_full_date_keeps_the_days_after_it(session, tmp_path, cell, days):
    path = write_csv(tmp_path, f"イベント名,開始日,場所名称\n秋まつり,{cell},中央公園\n")
    report = import_path(session, "events", path, now=NOW)
    assert report.ok and report.skipped == 0
    # all-day rows run from midnight Tokyo (15:00 UTC the day before) to the midnight after the last day
    assert [(e.starts_at.date() + timedelta(days=1), e.ends_at.date()) for e in events(session)] == days


@pytest.mark.parametrize("cell, first_days", [
    ("毎月第2土曜日", [date(2024, 9, 14), date(2024, 10, 12), date(2024, 11, 9)]),
    ("第2・第4日曜日", [date(2024, 9, 8), date(2024, 9, 22), date(2024, 10, 13)]),
    ("毎週水曜日", [date(2024, 9, 4), date(2024, 9, 11), date(2024, 9, 18)]),
    ("毎月15日", [date(2024, 9, 15), date(2024, 10, 15), date(2024, 11, 15)]),
    ("10月の毎週土曜日", [date(2024, 10, 5), date(2024, 10, 12), date(2024, 10, 19)]),
])
def test_a_repeating_rule_without_a_period_gives_its_days_from_the_import_date(cell, first_days):
    schedule = parse_schedule(cell, YearHint(today=date(2024, 9, 1)))
    assert [first for first, _ in schedule.spans[:3]] == first_days
    assert all(first < date(2024, 9, 1) + timedelta(days=RECURRING_DAYS) for first, _ in schedule.spans)
    assert schedule.warnings and "取り込みました" in schedule.warnings[0]


def test_a_period_with_a_monthly_rule_gives_the_days_within_it():
    schedule = parse_schedule("2024年10月1日～2024年12月31日の毎月第2土曜日", YearHint(today=date(2024, 9, 1)))
    assert [first for first, _ in schedule.spans] == [date(2024, 10, 12), date(2024, 11, 9), date(2024, 12, 14)]


@pytest.mark.parametrize("start, end, kept_end, word", [
    ("2023-01-02", "2022-01-03", date(2023, 1, 3), "年の書き違い"),  # the year slipped at the turn of the year
    ("2022-12-20", "2022-01-10", date(2023, 1, 10), "年の書き違い"),
    ("2022-03-10", "2022-03-01", date(2022, 3, 10), "開始日と同じ日"),  # a slip in the day is not guessed at
])
def test_an_end_before_the_start_is_mended_only_when_the_year_slipped(session, tmp_path, start, end, kept_end, word):
    path = write_csv(tmp_path, f"イベント名,開始日,終了日\n正月あそび,{start},{end}\n")
    report = import_path(session, "events", path, now=NOW)
    event, = events(session)
    assert event.ends_at.date() == kept_end  # the exclusive end: midnight Tokyo after the last day, in UTC
    assert word in report.warnings[0][1]


@pytest.mark.parametrize("text, expected", [
    ("1030", time(10, 30)), ("930", time(9, 30)), ("0.4375", time(10, 30)), (".75", time(18, 0)),
    ("0000", None), ("2400", None), ("1060", None), ("12345", None), ("10:00", time(10, 0)),
])
def test_a_clock_written_without_a_colon_or_as_a_fraction_of_a_day(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("header", ["開館日", "営業日", "利用可能曜日"])
def test_the_open_days_column_under_its_other_names(header):
    names = ["名称", "住所", header, "開館時間"]
    assert detect_layout(names, "facilities").columns["weekdays"] == [2]


@pytest.mark.parametrize("columns, cells, days", [
    # 焼津市's 朝市: a five-month period, held on the 1st and 15th as the description says
    ("説明", "月次祭の毎月1日と15日に朝市を定期開催中です。", [date(2026, 9, 1), date(2026, 9, 15), date(2026, 10, 1)]),
    ("説明", "月に一度（原則第2木曜日）、地域交流センターで出張相談会を行っています。",
     [date(2026, 9, 10), date(2026, 10, 8), date(2026, 11, 12)]),
    ("開催パターン", "毎週水曜日", [date(2026, 9, 2), date(2026, 9, 9), date(2026, 9, 16)]),
])
def test_a_long_period_is_narrowed_to_the_days_its_rule_says_it_is_held(session, tmp_path, columns, cells, days):
    path = write_csv(tmp_path, f"イベント名,開始日,終了日,開始時間,{columns}\n朝市,2026/9/1,2027/2/15,8:00,{cells}\n")
    report = import_path(session, "events", path, now=NOW)
    rows = events(session)
    tokyo = [e.starts_at + timedelta(hours=9) for e in rows]  # naive UTC → Tokyo
    assert [t.date() for t in tokyo[:3]] == days and all(t.hour == 8 for t in tokyo)
    assert len({e.series_key for e in rows}) == 1 and "開催日としました" in report.warnings[0][1]


@pytest.mark.parametrize("description", [
    "毎週月曜日休館。企画展を開催します。",  # a closed day, not the days it is held
    "毎月第3日曜日は入館無料で、展示を開催しています。",  # a price rule
    "月に一度、総合福祉会館で会を行っています。",  # no day stated
])
def test_a_long_period_keeps_its_span_when_no_rule_says_when_it_is_held(session, tmp_path, description):
    path = write_csv(tmp_path, f"イベント名,開始日,終了日,説明\n企画展,2026/9/1,2026/12/20,{description}\n")
    import_path(session, "events", path, now=NOW)
    event, = events(session)
    assert (event.starts_at.date(), event.ends_at.date()) == (date(2026, 8, 31), date(2026, 12, 20))


def test_a_real_file_s_long_periods_are_held_on_the_days_their_descriptions_name(session):
    report = import_path(session, "events", str(REACH / "event-period-with-rule.csv"), now=NOW)
    assert report.ok and report.skipped == 0
    by_title: dict[str, list[Event]] = {}
    for event in events(session):
        by_title.setdefault(event.title, []).append(event)
    market = [(e.starts_at + timedelta(hours=9)).date() for e in by_title["焼津神社朝市「壱の市」"]]
    assert market[:4] == [date(2026, 9, 1), date(2026, 9, 15), date(2026, 10, 1), date(2026, 10, 15)]
    assert market[-1] == date(2027, 2, 15)
    assert all((e.starts_at + timedelta(hours=9)).weekday() == 3 for e in by_title["令和8年度和田ぴよぴよこっこの会"])
    twins, = by_title["双子・三つ子の会"]  # 「月に一度」 names no day: the published period is kept
    assert twins.ends_at.date() == date(2027, 3, 10)


def test_a_long_period_whose_time_note_names_the_days_stays_one_row_for_the_search_to_read(session, tmp_path):
    path = write_csv(tmp_path, "イベント名,開始日,終了日,開始日時特記事項,説明\n"
                               "日本語教室,2021/5/13,2022/3/31,毎週木曜日開催。午後2時~4時,毎週木曜日に開催します。\n")
    import_path(session, "events", path, now=NOW)
    event, = events(session)
    assert event.ends_at.date() >= date(2022, 3, 30)  # one long row; event_days.py reads 毎週木曜日 from its note


@pytest.mark.parametrize("cells, field", [
    (["イベント名", "開催日", "イベント名(英語)", "名称(英字)"], None),
    (["施設名", "住所", "名称(英語)"], "name"),  # another rendering of a name is never the name
    (["施設名", "住所", "名称(ふりがな)"], "name"),
])
def test_a_name_in_another_script_or_language_is_not_taken_for_the_name(cells, field):
    kind = "facilities" if field else "events"
    layout = detect_layout(cells, kind)
    if field:
        assert layout.columns[field] == [0]
    else:
        assert layout.columns["title"] == [0]


def test_a_city_layout_with_qualified_date_headers_imports(session, tmp_path):
    """豊岡市's own layout: 行事・イベント名, 実施予定日（始期）/（終期）, 開始時間, 終了時刻."""
    path = write_csv(tmp_path, "行事・イベント名,実施予定日（始期）,開始時間,実施予定日（終期）,終了時刻,内容,開催場所\n"
                               "こども将棋大会,2025/6/14,10:30,2025/6/15,15:00,小学生の大会,市民会館\n")
    report = import_path(session, "events", path, now=NOW)
    event, = events(session)
    assert event.title == "こども将棋大会" and event.place_name == "市民会館"
    assert (event.starts_at + timedelta(hours=9)).date() == date(2025, 6, 14)
    assert (event.ends_at + timedelta(hours=9)).date() == date(2025, 6, 15) and not report.skipped


@pytest.mark.parametrize("header, kind", [
    (["屋台ID", "名称", "住所"], "屋台"),  # every row of 福岡市's list is a 屋台, though no cell says so
    (["公園番号", "名称", "住所"], "公園"),
    (["施設ID", "名称", "住所"], None),  # 施設 says nothing about the kind
    (["町字ID", "名称", "住所"], None),  # part of an address code
    (["屋台開店情報連携ID", "名称", "住所"], None),  # a link to another system, not the kind
])
def test_an_id_column_named_for_what_every_row_is_gives_their_kind(header, kind):
    from content.importers.facilities import kind_of_rows

    assert kind_of_rows(header) == kind


def test_a_list_of_one_kind_of_place_files_each_under_it_with_its_english_name_and_body(session, tmp_path):
    """The kind in front of the row's own category; 名称_英語 another name to find it by; 本文 its description."""
    path = tmp_path / "yatai.csv"
    path.write_text("屋台ID,名称,名称_英語,住所,カテゴリー,本文,営業時間\n"
                    "1,ひでちゃん,Hidechan,福岡県福岡市中央区天神1,ラーメン/おでん,羽根つき餃子が名物,19:00～1:00\n",
                    encoding="utf-8")
    import_path(session, "facilities", str(path), now=NOW)
    place = facilities(session)["ひでちゃん"]
    assert place.category == "屋台（ラーメン/おでん）"
    assert "Hidechan" in (place.aliases or "") and "羽根つき餃子" in (place.description or "")


def test_a_cultural_property_list_keeps_both_its_summary_and_its_description(session):
    """概要 and 説明 both published: both are kept (once when they are the same), so 「一般公開時のみ（11月上旬）」
    of 概要 can answer 「いつ公開してる？」."""
    from content.search.answers import answer_question
    from content.search.index import clear_cache

    report = import_path(session, "facilities", str(REACH / "facility-cultural-properties.csv"), now=NOW)
    assert report.ok and (report.imported, report.skipped) == (2, 0)
    rows = facilities(session)
    shoin = rows["降井家書院"]
    assert "一般公開時のみ（11月上旬）" in shoin.description and "国の重要文化財" in shoin.description
    assert rows["中家住宅"].description == "江戸時代の庄屋屋敷。"
    clear_cache()
    answer = answer_question(session, "降井家書院っていつ公開してる？", now=datetime(2026, 6, 10, 12), lang="ja")
    assert "説明より：ただし、見ることができるのは年一度の一般公開時のみ（11月上旬）。" in answer.messages[0]["text"]
