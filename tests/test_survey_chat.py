"""A survey in the chat, as a resident answers it: one question per message, quick replies labelled with the
choices, typed answers read kindly, pause and resume, repeated taps counted once, answers changed until the end."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from content.surveys.definition import find_survey, parse_yaml, save_survey
from content.surveys.rounds import create_round
from models import Answer, ConversationState, Resident, Response
from tests.residents_support import NOW, Resident_, add_districts, postback_event
from tests.survey_support import DESIGN_EXAMPLE

SKIPPING = """
code: skip-2026
title: 参加アンケート
questions:
  - {code: q1, type: yesno, text: 参加しましたか}
  - {code: q2, type: multi, text: 何に参加しましたか, ask_if: {q1: [yes]},
     choices: [{value: fes, label: 祭り}, {value: clean, label: 清掃}, {value: drill, label: 防災訓練}]}
  - {code: q3, type: text, text: ご意見をどうぞ}
"""


def open_round(session, text=None, **kwargs):
    """Load a survey and open round 1 a little before NOW, closing a week after."""
    spec = parse_yaml(text or DESIGN_EXAMPLE.read_text(encoding="utf-8"))
    save_survey(session, spec)
    return create_round(session, find_survey(session, spec.code), now=NOW - timedelta(hours=1),
                        closes_at=NOW + timedelta(days=7), **kwargs)


@pytest.fixture
def you(session):
    """An onboarded resident of 北地区, 60代, 女性."""
    add_districts(session)
    resident = Resident_(session)
    resident.follow()
    for label in ("日本語", "北地区", "スキップ", "答える", "60代", "女性"):
        resident.tap(label)
    return resident


def answers(session) -> dict[str, str | None]:
    """question code → stored value (text for free text)."""
    from models import Question

    codes = {q.id: q.code for q in session.exec(select(Question)).all()}
    return {codes[a.question_id]: a.value if a.value is not None else a.text for a in session.exec(select(Answer))}


def test_a_resident_answers_the_design_example_by_tapping_and_typing(session, you):
    open_round(session)
    you.say("アンケート")
    assert "地域活動アンケート" in you.text() and "（1/4）過去1年に自治会の活動に参加しましたか" in you.text()
    assert you.labels() == ["はい", "いいえ", "あとで"]
    you.tap("はい")
    assert "（2/4）" in you.text()
    assert you.labels()[:5] == ["不満", "やや不満", "普通", "やや満足", "満足"]
    assert "戻る" in you.labels()
    you.tap("やや満足")
    assert "数字で答えてください（0〜31）" in you.text()
    you.say("３回")
    assert "（4/4）" in you.text()
    you.tap("...")
    assert "回答ありがとうございました" in you.text()
    assert answers(session) == {"q1": "yes", "q2": "4", "q3": "3", "q4": "a"}
    response = session.exec(select(Response)).one()
    assert response.completed_at is not None and response.channel == "line"
    assert (response.district, response.age_group, response.gender) == ("北地区", "60-69", "female")
    assert session.exec(select(ConversationState)).first() is None


@pytest.mark.parametrize("typed, stored", [
    ("3", "3"), ("３", "3"), ("3回", "3"), ("３回です", "3"), ("三回", "3"), ("十二回", "12"), ("約2回", "2"),
    ("0", "0"), ("ゼロ", "0"), ("31", "31"),
])
def test_numbers_are_read_as_residents_type_them(session, you, typed, stored):
    open_round(session)
    you.say("アンケート")
    you.tap("はい")
    you.tap("普通")
    you.say(typed)
    assert answers(session)["q3"] == stored


@pytest.mark.parametrize("typed, expected", [
    ("32", "0から31までの数で答えてください"),
    ("たくさん", "数字で答えてください（例：3）"),
])
def test_a_wrong_number_is_asked_again_politely(session, you, typed, expected):
    open_round(session)
    you.say("アンケート")
    you.tap("はい")
    you.tap("普通")
    you.say(typed)
    assert expected in you.text() and "（3/4）" in you.text()
    assert "q3" not in answers(session)


@pytest.mark.parametrize("typed, stored", [("はい", "yes"), ("うん", "yes"), ("いいえ", "no"), ("Yes", "yes")])
def test_typed_yes_and_no_are_understood(session, you, typed, stored):
    open_round(session)
    you.say("アンケート")
    you.say(typed)
    assert answers(session)["q1"] == stored


def test_a_choice_not_offered_is_asked_again_with_the_choices(session, you):
    open_round(session)
    you.say("アンケート")
    you.tap("はい")
    you.say("まあまあかな")
    assert "次の中から選んでください：不満、やや不満、普通、やや満足、満足" in you.text()
    assert you.labels()[:5] == ["不満", "やや不満", "普通", "やや満足", "満足"]
    you.say("やや満足")
    assert answers(session)["q2"] == "4"


def test_pause_with_later_and_resume_from_the_survey_word(session, you):
    open_round(session)
    you.say("アンケート")
    you.tap("はい")
    you.tap("あとで")
    assert "途中まで保存しました" in you.text() and "締切" in you.text()
    assert session.exec(select(ConversationState)).first() is None
    you.say("今日のイベント")  # the chat is free again
    you.say("アンケート")
    assert "前回の続きから始めます" in you.text() and "（2/4）" in you.text()
    you.say("あとで")  # typed works too
    assert "途中まで保存しました" in you.text()


def test_later_before_any_answer_does_not_claim_anything_was_saved(session, you):
    """「あとで」 on the first question keeps nothing (there is nothing yet): the reply says when to come back."""
    open_round(session)
    you.say("アンケート")
    you.tap("あとで")
    assert "いつでも答えられます" in you.text() and "保存" not in you.text()
    you.say("アンケート")
    you.tap("はい")
    you.tap("あとで")
    assert "途中まで保存しました" in you.text()


def test_a_repeated_tap_counts_once(session, you):
    rnd = open_round(session)
    you.say("アンケート")
    yes = you.action("はい")
    you.send(postback_event(yes["data"], you.user))
    you.send(postback_event(yes["data"], you.user))  # the double tap
    assert "（2/4）" in you.text()
    assert len(session.exec(select(Answer)).all()) == 1 and answers(session) == {"q1": "yes"}
    assert len(session.exec(select(Response).where(Response.round_id == rnd.id)).all()) == 1


def test_an_earlier_answer_can_be_changed_before_the_last_question(session, you):
    open_round(session)
    you.say("アンケート")
    first = you.action("いいえ")
    you.tap("はい")
    you.tap("普通")
    you.tap("戻る")
    assert "（2/4）" in you.text() and "いまの回答：普通" in you.text()
    you.tap("満足")
    assert "（3/4）" in you.text()
    you.send(postback_event(first["data"], you.user))  # an older question's choice, tapped late
    assert "回答を変更しました" in you.text() and "（3/4）" in you.text()
    assert answers(session) == {"q1": "no", "q2": "5"}


def test_answers_are_final_once_the_last_question_is_answered(session, you):
    open_round(session)
    you.say("アンケート")
    first = you.action("いいえ")
    you.tap("はい")
    you.tap("普通")
    you.say("2")
    you.tap("...")
    you.send(postback_event(first["data"], you.user))
    assert "もう回答いただいています" in you.text()
    assert answers(session)["q1"] == "yes"
    you.say("アンケート")
    assert "もう回答いただいています" in you.text()


def test_skip_conditions_multi_choice_and_free_text(session, you):
    open_round(session, SKIPPING)
    you.say("アンケート")
    you.tap("はい")
    assert you.labels()[:4] == ["祭り", "清掃", "防災訓練", "決定"]
    you.tap("決定")
    assert "1つ以上選んでから" in you.text()
    you.tap("祭り")
    you.tap("防災訓練")
    assert you.labels()[:3] == ["✓祭り", "清掃", "✓防災訓練"]
    you.tap("✓祭り")  # tapped again: unpicked
    you.tap("祭り")
    you.tap("決定")
    assert "ご自由に書いて" in you.text() and "答えない" in you.labels()
    you.say("公園の清掃をもっと増やしてほしい")
    assert answers(session) == {"q1": "yes", "q2": "fes;drill", "q3": "公園の清掃をもっと増やしてほしい"}


def test_a_no_skips_the_question_asked_only_after_yes(session, you):
    open_round(session, SKIPPING)
    you.say("アンケート")
    you.tap("いいえ")
    assert "（3/3）" in you.text()
    you.tap("答えない")
    assert "回答ありがとうございました" in you.text()
    assert answers(session) == {"q1": "no", "q3": None}


def test_changing_an_answer_drops_answers_whose_condition_no_longer_holds(session, you):
    open_round(session, SKIPPING)
    you.say("アンケート")
    first_no = you.action("いいえ")
    you.tap("はい")
    you.tap("清掃")
    you.tap("決定")
    you.send(postback_event(first_no["data"], you.user))
    assert answers(session) == {"q1": "no"}
    assert "（3/3）" in you.text()


def test_the_survey_word_without_an_open_round_says_there_is_none(session, you):
    you.say("アンケート")
    assert "いま回答できるアンケートはありません" in you.text()


def test_a_closed_round_takes_no_more_answers(session, you):
    rnd = open_round(session)
    you.say("アンケート")
    yes = you.action("はい")
    rnd.closed_at = NOW - timedelta(minutes=1)
    session.add(rnd)
    session.flush()
    you.send(postback_event(yes["data"], you.user))
    assert "締め切りました" in you.text() and answers(session) == {}


def test_a_menu_word_mid_survey_answers_the_word_and_keeps_the_answers(session, you):
    open_round(session)
    you.say("アンケート")
    you.tap("はい")
    you.say("設定")
    assert "途中まで保存しました" in you.text() and "年代・性別" in you.labels()
    you.say("アンケート")
    assert "（2/4）" in you.text()


def test_a_first_answer_typed_under_the_push_starts_the_survey(session, you):
    open_round(session)
    you.say("はい")
    assert "（2/4）" in you.text() and answers(session) == {"q1": "yes"}


def test_a_round_for_another_district_is_not_offered(session, you):
    open_round(session, segment={"district": ["南地区"]})
    you.say("アンケート")
    assert "いま回答できるアンケートはありません" in you.text()


def test_english_residents_get_translated_controls_and_yes_no(session, you):
    open_round(session)
    you.row.language = "en"
    session.add(you.row)
    you.say("Survey")
    assert you.labels() == ["Yes", "No", "Later"]
    you.say("yes")
    assert answers(session) == {"q1": "yes"}


def test_deleting_ones_data_keeps_the_answers_with_their_copied_attributes(session, you):
    open_round(session)
    you.say("アンケート")
    you.tap("はい")
    you.say("データを削除")
    you.tap("はい")
    assert you.row is None and session.exec(select(Resident)).first() is None
    response = session.exec(select(Response)).one()
    assert response.resident_id is None and response.district == "北地区" and response.age_group == "60-69"
    assert answers(session) == {"q1": "yes"}
