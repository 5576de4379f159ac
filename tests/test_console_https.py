"""HTTPS requests get HSTS and Secure cookies, also in the demo (emulator) configuration and behind a proxy."""
from __future__ import annotations

from dataclasses import replace

import pytest

from tests.fixtures.console.support import PASSWORD, TOKEN_RE, fast_hashing, make_user  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture
def demo_app(config, engine, recording_messenger):
    """The app configured as the demo is: emulator on, so cookies are not Secure by configuration."""
    from bot.app import create_app

    cfg = replace(config, proxy_count=1).with_emulator("http://127.0.0.1:8000")
    return create_app(cfg, engine=engine, messenger=recording_messenger, start_workers=False)


def login_cookie_header(client, **request_options) -> str:
    """The Set-Cookie header of a successful console login."""
    token = TOKEN_RE.search(client.get("/admin/login", **request_options).get_data(as_text=True)).group(1)
    headers = {**request_options.pop("headers", {}), "Referer": request_options.get("base_url", "https://localhost") + "/admin/login"}
    response = client.post("/admin/login", data={"email": "admin@city.example.jp", "password": PASSWORD,
                                                 "csrf_token": token}, headers=headers, **request_options)
    assert response.status_code == 302
    return response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("options, secure", [
    ({"base_url": "https://city.example.jp"}, True),
    ({"headers": {"X-Forwarded-Proto": "https"}}, True),
    ({}, False),
])
def test_console_cookie_and_hsts_follow_the_requests_scheme(demo_app, engine, options, secure):
    make_user(engine, "admin@city.example.jp", "admin")
    cookie = login_cookie_header(demo_app.test_client(), **options)
    assert ("Secure" in cookie) is secure
    page = demo_app.test_client().get("/admin/login", **options)
    assert ("Strict-Transport-Security" in page.headers) is secure
    if secure:
        assert page.headers["Strict-Transport-Security"].startswith("max-age=")
