"""Telling places of one kind apart, and the words around them (exams BC–BF): a kind word is no name, the other
words of the question pick the place, a landmark says where the thing asked for is, fillers and fees are no topic."""
from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from content.query import parse_query
from content.query.places import PlaceIndex
from content.search.answers import answer_question
from content.search.index import clear_cache
from content.search.terms import expand
from models import Event
from tests.test_search_unseen_wording import NOW, SAT, TUE, add_rows, first_text, titles, utc


@pytest.fixture
def town(session):
    """A town with nothing in it yet."""
    clear_cache()
    return session


MUSEUMS = [dict(name="広島県立美術館", address="広島市中区上幟町2-22"),
           dict(name="ひろしま美術館", address="広島市中区基町3-2中央公園内",
                description="モネ、ルノアール、ゴッホ、ピカソといった巨匠たちの作画約90点を常設展示。"),
           dict(name="広島市現代美術館", address="広島市南区比治山公園1-1")]


def test_a_kind_word_left_by_a_shortened_name_names_every_place_of_that_kind():
    """美術館 of 広島県立美術館 (県立 dropped) is what the other two are too: not that one's name."""
    places = PlaceIndex(facilities=[(n, row["name"], None, None) for n, row in enumerate(MUSEUMS)])
    assert {m.name for m in places.match("比治山の美術館")} == {row["name"] for row in MUSEUMS}


def test_a_shortened_name_of_two_words_stays_a_name():
    """恐竜博物館 is what residents call 福井県立恐竜博物館, though 野外恐竜博物館 ends with it too."""
    places = PlaceIndex(facilities=[(1, "福井県立恐竜博物館", None, None), (2, "野外恐竜博物館", None, None)])
    assert places.match("恐竜博物館 何時まで？")[0].name == "福井県立恐竜博物館"


@pytest.mark.parametrize("question, first", [
    ("比治山の美術館 シニアはいくら？", "広島市現代美術館"),  # 比治山 is in its address
    ("モネとかゴッホの絵が見れる美術館 大人いくら？", "ひろしま美術館"),  # in its description
])
def test_the_other_words_pick_one_of_the_places_of_a_kind(session, town, question, first):
    add_rows(session, facilities=MUSEUMS)
    assert titles(session, question)[:1] == [first]


ARCHIVES = [dict(name="広島市水道資料館", address="広島市東区牛田新町一丁目8-1（牛田浄水場内）",
                 hours_text="9:00～17:00", closed_text="毎週月・火・木、※12月～2月は休館"),
            dict(name="広島市郷土資料館", address="広島市南区宇品御幸二丁目6-20", hours_text="9:00～17:00"),
            dict(name="頼山陽史跡資料館", address="広島市中区袋町5-15", hours_text="9:30～17:00", fee="200円",
                 description="頼山陽に関する資料の展示。65歳以上は無料。"),
            dict(name="広島大学医学部医学資料館", address="広島市南区霞一丁目2-3", fee="無料")]


@pytest.mark.parametrize("question, first", [
    ("牛田の水道の資料館 12月に行けますか", "広島市水道資料館"),  # closed all December, but the one asked about
    ("頼山陽の資料館 年寄りは無料ってほんと？", "頼山陽史跡資料館"),  # ほんと is no topic; 無料 does not pick
])
def test_the_place_the_words_single_out_stays_first(session, town, question, first):
    add_rows(session, facilities=ARCHIVES)
    assert titles(session, question)[:1] == [first]


SPOTS = [dict(name="浦嶋神社", address="京都府与謝郡伊根町本庄浜191", hours_text="9時～17時"),
         dict(name="布引の滝", address="京都府与謝郡伊根町本庄上", description="浦嶋神社の前方にある高さ100mにも及ぶ滝。"),
         dict(name="旧野首教会", address="野崎郷692番地2"), dict(name="野崎島自然学塾村", address="野崎郷663番地1"),
         dict(name="野崎島神官屋敷", address="野崎郷182番地2"), dict(name="赤浜海岸", address="前方郷"),
         dict(name="野首海岸", address="野崎郷"), dict(name="姫の松原", address="柳郷"),
         dict(name="五両だき", address="柳郷"), dict(name="サンセットポイント", address="班島郷")]


