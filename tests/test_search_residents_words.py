"""Words residents use that the rows put another way (exams AM–AP): lay words, a word typed in kana, a Latin word in
an English question, a katakana compound the dictionary does not know; and the detail of one place they ask for."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from content.search.answers import answer_question
from content.search.terms import terms_of
from tests.test_search_unseen_wording import NOW, SAT, SUN, TUE, add_rows, city, first_text, titles, utc  # noqa: F401


@pytest.mark.parametrize("question, title", [
    ("バスケの選手が来るイベント", "1日消防署長"),  # プロバスケットボールチーム holds バスケットボール
    ("じてんしゃの大会 ある？", "第21回サイクリング大会"),  # じてんしゃ: Sudachi reads じてん + しゃ
    ("免許はあるけど教えたことない 先生になる相談できるとこ", "ペーパーティーチャー相談会"),
    ("女の人が 自分で商売はじめる講座ある？", "わたしたちの月3万円ビジネス"),
    ("お店はじめたい人の勉強会 ある？", "創業"),  # 創業塾, or the 女性創業 course before it
])
def test_lay_words_find_the_events_the_file_words_its_own_way(session, city, question, title):
    """A resident's word (バスケ, じてんしゃ, 先生, 商売, お店をはじめる) finds the row that says it the file's way."""
    add_rows(session, events=[
        dict(title="1日消防署長", description="プロバスケットボールチームの選手に1日消防署長を委嘱します。",
             starts_at=utc(SAT)),
        dict(title="第21回サイクリング大会", starts_at=utc(SUN, 7)),
        dict(title="ペーパーティーチャー相談会", description="講師登録について", starts_at=utc(TUE)),
        dict(title="女性創業スタートアップ事業「わたしたちの月3万円ビジネス」", starts_at=utc(SAT, 10)),
        dict(title="創業塾", description="創業の心構え、資金調達の方法", starts_at=utc(TUE, 13))])
    found = titles(session, question)
    assert found and title in found[0], found


@pytest.mark.parametrize("question, name", [
    ("柔道とか剣道の練習できるとこ", "町武道館"),
    ("目の病気にご利益のあるお寺", "多田寺"),
    ("藩の殿様のお墓があるお寺", "空印寺"),
    ("いちばん古い建物の本堂があるお寺", "妙楽寺"),
])
def test_lay_words_find_the_place_the_file_words_its_own_way(session, city, question, name):
    """柔道 reaches the hall for martial arts; 目の病気 is 眼病, 殿様 藩主, 建物 建造物."""
    add_rows(session, facilities=[
        dict(name="町武道館"), dict(name="町総合体育館", description="バレーボール、バスケットボール"),
        dict(name="多田寺", description="本堂には眼病平癒の霊験あらたかな本尊薬師如来がお祀りされています。"),
        dict(name="萬徳寺", description="庭園が見事な寺です。"),
        dict(name="空印寺", description="小浜藩主、酒井家の菩提寺で歴代の墓がある寺。"),
        dict(name="発心寺", description="歌人の墓があります。"),
        dict(name="妙楽寺", description="若狭における最古の建造物である本堂は、寄棟造り檜皮葺です。"),
        dict(name="明通寺", description="国宝の本堂と三重塔があります。")])
    assert titles(session, question)[:1] == [name]


def test_a_martial_art_does_not_reach_another():
    """柔道 reaches 武道 (the hall); 武道 reaches every art; 柔道 does not reach 剣道."""
    from content.search.terms import expand
    assert "武道" in expand(["柔道"]) and "剣道" not in expand(["柔道"])
    assert {"柔道", "剣道"} <= set(expand(["武道"]))


@pytest.mark.parametrize("word, part", [
    ("プロバスケットボールチーム", "バスケットボール"),
    ("プロバスケットボールチーム", "チーム"),
])
def test_a_katakana_compound_the_dictionary_lacks_is_indexed_by_its_words(word, part):
    """Sudachi keeps an unknown katakana run whole; the words inside it are found as well."""
    assert part in terms_of(word)


def test_an_english_word_the_rows_write_in_latin_letters_ranks_them_first(session, city):
    """「Is there a Zumba class for beginners?」: no table has Zumba, but the row writes ZUMBA."""
    add_rows(session, events=[dict(title="はじめてのZUMBA", category="スポーツ", starts_at=utc(TUE, 10)),
                              dict(title="健康づくり講座「楽しく運動！」", category="講座", starts_at=utc(SAT, 10))])
    answer = answer_question(session, "Is there a Zumba class for beginners?", now=NOW, lang="en")
    assert [item["title"] for item in answer.items][:1] == ["はじめてのZUMBA"]


@pytest.mark.parametrize("question, wanted", [
    ("島の公園 船でどのくらい？", "船で8分"),
    ("供養塔 駅から近い？", "駅から車で2分"),
    ("お地蔵さまの像 いつごろ作られたもの？", "1350年"),
])
def test_a_question_about_the_one_place_found_answers_that_detail(session, city, question, wanted):
    """How far it is, or when it was made: said first, from the row's アクセス or description."""
    add_rows(session, facilities=[
        dict(name="島の公園", description="海を眺めながらのんびり過ごせます。\nアクセス: 渡船場から船で8分"),
        dict(name="飢民の供養塔", description="餓死者を弔うためのものです。\nアクセス: 駅から車で2分"),
        dict(name="木造地蔵菩薩坐像", description="蓮華寺に安置されています。像の中の銘文から、1350年につくられたことがわかります。")])
    text = first_text(session, question)
    assert wanted in text and "開館時間の情報はまだありません" not in text


