"""Residents' wording that a new city's files do not share: a reading too short to be a word, audience words in
titles and descriptions, lay words for the file's own, and seasons in facility hours."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from content.query import parse_query
from content.search.answers import answer_question
from content.search.index import clear_cache, current_index
from content.search.ranking import search
from models import Event, Facility

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2027, 1, 20, 12, 0, tzinfo=TOKYO)  # a Wednesday in winter
SAT, SUN, TUE = date(2027, 1, 23), date(2027, 1, 24), date(2027, 1, 26)


def utc(day: date, hour: int = 10) -> datetime:
    """Tokyo wall-clock time as the naive UTC the tables store."""
    return datetime.combine(day, time(hour), TOKYO).astimezone(timezone.utc).replace(tzinfo=None)


EVENTS = [  # none states an audience in a 対象者 column
    dict(title="最後の演奏会", description="市民オーケストラの定期演奏会です。", category="音楽", starts_at=utc(SAT, 13)),
    dict(title="土曜学校かけっこ教室", description="速く走るこつを教えます。", category="スポーツ", starts_at=utc(SAT)),
    dict(title="鉄道探検隊 駅のひみつ", description="鉄道をテーマにしたバックヤードツアーです。", category="催事・観光",
         starts_at=utc(SUN)),
    dict(title="親子の広場", description="親子で遊ぼう。手遊びと歌の時間です。", category="子育て・教育", starts_at=utc(TUE)),
    dict(title="ピタゴラスクラブ", description="パターンブロックで形を観察します。", category="子育て・教育",
         starts_at=utc(SAT, 14)),
    dict(title="高津さんの市", description="地元の野菜を生産者の方が直接販売するファーマーズマーケットです。",
         category="仕事・産業", starts_at=utc(SUN, 9)),
    dict(title="シニアのスマホ教室", description="高齢者向けのスマホ講座", category="講座", audience="65歳以上",
         audience_tags=["seniors"], starts_at=utc(SAT, 15)),
    dict(title="ママパパへの読書タイム", description="図書館による託児サービス", category="子育て・教育",
         starts_at=utc(TUE, 10)),
    dict(title="福袋市", description="先着順で福袋がもらえます", category="催事・観光", starts_at=utc(TUE, 9)),
]
FACILITIES = [
    dict(name="市民温水プール", category="スポーツ施設", hours_text="10:00～20:30", closed_text="12/29～1/1は休館",
         description="25m×7コース"),
    dict(name="市営水泳プール（屋外）", category="スポーツ施設", hours_text="9:00～18:30",
         closed_text="7/中旬～8/31の間利用可能", description="50m×8コース"),
    dict(name="物産館", category="観光施設", hours_text="9:00～20:55 ゴーゴーカレー駅前店（9:55～20:55）",
         description="ゴーゴーカレー駅前店には限定メニューがあります"),
    dict(name="道の駅みらい", category="観光施設", hours_text="9:00～17:00;レストラン（11:00～15:00 / 水曜定休）",
         description="地元の特産品を販売しています"),
    dict(name="みらい岳山荘", category="宿泊施設", hours_text="0:00～23:59 開館期間5/1～10/15"),
]


@pytest.fixture
def city(session):
    """A small city whose rows state no audience and write things their own way."""
    clear_cache()
    for i, data in enumerate(FACILITIES):
        session.add(Facility(source="test", source_key=f"f{i}", address="みらい市本町1-1", **data))
    for i, data in enumerate(EVENTS):
        session.add(Event(source="test", source_key=f"e{i}", ends_at=data["starts_at"], place_name="市民会館", **data))
    session.commit()


def titles(session, question: str) -> list[str]:
    """The titles an answer lists, in order."""
    return [item["title"] for item in answer_question(session, question, now=NOW, lang="ja").items]


def first_text(session, question: str) -> str:
    """The first message's text of an answer."""
    return answer_question(session, question, now=NOW, lang="ja").messages[0].get("text", "")


@pytest.mark.parametrize("question, unknown", [
    ("囲碁の大会ある？", ["囲碁"]),  # イゴ is inside サイゴ (最後): a two-kana reading is no match for a kanji word
])
def test_kanji_word_is_not_met_by_a_two_kana_reading(session, city, question, unknown):
    """A word written in kanji whose reading is two kana matches rows only as written: nothing found, named."""
    index = current_index(session)
    result = search(session, parse_query(question, now=NOW, places=index.place_index), now=NOW)
    assert result.hits == [] and result.unknown == unknown
    assert first_text(session, question).startswith("「囲碁」に合うものは見つかりませんでした。")


@pytest.mark.parametrize("question, expected_first, note", [
    # no row states an audience: the days' rows answer, and the answer says none is marked for children
    ("日曜日 子どもと行けるイベントある？", "高津さんの市", "子ども向けと書かれたものはありません"),
    ("電車好きの子が喜びそうなイベント", "鉄道探検隊 駅のひみつ", "子ども向けと書かれたものはありません"),
    # a children's category (子育て・教育) is the audience the file states
    ("2さいの子と遊べる集まり 火曜日", "親子の広場", "火曜日"),
    ("小学生むけの土曜の教室", "ピタゴラスクラブ", "土曜日"),
])
def test_audience_words_rank_and_never_empty_the_days_rows(session, city, question, expected_first, note):
    """Audience words (子ども, 2さいの子, 小学生むけ) are soft: they never empty what the days or topic fill."""
    assert titles(session, question)[:1] == [expected_first]
    assert note in first_text(session, question)


