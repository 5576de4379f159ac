"""Search ranking and filters on a small hand-made city."""
from __future__ import annotations

import pytest

from content.query import parse_query
from content.search.ranking import haversine_m, nearby, search
from content.search.index import clear_cache, current_index
from tests.search_support import NOW, seed_small_city, utc, day
from models import Event


@pytest.fixture
def city(session):
    """The small city, seeded once per test."""
    clear_cache()
    return seed_small_city(session)


def titles(session, text, **kw):
    """Titles of what a question finds, in order."""
    index = current_index(session)
    parsed = parse_query(text, now=NOW, places=index.place_index)
    result = search(session, parsed, now=NOW, **kw)
    out = []
    for hit in result.hits:
        doc = next(d for d in index.docs if d.kind == hit.kind and d.id == hit.id)
        out.append(doc.title)
    return out


@pytest.mark.parametrize("question, expected_first", [
    ("今週末、子ども向けのイベントある？", "子ども工作教室"),
    ("明日中央公民館で何かある？", "囲碁将棋の会"),
    ("図書館は何時まで？", "中央図書館"),
    ("ボランティアしたい", "公園清掃ボランティア"),
    ("ヨガ", "ヨガ教室"),
    ("おはなしかい", "おはなし会"),
    ("こどもこうさく", "子ども工作教室"),
    ("シニア向けの体操", "シニア健康体操"),
    ("中央公民館の住所", "中央公民館"),
    ("東地区交流センターは土曜日あいてる？", "東地区交流センター"),
])
def test_question_finds_the_expected_item_first(session, city, question, expected_first):
    assert titles(session, question)[:1] == [expected_first]


def test_children_this_weekend_excludes_adult_and_other_days(session, city):
    found = titles(session, "今週末、子ども向けのイベントある？")
    assert set(found) == {"子ども工作教室", "おはなし会"}


def test_tomorrow_at_a_facility_is_ordered_by_time(session, city):
    assert titles(session, "明日中央公民館で何かある？") == ["囲碁将棋の会", "ヨガ教室"]


@pytest.mark.parametrize("question, absent", [
    ("今週末のイベント", "審査中の音楽会"),       # pending rows are never shown
    ("今週末のイベント", "取り下げたコンサート"),  # retired rows are never shown
    ("中央公民館のイベント", "昨年の講演会"),      # past events only when asked
])
def test_hidden_rows_stay_hidden(session, city, question, absent):
    assert absent not in titles(session, question)


def test_past_events_when_asked(session, city):
    assert "昨年の講演会" in titles(session, "先週の中央公民館のイベント")


def test_free_only_keeps_free_events(session, city):
    found = titles(session, "無料のイベント")
    assert found and "ヨガ教室" not in found and "子ども工作教室" in found


def test_recurring_event_ties_are_broken_by_date(session, city):
    index = current_index(session)
    parsed = parse_query("ウォーキング", now=NOW, places=index.place_index)
    hits = search(session, parsed, now=NOW).hits
    starts = [h.starts for h in hits]
    assert len(hits) == 25 and starts == sorted(starts)


def test_noun_that_nothing_contains_is_reported_not_ignored(session, city):
    index = current_index(session)
    parsed = parse_query("テニス", now=NOW, places=index.place_index)
    result = search(session, parsed, now=NOW)
    assert result.hits == [] and result.unknown == ["テニス"]


def test_relaxing_the_date_finds_other_days(session, city):
    assert titles(session, "明日のおはなし会") == []
    assert titles(session, "明日のおはなし会", relax="d") == ["おはなし会"]


def test_index_is_rebuilt_when_a_row_changes(session, city):
    first = current_index(session)
    assert current_index(session) is first
    session.add(Event(source="test", source_key="new", title="将棋大会", starts_at=utc(day(4), 10)))
    session.commit()
    assert current_index(session) is not first
    assert titles(session, "将棋大会")[:1] == ["将棋大会"]


@pytest.mark.parametrize("a, b, metres", [
    ((35.6800, 139.7600), (35.6800, 139.7600), 0),
    ((35.6800, 139.7600), (35.6890, 139.7600), 1001),  # 0.009° of latitude ≈ 1 km
    ((35.6812, 139.7671), (34.7025, 135.4959), 403_000),  # Tokyo station → Osaka station
])
def test_haversine_distances(a, b, metres):
    assert haversine_m(*a, *b) == pytest.approx(metres, rel=0.01, abs=1)


