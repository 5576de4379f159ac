"""Answers: what the resident sees for a question, a tapped choice, a location; always within LINE's limits."""
from __future__ import annotations

import json

import pytest

from content.search.answers import (Answer, Request, answer_detail, answer_location, answer_question, answer_request,
                             parse_postback_data, request_from_postback, request_postback_data)
from content.line_limits import validate_messages
from content.search.index import clear_cache
from tests.search_support import NOW, seed_small_city


@pytest.fixture
def city(session):
    """The small city."""
    clear_cache()
    return seed_small_city(session)


def quick_replies(answer: Answer) -> list[dict]:
    """The quick-reply actions on the last message."""
    return [item["action"] for item in answer.messages[-1].get("quickReply", {}).get("items", [])]


def postback_of(answer: Answer, label: str) -> dict:
    """The parsed postback data of the quick reply with this label."""
    action = next(a for a in quick_replies(answer) if a["label"].startswith(label))
    return parse_postback_data(action["data"])


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
@pytest.mark.parametrize("question", [
    "今週末、子ども向けのイベントある？", "明日中央公民館で何かある？", "図書館は何時まで？", "ボランティアしたい",
    "ウォーキング", "テニス教室", "来週の土曜日のおはなし会",
])
def test_every_answer_is_valid_for_line_and_never_a_dead_end(session, city, question, lang):
    answer = answer_question(session, question, now=NOW, lang=lang)
    assert answer.understood and answer.messages
    validate_messages(answer.messages)
    assert quick_replies(answer), "the last message always offers a way on"


def test_items_are_listed_in_display_order_with_iso_times(session, city):
    answer = answer_question(session, "今週末、子ども向けのイベントある？", now=NOW, lang="ja")
    assert [i["title"] for i in answer.items] == ["子ども工作教室", "おはなし会"]
    first = answer.items[0]
    assert set(first) == {"kind", "id", "title", "starts_at", "place"}
    assert first["kind"] == "event" and first["starts_at"] == "2026-11-28T10:00:00+09:00" and first["place"] == "中央公民館"


def test_carousel_shows_what_the_items_list(session, city):
    answer = answer_question(session, "今週末、子ども向けのイベントある？", now=NOW, lang="ja")
    carousel = answer.messages[-1]["contents"]
    titles = [b["body"]["contents"][0]["text"] for b in carousel["contents"]]
    assert titles == [i["title"] for i in answer.items]
    assert "11月28日(土) 10:00〜12:00" in json.dumps(carousel, ensure_ascii=False)


@pytest.mark.parametrize("text", ["asdfgh", "😀"])
def test_noise_is_not_understood(session, city, text):
    assert answer_question(session, text, now=NOW, lang="ja").understood is False


@pytest.mark.parametrize("text", ["こんにちは", "ありがとう"])
def test_greetings_and_thanks_get_a_friendly_reply_not_a_search(session, city, text):
    # issue 12: 「こんにちは」「ありがとう」 got the "not understood" reply; now a short friendly one with the menu
    answer = answer_question(session, text, now=NOW, lang="ja")
    assert answer.understood and answer.items == [] and answer.messages[0]["quickReply"]["items"]


def test_facility_question_answers_todays_hours_first(session, city):
    answer = answer_question(session, "図書館は何時まで？", now=NOW, lang="ja")
    assert answer.items[0]["title"] == "中央図書館"
    assert "今日 9:00〜19:00" in answer.messages[0]["text"]
    assert "休館日：月曜日、第3木曜日、年末年始" in answer.messages[0]["text"]


def test_no_result_says_so_and_offers_relaxed_searches_that_find_something(session, city):
    answer = answer_question(session, "明日のおはなし会", now=NOW, lang="ja")
    assert answer.items == [] and "見つかりませんでした" in answer.messages[0]["text"]
    data = postback_of(answer, "ほかの日も見る")
    relaxed = answer_request(session, request_from_postback(data), now=NOW, lang="ja")
    assert [i["title"] for i in relaxed.items] == ["おはなし会"]


