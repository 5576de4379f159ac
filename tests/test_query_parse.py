"""parse_query reads intent, audiences, categories, fees, places and ranking terms from residents' wording."""
from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest

from content.query import INTENTS, ParsedQuery, PlaceIndex, parse_query
from content.query.audience_words import AUDIENCE_TAGS
from content.query.dates import JST
from content.query.normalize import normalize_text, terms_of

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=JST)  # Thursday

PLACES = PlaceIndex(
    facilities=[
        (1, "中央公民館", "チュウオウコウミンカン", None),
        (2, "北公民館", "キタコウミンカン", None),
        (3, "市立中央図書館", "シリツチュウオウトショカン", None),
        (4, "みどり公園", "ミドリコウエン", None),
        (5, "市民会館", "シミンカイカン", "文化ホール"),
        (6, "総合体育館", "ソウゴウタイイクカン", None),
    ],
    districts=[(1, "北部地区", "ホクブチク")],
)


def parse(text: str) -> ParsedQuery:
    """parse_query with the test city and a fixed Thursday morning."""
    return parse_query(text, now=NOW, places=PLACES)


INTENT_ROWS = [
    ("今週末、子ども向けのイベントある?", "events"),
    ("明日中央公民館で何かある?", "events"),
    ("何か面白い催しない?", "events"),
    ("いべんとある?", "events"),
    ("週末なにやってる", "events"),
    ("ヨガ教室", "events"),
    ("無料の講座ありますか", "events"),
    ("子どもと遊べるところ", "events"),
    ("明日の祭りは何時から", "events"),
    ("高齢者向けの健康体操はありますか", "events"),
    ("図書館は何時まで?", "facility_hours"),
    ("としょかんなんじまで", "facility_hours"),
    ("中央公民館の開館時間を教えてください", "facility_hours"),
    ("体育館って何時から開いてる?", "facility_hours"),
    ("中央公民館の休館日", "facility_closed"),
    ("公民館の休みっていつ", "facility_closed"),
    ("図書館 定休日", "facility_closed"),
    ("市民会館の住所", "facility_address"),
    ("みどり公園はどこ?", "facility_address"),
    ("体育館への行き方", "facility_address"),
    ("北公民館の電話番号", "facility_phone"),
    ("図書館の連絡先教えて", "facility_phone"),
    ("中央公民館", "facility_info"),
    ("ボランティアしたい", "participate"),
    ("ぼらんてぃあ", "participate"),
    ("ぼらんていあしたい", "participate"),
    ("ボランテイア", "participate"),
    ("イベンと", "events"),
    ("夜7時から", "events"),
    ("おばあちゃんでも参加できる", "events"),
    ("何か手伝えることある?", "participate"),
    ("自治会に入りたい", "participate"),
    ("パブコメ", "participate"),
    ("清掃ボランティアに参加したい", "participate"),
    ("設定", "settings"),
    ("言語を変えたい", "settings"),
    ("ヘルプ", "help"),
    ("使い方がわからない", "help"),
    ("このアプリの使い方", "help"),
    ("何ができるの?", "help"),
    ("キャッシュレス決済 使い方わからん", "unknown"),  # the use of a thing named: its rows answer, not the help
    ("中央公民館は今日やってる?", "facility_hours"),
    ("避難所はどこ", "facility_address"),
    ("清掃活動に参加したい", "participate"),
    ("意見を出したい", "participate"),
    ("やさしい日本語", "settings"),
    ("in English please", "settings"),
    ("Can you reply in English?", "settings"),
    ("Any online tour in English about the public art?", "events"),  # a tour held in English is no setting
    ("こんしゅうまつのいべんと", "events"),
    ("市役所の開庁時間", "facility_hours"),
    ("今日は寒いですね", "unknown"),
    ("こんにちは", "unknown"),
    ("こんばんは", "unknown"),
    ("ありがとう", "unknown"),
]


@pytest.mark.parametrize("text,intent", INTENT_ROWS)
def test_intent_from_wording(text, intent):
    """Colloquial, polite, curt and kana-only questions get the intended kind of answer."""
    assert parse(text).intent == intent


def test_intents_are_from_the_published_list():
    """Every intent in the table is one ParsedQuery documents."""
    assert {intent for _, intent in INTENT_ROWS} <= set(INTENTS)


