"""Notices in the console: the live count, confirming count and quota before approval, and the delivery report."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from jobs.delivery import DeliverySettings, send_due_deliveries
from models import Delivery, Notice, SchedulerHeartbeat, utcnow
from tests.delivery_support import add_city_districts, add_residents
from tests.fixtures.console.support import fast_hashing, local_in, login, make_user, post_form  # noqa: F401
from tests.test_admin_posts import create_and_submit, people, south, staff  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashing")
NOTICE = {"title": "防災訓練のお知らせ", "body": "14日9時から北野小学校で訓練をします。", "category": "general",
          "repeat": "none", "districts": ["北野地区"]}


@pytest.fixture
def kitano(engine):
    """Six followers in 北野地区 (one with notices off) and four elsewhere."""
    add_city_districts(engine)
    add_residents(engine, 6, district="北野地区", notifications=lambda n: n != 5)
    add_residents(engine, 4, start=100, district="中央地区")


def token_of(client, path: str) -> str:
    """The CSRF token on a page."""
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_the_form_shows_how_many_residents_the_segment_reaches_now(kitano, south):
    token = token_of(south, "/admin/notices/new")
    reach = lambda form: south.post("/admin/preview/notices", data=form,  # noqa: E731
                                    headers={"X-CSRFToken": token}).get_json()["reach"]
    assert reach({"title": "t", "body": "b"}) == 9
    assert reach({"title": "t", "body": "b", "districts": ["北野地区"]}) == 5
    assert reach({"title": "t", "body": "b", "districts": ["北野地区"], "languages": ["en"]}) == 0


def test_staff_confirm_the_count_and_quota_before_a_notice_is_approved(app, engine, kitano, south, staff):
    app.extensions["tsunagari"].messenger.quota_state.update({"type": "limited", "value": 1000, "used": 200})
    path = create_and_submit(south, NOTICE, kind="notices")
    asked = post_form(staff, path + "/approve")
    page = staff.get(asked.headers["Location"]).get_data(as_text=True)
    assert "5人に配信する（承認）" in page and "800通" in page and "地区：北野地区" in page
    with Session(engine) as session:
        assert session.exec(select(Notice)).one().status == "pending"
    done = post_form(staff, path + "/approve", {"confirm_count": "5"})
    assert "5人への配信を予約しました" in staff.get(done.headers["Location"]).get_data(as_text=True)
    with Session(engine) as session:
        delivery = session.exec(select(Delivery)).one()
        assert (session.exec(select(Notice)).one().status, delivery.state, delivery.recipients) == \
            ("approved", "queued", 5)


@pytest.mark.parametrize("beat_age, warned", [
    (None, True),  # no scheduler ever ran
    (timedelta(minutes=5), True),  # it stopped
    (timedelta(seconds=5), False),  # it runs
])
def test_approval_says_nothing_is_sent_while_no_scheduler_runs(engine, kitano, south, staff, beat_age, warned):
    if beat_age is not None:
        with Session(engine) as session:
            session.add(SchedulerHeartbeat(holder="host:1", beat_at=utcnow() - beat_age))
            session.commit()
    path = create_and_submit(south, NOTICE, kind="notices")
    done = post_form(staff, path + "/approve", {"confirm_count": "5"})
    page = staff.get(done.headers["Location"]).get_data(as_text=True)
    assert "5人への配信を予約しました" in page
    assert ("tsunagari scheduler" in page) is warned


def test_a_count_that_changed_meanwhile_is_confirmed_again(engine, kitano, south, staff):
    path = create_and_submit(south, NOTICE, kind="notices")
    again = post_form(staff, path + "/approve", {"confirm_count": "4"})
    assert "/confirm" in again.headers["Location"]
    assert "人数が変わりました" in staff.get(again.headers["Location"]).get_data(as_text=True)
    with Session(engine) as session:
        assert session.exec(select(Delivery)).all() == []


def test_a_send_too_big_for_the_quota_is_flagged_before_approval(app, kitano, south, staff):
    app.extensions["tsunagari"].messenger.quota_state.update({"type": "limited", "value": 200, "used": 198})
    path = create_and_submit(south, NOTICE, kind="notices")
    page = staff.get(path.replace("/admin/notices/", "/admin/notices/").rstrip("/") + "/confirm").get_data(as_text=True)
    assert "今月の残りが足りません" in page and "2通" in page


def test_the_delivery_report_is_in_the_console(app, engine, kitano, south, staff, people):
    path = create_and_submit(south, NOTICE, kind="notices")
    post_form(staff, path + "/approve", {"confirm_count": "5"})
    send_due_deliveries(engine, app.extensions["tsunagari"].messenger, DeliverySettings(quiet=None), budget=5)
    with Session(engine) as session:
        delivery_id = session.exec(select(Delivery)).one().id
    report = south.get(f"/admin/deliveries/{delivery_id}").get_data(as_text=True)
    assert "配信済み" in report and ">5人<" in report and "1回" in report
    assert "配信済み" in south.get(path).get_data(as_text=True)
    assert "防災訓練のお知らせ" in staff.get("/admin/deliveries/").get_data(as_text=True)
    make_user(engine, "naka@example.jp", "org", org="中央自治会")
    other = app.test_client()
    login(other, "naka@example.jp")
    assert other.get(f"/admin/deliveries/{delivery_id}").status_code == 403


def test_an_uploaded_image_is_linked_at_the_public_https_address(app, engine, kitano, south, monkeypatch, tmp_path):
    from dataclasses import replace
    from io import BytesIO

    from PIL import Image

    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    runtime = app.extensions["tsunagari"]
    monkeypatch.setattr(runtime, "config", replace(runtime.config, public_url="https://city.example.jp"))
    buffer = BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "PNG")
    post_form(south, "/admin/notices/new", {**NOTICE, "image": (BytesIO(buffer.getvalue()), "a.png")},
              content_type="multipart/form-data")
    with Session(engine) as session:
        url = session.exec(select(Notice)).one().image_url
    assert re.fullmatch(r"https://city\.example\.jp/admin/uploads/[0-9a-f]{32}\.png", url)


def test_editing_an_approved_notice_says_it_was_queued_again_and_that_no_scheduler_runs(engine, kitano, south, staff):
    path = create_and_submit(south, NOTICE, kind="notices")
    post_form(staff, path + "/approve", {"confirm_count": "5"})
    edited = post_form(staff, path + "/edit", {**NOTICE, "body": "14日10時からに変わりました。"})
    page = staff.get(edited.headers["Location"]).get_data(as_text=True)
    assert "配信を予約し直しました" in page and "tsunagari scheduler" in page
