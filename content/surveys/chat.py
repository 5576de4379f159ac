"""A survey in the chat, one question per message: a table of states kept in the database.

Where a resident is lives in two places: their Response (which answers exist: the next question is the first
askable one without an answer) and ConversationState (flow "survey", step = the question on screen, data =
the round and, for a multi question, the choices picked so far). Quick replies post back
`action=sv&r=<round>&q=<question>&v=<value>` — the round and question ids make a repeated tap idempotent:
the same answer to the same question is stored once, an answer to an earlier question changes it (until the
last question is answered), and a tap on a closed or finished round is told so.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Callable
from zoneinfo import ZoneInfo

from sqlmodel import Session, delete, select

from content import residents as rs
from content.i18n import N_, translator
from content.menus import command_for, main_menu_actions, normalize_words
from content.messages import message_action, postback_action, text_message
from content.segments import Segment
from content.surveys.definition import active_questions, shown
from content.surveys.rounds import is_open, open_rounds, response_of, start_response
from content.surveys.values import InvalidAnswer, AnswerValue, multi_value, parse_answer
from models import Answer, Question, Resident, Response, Survey, SurveyRound, as_naive_utc

FLOW = "survey"
ACTION = "sv"
LATER, BACK, SKIP, DONE = "_later", "_back", "_skip", "_done"
MAX_MISSES = 2  # after this many texts that are no answer, the text is taken as a question instead
LATER_LABEL, BACK_LABEL, SKIP_LABEL, DONE_LABEL = N_("あとで"), N_("戻る"), N_("答えない"), N_("決定")
NEXT_SURVEY_LABEL = N_("次のアンケート")
SURVEY_WORD = "アンケート"  # the menu word (content.menus) that resumes a survey
LATER_WORDS = ("あとで", "後で", "あと で", "later", "また今度", "あとでこたえる", "中断", "ちゅうだん", "pause")
BACK_WORDS = ("戻る", "もどる", "back", "前へ", "まえ")
SKIP_WORDS = ("答えない", "こたえない", "スキップ", "すきっぷ", "skip", "パス", "pass", "答えたくない")
DONE_WORDS = ("決定", "けってい", "done", "ok", "以上", "これで")


@dataclass
class Progress:
    """A resident's place in a round: the survey's questions and the answers given so far."""

    round: SurveyRound
    survey: Survey
    questions: list[Question]
    response: Response | None
    answers: dict[int, Answer]

    def by_code(self) -> dict[str, Answer]:
        """Answers keyed by question code (for skip conditions)."""
        codes = {q.id: q.code for q in self.questions}
        return {codes[qid]: a for qid, a in self.answers.items() if qid in codes}

    def question(self, question_id) -> Question | None:
        """One of the survey's active questions by id."""
        return next((q for q in self.questions if str(q.id) == str(question_id)), None)


def load_progress(session: Session, rnd: SurveyRound, resident: Resident) -> Progress:
    """The round's survey, questions and the resident's answers (none yet without a response)."""
    survey = session.get(Survey, rnd.survey_id)
    response = response_of(session, rnd, resident) if not rs.is_transient(resident) else None
    answers = {}
    if response is not None:
        answers = {a.question_id: a for a in session.exec(select(Answer).where(Answer.response_id == response.id))}
    return Progress(rnd, survey, active_questions(session, rnd.survey_id), response, answers)


# --- skip conditions ----------------------------------------------------------------------------

def condition_holds(condition: dict, given: dict[str, Answer]) -> list[bool]:
    """For each named question: does its answer fit (values, or a min/max range)? No answer never fits."""
    results = []
    for code, wanted in condition.items():
        answer = given.get(code)
        if answer is None or (answer.value is None and answer.number is None):
            results.append(False)
        elif isinstance(wanted, dict):
            number = answer.number if answer.number is not None else _to_float(answer.value)
            results.append(number is not None and wanted.get("min", float("-inf")) <= number
                           <= wanted.get("max", float("inf")))
        else:
            results.append(bool(set(wanted) & set((answer.value or "").split(";"))))
    return results