@pytest.mark.parametrize("question, first", [
    ("浦嶋神社の近くの高い滝 近くまで行ける？", "布引の滝"),  # the shrine says where; the falls are asked for
    ("野首の教会のちかくの 海岸", "野首海岸"),
    ("野崎島の古い教会 見に行きたいんだけど", "旧野首教会"),  # 野崎島 begins two names: an area, not one place
    ("夕日がきれいに見えるとこ 教えて", "サンセットポイント"),
    ("松林のきれいなとこ 散歩したい", "姫の松原"),
])
def test_a_landmark_an_area_and_a_lay_word_find_the_spot(session, town, question, first):
    add_rows(session, facilities=SPOTS)
    assert titles(session, question)[:1] == [first]


def test_a_kanji_word_meets_its_reading_voiced_after_another_word(session, town):
    """滝 (たき) is だき at the end of 五両だき."""
    add_rows(session, facilities=SPOTS)
    assert set(titles(session, "滝が見れるとこある？")) == {"布引の滝", "五両だき"}


def test_a_town_of_the_addresses_finds_the_spots_there_where_no_event_is(session, town):
    add_rows(session, facilities=SPOTS)
    assert set(titles(session, "柳郷のあたりで 見るとこある？")) == {"姫の松原", "五両だき"}


def test_a_landmark_is_only_a_ranking_word():
    parsed = parse_query("浦嶋神社の近くの高い滝", now=NOW)
    assert parsed.near_words == ["浦嶋", "神社"] and "滝" in parsed.terms and not parsed.wants_nearby


@pytest.mark.parametrize("word, synonym", [
    ("夕日", "サンセット"), ("声", "ボイス"), ("滝", "だき"), ("松林", "松原"), ("筋トレ", "トレーニング"), ("継ぐ", "承継"),
    ("芝居", "演劇"),
])
def test_lay_words_reach_the_files_words(word, synonym):
    assert synonym in expand([word])


COURSES = [dict(title="サンライフ浜北卓球", description="【内容】ラケットの持ち方から基本技術の習得", fee="7000円",
                category="スポーツ", starts_at=utc(TUE, 19)),
           dict(title="リラックスヨガ", description="【内容】初心者・初級者向けヨガ教室。全身運動", fee="10500円",
                category="スポーツ", starts_at=utc(SAT, 19)),
           dict(title="高齢者講座ボイストレーニング", description="【内容】発声から練習をしていきます。", fee="無料",
                starts_at=utc(TUE, 13)),
           dict(title="キッズ陸上((1)前半)", description="【内容】走る基本動作\n【対象】年中～小学2年生", starts_at=utc(SAT, 17)),
           dict(title="キッズ陸上((2)後半)", description="【内容】走る基本動作\n【対象】小学3～6年生", starts_at=utc(SAT, 18))]


@pytest.mark.parametrize("question, first", [
    ("卓球ならいたい 初心者でもいける？ 月謝いくら", "サンライフ浜北卓球"),  # ヨガ meets 卓球 only as a sport
    ("60過ぎでも 声出す練習する講座みたいなの ある？", "高齢者講座ボイストレーニング"),
    ("走り方おしえてくれる教室 小3でも入れる？", "キッズ陸上((2)後半)"),  # 小3 is 9: in 小学3～6年生
])
def test_the_topic_decides_and_fillers_fees_and_grades_do_not_empty_it(session, town, question, first):
    add_rows(session, events=COURSES)
    assert titles(session, question)[:1] == [first]
    assert "見つかりませんでした" not in first_text(session, question)


@pytest.mark.parametrize("question, age", [("小3でも入れる？", 9), ("中1の娘と", 13), ("小学校6年生", 12), ("中5", None)])
def test_a_school_grade_is_read_as_the_childs_age(question, age):
    assert parse_query(question, now=NOW).age == age