@pytest.mark.parametrize("question, terms, audiences, age", [
    ("2さいの子と遊べる集まり", ["遊ぶ"], ["children"], 2),  # 歳, 子 say who (遊ぶ stays: 「おじゃみで遊ぼう」)
    ("小学生むけの教室", ["小学生", "小学"], ["children", "elementary"], None),  # むけ is 向け, not 生む
    ("電車好きの子が喜びそうなイベント", ["電車", "イベント"], ["children"], None),  # 好き, 喜ぶ, そう are fillers
    ("様子を見に行くイベント", ["様子", "イベント"], [], None),  # 子 inside a word is no child
    ("じゃがいもの皮むき体験", ["ジャガ芋", "皮剥き", "体験"], [], None),  # むき after a kanji stays peeling
])
def test_audience_and_filler_words_are_no_topic(question, terms, audiences, age):
    """The words that only say who comes or how they will feel are read as the audience, never as the topic."""
    parsed = parse_query(question, now=NOW)
    assert [t for t in parsed.terms if t in terms or t not in ("見る", "行く")] == terms
    assert parsed.audiences == audiences and parsed.age == age


def test_a_kanji_word_meets_a_description_by_its_whole_reading_only(session, city):
    """電車 (デンシャ) is no match for a description whose reading has デン and シャ apart."""
    index = current_index(session)
    scored = index.score_terms(["電車"], {})
    matched = {index.docs[i].title for i in scored}
    assert "シニアのスマホ教室" not in matched and "鉄道探検隊 駅のひみつ" in matched


@pytest.mark.parametrize("question, expected_first", [
    ("ゴーゴーカレー 何時まで？", "物産館"),  # one word in the row, two in Sudachi's reading of the question
    ("とれたて野菜の直売やってるとこある？", "高津さんの市"),  # 直売 is the short form of 直接販売
    ("冬でも泳げるプールある？", "市民温水プール"),  # the outdoor pool opens 7/中旬～8/31 only
    ("レストランは何時まで？", "道の駅みらい"),  # named only in the published hours
    ("山小屋っていつまで開いてる？", "みらい岳山荘"),  # 山小屋 is what the file calls 山荘
])
def test_lay_words_and_seasons_find_what_the_file_writes_its_own_way(session, city, question, expected_first):
    """A shop named in a facility's notes, a compound's short form and a season meet the file's own wording."""
    assert titles(session, question)[:1] == [expected_first]


@pytest.mark.parametrize("text, shorts", [
    ("生産者の方が直接販売する", ["直販", "直売"]),
    ("県立高等学校の体育館", []),  # 県立高等学校 is six kanji, not one four-kanji compound
    ("高等学校", ["高学", "高校"]),
])
def test_four_kanji_compounds_give_their_short_forms(text, shorts):
    """Short forms are read only from four-kanji compounds (first kanji + first or last of the second half)."""
    from content.search.index import abbreviations

    assert abbreviations(text) == shorts


@pytest.mark.parametrize("closed_text, day, closed", [
    ("7/中旬～8/31の間利用可能;月曜日は休みだが、海の日は営業", date(2027, 1, 20), True),
    ("7/中旬～8/31の間利用可能;月曜日は休みだが、海の日は営業", date(2027, 8, 4), False),
    ("毎月第1・第3水曜日、12/29～1/1は休館", date(2027, 1, 20), False),
])
def test_an_open_season_filed_as_closed_days_is_read_as_the_season(closed_text, day, closed):
    """「7/中旬～8/31の間利用可能」 in a 休館日 field says when the place opens at all, not days it closes."""
    from content.search.facility_hours import closed_for_season, parse_hours

    assert closed_for_season(parse_hours("9:00～18:30", closed_text), day) is closed


@pytest.mark.parametrize("hours_text, day, closed", [
    ("7月上旬～9月上旬", date(2027, 1, 15), True),  # a campsite whose hours are only its season
    ("7月1日～8月31日", date(2027, 8, 4), False),
    ("通年（要予約）", date(2027, 1, 15), False),
    ("9:00～17:00", date(2027, 1, 15), False),
])
def test_hours_published_as_a_span_of_days_alone_are_the_season_the_place_opens(hours_text, day, closed):
    from content.search.facility_hours import closed_for_season, parse_hours

    assert closed_for_season(parse_hours(hours_text, None), day) is closed


@pytest.mark.parametrize("fee, free", [("●入館料　無料", True), ("【入場料】無料", True), ("無料（体験は有料）", True),
                                       ("●料金　大人600円", False), ("", None)])
def test_a_fee_is_free_whatever_label_it_is_published_under(fee, free):
    from content.search.index import facility_is_free

    assert facility_is_free(fee) is free


def test_winter_campers_get_the_campsites_open_all_year_first(session, city):
    add_rows(session, facilities=[dict(name="室津キャンプ場", category="キャンプ場", hours_text="7月1日～8月31日"),
                                  dict(name="湖畔キャンプ場", category="キャンプ場", hours_text="通年（要予約）")])
    assert titles(session, "冬でも使えるキャンプ場ある？")[:1] == ["湖畔キャンプ場"]


def test_semicolons_separate_the_notes_of_published_hours():
    """「…日曜日は10:00～17:00;毎月第1・第3水曜日、12/29～1/1は休館」: the day hours close no weekday."""
    from content.search.facility_hours import parse_hours

    info = parse_hours("10:00～20:30 月～金曜日は10:00～20:30、日曜日は10:00～17:00;毎月第1・第3水曜日、12/29～1/1は休館")
    assert info.closed_weekdays == set() and info.closed_nth == {(1, 2), (3, 2)}


@pytest.fixture
def kana_titles(session):
    """A city whose children's rows write their topic in kana and never the verb a resident types."""
    clear_cache()
    rows = [dict(title="うたって、おどって、音あそび", description="リズムに合わせて体を動かします。",
                 category="子育て・教育", audience="2歳児と保護者", starts_at=utc(TUE)),
            dict(title="市民ギター演奏会", description="クラシックギターの演奏です。", category="音楽", starts_at=utc(SAT))]
    for i, data in enumerate(rows):
        session.add(Event(source="test", source_key=f"k{i}", ends_at=data["starts_at"], place_name="市民会館", **data))
    session.commit()