def _to_float(value: str | None) -> float | None:
    """A stored value as a number, if it is one."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def askable(question: Question, given: dict[str, Answer]) -> bool:
    """ask_if: every condition fits; skip_if: none fits."""
    if question.ask_if and not all(condition_holds(question.ask_if, given)):
        return False
    return not (question.skip_if and any(condition_holds(question.skip_if, given)))


def next_question(progress: Progress) -> Question | None:
    """The first question to ask that has no answer yet (None: the survey is done)."""
    given = progress.by_code()
    return next((q for q in progress.questions if q.id not in progress.answers and askable(q, given)), None)


def previous_question(progress: Progress, current: Question) -> Question | None:
    """The askable question answered just before `current` (for 「戻る」)."""
    given = progress.by_code()
    earlier = [q for q in progress.questions if q.position < current.position and q.id in progress.answers
               and askable(q, given)]
    return earlier[-1] if earlier else None


# --- messages -----------------------------------------------------------------------------------

def local_text(moment: datetime | None, zone: tzinfo) -> str:
    """A stored UTC time as 5/31 23:59 in the city's zone."""
    if moment is None:
        return ""
    local = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    return f"{local.month}/{local.day} {local:%H:%M}"


def choice_label(choice: dict, lang: str) -> str:
    """A choice's label in the resident's language (はい/いいえ through the catalogs)."""
    label = shown(choice.get("label"), lang)
    return translator(lang)(label) if choice.get("fixed") else label


def _pick(rnd: SurveyRound, question: Question, value: str, label: str, display: str | None = None,
          **extra) -> dict:
    """A quick reply answering `question` with `value` (ids in the data: a repeat is recognised)."""
    return postback_action(label, ACTION, display_text=display or label, r=rnd.id, q=question.id, v=value, **extra)


def question_messages(progress: Progress, question: Question, lang: str, *, picked: list[str] | None = None,
                      lead: str | None = None) -> list[dict]:
    """One question as one text message: its number, its text, a hint, and its choices as quick replies."""
    _ = translator(lang)
    rnd = progress.round
    index = next((i for i, q in enumerate(progress.questions) if q.id == question.id), 0) + 1
    lines = [lead] if lead else []
    lines.append(_("（{i}/{n}）").format(i=index, n=len(progress.questions)) + shown(question.text, lang))
    actions: list[dict] = []
    if question.type == "multi":
        picked = picked or []
        names = [choice_label(c, lang) for c in question.choices if c["value"] in picked]
        lines.append(_("あてはまるものをすべて選び、最後に「決定」を押してください。"))
        lines.append(_("いま選んでいるもの：{items}").format(items="、".join(names)) if names
                     else _("まだ何も選んでいません。"))
        for c in question.choices:
            on = c["value"] in picked
            label = ("✓" if on else "") + choice_label(c, lang)
            actions.append(_pick(rnd, question, c["value"], label, choice_label(c, lang), on=0 if on else 1))
        actions.append(_pick(rnd, question, DONE, _(DONE_LABEL)))
    elif question.choices:
        actions += [_pick(rnd, question, c["value"], choice_label(c, lang)) for c in question.choices]
    if question.type != "multi" and question.id in progress.answers:
        lines.append(_("いまの回答：{answer}").format(answer=answer_text(question, progress.answers[question.id], lang)))
    elif question.type == "number":
        lines.append(number_hint(question, lang))
    else:
        lines.append(_("ご自由に書いて送ってください。"))
    if not question.required:
        actions.append(_pick(rnd, question, SKIP, _(SKIP_LABEL)))
    if progress.response is not None and previous_question(progress, question) is not None:
        actions.append(_pick(rnd, question, BACK, _(BACK_LABEL)))
    actions.append(_pick(rnd, question, LATER, _(LATER_LABEL)))
    return [text_message("\n".join(lines), actions)]


def answer_text(question: Question, answer: Answer, lang: str) -> str:
    """An answer given, as the resident would say it (「答えない」 for a declined question)."""
    _ = translator(lang)
    if answer.value is None and answer.text is None:
        return _(SKIP_LABEL)
    if question.type == "text":
        return answer.text or ""
    if question.type == "number":
        return answer.value + (question.unit or "")
    labels = {c["value"]: choice_label(c, lang) for c in question.choices}
    return "、".join(labels.get(v, v) for v in (answer.value or "").split(";"))


