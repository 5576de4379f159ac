"""A word that matches nothing is never dropped silently: it is the subject (nothing found) or named as not found."""
from __future__ import annotations

import pytest

from content.search.answers import answer_question
from content.query import parse_query
from content.search.ranking import is_city_word, search
from content.search.index import clear_cache, current_index
from tests.search_support import NOW, seed_small_city


@pytest.fixture
def city(session):
    """The small city, seeded once per test."""
    clear_cache()
    return seed_small_city(session)


def run(session, text):
    """The search result for a question."""
    index = current_index(session)
    return search(session, parse_query(text, now=NOW, places=index.place_index), now=NOW)


@pytest.mark.parametrize("question, unknown", [
    ("テニス教室ある？", ["テニス"]),  # only the generic 教室 left: the unknown word was the subject
    ("ボクシングのイベント", ["ボクシング"]),
])
def test_unmatched_subject_finds_nothing(session, city, question, unknown):
    """With only generic words left, nothing is listed and the word is reported."""
    result = run(session, question)
    assert result.hits == [] and result.unknown == unknown


def test_unmatched_minor_word_is_named_and_the_rest_answers(session, city):
    """With a distinctive word matched, its rows are listed and the unmatched word is said plainly."""
    result = run(session, "ボクシングと囲碁将棋")
    assert result.hits and result.missing == ["ボクシング"]
    answer = answer_question(session, "ボクシングと囲碁将棋", now=NOW, lang="ja")
    assert answer.messages[0]["text"].startswith("「ボクシング」に合うものは見つかりませんでした。\n近いもの：")


@pytest.mark.parametrize("word, city_word", [("つながり", True), ("つながり市", True), ("本町", False), ("囲碁", False)])
def test_city_name_in_every_address_tells_no_row_apart(session, city, word, city_word):
    """The city's own name (in most addresses) is not a word a row can match on its own."""
    assert is_city_word(current_index(session), word) is city_word


def test_facility_with_an_event_topic_answers_with_its_events(session, city):
    """「中央公民館の囲碁」: the events on that topic at that facility, not the facility card."""
    answer = answer_question(session, "中央公民館の囲碁", now=NOW, lang="ja")
    assert [item["title"] for item in answer.items][:1] == ["囲碁将棋の会"]


@pytest.mark.parametrize("description, line", [
    ("江戸時代の町並み。無料駐車場が併設されています。アクセス: 駅から徒歩5分", "駐車場：無料駐車場が併設されています"),
    ("江戸時代の町並み。", "駐車場の情報は公開されていません。"),
    (None, "駐車場の情報は公開されていません。"),
])
def test_parking_is_answered_from_the_facility_text(description, line):
    """「駐車場ある？」 quotes the published sentence about parking, or says none is published."""
    from content.search.answers import parking_line
    from models import Facility
    facility = Facility(source="t", source_key="k", name="白壁の町並み", description=description)
    assert parking_line(facility, "ja") == line


@pytest.mark.parametrize("question, place", [
    ("にしがわら公民舘 明日", "西河原公民館"),  # Sudachi reads 西河原 にしがはら; typed as it sounds
    ("こまえしりつにしがわらこうみんかん", "狛江市立西河原公民館"),
    ("としょかん", None),  # too short a reading to name one place
])
def test_events_place_found_by_its_sound(question, place):
    """A kana-typed place name finds the events' place by reading, with は/わ alike."""
    from types import SimpleNamespace
    from content.search.ranking import _event_place_by_reading
    docs = [SimpleNamespace(kind="event", place=p) for p in ("西河原公民館", "狛江市立西河原公民館", "中央図書館")]
    assert _event_place_by_reading(SimpleNamespace(docs=docs), question) == place


@pytest.mark.parametrize("words, beyond", [
    (["ミドリ"], []),  # みどり市民体育舘: the kana of the facility's own name
    (["トショカンノジカン"], []),  # としょかんのじかん: a run that holds the name
    (["ハロウィーン"], ["ハロウィーン"]),
])
def test_words_beyond_the_facility_name_are_the_topic(words, beyond):
    """Only words that do not spell the matched facility make its question one about its events."""
    from content.query.model import ParsedQuery, PlaceMatch
    from content.search.ranking import words_beyond_places
    parsed = ParsedQuery(text="", normalized="", places=[
        PlaceMatch("facility", 1, "みどり市民体育館", "みどりしみんたいいくかん", 100.0),
        PlaceMatch("facility", 2, "みどり市立中央図書館", "としょかん", 90.0)])
    assert words_beyond_places(parsed, words) == beyond