@pytest.mark.parametrize("question, expected_first", [
    ("2歳の子と遊べるイベント", "うたって、おどって、音あそび"),  # 遊ぶ → 遊び, written あそび in the title
])
def test_a_verb_meets_a_title_writing_its_noun_in_kana(session, kana_titles, question, expected_first):
    """A verb no row writes is met by the noun a title writes in kana, never reported as not found."""
    assert titles(session, question)[:1] == [expected_first]


@pytest.mark.parametrize("hours_text, words", [
    ("9:00～20:55 土産物店（10:00～18:00 / 水曜定休）;カフェ（9:00～17:30 / 毎月第1火曜ほか休）", "土産物店 土産 カフェ"),
    ("月～金曜日は10:00～20:30、土曜日・祝日は10:00～18:30;毎月第1・第3水曜日、12/29～1/1は休館", ""),
    ("平日 9:00～19:00 夏季はプール開放", "プール"),
])
def test_facility_hours_give_their_named_things_as_search_words(hours_text, words):
    """Shops and parts named in published hours are searchable; clock times and days (水曜 → 水) are not."""
    from content.search.index import hours_words

    assert hours_words(hours_text) == words


def test_short_forms_are_posted_without_lengthening_the_row():
    """A row's four-kanji compounds give short forms to look up, but its BM25 length stays what its words make."""
    from collections import Counter

    from content.search.index import Channel

    channel = Channel()
    channel.add(0, Counter({"直接": 3, "販売": 3}), Counter({"abbr:直売": 1}))
    assert channel.lengths == [6] and channel.postings["abbr:直売"] == {0: 1}


@pytest.mark.parametrize("scores, first", [((0.9, 1.0), "白壁ふれあい広場"), ((1.0, 0.95), "月性展示館")])
def test_undated_rows_of_one_band_go_by_score_not_title(scores, first):
    """Two facilities as relevant within 10 %: the better match first, whatever their titles' order."""
    from content.search.index import Doc
    from content.search.ranking import _order_key

    docs = [Doc("facility", 1, "月性展示館"), Doc("facility", 2, "白壁ふれあい広場")]
    ranked = sorted(zip(docs, scores), key=lambda pair: _order_key(pair[0], 0, False, pair[1]))
    assert ranked[0][0].title == first


@pytest.mark.parametrize("question, expected_first", [
    ("子ども預かってもらえる日ある？", "ママパパへの読書タイム"),  # 預かる is 託児; もらえる only says "for me",
    # though the 福袋 row says it too
    ("本を読むあいだ子どもを預かってほしい", "ママパパへの読書タイム"),
])
def test_a_verb_of_the_service_meets_the_rows_noun_for_it(session, city, question, expected_first):
    """A resident says what is done (預かる); the file names the service (託児)."""
    assert titles(session, question)[:1] == [expected_first]


def test_a_word_typed_in_kana_is_kept_beside_another_kana_run(session, city):
    """「うちの子 ことばがおそい…相談できるとこ」: うちの is read as a kana run of its own; 言葉 (typed ことば) is still
    the word to find, not taken for the parser's reading of うちの."""
    session.add(Event(source="test", source_key="kotoba", title="ことばの相談", place_name="子育て支援センター",
                      starts_at=utc(TUE, 10), ends_at=utc(TUE, 11)))
    session.add(Event(source="test", source_key="kobetsu", title="個別相談", place_name="子育て支援センター",
                      starts_at=utc(SAT, 10), ends_at=utc(SAT, 11)))
    session.add(Event(source="test", source_key="uchi", title="うちわづくり", starts_at=utc(SUN, 10), ends_at=utc(SUN, 11)))
    session.commit()
    clear_cache()
    assert titles(session, "うちの子 ことばがおそい気がする…相談できるとこある？")[:1] == ["ことばの相談"]


@pytest.mark.parametrize("question, expected_first", [
    ("体うごかせるイベントある？", "市民スポーツフェスティバル"),  # 体 + 動かす is 運動, which reaches スポーツ
    ("心臓マッサージのやり方 習いたい", "普通救命講習"),  # no row says 心臓 or マッサージ: the phrase is 救命
])
def test_a_several_word_synonym_is_read_as_its_group(session, city, question, expected_first):
    """Several-word forms of the synonym table (体を動かす, 心臓マッサージ) stand for their group's word."""
    for key, title, description in (("kyumei", "普通救命講習", "AEDの使い方を学びます"),
                                    ("sports", "市民スポーツフェスティバル", "ニュースポーツ体験"),
                                    ("bousai", "防災講演会", "地震への備え")):
        session.add(Event(source="test", source_key=key, title=title, description=description,
                          starts_at=utc(TUE, 10), ends_at=utc(TUE, 12)))
    session.commit()
    clear_cache()
    assert titles(session, question)[:1] == [expected_first]


def test_a_verb_no_row_of_the_asked_day_holds_does_not_outweigh_the_topic(session, city):
    """「26日 はいはいで遊べるイベント」: 遊ぶ is in rows of other days only; on the 26th the ハイハイレース, which
    does not say 遊ぶ, is still the answer (the day's rows must not make 遊ぶ the rarest word)."""
    session.add(Event(source="test", source_key="haihai", title="ハイハイレース", starts_at=utc(TUE, 14),
                      ends_at=utc(TUE, 15)))
    for n, day in enumerate((SAT, SUN)):
        session.add(Event(source="test", source_key=f"asobu{n}", title="公園で遊ぼう", description="みんなで遊ぶ",
                          starts_at=utc(day, 10), ends_at=utc(day, 11)))
    session.commit()
    clear_cache()
    assert titles(session, "26日 はいはいで遊べるイベントある？")[:1] == ["ハイハイレース"]


