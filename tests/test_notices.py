"""Notices: the card residents get, when it is sent (now, at a time, repeating), the list in the chat, closures."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from bot.messenger import RecordingMessenger
from content import notices, posts
from content.closures import closure_line
from content.deliveries import delivery_report
from content.segments import parse_segment
from jobs.delivery import DeliverySettings, send_due_deliveries
from models import Delivery, Facility, Notice, Organization, Resident, session_scope
from tests.conftest import assert_conform_to_line_schema
from tests.delivery_support import add_residents, user_id, utc
from tests.residents_support import NOW, Resident_, add_districts, check


def notice(**fields) -> Notice:
    """An unsaved notice."""
    values = {"title": "断水のお知らせ", "body": "12日9時から正午まで断水します。", "status": "approved"}
    values.update(fields)
    return Notice(**values)


# --- the card ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, fields, title, stop_label", [
    ("ja", {}, "断水のお知らせ", "お知らせを止める"),
    ("en", {}, "断水のお知らせ", "お知らせを止める"),  # no translation: the Japanese card, whole
    ("en", {"title_en": "Water outage", "body_en": "No water on the 12th."}, "Water outage", "Turn notices off"),
    ("ja-easy", {"title_easy": "みずが でません", "body_easy": "12にち"}, "みずが でません", None),
])
def test_a_notice_card_is_in_the_residents_language_where_translated(lang, fields, title, stop_label):
    message = notices.notice_message(notice(**fields), lang, "北野自治会")
    check([message])
    assert_conform_to_line_schema([message])
    bubble = json.dumps(message["contents"], ensure_ascii=False)
    assert title in bubble and "北野自治会" in bubble
    assert title in message["altText"] and "北野自治会" in message["altText"]
    stop = message["quickReply"]["items"][0]["action"]
    assert stop["type"] == "postback" and "action=set_notify" in stop["data"] and "on=0" in stop["data"]
    if stop_label:
        assert stop["label"] == stop_label


def test_the_card_carries_the_link_and_only_an_https_image():
    with_link = notices.notice_message(notice(url="https://city.example.jp/suido", image_url="https://city.example.jp/a.jpg"),
                                       "ja")
    assert with_link["contents"]["footer"]["contents"][0]["action"]["uri"] == "https://city.example.jp/suido"
    assert with_link["contents"]["hero"]["url"] == "https://city.example.jp/a.jpg"
    plain = notices.notice_message(notice(image_url="http://127.0.0.1:8000/admin/uploads/x.jpg"), "ja")
    assert "hero" not in plain["contents"] and "footer" not in plain["contents"]


def test_an_urgent_closure_says_which_facility_and_days():
    card = notices.notice_message(notice(category="closure", closed_from=date(2026, 12, 9), closed_until=date(2026, 12, 10),
                                         title="臨時休館のお知らせ"), "ja", "市役所", "北野地区交流センター")
    text = json.dumps(card, ensure_ascii=False)
    assert "臨時休館" in text and "北野地区交流センター：12月9日(水)〜12月10日(木)" in text


def test_languages_without_a_translation_share_the_japanese_messages(session):
    row = notice(title_en="Water outage")
    session.add(row)
    session.flush()
    by_lang = notices.messages_by_language(session, row)
    assert sorted(by_lang) == ["en", "ja"]


# --- when -------------------------------------------------------------------------------------------------

def at(local: str) -> datetime:
    """A Tokyo wall-clock time as naive UTC."""
    return posts.to_utc(datetime.fromisoformat(local))


@pytest.mark.parametrize("recurrence, after, expected", [
    ({"freq": "weekly", "weekdays": [0, 3]}, "2026-12-01T00:00", ["2026-12-03T09:00", "2026-12-07T09:00", "2026-12-10T09:00"]),
    ({"freq": "monthly_days", "days": [1, 15]}, "2026-12-01T10:00", ["2026-12-15T09:00", "2027-01-01T09:00", "2027-01-15T09:00"]),
    ({"freq": "monthly_nth", "weekdays": [5], "nths": [2]}, "2026-12-01T00:00",
     ["2026-12-12T09:00", "2027-01-09T09:00", "2027-02-13T09:00"]),  # 第2土曜日
    ({"freq": "monthly_nth", "weekdays": [2], "nths": [5]}, "2026-12-01T00:00",
     ["2026-12-30T09:00", "2027-01-27T09:00", "2027-02-24T09:00"]),  # 最終水曜日
    ({"freq": "weekly", "weekdays": [0], "except": ["2026-12-07"]}, "2026-12-01T00:00",
     ["2026-12-14T09:00", "2026-12-21T09:00", "2026-12-28T09:00"]),  # a date left out
    ({"freq": "weekly", "weekdays": [0], "until": "2026-12-14"}, "2026-12-01T00:00", ["2026-12-07T09:00", "2026-12-14T09:00"]),
])
def test_repeating_notices_follow_their_rule_in_city_time(recurrence, after, expected):
    row = notice(send_at=at("2026-12-01T09:00"), recurrence=recurrence)
    times = notices.next_send_times(row, at(after), limit=3)
    assert times == [at(value) for value in expected]


@pytest.fixture
def staff_and_org(session):
    """A staff member and an organization's member (plain objects, as the console passes them)."""
    from content.accounts import add_user

    staff, _ = add_user(session, "staff@city.example.jp", "staff", password="correct horse battery")
    org_user, _ = add_user(session, "kitano@example.jp", "org", org_name="北野自治会", password="correct horse battery")
    session.flush()
    return staff, org_user


