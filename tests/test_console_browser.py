"""The whole console path in headless Chromium: an org posts, staff approve, a resident finds it; a rejection's
reason reaches the org. Runs the real app (emulator, workers) over HTTP."""
from __future__ import annotations

import json
import urllib.request
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.fixtures.console.support import PASSWORD, make_user

RESIDENT = "U" + "c" * 32

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # the `chromium` fixture skips where it is not installed


def ask(base: str, text: str) -> list[dict]:
    """A resident sends text through the emulator; returns what the bot answered."""
    body = json.dumps({"user_id": RESIDENT, "type": "message", "text": text}, ensure_ascii=False).encode()
    request = urllib.request.Request(base + "/emulator/events", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=15) as response:
        answer = json.loads(response.read())
    assert answer["webhook_status"] == 200
    return answer["messages"]


def in_days(days: int, hour: int) -> str:
    """A datetime-local value in Tokyo."""
    when = datetime.now(ZoneInfo("Asia/Tokyo")) + timedelta(days=days)
    return when.replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")


def log_in(page, base: str, email: str) -> None:
    """Log in through the form with the keyboard."""
    page.goto(base + "/admin/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_label("パスワード").press("Enter")
    page.wait_for_url(base + "/admin/")


def post_event(page, base: str, title: str, description: str) -> str:
    """Fill the event form (checking the live preview), save the draft and submit it; returns the post's URL."""
    page.goto(base + "/admin/events/new")
    page.get_by_label("タイトル（40文字まで）").fill(title)
    page.get_by_label("内容（500文字まで）").fill(description)
    page.get_by_label("開始日時").fill(in_days(2, 10))
    page.get_by_label("終了日時").fill(in_days(2, 12))
    page.get_by_label("会場名（施設一覧にないとき）").fill("南地区交流センター")
    page.wait_for_function("t => document.querySelector('#preview').textContent.includes(t)", arg=title)
    page.get_by_role("button", name="下書きとして保存").click()
    page.get_by_role("button", name="承認を申請").click()
    page.wait_for_selector("text=承認を申請しました")
    return page.url


def test_org_posts_staff_approves_resident_finds_and_rejection_reason_reaches_org(engine, live_server, chromium):
    base = live_server.base_url
    make_user(engine, "south@example.jp", "org", org="南自治会")
    make_user(engine, "staff@city.example.jp", "staff")
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, timezone_id="Asia/Tokyo", locale="ja-JP")
    desk = chromium.new_context(timezone_id="Asia/Tokyo", locale="ja-JP")
    try:
        org, staff = phone.new_page(), desk.new_page()
        errors: list[str] = []
        for page in (org, staff):
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            # CSP violations (an inline script or style slipping in) surface as console errors.
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

        org.goto(base + "/admin/login")
        org.keyboard.press("Tab")
        assert org.evaluate("document.activeElement.textContent") == "本文へ移動"  # skip link comes first
        for _ in range(2):  # then the console's name, then the first field
            org.keyboard.press("Tab")
        assert org.evaluate("document.activeElement.id") == "email"
        log_in(org, base, "south@example.jp")
        post_event(org, base, "ふれあい盆栽教室<b>初心者</b>", "盆栽の手入れを学びます。")
        assert "<b>初心者</b>" in org.text_content("#preview")  # markup shown as text

        log_in(staff, base, "staff@city.example.jp")
        staff.goto(base + "/admin/queue")
        item = staff.locator("article", has_text="ふれあい盆栽教室")
        item.get_by_role("button", name="承認").click()
        staff.wait_for_selector("text=承認しました")

        answer = json.dumps(ask(base, "盆栽教室"), ensure_ascii=False)
        assert "ふれあい盆栽教室" in answer

        rejected = post_event(org, base, "夏祭り準備会", "やぐらを組みます。")
        staff.goto(rejected)
        staff.get_by_label("差し戻しの理由（団体に表示されます）").fill("集合場所を書いてください<script>x</script>")
        staff.get_by_role("button", name="差し戻す").click()
        staff.wait_for_selector("text=差し戻しました")

        org.goto(base + "/admin/")
        assert "集合場所を書いてください<script>x</script>" in org.text_content("main")
        org.goto(rejected)
        assert "集合場所を書いてください" in org.text_content(".reason-text")
        assert errors == []
    finally:
        phone.close()
        desk.close()