def test_a_year_named_beside_the_topic_shows_what_is_coming(session, town):
    """「来年 保育園に入れたい 説明会」: 来年 is when the child starts; the meeting this autumn is the answer."""
    add_rows(session, events=[dict(title="保育所入所説明会", starts_at=utc(SAT, 10))])
    answer = answer_question(session, "来年 保育園に入れたいんやけど 説明会とかある？", now=NOW, lang="ja")
    assert [item["title"] for item in answer.items] == ["保育所入所説明会"]
    assert answer.messages[0]["text"].startswith("来年のものは見つかりませんでしたが、これからの予定があります。")


def test_the_name_word_of_one_place_beats_a_fee_asked_of_several(session, town):
    """頼山陽 is in one 資料館's name: it, not the free ones, comes first for 「…無料ってほんと？」."""
    add_rows(session, facilities=ARCHIVES)
    assert titles(session, "頼山陽の資料館 年寄りは無料？")[:1] == ["頼山陽史跡資料館"]


def test_an_area_before_hou_is_tried_whole_as_a_town(session, town):
    """班島 (Sudachi: 班 + 島) of 「班島のほうの見どころ」 is the 班島郷 of an address."""
    add_rows(session, facilities=SPOTS)
    assert titles(session, "班島のほうの 見どころは？") == ["サンセットポイント"]


@pytest.mark.parametrize("question, intent", [
    ("由良の酒蔵 何曜日が休み？", "facility_closed"), ("休みは何曜日？", "facility_closed"),
])
def test_which_weekday_it_rests_asks_the_closed_days(question, intent):
    assert parse_query(question, now=NOW).intent == intent


def test_kondo_no_weekday_looks_ahead_though_the_notice_was_in_the_past():
    """「今度の土曜 訓練あるって回覧板にあった」: the notice came before; the drill is next Saturday."""
    parsed = parse_query("今度の土曜 ぼうさい訓練あるって回覧板にあったけど 場所どこ？", now=NOW)
    assert parsed.date_range[0].date() == SAT and not parsed.past


def test_a_place_suffix_is_no_word_of_its_own_and_a_link_holds_no_words(session, town):
    """場 of ゴルフ場 is not searched alone (nothing found is the answer); town-yosano.jp is no 「Yosano」 row."""
    add_rows(session, facilities=[
        dict(name="阿蘇シーサイドパーク", description="詳しくは http://www.town-yosano.jp/ をご覧ください。"),
        dict(name="陶真窯", description="子供から大人まで陶芸が楽しめます。"),
        dict(name="市営駐車場", description="大型バス駐車場")])
    assert first_text(session, "近くでゴルフ場ある？").startswith("「ゴルフ」に合うものは見つかりませんでした。")
    answer = answer_question(session, "Where can my kids try making pottery in Yosano?", now=NOW, lang="en")
    assert [item["title"] for item in answer.items][:1] == ["陶真窯"]


def test_the_towns_own_name_before_no_is_no_place(session, town):
    """伊根の of 「伊根の道の駅」 matched 伊根の舟屋; 伊根 is in every address: the 道の駅 is asked for."""
    add_rows(session, facilities=[dict(name=name, address="京都府与謝郡伊根町" + street, description=text)
                                  for name, street, text in (
                                      ("伊根の舟屋", "", "舟屋の町並み"), ("舟屋の里伊根", "亀島", "舟屋を一望できる道の駅"),
                                      ("浦嶋神社", "本庄浜191", "浦島伝説"), ("布引の滝", "本庄上", "高さ100mの滝"),
                                      ("向井酒造", "平田67", "酒蔵"))])
    assert titles(session, "伊根の道の駅 何時までやっとる？")[:1] == ["舟屋の里伊根"]


PARKS = [dict(name="舞鶴公園", address="京都府舞鶴市南田辺", hours_text="9時～17時", description="公園入場自由"),
         dict(name="舞鶴親海公園", address="京都府舞鶴市千歳地内", hours_text="7時～18時",
              description="海釣りが楽しめる公園"),
         dict(name="青葉山ろく公園", address="京都府舞鶴市岡安", hours_text="6時～17時", description="キャンプ場"),
         dict(name="舞鶴自然文化園", address="京都府舞鶴市多祢寺24-12", hours_text="9時～17時",
              description="日本有数の規模を誇る椿園をはじめ、あじさい園など"),
         dict(name="舞鶴市郷土資料館", address="京都府舞鶴市字南田辺1", description="西舞鶴駅から徒歩10分。昔の暮らしと歴史"),
         dict(name="舞鶴市西舞鶴駅駐車場", address="京都府舞鶴市伊佐津")]