@pytest.mark.parametrize("question, words, typed", [
    ("ヨガ教室ある？", ["ヨーガ"], ["ヨガ"]),
    ("テニス教室", ["テニス"], ["テニス"]),
    ("子どものお金払ってくれない 相談したい", ["払う"], ["払う"]),  # a verb cut off as typed (払っ) says less
])
def test_not_found_words_are_said_as_typed(question, words, typed):
    """The word reported as not found is the resident's spelling, not Sudachi's normalised form."""
    from content.search.answers import as_typed
    assert as_typed(parse_query(question, now=NOW), words) == typed


# --- issue 12: nothing found only when nothing fits ------------------------------------------------------------
def test_verbs_are_met_by_the_noun_rows_list_them_under():
    from content.search.terms import verb_nouns
    assert verb_nouns("歌う") == ("歌",)  # ウタ of ウタウ
    assert verb_nouns("踊る") == ("踊り",)
    assert verb_nouns("泳ぐ") == ()  # 泳 reads エイ: not the noun of 泳ぐ


def test_sudachi_synonyms_expand_respecting_the_no_trigger_flag():
    from content.search.terms import dictionary_synonyms
    assert dictionary_synonyms("スマホ")["スマートフォン"] == 0.8  # same word, another form
    assert "sp" not in dictionary_synonyms("sp")  # SP is 展開制御 1: it never starts an expansion
    assert dictionary_synonyms("散歩").get("散策") == 0.5  # a near word of the group


def test_a_word_no_row_holds_is_named_beside_the_rows_of_the_other(session, city):
    """「椿を見に行きたい 解説してくれる会ない？」 where no row says 解説: the 椿 walk comes first and 解説 is named,
    not "nothing found"."""
    from models import Event
    from tests.search_support import day, utc
    session.add(Event(source="test", source_key="tsubaki", title="椿庭園さんぽ", description="現地見学(ガイド付き)",
                      starts_at=utc(day(4), 10)))
    # カイ, イセ and セツ of 解説's reading each sit in another row; no row holds カイセツ
    for key, title in (("setsu", "アンケート説明会"), ("ise", "伊勢えびまつり")):
        session.add(Event(source="test", source_key=key, title=title, starts_at=utc(day(5), 10)))
    session.commit()
    clear_cache()
    result = run(session, "椿を見に行きたい 解説してくれる会ない？")
    assert result.hits and result.missing == ["解説"]
    answer = answer_question(session, "椿を見に行きたい 解説してくれる会ない？", now=NOW, lang="ja")
    assert answer.items[0]["title"] == "椿庭園さんぽ"


@pytest.mark.parametrize("question", ["65歳以上は安くなる体操", "3歳以下の子と行ける工作", "小学生未満も行ける工作",
                                      "生後4か月の赤ちゃんと行ける集まり", "8ヶ月の子と行ける工作"])
def test_age_limits_are_not_words_to_find(session, city, question):
    """以上 / 以下 / 未満 and 生後 / ヶ月 qualify an age or an amount: a row saying 「小学生以上」 is not nearer for them."""
    from content.search.ranking import keyword_terms
    index = current_index(session)
    terms, unknown, _optional = keyword_terms(index, parse_query(question, now=NOW, places=index.place_index))
    assert not {"以上", "以下", "未満", "生後", "箇月"} & set(terms + unknown)


def test_a_part_of_a_missing_word_met_only_by_its_sound_is_not_required(session, city):
    """「放課後に運動できる教室」 where no row says 放課後: 放課 sounds like 包括 (ホウカツ) of another row, but it is the
    missing 放課後, named beside the 運動 rows."""
    from models import Event
    from tests.search_support import day, utc
    session.add(Event(source="test", source_key="undo", title="キッズ運動教室", starts_at=utc(day(4), 16)))
    session.add(Event(source="test", source_key="hokatsu", title="介護の相談会", description="地域包括支援センターが答えます",
                      starts_at=utc(day(5), 10)))
    session.commit()
    clear_cache()
    result = run(session, "放課後に運動できる教室")
    assert result.missing == ["放課後"] and result.keywords == ["運動"]