def test_a_past_question_that_names_no_day_gets_what_is_coming(session, city):
    """「…ってあった？」 where nothing has happened yet: the coming event, said so, rather than nothing."""
    add_rows(session, events=[dict(title="1日消防署長", description="プロバスケットボールチームの選手が来ます。",
                                   starts_at=utc(SAT))])
    assert titles(session, "バスケの選手が来るイベントってあった？") == ["1日消防署長"]
    assert "これからの予定があります" in first_text(session, "バスケの選手が来るイベントってあった？")


def test_a_holiday_a_gift_is_for_is_the_topic_not_the_day(session, city):
    """「敬老の日にあげるもの 孫といっしょに作れる教室」: a class before the holiday, not nothing on the holiday."""
    add_rows(session, events=[dict(title="お花のフォトフレームつくり",
                                   description="敬老の日の思い出作りにおじいちゃんおばあちゃんと一緒に作りましょう。",
                                   starts_at=utc(SAT))])
    assert titles(session, "敬老の日にあげるもの 孫といっしょに作れる教室")[:1] == ["お花のフォトフレームつくり"]


def test_a_bracketed_note_on_some_months_is_shown_with_the_hours(session, city):
    """「9:00～17:00 (12月～2月は予約のみ)」 asked in winter: the note is said, not dropped."""
    add_rows(session, facilities=[dict(name="国分寺", hours_text="9:00～17:00　(12月～2月は予約のみ)\n＊不在時あり。")])
    assert "12月~2月は予約のみ" in first_text(session, "国分寺 冬でもおまいりできる？")


def test_events_for_the_month_asked_with_a_verb_no_row_writes(session):
    """「パパと子どもが集まって遊ぶやつ 2月ある？」: who it is for is the subject; 遊ぶ, written in no row, only
    ranks."""
    add_rows(session, events=[dict(title="パパとこどものひろば", description="パパとこどもが集まって交流します",
                                   audience="親子", audience_tags=["parents"], starts_at=utc(date(2027, 2, 13), 10))])
    assert titles(session, "パパと子どもが集まって遊ぶやつ 2月ある？") == ["パパとこどものひろば"]


def test_no_date_is_read_from_a_placeholder_year():
    """9999-12-31 (no deadline) is no date; a real date still is."""
    from content.importers.values import parse_date
    assert parse_date("9999-12-31") is None and parse_date("2026-10-17") == date(2026, 10, 17)


@pytest.mark.parametrize("question", ["古墳から出てきたもの 見られるとこある？", "埴輪とか古墳から出たもの 見れるところ"])
def test_what_came_out_of_a_tomb_is_what_the_file_calls_excavated(session, city, question):
    """「古墳から出てきたもの」 is 出土品: the mound whose finds are on show comes first, and the answer says where."""
    add_rows(session, facilities=[
        dict(name="国森古墳", description="台地の上にある方墳です。"),
        dict(name="天王原古墳", description="小円墳で、金環などが出土しています。出土品は郷土館に展示されています。")])
    assert titles(session, question)[:1] == ["天王原古墳"]
    assert "郷土館" in first_text(session, question)


@pytest.mark.parametrize("fee, free", [("入館無料", True), ("入館料 無料", True), ("見学無料（要予約）", True),
                                       ("拝観料:400円", False), ("入場自由", None)])
def test_a_fee_labelled_by_the_way_in_is_read(fee, free):
    """入館無料 is free like 入館料 無料; the label (入館, 拝観料) says nothing about the price."""
    from content.search.index import facility_is_free
    assert facility_is_free(fee) is free


