"""The chat simulator page, driven in headless Chromium: residents, chat, quick replies, templates, Flex, rich menu."""
from __future__ import annotations

import io
import json
import threading
import time
import urllib.error
import urllib.request

import pytest
from flask import Flask, request
from werkzeug.serving import make_server

from bot.emulator import create_emulator_blueprint

pytestmark = pytest.mark.browser

SECRET, TOKEN = "page-secret", "page-token"
HTML = '<b>太字</b><img src=x onerror="window.pwned=1"><script>window.pwned=1</script>'

QUICK = {"items": [
    {"type": "action", "action": {"type": "message", "label": "イベント", "text": "イベント"}},
    {"type": "action", "action": {"type": "postback", "label": "設定", "data": "action=settings", "displayText": "設定"}},
    {"type": "action", "action": {"type": "uri", "label": "市のサイト", "uri": "https://example.com/"}},
    {"type": "action", "action": {"type": "location", "label": "位置情報"}},
]}
CONFIRM = {"type": "template", "altText": "参加しますか？", "template": {"type": "confirm", "text": "参加しますか？", "actions": [
    {"type": "postback", "label": "はい", "data": "action=yes", "displayText": "はい"},
    {"type": "message", "label": "いいえ", "text": "いいえ"}]}}


def bubble(title):
    """A Flex bubble with a title, a separator, a body text and a button."""
    return {"type": "bubble", "body": {"type": "box", "layout": "vertical", "spacing": "md", "contents": [
        {"type": "text", "text": title, "weight": "bold", "size": "xl", "wrap": True, "color": "#111111"},
        {"type": "separator"},
        {"type": "box", "layout": "baseline", "contents": [{"type": "text", "text": "日時", "flex": 1, "size": "sm"},
                                                          {"type": "text", "text": "12/6（土）10:00", "flex": 4}]}]},
        "footer": {"type": "box", "layout": "vertical", "contents": [
            {"type": "button", "style": "primary", "action": {"type": "postback", "label": "申し込む",
                                                             "data": f"action=signup&t={title}"}}]}}


CAROUSEL = {"type": "flex", "altText": "イベント", "contents": {"type": "carousel", "contents": [
    bubble("子ども将棋教室"), bubble("防災訓練"), bubble("朝市")]}}
BUTTONS = {"type": "template", "altText": "日にちを選ぶ", "template": {
    "type": "buttons", "title": "防災訓練", "text": "参加する日を選んでください", "actions": [
        {"type": "datetimepicker", "label": "日にちを選ぶ", "data": "action=pick", "mode": "date",
         "initial": "2026-12-06", "min": "2026-12-01", "max": "2026-12-31"},
        {"type": "uri", "label": "くわしく", "uri": "https://example.com/bousai"}]}}
SCRIPT = {  # what the scripted bot replies to a text
    "日にち": [BUTTONS],
    "こんにちは": [{"type": "text", "text": "こんにちは！何をお探しですか？", "quickReply": QUICK}],
    "イベント": [CAROUSEL],
    "確認": [CONFIRM],
    "html": [{"type": "text", "text": HTML},
             {"type": "flex", "altText": "x", "contents": bubble(HTML)}],
}


# The city's own places, as bot/app.py would give them (content.locations) for the demo city.
PLACES = [{"title": "市の中心", "latitude": 35.9012, "longitude": 139.4856},
          {"title": "みどり市立中央図書館", "latitude": 35.9031, "longitude": 139.4871}]


class ScriptedBot:
    """A bot at /callback that replies (through the emulator's HTTP API) from SCRIPT, and records events."""

    def __init__(self):
        self.events: list[dict] = []
        self.base = ""

    def app(self, bp) -> Flask:
        """The emulator plus /callback."""
        app = Flask("scripted-bot")
        app.register_blueprint(bp, url_prefix="/emulator")

        @app.post("/callback")
        def callback():
            for event in json.loads(request.get_data())["events"]:
                self.events.append(event)
                if event.get("replyToken"):
                    threading.Thread(target=self.answer, args=(event,)).start()
            return {}
        return app

    def answer(self, event):
        """Reply to one event."""
        text = event.get("message", {}).get("text")
        if event["type"] == "follow":
            messages = [{"type": "text", "text": "友だち追加ありがとうございます"}]
        elif text in SCRIPT:
            messages = SCRIPT[text]
        else:
            messages = [{"type": "text", "text": f"受け取りました: {event['type']}"}]
        api(self.base, "/emulator/v2/bot/message/reply", {"replyToken": event["replyToken"], "messages": messages})


