"""Console protections: login required, roles, CSRF on every state-changing request, cookies, timeouts, rate limits."""
from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest
from sqlmodel import Session, select

from bot.webhook import signature_for
from models import AuditLog, ConsoleUser
from tests.fixtures.console.support import (PASSWORD, csrf_token, event_form, fast_hashing, login,  # noqa: F401
                                           make_user, post_form)

pytestmark = pytest.mark.usefixtures("fast_hashing")

GET_PAGES = ["/admin/", "/admin/events/", "/admin/notices/", "/admin/opportunities/", "/admin/events/new",
             "/admin/queue", "/admin/users", "/admin/audit", "/admin/import", "/admin/organizations",
             "/admin/facilities", "/admin/password", "/admin/events/1", "/admin/events/1/edit", "/admin/districts"]
STAFF_PAGES = ["/admin/queue", "/admin/import", "/admin/organizations", "/admin/events/export.csv",
               "/admin/districts"]
ADMIN_PAGES = ["/admin/users", "/admin/audit", "/admin/organizations/1"]
URL_ARGS = {"kind": "events", "post_id": 1, "step": "submit", "user_id": 1, "org_id": 1,
            "code": "e", "item_id": 1, "signup_id": 1,  # sign-up pages (issue 9)
            "number": 1,  # survey rounds (issue 8)
            "district_id": 1}  # the city's 地区 (issue 10)


@pytest.fixture
def accounts(engine):
    """An admin, a staff member, and org users of two organizations."""
    return {"admin": make_user(engine, "admin@city.example.jp", "admin"),
            "staff": make_user(engine, "staff@city.example.jp", "staff"),
            "south": make_user(engine, "south@example.jp", "org", org="南自治会"),
            "north": make_user(engine, "north@example.jp", "org", org="北自治会")}


def state_changing_urls(app) -> list[str]:
    """Every console URL that accepts POST, with made-up arguments filled in."""
    urls = []
    with app.test_request_context():
        from flask import url_for
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("admin.") and "POST" in rule.methods:
                urls.append(url_for(rule.endpoint, **{k: URL_ARGS[k] for k in rule.arguments}))
    return urls


@pytest.mark.parametrize("path", GET_PAGES)
def test_pages_without_a_session_redirect_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")


def test_every_state_changing_request_without_csrf_token_is_400(app, client, accounts):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True
    urls = state_changing_urls(app)
    assert len(urls) >= 12  # login, logout, posts' steps, users, import, preview...
    login(client, "admin@city.example.jp")
    for url in urls:
        for data in ({}, {"csrf_token": "forged"}):
            response = client.post(url, data=data)
            assert response.status_code == 400, (url, data, response.status_code)
    assert client.get("/admin/").status_code == 200  # the session survived: nothing was done


def test_csrf_token_from_another_session_is_refused(app, accounts):
    other = app.test_client()
    token = csrf_token(other, "/admin/login")
    client = app.test_client()
    login(client, "south@example.jp")
    response = client.post("/admin/events/new", data={**event_form(), "csrf_token": token})
    assert response.status_code == 400


def test_login_form_needs_csrf_too(client, accounts):
    response = client.post("/admin/login", data={"email": "admin@city.example.jp", "password": PASSWORD})
    assert response.status_code == 400


def test_webhook_and_emulator_are_not_under_console_csrf(app, client):
    body = json.dumps({"destination": "U" + "0" * 32, "events": []}).encode()
    secret = app.extensions["tsunagari"].config.channel_secret
    response = client.post("/callback", data=body, content_type="application/json",
                           headers={"X-Line-Signature": signature_for(secret, body)})
    assert response.status_code == 200


@pytest.mark.parametrize("path", STAFF_PAGES + ADMIN_PAGES)
def test_org_user_cannot_reach_staff_pages(client, accounts, path):
    login(client, "south@example.jp")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_staff_cannot_manage_users_or_read_audit(client, accounts, path):
    login(client, "staff@city.example.jp")
    assert client.get(path).status_code == 403


def test_staff_cannot_invite_or_reset_users(client, accounts):
    login(client, "staff@city.example.jp")
    assert post_form(client, "/admin/users", {"email": "x@example.jp", "role": "admin"}).status_code == 403
    assert post_form(client, f"/admin/users/{accounts['admin']}/reset").status_code == 403
    assert post_form(client, f"/admin/users/{accounts['admin']}/toggle").status_code == 403


@pytest.mark.parametrize("path", STAFF_PAGES + ADMIN_PAGES + ["/admin/events/", "/admin/"])
def test_staff_and_admin_reach_their_pages(client, accounts, path):
    login(client, "admin@city.example.jp")
    assert client.get(path).status_code == 200


def test_org_user_cannot_read_change_submit_or_approve_another_orgs_post(app, accounts):
    south, north = app.test_client(), app.test_client()
    login(south, "south@example.jp")
    created = post_form(south, "/admin/events/new", event_form("南の餅つき"))
    event_path = created.headers["Location"]
    login(north, "north@example.jp")
    assert north.get(event_path).status_code == 403
    assert north.get(event_path + "/edit").status_code == 403
    assert post_form(north, event_path + "/edit", event_form("乗っ取り")).status_code == 403
    for step in ("submit", "withdraw", "delete", "approve", "reject"):
        assert post_form(north, f"{event_path}/{step}", {"reason": "x"}).status_code == 403, step
    assert "南の餅つき" not in north.get("/admin/events/").get_data(as_text=True)
    post_form(south, event_path + "/submit")
    assert post_form(south, event_path + "/approve").status_code == 403  # not even its own
    assert post_form(south, event_path + "/reject", {"reason": "x"}).status_code == 403