def test_no_result_for_a_word_nothing_contains_names_the_word(session, city):
    answer = answer_question(session, "テニス教室", now=NOW, lang="ja")
    assert answer.items == [] and "「テニス」" in answer.messages[0]["text"]
    labels = [a["label"] for a in quick_replies(answer)]
    assert "近くの施設" in labels


def test_next_ten_pages_through_all_results(session, city):
    first = answer_question(session, "ウォーキング", now=NOW, lang="ja")
    assert len(first.items) == 10
    seen = [i["id"] for i in first.items]
    page = first
    while any(a["label"] == "次の10件" for a in quick_replies(page)):
        data = postback_of(page, "次の10件")
        page = answer_request(session, request_from_postback(data), now=NOW, lang="ja")
        validate_messages(page.messages)
        seen += [i["id"] for i in page.items]
    assert len(seen) == 25 and len(set(seen)) == 25


def test_narrowing_to_tomorrow_keeps_the_question(session, city):
    answer = answer_question(session, "中央公民館のイベント", now=NOW, lang="ja")
    narrowed = answer_request(session, request_from_postback(postback_of(answer, "明日")), now=NOW, lang="ja")
    assert [i["title"] for i in narrowed.items] == ["囲碁将棋の会", "ヨガ教室"]


@pytest.mark.parametrize("text", ["今週末のイベント", "あ" * 500, "a&b=c+d%e f", "図書館" * 100])
def test_postback_data_fits_in_300_characters_and_round_trips(text):
    data = request_postback_data(Request(text=text, offset=20, when="今週末", audience="子ども向け", relax="dp"))
    assert len(data) <= 300
    back = request_from_postback(parse_postback_data(data))
    assert (back.offset, back.when, back.audience, back.relax) == (20, "今週末", "子ども向け", "dp")
    assert text.startswith(back.text) and back.text


def test_location_lists_nearest_facilities_and_events_with_distances(session, city):
    answer = answer_location(session, 35.6801, 139.7601, now=NOW, lang="ja")
    validate_messages(answer.messages)
    facilities = [i for i in answer.items if i["kind"] == "facility"]
    assert facilities[0]["title"] == "中央公民館"
    assert "約" in json.dumps(answer.messages[-1], ensure_ascii=False)


def test_location_far_from_everything_still_offers_choices(session, city):
    answer = answer_location(session, 26.2, 127.7, now=NOW, lang="en")
    assert answer.items == [] and quick_replies(answer)
    validate_messages(answer.messages)


def test_detail_shows_the_whole_item(session, city):
    event = city["子ども工作教室"]
    answer = answer_detail(session, "e", str(event.id), now=NOW, lang="ja")
    validate_messages(answer.messages)
    flat = json.dumps(answer.messages, ensure_ascii=False)
    assert "牛乳パック" in flat and "小学生とその保護者" in flat


@pytest.mark.parametrize("kind, item_id", [("e", "999999"), ("x", "1"), ("e", "abc")])
def test_detail_of_a_missing_item_apologises_with_choices(session, city, kind, item_id):
    answer = answer_detail(session, kind, item_id, now=NOW, lang="ja")
    assert answer.items == [] and quick_replies(answer)


def test_detail_of_a_pending_item_is_not_shown(session, city):
    pending = city["審査中の音楽会"]
    assert answer_detail(session, "e", str(pending.id), now=NOW, lang="ja").items == []


def test_english_answer_keeps_titles_as_published(session, city):
    answer = answer_question(session, "今週末、子ども向けのイベントある？", now=NOW, lang="en")
    flat = json.dumps(answer.messages, ensure_ascii=False)
    assert "子ども工作教室" in flat and "Details" in flat and "Sat, Nov 28 10:00–12:00" in flat


def test_nearby_without_a_known_location_asks_for_one(session, city):
    answer = answer_question(session, "近くで何かある？", now=NOW, lang="ja")
    assert answer.understood and answer.items == []
    assert any(a["type"] == "location" for a in quick_replies(answer))


