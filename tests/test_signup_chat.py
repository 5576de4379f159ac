"""Sign-ups in the chat, through the handlers as the dispatcher runs them: 参加する, 参加予定, キャンセルする."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from content.search.cards import event_bubble, opportunity_bubble
from tests.residents_support import Resident_, check, postback_event
from tests.signup_support import add_event, add_opening, flex_actions, flex_button, user_id


@pytest.fixture(autouse=True)
def cards_see_the_tests_now(monkeypatch):
    """Cards decide open/closed on the clock; here the clock is the tests' NOW."""
    from models import as_naive_utc
    from tests.residents_support import NOW

    monkeypatch.setattr("content.signups.card_parts.utcnow", lambda: as_naive_utc(NOW))
    monkeypatch.setattr("content.signups.messages._now", lambda: as_naive_utc(NOW))


def resident(session, n: int) -> Resident_:
    """A resident who has followed the account."""
    you = Resident_(session, user=user_id(n))
    you.follow()
    return you


def tap_button(you: Resident_, action: dict) -> list[dict]:
    """Tap a card button (a postback)."""
    return you.send(postback_event(action["data"], you.user))


def test_card_of_an_item_taking_signups_has_sanka_suru_first(session):
    event = add_event(session)
    bubble = event_bubble(event, "ja")
    labels = [a["label"] for a in flex_actions([{"type": "flex", "contents": bubble}])]
    assert labels[0] == "参加する"
    assert "LINEで受付中" in json.dumps(bubble, ensure_ascii=False)


def test_card_of_a_plain_item_shows_how_to_apply_and_a_call_button_never_sanka_suru(session):
    event = add_event(session, chat=False, apply_method="電話で中央公民館（0480-21-2020）へ",
                      contact="中央公民館 0480-21-2020")
    card = [{"type": "flex", "contents": event_bubble(event, "ja")}]
    detail = [{"type": "flex", "contents": event_bubble(event, "ja", detailed=True)}]
    assert "参加する" not in [a["label"] for a in flex_actions(card + detail)]
    assert "申込方法" in json.dumps(card, ensure_ascii=False)
    call = flex_button(detail, "電話で申し込む")
    assert call["uri"] == "tel:0480212020"


def test_closed_item_card_says_so_without_the_button(session):
    from models import as_naive_utc
    from tests.residents_support import NOW

    opening = add_opening(session, deadline=as_naive_utc(NOW) - timedelta(hours=1), starts_at=None)
    bubble = opportunity_bubble(opening, "ja")
    assert "参加する" not in json.dumps(bubble, ensure_ascii=False)
    assert "受付は終了しました" in json.dumps(bubble, ensure_ascii=False)


def test_two_places_three_residents_then_a_cancellation_from_sanka_yotei(session, monkeypatch):
    pushes = []
    monkeypatch.setattr("content.signups.pushes.queue_promotion_pushes",
                        lambda session, item, promoted, now: pushes.extend(promoted))
    event = add_event(session, capacity=2)
    card = [{"type": "flex", "contents": event_bubble(event, "ja")}]
    join = flex_button(card, "参加する")
    first, second, third = resident(session, 1), resident(session, 2), resident(session, 3)
    assert "参加で受け付けました" in tap_button(first, join)[0]["text"]
    tap_button(second, join)
    reply = tap_button(third, join)[0]["text"]
    assert "キャンセル待ち" in reply and "1番目" in reply
    again = tap_button(second, join)[0]["text"]
    assert "すでに参加で受け付けています" in again

    listing = first.say("参加予定")
    cancel = flex_button(listing, "キャンセルする")
    assert "キャンセルしました" in tap_button(first, cancel)[0]["text"]
    assert [p.resident_id for p in pushes] == [third.row.id]
    assert "参加予定はありません" in first.say("参加予定")[0]["text"]
    assert "参加" in json.dumps(third.say("参加予定"), ensure_ascii=False)


@pytest.mark.parametrize("typed", ["参加予定", "予約したイベントを見たい", "申し込んだイベント", "リマインドして"])
def test_words_about_ones_signups_list_them_instead_of_searching(session, typed):
    event = add_event(session, title="親子で陶芸")
    you = resident(session, 1)
    tap_button(you, flex_button([{"type": "flex", "contents": event_bubble(event, "ja")}], "参加する"))
    reply = you.say(typed)
    assert "親子で陶芸" in json.dumps(reply, ensure_ascii=False)
    assert "件見つかりました" not in reply[0]["text"]
    assert any(a["label"] == "キャンセルする" for a in flex_actions(reply))


