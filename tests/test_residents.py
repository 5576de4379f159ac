"""Residents' settings, unfollow / re-follow and deleting one's data, as a resident does them in the chat."""
from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from content import residents as rs
from models import ConversationState, Resident
from tests.residents_support import NOW, USER, Resident_, add_districts


@pytest.fixture
def city(session):
    """A city with eight districts."""
    add_districts(session)
    return session


def onboarded(session, **answers) -> Resident_:
    """A resident who went through onboarding choosing 日本語, 北地区, スポーツ, 30代, 女性."""
    you = Resident_(session, **answers)
    you.follow()
    for label in ("日本語", "北地区", "スポーツ", "決定", "答える", "30代", "女性"):
        you.tap(label)
    return you


def test_settings_word_shows_current_values_and_every_part(city):
    you = onboarded(city)
    you.say("設定")
    text = you.text()
    assert "北地区" in text and "スポーツ" in text and "30代・女性" in text and "日本語" in text
    assert "お知らせ：受け取る" in text
    assert you.labels() == ["言語", "地区", "関心", "年代・性別", "お知らせを止める", "データを削除", "メニュー"]


def test_notices_can_be_switched_off_and_on_again(city):
    you = onboarded(city)
    you.say("設定")
    you.tap("お知らせを止める")
    assert you.row.notifications is False and you.row.following is True
    assert "止めている" in you.text() and "お知らせを受け取る" in you.labels()
    you.tap("お知らせを受け取る")
    assert you.row.notifications is True


@pytest.mark.parametrize("word", ["設定", "せってい", "Settings", "settings", "設定 "])
def test_settings_word_in_each_language_opens_settings(city, word):
    you = onboarded(city)
    you.say(word)
    assert "年代・性別" in you.labels()


@pytest.mark.parametrize("part, taps, check", [
    ("言語", ["English"], lambda r: r.language == "en"),
    ("地区", ["南地区"], lambda r: r.district == "南地区"),
    ("関心", ["スポーツ", "文化・学び", "決定"], lambda r: r.interests == ["culture"]),
    ("年代・性別", ["答える", "70代", "男性"], lambda r: (r.age_group, r.gender) == ("70-79", "male")),
    ("年代・性別", ["答えない"], lambda r: (r.consent_at, r.age_group, r.gender) == (None, None, None)),
])
def test_settings_reopen_one_part_and_return_to_the_settings(city, part, taps, check):
    you = onboarded(city)
    you.say("設定")
    you.tap(part)
    for label in taps:
        you.tap(label)
    assert check(you.row)
    assert city.exec(select(ConversationState)).first() is None
    assert any(label in you.labels() for label in ("地区", "District"))  # back at the settings menu


def test_interests_in_settings_start_from_the_current_choice(city):
    you = onboarded(city)
    you.say("設定")
    you.tap("関心")
    assert "✓スポーツ" in you.labels() and "スポーツ" in you.text()


def test_skipping_in_settings_keeps_the_old_value(city):
    you = onboarded(city)
    you.say("設定")
    you.tap("地区")
    you.tap("わからない・スキップ")
    assert you.row.district == "北地区"


def test_delete_my_data_confirms_then_deletes_the_row_and_its_state(city):
    you = onboarded(city)
    you.say("設定")
    you.tap("関心")  # leave a conversation open: it must go too
    you.say("データを削除")
    template = you.last[-1]["template"]
    assert template["type"] == "confirm" and you.labels() == ["はい", "いいえ"]
    you.tap("はい")
    assert you.row is None
    assert city.exec(select(ConversationState)).first() is None
    assert "いつでも" in you.text() and "イベント" in you.labels()


def test_declining_deletion_keeps_everything(city):
    you = onboarded(city)
    you.say("データを削除")
    you.tap("いいえ")
    assert you.row is not None and you.row.district == "北地区"


def test_delete_from_the_settings_menu(city):
    you = onboarded(city)
    you.say("設定")
    you.tap("データを削除")
    you.tap("はい")
    assert you.row is None


def test_deletion_runs_unlink_hooks_before_the_row_goes(city, monkeypatch):
    seen = []
    monkeypatch.setattr(rs, "UNLINK_HOOKS", [])
    rs.register_unlink_hook(lambda session, resident: seen.append((resident.id is not None, resident.district)))
    you = onboarded(city)
    you.say("データを削除")
    you.tap("はい")
    assert seen == [(True, "北地区")]


def test_deletion_logs_no_user_id(city, caplog):
    you = onboarded(city)
    you.say("データを削除")
    with caplog.at_level(logging.DEBUG):
        you.tap("はい")
    assert USER not in caplog.text


def test_after_deletion_one_can_start_again(city):
    you = onboarded(city)
    you.say("データを削除")
    you.tap("はい")
    you.follow()
    assert you.row is not None and you.row.onboarded_at is None and "日本語" in you.labels()


def test_unfollow_stops_pushes_and_clears_the_conversation(city):
    you = Resident_(city)
    you.follow()
    assert you.row.following
    assert you.unfollow() == []
    row = you.row
    assert row.following is False and row.unfollowed_at is not None
    assert city.exec(select(ConversationState)).first() is None