@pytest.mark.parametrize("word, synonym", [("お風呂", "温泉"), ("テント", "キャンプ"), ("創作", "工作"),
                                           ("妊娠中", "プレママ"), ("妊娠", "妊婦"), ("iPhone", "スマホ"),
                                           ("撮る", "撮影"), ("屋根", "屋内"), ("飛行機", "航空"),
                                           # a city service by the resident's word and by its page's
                                           ("粗大ごみ", "リサイクル"), ("宿題", "寺子屋"), ("後継ぎ", "承継"),
                                           ("非常食", "備蓄"), ("減塩", "塩分"), ("木登り", "クライミング"),
                                           ("離乳食", "もぐもぐ"), ("養育費", "母子家庭"), ("太極拳", "気功"),
                                           ("料理", "食事"), ("運動", "ピラティス"), ("仕事", "再就職")])
def test_lay_words_meet_the_word_titles_use(word, synonym):
    """A few words residents use for what files call otherwise (お風呂 → 温泉センター, テント → キャンプ場)."""
    from content.search.terms import expand, terms_of
    assert synonym in expand(terms_of(word)[:1])


@pytest.mark.parametrize("question, expected_first", [
    ("粗大ごみ持ち込めるとこ", "みらいリサイクルセンター"),
    ("会社の後継ぎのこと相談したい", "事業承継個別相談会"),
])
def test_a_residents_word_for_a_city_service_finds_the_services_own_name(session, city, question, expected_first):
    """粗大ごみ is taken to the リサイクルセンター; 後継ぎ is what a 事業承継 consultation is about."""
    session.add(Facility(source="test", source_key="recycle", name="みらいリサイクルセンター", category="清掃施設",
                         address="みらい市本町2-2", hours_text="8:30～16:00"))
    session.add(Event(source="test", source_key="shokei", title="事業承継個別相談会", description="専門家が相談に応じます",
                      starts_at=utc(SAT, 13), ends_at=utc(SAT, 16)))
    session.commit()
    clear_cache()
    assert titles(session, question)[:1] == [expected_first]


@pytest.mark.parametrize("word, reaches, not_reached", [
    ("祭り", "盆踊り", None),  # the broader word reaches its kinds
    ("盆踊り", None, "フェスティバル"),  # a kind does not reach the broader words: a pet festival is no bon dance
    ("食事", None, "料理"),
    ("ヨガ", None, "運動"),
])
def test_a_narrower_word_does_not_reach_the_broader_ones(word, reaches, not_reached):
    """(「食事会」 is no cooking class: 食事 does not reach 料理, though 料理 reaches 食事.)"""
    from content.search.terms import expand, terms_of
    found = expand(terms_of(word)[:1])
    assert (reaches is None or reaches in found) and (not_reached is None or not_reached not in found)


def test_a_who_word_beside_a_topic_no_row_has_is_not_a_near_answer(session, city):
    """「男の料理教室」 with no cooking at all: nothing, not whatever says 男性 (男 only says who)."""
    session.add(Event(source="test", source_key="dansei", title="男性のための健康講座", starts_at=utc(TUE, 10),
                      ends_at=utc(TUE, 11)))
    session.commit()
    clear_cache()
    assert titles(session, "男の料理教室ってある？") == []


def test_a_topic_held_only_for_another_audience_is_shown_and_said_so(session, city):
    """「子ども向けのスマホ教室」 where the only スマホ class is for seniors: that class, said to be for others,
    not a flat "nothing found"."""
    assert titles(session, "子ども向けのスマホ教室ある？")[:1] == ["シニアのスマホ教室"]
    assert "子ども向けと書かれたものはありませんが、ほかの方向けのものがあります。" in first_text(
        session, "子ども向けのスマホ教室ある？")


@pytest.fixture
def consultations(session):
    """Two consultations for parents of disabled children, a school-trip exhibition, and a talk for carers."""
    clear_cache()
    rows = [
        dict(title="ペアレント・メンター相談会", description="発達障がい児の親が、先に子育てした経験から相談にのります。",
             audience_tags=["parents", "disabled"]),
        dict(title="子育て相談の日", description="保健師が育児の相談にのります。", audience_tags=["parents"]),
        dict(title="社会科見学展示 令和3年度", description="昔の道具を展示します。", audience_tags=["parents"]),
        dict(title="高次脳機能障害の講演と交流会", description="脳の損傷による会話の難しさについて。",
             audience_tags=["disabled"]),
    ]
    for i, data in enumerate(rows):
        session.add(Event(source="test", source_key=f"c{i}", category="福祉", starts_at=utc(TUE), ends_at=utc(TUE),
                          **data))
    session.commit()


def test_the_topic_inside_an_audience_word_is_a_word_to_find(session, consultations):
    """発達 of 発達障害 says what the resident is about (障害 says who): the mentors' consultation answers, and
    先輩, which no row has, is named rather than emptying the answer."""
    assert titles(session, "発達障害の子の先輩ママに相談したい")[:1] == ["ペアレント・メンター相談会"]


@pytest.mark.parametrize("question, topic", [
    ("赤ちゃんとベビーマッサージできる教室", "マッサージ"),  # ベビー says who
    ("発達障害の子の親の会", "発達"),
    ("子ども向けのイベント", None),  # nothing but who
    ("ベビーカーで行ける？", None),  # カー is no topic
])
def test_what_an_audience_word_holds_beside_who(question, topic):
    """The words to find keep the topic an audience word carries (ベビーマッサージ → マッサージ), and nothing else."""
    from content.search.ranking import _topic_inside_audience_word
    from content.search.terms import terms_of
    words = terms_of(question)
    audience = [w for w in words if w in ("ベビーマッサージ", "発達障害", "子ども", "子供", "ベビーカー", "ベビー", "障害")]
    found = {_topic_inside_audience_word(w, audience) for w in words if any(w in a for a in audience)} - {None}
    assert found == ({topic} if topic else set())


