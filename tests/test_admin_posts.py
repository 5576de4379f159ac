"""Posting through the console: forms, errors, escaping, preview, images, the queue, import and search."""
from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from models import AuditLog, Event, Notice, Opportunity
from tests.fixtures.console.support import (event_form, fast_hashing, local_in, login, make_facility,  # noqa: F401
                                            make_user, post_form)

pytestmark = pytest.mark.usefixtures("fast_hashing")
FIXTURES = Path(__file__).parent / "fixtures" / "console"
CELL = '<td data-label="操作">'
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def people(engine):
    """Staff and an org user of 南自治会 (ids)."""
    return {"staff": make_user(engine, "staff@city.example.jp", "staff"),
            "admin": make_user(engine, "admin@city.example.jp", "admin"),
            "south": make_user(engine, "south@example.jp", "org", org="南自治会")}


@pytest.fixture
def south(app, people):
    """A logged-in client of the 南自治会 user."""
    client = app.test_client()
    login(client, "south@example.jp")
    return client


@pytest.fixture
def staff(app, people):
    """A logged-in staff client."""
    client = app.test_client()
    login(client, "staff@city.example.jp")
    return client


def create_and_submit(client, form: dict, kind: str = "events") -> str:
    """Post a draft and submit it; returns the post's path."""
    response = post_form(client, f"/admin/{kind}/new", form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    path = response.headers["Location"]
    assert post_form(client, path + "/submit").status_code == 302
    return path


def test_org_posts_event_staff_approves_and_residents_can_find_it(engine, south, staff):
    from content.search.answers import answer_question

    hall = make_facility(engine, "中央公民館")
    path = create_and_submit(south, event_form("子ども将棋教室", days=3, facility_id=str(hall), place_name=""))
    queue = staff.get("/admin/queue").get_data(as_text=True)
    assert "子ども将棋教室" in queue and "南自治会" in queue
    assert post_form(staff, path + "/approve", {"next": "queue"}).headers["Location"].endswith("/admin/queue")
    with Session(engine) as session:
        event = session.exec(select(Event)).one()
        assert (event.status, event.place_name, event.facility_id) == ("approved", "中央公民館", hall)
        answer = answer_question(session, "将棋教室", now=datetime.now(ZoneInfo("Asia/Tokyo")), lang="ja")
    assert event.id in [item["id"] for item in answer.items if item["kind"] == "event"]


def test_rejection_reason_reaches_the_org_and_resubmission_works(engine, south, staff):
    path = create_and_submit(south, event_form("盆踊り"))
    post_form(staff, path + "/reject", {"reason": "開始時刻を確認してください"})
    page = south.get(path).get_data(as_text=True)
    assert "差し戻しの理由" in page and "開始時刻を確認してください" in page
    assert "開始時刻を確認してください" in south.get("/admin/").get_data(as_text=True)
    edited = post_form(south, path + "/edit", event_form("盆踊り大会", days=12))
    assert edited.status_code == 302
    assert post_form(south, path + "/submit").status_code == 302
    with Session(engine) as session:
        event = session.exec(select(Event)).one()
    assert (event.title, event.status, event.reject_reason) == ("盆踊り大会", "pending", None)


def test_reject_without_reason_changes_nothing(engine, south, staff):
    path = create_and_submit(south, event_form())
    post_form(staff, path + "/reject", {"reason": ""})
    with Session(engine) as session:
        assert session.exec(select(Event)).one().status == "pending"


def test_staff_edits_and_approves_in_one_step(engine, south, staff):
    path = create_and_submit(south, event_form("誤字のあるタイトル"))
    response = post_form(staff, path + "/edit", {**event_form("正しいタイトル"), "and_approve": "1"})
    assert response.status_code == 302
    with Session(engine) as session:
        event = session.exec(select(Event)).one()
    assert (event.title, event.status) == ("正しいタイトル", "approved")


def test_withdrawn_post_is_hidden_from_residents(engine, south, staff):
    path = create_and_submit(south, event_form())
    post_form(staff, path + "/approve")
    post_form(south, path + "/withdraw")
    with Session(engine) as session:
        assert session.exec(select(Event)).one().status == "withdrawn"


def test_repeating_event_through_the_form(engine, south):
    form = event_form("ラジオ体操", recurrence="weekly", repeat_count="4")
    path = post_form(south, "/admin/events/new", form).headers["Location"]
    page = south.get(path).get_data(as_text=True)
    assert "全4回" in page
    with Session(engine) as session:
        rows = session.exec(select(Event)).all()
    assert len(rows) == 4 and len({r.series_key for r in rows}) == 1
    assert south.get("/admin/events/").get_data(as_text=True).count("ラジオ体操") == 1


@pytest.mark.parametrize("change, message", [
    ({"title": "あ" * 41}, "40文字以内"),
    ({"starts_at": local_in(-2)}, "今より後"),
    ({"ends_at": local_in(9)}, "開始日時より後"),
    ({"capacity": "0"}, "1以上"),
    ({"capacity": "たくさん"}, "capacity"),
    ({"recurrence": "weekly"}, "回数か、終わりの日"),
    ({"starts_at": "not a date"}, "starts_at"),
])
def test_form_errors_are_shown_next_to_fields_and_values_are_kept(south, change, message):
    form = {**event_form("値を保つタイトル", days=10, description="残したい説明"), **change}
    response = post_form(south, "/admin/events/new", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    field = message if message in ("capacity", "starts_at") else None
    if field:
        shown = re.search(rf'id="err-{field}" role="alert"\s*>([^<]+)</p>', html)
        assert shown and shown.group(1).strip(), html[:200]
    else:
        assert message in html
    assert 'aria-invalid="true"' in html
    assert "残したい説明" in html and ('value="値を保つタイトル"' in html or "あああ" in html)


def test_html_in_fields_is_shown_as_text_everywhere(engine, app, south, staff, people):
    admin = app.test_client()
    login(admin, "admin@city.example.jp")
    post_form(admin, "/admin/users", {"email": "x@example.jp", "role": "org", "org_name": "悪い団体" + XSS})
    path = create_and_submit(south, event_form("祭り" + XSS[:30], description=XSS))
    post_form(staff, path + "/reject", {"reason": "理由" + XSS})
    pages = [south.get(path), south.get("/admin/events/"), south.get("/admin/"), staff.get(path),
             admin.get("/admin/organizations"), admin.get("/admin/audit"), admin.get("/admin/users")]
    for page in pages:
        html = page.get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, page.request.path
    assert "&lt;script&gt;alert" in pages[0].get_data(as_text=True)
    assert "悪い団体&lt;script&gt;" in pages[4].get_data(as_text=True)
    assert "理由&lt;script&gt;" in pages[0].get_data(as_text=True)


def test_preview_uses_the_bots_card_and_reports_problems(south):
    from content.search.cards import event_bubble  # noqa: F401  (the preview must use the bot's own builder)

    token_page = south.get("/admin/events/new").get_data(as_text=True)
    token = token_page.split('name="csrf-token" content="')[1].split('"')[0]
    response = south.post("/admin/preview/events", data={**event_form(XSS[:40]), "ends_at": local_in(9)},
                          headers={"X-CSRFToken": token})
    result = response.get_json()
    assert response.status_code == 200 and result["message"]["type"] == "flex"
    texts = str(result["message"]["contents"])
    assert XSS[:20] in texts  # data stays data; the page draws it with textContent
    assert "ends_at" in result["errors"] and result["line_problems"] == []
    assert south.post("/admin/preview/events", data=event_form()).status_code == 400  # CSRF applies here too


def test_image_upload_is_checked_stored_and_served_publicly(app, engine, south, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    png = (FIXTURES / "tiny.png").read_bytes()
    from io import BytesIO

    form = {**event_form("画像つき"), "image": (BytesIO(png), "poster.png")}
    response = post_form(south, "/admin/events/new", form, content_type="multipart/form-data")
    assert response.status_code == 302
    with Session(engine) as session:
        url = session.exec(select(Event)).one().image_url
    assert url.startswith("http://localhost/admin/uploads/") and url.endswith(".png")
    served = app.test_client().get(url.replace("http://localhost", ""))  # no session: LINE fetches it
    assert served.status_code == 200
    assert [p.read_bytes() for p in (tmp_path / "uploads").iterdir()] == [served.data]
    from PIL import Image, ImageChops

    with Image.open(BytesIO(png)) as sent, Image.open(BytesIO(served.data)) as kept:  # re-encoded: same pixels
        assert kept.format == "PNG" and ImageChops.difference(sent.convert("RGBA"), kept.convert("RGBA")).getbbox() is None


@pytest.mark.parametrize("data, name, message", [
    (b"<html>not an image</html>", "poster.png", "画像として読み込めません"),
    (b"GIF89a" + b"\x00" * 100, "poster.gif", "画像として読み込めません"),
    (b"\x89PNG" + b"\x00" * (2 * 1024 * 1024 + 10), "big.png", "2MBまで"),
])
def test_bad_images_are_refused_next_to_the_field(app, south, data, name, message, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    from io import BytesIO

    form = {**event_form(), "image": (BytesIO(data), name)}
    response = post_form(south, "/admin/events/new", form, content_type="multipart/form-data")
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert list((tmp_path / "uploads").glob("*")) == []


@pytest.mark.parametrize("name", ["../../etc/passwd", "x.svg", "0" * 32 + ".html"])
def test_uploads_serve_only_generated_names(client, name):
    assert client.get(f"/admin/uploads/{name}").status_code == 404


def test_notice_and_opportunity_forms(engine, south, staff):
    notice = create_and_submit(south, {"title": "断水のお知らせ", "body": "12日9時から断水します。",
                                       "topics": ["disaster"], "send_at": local_in(5)}, kind="notices")
    opening = create_and_submit(south, {"title": "公園清掃ボランティア", "kind": "volunteer", "description": "軍手持参",
                                        "starts_at": local_in(6), "deadline": local_in(4), "capacity": "10"},
                                kind="opportunities")
    unconfirmed = post_form(staff, notice + "/approve")  # a push is approved only with its count confirmed
    assert "/confirm" in unconfirmed.headers["Location"]
    assert "0人に配信する" in staff.get(unconfirmed.headers["Location"]).get_data(as_text=True)
    post_form(staff, notice + "/approve", {"confirm_count": "0"})
    post_form(staff, opening + "/approve")
    with Session(engine) as session:
        stored_notice = session.exec(select(Notice)).one()
        stored_opening = session.exec(select(Opportunity)).one()
    assert (stored_notice.status, stored_notice.topics) == ("approved", ["disaster"])
    assert (stored_opening.status, stored_opening.capacity, stored_opening.organizer) == ("approved", 10, "南自治会")
    assert "断水のお知らせ" in south.get("/admin/notices/").get_data(as_text=True)


def test_lists_filter_and_paginate(south):
    for n in range(23):
        post_form(south, "/admin/events/new", event_form(f"講座{n:02d}", days=3 + n))
    first = south.get("/admin/events/").get_data(as_text=True)
    assert "1 / 2 ページ（全23件）" in first
    assert "講座22" in first and "講座00" not in first  # latest date first
    second = south.get("/admin/events/?page=2").get_data(as_text=True)
    assert "講座00" in second
    filtered = south.get("/admin/events/?q=講座05&status=draft").get_data(as_text=True)
    assert "講座05" in filtered and "講座06" not in filtered and "全1件" in filtered


def test_import_page_uses_the_importers_and_is_audited(engine, staff):
    from io import BytesIO

    data = (FIXTURES / "events.csv").read_bytes()
    response = post_form(staff, "/admin/import", {"kind": "events", "file": (BytesIO(data), "events.csv")},
                         content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "結果" in html
    with Session(engine) as session:
        titles = sorted(e.title for e in session.exec(select(Event)).all())
        entry = session.exec(select(AuditLog).where(AuditLog.action == "import")).one()
    assert titles == ["秋の読書会", "親子ふれあい体操"]
    assert entry.actor_email == "staff@city.example.jp" and "events.csv" in entry.detail


def test_uploading_the_same_file_again_updates_instead_of_duplicating(engine, staff):
    from io import BytesIO

    data = (FIXTURES / "events.csv").read_bytes()
    for _ in range(2):
        post_form(staff, "/admin/import", {"kind": "events", "file": (BytesIO(data), "events.csv")},
                  content_type="multipart/form-data")
    with Session(engine) as session:
        assert len(session.exec(select(Event)).all()) == 2
        second = session.exec(select(AuditLog).where(AuditLog.action == "import").order_by(AuditLog.id.desc())).first()
    assert "新規 0 件" in second.detail


def test_import_refuses_other_file_types(staff):
    from io import BytesIO

    response = post_form(staff, "/admin/import", {"kind": "events", "file": (BytesIO(b"x"), "evil.exe")},
                         content_type="multipart/form-data")
    assert "CSV（.csv）か iCalendar（.ics）" in response.get_data(as_text=True)


def test_every_step_is_audited_and_the_audit_page_filters(app, engine, south, staff):
    path = create_and_submit(south, event_form())
    post_form(staff, path + "/reject", {"reason": "写真を追加してください"})
    post_form(south, path + "/edit", event_form("直しました"))
    post_form(south, path + "/submit")
    post_form(staff, path + "/approve")
    post_form(south, path + "/withdraw")
    post_form(south, path + "/delete")
    with Session(engine) as session:
        actions = [(a.action, a.actor_email) for a in session.exec(select(AuditLog).order_by(AuditLog.id))
                   if a.record_type == "event"]
    assert actions == [("post", "south@example.jp"), ("submit", "south@example.jp"), ("reject", "staff@city.example.jp"),
                       ("edit", "south@example.jp"), ("submit", "south@example.jp"),
                       ("approve", "staff@city.example.jp"), ("withdraw", "south@example.jp"),
                       ("delete", "south@example.jp")]
    admin = app.test_client()
    login(admin, "admin@city.example.jp")
    page = admin.get("/admin/audit?action=reject").get_data(as_text=True)
    assert "写真を追加してください" in page and CELL + "承認</td>" not in page
    by_actor = admin.get("/admin/audit?actor=staff@city&record_type=event").get_data(as_text=True)
    assert CELL + "承認</td>" in by_actor and CELL + "承認申請</td>" not in by_actor


@pytest.mark.parametrize("kind, form, expected_type", [
    ("opportunities", {"title": "公園清掃ボランティア", "kind": "volunteer", "description": "軍手持参"}, "flex"),
    ("notices", {"title": "断水のお知らせ", "body": "12日9時から断水します。"}, "flex"),
])
def test_preview_of_openings_and_notices_is_what_residents_get(south, kind, form, expected_type):
    from content.posts import notice_message
    from models import Notice as NoticeRow

    token = south.get(f"/admin/{kind}/new").get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    result = south.post(f"/admin/preview/{kind}", data=form, headers={"X-CSRFToken": token}).get_json()
    assert result["message"]["type"] == expected_type and result["errors"] == {}
    assert form["title"] in json.dumps(result["message"], ensure_ascii=False)
    if kind == "notices":
        assert result["message"] == notice_message(NoticeRow(title=form["title"], body=form["body"]), "南自治会")


def test_staff_export_is_csv_for_excel_audited_and_defused(engine, app, south, staff):
    post_form(south, "/admin/events/new", event_form("=HYPERLINK(\"http://evil\")"))
    post_form(south, "/admin/events/new", event_form("餅つき大会"))
    response = staff.get("/admin/events/export.csv?q=餅")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and text.startswith("\ufeffID,タイトル,状態")
    assert "餅つき大会" in text and "HYPERLINK" not in text
    everything = staff.get("/admin/events/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in everything
    assert south.get("/admin/events/export.csv").status_code == 403
    with Session(engine) as session:
        exports = session.exec(select(AuditLog).where(AuditLog.action == "export")).all()
    assert [e.actor_email for e in exports] == ["staff@city.example.jp"] * 2


def test_admin_renames_an_organization_and_it_is_audited(engine, app, people):
    from models import Organization

    admin = app.test_client()
    login(admin, "admin@city.example.jp")
    with Session(engine) as session:
        org_id = session.exec(select(Organization)).one().id
    response = post_form(admin, f"/admin/organizations/{org_id}", {"name": "南地区自治会", "kind": "自治会"})
    assert response.status_code == 302
    with Session(engine) as session:
        assert session.get(Organization, org_id).name == "南地区自治会"
        assert session.exec(select(AuditLog).where(AuditLog.action == "org_edit")).one().detail == "南自治会 → 南地区自治会"
