"""English questions are read through the Japanese words they mean: dates, intents, audiences and topics."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from content.query import PlaceIndex, parse_query
from content.query.dates import JST
from content.query.english import english_to_japanese, is_english

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=JST)  # Thursday
PLACES = PlaceIndex(facilities=[(1, "焼津図書館", "ヤイヅトショカン", None), (2, "中央公民館", "チュウオウコウミンカン", None)])


def d(y, m, day, h=0):
    """Aware JST datetime."""
    return datetime(y, m, day, h, tzinfo=JST)


def day(y, m, dd):
    """The whole of one day."""
    return (d(y, m, dd), d(y, m, dd) + timedelta(days=1))


def parse(text: str):
    """parse_query on a fixed Thursday morning."""
    return parse_query(text, now=NOW, places=PLACES)


@pytest.mark.parametrize("text,expected,label", [
    ("events today", day(2026, 11, 26), "今日"),
    ("anything tonight?", (d(2026, 11, 26, 17), d(2026, 11, 27)), "今夜"),
    ("events tomorrow", day(2026, 11, 27), "明日"),
    ("events the day after tomorrow", day(2026, 11, 28), "あさって"),
    ("What's on this weekend?", (d(2026, 11, 28), d(2026, 11, 30)), "今週末"),
    ("events at the weekend", (d(2026, 11, 28), d(2026, 11, 30)), "週末"),
    ("events next week", (d(2026, 11, 30), d(2026, 12, 7)), "来週"),
    ("events next Saturday", day(2026, 11, 28), "次の土曜日"),
    ("events this month", (d(2026, 11, 26), d(2026, 12, 1)), "今月"),
    ("events next month", (d(2026, 12, 1), d(2027, 1, 1)), "来月"),
    ("events on Dec 3", day(2026, 12, 3), "12月3日(木)"),
    ("December 3rd events", day(2026, 12, 3), "12月3日(木)"),
    ("events on 12/3", day(2026, 12, 3), "12月3日(木)"),
    ("events in 3 days", day(2026, 11, 29), "3日後"),
    ("events tomorrow morning", (d(2026, 11, 27), d(2026, 11, 27, 12)), "明日の午前"),
    ("events tomorrow afternoon", (d(2026, 11, 27, 12), d(2026, 11, 27, 18)), "明日の午後"),
    ("events tomorrow evening", (d(2026, 11, 27, 17), d(2026, 11, 28)), "明日の夜"),
])
def test_english_dates(text, expected, label):
    """English date words resolve like their Japanese counterparts."""
    q = parse(text)
    assert (q.date_range, q.date_label, q.language) == (expected, label, "en")


def test_english_holiday_is_the_next_national_holiday():
    """「holiday」 is the next national holiday (jpholiday), as 祝日 is."""
    q = parse("events on the holiday")
    assert (q.date_range, q.date_label, q.intent) == (day(2027, 1, 1), "1月1日(金) 元日", "events")


@pytest.mark.parametrize("text,intent", [
    ("What time does Yaizu Library close?", "facility_hours"),
    ("library opening hours", "facility_hours"),
    ("Is the library open tomorrow?", "facility_hours"),
    ("Is the library closed on Monday?", "facility_closed"),
    ("library day off", "facility_closed"),
    ("Where is the library?", "facility_address"),
    ("library address", "facility_address"),
    ("library phone number", "facility_phone"),
    ("I want to volunteer", "participate"),
    ("I'd like to help out", "participate"),
    ("how can I take part", "participate"),
    ("events", "events"),
    ("What's on?", "events"),
    ("anything happening tomorrow?", "events"),
    ("fireworks", "events"),
    ("Settings", "settings"),
    ("English", "settings"),
    ("help", "help"),
])
def test_english_intents(text, intent):
    """Hours, closed days, address, phone, taking part, events, settings and help in English."""
    assert parse(text).intent == intent


@pytest.mark.parametrize("text,audiences,free", [
    ("events for kids", ["children"], False),
    ("something for children", ["children"], False),
    ("events for families", ["parents"], False),
    ("tennis for parents and kids", ["parents"], False),
    ("events for seniors", ["seniors"], False),
    ("activities for the elderly", ["seniors"], False),
    ("events for disabled people", ["disabled"], False),
    ("events anyone can join", ["anyone"], False),
    ("free events", [], True),
])
def test_english_audiences_and_fees(text, audiences, free):
    """Kids, families, seniors, disabled, anyone and free map to the same tags and flag."""
    q = parse(text)
    assert (q.audiences, q.free_only) == (audiences, free)


@pytest.mark.parametrize("text,term", [
    ("fireworks", "花火"),
    ("library events next week", "図書館"),
    ("museum", "資料館"),
    ("park", "公園"),
    ("pool", "プール"),
    ("gym", "体育館"),
    ("community center", "公民館"),
    ("city hall", "市役所"),
    ("concert", "コンサート"),
    ("festival", "祭"),
    ("tennis", "テニス"),
    ("exercise class", "体操"),
    ("cooking", "料理"),
    ("health consultation tomorrow", "健康相談"),
    ("lecture", "講座"),
    ("story time for kids", "はなす"),
    ("international exchange event", "国際"),
    ("flower", "花"),
    ("beach", "海水浴場"),
    ("planetarium", "プラネタリウム"),
    ("tourist information", "観光"),
    # community topics the synonym dictionary has no headword for, or only a loanword titles never use
    ("Where can I try making salt by the sea?", "塩"),
    ("rooftop play time", "屋上"),
    ("seminar about saving energy at home", "省エネ"),
    ("tai chi class", "太極拳"),
    ("kyudo hall", "弓道"),
    ("Where can I buy local products?", "特産"),
    ("moon viewing", "月見"),
    ("bulky garbage", "粗大"),
    ("Can I climb up a lighthouse?", "灯台"),
])
def test_english_topics_become_the_japanese_index_words(text, term):
    """Topic words become the words Japanese titles use (fireworks → 花火)."""
    assert term in parse(text).terms


@pytest.mark.parametrize("text,english", [
    ("fireworks", True), ("What's on?", True), ("12/3", False), ("LINEで予約", False), ("図書館 library", False), ("", False),
])
def test_only_english_text_is_translated(text, english):
    """Japanese text, even with Latin letters in it, is read as Japanese."""
    assert is_english(text) is english


@pytest.mark.parametrize("text, expected", [
    ("Where is the Koizumi Yakumo museum?", "コイズミヤクモ資料館 どこ"),  # a romaji name joins its place type
    ("Is Muroya no Sono Park open tomorrow?", "明日 ムロヤノソノ公園 開いてる"),
    ("Tokorozawa events tomorrow", "明日 イベント"),  # a bare one-word name is most often the city: dropped
    ("How much does Muroya no Sono cost?", "料金 ムロヤノソノ ある?"),  # several words: a place's name
    ("Where is Koizumi Yakumo Memorial Museum?", "コイズミヤクモ記念館 どこ"),
    ("raft race", "いかだ"),
    ("Time for yoga", "ヨガ"),  # capitalised English is no name
])
def test_romaji_facility_names_are_read_as_katakana(text, expected):
    assert english_to_japanese(text) == expected


def test_romaji_facility_name_finds_the_facility():
    assert parse("What time does Yaizu Library close?").places[0].name == "焼津図書館"


def test_unknown_english_words_are_dropped_and_japanese_is_untouched():
    """Filler words are dropped; a Japanese question keeps its own wording."""
    assert english_to_japanese("Where is the museum?") == "資料館 どこ"
    assert english_to_japanese("明日のイベント") is None
    assert parse("明日のイベント").language == "ja"


@pytest.mark.parametrize("text,intent,asks_open", [
    ("Is the library open tomorrow?", "facility_hours", True),
    ("Is the library closed on Monday?", "facility_closed", True),
    ("library opening hours", "facility_hours", False),
])
def test_english_open_on_a_day(text, intent, asks_open):
    """「Is X open tomorrow?」 asks about that day, as 「明日あいてる？」 does."""
    q = parse(text)
    assert (q.intent, q.asks_open) == (intent, asks_open)


def test_english_question_keeps_its_original_text():
    """text stays as typed; normalized holds the Japanese words search reads."""
    q = parse("library events next week")
    assert q.text == "library events next week" and q.normalized == "来週 図書館 イベント"


@pytest.mark.parametrize("text, present, absent", [
    ("Any concert with a marimba?", "マリンバ", None),  # not in the table: Sudachi's dictionary lists marimba
    ("Where can I try embroidery?", "エンブロイダリー", "トライ"),  # try says how the question is put
    ("Any marimbas?", "マリンバ", None),  # a plural meets its singular headword
    ("Where can I watch a soccer match?", "サッカー", "ウオッチ"),  # watch is what the resident does, not a watch
    ("Is there an event with Christian Dior?", None, "クリスチャン"),  # a word the dictionary lacks is dropped
])
def test_english_topics_outside_the_table_come_from_the_synonym_dictionary(text, present, absent):
    """Loanwords the table lacks are read through the English headwords of Sudachi's synonym dictionary."""
    japanese = english_to_japanese(text)
    assert (present is None or present in japanese) and (absent is None or absent not in japanese)


@pytest.mark.parametrize("text, present, absent", [
    ("Any table tennis tournament?", "卓球", "テニス"),  # the longer phrase of the table wins over its part
    ("Tennis lessons?", "テニス", "卓球"),
])
def test_the_longest_topic_phrase_wins(text, present, absent):
    japanese = english_to_japanese(text)
    assert present in japanese and absent not in japanese


@pytest.mark.parametrize("text, expected", [
    ("Is there a baby sign language class?", "ベビー手話 教室 ある?"),  # not babies + 手話
    ("baby massage for parents", "ベビーマッサージ 保護者"),
    ("Any classes for babies?", "教室 子ども ある?"),  # an audience word alone stays the audience
])
def test_a_topic_phrase_holding_an_audience_word_is_the_topic(text, expected):
    assert english_to_japanese(text) == expected
