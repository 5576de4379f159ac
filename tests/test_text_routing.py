"""Text routing: conversation step → menu words → the search's answer → a helpful fallback, never silence."""
from __future__ import annotations

import pytest

from handlers.registry import Context, load_handlers
from handlers.text import on_text
from models import Resident
from tests.residents_support import (NOW, Resident_, add_districts, add_facilities, check, fake_answers,
                                     text_event)


@pytest.fixture
def you(session):
    """A resident who finished onboarding in Japanese, in 北地区."""
    add_districts(session)
    person = Resident_(session)
    person.follow()
    for label in ("日本語", "北地区", "決定", "答えない"):
        person.tap(label)
    return person


def test_a_question_goes_to_the_search_and_its_items_are_kept(you, monkeypatch):
    items = [{"kind": "event", "id": 1, "title": "秋まつり", "starts_at": "2026-11-28T10:00:00+09:00", "place": "公園"}]
    calls = fake_answers(monkeypatch, items=items)
    reply = you.say("今週末のイベントは？")
    assert reply[0]["text"] == "answer to 今週末のイベントは？"
    assert you.extra["items"] == items
    assert calls[0]["lang"] == "ja" and calls[0]["now"] == NOW and calls[0]["resident"].line_user_id == you.user


def test_an_answer_without_quick_replies_gets_the_main_menu(you, monkeypatch):
    fake_answers(monkeypatch)
    you.say("図書館は何時まで？")
    assert "イベント" in you.labels()


def test_an_answer_with_its_own_quick_replies_keeps_them(you, monkeypatch):
    fake_answers(monkeypatch, quick_replies=True)
    you.say("図書館は何時まで？")
    assert you.labels() == ["もっと"]


@pytest.mark.parametrize("lang, word", [("ja", "すみません"), ("en", "Sorry"), ("ja-easy", "ごめんなさい")])
def test_text_not_understood_gets_help_with_the_main_choices(you, monkeypatch, lang, word):
    fake_answers(monkeypatch, understood=False)
    you.row.language = lang
    reply = you.say("ぴよぴよ")
    assert len(reply) == 1 and word in reply[0]["text"]
    assert len(you.labels()) == 6 and you.extra["items"] == []


@pytest.mark.parametrize("word", ["イベント", "Events", "いべんと"])
def test_events_word_offers_when(you, word):
    you.say(word)
    assert you.labels()[:5] == ["今日", "明日", "今週末", "来週", "子ども向け"]
    assert "北地区" in you.labels()  # their own district


def test_tapping_an_event_choice_asks_the_search_in_japanese(you, monkeypatch):
    calls = fake_answers(monkeypatch)
    you.row.language = "en"
    you.say("Events")
    assert you.labels()[2] == "This weekend"
    you.tap("This weekend")
    assert calls[-1]["text"] == "今週末のイベント" and calls[-1]["lang"] == "en"


def test_facilities_word_lists_facilities(you, monkeypatch):
    add_facilities(you.session)
    calls = fake_answers(monkeypatch)
    you.say("施設")
    assert you.labels() == ["中央公民館", "市立図書館", "総合体育館"]
    you.tap("市立図書館")
    assert calls[-1]["text"] == "市立図書館"


def test_facilities_word_without_facilities_still_offers_a_way_on(you):
    you.say("施設")
    assert "名前" in you.text() and "イベント" in you.labels()


@pytest.mark.parametrize("word", ["参加・ボランティア", "Join & volunteer", "さんか・ボランティア", "参加"])
def test_participation_word_asks_the_search_for_volunteering(you, monkeypatch, word):
    calls = fake_answers(monkeypatch)
    you.say(word)
    assert calls[-1]["text"] == "ボランティア"


@pytest.mark.parametrize("word, expected", [
    ("アンケート", "アンケートはありません"),
    ("ヘルプ", "こんなふうに"),
    ("help", "こんなふうに"),
    ("メニュー", "何をしますか"),
])
def test_menu_words_answer_without_the_search(you, monkeypatch, word, expected):
    calls = fake_answers(monkeypatch)
    you.say(word)
    assert expected in you.text() and calls == [] and "ヘルプ" in you.labels()


def test_every_main_menu_choice_leads_somewhere(you, monkeypatch):
    fake_answers(monkeypatch)
    you.say("メニュー")
    for label in ["イベント", "施設", "参加・ボランティア", "アンケート", "設定", "ヘルプ"]:
        you.say("メニュー")
        reply = you.tap(label)
        assert reply and you.labels(), label


