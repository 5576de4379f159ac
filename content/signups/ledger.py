"""What organizers and staff read: each item's sign-ups, waitlist and attendance, their CSV, counts per event,
organization, district and month, and attendance per resident for the plan's 利用回数 (per_capita)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Optional

from sqlalchemy import func
from sqlmodel import select

from content.signups.items import Item, kind_of
from models import Attendance, Event, Opportunity, Organization, Signup

SMALL_CELL = 10  # breakdown cells of 1–9 people are hidden (DESIGN: Privacy)
STATUS_LABELS = {"going": "参加", "waitlisted": "キャンセル待ち", "cancelled": "キャンセル"}
VIA_LABELS = {"code": "受付コード", "list": "一覧で手入力"}


@dataclass
class SignupLine:
    """One row of an organizer's list: the sign-up, its number, waitlist place and attendance."""

    number: int  # 受付番号: order of signing up for this item
    signup: Signup
    position: int
    attendance: Optional[Attendance]


def item_lines(session, item: Item) -> list[SignupLine]:
    """The item's sign-ups: going first (in order of signing up), then the waitlist in its order, then cancelled."""
    kind = kind_of(item)
    signups = session.exec(select(Signup).where(Signup.item_kind == kind, Signup.item_id == item.id)
                           .order_by(Signup.created_at, Signup.id)).all()
    attended = {a.signup_id: a for a in session.exec(select(Attendance).where(Attendance.item_kind == kind,
                                                                                 Attendance.item_id == item.id))}
    numbers = {s.id: n for n, s in enumerate(signups, start=1)}
    waiting = sorted((s for s in signups if s.status == "waitlisted"), key=lambda s: (s.queued_at, s.id))
    positions = {s.id: n for n, s in enumerate(waiting, start=1)}
    order = {"going": 0, "waitlisted": 1, "cancelled": 2}
    lines = [SignupLine(numbers[s.id], s, positions.get(s.id, 0), attended.get(s.id)) for s in signups]
    lines.sort(key=lambda line: (order.get(line.signup.status, 3), line.position, line.number))
    return lines


def item_counts(lines: list[SignupLine]) -> dict:
    """参加・キャンセル待ち・キャンセル・出席・繰り上げ for one item."""
    statuses = [line.signup.status for line in lines]
    return {"going": statuses.count("going"), "waitlisted": statuses.count("waitlisted"),
            "cancelled": statuses.count("cancelled"),
            "attended": sum(1 for line in lines if line.attendance is not None),
            "promoted": sum(1 for line in lines if line.signup.promoted_at is not None)}


EXPORT_HEADER = ("受付番号", "受付コード", "状態", "キャンセル待ちの順番", "申込日時", "繰り上げ日時", "キャンセル日時",
                 "出席", "出席の記録", "出席を記録した日時")