def test_nearby_with_a_known_location_puts_the_nearest_first(session, city):
    from models import Resident

    resident = Resident(line_user_id="U" + "3" * 32, last_location_lat=35.7001, last_location_lon=139.8001)
    answer = answer_question(session, "近くのイベント", now=NOW, lang="ja", resident=resident)
    assert answer.items[0]["place"] == "東地区交流センター"


def test_is_a_facility_open_on_another_day(session, city):
    answer = answer_question(session, "中央図書館って月曜日あいてる？", now=NOW, lang="ja")
    assert answer.items[0]["title"] == "中央図書館"
    assert "11月30日(月)は休館日です" in answer.messages[0]["text"]


def test_facility_named_without_an_event_there_shows_the_facility(session, city):
    answer = answer_question(session, "市民体育館ある？", now=NOW, lang="ja")
    assert [i["title"] for i in answer.items] == ["市民体育館"]


def test_fee_question_without_published_fee_says_so(session, city):
    answer = answer_question(session, "中央図書館の利用料はいくら？", now=NOW, lang="ja")
    assert "料金の情報は公開されていません。" in answer.messages[0]["text"]


def _add_museum(session, name, fee):
    """A facility with a published fee."""
    from models import Facility
    session.add(Facility(source="test", source_key=f"m-{name}", name=name, category="資料館",
                         hours_text="9:00～17:00", closed_text="月曜日", fee=fee))
    session.commit()


def test_fee_question_answers_with_the_published_fee_first(session, city):
    _add_museum(session, "郷土資料館", "200円（高校生以上200円、中学生以下100円）")
    answer = answer_question(session, "郷土資料館の入館料はいくら？", now=NOW, lang="ja")
    lines = answer.messages[0]["text"].splitlines()
    assert lines[:2] == ["郷土資料館", "料金：200円（高校生以上200円、中学生以下100円）"]


@pytest.mark.parametrize("question", ["無料で見られる観光地", "無料で見られる名所"])
def test_free_question_with_no_free_event_lists_free_facilities(session, city, question):
    _add_museum(session, "白壁の町並み", "無料")
    _add_museum(session, "郷土資料館", "300円")
    answer = answer_question(session, question, now=NOW, lang="ja")
    titles = [i["title"] for i in answer.items]
    assert "白壁の町並み" in titles and "郷土資料館" not in titles


def test_english_summary_names_the_whole_asked_window(session, city):
    answer = answer_question(session, "What's on this weekend?", now=NOW, lang="en")
    assert answer.messages[0]["text"].startswith("Sat, Nov 28 – Sun, Nov 29")


@pytest.mark.parametrize("contact, lead", [
    ("鷺宮すこやか福祉センター (03)3336-7111", "ヨガ教室のお問い合わせ先：鷺宮すこやか福祉センター (03)3336-7111"),
    (None, "お問い合わせ先の情報は公開されていません。"),
])
def test_event_phone_question_says_the_published_contact_first(session, city, contact, lead):
    """「ヨガ教室の申込みの電話番号」: the contact the row publishes, before the list (or that none is published)."""
    from models import Event
    from sqlmodel import select
    yoga = session.exec(select(Event).where(Event.title == "ヨガ教室")).one()
    yoga.contact = contact
    session.add(yoga)
    session.commit()
    answer = answer_question(session, "ヨガ教室の申込みの電話番号おしえて", now=NOW, lang="ja")
    assert answer.messages[0]["text"].startswith(lead)