@pytest.mark.parametrize("question, first", [
    ("つばきがたくさん咲いてる公園 入場料いる？", "舞鶴自然文化園"),  # つばき is the rows' 椿; 文化園 is no 公園
    ("千歳のほうで 家族で海釣りできる公園 朝何時から？", "舞鶴親海公園"),  # not the park opening earliest
    ("西舞鶴駅から歩いて行ける 昔の歴史がわかるとこ 入館料は？", "舞鶴市郷土資料館"),  # the station is a landmark
])
def test_kana_words_landmarks_and_hours_leave_the_place_asked_for_first(session, town, question, first):
    add_rows(session, facilities=PARKS)
    assert titles(session, question)[:1] == [first]


def test_a_reading_piece_is_no_name_unless_typed_in_kana():
    """るこうえん of 「できる公園」 (one kana typed) is no piece of まいづるこうえん; まいづるこうえん typed is."""
    places = PlaceIndex(facilities=[(1, "舞鶴公園", "まいづるこうえん", None), (2, "舞鶴親海公園", None, None)])
    assert {m.matched for m in places.match("海釣りできる公園")} == {"公園"}
    assert places.match("まいづるこうえん 何時から")[0].name == "舞鶴公園"


def test_a_kana_run_sudachi_cuts_is_the_rows_word_read_so(session, town):
    """しゃきょう (しゃ + きょう to Sudachi) is the 写経 a temple's row offers."""
    add_rows(session, facilities=[dict(name="興雲寺", description="写経や座禅の体験ができます。"),
                                  dict(name="長安寺", description="もみじの名所")])
    assert titles(session, "しゃきょう体験できるお寺 ないですか")[:1] == ["興雲寺"]


@pytest.mark.parametrize("question, first", [
    ("建国記念日に なんかあるかな", "ジオパークシンポジウム"),  # the holiday as residents call it
    ("ビザの更新のこと 相談できるとこある？", "在留資格に関する無料相談"),
    ("NISAとか老後のお金のこと 相談できるとこある？", "「お金と未来」の相談会"),  # お金のこと: no 金鋸
])
def test_holidays_and_lay_words_of_consultations(session, town, question, first):
    add_rows(session, events=[dict(title="ジオパークシンポジウム", starts_at=utc(date(2027, 2, 11), 13)),
                              dict(title="在留資格に関する無料相談", description="在留資格手続き申請の個別相談",
                                   starts_at=utc(TUE, 13)),
                              dict(title="「お金と未来」の相談会", description="NISAやiDeCo、年金・保険など",
                                   starts_at=utc(SAT, 10))])
    assert titles(session, question)[:1] == [first]


def test_weekends_with_nothing_next_find_a_later_weekend_said_so(session, town):
    """「on weekends」: the next weekend has no class, a later one has; the English note names the weekend."""
    add_rows(session, events=[dict(title="日本語教室 週末読み書きクラス", starts_at=utc(date(2027, 2, 6), 10))])
    answer = answer_question(session, "Are there Japanese reading and writing classes on weekends?", now=NOW,
                             lang="en")
    assert [item["title"] for item in answer.items] == ["日本語教室 週末読み書きクラス"]
    assert answer.messages[0]["text"].startswith("Nothing on the next weekend, but there is on a later weekend.")


@pytest.mark.parametrize("question, label", [
    ("2月の最初の日曜 なにかイベントある？", "2月第1日曜日(2/7)"),
    ("しゃきょうの会ってある？", None),  # きょう of しゃきょう (写経) is no 今日
])
def test_first_weekday_of_a_month_and_kana_inside_a_word(question, label):
    assert parse_query(question, now=NOW).date_label == label


