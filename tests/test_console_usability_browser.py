"""What a staffer sees in a morning at the console, in headless Chromium: the queue by urgency with dates, an
event's 分類 and 参加費, an audit log that names titles and people with links, the wait left after failed logins,
and the city's 地区 set up by hand."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from content import posts
from content.accounts import add_user
from models import Facility, LoginAttempt, utcnow
from tests.conftest import free_port
from tests.fixtures.console.support import PASSWORD, fast_hashing  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fast_hashing")]


@pytest.fixture
def console_url(app):
    """The console app (no workers, no emulator: nothing here needs them) served over HTTP."""
    from werkzeug.serving import make_server

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(5)


def seed_queue(engine) -> dict:
    """Three pending events submitted newest-soonest, one with a category and a fee; ids by title."""
    with Session(engine, expire_on_commit=False) as session:
        org, _ = add_user(session, "south@example.jp", "org", org_name="南自治会", password=PASSWORD)
        add_user(session, "staff@city.example.jp", "admin", password=PASSWORD)
        now = utcnow()
        ids = {}
        for n, (title, days) in enumerate((("年末の集い", 30), ("来週の餅つき", 7), ("明後日の清掃", 2))):
            start = (now + timedelta(days=days)).replace(hour=1, minute=0, second=0, microsecond=0)
            values = {"title": title, "description": "どなたでも", "starts_at": posts.to_local(start),
                      "ends_at": posts.to_local(start + timedelta(hours=2)), "recurrence": "none",
                      "place_name": "公民館", "category": "季節の行事", "fee": "300円（材料費）"}
            record = posts.create_post(session, org, "events", values)
            posts.submit(session, org, "events", record)
            record.updated_at = now - timedelta(hours=3 - n)  # the soonest was submitted last
            ids[title] = record.id
        session.add(Facility(source="test", source_key="south", name="南地区交流センター"))
        session.commit()
    return ids


def log_in(page, base: str, email: str, password: str = PASSWORD):
    """Submit the login form."""
    page.goto(base + "/admin/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_label("パスワード").press("Enter")
    page.wait_for_load_state()


def test_a_staffers_morning_at_the_console(engine, console_url, chromium):
    ids = seed_queue(engine)
    context = chromium.new_context(timezone_id="Asia/Tokyo", locale="ja-JP")
    try:
        page = context.new_page()
        with Session(engine) as session:  # a colleague mistyped the password at this desk, five times
            session.add_all([LoginAttempt(email="staff@city.example.jp", address="127.0.0.1") for _ in range(5)])
            session.commit()
        log_in(page, console_url, "staff@city.example.jp")
        alert = page.locator(".flash-error").inner_text()
        assert "しばらくログインできません" in alert and "あと" in alert and "秒" in alert

        with Session(engine) as session:  # the wait is over
            for attempt in session.exec(select(LoginAttempt)).all():
                attempt.at = attempt.at - timedelta(hours=2)
                session.add(attempt)
            session.commit()
        log_in(page, console_url, "staff@city.example.jp")
        assert page.url == console_url + "/admin/"

        page.goto(console_url + "/admin/queue")
        titles = page.locator(".queue-item h2").all_inner_texts()
        assert titles == ["明後日の清掃", "来週の餅つき", "年末の集い"]
        first_due = page.locator(".queue-item .due").first.inner_text()
        assert first_due.startswith("開催 ") and any(ch.isdigit() for ch in first_due)

        page.locator(".queue-item h2 a", has_text="明後日の清掃").click()
        details = page.locator("dl.details").inner_text()
        assert "分類\n季節の行事" in details.replace("\t", "\n") and "参加費\n300円（材料費）" in details.replace("\t", "\n")
        page.get_by_role("button", name="承認", exact=True).click()
        page.wait_for_load_state()

        page.goto(console_url + "/admin/audit?action=approve")
        target = page.locator("td[data-label='対象'] a").first
        assert target.inner_text() == "明後日の清掃"
        target.click()
        assert page.url.endswith(f"/admin/events/{ids['明後日の清掃']}")
        page.goto(console_url + "/admin/audit?action=submit")
        assert page.locator("td[data-label='対象']", has_text="#").count() == 0

        page.get_by_role("link", name="地区", exact=True).click()
        assert "まだ地区がありません" in page.locator("table.districts").inner_text()
        page.get_by_label("地区名（例：中央地区）").fill("南地区")
        page.get_by_label("ふりがな（例：ちゅうおうちく。住民が、かなで入力しても見つかります）").fill("minami")
        page.get_by_role("button", name="追加").click()
        assert "ひらがなかカタカナ" in page.locator("#field-kana .error").inner_text()  # shown again, kept
        assert page.get_by_label("地区名（例：中央地区）").input_value() == "南地区"
        page.get_by_label("ふりがな（例：ちゅうおうちく。住民が、かなで入力しても見つかります）").fill("みなみちく")
        page.get_by_label("南地区交流センター").check()
        page.get_by_role("button", name="追加").click()
        row = page.locator("table.districts tbody tr").first.inner_text()
        assert "南地区" in row and "みなみちく" in row and "南地区交流センター" in row
        page.get_by_role("link", name="南地区", exact=True).click()
        page.get_by_label("地区名（例：中央地区）").fill("南部地区")
        page.get_by_role("button", name="保存").click()
        assert "南部地区" in page.locator("table.districts").inner_text()
    finally:
        context.close()
