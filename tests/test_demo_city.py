"""The fictional みどり市: what the demo and the search benchmark rely on."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from content.demo_city import seed_demo_city
from content.importers.values import TOKYO
from models import District, Event, Facility, Opportunity, Organization

TODAY = date(2026, 11, 26)


def tokyo_day(moment: datetime) -> date:
    """The Tokyo calendar date of a naive UTC timestamp."""
    return moment.replace(tzinfo=timezone.utc).astimezone(TOKYO).date()


def snapshot(session) -> list[tuple]:
    """What the seed produced, as comparable tuples."""
    return sorted((e.source_key, e.title, e.starts_at, e.place_name) for e in session.exec(select(Event)))


def test_city_has_districts_centers_and_city_facilities(session):
    seed_demo_city(session, TODAY)
    districts = list(session.exec(select(District).order_by(District.position)))
    assert len(districts) == 8 and districts[0].name == "中央地区"
    facilities = {f.name: f for f in session.exec(select(Facility))}
    for district in districts:
        center = facilities[f"{district.name}交流センター"]
        assert center.kana and center.address and center.phone and center.latitude and center.hours_text and center.closed_text
        assert center.district == district.name
    for name in ("みどり市民センター", "みどり市立中央図書館", "みどり市民体育館", "みどり市中央公民館"):
        assert name in facilities
    assert "中央公民館" in facilities["みどり市中央公民館"].aliases.splitlines()
    kinds = {o.kind for o in session.exec(select(Organization))}
    assert {"自治会", "運営協議会", "NPO"} <= kinds


@pytest.mark.parametrize("today", [TODAY + timedelta(days=n) for n in range(7)] + [date(2026, 12, 24)])
def test_about_sixty_varied_events_over_the_next_eight_weeks(session, today):
    seed_demo_city(session, today)
    events = list(session.exec(select(Event)))
    assert 55 <= len(events) <= 75
    days = [tokyo_day(e.starts_at) for e in events]
    assert min(days) >= today - timedelta(days=2) and max(days) < today + timedelta(weeks=8, days=7)
    assert any(d.weekday() >= 5 and d < today + timedelta(days=7) for d in days), "something this weekend"
    assert any(e.starts_at and tokyo_day(e.starts_at) <= today < tokyo_day(e.ends_at) for e in events), "something today"
    tags = {t for e in events for t in e.audience_tags}
    assert {"children", "parents", "elementary", "seniors", "disabled", "anyone"} <= tags
    assert {True, False} <= {e.is_free for e in events}
    assert len({e.facility_id for e in events}) >= 12
    assert len({e.title for e in events}) >= 30
    assert all(e.audience and e.description and e.organizer for e in events)


@pytest.mark.parametrize("today", [TODAY, date(2026, 12, 20)])
def test_no_event_falls_on_its_centers_weekly_closed_day_or_the_new_year_holidays(session, today):
    seed_demo_city(session, today)
    facilities = {f.id: f for f in session.exec(select(Facility))}
    for event in session.exec(select(Event).where(Event.all_day == False)):  # noqa: E712
        day = tokyo_day(event.starts_at)
        closed = facilities[event.facility_id].closed_text
        assert f"毎週{'月火水木金土日'[day.weekday()]}曜日" not in closed, (event.title, day)
        assert not ((day.month, day.day) >= (12, 29) or (day.month, day.day) <= (1, 3)), (event.title, day)


def test_every_kind_of_opportunity_is_offered(session):
    seed_demo_city(session, TODAY)
    kinds = {o.kind for o in session.exec(select(Opportunity))}
    assert kinds == {"volunteer", "workday", "public_comment", "staff_bank"}


def test_seeding_is_deterministic_for_a_day_and_reseeding_does_not_duplicate(session, engine):
    seed_demo_city(session, TODAY)
    first = snapshot(session)
    seed_demo_city(session, TODAY)
    assert snapshot(session) == first
    assert len(list(session.exec(select(District)))) == 8


def test_reseeding_a_week_later_retires_the_old_window(session):
    seed_demo_city(session, TODAY)
    seed_demo_city(session, TODAY + timedelta(days=7))
    active = list(session.exec(select(Event).where(Event.active == True)))  # noqa: E712
    assert 55 <= len(active) <= 75
    assert min(tokyo_day(e.starts_at) for e in active) >= TODAY + timedelta(days=5)