def test_a_weekend_long_event_is_on_its_sunday_and_found_for_a_place_question(session, town):
    """「こ文のおばけやしき 日曜もやってる？」: the 土・日 event is on Sunday too; no place holds the words, an event does."""
    add_rows(session, events=[dict(title="こども文化センター「おばけやしき」", all_day=True, starts_at=utc(SAT, 0))])
    event = session.exec(select(Event).where(Event.title == "こども文化センター「おばけやしき」")).one()
    event.ends_at = utc(date(2027, 1, 25), 0)  # 土・日: through the end of Sunday
    session.add(event)
    session.commit()
    clear_cache()
    answer = answer_question(session, "こ文のおばけやしき 日曜もやってる？何時から？", now=NOW, lang="ja")
    assert [item["title"] for item in answer.items] == ["こども文化センター「おばけやしき」"]


@pytest.mark.parametrize("question, terms, near", [
    ("茶だんご食べれる 宇治橋のとこの古いお茶屋さん", ["茶", "団子", "食べる", "古い", "茶屋"], ["宇治橋"]),
    ("市役所の前のバス停", ["バス停", "バス"], ["市役所", "役所"]),
])
def test_a_landmark_anywhere_in_the_question_only_ranks(question, terms, near):
    parsed = parse_query(question, now=NOW)
    assert (parsed.terms, parsed.near_words) == (terms, near)


def test_the_nth_day_of_the_new_year_is_a_date():
    parsed = parse_query("正月の2日 観光案内所 開いとる？", now=NOW)
    assert parsed.date_range[0].date() == date(2028, 1, 2) and "正月" not in parsed.terms


def test_an_english_romaji_temple_and_adults_are_read(session, town):
    """「Byodoin temple … for adults」: ビョドイン寺 meets 平等院 by its reading; adults is 大人, not アダルト."""
    assert "大人" in parse_query("How much is the fee for adults?", now=NOW).normalized
    add_rows(session, facilities=[dict(name="平等院", kana="ビョウドウイン", fee="大人700円"),
                                  dict(name="三室戸寺", kana="ミムロトジ", fee="大人1,000円")])
    answer = answer_question(session, "How much is the entrance fee for Byodoin temple for adults?", now=NOW,
                             lang="en")
    assert [item["title"] for item in answer.items][:1] == ["平等院"]


def test_a_season_beside_the_topic_shows_what_is_coming(session, town):
    """「夏休みの自由研究 作品が見れるとこ」: the homework is the summer's; the show is in February."""
    add_rows(session, events=[dict(title="理科自由研究作品展", starts_at=utc(date(2027, 2, 12), 9))])
    answer = answer_question(session, "夏休みの自由研究 よその子の作品も見れるとこ いつまで？", now=NOW, lang="ja")
    assert [item["title"] for item in answer.items] == ["理科自由研究作品展"]
    assert answer.messages[0]["text"].startswith("夏休みのものは見つかりませんでしたが、これからの予定があります。")


def test_a_flower_typed_in_kana_is_no_hall_named_after_it(session, town):
    """あじさい of 「あじさいのきれいなお寺」 begins あじさいホール's name, but a temple's row says 紫陽花: the flowers."""
    add_rows(session, facilities=[dict(name="加茂文化センター（あじさいホール）", fee="ホール 6,000円"),
                                  dict(name="岩船寺", address="京都府木津川市加茂町岩船", fee="小学生 300円",
                                       description="紫陽花の名所として知られる寺。"),
                                  dict(name="浄瑠璃寺", description="九体阿弥陀の寺。")])
    assert titles(session, "あじさいのきれいなお寺 小学生の孫つれてくといくら？")[:1] == ["岩船寺"]


@pytest.mark.parametrize("question, audiences", [
    ("店を息子にゆずりたい 跡継ぎの相談できるとこ", []),  # the son the shop is passed to is grown up
    ("息子と行ける公園", ["children"]),
])
def test_a_son_something_is_passed_to_is_no_child(question, audiences):
    assert parse_query(question, now=NOW).audiences == audiences