def number_hint(question: Question, lang: str) -> str:
    """「数字で答えてください（0〜31）。」"""
    _ = translator(lang)
    low = "" if question.min_value is None else f"{question.min_value:g}"
    high = "" if question.max_value is None else f"{question.max_value:g}"
    if low or high:
        return _("数字で答えてください（{low}〜{high}）。").format(low=low, high=high)
    return _("数字で答えてください。")


def invalid_messages(progress: Progress, question: Question, reason: str, lang: str,
                     picked: list[str] | None = None) -> list[dict]:
    """A polite 'once more', naming what fits, then the question again."""
    _ = translator(lang)
    if question.type == "number":
        lead = (_("すみません、{low}から{high}までの数で答えてください。").format(
            low=f"{question.min_value:g}" if question.min_value is not None else "",
            high=f"{question.max_value:g}" if question.max_value is not None else "")
                if reason == "range" else _("すみません、数字で答えてください（例：3）。"))
    elif question.choices:
        names = "、".join(choice_label(c, lang) for c in question.choices)
        lead = _("すみません、お答えを読み取れませんでした。次の中から選んでください：{choices}").format(choices=names)
    else:
        lead = _("すみません、お答えを読み取れませんでした。もう一度送ってください。")
    return question_messages(progress, question, lang, picked=picked, lead=lead)


def intro_text(survey: Survey, rnd: SurveyRound, count: int, lang: str, zone: tzinfo) -> str:
    """The first lines of a round: what, how long, until when."""
    _ = translator(lang)
    title = (survey.translations or {}).get(lang, {}).get("title") or survey.title
    lines = [_("アンケートへのご協力のお願いです：{title}").format(title=title),
             _("全{n}問、1〜2分で終わります。").format(n=count)]
    intro = (survey.translations or {}).get(lang, {}).get("intro") or survey.intro
    if intro:
        lines.insert(1, intro)
    if rnd.closes_at:
        lines.append(_("締切：{date}").format(date=local_text(rnd.closes_at, zone)))
    return "\n".join(lines)


def round_intro_messages(session: Session, rnd: SurveyRound, lang: str, zone: tzinfo) -> list[dict]:
    """The push that opens a round: the intro and the first question (the same for everyone)."""
    survey = session.get(Survey, rnd.survey_id)
    progress = Progress(rnd, survey, active_questions(session, rnd.survey_id), None, {})
    first = next_question(progress)
    intro = text_message(intro_text(survey, rnd, len(progress.questions), lang, zone))
    return [intro] + (question_messages(progress, first, lang) if first is not None else [])


def reminder_messages(session: Session, rnd: SurveyRound, lang: str, zone: tzinfo) -> list[dict]:
    """The one reminder before the close: a tap on 「答える」 resumes where the resident left off."""
    _ = translator(lang)
    survey = session.get(Survey, rnd.survey_id)
    title = (survey.translations or {}).get(lang, {}).get("title") or survey.title
    text = _("アンケート「{title}」の締切が近づいています（{date}まで）。まだの方は、ご協力をお願いします。").format(
        title=title, date=local_text(rnd.closes_at, zone))
    return [text_message(text, [message_action(_("答える"), SURVEY_WORD), message_action(_("あとで"))])]


# --- moving through the table ---------------------------------------------------------------------

def _zone(now: datetime) -> tzinfo:
    """The city's zone, from the handler's aware now."""
    return now.tzinfo or ZoneInfo("Asia/Tokyo")


def _save_position(session: Session, resident: Resident, progress: Progress, question: Question,
                   now: datetime, picked: list[str] | None = None, misses: int = 0) -> None:
    """The question on screen (ConversationState) and on the response (for staff and resuming)."""
    data = {"round": progress.round.id, "misses": misses}
    if picked:
        data["picked"] = list(picked)
    rs.save_conversation(session, resident, FLOW, str(question.id), data, now)
    if progress.response is not None:
        progress.response.current_question_id = question.id
        session.add(progress.response)


def ask(session: Session, resident: Resident, progress: Progress, question: Question, lang: str, now: datetime,
        *, lead: str | None = None, picked: list[str] | None = None) -> list[dict]:
    """Show a question and remember that it is on screen."""
    _save_position(session, resident, progress, question, now, picked)
    return question_messages(progress, question, lang, picked=picked, lead=lead)


