"""A kind of place (公園, 美術館) named with other words: the other words rank within the kind; places closed on the
asked day come after open ones; filler date words (今度), English place words and the words files use for
concerts and matches are read."""
from __future__ import annotations

from datetime import date

from sqlmodel import select

import pytest

from content.query.english import english_to_japanese
from content.search.answers import answer_question
from content.search.facility_hours import hours_on, parse_hours
from content.search.index import clear_cache
from content.search.terms import kana_terms
from models import Event, Facility
from tests.search_support import NOW, day, utc


PARKS = [  # invented parks: only the descriptions tell them apart
    ("みどり台公園", "芝生広場と遊具があります。", "つながり市みどり台1"),
    ("さくら川公園", "川沿いの散策路。釣りができる護岸があります。", "つながり市さくら町2"),
    ("ひばり丘公園", "展望台から旅客機の離着陸が見える。ドッグランもあります。", "つながり市ひばり丘3"),
]


@pytest.fixture
def parks(session):
    """Three parks whose names share only 公園, listed in file order."""
    clear_cache()
    for i, (name, description, address) in enumerate(PARKS):
        session.add(Facility(source="test", source_key=f"p{i}", name=name, description=description,
                             address=address, category="公園", hours_text="終日"))
    session.commit()


def titles(session, question: str, lang: str = "ja", now=NOW) -> list[str]:
    """Titles of the items the bot shows, in order."""
    return [item["title"] for item in answer_question(session, question, now=now, lang=lang).items]


@pytest.mark.parametrize("question, lang, first", [
    ("釣りができる公園", "ja", "さくら川公園"),
    ("ドッグランのある公園", "ja", "ひばり丘公園"),
    ("Which park has a dog run?", "en", "ひばり丘公園"),
])
def test_the_other_words_rank_within_the_kind_of_place(session, parks, question, lang, first):
    """公園 matches every park's name; 釣り or ドッグラン in a description puts that park first, the rest still listed."""
    found = titles(session, question, lang)
    assert found[0] == first
    assert set(found) == {name for name, _d, _a in PARKS}


MUSEUMS = [  # (name, closed text): the first is shut on the first and third Monday
    ("みなと美術館", "第1、第3月曜日"),
    ("やまのて美術館", "火曜日"),
]


def test_a_museum_closed_on_the_asked_day_comes_after_an_open_one(session):
    """「今日 開いてる美術館」 on the first Monday: the museum open that day first, the closed one after."""
    clear_cache()
    for i, (name, closed) in enumerate(MUSEUMS):
        session.add(Facility(source="test", source_key=f"m{i}", name=name, hours_text="9:30～17:30",
                             closed_text=closed))
    session.commit()
    first_monday = NOW.replace(month=12, day=7)  # 2026-12-07 is the first Monday of December
    assert titles(session, "今日 開いてる美術館ある？", now=first_monday) == ["やまのて美術館", "みなと美術館"]


def test_hours_of_a_season_are_no_season_the_place_opens_in():
    """「営業時間:11月～2月は…」 gives that season's hours; the place is not closed the rest of the year."""
    hours = parse_hours("09:00～19:00 定休日:火曜日、営業時間:11月～2月は午前9時～午後6時", None)
    assert hours.open_seasons == []
    assert hours_on(hours, date(2026, 10, 7)).status == "open"


def test_a_filler_date_word_in_kana_is_no_topic():
    """こんどの連休: こんど (今度) says when, not what; no kana topic word is read from it."""
    assert kana_terms("こんどの3連休 なにかイベントある？") == []


@pytest.mark.parametrize("english, japanese", [
    ("Which park has a dog run?", "ドッグラン"),
    ("Is there a concert hall near the station?", "ホール"),
    ("Any opera this month?", "オペラ"),
])
def test_english_place_and_topic_words_are_read(english, japanese):
    """dog run, concert hall and opera become the words the city's files use."""
    assert japanese in english_to_japanese(english)


@pytest.mark.parametrize("question", ["今日 みなと県立図書館いける？", "今日 県立図書館いける？"])
def test_a_library_asked_about_on_its_closed_day_is_shown_not_nothing_found(session, question):
    """「今日 …いける？」 on the library's closed day (Thursday): the library itself answers, its card saying closed."""
    clear_cache()
    session.add(Facility(source="test", source_key="lib", name="みなと県立図書館", hours_text="9:00～19:00",
                         closed_text="木曜日"))
    session.commit()
    answer = answer_question(session, question, now=NOW, lang="ja")  # NOW is a Thursday
    assert [item["title"] for item in answer.items] == ["みなと県立図書館"]
    assert not answer.nothing_found


