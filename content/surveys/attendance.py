"""An indicator fed by the attendance ledger instead of a question (`source: attendance`, method per_capita):
visits in the 12 months up to the round's close (or today), per resident of the population table — 市民1人当たり.

The ledger is a full record, not a sample: the value has no sampling interval and is not weighted. Each cell's
residents who never came are the population table's count for the cell minus those who came (y = 0), so the
cell table feeds the same tally, breakdowns and small-cell rule as a question. Without a population table the
value is visits per person who came (noted)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
from sqlmodel import Session, func, select

from content.surveys.tally import Grouped, register_source
from models import Attendance, Indicator, PopulationCell, SurveyRound, utcnow

WINDOW = timedelta(days=365)


def window_end(rnd: SurveyRound | None, tz: str = "Asia/Tokyo") -> date:
    """The day after the window: the round's close (or today), in the city's calendar."""
    moment = (rnd.closed_at or rnd.closes_at) if rnd is not None else None
    moment = min(moment or utcnow(), utcnow())
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).date() + timedelta(days=1)


def _population_cells(session: Session) -> dict[tuple, int]:
    """(age group, gender, district) → population, from the latest table's fully split rows."""
    as_of = session.exec(select(func.max(PopulationCell.as_of))).first()
    if as_of is None:
        return {}
    rows = session.exec(select(PopulationCell).where(PopulationCell.as_of == as_of, PopulationCell.district != "",
                                                     PopulationCell.age_group != "", PopulationCell.gender != "")).all()
    return {(c.age_group, c.gender, c.district): c.population for c in rows}


def attendance_grouped(session: Session, ind: Indicator, rnd: SurveyRound | None) -> Grouped:
    """Visits per person by cell over the window, plus the population's non-attendees at y = 0."""
    end = window_end(rnd)
    start = end - WINDOW
    A = Attendance
    person = func.coalesce(A.resident_id, -A.signup_id)  # a deleted resident's visits still count
    per_person = (select(A.age_group, A.gender, A.district, person.label("who"), func.count(A.id).label("visits"))
                  .where(A.attended_on >= start, A.attended_on < end)
                  .group_by(A.age_group, A.gender, A.district, person)).subquery()
    rows = session.exec(select(per_person.c.age_group, per_person.c.gender, per_person.c.district,
                               per_person.c.visits, func.count())
                        .group_by(per_person.c.age_group, per_person.c.gender, per_person.c.district,
                                  per_person.c.visits)).all()
    population = _population_cells(session)
    came: dict[tuple, int] = {}
    ages, genders, districts, ys, counts = [], [], [], [], []
    for age, gender, district, visits, people in rows:
        key = (age or "", gender or "", district or "")
        came[key] = came.get(key, 0) + people
        for column, value in zip((ages, genders, districts, ys, counts), (*key, float(visits), people)):
            column.append(value)
    for key, total in population.items():
        stayed = total - came.get(key, 0)
        if stayed > 0:
            for column, value in zip((ages, genders, districts, ys, counts), (*key, 0.0, stayed)):
                column.append(value)
    grouped = Grouped(ages, genders, districts, np.asarray(ys, float), np.asarray(counts, float))
    grouped.census = True
    grouped.notes = [f"参加記録（{start.isoformat()}〜{(end - timedelta(days=1)).isoformat()}）の全数"
                     + ("を人口表の人口で割った値" if population else "を参加した人数で割った値（人口表がありません）")]
    return grouped


register_source("attendance", attendance_grouped)