def _store(session: Session, progress: Progress, resident: Resident, question: Question, answer: AnswerValue | None,
           now: datetime) -> bool:
    """Store (or change) one answer; None = declined. Returns whether anything changed."""
    if progress.response is None:
        progress.response = start_response(session, progress.round, resident, now)
    response = progress.response
    row = progress.answers.get(question.id)
    value = answer.value if answer else None
    number = answer.number if answer else None
    text = answer.text if answer else None
    if row is not None and (row.value, row.number, row.text) == (value, number, text):
        return False  # the same answer again (a double tap): counted once
    row = row or Answer(response_id=response.id, question_id=question.id, round_id=progress.round.id,
                        district=response.district, age_group=response.age_group, gender=response.gender)
    row.value, row.number, row.text, row.answered_at = value, number, text, as_naive_utc(now)
    session.add(row)
    session.flush()
    progress.answers[question.id] = row
    _drop_unaskable(session, progress)
    return True


def _drop_unaskable(session: Session, progress: Progress) -> None:
    """After a changed answer, later answers whose condition no longer holds are removed."""
    given = progress.by_code()
    for q in progress.questions:
        if q.id in progress.answers and not askable(q, given):
            session.exec(delete(Answer).where(Answer.id == progress.answers[q.id].id))
            del progress.answers[q.id]
            given = progress.by_code()


def advance(session: Session, resident: Resident, progress: Progress, lang: str, now: datetime,
            lead: str | None = None) -> list[dict]:
    """Ask the next question, or finish the response with thanks."""
    question = next_question(progress)
    if question is not None:
        return ask(session, resident, progress, question, lang, now, lead=lead)
    return finish(session, resident, progress, lang, now)


def finish(session: Session, resident: Resident, progress: Progress, lang: str, now: datetime) -> list[dict]:
    """Every askable question answered: the response is complete, the conversation ends."""
    _ = translator(lang)
    response = progress.response
    response.completed_at = response.answered_at = as_naive_utc(now)
    response.current_question_id = None
    session.add(response)
    rs.clear_conversation(session, resident)
    actions = main_menu_actions(lang)
    if _rounds_to_answer(session, resident, now):
        actions = [message_action(_(NEXT_SURVEY_LABEL), SURVEY_WORD)] + actions
    return [text_message(_("回答ありがとうございました。結果はまとまり次第お知らせします。"), actions)]


def pause(session: Session, resident: Resident, progress: Progress, lang: str, now: datetime) -> list[dict]:
    """「あとで」: the answers so far are kept; the 「アンケート」 word resumes."""
    _ = translator(lang)
    rs.clear_conversation(session, resident)
    if progress.answers:
        lines = [_("途中まで保存しました。続きはメニューの「アンケート」からいつでも答えられます。")]
    else:  # nothing answered yet: nothing was saved, and saying so would puzzle
        lines = [_("わかりました。メニューの「アンケート」からいつでも答えられます。")]
    if progress.round.closes_at:
        lines.append(_("締切：{date}").format(date=local_text(progress.round.closes_at, _zone(now))))
    return [text_message("\n".join(lines), main_menu_actions(lang))]


def closed_messages(lang: str) -> list[dict]:
    """A tap on a round that has closed."""
    _ = translator(lang)
    return [text_message(_("このアンケートは締め切りました。ご協力ありがとうございました。"), main_menu_actions(lang))]


def already_done_messages(session: Session, resident: Resident, lang: str, now: datetime) -> list[dict]:
    """A tap on a round the resident finished: answers are final after the last question."""
    _ = translator(lang)
    actions = main_menu_actions(lang)
    if _rounds_to_answer(session, resident, now):
        actions = [message_action(_(NEXT_SURVEY_LABEL), SURVEY_WORD)] + actions
    return [text_message(_("このアンケートにはもう回答いただいています。ありがとうございました。"), actions)]


# --- entry points (called by handlers/survey.py) ---------------------------------------------------