@pytest.mark.parametrize("question, time_note, description, lead", [
    ("ヨガ教室は何時から？", "10:15受付開始", None, "ヨガ教室："),
    ("ヨガ教室は何時から？", "10:15受付開始", None, "（10:15受付開始）"),  # the file's own note on times
    ("ヨガ教室 雨ふったらどうなるの？", None, "屋外で行います。雨天中止。", "ヨガ教室：雨天中止"),
    ("ヨガ教室 雨の日もやる？", None, "屋外で行います。", "雨の日の情報は公開されていません。"),
    ("ヨガ教室 なに持ってけばいい？", None, "備考: 持ち物:ヨガマット、タオル。定員:12人", "ヨガ教室：備考: 持ち物:ヨガマット、タオル"),
    ("ヨガ教室の持ち物は？", None, "初心者向けです。", "持ち物の情報は公開されていません。"),
])
def test_event_time_rain_or_bring_question_says_that_detail_first(session, city, question, time_note, description, lead):
    """「…は何時から？」 gives the best match's time with its time note; 「雨ふったら」 what it says about rain;
    「なに持ってけば」 what to bring."""
    from models import Event
    from sqlmodel import select
    yoga = session.exec(select(Event).where(Event.title == "ヨガ教室")).one()
    yoga.time_note, yoga.description = time_note, description or yoga.description
    session.add(yoga)
    session.commit()
    text = answer_question(session, question, now=NOW, lang="ja").messages[0]["text"]
    assert lead in text.split("\n")[0]


def test_event_fee_question_says_the_fee_first(session, city):
    answer = answer_question(session, "ヨガ教室の参加費はいくら？", now=NOW, lang="ja")
    assert answer.messages[0]["text"].startswith("ヨガ教室の料金：500円")


def test_fee_alone_lists_the_facilities_that_publish_a_fee(session, city):
    _add_museum(session, "白壁の町並み", "無料")
    _add_museum(session, "郷土資料館", "300円")
    answer = answer_question(session, "料金", now=NOW, lang="ja")
    assert answer.understood and [i["title"] for i in answer.items] == ["白壁の町並み", "郷土資料館"]


def test_english_fee_question_answers_with_the_fee(session, city):
    _add_museum(session, "郷土資料館", "300円")
    answer = answer_question(session, "How much is the admission fee for the museum?", now=NOW, lang="en")
    assert answer.messages[0]["text"].splitlines()[:2] == ["郷土資料館", "Fee: 300円"]


def test_a_kind_of_place_the_city_names_otherwise_is_answered_under_its_name(session):
    from models import Facility
    clear_cache()
    for i, name in enumerate(("港地域交流センター", "和田地域交流センター", "焼津図書館")):
        session.add(Facility(source="test", source_key=f"f{i}", name=name, address=f"焼津市{i}-1",
                             hours_text="9:00～21:30", closed_text="月曜日"))
    session.commit()
    answer = answer_question(session, "公民館はどこ？", now=NOW, lang="ja")
    assert answer.messages[0]["text"].startswith("「公民館」はありませんが、「交流センター」があります。")
    assert {i["title"] for i in answer.items} == {"港地域交流センター", "和田地域交流センター"}


def test_money_words_only_ask_about_fees(session, city):
    answer = answer_question(session, "お金がかからないイベント", now=NOW, lang="ja")
    titles = [i["title"] for i in answer.items]
    assert "子ども工作教室" in titles and "ヨガ教室" not in titles


def test_a_facility_closed_today_says_when_it_next_opens(session, city):
    """「今日やってる？」 on its closed days: the next day it opens, after the Monday and Tuesday it is shut."""
    from models import Facility
    session.add(Facility(source="test", source_key="jomon", name="縄文資料館", hours_text="9:00～17:00",
                         closed_text="月曜日、火曜日"))
    session.commit()
    monday = NOW.replace(day=30)  # 2026-11-30 is a Monday
    text = answer_question(session, "縄文資料館 今日やってる？", now=monday, lang="ja").messages[0]["text"]
    assert "次に開いている日：12月2日(水)" in text


@pytest.mark.parametrize("description, lead", [
    ("・内容　伝統工芸の指導\n・費用　年額３万円（材料費別）", "ヨガ教室の料金：費用　年額３万円（材料費別）"),
    ("初心者向けです。", "料金の情報は公開されていません。"),
])
def test_event_fee_question_reads_the_description_when_no_fee_is_filed(session, city, description, lead):
    from models import Event
    from sqlmodel import select
    yoga = session.exec(select(Event).where(Event.title == "ヨガ教室")).one()
    yoga.fee, yoga.is_free, yoga.description = None, None, description
    session.add(yoga)
    session.commit()
    assert answer_question(session, "ヨガ教室 いくらかかる？", now=NOW, lang="ja").messages[0]["text"].startswith(lead)


