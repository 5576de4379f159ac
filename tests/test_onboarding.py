"""Onboarding as a resident goes through it: follow → language → district → interests → consent → age → gender."""
from __future__ import annotations

import pytest

from content.topics import TOPIC_CODES
from sqlmodel import select

from models import ConversationState, District
from tests.residents_support import (DISTRICTS, Resident_, add_districts, fake_answers,
                                     pick_data, postback_event)


@pytest.fixture
def city(session):
    """A city with eight districts."""
    add_districts(session)
    return session


def _state(session):
    """The only conversation state, if any."""
    from sqlmodel import select

    return session.exec(select(ConversationState)).first()


def test_full_onboarding_stores_every_answer_and_ends_with_the_menu(city):
    you = Resident_(city)
    reply = you.follow()
    assert len(reply) == 2 and "友だち追加" in reply[0]["text"]
    assert you.labels() == ["日本語", "English", "やさしい にほんご", "スキップ"]
    you.tap("日本語")
    assert you.labels()[:8] == DISTRICTS and you.labels()[-1] == "わからない・スキップ"
    you.tap("北地区")
    assert you.row.district == "北地区"
    you.tap("スポーツ")
    assert "スポーツ" in you.text() and "✓スポーツ" in you.labels()
    you.tap("子育て・子ども")
    you.tap("決定")
    assert you.row.interests == ["children", "sports"]
    assert "集計" in you.text() and "データを削除" in you.text()
    assert you.row.consent_at is None
    you.tap("答える")
    assert you.row.consent_at is not None
    you.tap("30代")
    you.tap("女性")
    row = you.row
    assert (row.age_group, row.gender, row.onboarded_at is not None) == ("30-39", "female", True)
    assert "できること" in you.text() and "イベント" in you.labels() and "ヘルプ" in you.labels()
    assert _state(city) is None


def test_every_step_skipped_leaves_everything_empty(city):
    you = Resident_(city)
    you.follow()
    for label in ("スキップ", "わからない・スキップ", "スキップ", "答えない"):
        you.tap(label)
    row = you.row
    assert (row.language, row.district, row.interests, row.consent_at, row.age_group, row.gender) == (
        "ja", None, [], None, None, None)
    assert row.onboarded_at is not None and _state(city) is None
    assert "できること" in you.text()


def test_age_and_gender_can_be_skipped_after_consent(city):
    you = Resident_(city)
    you.follow()
    for label in ("日本語", "わからない・スキップ", "スキップ", "答える", "答えない・スキップ", "答えない・スキップ"):
        you.tap(label)
    row = you.row
    assert row.consent_at is not None and (row.age_group, row.gender) == (None, None)


@pytest.mark.parametrize("profile_language, first_label, greeting_word", [
    ("en", "English", "Thank you"),
    ("en-US", "English", "Thank you"),
    ("ja", "日本語", "友だち追加"),
    (None, "日本語", "友だち追加"),
    ("fr", "日本語", "友だち追加"),
])
def test_language_defaults_from_the_line_profile(city, profile_language, first_label, greeting_word):
    profile = {"displayName": "x"} if profile_language is None else {"displayName": "x", "language": profile_language}
    you = Resident_(city, profile=profile)
    you.follow()
    assert greeting_word in you.text()
    assert first_label in you.labels()


def test_missing_profile_means_japanese(city):
    you = Resident_(city, profile=None)
    you.follow()
    assert you.row.language == "ja" and "友だち追加" in you.text()


def test_choosing_english_switches_the_next_question_to_english(city):
    you = Resident_(city)
    you.follow()
    you.tap("English")
    assert you.row.language == "en"
    assert "district" in you.text().lower() and you.labels()[-1] == "Not sure / skip"


def test_choosing_easy_japanese_switches_to_easy_japanese(city):
    you = Resident_(city)
    you.follow()
    you.tap("やさしい にほんご")
    assert you.row.language == "ja-easy"
    assert "ちいき" in you.text()