def post_notice(session, author, **values):
    """An organization's notice, created and submitted as through the console."""
    form = {"title": "防災訓練のお知らせ", "body": "14日9時から北野小学校で。", "districts": ["北野地区"]}
    form.update(values)
    row = posts.create_post(session, author, "notices", form)
    posts.submit(session, author, "notices", row)
    return row


def test_approving_a_notice_queues_it_now_for_its_segment(session, staff_and_org):
    staff, org_user = staff_and_org
    add_districts(session, ["北野地区", "中央地区"])
    row = post_notice(session, org_user, languages=["en"])
    assert row.segment == {"district": ["北野地区"], "lang": ["en"]}
    posts.approve(session, staff, "notices", row)
    delivery = session.exec(select(Delivery)).one()
    assert (delivery.kind, delivery.ref_id, delivery.segment) == ("notice", row.id, {"district": ["北野地区"], "lang": ["en"]})
    assert delivery.scheduled_for <= datetime.utcnow() + timedelta(seconds=1)
    assert "北野自治会" in json.dumps(delivery.messages, ensure_ascii=False)


def test_a_notice_with_a_time_waits_for_it_and_withdrawing_cancels_it(session, staff_and_org):
    staff, org_user = staff_and_org
    later = (datetime.now() + timedelta(days=2)).replace(microsecond=0)
    row = post_notice(session, org_user, send_at=later)
    posts.approve(session, staff, "notices", row)
    delivery = session.exec(select(Delivery)).one()
    assert delivery.scheduled_for == posts.to_utc(later)
    posts.withdraw(session, org_user, "notices", row)
    assert session.get(Delivery, delivery.id).state == "cancelled"


def test_editing_an_approved_notice_queues_the_new_text(session, staff_and_org):
    staff, org_user = staff_and_org
    later = (datetime.now() + timedelta(days=2)).replace(microsecond=0)
    row = post_notice(session, org_user, send_at=later)
    posts.approve(session, staff, "notices", row)
    values = posts.form_values(session, "notices", row)
    posts.update_post(session, staff, "notices", row, {**values, "title": "防災訓練（会場変更）"})
    states = [(d.state, "会場変更" in json.dumps(d.messages, ensure_ascii=False))
              for d in session.exec(select(Delivery).order_by(Delivery.id))]
    assert states == [("cancelled", False), ("queued", True)]