@pytest.mark.parametrize("question, title", [
    ("写真立て 作れるイベント", "オリジナルフォトフレームを作ろう"),
    ("出会いのイベント 婚活みたいなの", "恋活フェス"),
    ("子どもが宝さがしできるイベント", "のたねの宝ものを探せ！"),
    ("寄席みたいに 噺家さんの話が聞けるとこない？", "甲山落語会"),
    ("ジムの無料体験 いつある？", "エニタイムフィットネス無料体験会"),
])
def test_more_lay_words_find_the_titles(session, city, question, title):
    """写真立て is a フォトフレーム, 婚活 a 恋活, 宝さがし a 宝もの探し, 噺家 落語, ジム フィットネス."""
    add_rows(session, events=[dict(title=t, starts_at=utc(SUN, 10 + n)) for n, t in enumerate(
        ["オリジナルフォトフレームを作ろう", "恋活フェス", "のたねの宝ものを探せ！", "甲山落語会",
         "エニタイムフィットネス無料体験会"])])
    assert titles(session, question)[:1] == [title]


def test_a_capacity_is_said_in_the_files_words(session, city):
    """「何人まで？」: 定員 「10名/回」 as the file wrote it, not a number rewritten."""
    add_rows(session, events=[dict(title="ランプシェードづくり", capacity=10, description="定員: 10名/回",
                                   starts_at=utc(SAT, 10))])
    assert "ランプシェードづくりの定員：10名/回" in first_text(session, "ランプシェードづくり 何人まで？")


@pytest.mark.parametrize("question, wanted", [
    ("勝林院 何時までいける？", "9時〜16時30分"),  # the file writes 9時～16時30分: so does the answer
    ("天翔の湯 夜は何時まで？", "14時〜24時"),
    ("ちもと 何時まで？", "11:30〜21:00"),  # a file writing 11:30 is answered 11:30
])
def test_hours_are_said_the_way_the_file_writes_them(session, city, question, wanted):
    add_rows(session, facilities=[dict(name="勝林院", hours_text="9時～16時30分", closed_text="無休"),
                                  dict(name="天翔の湯", hours_text="14時～24時", closed_text="火曜日"),
                                  dict(name="ちもと", hours_text="11:30～21:00", closed_text="水曜日")])
    assert wanted in first_text(session, question)


def test_a_second_season_written_right_after_the_first_clock_is_read():
    """「3月～11月 9時～17時12月～2月 9時～16時30分」: winter closes at 16:30."""
    from datetime import time
    from content.search.facility_hours import hours_on, parse_hours
    info = parse_hours("3月～11月 9時～17時12月～2月 9時～16時30分（受付は30分前まで）", "無休")
    assert hours_on(info, date(2027, 1, 15)).ranges == [(time(9), time(16, 30))]
    assert hours_on(info, date(2026, 6, 5)).ranges == [(time(9), time(17))]


@pytest.mark.parametrize("question, wanted", [
    ("外国人の くらしの困りごと 相談できるところ 電話番号は", "075-342-5000"),
    ("下鴨神社の森 朝は何時から入れる？", "6時"),
])
def test_the_one_place_an_events_question_finds_answers_what_was_asked(session, city, question, wanted):
    """A place found where an event was looked for still answers the phone or hours asked of it."""
    add_rows(session, facilities=[
        dict(name="京都府国際センター", phone="075-342-5000", description="外国人のための生活相談窓口があります。"),
        dict(name="糺ノ森", hours_text="6時～18時（季節により変動）", closed_text="無休",
             description="下鴨神社の境内に広がる原生林です。")])
    assert wanted in first_text(session, question)


@pytest.mark.parametrize("word, parts, not_parts", [
    ("プロギング", ["プロ"], ["銀"]),  # ギン inside the word is no 銀
    ("トカラヤギ", ["山羊"], []),  # the head noun at the end is
    ("エコポリスセンター", ["エコ", "センター"], []),
])
def test_katakana_compounds_are_split_into_loanwords_and_a_head_noun(word, parts, not_parts):
    terms = terms_of(word)
    assert all(p in terms for p in parts) and not any(p in terms for p in not_parts)


def test_a_piece_of_a_word_sudachi_normalises_only_ranks(session, city):
    """「駅前公園のゴミ拾い」: ゴミ拾い is 塵拾い to Sudachi; its piece ゴミ is not required beside it."""
    add_rows(session, events=[dict(title="第55回 掛川SANriseプロギング", place_name="駅前公園", starts_at=utc(SUN, 10))])
    assert titles(session, "今度の日曜の 駅前公園のゴミ拾い 何時から？") == ["第55回 掛川SANriseプロギング"]


