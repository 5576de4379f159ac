"""Opening and closing rounds through the shared push engine: `survey open` queues the intro push (kind
"survey") with the first question to the segment; the round job queues one reminder (kind "survey_reminder")
before the close to those who have not finished; closing stops answers in the chat."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from content.deliveries import queue_delivery
from content.quiet_hours import DEFAULT_QUIET_HOURS, next_allowed_time, parse_quiet_hours
from content.segments import Segment, SegmentError, parse_segment, resolve_segment, segment_resident_ids
from content.surveys.chat import reminder_messages, round_intro_messages
from content.surveys.definition import active_questions, find_survey
from content.surveys.rounds import close_round, create_round, get_round, is_open, latest_round, respondent_count
from models import RESIDENT_LANGUAGES, Response, SurveyRound, as_naive_utc, utcnow

REMINDER_HOUR = 10  # the day before the close, at 10:00 city time: awake, not yet busy
DELIVERY_KIND, REMINDER_KIND = "survey", "survey_reminder"


class RoundError(ValueError):
    """A round that cannot be opened or closed as asked (message in Japanese)."""


def messages_by_language(build, session: Session, rnd: SurveyRound, zone: ZoneInfo) -> dict:
    """{"ja": [...], "en": [...], "ja-easy": [...]} from a builder (session, round, language, zone)."""
    return {lang: build(session, rnd, lang, zone) for lang in RESIDENT_LANGUAGES}


def reminder_time(opens: datetime, closes: datetime | None, tz: str, quiet_value: str | None) -> datetime | None:
    """When the one reminder goes (naive UTC): 10:00 the day before the close, or halfway through a short round,
    moved out of quiet hours; None when no such moment is left before the close."""
    if closes is None:
        return None
    zone = ZoneInfo(tz)
    close_local = closes.replace(tzinfo=timezone.utc).astimezone(zone)
    day_before = datetime.combine(close_local.date() - timedelta(days=1), time(REMINDER_HOUR), tzinfo=zone)
    moment = as_naive_utc(day_before)
    if moment <= opens + timedelta(hours=6):
        moment = opens + (closes - opens) / 2
    moment = next_allowed_time(moment, parse_quiet_hours(quiet_value), tz)
    return moment if opens < moment < closes else None


def open_round(session: Session, code: str, segment_specs: list[str], *, closes_at: datetime | None = None,
               tz: str = "Asia/Tokyo", quiet_hours: str | None = DEFAULT_QUIET_HOURS,
               now: datetime | None = None) -> dict:
    """A new round for the segment, its intro push queued; returns {"survey", "round", "recipients"}."""
    survey = find_survey(session, code)
    if survey is None:
        raise RoundError(f"アンケート {code} がありません（tsunagari survey load で読み込んでください）")
    if not active_questions(session, survey.id):
        raise RoundError(f"アンケート {code} には質問がありません")
    now = as_naive_utc(now)
    latest = latest_round(session, survey)
    if latest is not None and is_open(latest, now):
        raise RoundError(f"{code} の第{latest.number}回がまだ開いています（tsunagari survey close {code} で締め切ってから）")
    closes = as_naive_utc(closes_at) if closes_at else None
    if closes is not None and closes <= now:
        raise RoundError("締切（--closes）は今より後にしてください")
    try:
        segment = resolve_segment(session, parse_segment(segment_specs))
    except SegmentError as exc:
        raise RoundError(f"対象（--segment）: {exc}")
    rnd = create_round(session, survey, segment=segment.to_dict(), closes_at=closes, now=now)
    rnd.reminder_at = reminder_time(rnd.opens_at, closes, tz, quiet_hours)
    zone = ZoneInfo(tz)
    delivery = queue_delivery(session, kind=DELIVERY_KIND, ref_id=rnd.id, segment=segment,
                              messages_by_lang=messages_by_language(round_intro_messages, session, rnd, zone))
    rnd.intro_delivery_id, rnd.recipients = delivery.id, delivery.recipients
    session.add(rnd)
    session.flush()
    return {"survey": survey.code, "round": rnd.number, "recipients": delivery.recipients,
            "delivery": delivery.id, "closes_at": closes.isoformat() + "Z" if closes else None,
            "reminder_at": rnd.reminder_at.isoformat() + "Z" if rnd.reminder_at else None}


def find_round_or_refuse(session: Session, code: str, number: int | None) -> SurveyRound:
    """Round N of a survey (its latest without N), or RoundError."""
    survey = find_survey(session, code)
    if survey is None:
        raise RoundError(f"アンケート {code} がありません")
    rnd = get_round(session, survey, number) if number is not None else latest_round(session, survey)
    if rnd is None:
        raise RoundError(f"{code} の回がありません" if number is None else f"{code} の第{number}回はありません")
    return rnd


def close_survey_round(session: Session, code: str, number: int | None = None, now: datetime | None = None) -> dict:
    """Close a round now; returns how many responded and finished."""
    rnd = find_round_or_refuse(session, code, number)
    close_round(session, rnd, now)
    return {"survey": code, "round": rnd.number, "closed_at": rnd.closed_at.isoformat() + "Z",
            "responses": respondent_count(session, rnd), "completed": respondent_count(session, rnd, True)}


def not_finished(session: Session, rnd: SurveyRound) -> list[int]:
    """Residents of the round's segment (following, notices on) who have not finished it."""
    finished = set(session.exec(select(Response.resident_id).where(Response.round_id == rnd.id,
                                                                   Response.completed_at.is_not(None))).all())
    return [rid for rid in segment_resident_ids(session, Segment.of(rnd.segment or {})) if rid not in finished]


def queue_due_reminders(session: Session, tz: str = "Asia/Tokyo", now: datetime | None = None) -> int:
    """Queue the one reminder of every open round whose reminder time has come (never twice)."""
    now = as_naive_utc(now)
    due = session.exec(select(SurveyRound).where(SurveyRound.reminder_at.is_not(None),
                                                 SurveyRound.reminder_at <= now,
                                                 SurveyRound.reminder_queued_at.is_(None))).all()
    queued = 0
    zone = ZoneInfo(tz)
    for rnd in due:
        rnd.reminder_queued_at = now
        if is_open(rnd, now):
            ids = not_finished(session, rnd)
            if ids:
                delivery = queue_delivery(session, kind=REMINDER_KIND, ref_id=rnd.id, resident_ids=ids,
                                          messages_by_lang=messages_by_language(reminder_messages, session, rnd, zone))
                rnd.reminder_delivery_id = delivery.id
                queued += 1
        session.add(rnd)
    session.flush()
    return queued


def round_status(session: Session, rnd: SurveyRound, now: datetime | None = None) -> str:
    """受付中 / 締切 / 紙のみ, for staff."""
    if not rnd.in_chat:
        return "紙・電話のみ"
    return "受付中" if is_open(rnd, now or utcnow()) else "締切"