def in_round(rnd: SurveyRound, resident: Resident) -> bool:
    """Whether the round's segment takes in the resident (as they are now)."""
    try:
        return Segment.of(rnd.segment or {}).matches(resident)
    except ValueError:
        return False


def _rounds_to_answer(session: Session, resident: Resident, now: datetime) -> list[SurveyRound]:
    """Open rounds the resident may answer and has not finished: started ones first, then the soonest closing."""
    if rs.is_transient(resident):
        return []
    found = []
    for rnd in open_rounds(session, now):
        response = response_of(session, rnd, resident)
        if response is not None and response.completed_at is not None:
            continue
        if response is not None or in_round(rnd, resident):
            found.append((response is None, rnd))
    return [rnd for _fresh, rnd in sorted(found, key=lambda pair: pair[0])]


def begin(session: Session, resident: Resident, rnd: SurveyRound, lang: str, now: datetime) -> list[dict]:
    """Start or resume a round where the resident left off."""
    _ = translator(lang)
    progress = load_progress(session, rnd, resident)
    question = next_question(progress)
    if question is None:  # nothing left to ask (or a survey whose conditions exclude everything)
        if progress.response is None:
            progress.response = start_response(session, rnd, resident, now)
        return finish(session, resident, progress, lang, now)
    if progress.response is None:
        lead = intro_text(progress.survey, rnd, len(progress.questions), lang, _zone(now))
    else:
        lead = _("前回の続きから始めます。")
    return ask(session, resident, progress, question, lang, now, lead=lead)


def survey_entry(session: Session, resident: Resident, lang: str, now: datetime,
                 no_survey: Callable[[str], list[dict]]) -> list[dict]:
    """The アンケート tile or word: resume or start an open round, else say there is none."""
    rounds = _rounds_to_answer(session, resident, now)
    if rounds:
        return begin(session, resident, rounds[0], lang, now)
    if not rs.is_transient(resident) and any(
            (r := response_of(session, rnd, resident)) is not None and r.completed_at is not None
            for rnd in open_rounds(session, now)):
        return already_done_messages(session, resident, lang, now)
    return no_survey(lang)


def on_answer_postback(session: Session, resident: Resident, data: dict, lang: str, now: datetime) -> list[dict]:
    """A tapped quick reply: r (round), q (question), v (value or _later/_back/_skip/_done), on (multi)."""
    rnd = session.get(SurveyRound, int(data["r"])) if str(data.get("r", "")).isdigit() else None
    if rnd is None:
        return closed_messages(lang)
    progress = load_progress(session, rnd, resident)
    if progress.response is not None and progress.response.completed_at is not None:
        return already_done_messages(session, resident, lang, now)
    if not is_open(rnd, now):
        rs.clear_conversation(session, resident)
        return closed_messages(lang)
    question = progress.question(data.get("q"))
    if question is None:
        return advance(session, resident, progress, lang, now)
    state = rs.get_conversation(session, resident)
    picked = list((state.data or {}).get("picked", [])) if state and state.step == str(question.id) else []
    return apply_answer(session, resident, progress, question, str(data.get("v", "")), lang, now,
                        picked=picked, on=data.get("on"))


def apply_answer(session: Session, resident: Resident, progress: Progress, question: Question, value: str,
                 lang: str, now: datetime, *, picked: list[str] | None = None, on: str | None = None,
                 typed: AnswerValue | None = None) -> list[dict]:
    """One step of the table: pause, back, skip, a multi toggle or 決定, or an answer (tapped or typed)."""
    _ = translator(lang)
    if value == LATER:
        return pause(session, resident, progress, lang, now)
    if value == BACK:
        before = previous_question(progress, question) if progress.response is not None else None
        return ask(session, resident, progress, before or question, lang, now)
    was_answered = question.id in progress.answers
    current = next_question(progress)
    if value == SKIP:
        if question.required:
            return ask(session, resident, progress, question, lang, now)
        answer = None
    elif question.type == "multi" and value != DONE and typed is None:
        return _toggle(session, resident, progress, question, value, on, picked or [], lang, now)
    elif question.type == "multi" and typed is None:
        if not picked:
            return ask(session, resident, progress, question, lang, now,
                       lead=_("1つ以上選んでから「決定」を押してください。"))
        answer = multi_value(question, set(picked))
    else:
        try:
            answer = typed or parse_answer(question, value)
        except InvalidAnswer as exc:
            return invalid_messages(progress, question, exc.reason, lang, picked)
    changed = _store(session, progress, resident, question, answer, now)
    lead = _("回答を変更しました。") if changed and was_answered and current is not None and current.id != question.id \
        else None
    return advance(session, resident, progress, lang, now, lead=lead)