def test_nearby_lists_nearest_facilities_first_with_distances(session, city):
    facilities, events = nearby(session, 35.6801, 139.7601, now=NOW)
    assert facilities[0].distance_m < 20
    assert [h.distance_m for h in facilities] == sorted(h.distance_m for h in facilities)
    assert all(h.starts >= NOW.replace(hour=0) for h in events)


def test_long_running_row_matches_a_window_inside_its_span_after_one_day_events(session, city):
    session.add(Event(source="test", source_key="long", title="通年の体操教室", starts_at=utc(day(-60), 10),
                      ends_at=utc(day(90), 11)))
    session.commit()
    found = titles(session, "今週末のイベント")
    assert found[-1] == "通年の体操教室" and "子ども工作教室" in found
    assert "通年の体操教室" in titles(session, "体操教室")  # still found by what it is


@pytest.mark.parametrize("note, question, found", [
    ("毎週木曜日", "今週末のイベント", False),          # 11/28-29 hold no Thursday
    ("毎週木曜日", "来週の木曜日のイベント", True),
    ("令和8年9月から令和9年3月まで【木曜日】", "明日のイベント", False),  # tomorrow is a Friday
    ("毎月第2、第4土曜日", "今週末のイベント", True),   # 11/28 is the 4th Saturday
    ("毎月第2土曜日", "今週末のイベント", False),
    ("毎月第2土曜日", "12月12日のイベント", True),
    ("1月14日(金曜)から3月25日(金曜)毎週金曜", "明日のイベント", True),
    ("毎週金曜※11月27日を除く", "明日のイベント", False),  # the one Friday it leaves out
    ("", "来週の水曜日のイベント", True),  # no note, different weekdays at both ends: any day
])
def test_long_running_row_only_on_the_weekdays_its_note_names(session, city, note, question, found):
    session.add(Event(source="test", source_key="long", title="通年の体操教室", starts_at=utc(day(-60), 10),
                      ends_at=utc(day(90), 11), time_note=note or None))
    session.commit()
    assert ("通年の体操教室" in titles(session, question)) is found


def test_long_row_starting_and_ending_on_one_weekday_is_taken_as_weekly(session, city):
    session.add(Event(source="test", source_key="long", title="初級体操教室", starts_at=utc(day(-63), 9, 30),
                      ends_at=utc(day(91), 10, 30)))  # both Thursdays
    session.commit()
    assert "初級体操教室" not in titles(session, "今週末のイベント")
    assert "初級体操教室" in titles(session, "来週の木曜日のイベント")


@pytest.mark.parametrize("question, expected_first", [
    ("よが", "ヨガ教室"),                   # Sudachi reads よ+が; the kana form finds ヨガ
    ("明日のよが", "ヨガ教室"),
    ("ちゅうおうとしょかん", "中央図書館"),
])
def test_kana_only_words_find_titles(session, city, question, expected_first):
    assert titles(session, question)[:1] == [expected_first]


def test_category_word_is_met_by_rows_of_that_category(session, city):
    # 「スポーツ」: 朝のウォーキング has category スポーツ; ヨガ教室 too, even without the word in its text
    found = titles(session, "スポーツ")
    assert "ヨガ教室" in found and "囲碁将棋の会" not in found


def test_words_only_in_the_time_note_find_the_event(session, city):
    session.add(Event(source="test", source_key="rakugo", title="自治会講演会「笑うが一番」", starts_at=utc(day(8), 13),
                      time_note="講演会60分と落語30分"))
    session.commit()
    assert titles(session, "落語が聞ける催し")[:1] == ["自治会講演会「笑うが一番」"]


def test_kana_question_ending_in_a_particle_like_syllable_finds_the_kanji_title(session, city):
    session.add(Event(source="test", source_key="castle", title="「滝の城跡」現地説明会", starts_at=utc(day(9), 10)))
    session.commit()
    assert titles(session, "たきのじょうあと")[:1] == ["「滝の城跡」現地説明会"]


def test_a_town_of_the_event_addresses_filters_like_a_place(session, city):
    session.add(Event(source="test", source_key="town", title="多摩川いかだレース", starts_at=utc(day(6), 10),
                      address="つながり市猪方4-2"))
    session.commit()
    assert titles(session, "猪方でなにかある？") == ["多摩川いかだレース"]