def test_a_kanji_word_meets_a_title_by_its_whole_reading_only(session, consultations):
    """会話 (カイワ) is not met by 社会 and 令和 of a title read カイ…イワ: the family's question about speech after a
    brain injury finds the talk for another audience, said so, not the parents' exhibition."""
    index = current_index(session)
    assert "社会科見学展示 令和3年度" not in {index.docs[i].title for i in index.score_terms(["会話"], {})}
    question = "脳のけがで会話がむずかしくなった家族がいる 話きける会ある？"
    assert titles(session, question)[:1] == ["高次脳機能障害の講演と交流会"]
    assert "ほかの方向けのもの" in first_text(session, question)


def test_a_romaji_name_without_its_long_vowels_finds_the_row(session):
    """"Natsume Soseki" reads ナツメソセキ; the lecture on 夏目漱石 (ナツメソウセキ) is found all the same."""
    clear_cache()
    session.add(Event(source="test", source_key="soseki", title="市民大学「夏目漱石の文学」", category="講座",
                      starts_at=utc(TUE), ends_at=utc(TUE)))
    session.add(Event(source="test", source_key="other", title="市民大学「郷土の歴史」", category="講座",
                      starts_at=utc(TUE), ends_at=utc(TUE)))
    session.commit()
    found = [item["title"] for item in answer_question(
        session, "Is there a lecture about Natsume Soseki?", now=NOW, lang="en").items]
    assert found == ["市民大学「夏目漱石の文学」"]


@pytest.fixture
def hall_city(session):
    """A learning centre's events (one naming the centre only in its title), a magic class, a concert with fees and
    two neighbourhood halls."""
    clear_cache()
    rows = [dict(title="やしお生涯楽習館利用講習会 映像ホール", place_name=None, category="講座"),
            dict(title="パソコン相談", place_name="やしお生涯楽習館", category="講座"),
            dict(title="おきらくマジック", description="マジックの基本テクニックを学びます。", place_name="みらい館",
                 category="講座"),
            dict(title="初心者のための囲碁", place_name="みらい館", category="講座"),
            dict(title="ソプラノリサイタル", place_name="区民ホール", category="音楽",
                 fee="一般2,000円、25歳以下1,000円")]
    for i, data in enumerate(rows):
        session.add(Event(source="test", source_key=f"h{i}", starts_at=utc(SAT, 13), ends_at=utc(SAT, 15), **data))
    for i, name in enumerate(["島崎地区集会所", "曽良地区集会所"]):
        session.add(Facility(source="test", source_key=f"hall{i}", name=name, hours_text="9:00～21:00"))
    session.commit()


@pytest.mark.parametrize("question, first", [
    ("楽習館の映像ホール使いたいんだけど 講習会いつ？", "やしお生涯楽習館利用講習会 映像ホール"),  # the place is in its title
    ("手品ならってみたい 初心者でも", "おきらくマジック"),  # 初心者 only ranks: the class need not say it
])
def test_a_place_in_the_title_and_a_beginners_word_do_not_empty_the_answer(session, hall_city, question, first):
    assert titles(session, question)[:1] == [first]


def test_renting_a_hall_on_an_evening_is_a_question_about_the_halls(session, hall_city):
    """「月曜の夜 地区の集会所かりられる？」 with no event there: the halls are the answer."""
    assert set(titles(session, "月曜の夜 地区の集会所かりられる？")) == {"島崎地区集会所", "曽良地区集会所"}


def test_a_question_whether_it_gets_cheaper_says_the_fee_first(session, hall_city):
    assert first_text(session, "ソプラノのコンサート 若い人は安くなる？").startswith(
        "ソプラノリサイタルの料金：一般2,000円、25歳以下1,000円")


@pytest.mark.parametrize("question, runs", [
    ("バイオリンとかの弦楽器のコンサート", []),  # とかの is two particles, not と + a word かの
    ("明日のおはなし会", [("おはなし", "オハナシ")]),
])
def test_a_particle_run_after_a_word_is_no_kana_word(question, runs):
    from content.search.terms import kana_terms
    assert kana_terms(question) == runs


@pytest.mark.parametrize("question, wanted, other", [
    # 「お風呂屋さん」: no row writes 風呂屋, but 風呂 meets the 銭湯 through the city's synonyms
    ("お風呂屋さんで何かやる日っていつ？", ("ふれあい銭湯", "銭湯に100円で入れる日です。"), "市民公開講座"),
    # 「お祭り」: Sudachi reads 御祭り, which no row writes; 祭 (祭り, フェスティバル) is the word
    ("お祭りみたいなのある？", ("国際交流フェスティバル", "世界の料理の屋台が並びます。"), "国際交流講演会"),
])
def test_a_word_no_row_writes_is_read_for_the_word_inside_it(session, question, wanted, other):
    """A compound's stem before a one-letter suffix, or a word behind a polite 御, is the word to find."""
    clear_cache()
    session.add(Event(source="test", source_key="wanted", title=wanted[0], description=wanted[1],
                      starts_at=utc(TUE), ends_at=utc(TUE)))
    session.add(Event(source="test", source_key="other", title=other, starts_at=utc(TUE), ends_at=utc(TUE)))
    session.commit()
    assert titles(session, question) == [wanted[0]]