@pytest.mark.parametrize("lang, labels", [
    ("ja", ["イベント", "施設", "参加・ボランティア", "アンケート", "設定", "ヘルプ"]),
    ("en", ["Events", "Facilities", "Join & volunteer", "Survey", "Settings", "Help"]),
    ("ja-easy", ["イベント", "しせつ", "さんか・ボランティア", "アンケート", "せってい", "ヘルプ"]),
])
def test_main_menu_in_each_language_sends_words_the_router_knows(lang, labels):
    from content.menus import command_for, main_menu_actions

    actions = main_menu_actions(lang)
    assert [a["label"] for a in actions] == labels
    assert [command_for(a["text"]) for a in actions] == [
        "events", "facilities", "participate", "survey", "settings", "help"]


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
def test_apology_and_help_fit_line_limits(lang):
    from content.menus import apology_messages, help_messages

    check(apology_messages(lang))
    check(help_messages(lang))
    assert len(apology_messages(lang)[0]["quickReply"]["items"]) == 6


def test_a_transient_resident_is_answered_without_writing(session, monkeypatch):
    calls = fake_answers(monkeypatch, items=[{"kind": "facility", "id": 3, "title": "図書館", "starts_at": None,
                                              "place": None}])
    ghost = Resident(line_user_id="cli", language="en")
    load_handlers()
    for text in ("library hours", "設定", "データを削除", "イベント", "ぴよぴよ"):
        ctx = Context(session=session, event=text_event(text, user="cli"), now=NOW, resident=ghost, lang="en")
        check(on_text(ctx))
        assert isinstance(ctx.extra["items"], list)
    assert calls[0]["resident"] is ghost and calls[0]["lang"] == "en"
    assert not session.new and not session.dirty
    from sqlmodel import select

    assert session.exec(select(Resident)).first() is None


def test_a_transient_resident_items_come_from_the_answer(session, monkeypatch):
    items = [{"kind": "event", "id": 7, "title": "x", "starts_at": None, "place": None}]
    fake_answers(monkeypatch, items=items)
    ctx = Context(session=session, event=text_event("今日のイベント", user="cli"), now=NOW,
                  resident=Resident(line_user_id="cli"), lang="ja")
    on_text(ctx)
    assert ctx.extra["items"] == items


def test_a_menu_word_mid_settings_leaves_the_settings_and_answers_it(you):
    you.say("設定")
    you.tap("地区")
    reply = you.say("ヘルプ")
    assert "いったん止めました" in reply[0]["text"] and "こんなふうに" in reply[-1]["text"]


def test_another_conversation_can_take_typed_texts(you, monkeypatch):
    import handlers.text as text_module
    from content import residents as rs

    monkeypatch.setattr(text_module, "TEXT_FLOWS", dict(text_module.TEXT_FLOWS))
    text_module.register_text_flow("survey", text_module.TextFlow(
        take=lambda ctx, resident, state, lang: [{"type": "text", "text": "answer noted"}] if ctx.text == "3" else None,
        leave=lambda ctx, resident, state, lang: []))
    rs.save_conversation(you.session, you.row, "survey", "q1", {})
    assert you.say("3")[0]["text"] == "answer noted"
    fake_answers(monkeypatch)
    assert you.say("図書館")[0]["text"] == "answer to 図書館"


def test_a_conversation_nobody_registered_is_left_alone(you, monkeypatch):
    from content import residents as rs

    fake_answers(monkeypatch)
    rs.save_conversation(you.session, you.row, "unknown-flow", "s", {})
    assert you.say("図書館")[0]["text"] == "answer to 図書館"
    assert rs.get_conversation(you.session, you.row) is not None


def test_facilities_in_the_residents_district_come_first(you, monkeypatch):
    from models import Facility

    add_facilities(you.session)
    you.session.add(Facility(source="test", source_key="n", name="北地区交流センター", district="北地区"))
    you.session.flush()
    you.say("施設")
    assert you.labels()[0] == "北地区交流センター"


def test_a_conversation_left_for_a_day_does_not_catch_a_later_yes(session, monkeypatch):
    from datetime import timedelta

    from content import residents as rs
    calls = fake_answers(monkeypatch)
    add_districts(session)
    person = Resident_(session)
    person.follow()
    for label in ("日本語", "北地区", "決定"):
        person.tap(label)  # now at the consent question
    state = rs.get_conversation(session, person.row)
    state.updated_at = state.updated_at - timedelta(days=2)
    session.add(state)
    session.flush()
    reply = person.say("はい")
    assert person.row.consent_at is None and calls[-1]["text"] == "はい"
    assert "いったん止めました" not in reply[0].get("text", "")