def api(base, path, body, content_type="application/json", raw=None):
    """Call the emulator's Messaging API with the bearer token; returns (status, JSON)."""
    data = raw if raw is not None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method="POST",
                                 headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": content_type})
    with urllib.request.urlopen(req, timeout=10) as response:
        return response.status, json.loads(response.read() or b"{}")


@pytest.fixture
def live():
    """(base URL, emulator state, bot) on a real threaded server."""
    bot = ScriptedBot()
    bp = create_emulator_blueprint(channel_secret=SECRET, access_token=TOKEN, location_presets=lambda: PLACES)
    server = make_server("127.0.0.1", 0, bot.app(bp), threaded=True)
    bot.base = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield bot.base, bp.state, bot
    server.shutdown()


@pytest.fixture
def browser(chromium):
    """The session's headless Chromium (one Playwright per process: a second sync instance cannot start)."""
    return chromium


@pytest.fixture
def page(browser, live):
    """A fresh page on the simulator with a resident 花子 who has followed."""
    base, state, bot = live
    context = browser.new_context(locale="ja-JP", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(base + "/emulator/")
    page.get_by_test_id("new-resident-name").fill("花子")
    page.get_by_test_id("new-resident-language").select_option("ja-easy")
    page.get_by_test_id("new-resident-create").click()
    page.get_by_test_id("resident-select").locator("option", has_text="花子").wait_for(state="attached")
    page.get_by_test_id("follow-button").click()
    page.get_by_test_id("msg-bot").filter(has_text="友だち追加ありがとうございます").wait_for()
    yield page
    context.close()


def say(page, text):
    """Type and send a message."""
    page.get_by_test_id("message-input").fill(text)
    page.get_by_test_id("send-button").click()


def test_resident_is_created_with_language_and_follows(page, live):
    _, state, bot = live
    (user,) = state.users.values()
    assert (user.display_name, user.language, user.following) == ("花子", "ja-easy", True)
    assert bot.events[0]["type"] == "follow"
    assert page.get_by_test_id("msg-system").first.text_content() == "友だち追加しました"


def test_reply_text_and_quick_replies_are_drawn_and_tappable(page, live):
    _, _, bot = live
    say(page, "こんにちは")
    page.get_by_test_id("bot-text").filter(has_text="何をお探しですか").wait_for()
    assert page.get_by_test_id("user-text").last.text_content() == "こんにちは"
    buttons = page.get_by_test_id("quick-reply")
    assert buttons.all_text_contents() == ["イベント", "設定", "市のサイト", "位置情報"]
    assert [b.get_attribute("data-action-type") for b in buttons.all()] == ["message", "postback", "uri", "location"]
    buttons.nth(1).click()  # postback with displayText: a bubble "設定", the bot gets the data
    page.get_by_test_id("msg-bot").filter(has_text="受け取りました: postback").wait_for()
    assert bot.events[-1]["postback"]["data"] == "action=settings"
    assert page.get_by_test_id("user-text").last.text_content() == "設定"
    assert page.get_by_test_id("quick-reply").count() == 0  # quick replies go away once used


def test_confirm_template_is_drawn_and_its_buttons_answer(page, live):
    _, _, bot = live
    say(page, "確認")
    confirm = page.get_by_test_id("template-confirm")
    confirm.wait_for()
    assert "参加しますか？" in confirm.text_content()
    assert confirm.get_by_test_id("template-action").all_text_contents() == ["はい", "いいえ"]
    confirm.get_by_test_id("template-action").first.click()
    page.get_by_test_id("msg-bot").filter(has_text="受け取りました: postback").wait_for()
    assert bot.events[-1]["postback"]["data"] == "action=yes"


def test_flex_carousel_is_drawn_legibly_and_buttons_work(page, live):
    _, _, bot = live
    say(page, "イベント")
    carousel = page.get_by_test_id("flex-carousel")
    carousel.wait_for()
    bubbles = carousel.get_by_test_id("flex-bubble")
    assert bubbles.count() == 3
    first = bubbles.first
    assert first.get_by_test_id("flex-text").first.text_content() == "子ども将棋教室"
    assert first.get_by_test_id("flex-separator").count() == 1
    title_size = first.get_by_test_id("flex-text").first.evaluate("n => getComputedStyle(n).fontSize")
    assert title_size == "22px"
    first.get_by_test_id("flex-button").click()
    page.get_by_test_id("msg-bot").filter(has_text="受け取りました: postback").nth(0).wait_for()
    assert bot.events[-1]["postback"]["data"] == "action=signup&t=子ども将棋教室"


def test_html_in_messages_shows_as_text(page):
    say(page, "html")
    page.get_by_test_id("bot-text").filter(has_text="<b>太字</b>").wait_for()
    page.get_by_test_id("flex-bubble").last.wait_for()
    chat = page.get_by_test_id("chat")
    assert chat.locator("b, script, img[src='x']").count() == 0
    assert page.get_by_test_id("flex-bubble").last.get_by_test_id("flex-text").first.text_content() == HTML
    assert page.evaluate("window.pwned") is None


def test_pushed_messages_appear_without_user_action(page, live):
    base, state, _ = live
    (user,) = state.users.values()
    status, _ = api(base, "/emulator/v2/bot/message/push", {"to": user.user_id, "messages": [
        {"type": "text", "text": "明日は燃えるごみの日です", "quickReply": QUICK}, CONFIRM]})
    assert status == 200
    page.get_by_test_id("bot-text").filter(has_text="燃えるごみ").wait_for(timeout=5000)
    page.get_by_test_id("template-confirm").wait_for()
    # LINE shows the quick replies of the last message only (here the confirm has none)
    assert page.get_by_test_id("quick-reply").count() == 0


def test_location_is_sent_from_the_citys_own_presets(page, live):
    _, _, bot = live
    page.get_by_test_id("location-open").click()
    presets = page.get_by_test_id("location-preset")
    assert presets.all_inner_texts() == [p["title"] for p in PLACES]
    presets.nth(1).click()
    page.get_by_test_id("location-send").click()
    page.get_by_test_id("msg-bot").filter(has_text="受け取りました: message").wait_for()
    message = bot.events[-1]["message"]
    assert message["type"] == "location" and message["title"] == "みどり市立中央図書館"
    assert (message["latitude"], message["longitude"]) == (35.9031, 139.4871)


def test_on_a_390px_phone_the_chat_comes_first_and_the_menu_folds(browser, live):
    base, state, bot = live
    _, created = api(base, "/emulator/v2/bot/richmenu", {
        "size": {"width": 2500, "height": 1686}, "selected": True, "name": "main", "chatBarText": "メニュー",
        "areas": [{"bounds": {"x": 0, "y": 0, "width": 2500, "height": 1686},
                   "action": {"type": "message", "label": "イベント", "text": "イベント"}}]})
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2500, 1686), (6, 199, 85)).save(out, "PNG")
    api(base, f"/emulator/v2/bot/richmenu/{created['richMenuId']}/content", None, "image/png", out.getvalue())
    api(base, f"/emulator/v2/bot/user/all/richmenu/{created['richMenuId']}", None, raw=b"")
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        phone = context.new_page()
        phone.goto(base + "/emulator/")
        phone.get_by_test_id("richmenu").wait_for()
        chat, side = phone.get_by_test_id("phone").bounding_box(), phone.locator("#side").bounding_box()
        assert chat["y"] < side["y"] and chat["y"] < 10 and chat["width"] >= 380  # the chat first, full width
        toggle = phone.get_by_test_id("richmenu-toggle")
        assert phone.get_by_test_id("richmenu-body").is_hidden() and toggle.get_attribute("aria-expanded") == "false"
        toggle.click()
        body = phone.get_by_test_id("richmenu-body").bounding_box()
        assert body["height"] <= 844 / 3 + 1  # never covers half the chat
        toggle.click()
        assert phone.get_by_test_id("richmenu-body").is_hidden()
    finally:
        context.close()