def add_event(session, title: str, description: str = "", audience_tags: tuple = ()) -> None:
    """One event on a coming day."""
    session.add(Event(source="test", source_key=title, title=title, description=description,
                      starts_at=utc(day(3), 14), ends_at=utc(day(3), 16), place_name="つながり文化ホール",
                      audience_tags=list(audience_tags)))
    session.commit()


@pytest.mark.parametrize("question, lang", [
    ("オーケストラを聴きたい", "ja"),
    ("子供が楽しめるコンサートある？", "ja"),
])
def test_a_concert_is_found_by_the_words_the_file_uses(session, question, lang):
    """オーケストラ meets 交響楽団; 楽しめる only says the resident wants to enjoy it, no row has to say so."""
    clear_cache()
    add_event(session, "つながり交響楽団 定期演奏会", "子供から大人までのコンサートです。", ("children",))
    assert titles(session, question, lang) == ["つながり交響楽団 定期演奏会"]


@pytest.mark.parametrize("question, lang", [
    ("サッカーの試合を見たい", "ja"),
    ("Where can I watch a soccer match?", "en"),
])
def test_a_match_is_found_by_its_fixture_wording(session, question, lang):
    """A home game listed as 「公式戦 対戦相手：…」 is the 試合 / match the resident asks about."""
    clear_cache()
    add_event(session, "ホームゲーム（つながりFC）対戦相手：みなとユナイテッド", "リーグ公式戦です。")
    assert titles(session, question, lang)[:1] == ["ホームゲーム（つながりFC）対戦相手：みなとユナイテッド"]


def test_a_station_named_only_in_an_events_access_finds_it(session, tmp_path):
    """「みなと台の美術館で何やってる？」: the event file's アクセス方法 (みなと台駅から徒歩5分) says where it is."""
    from content.importers import import_path
    clear_cache()
    path = tmp_path / "events.csv"
    path.write_text(
        '"都道府県名","市区町村名","イベント名","開始日","終了日","説明","場所名称","住所","アクセス方法","URL","備考"\n'
        '"東京都","つながり区","版画の100年","2026-11-20","2026-12-20","版画の歴史をたどる展覧会。","つながり区立美術館",'
        '"つながり区本町1-1","地下鉄みなと台駅から徒歩5分","",""\n'
        '"東京都","つながり区","写真の現在","2026-11-20","2026-12-20","現代の写真家の展覧会。","つながり写真美術館",'
        '"つながり区西町2-2","バス停「西町」下車すぐ","",""\n', encoding="utf-8")
    import_path(session, "events", str(path))
    assert titles(session, "みなと台の美術館で何やってる？") == ["版画の100年"]


@pytest.mark.parametrize("question, past", [
    ("海岸でごみ拾いするのがあったはず", False),  # recalling something seen: it may well be coming
    ("ごみ拾いがあったような気がする", False),
    ("先週あったごみ拾いはどうだった？", True),
])
def test_a_recalled_event_is_not_read_as_a_past_one(question, past):
    """「…があったはず」 says the resident remembers it, not that it is over."""
    from content.query import parse_query
    assert parse_query(question, now=NOW).past is past


@pytest.mark.parametrize("description, hours", [
    ("開園時間8:00～21:00。運動広場があります。", "開園時間8:00～21:00"),
    ("営業時間は午前10時～午後5時です。", "営業時間は午前10時～午後5時"),
    ("芝生広場があります。", ""),
])
def test_hours_written_only_in_a_facilitys_description_are_read(description, hours):
    """A park file with no hours column says 「開園時間8:00～21:00」 in 説明: those are its hours."""
    from content.importers.facilities import hours_in_description
    assert hours_in_description(description) == hours


def test_the_places_open_until_the_asked_hour_come_first(session):
    """「夜9時まで開いてる公園」 at 18:00: the parks open that late first, the latest closing first; the park
    closing at 17:00 comes last."""
    clear_cache()
    for i, (name, hours) in enumerate((("うみべ公園", "9:00～17:00"), ("かわべ公園", "8:00～21:00"),
                                        ("やまべ公園", "7:00～22:00"))):
        session.add(Facility(source="test", source_key=f"late{i}", name=name, hours_text=hours))
    session.commit()
    evening = NOW.replace(hour=18)
    assert titles(session, "夜9時まで開いてる公園", now=evening) == ["やまべ公園", "かわべ公園", "うみべ公園"]