@pytest.mark.parametrize("typed, language", [
    ("英語", "en"), ("English", "en"), ("えいご", "en"), ("ｅｎｇｌｉｓｈ", "en"),
    ("日本語", "ja"), ("にほんご", "ja"), ("やさしい日本語", "ja-easy"), ("easy japanese", "ja-easy"),
])
def test_language_can_be_typed(city, typed, language):
    you = Resident_(city)
    you.follow()
    you.say(typed)
    assert you.row.language == language
    assert _state(city).step == "district"


@pytest.mark.parametrize("typed, district", [("南地区", "南地区"), ("南", "南地区"), ("緑ヶ丘", "緑ヶ丘地区")])
def test_district_can_be_typed(city, typed, district):
    you = Resident_(city)
    you.follow()
    you.tap("日本語")
    you.say(typed)
    assert you.row.district == district


@pytest.mark.parametrize("typed, chosen", [
    ("スポーツ", ["sports"]),
    ("子育てとスポーツ", ["children", "sports"]),
    ("sports", ["sports"]),
    ("スポーツ、文化", ["sports", "culture"]),
])
def test_interests_can_be_typed(city, typed, chosen):
    you = Resident_(city)
    you.follow()
    you.tap("日本語")
    you.tap("北地区")
    you.say(typed)
    assert sorted(_state(city).data["chosen"]) == sorted(chosen)
    you.say("決定")
    assert you.row.interests == [c for c in TOPIC_CODES if c in chosen]


def test_tapping_a_chosen_interest_again_unchooses_it(city):
    you = Resident_(city)
    you.follow()
    you.tap("日本語")
    you.tap("北地区")
    you.tap("スポーツ")
    you.tap("スポーツ")
    assert "スポーツ" not in you.row.interests and "まだ何も選んでいません" in you.text()


@pytest.mark.parametrize("typed, age_group", [
    ("30代", "30-39"), ("35歳", "30-39"), ("35", "30-39"), ("１９歳以下", "-19"), ("15", "-19"),
    ("80歳以上", "80-"), ("92", "80-"), ("70代", "70-79"), ("40s", "40-49"),
])
def test_age_can_be_typed(city, typed, age_group):
    you = Resident_(city)
    you.follow()
    for label in ("日本語", "北地区", "決定", "答える"):
        you.tap(label)
    you.say(typed)
    assert you.row.age_group == age_group


@pytest.mark.parametrize("typed, gender", [("女性", "female"), ("男", "male"), ("その他", "other"), ("答えない", None)])
def test_gender_can_be_typed(city, typed, gender):
    you = Resident_(city)
    you.follow()
    for label in ("日本語", "北地区", "決定", "答える", "30代"):
        you.tap(label)
    you.say(typed)
    assert you.row.gender == gender and you.row.onboarded_at is not None


def test_typed_consent_words_work(city):
    you = Resident_(city)
    you.follow()
    for label in ("日本語", "北地区", "決定"):
        you.tap(label)
    you.say("はい")
    assert you.row.consent_at is not None and _state(city).step == "age"


@pytest.mark.parametrize("taps, question", [
    (["日本語"], "今週末のイベントは？"),
    (["日本語", "北地区"], "スポーツのイベントある？"),
    (["日本語", "北地区", "決定", "答える"], "30代向けの講座は？"),
])
def test_a_question_that_mentions_a_choice_is_answered_not_taken_as_a_choice(city, monkeypatch, taps, question):
    calls = fake_answers(monkeypatch)
    you = Resident_(city)
    you.follow()
    for label in taps:
        you.tap(label)
    you.say(question)
    assert calls and calls[-1]["text"] == question and _state(city) is None
    assert you.row.interests == [] and you.row.age_group is None


def test_a_question_typed_mid_onboarding_leaves_politely_and_is_answered(city, monkeypatch):
    fake_answers(monkeypatch, understood=True)
    you = Resident_(city)
    you.follow()
    you.tap("日本語")
    reply = you.say("今週末のイベントは？")
    assert _state(city) is None
    assert "いったん止めました" in reply[0]["text"] and reply[-1]["text"] == "answer to 今週末のイベントは？"