def _toggle(session: Session, resident: Resident, progress: Progress, question: Question, value: str,
            on: str | None, picked: list[str], lang: str, now: datetime) -> list[dict]:
    """Pick (on=1) or unpick (on=0) one choice of a multi question: setting a state, so a repeat is harmless."""
    if value not in {c["value"] for c in question.choices}:
        return ask(session, resident, progress, question, lang, now, picked=picked)
    chosen = [v for v in picked if v != value] + ([value] if on != "0" else [])
    return ask(session, resident, progress, question, lang, now, picked=chosen)


# --- typed text ---------------------------------------------------------------------------------

def _word(text: str, words: tuple[str, ...]) -> bool:
    """Whether a text is one of the words (any width or case)."""
    return normalize_words(text) in {normalize_words(w) for w in words}


def control_value(text: str, lang: str) -> str | None:
    """あとで / 戻る / 答えない / 決定, typed or as their translated labels."""
    _ = translator(lang)
    for value, label, words in ((LATER, LATER_LABEL, LATER_WORDS), (BACK, BACK_LABEL, BACK_WORDS),
                                (SKIP, SKIP_LABEL, SKIP_WORDS), (DONE, DONE_LABEL, DONE_WORDS)):
        if _word(text, words + (_(label),)):
            return value
    return None


def take_text(session: Session, resident: Resident, step: str, data: dict, text: str, lang: str,
              now: datetime) -> list[dict] | None:
    """A typed text while a question is on screen: an answer, a control word, or None (the resident asked
    something else: the handler answers that and the survey waits)."""
    rnd = session.get(SurveyRound, int(data.get("round", 0) or 0))
    if rnd is None:
        return None
    progress = load_progress(session, rnd, resident)
    question = progress.question(step)
    if question is None or not is_open(rnd, now):
        return None
    picked = list(data.get("picked", []))
    control = control_value(text, lang)
    if control is not None and not (control == DONE and question.type != "multi"):
        return apply_answer(session, resident, progress, question, control, lang, now, picked=picked)
    if command_for(text) is not None and question.type != "text":
        return None  # a menu word: the survey waits, the menu answers
    try:
        typed = parse_answer(question, text)
    except InvalidAnswer as exc:
        misses = int(data.get("misses", 0)) + 1
        if misses > MAX_MISSES:
            return None
        messages = invalid_messages(progress, question, exc.reason, lang, picked)
        _save_position(session, resident, progress, question, now, picked, misses)
        return messages
    return apply_answer(session, resident, progress, question, "", lang, now, typed=typed)


def leave_messages(lang: str) -> list[dict]:
    """Said when the resident typed something else mid-survey: it is kept, and how to go on."""
    _ = translator(lang)
    return [text_message(_("アンケートは途中まで保存しました。「アンケート」からいつでも続けられます。"))]


def first_answer_typed(session: Session, resident: Resident, text: str, lang: str, now: datetime) -> list[dict] | None:
    """A text typed right after a round's push (no conversation yet) that answers its first question."""
    if rs.is_transient(resident) or command_for(text) is not None:
        return None
    for rnd in _rounds_to_answer(session, resident, now):
        progress = load_progress(session, rnd, resident)
        if progress.response is not None:
            continue
        question = next_question(progress)
        if question is None or question.type == "text":
            continue
        try:
            typed = parse_answer(question, text)
        except InvalidAnswer:
            continue
        return apply_answer(session, resident, progress, question, "", lang, now, typed=typed)
    return None


def unlink_resident(session: Session, resident: Resident) -> None:
    """Before a resident is deleted: their responses stay (with the copied attributes) but no longer name them."""
    for response in session.exec(select(Response).where(Response.resident_id == resident.id)).all():
        response.resident_id = None
        session.add(response)
    session.flush()