def export_csv(lines: Iterable[SignupLine], local) -> str:
    """The list as CSV for Excel in Japan: UTF-8 with BOM, Japanese header row; `local` formats times."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER)
    for line in lines:
        s, a = line.signup, line.attendance
        writer.writerow([line.number, s.checkin_code, STATUS_LABELS.get(s.status, s.status), line.position or "",
                         local(s.created_at), local(s.promoted_at), local(s.cancelled_at), "出席" if a else "",
                         VIA_LABELS.get(a.via, a.via) if a else "", local(a.recorded_at) if a else ""])
    return "\ufeff" + buffer.getvalue()


# --- numbers for the plan --------------------------------------------------------------------------------

def _period(stmt, column, start: Optional[date], end: Optional[date]):
    """Limit a statement to [start, end)."""
    if start is not None:
        stmt = stmt.where(column >= start)
    if end is not None:
        stmt = stmt.where(column < end)
    return stmt


def attendance_by(session, key: str, start: Optional[date] = None, end: Optional[date] = None,
                  organization_id: Optional[int] = None) -> list[dict]:
    """Attendance counted by organization, district or month: {key, visits, people, suppressed}.
    District cells of 1–9 people are suppressed (visits and people None)."""
    A = Attendance
    column = {"organization": A.organization_id, "district": A.district, "month": func.substr(func.cast(A.attended_on, _text_type()), 1, 7)}[key]
    people = func.count(func.distinct(func.coalesce(A.resident_id, -A.signup_id)))
    stmt = select(column, func.count(A.id), people).group_by(column).order_by(column)
    if organization_id is not None:
        stmt = stmt.where(A.organization_id == organization_id)
    rows = session.exec(_period(stmt, A.attended_on, start, end)).all()
    out = []
    for value, visits, who in rows:
        hide = key == "district" and 0 < who < SMALL_CELL
        out.append({"key": value, "visits": None if hide else visits, "people": None if hide else who,
                    "suppressed": hide})
    return out


def _text_type():
    """A portable text type for the month key."""
    from sqlalchemy import String

    return String()


def signups_by_item(session, start: Optional[date] = None, end: Optional[date] = None,
                    organization_id: Optional[int] = None) -> list[dict]:
    """Per item with sign-ups: title, date, organization, going, waitlisted, cancelled, attended."""
    rows = session.exec(select(Signup.item_kind, Signup.item_id, Signup.status, func.count(Signup.id))
                        .group_by(Signup.item_kind, Signup.item_id, Signup.status)).all()
    counts: dict[tuple, dict] = {}
    for kind, item_id, status, n in rows:
        counts.setdefault((kind, item_id), {"going": 0, "waitlisted": 0, "cancelled": 0})[status] = n
    attended = dict(((k, i), n) for k, i, n in session.exec(
        select(Attendance.item_kind, Attendance.item_id, func.count(Attendance.id))
        .group_by(Attendance.item_kind, Attendance.item_id)).all())
    orgs = {o.id: o.name for o in session.exec(select(Organization)).all()}
    out = []
    for (kind, item_id), row in counts.items():
        model = Event if kind == "event" else Opportunity
        item = session.get(model, item_id)
        if item is None or (organization_id is not None and item.organization_id != organization_id):
            continue
        day = item.starts_at.date() if item.starts_at else None
        if (start is not None and (day is None or day < start)) or (end is not None and (day is None or day >= end)):
            continue
        out.append({"kind": kind, "id": item_id, "title": item.title, "starts_at": item.starts_at,
                    "organization": orgs.get(item.organization_id, item.organizer or ""), "capacity": item.capacity,
                    **row, "attended": attended.get((kind, item_id), 0)})
    out.sort(key=lambda r: (r["starts_at"] is None, r["starts_at"], r["id"]))
    return out


def attendance_per_resident(session, start: date, end: date, by: tuple[str, ...] = ("age_group", "gender", "district"),
                            population: Optional[dict] = None, facility_ids: Optional[list[int]] = None,
                            annualize: float = 1.0) -> list[dict]:
    """利用回数 from the ledger for the survey issue's per_capita indicator: visits in [start, end) per person,
    by cell of `by` (age_group, gender, district; () = the whole city).

    Each cell: {<by keys>, visits, people, population, value, suppressed}. `value` = visits × annualize ÷ the
    cell's population when `population` ({tuple of by-values: count}) is given — 市民1人当たり — else ÷ the
    people who came. A cell of 1–9 people is suppressed (value, visits, people None)."""
    A = Attendance
    columns = [getattr(A, name) for name in by]
    person = func.coalesce(A.resident_id, -A.signup_id)  # an unlinked (deleted) resident still counts once
    stmt = select(*columns, func.count(A.id), func.count(func.distinct(person))).where(
        A.attended_on >= start, A.attended_on < end)
    if facility_ids is not None:
        stmt = stmt.where(A.facility_id.in_(facility_ids))
    if columns:
        stmt = stmt.group_by(*columns).order_by(*columns)
    cells = []
    for row in session.exec(stmt).all():
        keys, visits, people = tuple(row[:len(by)]), row[len(by)], row[len(by) + 1]
        base = population.get(keys) if population is not None else people
        hide = 0 < people < SMALL_CELL
        value = round(visits * annualize / base, 2) if base else None
        cells.append({**dict(zip(by, keys)), "visits": None if hide else visits, "people": None if hide else people,
                      "population": base if population is not None else None,
                      "value": None if hide else value, "suppressed": hide})
    return cells
