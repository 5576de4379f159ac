"""The chat simulator in headless Chromium against the real bot: follow → onboarding → a question."""
from __future__ import annotations

from datetime import date

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SKIP_WORDS = ("スキップ", "あとで", "とばす", "Skip")


@pytest.fixture
def demo_city(engine):
    """The demo city in the test database."""
    from content.demo_city import seed_demo_city
    from models import session_scope

    with session_scope(engine) as session:
        seed_demo_city(session, date.today())


def bot_count(page) -> int:
    """How many bot entries the chat shows."""
    return page.get_by_test_id("msg-bot").count()


def wait_for_new_bot_entry(page, before: int) -> None:
    """Block until the bot has said something new."""
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=msg-bot]').length > n", arg=before, timeout=15000)


def tap_quick_reply(page, preferred: tuple[str, ...]) -> str:
    """Tap the first quick reply whose label contains a preferred word, else the first one; returns its label."""
    buttons = page.get_by_test_id("quick-reply")
    labels = buttons.all_text_contents()
    index = next((i for i, label in enumerate(labels) if any(w in label for w in preferred)), 0)
    before = bot_count(page)
    buttons.nth(index).click()
    wait_for_new_bot_entry(page, before)
    return labels[index]


def test_resident_follows_goes_through_onboarding_and_asks(demo_city, live_server, chromium):
    context = chromium.new_context(locale="ja-JP", viewport={"width": 420, "height": 860})
    page = context.new_page()
    try:
        page.goto(live_server.base_url + "/emulator/")
        page.get_by_test_id("new-resident-name").fill("太郎")
        page.get_by_test_id("new-resident-language").select_option("ja")
        page.get_by_test_id("new-resident-create").click()
        page.get_by_test_id("resident-select").locator("option", has_text="太郎").wait_for(state="attached")
        page.get_by_test_id("follow-button").click()
        page.get_by_test_id("msg-bot").first.wait_for(timeout=15000)

        # Onboarding: language (日本語), district (the first one), then skip what remains.
        tapped = [tap_quick_reply(page, ("日本語",))]
        tapped.append(tap_quick_reply(page, ()))
        for _ in range(8):
            labels = page.get_by_test_id("quick-reply").all_text_contents()
            if not labels or "ヘルプ" in labels:
                break
            tapped.append(tap_quick_reply(page, SKIP_WORDS))
        assert "ヘルプ" in page.get_by_test_id("quick-reply").all_text_contents(), tapped

        before = bot_count(page)
        page.get_by_test_id("message-input").fill("図書館は何時まで？")
        page.get_by_test_id("send-button").click()
        wait_for_new_bot_entry(page, before)
        answer = " ".join(page.get_by_test_id("msg-bot").all_text_contents()[before:])
        assert "図書館" in answer
    finally:
        context.close()