def add_rows(session, events=(), facilities=()) -> None:
    """Extra rows beside the city's, indexed again."""
    for n, data in enumerate(events):
        session.add(Event(source="test", source_key=f"x{n}", ends_at=data["starts_at"], **data))
    for n, data in enumerate(facilities):
        session.add(Facility(source="test", source_key=f"y{n}", **{"address": "みらい市本町3-3", **data}))
    session.commit()
    clear_cache()


def test_a_synonym_sudachi_splits_is_found_as_the_row_writes_it(session, city):
    """読み聞かせ reaches おはなし会, which Sudachi reads はなす + 会: the row is found holding the phrase itself."""
    add_rows(session, events=[dict(title="おはなし会", description="図書館のボランティアによる", starts_at=utc(SUN, 11))])
    assert titles(session, "日曜に絵本の読み聞かせある？")[:1] == ["おはなし会"]


def test_with_no_days_asked_this_years_occurrence_comes_before_next_years(session, city):
    later = date(2028, 1, 22)
    add_rows(session, events=[dict(title="梅まつり", starts_at=utc(later), place_name="天神"),
                              dict(title="梅まつり", starts_at=utc(SAT), place_name="天神")])
    index = current_index(session)
    result = search(session, parse_query("梅まつり まだ見れる？", now=NOW, places=index.place_index), now=NOW)
    assert [hit.starts.date() for hit in result.hits] == [SAT, later]


@pytest.mark.parametrize("question, expected_first", [
    ("土曜 何か作る体験ってある？", "ものづくり広場"),  # generic words alone: the day's row doing either is near
    ("ロボットの教室 問い合わせの電話番号おしえて", "ロボット教室"),  # contact words say what to answer, not what for
    ("子どもが家族の介護をしてる問題の講演", "ヤングケアラー講演会"),  # 問題 only ranks
])
def test_generic_and_detail_words_never_outweigh_the_topic(session, city, question, expected_first):
    add_rows(session, events=[
        dict(title="ものづくり広場", description="木の実でリースを作ります", starts_at=utc(SAT, 13)),
        dict(title="ロボット教室", description="プログラミングで動かそう", starts_at=utc(SUN, 13), contact="みらい館 000-0000"),
        dict(title="ヤングケアラー講演会", description="家族の介護を担う子どもたちについて", starts_at=utc(TUE, 13)),
    ])
    assert titles(session, question)[:1] == [expected_first]


def test_a_place_for_the_asked_audience_answers_a_generic_word_no_row_writes(session, city):
    """「障害のある人が相談できるセンター」: who it is for is the subject, not a 相談 nothing says."""
    add_rows(session, facilities=[dict(name="障がい者福祉センター", category="福祉施設")])
    assert "障がい者福祉センター" in titles(session, "障害のある人が相談できるセンター")[:3]


def test_free_ranks_the_places_of_an_asked_kind(session, city):
    add_rows(session, facilities=[dict(name="松島キャンプ場", category="キャンプ場", fee="入場料 1人100円"),
                                  dict(name="高原キャンプ場", category="キャンプ場", fee="無料")])
    assert titles(session, "タダでできるキャンプ場")[:1] == ["高原キャンプ場"]


@pytest.mark.parametrize("typed, written", [("八ヶ岳荘", "八ケ岳荘"), ("八ケ岳", "八ヶ岳山荘"), ("霞ヶ関", "霞が関")])
def test_the_small_ke_between_kanji_is_one_letter_however_typed(typed, written):
    from content.query.normalize import normalize_text
    same = normalize_text(typed)[:3] == normalize_text(written)[:3]
    assert same is (written != "霞が関")  # が is another spelling, not the same letter


def test_a_place_whose_name_ends_with_the_kind_comes_before_one_holding_it_in_a_town_name(session, city):
    """温泉 of 和倉温泉運動公園 is the town's name; ひょっこり温泉島の湯 is baths (湯 is one of 温泉's words)."""
    add_rows(session, facilities=[dict(name="和倉温泉運動公園（テニスコート）", category="スポーツ施設",
                                       description="和倉温泉の温泉街に近いテニスコート"),
                                  dict(name="ひょっこり温泉島の湯", category="観光施設", description="海を望む露天風呂")])
    assert titles(session, "火曜日に入れる温泉ある？")[:1] == ["ひょっこり温泉島の湯"]


def test_homework_help_is_found_as_the_files_study_words(session, city):
    add_rows(session, events=[dict(title="フリーラーニング", description="予習、復習、学び方の学習補助", starts_at=utc(SAT))])
    assert titles(session, "土曜に子どもの宿題みてもらえるとこ")[:1] == ["フリーラーニング"]


@pytest.mark.parametrize("question, read", [
    ("図所館の時間", "図書館の時間"),  # a one-kanji slip in a kind of place the city has
    ("漢陽寺の電話番号", "漢陽寺の電話番号"),  # a facility's own name is no slip for a name one kanji away
])
def test_a_one_kanji_slip_is_mended_only_where_no_facility_is_written_so(session, city, question, read):
    from content.search.answers import fix_place_word_slip
    add_rows(session, facilities=[dict(name="中央図書館"), dict(name="大陽寺"), dict(name="漢陽寺")])
    assert fix_place_word_slip(current_index(session), question) == read


@pytest.mark.parametrize("question, first", [
    ("朝8時から入れるお寺ある？", "大照院"),  # open at 8:00 (its 寺院 in the description); 東光寺 opens at 8:30
    ("夜7時まで見てくれるお寺", "東光寺"),  # until: the latest closing first
])
def test_a_clock_with_kara_asks_for_places_open_then(session, city, question, first):
    add_rows(session, facilities=[dict(name="東光寺", hours_text="8:30～19:30", description="黄檗宗の寺院"),
                                  dict(name="大照院", hours_text="8:00～17:00", description="臨済宗寺院です")])
    assert titles(session, question)[:1] == [first]