def _add_events(session, *rows) -> None:
    """Extra event rows beside the small city's, indexed again."""
    from datetime import timedelta
    from models import Event
    for n, data in enumerate(rows):
        starts = data.pop("starts_at")
        session.add(Event(source="test", source_key=f"extra{n}", starts_at=starts,
                          ends_at=data.pop("ends_at", starts + timedelta(hours=2)), **data))
    session.commit()
    clear_cache()


def test_a_fee_question_takes_the_fee_from_another_row_of_the_same_event(session, city):
    """墨田区 files 少年サッカー大会 once with its dates (no fee) and again per day with the fee: the fee is said."""
    from datetime import datetime as dt
    _add_events(session, dict(title="少年サッカー大会", starts_at=dt(2026, 12, 6, 0), all_day=False),
                dict(title="少年サッカー大会", starts_at=dt(2026, 12, 13, 0), fee="4,000円/チーム"))
    text = answer_question(session, "子どものサッカー大会 参加費いくら", now=NOW, lang="ja").messages[0]["text"]
    assert text.startswith("少年サッカー大会の料金：4,000円/チーム")


@pytest.mark.parametrize("apply_method, deadline, lead", [
    ("お申込みは、各開催日の4日前まで受付", None, "がん相談会の申込み期限：お申込みは、各開催日の4日前まで受付"),
    ("電話で", (2026, 12, 10, 15, 0), "がん相談会の申込み期限：12月10日(木)"),  # a day alone is kept as its next midnight
    (None, None, "申込みの期限は公開されていません。"),
])
def test_a_deadline_question_says_the_last_day_to_apply(session, city, apply_method, deadline, lead):
    from datetime import datetime as dt
    _add_events(session, dict(title="がん相談会", starts_at=dt(2026, 12, 19, 4), apply_method=apply_method,
                              signup_deadline=dt(*deadline) if deadline else None))
    text = answer_question(session, "がん相談会 申込みいつまで？", now=NOW, lang="ja").messages[0]["text"]
    assert text.startswith(lead)


def test_a_two_day_festival_asked_on_its_second_day_starts_that_day(session, city):
    """「あさって」 on the second day of a 10/2–10/3 festival: the item is that day, at the festival's own hour."""
    from datetime import datetime as dt
    _add_events(session, dict(title="音楽フェス", starts_at=dt(2026, 12, 4, 2), ends_at=dt(2026, 12, 5, 11)))
    answer = answer_question(session, "あさって なんかイベントある？", now=NOW.replace(month=12, day=3), lang="ja")
    fest = next(i for i in answer.items if i["title"] == "音楽フェス")
    assert fest["starts_at"] == "2026-12-05T11:00:00+09:00"


@pytest.mark.parametrize("capacity, description, lead", [
    (45, None, "親子エアロの定員：45人"),
    (None, "先着20組（申込順）", "親子エアロ：先着20組（申込順）"),
    (None, None, "定員の情報は公開されていません。"),
])
def test_a_capacity_question_says_how_many_can_come(session, city, capacity, description, lead):
    from datetime import datetime as dt
    _add_events(session, dict(title="親子エアロ", starts_at=dt(2026, 12, 5, 1), capacity=capacity,
                              description=description))
    text = answer_question(session, "親子エアロ 定員なんにん？", now=NOW, lang="ja").messages[0]["text"]
    assert text.startswith(lead)


def test_a_materials_fee_question_is_a_fee_question(session, city):
    """「みそを手作りする教室 材料費いくら？」: 材料費 asks the fee; 手作り only ranks."""
    from datetime import datetime as dt
    _add_events(session, dict(title="手前味噌づくりにチャレンジ", starts_at=dt(2026, 12, 5, 1), fee="3000円（材料費）"))
    text = answer_question(session, "みそを手作りする教室 材料費いくら？", now=NOW, lang="ja").messages[0]["text"]
    assert text.startswith("手前味噌づくりにチャレンジの料金：3000円（材料費）")
