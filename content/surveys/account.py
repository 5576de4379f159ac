"""The account itself, for the dashboard: followers over time, followers by district, age group and gender (the
attributes residents chose to give; groups of 1–9 hidden), and messages residents sent per day."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from content.surveys.exports import attribute_label
from content.surveys.stats import SMALL_CELL
from models import AGE_GROUPS, GENDERS, District, InboxEvent, Resident, utcnow


@dataclass
class Group:
    """One row of a follower breakdown: its label and count (None = hidden, 1–9)."""

    label: str
    count: int | None


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    """The city's calendar day of a stored UTC time."""
    return moment.replace(tzinfo=timezone.utc).astimezone(zone).date()


def followers_by_day(session: Session, tz: str, days: int = 90, today: date | None = None) -> list[tuple[date, int]]:
    """Followers at the end of each of the last `days` days (from follow and unfollow times)."""
    zone = ZoneInfo(tz)
    today = today or _local_day(utcnow(), zone)
    start = today - timedelta(days=days - 1)
    joins, leaves = Counter(), Counter()
    before = 0
    for followed, unfollowed, created in session.exec(select(Resident.followed_at, Resident.unfollowed_at,
                                                             Resident.created_at)).all():
        joined = _local_day(followed or created, zone)
        left = _local_day(unfollowed, zone) if unfollowed else None
        if left is not None and left < start:
            continue
        if joined < start:
            before += 1
        else:
            joins[joined] += 1
        if left is not None:
            leaves[left] += 1
    out, current = [], before
    for i in range(days):
        day = start + timedelta(days=i)
        current += joins[day] - leaves[day]
        out.append((day, current))
    return out


def follower_groups(session: Session) -> dict[str, list[Group]]:
    """Following residents by 地区, 年代 and 性別 (未回答 included); groups of 1–9 are hidden."""
    rows = session.exec(select(Resident.district, Resident.age_group, Resident.gender)
                        .where(Resident.following == True)).all()  # noqa: E712
    districts = list(session.exec(select(District.name).order_by(District.position, District.id)).all())
    orders = {"district": districts, "age_group": list(AGE_GROUPS), "gender": list(GENDERS)}
    out = {}
    for i, dim in enumerate(("district", "age_group", "gender")):
        counts = Counter(row[i] or "" for row in rows)
        keys = [k for k in orders[dim] if k in counts] + sorted(k for k in counts if k not in orders[dim] and k) \
            + ([""] if "" in counts else [])
        out[dim] = [Group(attribute_label(dim, k), None if counts[k] in SMALL_CELL else counts[k]) for k in keys]
    return out


def messages_by_day(session: Session, tz: str, days: int = 30, today: date | None = None) -> list[tuple[date, int]]:
    """Messages residents sent per day over the last `days` days (the inbox keeps its rows for 30 days)."""
    zone = ZoneInfo(tz)
    today = today or _local_day(utcnow(), zone)
    start = today - timedelta(days=days - 1)
    since = datetime.combine(start, datetime.min.time(), tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None)
    counts = Counter(_local_day(moment, zone) for moment in session.exec(
        select(InboxEvent.received_at).where(InboxEvent.event_type == "message", InboxEvent.received_at >= since)))
    return [(start + timedelta(days=i), counts[start + timedelta(days=i)]) for i in range(days)]
