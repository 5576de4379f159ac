"""`tsunagari survey load`: the DESIGN.md example loads as is; updates keep answers' meaning; mistakes are named."""
from __future__ import annotations

import pytest
from sqlmodel import select

from content.surveys.definition import (SurveyError, dump_yaml, parse_definition, parse_yaml, save_survey,
                                        survey_definition)
from models import Answer, Indicator, Question, Response, Survey, SurveyRound
from tests.survey_support import DESIGN_EXAMPLE

DESIGN_TEXT = DESIGN_EXAMPLE.read_text(encoding="utf-8")


def test_the_design_example_loads_as_is(session):
    report = save_survey(session, parse_yaml(DESIGN_TEXT))
    session.commit()
    assert report.as_dict() == {"survey": "community-2026", "created": True, "questions": 4, "indicators": 3,
                                "retired": [], "removed": []}
    questions = {q.code: q for q in session.exec(select(Question)).all()}
    assert [c["label"]["ja"] for c in questions["q1"].choices] == ["はい", "いいえ"]
    assert [c["label"]["ja"] for c in questions["q2"].choices] == ["不満", "やや不満", "普通", "やや満足", "満足"]
    assert (questions["q3"].min_value, questions["q3"].max_value) == (0, 31)
    indicators = {i.code: i for i in session.exec(select(Indicator)).all()}
    assert indicators["participation"].params == {"values": ["yes"]}  # YAML's `yes` read as the value, not True
    assert indicators["satisfaction"].params["scores"] == {"1": 0, "2": 25, "3": 50, "4": 75, "5": 100}
    assert indicators["center-use"].params == {"annualize": 12}
    assert (indicators["center-use"].baseline_value, indicators["center-use"].target_year) == (3.77, 2028)


def test_loading_twice_updates_instead_of_duplicating(session):
    save_survey(session, parse_yaml(DESIGN_TEXT))
    report = save_survey(session, parse_yaml(DESIGN_TEXT.replace("地域活動アンケート", "地域活動アンケート2026")))
    assert not report.created
    assert len(session.exec(select(Survey)).all()) == 1 and len(session.exec(select(Question)).all()) == 4
    assert session.exec(select(Survey)).one().title == "地域活動アンケート2026"


def test_translations_skip_conditions_and_every_question_type_load():
    spec = parse_yaml("""
code: life-2026
title: {ja: くらしアンケート, en: Life survey, ja-easy: くらしの アンケート}
questions:
  - {code: q1, type: yesno, text: {ja: 参加しましたか, en: "Did you take part?"}}
  - {code: q2, type: multi, text: 何に参加しましたか, ask_if: {q1: [yes]},
     choices: [{value: fes, label: {ja: 祭り, en: Festival}}, {value: clean, label: 清掃}, 防災訓練]}
  - {code: q3, type: number, text: 何回, min: 0, max: 99, unit: 回, skip_if: {q1: no}}
  - {code: q4, type: text, text: ご意見}
  - {code: q5, type: scale, text: 満足度}
""")
    q = {x.code: x for x in spec.questions}
    assert spec.title == {"ja": "くらしアンケート", "en": "Life survey", "ja-easy": "くらしの アンケート"}
    assert q["q2"].ask_if == {"q1": ["yes"]} and q["q3"].skip_if == {"q1": ["no"]}
    assert [c["value"] for c in q["q2"].choices] == ["fes", "clean", "3"]
    assert q["q2"].choices[0]["label"] == {"ja": "祭り", "en": "Festival"}
    assert q["q4"].required is False and q["q1"].required is True
    assert [c["label"]["ja"] for c in q["q5"].choices] == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize("yaml_text, problem", [
    ("code: x\ntitle: t\nquestions: []", "質問を1つ以上"),
    ("code: x\ntitle: t\nquestions: [{code: q1, type: essay, text: a}]", "type は"),
    ("code: x\ntitle: t\nquestions: [{code: q1, type: scale, text: a, labels: [a, b]}]", "labels は5つ"),
    ("code: x\ntitle: t\nquestions: [{code: q1, type: single, text: a, choices: [a]}]", "choices を2つ以上"),
    ("code: x\ntitle: t\nquestions: [{code: q1, type: number, text: a, min: 5, max: 1}]", "min が max より大きく"),
    ("code: x\ntitle: t\nquestions: [{code: q1, type: yesno, text: a, skip_if: {q2: [yes]}}]", "より前にありません"),
    ("code: x\ntitle: t\nquestions: [{code: q1, type: yesno, text: a}, {code: q1, type: yesno, text: b}]",
     "重複"),
    ("code: x\ntitle: t\nquestions: [{code: q1, type: yesno, text: a}]\n"
     "indicators: [{code: i, name: n, method: share, question: q1, values: [maybe]}]", "選択肢にありません"),
    ("code: x\ntitle: t\nquestions: [{code: q1, type: yesno, text: a}]\n"
     "indicators: [{code: i, name: n, method: per_capita, question: q1}]", "number の質問にだけ"),
    ("code: x\ntitle: t\nquestions: [{code: q1, type: yesno, text: a}]\n"
     "indicators: [{code: i, name: n, method: share, question: q9, values: [yes]}]", "q9 がこのアンケートにありません"),
    ("code: [x\n", "YAMLとして読めません"),
    ("code: 'bad code'\ntitle: t\nquestions: [{code: q1, type: yesno, text: a}]", "code:"),
])
def test_mistakes_are_named_with_where_they_are(yaml_text, problem):
    with pytest.raises(SurveyError) as raised:
        parse_yaml(yaml_text)
    assert any(problem in p for p in raised.value.problems), raised.value.problems


