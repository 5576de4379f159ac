"""Results back to residents: after a round closes, staff publish a short summary; those who took part receive it
in the chat (a Delivery of kind survey_results) and anyone can read it on a public page — with the same small-cell
rule as every other table. Also the per-question counts staff know from form tools."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, func, select

from content.deliveries import queue_delivery
from content.i18n import translator
from content.messages import is_sendable_uri, text_message, uri_action
from content.surveys import tally as tallies
from content.surveys.definition import active_questions, shown
from content.surveys.stats import SMALL_CELL
from models import RESIDENT_LANGUAGES, Answer, Indicator, Question, Response, Survey, SurveyRound, as_naive_utc

RESULTS_KIND = "survey_results"
MAX_SUMMARY = 1000


class PublishError(ValueError):
    """The summary cannot be published as asked (message in Japanese)."""


@dataclass
class ChoiceCount:
    """One choice of a question: how many picked it and their share of those who answered."""

    value: str
    label: str
    count: int | None
    percent: float | None


@dataclass
class QuestionCounts:
    """A question's answers as form tools show them: n, and per choice count and %."""

    question: Question
    answered: int
    declined: int
    choices: list[ChoiceCount] = field(default_factory=list)
    mean: float | None = None
    texts: int = 0


def question_counts(session: Session, rnd: SurveyRound, *, hide_small: bool = False) -> list[QuestionCounts]:
    """Counts per question and choice for a round (a multi answer counts for each choice picked); with
    hide_small, a choice picked by 1–9 respondents shows no count (public page)."""
    out = []
    for q in active_questions(session, rnd.survey_id):
        rows = session.exec(select(Answer.value, func.count()).where(Answer.question_id == q.id,
                                                                     Answer.round_id == rnd.id)
                            .group_by(Answer.value)).all()
        declined = sum(c for v, c in rows if v is None)
        texts = 0
        if q.type == "text":
            texts = int(session.exec(select(func.count()).select_from(Answer).where(
                Answer.question_id == q.id, Answer.round_id == rnd.id, Answer.text.is_not(None))).one())
        answered = sum(c for v, c in rows if v is not None) + texts
        counts = QuestionCounts(q, answered, declined - texts if q.type == "text" else declined, texts=texts)
        if q.choices:
            per = {c["value"]: 0 for c in q.choices}
            for value, count in rows:
                for v in (value or "").split(";"):
                    if v in per:
                        per[v] += count
            for c in q.choices:
                n = per[c["value"]]
                hidden = hide_small and n in SMALL_CELL
                counts.choices.append(ChoiceCount(c["value"], shown(c.get("label"), "ja"), None if hidden else n,
                                                  None if hidden or not answered else 100.0 * n / answered))
        if q.type in ("number", "scale") and answered:
            total = sum(float(v) * c for v, c in rows if v is not None)
            counts.mean = total / answered
        out.append(counts)
    return out


def took_part(session: Session, rnd: SurveyRound) -> list[int]:
    """Residents (still linked) who finished the round."""
    return [rid for rid in session.exec(select(Response.resident_id).where(
        Response.round_id == rnd.id, Response.completed_at.is_not(None), Response.resident_id.is_not(None))).all()]


def indicator_lines(session: Session, rnd: SurveyRound, lang: str) -> list[str]:
    """「区（自治会）の活動に参加している人の割合：42.0 %（回答 600人）」 per indicator (weighted when possible)."""
    _ = translator(lang)
    lines = []
    for ind in session.exec(select(Indicator).where(Indicator.survey_id == rnd.survey_id)
                            .order_by(Indicator.position)).all():
        result = tallies.tally(session, ind.code, rnd.number, (), weighted=True)
        o = result.overall
        value = o.weighted_value if o.weighted_value is not None else o.value
        if value is None or o.n in SMALL_CELL:
            continue
        lines.append(_("・{name}：{value} {unit}（回答 {n}人）").format(name=ind.name, value=f"{value:.1f}",
                                                                     unit=ind.unit, n=o.n))
    return lines


def results_messages(session: Session, rnd: SurveyRound, lang: str, page_url: str | None) -> list[dict]:
    """The push to those who took part: thanks, the summary staff wrote, the indicators, a link to the page."""
    _ = translator(lang)
    survey = session.get(Survey, rnd.survey_id)
    title = (survey.translations or {}).get(lang, {}).get("title") or survey.title
    lines = [_("アンケート「{title}」にご協力いただき、ありがとうございました。結果をお知らせします。").format(title=title)]
    if rnd.summary:
        lines.append(rnd.summary)
    lines += indicator_lines(session, rnd, lang)
    actions = [uri_action(_("結果を見る"), page_url)] if page_url and is_sendable_uri(page_url) else None
    return [text_message("\n".join(lines), actions)]


def publish_results(session: Session, rnd: SurveyRound, summary: str, *, page_url: str | None = None,
                    now: datetime | None = None) -> dict:
    """Store the summary and, the first time, push it to those who took part; later edits only change the page."""
    now = as_naive_utc(now)
    summary = (summary or "").strip()
    if not summary:
        raise PublishError("お知らせする要約を入れてください。")
    if len(summary) > MAX_SUMMARY:
        raise PublishError(f"要約は{MAX_SUMMARY}文字までにしてください。")
    if rnd.in_chat and rnd.closed_at is None and (rnd.closes_at is None or rnd.closes_at > now):
        raise PublishError("結果は締め切った回だけお知らせできます。")
    first = rnd.summary_published_at is None
    rnd.summary, rnd.summary_published_at = summary, rnd.summary_published_at or now
    recipients, pushed = 0, False
    if rnd.results_delivery_id is None:
        ids = took_part(session, rnd)
        if ids:
            delivery = queue_delivery(session, kind=RESULTS_KIND, ref_id=rnd.id, resident_ids=ids, messages_by_lang={
                lang: results_messages(session, rnd, lang, page_url) for lang in RESIDENT_LANGUAGES})
            rnd.results_delivery_id, recipients, pushed = delivery.id, delivery.recipients, True
    session.add(rnd)
    session.flush()
    return {"round": rnd.number, "first": first, "pushed": pushed, "recipients": recipients}


@dataclass
class PublicResults:
    """What the public page shows for a round."""

    survey: Survey
    round: SurveyRound
    indicators: list[tallies.TallyResult]
    breakdowns: dict[str, list[tallies.TallyResult]]
    questions: list[QuestionCounts]


def public_results(session: Session, code: str, number: int) -> PublicResults | None:
    """A published round's results (None when unpublished): indicators with breakdowns, counts per question."""
    survey = session.exec(select(Survey).where(Survey.code == code)).first()
    rnd = session.exec(select(SurveyRound).where(SurveyRound.survey_id == survey.id, SurveyRound.number == number)
                       ).first() if survey else None
    if rnd is None or rnd.summary_published_at is None:
        return None
    indicators = session.exec(select(Indicator).where(Indicator.survey_id == survey.id)
                              .order_by(Indicator.position)).all()
    overall = [tallies.tally(session, i.code, number, (), True) for i in indicators]
    breakdowns = {i.code: [tallies.tally(session, i.code, number, (dim,), False)
                           for dim in ("age_group", "gender", "district")] for i in indicators}
    counts = [c for c in question_counts(session, rnd, hide_small=True) if c.question.type != "text"]
    return PublicResults(survey, rnd, overall, breakdowns, counts)


def local_day(moment: datetime | None, tz: str) -> str:
    """2026年5月31日."""
    if moment is None:
        return ""
    local = moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(tz))
    return f"{local.year}年{local.month}月{local.day}日"
