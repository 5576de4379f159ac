"""The organizer's side: the sign-up list, check-in by code or by hand, the CSV, the numbers, QR and calendars."""
from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import Session, select

from content.signups import core
from models import Attendance, Organization, Signup
from tests.fixtures.console.support import fast_hashing, login, make_user, post_form  # noqa: F401
from tests.signup_support import NOW, add_event, add_resident


@pytest.fixture
def south(engine, fast_hashing):  # noqa: F811
    """南自治会's organizer account, an event of theirs with 定員 2 and three residents signed up."""
    make_user(engine, "south@example.jp", "org", org="南自治会")
    with Session(engine, expire_on_commit=False) as session:
        org = session.exec(select(Organization).where(Organization.name == "南自治会")).one()
        event = add_event(session, capacity=2, organization_id=org.id, title="南地区ふれあい料理教室")
        residents = [add_resident(session, n, district="南地区") for n in range(3)]
        for resident in residents:
            core.join(session, resident, "e", event.id, NOW)
        session.commit()
        codes = [s.checkin_code for s in session.exec(select(Signup).order_by(Signup.id)).all()]
    return {"event": event.id, "codes": codes}


def test_org_sees_its_list_checks_in_by_code_once_and_exports(client, engine, south):
    login(client, "south@example.jp")
    page = client.get(f"/admin/signups/e{south['event']}").get_data(as_text=True)
    assert "南地区ふれあい料理教室" in page and "キャンセル待ち（1番目）" in page
    first = south["codes"][0]
    answer = post_form(client, "/admin/checkin", {"code": first.lower(), "item": f"e{south['event']}"},
                       follow_redirects=True).get_data(as_text=True)
    assert "出席にしました" in answer
    again = post_form(client, "/admin/checkin", {"code": first, "item": f"e{south['event']}"},
                      follow_redirects=True).get_data(as_text=True)
    assert "すでに出席" in again
    waiting = post_form(client, "/admin/checkin", {"code": south["codes"][2]}, follow_redirects=True)
    assert "キャンセル待ちかキャンセル済み" in waiting.get_data(as_text=True)
    assert "見つかりませんでした" in post_form(client, "/admin/checkin", {"code": "ZZZZZZ"},
                                           follow_redirects=True).get_data(as_text=True)
    with Session(engine) as session:
        rows = session.exec(select(Attendance)).all()
        assert [(a.via, a.district) for a in rows] == [("code", "南地区")]
    exported = client.get(f"/admin/signups/e{south['event']}/export.csv")
    body = exported.get_data(as_text=True)
    assert body.startswith("\ufeff受付番号,受付コード,状態")
    table = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert [row[2] for row in table[1:]] == ["参加", "参加", "キャンセル待ち"]
    assert table[1][7] == "出席"


def test_marking_by_hand_and_undoing(client, engine, south):
    login(client, "south@example.jp")
    with Session(engine) as session:
        second = session.exec(select(Signup).where(Signup.checkin_code == south["codes"][1])).one()
    path = f"/admin/signups/e{south['event']}/mark/{second.id}"
    assert "出席にしました" in post_form(client, path, follow_redirects=True).get_data(as_text=True)
    post_form(client, path, {"undo": "1"})
    with Session(engine) as session:
        assert session.exec(select(Attendance)).all() == []


def test_another_organizations_organizer_can_neither_see_nor_check_in(client, engine, south):
    make_user(engine, "north@example.jp", "org", org="北自治会")
    login(client, "north@example.jp")
    assert client.get(f"/admin/signups/e{south['event']}").status_code == 403
    answer = post_form(client, "/admin/checkin", {"code": south["codes"][0]}, follow_redirects=True)
    assert "ほかの団体" in answer.get_data(as_text=True)
    with Session(engine) as session:
        assert session.exec(select(Attendance)).all() == []


def test_a_scanned_qr_opens_the_code_and_one_tap_checks_in(client, engine, south):
    login(client, "south@example.jp")
    page = client.get(f"/admin/checkin?code={south['codes'][0]}").get_data(as_text=True)
    assert "南地区ふれあい料理教室" in page and "出席にする" in page
    with Session(engine) as session:
        assert session.exec(select(Attendance)).all() == []  # opening the page changes nothing