def test_a_library_is_not_every_row_saying_book(session, city):
    """図書館 where there is none: nothing, not a temple whose text holds 本; 本 still reaches 図書館."""
    from content.search.terms import expand
    add_rows(session, facilities=[dict(name="念仏寺", description="本堂の前に約8,000体の石仏が並ぶ。本日も開門。")])
    assert "念仏寺" not in titles(session, "近くに 図書館 ある？")
    assert "図書館" in expand(["本"]) and "本" not in expand(["図書館"])


def test_the_shop_asked_for_is_said_closed_rather_than_a_weaker_match_open(session, city):
    """「お香のお店 きょう日曜やってる？」 on 薫玉堂's closed Sunday (お香 is read 香り alone, お香 in the row): that shop,
    closed, with its closed days as the file writes them."""
    add_rows(session, facilities=[
        dict(name="薫玉堂", hours_text="9時～17時30分", closed_text="第1・第3日曜日、年末年始",
             description="2階はお香・香炉・匂袋などを販売しています。"),
        dict(name="ちもと", hours_text="11:30～21:00", closed_text="水曜日", description="鴨川の床で京料理を楽しめるお店。")])
    sunday = datetime(2026, 8, 2, 10, 0, tzinfo=NOW.tzinfo)  # the first Sunday of August
    answer = answer_question(session, "お香のお店 きょう日曜やってる？", now=sunday, lang="ja")
    assert answer.items[0]["title"] == "薫玉堂"
    text = answer.messages[0]["text"]
    assert "休館日です" in text and "第1・第3日曜日、年末年始" in text


def test_asking_whether_to_apply_and_how_many_says_both(session, city):
    """「申し込みいる？ 何人まで？」: the description's 「申込不要」 sentence and the capacity, one per line."""
    add_rows(session, events=[dict(title="温泉文化世界サミット", capacity=300, starts_at=utc(SAT, 9),
                                   description="多くの方のご参加をお待ちしています（入場無料　申込不要　３００名）。")])
    text = first_text(session, "温泉文化世界サミット 申し込みいる？ 何人まで？")
    assert "温泉文化世界サミットの申込み：" in text and "申込不要" in text
    assert "温泉文化世界サミットの定員：300人" in text


def test_a_compound_no_row_writes_is_found_by_its_parts(session, city):
    """梨狩り, which no row writes: 梨 and 狩り (収穫) find 梨収穫体験."""
    add_rows(session, events=[dict(title="東郷果実部梨収穫体験", description="二十世紀梨を自分の手で収穫してみませんか",
                                   starts_at=utc(SUN, 9))])
    assert titles(session, "梨狩りできるとこある？")[:1] == ["東郷果実部梨収穫体験"]


def test_a_shrine_named_tenjingu_is_a_shrine(session, city):
    """「安産のお守りもらえる神社」: わら天神宮 is a 神社 though its name does not say so."""
    add_rows(session, facilities=[dict(name="わら天神宮", description="安産や子授けの御神徳で知られ、安産お守りを授ける。"),
                                  dict(name="今宮神社", description="玉の輿のお守りで知られる。")])
    assert titles(session, "安産のお守りもらえる神社")[:1] == ["わら天神宮"]


def test_downtown_is_no_town_to_filter_on(session):
    """「まちなかで 地元の野菜やおみやげ売ってる催し」: まちなか (町中) is downtown, not a town of an address."""
    add_rows(session, events=[dict(title="アクト通りふれあいデイ", description="【内容】地域農産物や特産品のPR販売など。",
                                   place_name="アクト通り", address="浜松市中央区板屋町", starts_at=utc(SUN, 9)),
                              dict(title="公民館まつり", address="みらい市町中1-1", starts_at=utc(SAT, 9))])
    assert titles(session, "まちなかで 地元の野菜やおみやげ売ってる催し")[:1] == ["アクト通りふれあいデイ"]


def test_zen_meditation_in_english_finds_zazen(session, city):
    add_rows(session, facilities=[dict(name="建仁寺", description="〈坐禅〉個人対象 毎月第2日曜日 7時30分開始")])
    answer = answer_question(session, "Where can I try Zen meditation at a temple?", now=NOW, lang="en")
    assert [item["title"] for item in answer.items][:1] == ["建仁寺"]