def test_a_piece_of_an_audience_word_is_never_the_word_that_found_nothing(session, city):
    """就学 of 未就学児 is who it is for: the answer does not say 「就学」 found nothing."""
    assert "就学" not in first_text(session, "未就学児と行ける土曜のイベント")


@pytest.mark.parametrize("hours_text, day, status", [
    ("10:00～16:00。火曜日休（公開できない日もあります）", date(2026, 10, 6), "closed"),  # 火曜日休: closed Tuesdays
    ("10:00～16:00。火曜日休（公開できない日もあります）", date(2026, 10, 7), "open"),
])
def test_a_weekday_followed_by_kyu_is_a_closed_day(hours_text, day, status):
    from content.search.facility_hours import hours_on, parse_hours

    assert hours_on(parse_hours(hours_text, None), day).status == status


@pytest.mark.parametrize("hours_text, day, closed", [("4～11月", date(2026, 11, 15), False),
                                                     ("4～11月", date(2027, 1, 15), True)])
def test_a_span_of_months_written_once_is_the_season(hours_text, day, closed):
    from content.search.facility_hours import closed_for_season, parse_hours

    assert closed_for_season(parse_hours(hours_text, None), day) is closed


def test_an_idiom_for_asking_advice_is_no_word_to_find():
    assert "乗る" not in parse_query("きょうの夕方 相談にのってもらえる会ある？", now=NOW).terms


def test_a_camp_village_is_a_campsite_open_in_the_asked_month(session, city):
    add_rows(session, facilities=[dict(name="寂地キャンプ場", hours_text="7月初旬～8月下旬"),
                                  dict(name="弥栄キャンプ村", hours_text="4～11月")])
    assert titles(session, "11月でもやってるキャンプ場ある？")[:1] == ["弥栄キャンプ村"]


def test_a_place_asked_for_the_summer_holidays_is_answered_with_places(session, city):
    """「夏休みに…テント張れるとこ」: weeks of days and a place wanted: the campsite, not "nothing that day"."""
    add_rows(session, facilities=[dict(name="寂地キャンプ場", hours_text="7月初旬～8月下旬", description="テントサイト10区画")])
    assert titles(session, "夏休みに子どもとテント張れるとこ")[:1] == ["寂地キャンプ場"]


def test_a_place_closed_on_the_asked_day_is_still_the_answer(session, city):
    """No place of the topic is open today: the one there is, whose card says it is closed, rather than nothing."""
    add_rows(session, facilities=[dict(name="フラワーパーク蘭ノ国", hours_text="9:00～17:00", closed_text="水曜日",
                                       description="蘭の花を一年中見られます")])
    assert titles(session, "蘭の花見られるとこ 今日やってる？")[:1] == ["フラワーパーク蘭ノ国"]  # NOW is a Wednesday


def test_how_to_get_there_answers_with_the_published_access(session, city):
    add_rows(session, facilities=[dict(name="回天訓練基地跡", address="周南市大津島",
                                       description="人間魚雷回天の訓練基地跡\nアクセス: ・徳山港から船で40分")])
    text = first_text(session, "回天の基地跡って どうやって行くの")
    assert "周南市大津島" in text and "アクセス：徳山港から船で40分" in text


def test_a_wheelchair_question_puts_the_places_stating_a_way_in_first(session, city):
    add_rows(session, facilities=[dict(name="一里塚", category="観光施設", description="街道の史跡"),
                                  dict(name="動物園", category="観光施設",
                                       description="アジアゾウがいます\nバリアフリー: 車いすの貸出し／4台\n車いす対応トイレ"),
                                  dict(name="古い町家", category="観光施設", description="バリアフリー: 車椅子不可")])
    assert titles(session, "車いすでも楽しめる観光施設")[:1] == ["動物園"]


def test_two_words_naming_two_places_name_the_one_holding_both(session, city):
    """「熊川宿の道の駅」 is 道の駅「若狭熊川宿」, not 熊川宿(鯖街道) and another 道の駅."""
    add_rows(session, facilities=[dict(name="熊川宿(鯖街道)"), dict(name="道の駅 三方五湖", hours_text="9:00～17:00"),
                                  dict(name="道の駅「若狭熊川宿」", hours_text="9:00～18:00")])
    assert titles(session, "熊川宿の道の駅 夕方6時までやってる？") == ["道の駅「若狭熊川宿」"]


def test_places_open_at_the_asked_hour_answer_a_generic_verb(session, city):
    """「月曜の夕方5時過ぎても見学できるとこ」: the places open after five; 見学 only ranks."""
    add_rows(session, facilities=[dict(name="旧家屋敷", hours_text="9:00～17:00", description="見学できます"),
                                  dict(name="菊屋家住宅", hours_text="8:30～17:30")])
    found = titles(session, "月曜の夕方5時過ぎても見学できるとこ")
    # open after five (物産館 till 20:55, the pool till 20:30, 菊屋家住宅 till 17:30) before the one closing at five
    assert "菊屋家住宅" in found and found.index("菊屋家住宅") < found.index("旧家屋敷")
    assert "みらい岳山荘" not in found[:found.index("旧家屋敷")]  # open 5/1～10/15 only: closed in January


