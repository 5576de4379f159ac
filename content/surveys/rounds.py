"""Rounds of a survey: numbered per survey, open until they close; and the responses in them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, or_
from sqlmodel import Session, func, select

from models import Resident, Response, Survey, SurveyRound, as_naive_utc


def latest_round(session: Session, survey: Survey) -> SurveyRound | None:
    """The survey's highest-numbered round."""
    return session.exec(select(SurveyRound).where(SurveyRound.survey_id == survey.id)
                        .order_by(SurveyRound.number.desc())).first()


def get_round(session: Session, survey: Survey, number: int) -> SurveyRound | None:
    """Round N of the survey."""
    return session.exec(select(SurveyRound).where(SurveyRound.survey_id == survey.id,
                                                  SurveyRound.number == number)).first()


def create_round(session: Session, survey: Survey, *, number: int | None = None, segment: dict | None = None,
                 closes_at: datetime | None = None, in_chat: bool = True, now: datetime | None = None) -> SurveyRound:
    """A new round (the next number unless given), open from now."""
    if number is None:
        highest = session.exec(select(func.max(SurveyRound.number)).where(SurveyRound.survey_id == survey.id)).first()
        number = (highest or 0) + 1
    rnd = SurveyRound(survey_id=survey.id, number=number, segment=dict(segment or {}), in_chat=in_chat,
                      opens_at=as_naive_utc(now), closes_at=as_naive_utc(closes_at) if closes_at else None,
                      created_at=as_naive_utc(now))
    session.add(rnd)
    session.flush()
    return rnd


def is_open(rnd: SurveyRound, now: datetime | None = None) -> bool:
    """True while residents may answer in the chat."""
    moment = as_naive_utc(now)
    return (rnd.in_chat and rnd.closed_at is None and rnd.opens_at <= moment
            and (rnd.closes_at is None or moment < rnd.closes_at))


def close_round(session: Session, rnd: SurveyRound, now: datetime | None = None) -> None:
    """Close a round now: answers in the chat are no longer taken."""
    if rnd.closed_at is None:
        rnd.closed_at = as_naive_utc(now)
        if rnd.closes_at is None or rnd.closes_at > rnd.closed_at:
            rnd.closes_at = rnd.closed_at
        session.add(rnd)
        session.flush()


# session.info key: a moment at which no round was found open (checked with the resident's row, in one statement).
_NONE_OPEN_AT = "tsunagari.no_open_round_at"


def open_round_exists(moment):
    """A column expression: does any round take answers in the chat at `moment` (a bind parameter or value)."""
    return exists().where(SurveyRound.in_chat == True, SurveyRound.closed_at.is_(None),  # noqa: E712
                          SurveyRound.opens_at <= moment,
                          or_(SurveyRound.closes_at.is_(None), SurveyRound.closes_at > moment))


def remember_open_round_check(session: Session, moment: datetime, any_open: bool) -> None:
    """Note for this session that no round was open at `moment`, so open_rounds(now=moment) asks no more."""
    if not any_open:
        session.info[_NONE_OPEN_AT] = moment


def open_rounds(session: Session, now: datetime | None = None) -> list[SurveyRound]:
    """Rounds taking answers in the chat now, the one closing soonest first."""
    moment = as_naive_utc(now)
    if session.info.get(_NONE_OPEN_AT) == moment:
        return []
    rows = session.exec(select(SurveyRound).where(SurveyRound.in_chat == True,  # noqa: E712
                                                  SurveyRound.closed_at.is_(None),
                                                  SurveyRound.opens_at <= moment)).all()
    rows = [r for r in rows if r.closes_at is None or moment < r.closes_at]
    return sorted(rows, key=lambda r: (r.closes_at or datetime.max, r.id))


def response_of(session: Session, rnd: SurveyRound, resident: Resident) -> Response | None:
    """The resident's response in a round, if they started one."""
    return session.exec(select(Response).where(Response.round_id == rnd.id,
                                               Response.resident_id == resident.id)).first()


def start_response(session: Session, rnd: SurveyRound, resident: Resident, now: datetime | None = None) -> Response:
    """The resident's response, made on their first answer with their district, age group and gender COPIED onto
    it (the tallies keep them if the resident later deletes their data)."""
    response = response_of(session, rnd, resident)
    if response is not None:
        return response
    response = Response(round_id=rnd.id, resident_id=resident.id, channel="line", district=resident.district,
                        age_group=resident.age_group, gender=resident.gender, started_at=as_naive_utc(now))
    session.add(response)
    session.flush()
    return response


def respondent_count(session: Session, rnd: SurveyRound, completed_only: bool = False) -> int:
    """Responses in a round (all, or finished ones)."""
    query = select(func.count()).select_from(Response).where(Response.round_id == rnd.id)
    if completed_only:
        query = query.where(Response.completed_at.is_not(None))
    return int(session.exec(query).one())