def test_a_compound_sudachi_keeps_whole_still_meets_its_parts(session, city):
    for key, title in (("sakura", "こまえ桜まつり"), ("shimin", "第43回狛江市民まつり")):
        session.add(Event(source="test", source_key=key, title=title, starts_at=utc(day(8), 10)))
    session.commit()
    assert titles(session, "こまえさくら祭")[:1] == ["こまえ桜まつり"]


@pytest.mark.parametrize("question", ["あさってのイベント", "あさってなにある？"])
def test_a_kana_date_word_is_no_search_word(session, city, question):
    assert "子ども工作教室" in titles(session, question)  # 11/28, the day after tomorrow


def test_a_weekly_day_keeps_only_what_runs_on_that_day(session, city):
    session.add(Event(source="test", source_key="long", title="通年の体操教室", starts_at=utc(day(-60), 10),
                      ends_at=utc(day(90), 11), time_note="毎週月曜日"))
    session.commit()
    found = titles(session, "毎週金曜日の教室")
    assert "ヨガ教室" in found and "子ども工作教室" not in found and "通年の体操教室" not in found
    assert "通年の体操教室" in titles(session, "毎週月曜日の教室")


def test_a_town_with_no_event_that_day_is_named_in_the_not_found_line(session, city):
    from content.search.answers import answer_question
    session.add(Event(source="test", source_key="town", title="多摩川いかだレース", starts_at=utc(day(6), 10),
                      address="つながり市猪方4-2"))
    session.commit()
    answer = answer_question(session, "明日猪方で何かある？", now=NOW, lang="ja")
    assert answer.items == [] and answer.messages[0]["text"].startswith("明日・猪方に合うものは見つかりませんでした。")


@pytest.mark.parametrize("question, absent, present", [
    ("今月の土日のイベント", "ヨガ教室", "子ども工作教室"),   # 11/27 is a Friday, 11/28 a Saturday
    ("平日のイベント", "子ども工作教室", "ヨガ教室"),
])
def test_named_days_of_the_week_filter_a_longer_window(session, city, question, absent, present):
    found = titles(session, question)
    assert present in found and absent not in found


def test_a_hall_named_on_events_with_nothing_upcoming_there_finds_nothing_rather_than_other_halls(session, city):
    from content.search.answers import answer_question
    session.add(Event(source="test", source_key="old", title="将棋教室", starts_at=utc(day(-30), 10),
                      place_name="つながり市立北公民館"))
    session.add(Event(source="test", source_key="other", title="おはなし会", starts_at=utc(day(4), 10),
                      place_name="つながり市立南公民館"))
    session.commit()
    answer = answer_question(session, "北公民館のイベント", now=NOW, lang="ja")
    assert answer.items == [] and answer.messages[0]["text"].startswith("北公民館に合うものは見つかりませんでした。")


def test_a_kana_question_of_two_words_joined_by_no_is_read_as_both(session, city):
    from content.search.ranking import keyword_terms
    index = current_index(session)
    parsed = parse_query("ちゅうおうとしょかんのおはなしかい", now=NOW, places=index.place_index)
    assert "オハナシカイ" in keyword_terms(index, parsed)[0]  # the whole run is no reading; its second word is


def test_a_word_met_only_through_a_synonym_weighs_as_much_as_it(session, city):
    session.add(Event(source="test", source_key="craft", title="マクラメ編みのコースター", starts_at=utc(day(8), 10)))
    session.commit()
    assert titles(session, "手芸")[:1] == ["マクラメ編みのコースター"]
    assert "ヨガ教室" not in titles(session, "編み物教室")  # 教室 alone is not half of 編み物教室


def test_an_exhibition_spanning_weeks_is_not_guessed_weekly(session, city):
    session.add(Event(source="test", source_key="expo", title="市民美術展", starts_at=utc(day(-35), 9),
                      ends_at=utc(day(7), 17)))  # Thursday to Thursday, open all day long
    session.commit()
    assert "市民美術展" in titles(session, "今週末のイベント")


def test_a_piece_of_a_facility_name_also_finds_events_at_other_places_with_it(session, city):
    # 交流センター matches 東地区交流センター by a piece: 北地域交流センター's events are what was asked for too
    session.add(Event(source="test", source_key="piece", title="交流コンサート", starts_at=utc(day(6), 14),
                      place_name="北地域交流センター大会議室"))
    session.commit()
    found = titles(session, "交流センターのイベント")
    assert "交流コンサート" in found and "シニア健康体操" in found and "ヨガ教室" not in found