AUDIENCE_ROWS = [
    ("子ども向けのイベント", ["children"]),
    ("こどもが行けるイベント", ["children"]),
    ("子供と一緒に", ["children"]),
    ("キッズ向け", ["children"]),
    ("親子で参加", ["parents"]),
    ("小学生が参加できる", ["children", "elementary"]),
    ("中学生向け", ["children"]),
    ("高齢者向け", ["seniors"]),
    ("シニアの体操", ["seniors"]),
    ("お年寄りが楽しめる", ["seniors"]),
    ("障がいのある方も", ["disabled"]),
    ("障害者向けのイベント", ["disabled"]),
    ("耳が聞こえない人向け", ["disabled"]),
    ("どなたでも参加できる", ["anyone"]),
    ("誰でも行ける", ["anyone"]),
    ("家族で行ける", ["parents"]),
    ("今週末のイベント", []),
]


@pytest.mark.parametrize("text,tags", AUDIENCE_ROWS)
def test_audience_words_map_to_importer_tags(text, tags):
    """Audience words become the importers' audience tags."""
    assert parse(text).audiences == tags


def test_audience_tags_come_from_the_importers_vocabulary():
    """Query tags never fall outside the tags events are stored with."""
    assert {t for _, tags in AUDIENCE_ROWS for t in tags} <= set(AUDIENCE_TAGS)


CATEGORY_ROWS = [
    ("パソコン講座", ["講座", "パソコン"]),
    ("ヨガ教室", ["講座", "スポーツ"]),
    ("体を動かしたい", ["スポーツ"]),
    ("防災訓練はいつ", ["防災"]),
    ("ゴミ拾い", ["清掃"]),
    ("夏祭り", ["祭り"]),
    ("絵本の読み聞かせ", ["子育て"]),
    ("コンサート", ["文化"]),
    ("健康相談", ["健康", "相談"]),
    ("図書館は何時まで", []),
]


@pytest.mark.parametrize("text,categories", CATEGORY_ROWS)
def test_category_words(text, categories):
    """Category words map to イベント種類 tags."""
    assert parse(text).categories == categories


FLAG_ROWS = [
    # (text, free_only, wants_nearby, past)
    ("無料のイベント", True, False, False),
    ("タダで参加できる", True, False, False),
    ("近くで何かある?", False, True, False),
    ("家の近所の公園", False, True, False),
    ("先週のお祭りどうだった", False, False, True),
    ("過去のイベント", False, False, True),
    ("明日のイベント", False, False, False),
]


@pytest.mark.parametrize("text,free_only,nearby,past", FLAG_ROWS)
def test_fee_nearby_and_past_flags(text, free_only, nearby, past):
    """無料, 近く and past wording set their flags."""
    q = parse(text)
    assert (q.free_only, q.wants_nearby, q.past) == (free_only, nearby, past)


def test_full_question_is_read_as_a_whole():
    """The issue's first example: weekend range, children, events, with a label."""
    q = parse("今週末、子ども向けのイベントある？")
    assert q.intent == "events" and q.audiences == ["children"] and q.date_label == "今週末"
    assert q.date_range == (datetime(2026, 11, 28, tzinfo=JST), datetime(2026, 11, 30, tzinfo=JST))
    assert q.has_subject and not q.past


def test_place_and_date_together():
    """「明日中央公民館で何かある？」: the facility id and tomorrow."""
    q = parse("明日中央公民館で何かある？")
    assert q.facility_ids == [1]
    assert q.date_label == "明日"


def test_district_names_are_exposed():
    """A district named in the question is listed by name."""
    assert parse("北部地区の清掃活動").district_names == ["北部地区"]


def test_unknown_facility_name_is_kept_for_the_answer():
    """A place-like word that matches no facility is reported, not silently dropped."""
    q = parse("さくら会館は何時まで")
    assert q.places == [] and q.place_text_unmatched == "さくら会館" and q.intent == "facility_hours"


@pytest.mark.parametrize("text,has_subject", [
    ("ボランティアしたい", False),
    ("防災のボランティア", True),
    ("イベントある?", False),
    ("卓球", True),
    ("中央公民館", True),
])
def test_has_subject(text, has_subject):
    """has_subject says whether anything concrete was asked beyond the kind of answer."""
    assert parse(text).has_subject is has_subject


@pytest.mark.parametrize("variants", [
    ("子ども", "こども", "子供"),
    ("申込", "申し込み", "申込み"),
    ("カラオケ", "ｶﾗｵｹ"),
    ("LINE", "ＬＩＮＥ", "line"),
])
def test_spelling_variants_share_terms(variants):
    """Orthographic variants and full/half width normalise to the same terms."""
    assert len({tuple(terms_of(v)) for v in variants}) == 1