def test_more_than_twelve_districts_are_paginated(session):
    names = [f"第{i}地区" for i in range(1, 21)]
    add_districts(session, names)
    you = Resident_(session)
    you.follow()
    you.tap("日本語")
    assert len(you.labels()) == 13 and you.labels()[-2:] == ["ほかの地区", "わからない・スキップ"]
    assert you.labels()[0] == "第1地区"
    you.tap("ほかの地区")
    assert you.labels()[0] == "第12地区" and "ほかの地区" in you.labels()
    you.tap("ほかの地区")
    assert you.labels()[0] == "第1地区"  # wraps around
    you.say("第17地区")
    assert you.row.district == "第17地区"


def test_twelve_districts_fit_on_one_page(session):
    add_districts(session, [f"第{i}地区" for i in range(1, 13)])
    you = Resident_(session)
    you.follow()
    you.tap("日本語")
    assert len(you.labels()) == 13 and "ほかの地区" not in you.labels()


def test_a_city_without_districts_skips_the_district_step(session):
    you = Resident_(session)
    you.follow()
    you.tap("日本語")
    assert _state(session).step == "interests"


def test_gender_tapped_without_consent_asks_for_consent_first(city):
    you = Resident_(city)
    you.follow()
    gender_pick = "action=ob_pick&s=gender&v=female"
    you.send(postback_event(gender_pick))
    assert you.row.gender is None and "集計" in you.text()


def test_an_older_question_tapped_after_onboarding_changes_that_setting(city):
    you = Resident_(city)
    you.follow()
    old_language_question = you.action("English")
    for label in ("日本語", "北地区", "決定", "答えない"):
        you.tap(label)
    you.send(postback_event(old_language_question["data"]))
    assert you.row.language == "en" and "Saved" in you.text()


def test_postback_data_names_the_step_and_value(city):
    you = Resident_(city)
    you.follow()
    assert pick_data(you.action("English")) == {"action": "ob_pick", "s": "language", "v": "en"}
    assert you.action("English")["displayText"] == "English"


def test_very_long_district_names_still_fit_postback_data(session):
    long_name = "とても長い名前の" * 7 + "地区"
    add_districts(session, [long_name, "北地区"])
    you = Resident_(session)
    you.follow()
    you.tap("日本語")
    you.tap(long_name[:19] + "…")
    assert you.row.district == long_name
    you.say("イベント")  # the district choice is left out rather than breaking the reply
    assert "今週末" in you.labels()


@pytest.mark.parametrize("data", [
    "action=ob_pick&s=language&v=page:1",
    "action=ob_pick&s=district&v=page:x",
    "action=ob_pick&s=language&v=klingon",
    "action=ob_pick&s=nosuchstep&v=1",
    "action=ob_pick",
])
def test_a_forged_or_broken_answer_asks_again_instead_of_failing(city, data):
    you = Resident_(city)
    you.follow()
    you.send(postback_event(data))
    assert you.labels() and you.row.language == "ja" and you.row.district is None


@pytest.mark.parametrize("answers, expected", [
    (["English", "skip", "sports and culture", "done", "yes", "40s", "female"],
     ("en", None, ["sports", "culture"], "40-49", "female")),
    (["やさしい日本語", "きた", "スポーツ", "これでいい", "こたえる", "70さい", "おとこ"],
     ("ja-easy", "北地区", ["sports"], "70-79", "male")),
    (["日本語", "北地区", "子育て", "決定", "はい", "19歳以下", "その他"],
     ("ja", "北地区", ["children"], "-19", "other")),
])
def test_onboarding_can_be_typed_from_start_to_end_in_each_language(session, answers, expected):
    add_districts(session, ["北地区", "南地区"])
    session.exec(select(District).where(District.name == "北地区")).one().kana = "きた"
    you = Resident_(session)
    you.follow()
    for text in answers:
        you.say(text)
    row = you.row
    assert (row.language, row.district, row.interests, row.age_group, row.gender) == expected
    assert row.onboarded_at is not None and _state(session) is None