def test_cookies_are_httponly_samesite_lax_and_secure_when_configured(config, engine, recording_messenger):
    from bot.app import create_app

    app = create_app(replace(config, session_cookie_secure=True), engine=engine, messenger=recording_messenger,
                     start_workers=False)
    make_user(engine, "admin@city.example.jp", "admin")
    client = app.test_client()
    response = login(client, "admin@city.example.jp")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 8 * 3600


@pytest.mark.parametrize("key, age_minutes", [("seen", 31), ("started", 8 * 60 + 1)])
def test_idle_or_old_session_is_logged_out(client, accounts, key, age_minutes):
    login(client, "south@example.jp")
    assert client.get("/admin/").status_code == 200
    with client.session_transaction() as sess:
        sess[key] = int(time.time()) - age_minutes * 60
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
    assert client.get("/admin/").status_code == 302


def test_password_reset_by_admin_ends_the_users_sessions(app, accounts):
    user, admin = app.test_client(), app.test_client()
    login(user, "south@example.jp")
    assert user.get("/admin/").status_code == 200
    login(admin, "admin@city.example.jp")
    page = post_form(admin, f"/admin/users/{accounts['south']}/reset")
    assert page.status_code == 200 and "仮パスワード" in page.get_data(as_text=True)
    assert user.get("/admin/").status_code == 302


def test_invited_user_logs_in_with_one_time_password_and_must_change_it(app, engine, accounts):
    admin = app.test_client()
    login(admin, "admin@city.example.jp")
    page = post_form(admin, "/admin/users", {"email": "new@example.jp", "role": "org", "org_name": "東NPO"})
    html = page.get_data(as_text=True)
    one_time = html.split('<code class="secret">')[1].split("</code>")[0]
    newcomer = app.test_client()
    login(newcomer, "new@example.jp", one_time)
    response = newcomer.get("/admin/events/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/password")
    changed = post_form(newcomer, "/admin/password", {"current": one_time, "new": "my own secret 123",
                                                      "confirm": "my own secret 123"})
    assert changed.status_code == 302
    assert newcomer.get("/admin/events/").status_code == 200


def test_login_is_rate_limited_per_account(client, accounts, engine):
    for _ in range(5):
        assert login(client, "south@example.jp", "wrong guess").status_code == 401
    blocked = login(client, "south@example.jp")
    assert blocked.status_code == 429 and "しばらくログインできません" in blocked.get_data(as_text=True)
    wait = int(blocked.headers["Retry-After"])
    assert 20 <= wait <= 30 and f"あと{wait}秒" in blocked.get_data(as_text=True)  # the wait left is shown
    assert client.get("/admin/").status_code == 302
    with Session(engine) as session:
        actions = [a.action for a in session.exec(select(AuditLog).order_by(AuditLog.id))]
    assert actions == ["login_failed"] * 5 + ["login_blocked"]


def test_login_is_rate_limited_per_address(client, accounts):
    for n in range(20):
        login(client, f"nobody{n}@example.jp", "guess")
    assert login(client, "admin@city.example.jp").status_code == 429


def test_successful_login_is_audited_with_address(client, accounts, engine):
    assert login(client, "staff@city.example.jp").status_code == 302
    with Session(engine) as session:
        entry = session.exec(select(AuditLog).where(AuditLog.action == "login")).one()
        user = session.get(ConsoleUser, accounts["staff"])
    assert (entry.actor_email, entry.actor_id, entry.address) == ("staff@city.example.jp", user.id, "127.0.0.1")
    assert user.last_login_at is not None


@pytest.mark.parametrize("target, expected", [
    ("/admin/events/", "/admin/events/"),
    ("https://evil.example/", "/admin/"),
    ("//evil.example/admin", "/admin/"),
    ("/callback", "/admin/"),
])
def test_login_only_redirects_inside_the_console(client, accounts, target, expected):
    token = csrf_token(client, "/admin/login")
    response = client.post("/admin/login?next=" + target, data={"email": "staff@city.example.jp",
                                                                 "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == expected


def test_disabled_account_loses_its_session(app, accounts):
    user, admin = app.test_client(), app.test_client()
    login(user, "north@example.jp")
    login(admin, "admin@city.example.jp")
    post_form(admin, f"/admin/users/{accounts['north']}/toggle")
    assert user.get("/admin/").status_code == 302
    # The right password of a disabled account gets the same answer as a wrong one: nothing to learn from it.
    refused = login(user, "north@example.jp")
    assert refused.status_code == 401 and "メールアドレスまたはパスワードが違います" in refused.get_data(as_text=True)


def test_logout_needs_post_and_ends_the_session(client, accounts):
    login(client, "staff@city.example.jp")
    assert client.get("/admin/logout").status_code == 405
    post_form(client, "/admin/logout")
    assert client.get("/admin/").status_code == 302


def test_console_errors_are_japanese_pages_and_other_paths_untouched(client, accounts):
    login(client, "south@example.jp")
    page = client.get("/admin/users")
    assert page.status_code == 403 and "権限がありません" in page.get_data(as_text=True)
    assert "権限" not in client.get("/no-such-page").get_data(as_text=True)


def test_console_pages_send_protective_headers(client, accounts):
    login(client, "staff@city.example.jp")
    headers = client.get("/admin/").headers
    assert headers["X-Frame-Options"] == "DENY" and "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"


def test_org_user_cannot_post_in_another_orgs_name(app, engine, accounts):
    from models import Event, Organization

    with Session(engine) as session:
        north_id = session.exec(select(Organization).where(Organization.name == "北自治会")).one().id
    client = app.test_client()
    login(client, "south@example.jp")
    post_form(client, "/admin/events/new", {**event_form("なりすまし"), "organization_id": str(north_id)})
    with Session(engine) as session:
        event = session.exec(select(Event)).one()
        assert session.get(Organization, event.organization_id).name == "南自治会"
