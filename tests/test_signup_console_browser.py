"""The organizer at the door, on a phone, in headless Chromium: the sign-up list, a code typed in,
attendance marked by hand, and the CSV downloaded."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from content.signups import core
from models import Organization, Signup
from tests.fixtures.console.support import make_user
from tests.signup_support import add_event, add_resident
from tests.test_console_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_organizer_checks_residents_in_from_a_phone(engine, live_server, chromium, tmp_path):
    from datetime import datetime, timedelta, timezone

    base = live_server.base_url
    make_user(engine, "south@example.jp", "org", org="南自治会")
    now = datetime.now(timezone.utc)
    with Session(engine, expire_on_commit=False) as session:
        org = session.exec(select(Organization).where(Organization.name == "南自治会")).one()
        event = add_event(session, capacity=3, organization_id=org.id, title="南地区そば打ち体験",
                          starts_at=(now + timedelta(days=3)).replace(tzinfo=None))
        for n in range(4):
            core.join(session, add_resident(session, n), "e", event.id, now)
        session.commit()
        codes = [s.checkin_code for s in session.exec(select(Signup).order_by(Signup.id)).all()]
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, timezone_id="Asia/Tokyo", locale="ja-JP",
                                 accept_downloads=True)
    try:
        page = phone.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        log_in(page, base, "south@example.jp")
        page.get_by_role("link", name="参加申込").click()
        page.get_by_role("link", name="南地区そば打ち体験").click()
        assert "3人（定員 3人）" in page.text_content("#count-going")
        assert "キャンセル待ち（1番目）" in page.text_content("table.signup-list")

        page.get_by_label("受付コード").fill(codes[0].lower())
        page.get_by_role("button", name="出席にする", exact=True).click()
        page.wait_for_selector("text=出席にしました")
        assert page.text_content("#count-attended").strip() == "1人"

        page.get_by_role("button", name="受付番号2を出席にする").click()
        page.wait_for_selector("text=出席にしました")
        assert page.text_content("#count-attended").strip() == "2人"

        page.goto(f"{base}/admin/checkin?code={codes[2]}")  # what a phone camera opens from the resident's QR
        assert "南地区そば打ち体験" in page.text_content("main")
        page.get_by_role("button", name="出席にする").first.click()
        page.wait_for_selector("text=出席にしました")
        page.goto(f"{base}/admin/signups/e{event.id}")
        assert page.text_content("#count-attended").strip() == "3人"

        page.get_by_label("受付コード").fill(codes[3])
        page.get_by_role("button", name="出席にする", exact=True).click()
        page.wait_for_selector("text=キャンセル待ちかキャンセル済み")

        with page.expect_download() as download:
            page.get_by_role("link", name="CSVを書き出す").click()
        path = tmp_path / "list.csv"
        download.value.save_as(path)
        text = path.read_text(encoding="utf-8-sig")
        assert text.splitlines()[0].startswith("受付番号,受付コード,状態")
        assert text.count("出席") >= 4  # header + three attended rows
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        assert errors == []
    finally:
        phone.close()