def test_station_front_is_no_town_and_a_kind_before_a_space_is_a_kind(session, town):
    """駅前 of 「駅前の日帰り温泉」 is any station's front; 道の駅 begins 「道の駅 京都新光悦村」 as its kind."""
    add_rows(session, facilities=[dict(name="栄温泉 うし乃湯", address="綾部市幸通東", description="綾部駅前の日帰り温泉"),
                                  dict(name="あやべ温泉", address="綾部市故屋岡町"),
                                  dict(name="市営駐車場", address="綾部市駅前通"),
                                  dict(name="道の駅 京都新光悦村", description="園部ICから3分", closed_text="月曜日"),
                                  dict(name="道の駅スプリングスひよし", description="日吉ダムのそば")])
    assert titles(session, "駅前の日帰り温泉 どこ？")[:1] == ["栄温泉 うし乃湯"]
    assert set(titles(session, "道の駅 月曜やってる？")) == {"道の駅 京都新光悦村", "道の駅スプリングスひよし"}


def test_a_weekday_morning_asked_after_it_means_the_coming_ones(session, town):
    """「水曜の午前」 asked at noon on a Wednesday: the class next Wednesday morning, said so."""
    add_rows(session, events=[dict(title="やさしいエアロ(水)", starts_at=utc(date(2027, 1, 27), 10))])
    answer = answer_question(session, "エアロビ 水曜の午前ある？", now=NOW, lang="ja")
    assert [item["title"] for item in answer.items] == ["やさしいエアロ(水)"]


def test_a_compound_no_row_writes_is_found_by_what_it_is_of(session, town):
    """桜並木: no row says 並木, but 桜づつみ is titled with 桜."""
    add_rows(session, facilities=[dict(name="桜づつみ", description="木津川の堤防"), dict(name="青谷梅林")])
    assert titles(session, "川ぞいの桜並木 散歩できるとこ")[:1] == ["桜づつみ"]


def test_an_interest_and_the_teens_are_no_topic(session, town):
    """「お芝居に興味あって 中高生むけの講座」: 興味 is how it is put, 中高生 who it is for, 芝居 the 演劇 workshop."""
    assert parse_query("中高生むけの講座", now=NOW).audiences == ["children"]
    add_rows(session, events=[dict(title="演劇入門ワークショップ", description="中・高校生の方対象の演劇ワークショップ",
                                   starts_at=utc(SAT, 10))])
    assert titles(session, "中学生の娘 お芝居に興味あって 中高生むけの講座あるって聞いたけど") == ["演劇入門ワークショップ"]


def test_a_shrine_named_jingu_is_a_shrine_for_its_description(session, town):
    """「縁結びで有名な神社」: 出雲大神宮 is a 神社 by its kind, and its row says 縁結び."""
    add_rows(session, facilities=[dict(name="出雲大神宮", description="縁結びの神として有名。"),
                                  dict(name="鍬山神社", description="紅葉の名所"), dict(name="ひえ田野神社")])
    assert titles(session, "縁結びで有名な神社 亀岡にある？")[:1] == ["出雲大神宮"]


def test_mon_is_no_topic(session, town):
    """「孫と行けるもんなんかある？」: もん (もの) is how it is put; the children's events of the day answer."""
    add_rows(session, events=[dict(title="親子ドローン操縦体験会", starts_at=utc(SAT, 10))])
    assert titles(session, "今度の土曜 孫と行けるもんなんかある？") == ["親子ドローン操縦体験会"]


def test_a_place_of_the_kind_by_its_row_gives_way_to_the_topic(session, town):
    """「きつねの嫁入りが見れる神社」: 花岡八幡宮 is a 神社 by its kind, but only the 稲荷社's row holds the topic."""
    add_rows(session, facilities=[dict(name="花岡八幡宮", description="流鏑馬が有名"),
                                  dict(name="金輪神社"), dict(name="降松神社"),
                                  dict(name="花岡福徳稲荷社", description="きつねの嫁入り行列で知られる。")])
    assert titles(session, "きつねの嫁入りが見れる神社")[:1] == ["花岡福徳稲荷社"]