@pytest.mark.parametrize("text,terms", [
    ("いべんとある?", ["イベント"]),
    ("としょかんなんじまで", ["図書館", "図書"]),
    ("こうざはむりょう?", ["講座", "無料"]),
])
def test_kana_only_words_become_real_terms(text, terms):
    """Hiragana-only questions give the same terms as written ones (いべんと is not い|弁当)."""
    assert parse(text).terms == terms


def test_terms_drop_particles_dates_and_question_words():
    """Ranking terms are content words only."""
    assert parse("明日の子ども向けの工作教室はありますか？").terms == ["子供", "工作", "教室"]


@pytest.mark.parametrize("text,expected", [
    ("〇〇センターの開館時間", "センターの開館時間"),
    ("○○公民館", "公民館"),
    ("二〇二六年", "二〇二六年"),
    ("  全角　スペース  ", "全角 スペース"),
    ("ＡＢＣ１２３", "ABC123"),
])
def test_normalize_text(text, expected):
    """NFKC, placeholder circles removed (kanji zeros kept), spaces collapsed."""
    assert normalize_text(text) == expected


def test_without_place_index_places_are_empty():
    """parse_query works without a PlaceIndex."""
    q = parse_query("中央公民館の休館日", now=NOW)
    assert q.places == [] and q.intent == "facility_closed"


@pytest.mark.parametrize("text", ["", "   ", "？？？", "😀", "a" * 2000, "今日は" * 1700, "あ" * 5000])
def test_odd_input_never_raises(text):
    """Empty, symbols, emoji and very long input parse to something."""
    assert parse(text).intent in INTENTS


def test_parse_is_fast_after_warm_up():
    """Well under 5 ms per question on average (the search budget is 50 ms p95)."""
    questions = [text for text, _ in INTENT_ROWS]
    for text in questions:
        parse(text)
    start = time.perf_counter()
    for _ in range(5):
        for text in questions:
            parse(text)
    per_question_ms = (time.perf_counter() - start) * 1000 / (5 * len(questions))
    assert per_question_ms < 5


def test_parse_from_several_threads():
    """Each thread gets its own tokenizer; results match the single-thread ones."""
    expected = {text: parse(text).intent for text, _ in INTENT_ROWS}
    errors = []

    def work():
        for _ in range(3):
            for text, intent in expected.items():
                if parse(text).intent != intent:
                    errors.append(text)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


@pytest.mark.parametrize("text,intent,audiences,categories", [
    ("親子ふれあい広場", "facility_info", [], []),
    ("こども館は何時まで", "facility_hours", [], []),
    ("親子ふれあい広場で親子向けのイベント", "events", ["parents"], ["子育て"]),
])
def test_words_inside_a_place_name_are_not_audiences(text, intent, audiences, categories):
    """親子 in 親子ふれあい広場 names the place; it does not ask for parent-and-child events."""
    index = PlaceIndex(facilities=[(1, "親子ふれあい広場", "オヤコフレアイヒロバ", None),
                                   (2, "ターントクルこども館", "ターントクルコドモカン", None)])
    q = parse_query(text, now=NOW, places=index)
    assert (q.intent, q.audiences, q.categories) == (intent, audiences, categories)


def test_very_long_message_is_parsed_quickly():
    """A pasted 5,000-character message is read from its start and costs milliseconds, not seconds."""
    parse("今日は" * 1700)
    start = time.perf_counter()
    parse("中央公民館で明日" * 600)
    assert time.perf_counter() - start < 0.2


def test_hiragana_words_inside_facility_names_still_match():
    """Rewriting おやこ → 親子 for word lists must not hide a facility called おやこ広場."""
    index = PlaceIndex(facilities=[(1, "おやこ広場", None, None), (2, "としょかん分室", None, None)])
    assert parse_query("おやこ広場は何時まで", now=NOW, places=index).facility_ids == [1]
    assert parse_query("としょかん分室", now=NOW, places=index).facility_ids == [2]


OPEN_PLACES = PlaceIndex(facilities=[
    (1, "大井川図書館", "オオイガワトショカン", None),
    (2, "ターントクルこども館", "ターントクルコドモカン", None),
    (3, "柳井市町並み資料館", "ヤナイシマチナミシリョウカン", None),
    (4, "大井川南放課後児童クラブ", None, None),
    (5, "大井川地域交流センター", None, None),
    (6, "やない西蔵", "ヤナイニシクラ", None),
])