def test_refollow_after_onboarding_greets_and_offers_settings(city):
    you = onboarded(city)
    you.unfollow()
    you.follow()
    assert you.row.following is True and you.row.unfollowed_at is None
    assert "おかえりなさい" in you.text() and "設定を見る" in you.labels()
    assert city.exec(select(ConversationState)).first() is None
    you.tap("設定を見る")
    assert "年代・性別" in you.labels()


def test_refollow_before_finishing_onboarding_starts_it_again(city):
    you = Resident_(city)
    you.follow()
    you.unfollow()
    you.follow()
    assert "日本語" in you.labels()


def test_unfollow_of_an_unknown_user_is_ignored(city):
    you = Resident_(city, user="U" + "9" * 32)
    assert you.unfollow() == []
    assert you.row is None


# --- model-level functions ------------------------------------------------------------------------

def test_get_or_create_returns_the_same_resident(session):
    first = rs.get_or_create_resident(session, USER, language="en-GB", now=NOW)
    again = rs.get_or_create_resident(session, USER, language="ja")
    assert first.id == again.id and again.language == "en"
    assert first.followed_at.tzinfo is None  # stored as naive UTC


def test_age_and_gender_are_not_stored_without_consent(session):
    resident = rs.get_or_create_resident(session, USER)
    assert rs.set_age_group(session, resident, "30-39") is False
    assert rs.set_gender(session, resident, "female") is False
    assert (resident.age_group, resident.gender) == (None, None)
    rs.record_consent(session, resident, NOW)
    assert rs.set_age_group(session, resident, "30-39") and rs.set_gender(session, resident, "female")
    rs.withdraw_consent(session, resident)
    assert (resident.consent_at, resident.age_group, resident.gender) == (None, None, None)


@pytest.mark.parametrize("call", [
    lambda session, r: rs.set_language(session, r, "fr"),
    lambda session, r: rs.set_district(session, r, "どこでもない地区"),
    lambda session, r: rs.set_age_group(session, r, "30代"),
    lambda session, r: rs.set_gender(session, r, "f"),
])
def test_values_outside_the_codes_are_refused(session, call):
    resident = rs.get_or_create_resident(session, USER)
    with pytest.raises(ValueError):
        call(session, resident)


def test_interests_keep_known_codes_in_topic_order(session):
    resident = rs.get_or_create_resident(session, USER)
    rs.set_interests(session, resident, ["sports", "unknown", "children"])
    assert resident.interests == ["children", "sports"]


def test_a_transient_resident_is_changed_in_memory_only(session):
    ghost = Resident(line_user_id="cli", language="ja")
    rs.set_language(session, ghost, "en")
    rs.set_interests(session, ghost, ["sports"])
    rs.delete_personal_data(session, ghost)
    assert rs.save_conversation(session, ghost, "onboarding", "language", {}) is None
    assert ghost.language == "en" and session.exec(select(Resident)).first() is None


@pytest.mark.parametrize("notices_off, expected_notifications, kept_rows", [(True, False, 1), (False, True, 0)])
def test_deleting_ones_data_keeps_only_the_notices_opt_out(city, notices_off, expected_notifications, kept_rows):
    from models import NoticeOptOut

    you = onboarded(city)
    if notices_off:
        rs.set_notifications(city, you.row, False)
    you.say("データを削除")
    you.tap("はい")
    kept = city.exec(select(NoticeOptOut)).all()
    assert len(kept) == kept_rows
    assert all(USER not in row.user_hash and len(row.user_hash) == 64 for row in kept)  # a hash, nothing else
    you.follow()  # coming back (a follow, or just talking: the dispatcher creates the row the same way)
    assert you.row.notifications is expected_notifications
    assert you.row.district is None  # everything else really went
    assert city.exec(select(NoticeOptOut)).all() == []  # the preference lives in the resident row again


def test_a_resident_who_comes_back_by_talking_keeps_notices_off(engine):
    from sqlmodel import Session

    from bot.dispatch import load_resident
    from models import NoticeOptOut

    with Session(engine) as session:
        session.add(NoticeOptOut(user_hash=rs.opt_out_hash(USER)))
        session.commit()
        resident, _ = load_resident(session, None, {"type": "message"}, USER, profile_needed=False,
                                    now=NOW)
        assert resident.id is not None and resident.notifications is False


def onboarded_without_districts(session) -> Resident_:
    """A resident of a city without districts, onboarded in Japanese (the 地区 step is passed over)."""
    you = Resident_(session)
    you.follow()
    for label in ("日本語", "スポーツ", "決定", "答えない"):
        you.tap(label)
    return you


def test_settings_of_a_city_without_districts_do_not_offer_the_district(session):
    you = onboarded_without_districts(session)
    you.say("設定")
    assert you.labels() == ["言語", "関心", "年代・性別", "お知らせを止める", "データを削除", "メニュー"]
    assert "地区：" not in you.text()


def test_an_old_district_tap_without_districts_shows_the_settings_without_saying_saved(session):
    from content.messages import postback_data
    from tests.residents_support import postback_event

    you = onboarded_without_districts(session)
    you.send(postback_event(postback_data("set_open", part="district")))
    assert "保存しました" not in you.text()
    assert "変えたいものを選んでください" in you.text() and "関心" in you.labels()