@pytest.mark.parametrize("question", ["朝早くからやってる温泉ない？", "朝早くから入れる温泉センター"])
def test_the_places_open_earliest_come_first_for_an_early_morning(session, question):
    """「朝早くからやってる温泉」 at 6:00: the baths open before noon, the earliest opening first; the one opening
    at 15:00 comes last — whether the question was read as one for places or for events answered with places."""
    clear_cache()
    for i, (name, hours) in enumerate((("ゆうやけ温泉センター", "15:00～21:00"), ("あさひ温泉センター", "5:00～22:30"),
                                        ("ひるま温泉センター", "10:00～21:00"), ("研修温泉センター", "0:00～23:59"))):
        session.add(Facility(source="test", source_key=f"early{i}", name=name, hours_text=hours,
                             description="源泉かけ流しの温泉"))
    session.commit()
    early = NOW.replace(hour=6)
    # 0:00～23:59 (a lodging's placeholder) is open early too, but after the baths stating a morning opening
    assert titles(session, question, now=early) == ["あさひ温泉センター", "ひるま温泉センター", "研修温泉センター",
                                                    "ゆうやけ温泉センター"]


@pytest.mark.parametrize("question", ["夜中の3時までやってる屋台ない？", "夜遅くまでやってる屋台"])
def test_hours_past_midnight_close_after_the_evening(session, question):
    """18:00～1:30 closes at 1:30 that night, later than 23:00; 「夜中の3時まで」 is 3:00 after midnight."""
    clear_cache()
    for i, (name, hours) in enumerate((("屋台はやね", "18:00～23:00"), ("屋台しんりゅう", "18:00～1:30"),
                                        ("屋台とらまさ", "19:00～3:00"))):
        session.add(Facility(source="test", source_key=f"late{i}", name=name, hours_text=hours,
                             description="ラーメンとおでんの屋台"))
    session.commit()
    assert titles(session, question, now=NOW.replace(hour=23))[:1] == ["屋台とらまさ"]


def test_a_season_named_without_a_date_gets_that_seasons_hours(session):
    """「スキー場って冬は何時まで？」 asked in June: the hours of a winter day, not of today."""
    clear_cache()
    session.add(Facility(source="test", source_key="ski", name="高原スキー場",
                         hours_text="8:30～17:30 12月～3月は8:30～21:00"))
    session.commit()
    june = NOW.replace(month=6, day=11)
    text = answer_question(session, "高原スキー場って冬は何時まで？", now=june, lang="ja").messages[0]["text"]
    assert "21:00" in text


UNDATED_HEADER = '"都道府県名","市区町村名","イベント名","開始日","終了日","説明","場所名称","住所","URL","備考"\n'


def test_a_programme_without_a_date_is_imported_and_found_by_its_topic(session, tmp_path):
    """A year-round programme (no 開始日, but a description and a place) is kept: 「らくご」 finds it, a question
    about a day does not, and its card says where to look for the dates."""
    from content.importers import import_path
    clear_cache()
    path = tmp_path / "events.csv"
    path.write_text(UNDATED_HEADER +
                    '"東京都","つながり区","寄席と音楽のひととき","","","落語家と音楽家の共演です。","つながり文化ホール",'
                    '"つながり区本町1","https://example.jp/yose",""\n'
                    '"東京都","つながり区","題名だけの行","","","","","","",""\n', encoding="utf-8")
    report = import_path(session, "events", str(path))
    assert (report.imported, report.skipped) == (1, 1)
    assert (2, "開始日がないため、日程未定として取り込みました") in report.warnings
    event = session.exec(select(Event)).one()
    assert event.starts_at is None and event.ends_at is None
    assert titles(session, "らくごが聞けるイベントある？") == ["寄席と音楽のひととき"]
    assert titles(session, "明日 落語ある？") == []
    answer = answer_question(session, "落語", now=NOW, lang="ja")
    assert "日程は詳細のリンク先でご確認ください" in str(answer.messages)


