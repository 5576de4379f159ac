"""Posting, repeating events, approval, withdrawal and lists — the rules, without Flask."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from content import posts
from content.accounts import add_user
from content.posts import Forbidden, PostStateError
from models import AuditLog, Event, Facility, Notice, Opportunity

NOW = datetime(2026, 11, 26, 3, 0)  # naive UTC = 12:00 in Tokyo


@dataclass
class Actor:
    """A console user as content.posts sees one."""

    id: int
    email: str
    role: str
    organization_id: int | None = None


@pytest.fixture
def people(session):
    """An org user of 南自治会, one of 北自治会, and a staff member."""
    south, _ = add_user(session, "south@example.jp", "org", org_name="南自治会", password="x" * 12)
    north, _ = add_user(session, "north@example.jp", "org", org_name="北自治会", password="x" * 12)
    staff, _ = add_user(session, "staff@example.jp", "staff", password="x" * 12)
    session.commit()
    as_actor = lambda u: Actor(u.id, u.email, u.role, u.organization_id)  # noqa: E731
    return as_actor(south), as_actor(north), as_actor(staff)


def event_values(**extra) -> dict:
    """Valid event form values (local times)."""
    values = {"title": "子ども将棋教室", "description": "初心者歓迎", "starts_at": datetime(2026, 12, 12, 10, 0),
              "ends_at": datetime(2026, 12, 12, 12, 0), "recurrence": "none", "place_name": "公民館", "capacity": 20}
    values.update(extra)
    return values


@pytest.mark.parametrize("change, field", [
    ({"title": ""}, "title"),
    ({"title": "あ" * 41}, "title"),
    ({"description": "あ" * 501}, "description"),
    ({"starts_at": None}, "starts_at"),
    ({"starts_at": datetime(2026, 11, 26, 11, 0)}, "starts_at"),           # an hour ago in Tokyo
    ({"ends_at": datetime(2026, 12, 12, 9, 0)}, "ends_at"),                # before the start
    ({"capacity": 0}, "capacity"),
    ({"url": "javascript:alert(1)"}, "url"),
    ({"image_url": "ftp://example.jp/a.png"}, "image_url"),
    ({"recurrence": "weekly"}, "repeat_count"),                             # no end given
    ({"recurrence": "weekly", "repeat_count": 60}, "repeat_count"),
    ({"recurrence": "weekly", "repeat_until": date(2028, 1, 1)}, "repeat_until"),
    ({"recurrence": "hourly", "repeat_count": 3}, "recurrence"),
])
def test_event_form_problems_are_reported_by_field(change, field):
    assert field in posts.check_event(event_values(**change), NOW)


def test_valid_event_has_no_problems_and_emoji_count_as_one_character():
    assert posts.check_event(event_values(title="👨‍👩‍👧" * 40), NOW) == {}


@pytest.mark.parametrize("kind, values, field", [
    ("opportunities", {"title": "清掃ボランティア", "deadline": datetime(2026, 11, 1, 9, 0)}, "deadline"),
    ("opportunities", {"title": "清掃", "kind": "spy"}, "kind"),
    ("notices", {"title": "断水のお知らせ", "body": ""}, "body"),
    ("notices", {"title": "断水", "body": "本文", "send_at": datetime(2026, 11, 20, 9, 0)}, "send_at"),
])
def test_other_kinds_are_checked(kind, values, field):
    assert field in posts.check(kind, values, NOW)


@pytest.mark.parametrize("start, rule, until, count, expected", [
    (datetime(2026, 12, 5, 10), "none", None, None, ["2026-12-05"]),
    (datetime(2026, 12, 5, 10), "weekly", None, 3, ["2026-12-05", "2026-12-12", "2026-12-19"]),
    (datetime(2026, 12, 5, 10), "biweekly", date(2027, 1, 2), None, ["2026-12-05", "2026-12-19", "2027-01-02"]),
    (datetime(2026, 12, 12, 10), "monthly_nth", None, 3, ["2026-12-12", "2027-01-09", "2027-02-13"]),  # 第2土曜
    (datetime(2026, 12, 26, 10), "monthly_nth", None, 2, ["2026-12-26", "2027-01-23"]),  # 第4土曜
    (datetime(2026, 12, 31, 10), "monthly_day", None, 3, ["2026-12-31", "2027-01-31", "2027-03-31"]),
])
def test_expand_occurrences(start, rule, until, count, expected):
    spans = posts.expand_occurrences(start, start + timedelta(hours=2), rule, until, count)
    assert [s.date().isoformat() for s, _ in spans] == expected
    assert all(e - s == timedelta(hours=2) for s, e in spans)


def test_repeating_event_is_one_row_per_occurrence_sharing_a_series(session, people):
    south, _, _ = people
    head = posts.create_post(session, south, "events", event_values(recurrence="weekly", repeat_count=4))
    rows = posts.series_rows(session, head)
    assert len(rows) == 4 and len({r.series_key for r in rows}) == 1 and head.series_key
    assert rows[0].starts_at == datetime(2026, 12, 12, 1, 0)  # 10:00 JST stored as naive UTC
    assert {r.status for r in rows} == {"draft"} and {r.organizer for r in rows} == {"南自治会"}
    assert posts.form_values(session, "events", head)["recurrence"] == "weekly"


def test_editing_a_series_reschedules_its_rows_and_keeps_the_first_id(session, people):
    south, _, _ = people
    head = posts.create_post(session, south, "events", event_values(recurrence="weekly", repeat_count=4))
    new_head = posts.update_post(session, south, "events", head,
                                 event_values(title="将棋教室（改）", recurrence="weekly", repeat_count=2))
    rows = posts.series_rows(session, new_head)
    assert new_head.id == head.id and len(rows) == 2 and {r.title for r in rows} == {"将棋教室（改）"}
    assert session.exec(select(Event)).all().__len__() == 2


def test_full_flow_draft_submit_reject_resubmit_approve_withdraw(session, people):
    south, _, staff = people
    event = posts.create_post(session, south, "events", event_values(recurrence="weekly", repeat_count=2))
    posts.submit(session, south, "events", event)
    posts.reject(session, staff, "events", event, "日時を確認してください")
    assert {(r.status, r.reject_reason) for r in posts.series_rows(session, event)} == {("rejected",
                                                                                         "日時を確認してください")}
    posts.update_post(session, south, "events", event, event_values(recurrence="weekly", repeat_count=2))
    posts.submit(session, south, "events", event)
    assert event.reject_reason is None
    posts.approve(session, staff, "events", event)
    assert {r.status for r in posts.series_rows(session, event)} == {"approved"}
    posts.withdraw(session, south, "events", event)
    assert {r.status for r in posts.series_rows(session, event)} == {"withdrawn"}
    actions = [a.action for a in session.exec(select(AuditLog).order_by(AuditLog.id)).all()]
    assert actions == ["post", "submit", "reject", "edit", "submit", "approve", "withdraw"]


def test_approved_event_matches_what_search_shows(session, people):
    south, _, staff = people
    event = posts.create_post(session, south, "events", event_values())
    visible = lambda: session.exec(select(Event).where(Event.status.in_(("approved", "published")),  # noqa: E731
                                                       Event.active == True)).all()  # noqa: E712
    assert visible() == []
    posts.submit(session, south, "events", event)
    posts.approve(session, staff, "events", event)
    assert [e.id for e in visible()] == [event.id]


@pytest.mark.parametrize("step", ["approve", "reject"])
def test_org_user_cannot_approve_or_reject_even_its_own(session, people, step):
    south, _, _ = people
    event = posts.create_post(session, south, "events", event_values())
    posts.submit(session, south, "events", event)
    with pytest.raises(Forbidden):
        if step == "approve":
            posts.approve(session, south, "events", event)
        else:
            posts.reject(session, south, "events", event, "no")


@pytest.mark.parametrize("kind, values", [
    ("events", event_values()),
    ("opportunities", {"title": "清掃ボランティア", "description": "軍手持参"}),
    ("notices", {"title": "断水", "body": "12日は断水します"}),
])
def test_org_user_cannot_touch_another_orgs_post(session, people, kind, values):
    south, north, _ = people
    record = posts.create_post(session, south, kind, values)
    with pytest.raises(Forbidden):
        posts.get_post(session, north, kind, record.id)
    for step in (posts.submit, posts.withdraw, posts.delete_post):
        with pytest.raises(Forbidden):
            step(session, north, kind, record)
    with pytest.raises(Forbidden):
        posts.update_post(session, north, kind, record, values)


@pytest.mark.parametrize("status, step", [
    ("draft", posts.approve), ("approved", posts.submit), ("approved", posts.delete_post), ("draft", posts.withdraw),
])
def test_steps_refused_in_the_wrong_state(session, people, status, step):
    south, _, staff = people
    event = posts.create_post(session, south, "events", event_values())
    event.status = status
    with pytest.raises(PostStateError):
        step(session, staff, "events", event)


def test_reject_needs_a_reason(session, people):
    south, _, staff = people
    event = posts.create_post(session, south, "events", event_values())
    posts.submit(session, south, "events", event)
    with pytest.raises(PostStateError):
        posts.reject(session, staff, "events", event, "   ")


def test_org_cannot_edit_pending_or_approved_but_staff_can(session, people):
    south, _, staff = people
    event = posts.create_post(session, south, "events", event_values())
    posts.submit(session, south, "events", event)
    assert not posts.can_edit(south, event) and posts.can_edit(staff, event)
    with pytest.raises(PostStateError):
        posts.update_post(session, south, "events", event, event_values(title="勝手に変更"))


def test_facility_choice_fills_place_and_district(session, people):
    south, _, _ = people
    hall = Facility(source="t", source_key="1", name="中央公民館", district="中央", address="本町1-1",
                    latitude=39.3, longitude=140.5)
    session.add(hall)
    session.flush()
    event = posts.create_post(session, south, "events", event_values(place_name=None, facility_id=hall.id))
    assert (event.place_name, event.district, event.address, event.latitude) == ("中央公民館", "中央", "本町1-1", 39.3)


def test_lists_are_scoped_filtered_and_show_a_series_once(session, people):
    south, north, staff = people
    posts.create_post(session, south, "events", event_values(recurrence="weekly", repeat_count=5))
    posts.create_post(session, south, "events", event_values(title="餅つき大会"))
    posts.create_post(session, north, "events", event_values(title="北の盆踊り"))
    titles = lambda actor, **f: [e.title for e in posts.list_posts(session, actor, "events", f).items]  # noqa: E731
    assert sorted(titles(south)) == ["子ども将棋教室", "餅つき大会"]
    assert sorted(titles(staff)) == ["北の盆踊り", "子ども将棋教室", "餅つき大会"]
    assert titles(staff, q="餅") == ["餅つき大会"]
    assert titles(south, organization_id=str(north.organization_id)) != ["北の盆踊り"]  # org filter ignored for org users
    assert titles(staff, date_from=date(2026, 12, 19)) == []                          # a series is listed by its head
    page = posts.list_posts(session, staff, "events", {}, page=2, per_page=2)
    assert (page.total, page.pages, len(page.items)) == (3, 2, 1)


def test_queue_lists_pending_of_every_kind_soonest_date_first_for_staff_only(session, people):
    south, _, staff = people
    later = posts.create_post(session, south, "events", event_values(title="年末の集い",
                                                                     starts_at=datetime(2026, 12, 20, 10, 0),
                                                                     ends_at=datetime(2026, 12, 20, 12, 0)))
    undated = posts.create_post(session, south, "opportunities", {"title": "清掃"})
    series = posts.create_post(session, south, "events", event_values(recurrence="weekly", repeat_count=3))
    at_once = posts.create_post(session, south, "notices", {"title": "断水", "body": "本文"})
    soon = posts.create_post(session, south, "opportunities", {"title": "募集", "deadline": datetime(2026, 12, 1, 17, 0)})
    same_day = posts.create_post(session, south, "events", event_values(title="同じ日の別の会"))
    submitted = [("events", later), ("opportunities", undated), ("events", series), ("notices", at_once),
                 ("opportunities", soon), ("events", same_day)]
    for n, (kind, record) in enumerate(submitted):
        posts.submit(session, south, kind, record)
        for row in posts.series_rows(session, record):
            row.updated_at = NOW + timedelta(minutes=n)  # same_day was submitted after series
    queue = posts.pending_queue(session, staff)
    assert [(i.record.title, i.occurrences) for i in queue.items] == [
        ("断水", 1), ("募集", 1), ("子ども将棋教室", 3), ("同じ日の別の会", 1), ("年末の集い", 1), ("清掃", 1)]
    assert [i.due_label for i in queue.items[1:3]] == ["締切", "開催"]
    assert posts.count_pending(session) == 6
    with pytest.raises(Forbidden):
        posts.pending_queue(session, south)


def test_notice_approval_records_the_approver(session, people):
    south, _, staff = people
    notice = posts.create_post(session, south, "notices", {"title": "断水", "body": "本文", "districts": ["中央"]})
    posts.submit(session, south, "notices", notice)
    posts.approve(session, staff, "notices", notice)
    stored = session.get(Notice, notice.id)
    assert (stored.status, stored.approved_by, stored.districts) == ("approved", staff.id, ["中央"])


def test_delete_removes_every_occurrence_and_is_audited(session, people):
    south, _, _ = people
    event = posts.create_post(session, south, "events", event_values(recurrence="weekly", repeat_count=3))
    posts.delete_post(session, south, "events", event)
    session.flush()
    assert session.exec(select(Event)).all() == []
    assert session.exec(select(AuditLog).where(AuditLog.action == "delete")).one().record_id == event.id


def test_opportunity_times_are_stored_in_utc(session, people):
    south, _, _ = people
    opp = posts.create_post(session, south, "opportunities",
                            {"title": "清掃", "starts_at": datetime(2026, 12, 1, 9), "deadline": datetime(2026, 11, 30, 17)})
    stored = session.get(Opportunity, opp.id)
    assert (stored.starts_at, stored.deadline, stored.status) == (datetime(2026, 12, 1, 0), datetime(2026, 11, 30, 8),
                                                                  "draft")


@pytest.mark.parametrize("url, ok", [
    ("https://city.example.jp/event", True),
    ("https://city.example.jp/event page", False),
    ("https://city.example.jp/a\nhttps://b.example.jp", False),
    ("ftp://city.example.jp/", False),
])
def test_links_must_be_sendable_in_line(url, ok):
    from content.posts import url_problem

    assert (url_problem(url) is None) is ok