def test_a_bare_weekday_with_nothing_next_time_finds_a_later_one(session, city):
    """「日記文学を読む講座 月曜にあるって聞いた」: nothing next Monday, but a later Monday's course, said so."""
    add_rows(session, events=[dict(title="「更級日記」を読む", category="講座", description="更級日記を読みます。",
                                   starts_at=utc(date(2027, 2, 8), 13))])  # the Monday after next
    answer = answer_question(session, "日記を読む講座 月曜にあるって聞いた", now=NOW, lang="ja")
    assert [item["title"] for item in answer.items] == ["「更級日記」を読む"]
    assert "そのあとの月曜日にあります" in answer.messages[0]["text"]
    assert titles(session, "来週の月曜 日記を読む講座") == []  # 来週 names that Monday only


@pytest.mark.parametrize("question, title", [
    ("インドネシアのことば ならえる教室ある？", "語学講座 インドネシア語"),
    ("子ども預けて受けられる講座ってある？", "託児つき 女性カレッジ"),
    ("お花を生ける教室 いくら？", "いけばな教室"),
])
def test_lay_words_for_classes(session, city, question, title):
    add_rows(session, events=[dict(title="語学講座 インドネシア語", category="講座", starts_at=utc(TUE, 19)),
                              dict(title="インドネシアの楽器展", category="展示", starts_at=utc(SAT, 9)),
                              dict(title="託児つき 女性カレッジ", category="講座", description="託児あり（要予約）",
                                   starts_at=utc(SAT, 10)),
                              dict(title="いけばな教室", category="講座", fee="1500円", starts_at=utc(SUN, 13))])
    assert titles(session, question)[:1] == [title]


def test_what_was_asked_of_one_place_is_said_from_its_description(session, city):
    """「十輪寺で 声明をきく会 何時から」: the hours, and the description's sentence on the 声明 gathering."""
    add_rows(session, facilities=[dict(name="十輪寺", hours_text="9時～17時", closed_text="無休",
                                       description="業平ゆかりの寺。毎月第3日曜日の13時30分から声明を聞く会がある。")])
    text = first_text(session, "十輪寺で 声明をきく会 何時から")
    assert "13時30分から声明を聞く会" in text


def test_a_market_listed_as_a_place_answers_a_question_about_a_day(session, city):
    """「今度の日曜 骨董市ってある？」: 東寺骨董市 is in the list of places (毎月第1日曜日): that day's hours."""
    add_rows(session, facilities=[dict(name="京都東寺骨董市", hours_text="毎月第1日曜日7時～16時　雨天決行")])
    first_sunday = datetime(2027, 1, 28, 12, 0, tzinfo=NOW.tzinfo)  # 今度の日曜 = 2/7, February's first Sunday
    answer = answer_question(session, "今度の日曜 骨董市ってある？", now=first_sunday, lang="ja")
    assert answer.items[0]["title"] == "京都東寺骨董市" and "7時〜16時" in answer.messages[0]["text"]


def test_a_bare_weekday_with_a_time_of_day_finds_a_later_one_too(session, city):
    """「月曜の朝にやってるヨガ教室」: nothing next Monday morning, but a later Monday's morning class."""
    add_rows(session, events=[dict(title="ゆったりヨガ(月曜)", category="講座", starts_at=utc(date(2027, 2, 8), 9)),
                              dict(title="リラックスヨガ(月曜)", category="講座", starts_at=utc(date(2027, 2, 8), 19))])
    assert titles(session, "月曜の朝にやってるヨガ教室 ある？") == ["ゆったりヨガ(月曜)"]


def test_a_kana_word_meets_its_voiced_form_after_another_word(session):
    """「ほうき作り」 where the row writes 竹ぼうき: the first sound is voiced after 竹 (rendaku)."""
    add_rows(session, events=[dict(title="竹ぼうき作り体験", starts_at=utc(SAT, 10)),
                              dict(title="さつま芋の試し掘り", starts_at=utc(SAT, 9))])
    assert titles(session, "ほうき作り いつ？")[:1] == ["竹ぼうき作り体験"]


def test_english_speaking_is_the_language_a_service_is_given_in(session, city):
    """「taxi company with English-speaking drivers」: the company whose drivers speak 英語 (English-speaking read
    as 英会話, a class, found nothing)."""
    add_rows(session, facilities=[dict(name="都タクシー", description="英語・中国語の話せるドライバーによる外国語ドライバーサービス。"
                                                            "観光タクシーも運行しています。")])
    answer = answer_question(session, "Is there a taxi company with English-speaking drivers?", now=NOW, lang="en")
    assert [item["title"] for item in answer.items][:1] == ["都タクシー"]