def test_free_asked_where_no_row_says_free_shows_those_stating_no_fee_and_says_so(session):
    """「無料で聴けるコンサート」: no concert's fee says 無料; the one stating no fee (its description says 無料) is
    shown first with a note, the one stating a price is left out."""
    clear_cache()
    add_event(session, "ロビーコンサート", "ホワイエで行う無料のコンサートです。")
    session.add(Event(source="test", source_key="paid", title="定期コンサート", fee="3000円", is_free=False,
                      starts_at=utc(day(4), 19), ends_at=utc(day(4), 21), place_name="つながり文化ホール"))
    session.add(Event(source="test", source_key="free-talk", title="無料相談会", fee="無料", is_free=True,
                      starts_at=utc(day(4), 10), ends_at=utc(day(4), 12), place_name="つながり区役所"))
    session.commit()
    answer = answer_question(session, "無料で聴けるコンサート", now=NOW, lang="ja")
    assert [item["title"] for item in answer.items] == ["ロビーコンサート"]
    assert "無料と書かれたものはありませんが" in str(answer.messages)


def test_a_place_open_on_one_of_the_asked_days_answers_when_no_event_does(session):
    """「今週末 漫画よめるところ」 with no event: the place whose description has 漫画 and that opens on Saturday or
    Sunday, said to be open those days — not the one closed all weekend."""
    clear_cache()
    weekdays_closed = "月曜日、火曜日、水曜日、木曜日、金曜日"
    for i, (name, closed) in enumerate([("青少年ホーム", weekdays_closed), ("勤労会館", "土曜日、日曜日")]):
        session.add(Facility(source="test", source_key=f"h{i}", name=name, hours_text="10:00～17:00",
                             closed_text=closed, description="図書室で漫画が読めます。"))
    session.commit()
    answer = answer_question(session, "今週末 漫画よめるところある？", now=NOW, lang="ja")
    assert [item["title"] for item in answer.items] == ["青少年ホーム"]
    assert "11月28日(土)〜11月29日(日)にあいている施設です。" in answer.messages[0]["text"]


@pytest.mark.parametrize("question, first", [
    ("柔道とか剣道のけいこできる道場", "町民武道館"),  # 道場 ends 遠的弓道場's name; 柔道 and 剣道 are in the 武道館's row
    ("弓道場は何時まで？", "遠的弓道場"),  # the kind word alone still names the place
])
def test_a_kind_word_at_a_names_end_gives_way_to_the_topic_another_row_holds(session, question, first):
    """A facility met only by the kind word at its name's end is not the answer when the resident's topic words are
    all in another facility's row and none in its own."""
    clear_cache()
    for i, (name, description) in enumerate([("遠的弓道場", "遠的場（79メートル×22メートル）"),
                                             ("町民武道館", "柔道場、弓道場、剣道場、トレーニング室")]):
        session.add(Facility(source="test", source_key=f"d{i}", name=name, description=description,
                             hours_text="9:00～21:00"))
    session.commit()
    assert titles(session, question)[:1] == [first]


@pytest.mark.parametrize("question, shown", [
    ("温泉 夜遅くまでやってる所", ["香南楽湯", "はくちょう温泉"]),  # 温泉 ends one name; the other row has 天然温泉
    ("はくちょう温泉の電話番号", ["はくちょう温泉"]),  # named: that one only
])
def test_a_kind_ending_one_name_also_finds_the_rows_holding_it(session, question, shown):
    """A kind of place that ends only one facility's name names the facilities whose rows hold the word too; the
    one open latest comes first when that is asked."""
    clear_cache()
    for i, (name, hours, description) in enumerate([("はくちょう温泉", None, "運動公園の中の温泉施設"),
                                                    ("香南楽湯", "10:00～23:00", "天然温泉のある道の駅。"),
                                                    ("中央図書館", "9:00～17:00", "本を貸し出します。")]):
        session.add(Facility(source="test", source_key=f"o{i}", name=name, hours_text=hours, description=description))
    session.commit()
    assert titles(session, question) == shown


def test_can_i_see_a_named_place_on_a_day_is_a_question_about_that_place(session):
    """「月曜日 松平文庫って見れる？」 with no event there: the place itself answers, with its Monday hours."""
    clear_cache()
    session.add(Facility(source="test", source_key="bunko", name="松平文庫", hours_text="9:00～17:00",
                         closed_text="年末年始"))
    session.commit()
    assert titles(session, "月曜日 松平文庫って見れる？") == ["松平文庫"]