def test_moushikomitai_offers_the_items_taking_signups(session):
    add_event(session, title="そば打ち体験")
    add_event(session, title="ただの講演会", chat=False)
    reply = resident(session, 1).say("申し込みたい")
    text = json.dumps(reply, ensure_ascii=False)
    assert "そば打ち体験" in text and "ただの講演会" not in text
    assert flex_button(reply, "参加する")


def test_past_the_deadline_the_button_answers_politely_with_similar_items(session):
    closed = add_event(session, title="締切済みの教室", deadline_days=-0.5, category="料理")
    add_event(session, title="まだ間に合う料理教室", days=8, category="料理")
    you = resident(session, 1)
    reply = you.send(postback_event(f"action=su_join&k=e&id={closed.id}", you.user))
    text = json.dumps(reply, ensure_ascii=False)
    assert "締め切りました" in text and "まだ間に合う料理教室" in text


def test_withdrawn_item_answers_politely(session):
    gone = add_event(session, status="withdrawn")
    you = resident(session, 1)
    reply = you.send(postback_event(f"action=su_join&k=e&id={gone.id}", you.user))
    assert "取り下げ" in reply[0]["text"]


def test_check_in_code_is_shown_with_a_qr_image_only_over_https(session):
    event = add_event(session)
    you = resident(session, 1)
    tap_button(you, flex_button([{"type": "flex", "contents": event_bubble(event, "ja")}], "参加する"))
    code_button = flex_button(you.say("参加予定"), "受付コード")
    plain = tap_button(you, code_button)
    assert [m["type"] for m in plain] == ["text"] and "受付コード" in plain[0]["text"]
    you.extra = {}
    from content.signups.core import find_signup
    from handlers.registry import Context, load_handlers
    from tests.residents_support import NOW

    signup = find_signup(session, you.row.id, "event", event.id)
    ctx = Context(session=session, event=postback_event(code_button["data"], you.user), now=NOW, resident=you.row,
                  extra={"public_url": "https://city.example.jp"})
    messages = check(load_handlers().find(ctx.event)(ctx))
    assert messages[1]["type"] == "image"
    assert messages[1]["originalContentUrl"] == f"https://city.example.jp/signups/qr/{signup.qr_token}.png"


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
def test_every_signup_message_fits_line_in_each_language(session, lang):
    from content.signups import messages as sm
    from content.signups.core import join, waitlist_position

    event = add_event(session, capacity=1, title="長いタイトル" * 20, place_name="場所" * 100)
    you, other = resident(session, 1), resident(session, 2)
    going = join(session, you.row, "e", event.id, you_now())
    waiting = join(session, other.row, "e", event.id, you_now())
    for messages in (sm.join_messages(going, lang), sm.join_messages(waiting, lang),
                     sm.coming_messages([(going.signup, event), (waiting.signup, event)],
                                        {waiting.signup.id: waitlist_position(session, waiting.signup)}, lang,
                                        with_qr=True, has_calendar=True),
                     sm.promotion_messages(going.signup, event, lang), sm.reminder_messages(event, lang),
                     sm.code_messages(going.signup, event, lang, "https://x.example/q.png"),
                     sm.how_to_apply_messages(event, lang), sm.open_items_messages([event], lang)):
        check(messages)


def you_now():
    """The residents tests' now."""
    from tests.residents_support import NOW

    return NOW


@pytest.mark.parametrize("apply_method, contact, label", [
    ("電話で市民協働課（0480-21-1101）へ", None, "電話で申し込む"),
    (None, "市民協働課 0480-21-1101", "電話で問い合わせる"),
])
def test_volunteer_detail_offers_a_call_when_a_phone_is_published(session, apply_method, contact, label):
    opening = add_opening(session, chat=False, apply_method=apply_method, contact=contact)
    detail = [{"type": "flex", "contents": opportunity_bubble(opening, "ja", detailed=True)}]
    assert flex_button(detail, label)["uri"] == "tel:0480211101"
    assert "参加する" not in [a["label"] for a in flex_actions(detail)]