@pytest.mark.parametrize("text,intent,label", [
    ("大井川図書館って明日あいてる?", "facility_hours", "明日"),
    ("ターントクルこども館 明日やってる?", "facility_hours", "明日"),
    ("町並み資料館 木曜日やってる?", "facility_hours", "木曜日"),
    ("放課後児童クラブ 土曜日 何時から", "facility_hours", "土曜日"),
    ("大井川地域交流センター 明日 使える?", "facility_hours", "明日"),
    ("大井川図書館 明日休み?", "facility_closed", "明日"),
    ("大井川図書館 日曜日は開いてますか", "facility_hours", "日曜日"),
    ("大井川図書館 月曜日は休館日?", "facility_closed", "月曜日"),
])
def test_facility_and_a_day_asks_whether_it_is_open_that_day(text, intent, label):
    """A facility, a day and あいてる/やってる/使える/何時から: that day's hours, with the day kept."""
    q = parse_query(text, now=NOW, places=OPEN_PLACES)
    assert (q.intent, q.date_label, q.asks_open) == (intent, label, True)
    assert q.date_range is not None


@pytest.mark.parametrize("text", ["大井川図書館で明日何かある?", "大井川図書館 明日のイベント", "大井川図書館の開館時間",
                                  "大井川図書館は何時まで?", "やない西蔵の定休日"])
def test_events_at_a_facility_or_plain_hours_do_not_ask_open(text):
    """Event words keep an event question; 開館時間 alone asks the hours, not whether it is open on a day."""
    assert parse_query(text, now=NOW, places=OPEN_PLACES).asks_open is False


@pytest.mark.parametrize("text,intent", [
    ("やない西蔵の定休日", "facility_closed"),
    ("大井川図書館の休業日", "facility_closed"),
    ("大井川図書館のお休みの日", "facility_closed"),
    ("大井川図書館の閉館日", "facility_closed"),
])
def test_closed_day_words(text, intent):
    """定休日, 休業日, お休みの日 and 閉館日 ask for closed days."""
    assert parse_query(text, now=NOW, places=OPEN_PLACES).intent == intent


@pytest.mark.parametrize("text,absent", [
    ("やない西蔵の定休日", {"定休日", "定休"}),
    ("大井川図書館の電話番号", {"電話番号", "電話", "番号"}),
    ("大井川図書館って明日あいてる?", {"あく", "開く"}),
    ("大井川地域交流センター 明日 使える?", {"使う", "使える"}),
    ("障がいのある方が参加できる集まりはありますか", {"集まり", "参加できる"}),
    ("何か集まりある?", {"何か", "集まり"}),
    ("子ども向けの教室ある?", {"教室"}),
    ("こども一日図書館員に申し込みたい", {"申し込む", "申す", "込む"}),
    ("落語が聞ける催し", {"聞く", "聞ける"}),
])
def test_words_that_only_say_what_is_wanted_are_not_required_terms(text, absent):
    """Intent words (定休日, 電話番号, あいてる) and generic event words (集まり, 教室 alone) never become terms."""
    assert not absent & set(parse_query(text, now=NOW, places=OPEN_PLACES).terms)


@pytest.mark.parametrize("text,present", [
    ("男の料理教室", {"料理", "教室"}),
    ("クリスマスの コンサートは いつですか", {"クリスマス", "コンサート"}),
    ("クリスマスコンサート", {"クリスマス", "コンサート"}),
    ("妊婦さん向けの教室", {"妊娠"}),
    ("こどもが けがを したときの べんきょう", {"救急"}),
])
def test_content_words_stay_terms(text, present):
    """教室 inside a compound and season words used as topics stay; a few words add the listings' word."""
    assert present <= set(parse(text).terms)


@pytest.mark.parametrize("text,tags", [
    ("妊婦さん向けの教室", []),
    ("プレママ向け", []),
    ("マタニティヨガ", []),
    ("妊娠中でも参加できる", []),
    ("障がいのある方が参加できる集まりはありますか", ["disabled"]),
    ("障害者向け", ["disabled"]),
    ("ママと赤ちゃん", ["children", "parents"]),
])
def test_expecting_mothers_are_not_children(text, tags):
    """Pregnancy words do not ask for children's (or parent-and-child) events; they stay ranking terms."""
    assert parse(text).audiences == tags


def test_one_day_title_is_not_a_date():
    """「こども一日図書館員」 is a title: no date filter, the children audience and 図書館 remain."""
    q = parse("こども一日図書館員に申し込みたい")
    assert q.date_range is None and q.audiences == ["children"] and "図書館" in q.terms