def test_a_repeating_notice_queues_one_occurrence_ahead_each_time(session, staff_and_org):
    staff, org_user = staff_and_org
    first = (datetime.now() + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    row = post_notice(session, org_user, send_at=first, repeat="weekly", weekdays=[first.weekday()])
    posts.approve(session, staff, "notices", row)
    assert notices.repeating_notices_due(session, datetime.utcnow()) == []  # the first one is still queued
    queued = session.exec(select(Delivery)).one()
    queued.state = "done"
    session.add(queued)
    session.flush()
    [following] = notices.repeating_notices_due(session, datetime.utcnow())
    assert following.scheduled_for == posts.to_utc(first + timedelta(days=7))


@pytest.mark.parametrize("values, field", [
    ({"repeat": "weekly"}, "send_at"),
    ({"repeat": "weekly", "send_at": datetime(2030, 1, 1, 9)}, "weekdays"),
    ({"repeat": "monthly_days", "send_at": datetime(2030, 1, 1, 9), "month_days": "1,40"}, "month_days"),
    ({"repeat": "monthly_nth", "send_at": datetime(2030, 1, 1, 9), "weekdays": [5]}, "nths"),
    ({"repeat": "weekly", "send_at": datetime(2030, 1, 1, 9), "weekdays": [1], "skip_dates": "12/29"}, "skip_dates"),
    ({"category": "closure"}, "facility_id"),
    ({"category": "closure", "facility_id": 1}, "closed_from"),
    ({"body_en": "English only"}, "title_en"),
])
def test_a_notice_form_explains_what_is_missing(values, field):
    errors = posts.check("notices", {"title": "お知らせ", "body": "本文", **values})
    assert field in errors


# --- delivered, and looked back on --------------------------------------------------------------------------

def test_a_sent_notice_reaches_its_segment_and_the_report_says_so(engine):
    add_residents(engine, 3, district=lambda n: ("北野地区", "中央地区", "北野地区")[n])
    with session_scope(engine) as session:
        row, delivery = notices.send_staff_notice(session, title="断水", body="12日は断水します",
                                                  segment=parse_segment(["district=北野地区"]))
        delivery_id = delivery.id
    messenger = RecordingMessenger()
    send_due_deliveries(engine, messenger, DeliverySettings(quiet=None), budget=5)
    assert sorted(messenger.sent[0]["to"]) == [user_id(0), user_id(2)]
    with session_scope(engine) as session:
        report = delivery_report(session, delivery_id)
    assert (report["state"], report["notice"], report["sent"], report["requests"]) == ("done", row.id, 2, 1)


def test_a_staff_notice_in_quiet_hours_is_queued_for_the_morning_unless_urgent(session):
    from content.quiet_hours import parse_quiet_hours

    night = utc(2026, 12, 1, 13, 0)  # 22:00 in Tokyo
    quiet = parse_quiet_hours("21:00-08:00")
    _, later = notices.send_staff_notice(session, title="お知らせ", body="本文", segment=parse_segment([]), now=night,
                                         quiet=quiet)
    _, urgent = notices.send_staff_notice(session, title="避難指示", body="本文", segment=parse_segment([]), now=night,
                                          quiet=quiet, urgent=True)
    assert later.scheduled_for == utc(2026, 12, 1, 23, 0) and urgent.scheduled_for == night


def sent_notice(session, title: str, days_ago: int, **fields) -> Notice:
    """A notice whose delivery started `days_ago` days before NOW."""
    row = notice(title=title, **fields)
    session.add(row)
    session.flush()
    started = NOW.replace(tzinfo=None) - timedelta(hours=9, days=days_ago)
    session.add(Delivery(kind="notice", ref_id=row.id, messages={"ja": []}, state="done", started_at=started))
    session.flush()
    return row


def test_typing_oshirase_lists_the_last_30_days_of_notices_meant_for_me_newest_first(session):
    add_districts(session, ["北野地区", "中央地区"])
    me = Resident_(session)
    me.follow()
    for label in ("日本語", "北野地区", "決定", "答えない"):
        me.tap(label)
    sent_notice(session, "古いお知らせ", 40)
    sent_notice(session, "北野の清掃", 10, segment={"district": ["北野地区"]})
    sent_notice(session, "中央の祭り", 5, segment={"district": ["中央地区"]})
    sent_notice(session, "全員への断水", 2)
    reply = check(me.say("お知らせ"))
    text = json.dumps(reply, ensure_ascii=False)
    assert "見つかりませんでした" not in text and "2件" in reply[0]["text"]
    titles = [b["body"]["contents"][0]["text"] for b in reply[1]["contents"]["contents"]]
    assert titles == ["全員への断水", "北野の清掃"]


def test_no_notices_is_said_plainly_with_the_menu(session):
    me = Resident_(session)
    me.follow()
    reply = check(me.say("お知らせ"))
    assert "お知らせはありません" in reply[-1]["text"] and reply[-1]["quickReply"]["items"]


# --- closures -------------------------------------------------------------------------------------------------

def test_a_facility_closed_by_an_approved_notice_answers_closed_on_those_dates(session):
    from content.search.answers import answer_question
    from zoneinfo import ZoneInfo

    center = Facility(source="test", source_key="kitano", name="北野地区交流センター", district="北野地区",
                      hours_text="9:00～21:00", closed_text="毎週月曜日")
    session.add(center)
    session.flush()
    session.add(notice(title="臨時休館", category="closure", facility_id=center.id, closed_from=date(2026, 12, 9),
                       closed_until=date(2026, 12, 9), urgent=True))
    session.flush()
    now = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    closed = answer_question(session, "北野地区交流センターは12月9日開いてる？", now=now, lang="ja")
    text = json.dumps(closed.messages, ensure_ascii=False)
    assert "臨時休館" in text and "9:00〜21:00" not in closed.messages[0]["text"]
    open_day = answer_question(session, "北野地区交流センターは12月10日開いてる？", now=now, lang="ja")
    assert "臨時休館" not in json.dumps(open_day.messages, ensure_ascii=False)
    assert closure_line(center, date(2026, 12, 9), "en", today=date(2026, 12, 1)) == \
        "Closed on Wed, Dec 9 (temporary closure)"
    assert closure_line(center, date(2026, 12, 9), "ja", today=date(2026, 12, 9)) == "今日は臨時休館です"