def test_qr_image_is_a_png_of_the_checkin_address(client, engine, south):
    with Session(engine) as session:
        signup = session.exec(select(Signup).where(Signup.checkin_code == south["codes"][0])).one()
        waiting = session.exec(select(Signup).where(Signup.checkin_code == south["codes"][2])).one()
    image = client.get(f"/signups/qr/{signup.qr_token}.png")
    assert image.status_code == 200 and image.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get(f"/signups/qr/{waiting.qr_token}.png").status_code == 404
    assert client.get("/signups/qr/not-a-token.png").status_code == 404


def test_numbers_hide_small_district_cells(client, engine, south, fast_hashing):  # noqa: F811
    make_user(engine, "staff@city.example.jp", "staff")
    login(client, "staff@city.example.jp")
    post_form(client, "/admin/checkin", {"code": south["codes"][0]})
    page = client.get("/admin/signups/numbers").get_data(as_text=True)
    assert "南地区ふれあい料理教室" in page and "非表示（1〜9人）" in page
    exported = client.get("/admin/signups/numbers?format=csv").get_data(as_text=True)
    assert exported.startswith("\ufeff表,項目") and "地区別,南地区,,,,,,,非表示（1〜9人）" in exported


def test_calendar_feeds(client, engine, south):
    from content.signups.calendars import calendar_token
    from models import Resident

    with Session(engine, expire_on_commit=False) as session:
        resident = session.exec(select(Resident)).first()
        token = calendar_token(session, resident)
        session.commit()
    mine = client.get(f"/calendar/me/{token}.ics")
    assert mine.status_code == 200 and mine.mimetype == "text/calendar"
    assert "南地区ふれあい料理教室" in mine.get_data(as_text=True)
    assert client.get("/calendar/me/nope.ics").status_code == 404
    with Session(engine, expire_on_commit=False) as session:
        renewed = calendar_token(session, session.get(Resident, resident.id), renew=True)
        session.commit()
    assert client.get(f"/calendar/me/{token}.ics").status_code == 404
    assert client.get(f"/calendar/me/{renewed}.ics").status_code == 200
    with Session(engine) as session:
        org = session.exec(select(Organization).where(Organization.name == "南自治会")).one()
    feed = client.get(f"/calendar/organization/{org.id}.ics").get_data(as_text=True)
    assert "BEGIN:VEVENT" in feed and "南地区ふれあい料理教室" in feed


def test_posting_with_chat_signups_and_raising_the_capacity_moves_the_waitlist_up(session, monkeypatch):
    from datetime import datetime, timedelta

    from content import posts

    moved = []
    monkeypatch.setattr("content.signups.pushes.queue_promotion_pushes",
                        lambda session, item, rows, now: moved.extend(rows))
    staff = type("Staff", (), {"id": None, "email": "s@example.jp", "role": "staff", "organization_id": None})()
    starts = (datetime.now() + timedelta(days=14)).replace(hour=10, minute=0, second=0, microsecond=0)
    values = {"title": "親子そば打ち", "description": "そばを打ちます。", "starts_at": starts, "ends_at": None,
              "recurrence": "weekly", "repeat_count": 2, "capacity": 1, "chat_signup": True,
              "signup_deadline": starts - timedelta(days=2), "apply_method": None}
    assert posts.check("events", values) == {}
    assert "signup_deadline" in posts.check("events", {**values, "signup_deadline": starts + timedelta(hours=1)})
    head = posts.create_post(session, staff, "events", values)
    rows = posts.series_rows(session, head)
    assert [r.starts_at - r.signup_deadline for r in rows] == [timedelta(days=2)] * 2  # each closes 2 days before
    for row in rows:
        row.status = "approved"
    first, second = add_resident(session, 1), add_resident(session, 2)
    now = datetime.now()
    core.join(session, first, "e", head.id, now)
    assert core.join(session, second, "e", head.id, now).outcome == "waitlisted"
    posts.update_post(session, staff, "events", head, {**values, "capacity": 2})
    assert [s.resident_id for s in moved] == [second.id]