@pytest.mark.parametrize("question, asked", [
    ("Any music events with a marimba?", ["音楽"]),  # beside a table word, a guess no row holds is not asked for
    ("Any marimba events?", ["マリンバ"]),  # alone, the guess is the topic (and is named as not found)
])
def test_english_words_from_the_dictionary_rank_beside_the_tables_words(session, city, question, asked):
    """Words read through the synonym dictionary are guesses: "sign language" must not need サイン and ランゲージ."""
    from content.search.ranking import keyword_terms
    index = current_index(session)
    terms, unknown, _optional = keyword_terms(index, parse_query(question, now=NOW, places=index.place_index))
    assert [t for t in terms + unknown if t in ("音楽", "マリンバ")] == asked


def test_a_kind_of_place_the_city_lacks_is_not_met_by_a_name_prefix(session, city):
    """「市民プールで泳ぎたい」 with no pool: nothing, named; not 市民工房 for its 市民."""
    from models import Facility
    session.add(Facility(source="test", source_key="kobo", name="市民工房うるわし", hours_text="9:00～22:00"))
    session.commit()
    clear_cache()
    result = run(session, "市民プールで泳ぎたい 何時まで？")
    assert result.hits == [] and result.unknown == ["プール"]


@pytest.mark.parametrize("question, word", [
    ("おちゃしつ見学したいんだけど 今日あいてるとこ", "あく"),  # あいてる asks whether it is open
    ("囲碁 今日あいてる？", "開く"),
    ("障害者スポーツの活動 1回いくらかかる？", "回"),  # a counter of 1回
    ("ばあちゃんにスマホ習わせたい", "ちゃん"),  # an honorific of ばあちゃん
    ("起業したい人向けの相談会", "人"),  # 人向け says who, like 方
    ("いま妊娠中 支援センターのぞいてみたい", "いま"),  # 今 typed in kana
    ("若い子のバンドのライブ", "子"),  # 子 of 若い子 / うちの子 says who, even where no audience is read
    ("あしたの就職の面接会 午後の部は何時から？", "部"),  # 午後の部 is a session of the day
    ("消防署の中を見学できるってきいたけど", "中"),  # inside, not a thing
    ("消防署の中を見学できるってきいたけど", "きく"),  # hearsay
    ("もう一回仕事にチャレンジしたい女性向けの講座", "一回"),  # once more
])
def test_words_of_how_it_is_asked_are_not_words_to_find(session, city, question, word):
    """Kana for 開く, counters and honorifics name nothing that could be missing."""
    from content.search.ranking import keyword_terms
    index = current_index(session)
    terms, unknown, _optional = keyword_terms(index, parse_query(question, now=NOW, places=index.place_index))
    assert word not in set(terms + unknown)


def test_a_word_the_parser_adds_is_never_named_as_not_found(session, city):
    """怪我 brings 救急 (TERM_EXPANSIONS); where neither is found, only けが — what the resident wrote — is named."""
    result = run(session, "脳のけがで会話がむずかしくなった家族の会")
    assert "救急" not in result.unknown + result.missing


@pytest.mark.parametrize("question, unknown, things", [
    ("心臓マッサージを習いたい", ["心臓", "マッサージ"], 1),  # written together: one thing
    ("バイオリンとかの弦楽器のコンサート", ["バイオリン", "弦楽器"], 1),  # an example and its kind
    ("囲碁と俳句の会", ["囲碁", "俳句"], 2),
])
def test_how_many_things_the_words_no_row_holds_name(question, unknown, things):
    from content.search.ranking import missing_phrases
    assert missing_phrases(parse_query(question, now=NOW), unknown) == things


def test_a_shop_word_only_ranks(session, city):
    """お店 of 「お店の持ち帰りグルメ」 says where, not what: no row saying it, the topic's rows still answer."""
    from models import Event
    from tests.search_support import day, utc
    session.add(Event(source="test", source_key="takeout", title="テイクアウトフェア", starts_at=utc(day(5), 10)))
    session.commit()
    clear_cache()
    result = run(session, "お店のテイクアウトのイベント")
    assert result.unknown == [] and result.missing == [] and result.hits  # nor named as not found