def test_more_choices_than_quick_replies_can_hold_are_refused():
    choices = ", ".join(f"c{i}" for i in range(11))
    with pytest.raises(SurveyError, match="10個まで"):
        parse_yaml(f"code: x\ntitle: t\nquestions: [{{code: q1, type: single, text: a, choices: [{choices}]}}]")


def _answer_q1(session, value: str) -> None:
    """One paper answer to q1 in round 1."""
    survey = session.exec(select(Survey)).one()
    rnd = SurveyRound(survey_id=survey.id, number=1, in_chat=False)
    session.add(rnd)
    session.flush()
    response = Response(round_id=rnd.id, respondent="p1", channel="paper")
    session.add(response)
    session.flush()
    q1 = session.exec(select(Question).where(Question.code == "q1")).one()
    session.add(Answer(response_id=response.id, question_id=q1.id, round_id=rnd.id, value=value))
    session.flush()


def test_a_question_with_answers_keeps_its_type_and_is_retired_not_deleted(session):
    save_survey(session, parse_yaml(DESIGN_TEXT))
    _answer_q1(session, "yes")
    changed = DESIGN_TEXT.replace("{code: q1, type: yesno,", "{code: q1, type: number,")
    with pytest.raises(SurveyError, match="type を yesno から変えられません"):
        save_survey(session, parse_yaml(changed.split("indicators:")[0]))
    without_q1 = "\n".join(line for line in DESIGN_TEXT.split("indicators:")[0].splitlines() if "code: q1" not in line)
    report = save_survey(session, parse_yaml(without_q1))
    assert report.retired == ["q1"] and report.removed == []
    q1 = session.exec(select(Question).where(Question.code == "q1")).one()
    assert q1.active is False and session.exec(select(Answer)).one().question_id == q1.id


def test_a_choice_value_with_answers_cannot_be_removed_but_its_label_can_change(session):
    text = "code: s\ntitle: t\nquestions: [{code: q1, type: single, text: a, choices: [{value: a, label: A}, " \
           "{value: b, label: B}, {value: yes, label: C}]}]"
    save_survey(session, parse_yaml(text))
    _answer_q1(session, "yes")
    with pytest.raises(SurveyError, match="消せません"):
        save_survey(session, parse_yaml(text.replace(", {value: yes, label: C}", "")))
    save_survey(session, parse_yaml(text.replace("label: C", "label: しー")))


def test_an_indicator_code_of_another_survey_is_refused(session):
    save_survey(session, parse_yaml(DESIGN_TEXT))
    other = DESIGN_TEXT.replace("code: community-2026", "code: other-2026")
    with pytest.raises(SurveyError, match="別のアンケート"):
        save_survey(session, parse_yaml(other))


def test_a_stored_survey_reads_back_as_the_same_definition(session):
    save_survey(session, parse_yaml(DESIGN_TEXT))
    survey = session.exec(select(Survey)).one()
    first = survey_definition(session, survey)
    again = parse_yaml(dump_yaml(first))
    assert again == parse_definition(first)
    assert [q.code for q in again.questions] == ["q1", "q2", "q3", "q4"]
    assert {i.code for i in again.indicators} == {"participation", "satisfaction", "center-use"}