def test_a_blocked_resident_can_neither_send_nor_receive(page, live):
    base, state, bot = live
    page.get_by_test_id("unfollow-button").click()
    page.get_by_test_id("resident-info").filter(has_text="ブロック中").wait_for()
    assert page.get_by_test_id("message-input").is_disabled() and page.get_by_test_id("send-button").is_disabled()
    user_id = next(iter(state.users))
    events_before = len(bot.events)
    refused = urllib.request.Request(base + "/emulator/events", method="POST",
                                     data=json.dumps({"user_id": user_id, "type": "message", "text": "もしもし"}).encode(),
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(refused, timeout=5)
    assert error.value.code == 403 and len(bot.events) == events_before  # no webhook: the bot never hears it
    status, _ = api(base, "/emulator/v2/bot/message/push", {"to": user_id, "messages": [{"type": "text", "text": "お知らせ"}]})
    assert status == 200 and "お知らせ" not in json.dumps(state.inbox(user_id), ensure_ascii=False)
    page.get_by_test_id("follow-button").click()
    page.get_by_test_id("resident-info").filter(has_text="友だち登録しています").wait_for()
    assert page.get_by_test_id("message-input").is_enabled()


def test_the_simulator_page_sends_the_consoles_protective_headers(live):
    base, _, _ = live
    for path in ("/emulator/", "/emulator/static/simulator.js"):
        with urllib.request.urlopen(base + path, timeout=5) as response:
            headers = response.headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"


def test_rich_menu_is_drawn_with_tappable_areas(page, live):
    from PIL import Image
    base, _, bot = live
    menu = {"size": {"width": 2500, "height": 843}, "selected": True, "name": "main", "chatBarText": "メニュー",
            "areas": [{"bounds": {"x": 0, "y": 0, "width": 1250, "height": 843},
                       "action": {"type": "message", "label": "イベント", "text": "イベント"}},
                      {"bounds": {"x": 1250, "y": 0, "width": 1250, "height": 843},
                       "action": {"type": "postback", "label": "ヘルプ", "data": "action=help"}}]}
    _, created = api(base, "/emulator/v2/bot/richmenu", menu)
    out = io.BytesIO()
    Image.new("RGB", (2500, 843), (6, 199, 85)).save(out, "PNG")
    api(base, f"/emulator/v2/bot/richmenu/{created['richMenuId']}/content", None, "image/png", out.getvalue())
    api(base, f"/emulator/v2/bot/user/all/richmenu/{created['richMenuId']}", None, raw=b"")
    page.reload()
    page.get_by_test_id("richmenu-image").wait_for()
    areas = page.get_by_test_id("richmenu-area")
    assert [a.get_attribute("aria-label") for a in areas.all()] == ["イベント", "ヘルプ"]
    areas.first.click()
    page.get_by_test_id("flex-carousel").wait_for()
    assert bot.events[-1]["message"]["text"] == "イベント"


def test_unfollow_is_shown_and_recorded(page, live):
    _, state, _ = live
    page.get_by_test_id("unfollow-button").click()
    page.get_by_test_id("msg-system").filter(has_text="ブロックしました").wait_for()
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and any(u.following for u in state.users.values()):
        time.sleep(0.05)
    assert not any(u.following for u in state.users.values())


def test_buttons_template_and_datetime_picker_send_a_postback_with_params(page, live):
    _, _, bot = live
    say(page, "日にち")
    card = page.get_by_test_id("template-buttons")
    card.wait_for()
    assert "防災訓練" in card.text_content() and "参加する日を選んでください" in card.text_content()
    assert card.get_by_test_id("template-action").all_text_contents() == ["日にちを選ぶ", "くわしく"]
    card.get_by_test_id("template-action").first.click()
    page.get_by_test_id("datetime-panel").wait_for()
    assert page.get_by_test_id("datetime-input").input_value() == "2026-12-06"
    page.get_by_test_id("datetime-input").fill("2026-12-13")
    page.get_by_test_id("datetime-send").click()
    page.get_by_test_id("msg-bot").filter(has_text="受け取りました: postback").wait_for()
    assert bot.events[-1]["postback"] == {"data": "action=pick", "params": {"date": "2026-12-13"}}