@pytest.mark.parametrize("question, title", [
    ("中学生の子への接し方 勉強できる会", "思春期子育てゼミナール"),  # 接し方 is the row's 触れ合い方
    ("ぼけた親との接し方 勉強できるとこない？", "認知症講座「認知症のケアについて」"),
    ("粘土で何か作る教室ある？", "クレイクラフト教室"),
    ("パソコンで表計算 ならいたい", "エクセル講習会"),
    ("おっぱいの相談 予約の電話番号は？", "授乳相談"),
    ("弁護士さんに相談できる日って ある？", "日曜法律相談"),
    ("演歌の歌番組の収録 見に行けるの？", "公開収録 日本のうた"),
    ("歴史好きなんだけど 史跡めぐりみたいなのある？", "真田・岡崎 旧跡ウォーク"),
    ("囲碁をはじめたい 年寄りむけの教室ある？", "【シニア向け】囲碁初心者講座"),
])
def test_lay_words_find_the_files_word(session, city, question, title):
    """A resident's everyday word (接し方, ぼけた, 粘土, 表計算) finds the row that says it the file's way."""
    add_rows(session, events=[
        dict(title="思春期子育てゼミナール", description="思春期の子どもへの触れ合い方や声掛けの方法を学びます",
             starts_at=utc(SAT)),
        dict(title="認知症講座「認知症のケアについて」", description="家族や地域の人が正しい知識を持つことが大切です",
             starts_at=utc(SAT, 14)),
        dict(title="クレイクラフト教室", starts_at=utc(SUN)),
        dict(title="エクセル講習会", starts_at=utc(SUN, 13)),
        dict(title="ワード講習会", starts_at=utc(TUE, 13)),
        dict(title="授乳相談", starts_at=utc(TUE, 10)),
        dict(title="日曜法律相談", starts_at=utc(SUN, 10)),
        dict(title="公開収録 日本のうた", starts_at=utc(SUN, 18)),
        dict(title="真田・岡崎 旧跡ウォーク", starts_at=utc(SAT, 9)),
        dict(title="【シニア向け】囲碁初心者講座", starts_at=utc(TUE, 14))])
    assert titles(session, question)[:1] == [title]


def test_a_word_for_any_class_is_never_the_word_that_failed(session, city):
    """「水曜の午後 なにか習い事できる？」: 習い事 (no row writes it) asks for any class that afternoon."""
    add_rows(session, events=[dict(title="クレイクラフト教室", starts_at=utc(NOW.date(), 13))])  # this Wednesday
    assert titles(session, "水曜の午後 なにか習い事できる？") == ["クレイクラフト教室"]


def test_a_kana_word_after_a_noun_keeps_its_first_kana(session, city):
    """「離乳食はじめる頃の教室」: the は is no particle; 始める (開始) finds 離乳食開始時期 before 2回食を始めるかた."""
    add_rows(session, events=[dict(title="離乳食教室(2回食を始めるかた)", starts_at=utc(TUE)),
                              dict(title="離乳食教室(離乳食開始時期)", starts_at=utc(SAT))])
    assert titles(session, "離乳食はじめる頃の教室 いつ？") == ["離乳食教室(離乳食開始時期)", "離乳食教室(2回食を始めるかた)"]


def test_a_weak_match_of_a_name_with_the_kind_names_that_place(session, city):
    """「片添ヶ浜のキャンプ」: 片添ヶ浜 matched only the start of a long name, but that campsite holds both words."""
    add_rows(session, facilities=[dict(name="青少年旅行村キャンプ場"), dict(name="片添ヶ浜海浜公園オートキャンプ場")])
    assert titles(session, "片添ヶ浜のキャンプ 泊まるといくら？")[:1] == ["片添ヶ浜海浜公園オートキャンプ場"]


def test_a_person_named_in_several_places_is_a_topic(session, city):
    """「山頭火の資料が見られるところ」: 山頭火 is in two names and one description; the row with 資料 answers."""
    add_rows(session, facilities=[dict(name="山頭火の小径"), dict(name="種田山頭火の銅像"),
                                  dict(name="護国寺", description="山頭火の墓所で、山頭火資料室には資料が展示されています。")])
    assert titles(session, "山頭火の資料が見られるところ")[:1] == ["護国寺"]


def test_easy_to_is_no_topic_for_a_wheelchair_user(session, city):
    """「車いすでも見て回りやすい施設」: やすい is no word to find (雲海が発生しやすく); the accessible places first."""
    add_rows(session, facilities=[dict(name="秋吉台の雲海", description="早朝は霧が発生しやすく、雲海が見られます。"),
                                  dict(name="国際芸術村", description="バリアフリー：車いす対応入口、車いす対応トイレ")])
    assert titles(session, "車いすでも見て回りやすい施設")[:1] == ["国際芸術村"]


def test_hours_given_only_by_season_are_that_seasons_hours(session, city):
    """「3～11月 8:30～17:30 12～2月 8:30～16:30」: in January the cave closes at 16:30."""
    from content.search.facility_hours import hours_on, parse_hours
    info = parse_hours("●利用時間。3～11月 8:30～17:30 12～2月 8:30～16:30。●年中無休")
    assert hours_on(info, date(2026, 7, 5)).ranges == [(time(8, 30), time(17, 30))]
    assert hours_on(info, date(2027, 1, 5)).ranges == [(time(8, 30), time(16, 30))]


@pytest.mark.parametrize("question, words", [
    ("Is there a food hygiene seminar for restaurant owners?", {"食品衛生", "飲食店"}),
    ("Is there a safari park where we can see lions?", {"サファリ", "ライオン"}),
    ("Is there an old pagoda I can visit?", {"塔"}),
])
def test_english_words_of_trades_and_animals_are_read(question, words):
    from content.query.english import english_to_japanese
    assert all(word in english_to_japanese(question) for word in words)


def test_a_game_is_not_answered_with_another(session, city):
    """「将棋の教室ない？」 where only a 囲碁 course is filed: nothing found, said for 将棋."""
    add_rows(session, events=[dict(title="【シニア向け】囲碁初心者講座", starts_at=utc(TUE, 14))])
    assert titles(session, "将棋の教室ない？") == []
    assert first_text(session, "将棋の教室ない？").startswith("「将棋」に合うものは見つかりませんでした。")
