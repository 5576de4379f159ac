"""per_capita fed by the attendance ledger (source: attendance): visits in the last 12 months per resident of the
population table, by cell, with the small-cell rule — no sampling interval, no weighting (a full record)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from content.surveys.definition import SurveyError, parse_yaml, save_survey
from content.surveys.population import load_population
from content.surveys.tally import tally
from models import Attendance, Signup, utcnow

SURVEY = """
code: centers-2026
title: 市民センター
questions:
  - {code: q1, type: yesno, text: 市民センターを知っていますか}
indicators:
  - {code: center-visits, name: 市民1人当たりの市民センター利用回数, unit: 回/年, method: per_capita,
     source: attendance, baseline: {value: 3.77, year: 2022}, target: {value: 4.23, year: 2028}}
"""
POPULATION = ("district,age_group,gender,population,as_of\n北野,60-69,female,100,2025-03-31\n"
              "北野,60-69,male,80,2025-03-31\n南台,60-69,female,50,2025-03-31\n")


def visit(session, n: int, day: date, district="北野", age="60-69", gender="female", person=None) -> None:
    """One attendance row (its sign-up first): person n came on day."""
    signup = Signup(item_kind="event", item_id=1, resident_id=None, checkin_code=f"C{n:06d}", qr_token=f"t{n}",
                    district=district, age_group=age, gender=gender)
    session.add(signup)
    session.flush()
    session.add(Attendance(signup_id=signup.id, resident_id=person, item_kind="event", item_id=1, district=district,
                           age_group=age, gender=gender, attended_on=day))


def test_visits_per_resident_from_the_ledger_by_cell(session):
    from models import Resident

    save_survey(session, parse_yaml(SURVEY))
    load_population(session, POPULATION.encode())
    people = []
    for i in range(12):
        resident = Resident(line_user_id=f"U{i:032d}")
        session.add(resident)
        session.flush()
        people.append(resident.id)
    today = (utcnow() + timedelta(hours=9)).date()
    n = 0
    for i, who in enumerate(people):  # 12 women of 北野 in their 60s: 1, 2 or 3 visits each
        for k in range(1 + i % 3):
            n += 1
            visit(session, n, today - timedelta(days=10 + k), person=who)
    n += 1
    visit(session, n, today - timedelta(days=400), person=people[0])  # older than a year: not counted
    for i in range(3):  # three men: a small cell
        n += 1
        visit(session, n, today - timedelta(days=3), gender="male", person=None)
    session.flush()
    result = tally(session, "center-visits", None, ("gender",), weighted=True).as_json()
    visits = 12 // 3 * (1 + 2 + 3) + 3
    assert result["n"] == 100 + 80 + 50 and result["value"] == pytest.approx(visits / 230)
    assert result["ci_low"] is None and result["weighted"] is None and "全数" in " ".join(result["notes"])
    cells = {c["gender"]: c for c in result["breakdown"]}
    assert cells["female"]["value"] == pytest.approx(24 / 150) and cells["female"]["n"] == 150
    assert cells["male"]["value"] == pytest.approx(3 / 80)


def test_an_attendance_indicator_must_be_per_capita():
    with pytest.raises(SurveyError, match="per_capita にだけ"):
        parse_yaml(SURVEY.replace("method: per_capita", "method: share"))
