"""Words a city's files spell otherwise (ツインズ for 双子, 合唱 for 歌う), towns named only in addresses, topic words
inside one facility's name, and places shut for the season."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from content.query import parse_query
from content.search.answers import answer_question
from content.search.facility_hours import closed_for_season, parse_hours
from content.search.index import clear_cache, current_index
from content.search.ranking import search
from models import Event, Facility
from tests.search_support import NOW, day, seed_small_city, utc


@pytest.fixture
def city(session):
    """The small city, seeded once per test."""
    clear_cache()
    return seed_small_city(session)


def add_event(session, title: str, description: str = "", offset: int = 4) -> None:
    """One more event on a coming day."""
    session.add(Event(source="test", source_key=title, title=title, description=description,
                      starts_at=utc(day(offset), 10), ends_at=utc(day(offset), 12), place_name="中央公民館"))
    session.commit()


def add_facility(session, name: str, address: str = "つながり市本町9", description: str = "",
                 hours: str = "9:00～17:00") -> None:
    """One more facility."""
    session.add(Facility(source="test", source_key=name, name=name, address=address, description=description,
                         hours_text=hours))
    session.commit()


def titles(session, question: str) -> list[str]:
    """Titles of the items the bot shows, in order."""
    return [item["title"] for item in answer_question(session, question, now=NOW, lang="ja").items]


def test_a_loanword_with_a_plural_ending_meets_its_synonym(session, city):
    """双子 → ツイン (Sudachi's synonyms) finds ツインズ, which Sudachi keeps as one word."""
    add_event(session, "ツインズ~多胎児のつどい~", "多胎児家族の交流の場です。")
    assert titles(session, "双子ママの集まりってある？")[:1] == ["ツインズ~多胎児のつどい~"]


def test_a_verb_nothing_here_does_is_what_found_nothing(session, city):
    """「みんなで歌える会」 with nothing sung: not every 会, but 'nothing for 歌う'."""
    index = current_index(session)
    result = search(session, parse_query("みんなで歌える会とかない？", now=NOW, places=index.place_index), now=NOW)
    assert result.hits == [] and result.unknown == ["歌う"]


def test_a_verb_finds_the_synonym_of_its_noun(session, city):
    """歌う → 歌 → 合唱: a choir is where one sings."""
    add_event(session, "女声合唱サークル", "季節の歌を楽しく")
    assert titles(session, "みんなで歌える会とかない？")[:1] == ["女声合唱サークル"]


def test_a_town_named_only_in_an_address_finds_its_facilities_family_places_first(session, city):
    """能美市 is in no name: the facilities whose address holds it answer, the zoo first for children."""
    add_facility(session, "ハイテク交流センター", "石川県能美市旭台2丁目1番地", "会議室と宿泊施設")
    add_facility(session, "いしかわ動物園", "石川県能美市徳丸町600", "約200種の動物")
    assert titles(session, "能美市で子ども連れて行けるところ")[:2] == ["いしかわ動物園", "ハイテク交流センター"]


def test_a_word_inside_one_facility_name_is_a_topic_and_the_closed_season_goes_last(session, city):
    """キャンプ inside 輪島エコロジーキャンプ場 is the topic; that campsite opens 4/1～10/31, so in November the
    places with a campsite open now come first."""
    add_facility(session, "輪島エコロジーキャンプ場", "石川県輪島市", hours="0:00～23:59（月火水木金土日） 4/1～10/31")
    add_facility(session, "健康の森", "石川県羽咋郡", "キャンプ場や多目的ホール等の施設有り")
    add_facility(session, "森林公園", "石川県河北郡", "バーベキュー、キャンプ、ボート")
    shown = titles(session, "冬でもキャンプできるとこある？")
    assert set(shown[:2]) == {"健康の森", "森林公園"} and "輪島エコロジーキャンプ場" in shown


@pytest.mark.parametrize("hours, closed, day_, shut", [
    ("0:00～23:59（月火水木金土日） 4/1～10/31", None, date(2026, 1, 10), True),
    ("0:00～23:59（月火水木金土日） 4/1～10/31", None, date(2026, 5, 10), False),
    ("9:00～17:00", "12/1～4/28まで休業その他は無休", date(2026, 1, 10), True),
    ("9:00～17:00", "年末年始（12/29～1/3）", date(2026, 12, 30), False),  # a few days off, not a season
    ("9:00～17:00", "月曜日", date(2026, 11, 30), False),
])
def test_closed_for_the_season(hours, closed, day_, shut):
    """Only an open season or a closure of weeks counts as shut for the season."""
    assert closed_for_season(parse_hours(hours, closed), day_) is shut


@pytest.mark.parametrize("question, max_price, free_only", [
    ("500円以下のイベント", 500, False),  # 500円 holds 0円: still a price, not 無料
    ("1,000円までで参加できる講座", 1000, False),
    ("参加費1000円以内", 1000, False),
    ("無料のイベント", None, True),
    ("0円で遊べるところ", None, True),
])
def test_an_upper_price_limit_is_read_as_a_limit_not_as_free(question, max_price, free_only):
    """The limit is kept as yen; only 無料 (or 0円) asks for free."""
    parsed = parse_query(question, now=NOW)
    assert (parsed.max_price, parsed.free_only) == (max_price, free_only)
    assert "円" not in parsed.terms


@pytest.mark.parametrize("question, shown, hidden", [
    ("300円以下の教室", "子ども工作教室", "ヨガ教室"),  # ヨガ states 500円
    ("500円以下の教室", "ヨガ教室", None),
])
def test_a_price_limit_keeps_what_costs_less_and_leaves_out_what_states_more(session, city, question, shown, hidden):
    """Free and cheaper rows answer; a row stating a higher fee is left out."""
    found = titles(session, question)
    assert shown in found and (hidden is None or hidden not in found)


def test_a_repeated_event_is_one_card_with_its_next_dates(session, city):
    """The same class on three days: one card (the first), its next two dates on it, the others still listed."""
    for offset in (4, 11, 18):
        session.add(Event(source="test", source_key=f"shogi{offset}", title="はじめての将棋", place_name="中央公民館",
                          starts_at=utc(day(offset), 10), ends_at=utc(day(offset), 12)))
    session.commit()
    answer = answer_question(session, "将棋", now=NOW, lang="ja")
    shown = [item["title"] for item in answer.items]
    assert shown.count("はじめての将棋") == 1 and "囲碁将棋の会" in shown
    card = str(answer.messages[-1])
    assert "次の日程" in card and "12月7日(月)、12月14日(月)" in card


@pytest.mark.parametrize("asked_at, next_dates", [
    (NOW, "11月28日(土)、12月5日(土)、12月12日(土)"),  # NOW is Thursday 11/26
    (NOW.replace(hour=15), "11月28日(土)、12月5日(土)、12月12日(土)"),
    (NOW + timedelta(days=2), "11月28日(土)、12月5日(土)、12月12日(土)"),  # Saturday 10:00: today's 14:00 is to come
    (NOW + timedelta(days=2, hours=5), "12月5日(土)、12月12日(土)、12月19日(土)"),  # 15:00: today's has ended
])
def test_a_weekly_row_running_for_months_shows_its_next_days_not_only_its_period(session, city, asked_at, next_dates):
    """One row for a class held 毎週土曜日 from autumn to spring: its card gives the next Saturdays to come."""
    session.add(Event(source="test", source_key="story", title="図書館のおはなし会", place_name="中央図書館",
                      starts_at=utc(day(-40), 14, 0), ends_at=utc(day(80), 14, 30), time_note="毎週土曜日"))
    session.commit()
    card = str(answer_question(session, "おはなし会", now=asked_at, lang="ja").messages[-1])
    assert "次の日程" in card and next_dates in card and "毎週土曜日" in card


def test_an_exhibition_open_every_day_lists_no_next_days(session, city):
    """A months-long row that names no days is open throughout: its card gives the period and no date list."""
    session.add(Event(source="test", source_key="exhibit", title="郷土の民具展", place_name="郷土資料館",
                      starts_at=utc(day(-10), 9, 0), ends_at=utc(day(60), 17, 0)))
    session.commit()
    card = str(answer_question(session, "民具展", now=NOW, lang="ja").messages[-1])
    assert "郷土の民具展" in card and "次の日程" not in card


@pytest.mark.parametrize("question, named", [
    ("Where can I go camping?", False),  # キャンプ inside 輪島エコロジーキャンプ場: the topic, not that place
    ("Is there a pool?", True),  # プール ends 市民プール: the kind of place it is
])
def test_an_english_topic_word_inside_another_facilitys_name_does_not_name_it(session, city, question, named):
    from content.search.answers import Request, _parse

    add_facility(session, "輪島エコロジーキャンプ場", "石川県輪島市")
    add_facility(session, "市民プール", "つながり市本町7")
    parsed = _parse(session, Request(text=question), NOW, current_index(session))
    assert bool(parsed.places) is named


def test_nothing_found_names_the_word_that_failed_not_the_day(session, city):
    """The only 陶芸 class is over: on no coming day is there one, so the answer names 陶芸, not 日曜日."""
    add_event(session, "陶芸教室", offset=-3)
    answer = answer_question(session, "日曜の陶芸", now=NOW, lang="ja")
    assert answer.items == [] and answer.messages[0]["text"].startswith("「陶芸」に合うものは見つかりませんでした。")


def test_a_shortened_loanword_finds_the_title_word_it_shortens(session, city):
    """ベビマ is ベビー|マッサージ shortened: the one title word that starts with ベビ and holds マ after it."""
    add_event(session, "ベビーマッサージ教室", "赤ちゃんとふれあう")
    assert titles(session, "ベビマ")[:1] == ["ベビーマッサージ教室"]


def test_a_shortened_form_two_title_words_fit_is_not_guessed(session, city):
    from content.search.ranking import abbreviated_word

    add_event(session, "ベビーマッサージ教室")
    add_event(session, "ベビーマーケット", offset=6)
    assert abbreviated_word(current_index(session), "ベビマ") is None


@pytest.mark.parametrize("question", ["祖父母向けの講座", "じいじばあば向けの子育ての講座", "シニア向けの講座"])
def test_a_course_for_grandparents_is_found_by_the_words_for_them(session, city, question):
    """孫育て講座 「祖父母世代向けの講座です」 is for seniors as well as for those raising children."""
    add_event(session, "孫育て講座", "イマドキの子育てを知って孫育てを楽しもう。【祖父母世代向けの講座です】")
    assert titles(session, question)[:1] == ["孫育て講座"]


@pytest.mark.parametrize("text, understood", [("今日は寒いですね", False), ("今日なにかある？", True)])
def test_small_talk_naming_a_day_is_no_question(session, city, text, understood):
    """A day and words no row has, asking nothing: not answered with every row of that day."""
    answer = answer_question(session, text, now=NOW, lang="ja")
    assert answer.understood is understood


@pytest.mark.parametrize("question, title", [
    ("節分のイベントある？", "公民館の豆まき会"),
    ("成人式っていつ？", "二十歳を祝うつどい"),
    ("俳句 はじめてみたい", "初心者俳句講習会"),
    ("ひな祭りの工作", "おひなさま手形カード制作"),
    ("子ども預かってもらえる講座", "託児付き 骨盤ヨガ講座"),
    ("AEDの使い方を習いたい", "普通救命講習"),
    ("野菜の直売", "朝どれ野菜の朝市"),
    ("化石ほりできるとこ", "恐竜の化石発掘体験"),
    ("子どもの歯みがきを教えてくれる教室", "1歳児むし歯予防教室"),
])
def test_a_custom_or_way_of_taking_part_finds_titles_that_name_it_otherwise(session, city, question, title):
    """The year's customs and words for taking part, as titles put them another way."""
    for n, name in enumerate(("公民館の豆まき会", "二十歳を祝うつどい", "初心者俳句講習会", "おひなさま手形カード制作",
                              "託児付き 骨盤ヨガ講座", "普通救命講習", "朝どれ野菜の朝市", "恐竜の化石発掘体験",
                              "1歳児むし歯予防教室")):
        session.add(Event(source="test", source_key=f"custom{n}", title=name, place_name="中央公民館",
                          starts_at=utc(day(3 + n), 10), ends_at=utc(day(3 + n), 12)))
    session.commit()
    assert title in titles(session, question)[:3]


@pytest.mark.parametrize("question, found", [
    ("東区に屋台ってある？", ["寅政"]),  # the address holds no word 東区 (福岡市東区千早): a town all the same
    ("祇園町のあたりの屋台", ["笑平"]),
])
def test_a_town_only_in_an_address_finds_the_places_there_though_no_row_holds_it_as_a_word(session, city, question, found):
    for n, (name, address) in enumerate((("寅政", "福岡県福岡市東区千早5-9"), ("伸龍", "福岡県福岡市博多区中洲1-8"),
                                         ("笑平", "福岡県福岡市博多区祇園町1-30"))):
        session.add(Facility(source="test", source_key=f"yatai{n}", name=name, address=address,
                             category="屋台（ラーメン/おでん）", hours_text="19:00～2:00"))
    session.commit()
    assert titles(session, question)[:len(found) + 1] == found


@pytest.mark.parametrize("question, title", [
    ("明日 赤ちゃん連れで行けるのある？", "ベビーマッサージ"),  # 連れ says who comes, not what
    ("小学生が放課後に運動できる教室", "子どもの体力向上 スポーツ教室"),  # 放課後 found nothing: said once, the rest answers
    ("仕事帰りに行ける夜の運動教室", "夜のストレッチ教室"),  # after work is the evening, 仕事 no topic
])
def test_a_word_that_only_says_who_or_when_never_empties_the_answer(session, city, question, title):
    for n, (name, hour, audience) in enumerate((("ベビーマッサージ", 10, "乳幼児と保護者"), ("子どもの体力向上 スポーツ教室", 16, "小学生"),
                                                ("夜のストレッチ教室", 19, None))):
        session.add(Event(source="test", source_key=f"who{n}", title=name, place_name="中央公民館",
                          audience=audience, starts_at=utc(day(1), hour), ends_at=utc(day(1), hour + 1)))
    session.commit()
    assert title in titles(session, question)[:3]


@pytest.mark.parametrize("question, title, named", [
    ("スマホの使い方おしえてくれる教室 年寄りでも大丈夫なやつ", "スマホ・タブレット講座", None),  # 使い方, 大丈夫: how it is asked
    ("AEDの使い方とか胸骨圧迫習いたい", "普通救命講習会(AED講習会)", "胸骨"),  # 胸骨圧迫: one missing thing
    ("AEDの使い方とか心臓マッサージ習いたい", "普通救命講習会(AED講習会)", None),  # a phrase of the 救命 group
])
def test_how_a_question_is_put_never_empties_the_answer_and_a_missing_phrase_counts_once(session, city, question, title,
                                                                                       named):
    for n, name in enumerate(("スマホ・タブレット講座", "普通救命講習会(AED講習会)")):
        session.add(Event(source="test", source_key=f"how{n}", title=name, place_name="中央公民館",
                          description="使い方の説明会ではありません。大丈夫です。" if n else None,
                          starts_at=utc(day(2 + n), 10), ends_at=utc(day(2 + n), 12)))
    session.commit()
    answer = answer_question(session, question, now=NOW, lang="ja")
    assert title in [item["title"] for item in answer.items][:3]
    assert named is None or named in answer.messages[0]["text"]
