"""The emulator answers like LINE: status codes, error bodies, retry keys, reply tokens, quota, limits, webhooks."""
from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import threading
import time
import uuid

import pytest
from flask import Flask, request
from werkzeug.serving import make_server

from bot.emulator import create_emulator_blueprint, make_user_id

SECRET = "emulator-test-secret"
TOKEN = "emulator-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ALICE = make_user_id("alice")
BOB = make_user_id("bob")


def text(t="こんにちは"):
    """A text message."""
    return {"type": "text", "text": t}


@pytest.fixture
def emulator():
    """(test client, state) for an app that mounts only the emulator."""
    app = Flask("emulator-test")
    bp = create_emulator_blueprint(channel_secret=SECRET, access_token=TOKEN, webhook_url="http://127.0.0.1:9/callback")
    app.register_blueprint(bp, url_prefix="/emulator")
    return app.test_client(), bp.state


def followers(state, *user_ids):
    """Make these users follow the account."""
    for uid in user_ids:
        state.add_user(uid[-4:], "ja", uid, following=True)


def push(client, to=ALICE, messages=None, key=None):
    """POST a push message."""
    headers = dict(AUTH, **({"X-Line-Retry-Key": key} if key else {}))
    return client.post("/emulator/v2/bot/message/push", json={"to": to, "messages": [text()] if messages is None else messages},
                       headers=headers)


# --- authentication and request ids ------------------------------------------------------------------------
@pytest.mark.parametrize("headers,reason", [({}, "no token"), ({"Authorization": "Bearer wrong"}, "invalid token"),
                                            ({"Authorization": TOKEN}, "no token")])
def test_wrong_or_missing_token_is_401(emulator, headers, reason):
    client, _ = emulator
    response = client.post("/emulator/v2/bot/message/push", json={"to": ALICE, "messages": [text()]}, headers=headers)
    assert response.status_code == 401
    assert reason in response.get_json()["message"]
    assert response.headers["x-line-request-id"]


def test_every_response_has_its_own_request_id(emulator):
    client, _ = emulator
    ids = {client.get("/emulator/v2/bot/message/quota", headers=AUTH).headers["x-line-request-id"] for _ in range(3)}
    assert len(ids) == 3


# --- sending and validation --------------------------------------------------------------------------------
def test_push_reaches_the_inbox_with_via_and_at(emulator):
    client, state = emulator
    followers(state, ALICE)
    response = push(client, messages=[text("一通目"), text("二通目")])
    assert response.status_code == 200
    assert len(response.get_json()["sentMessages"]) == 2
    inbox = client.get(f"/emulator/inbox/{ALICE}").get_json()
    assert [(m["text"], m["via"]) for m in inbox] == [("一通目", "push"), ("二通目", "push")]
    assert all(m["at"].endswith("Z") for m in inbox)


@pytest.mark.parametrize("messages,expected", [
    ([text("a" * 5001)], [{"message": "Length must be between 0 and 5000", "property": "messages[0].text"}]),
    ([text()] * 6, [{"message": "Size must be between 1 and 5", "property": "messages"}]),
    ([], [{"message": "Size must be between 1 and 5", "property": "messages"}]),
    ([text(""), text("🍎" * 2501)], [{"message": "must be non-empty text", "property": "messages[0].text"},
                                    {"message": "Length must be between 0 and 5000", "property": "messages[1].text"}]),
])
def test_limits_are_refused_with_lines_400_body(emulator, messages, expected):
    client, state = emulator
    followers(state, ALICE)
    response = push(client, messages=messages)
    assert response.status_code == 400
    assert response.get_json() == {"message": f"The request body has {len(expected)} error(s)", "details": expected}
    assert client.get(f"/emulator/inbox/{ALICE}").get_json() == []


@pytest.mark.parametrize("kind", ["reply", "push", "multicast", "broadcast"])
def test_validate_endpoints_check_only_messages(emulator, kind):
    client, _ = emulator
    ok = client.post(f"/emulator/v2/bot/message/validate/{kind}", json={"messages": [text()]}, headers=AUTH)
    bad = client.post(f"/emulator/v2/bot/message/validate/{kind}", json={"messages": [text("")]}, headers=AUTH)
    assert (ok.status_code, ok.get_json()) == (200, {})
    assert bad.status_code == 400 and bad.get_json()["details"][0]["property"] == "messages[0].text"


def test_non_json_body_is_400(emulator):
    client, _ = emulator
    response = client.post("/emulator/v2/bot/message/push", data=b"not json", headers=AUTH)
    assert response.status_code == 400


def test_body_over_2_mb_is_413(emulator):
    client, _ = emulator
    response = client.post("/emulator/v2/bot/message/push", data=b"x" * (2 * 1024 * 1024 + 1), headers=AUTH,
                           content_type="application/json")
    assert response.status_code == 413


@pytest.mark.parametrize("to,status", [("not-a-user", 400), (make_user_id("stranger"), 200)])
def test_push_to_malformed_id_is_400_but_to_a_stranger_is_silently_dropped(emulator, to, status):
    client, state = emulator
    assert push(client, to=to).status_code == status
    assert state.usage == 0


def test_multicast_over_500_recipients_is_400(emulator):
    client, _ = emulator
    response = client.post("/emulator/v2/bot/message/multicast", headers=AUTH,
                           json={"to": [ALICE] * 501, "messages": [text()]})
    assert response.status_code == 400
    assert response.get_json()["details"] == [{"message": "Size must be between 1 and 500", "property": "to"}]


def test_broadcast_reaches_followers_only(emulator):
    client, state = emulator
    followers(state, ALICE)
    state.add_user("bob", "en", BOB, following=False)
    assert client.post("/emulator/v2/bot/message/broadcast", json={"messages": [text()]}, headers=AUTH).status_code == 200
    assert len(client.get(f"/emulator/inbox/{ALICE}").get_json()) == 1
    assert client.get(f"/emulator/inbox/{BOB}").get_json() == []


# --- reply tokens --------------------------------------------------------------------------------------------
def reply(client, token, messages=None, headers=None):
    """POST a reply."""
    return client.post("/emulator/v2/bot/message/reply", json={"replyToken": token, "messages": messages or [text()]},
                       headers=dict(AUTH, **(headers or {})))


def test_reply_token_is_single_use(emulator):
    client, state = emulator
    token = state.issue_reply_token(ALICE)
    first, second = reply(client, token), reply(client, token)
    assert first.status_code == 200
    assert (second.status_code, second.get_json()) == (400, {"message": "Invalid reply token"})
    assert [m["via"] for m in client.get(f"/emulator/inbox/{ALICE}").get_json()] == ["reply"]


@pytest.mark.parametrize("age,status", [(59, 200), (61, 400)])
def test_reply_token_expires_after_a_minute(emulator, age, status):
    client, state = emulator
    token = state.issue_reply_token(ALICE)
    state.travel(age)
    assert reply(client, token).status_code == status


def test_unknown_reply_token_is_400(emulator):
    client, _ = emulator
    assert reply(client, "nope").get_json() == {"message": "Invalid reply token"}


def test_retry_key_on_reply_is_400(emulator):
    client, state = emulator
    token = state.issue_reply_token(ALICE)
    assert reply(client, token, headers={"X-Line-Retry-Key": str(uuid.uuid4())}).status_code == 400
    assert reply(client, token).status_code == 200  # the refused request did not spend the token


def test_replies_are_free(emulator):
    client, state = emulator
    client.post("/emulator/config", json={"quota": 0})
    assert reply(client, state.issue_reply_token(ALICE)).status_code == 200


# --- retry keys ----------------------------------------------------------------------------------------------
def test_retry_key_accepted_once_then_409_with_accepted_request_id(emulator):
    client, state = emulator
    followers(state, ALICE)
    key = str(uuid.uuid4())
    first, again = push(client, key=key), push(client, key=key)
    assert first.status_code == 200
    assert again.status_code == 409
    assert again.get_json()["message"] == "The retry key is already accepted"
    assert again.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    assert again.headers["x-line-request-id"] != first.headers["x-line-request-id"]
    assert len(client.get(f"/emulator/inbox/{ALICE}").get_json()) == 1
    assert state.usage == 1


def test_retry_key_after_a_failure_can_still_be_accepted(emulator):
    client, state = emulator
    followers(state, ALICE)
    client.post("/emulator/config", json={"fail_next": [{"path": "/v2/bot/message/push", "status": 500, "times": 1}]})
    key = str(uuid.uuid4())
    assert [push(client, key=key).status_code for _ in range(3)] == [500, 200, 409]


def test_retry_key_must_be_a_uuid(emulator):
    client, state = emulator
    followers(state, ALICE)
    assert push(client, key="batch-1").status_code == 400


def test_same_retry_key_from_many_threads_is_accepted_once(emulator):
    client, state = emulator
    followers(state, ALICE)
    key, statuses = str(uuid.uuid4()), []
    app = client.application
    threads = [threading.Thread(target=lambda: statuses.append(push(app.test_client(), key=key).status_code))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [409] * 7


# --- quota, rate limit, faults, latency --------------------------------------------------------------------------
def test_monthly_quota_counts_recipients_and_answers_429(emulator):
    client, state = emulator
    followers(state, ALICE, BOB)
    client.post("/emulator/config", json={"quota": 3})
    multicast = client.post("/emulator/v2/bot/message/multicast", headers=AUTH,
                            json={"to": [ALICE, BOB], "messages": [text(), text()]})
    assert multicast.status_code == 200
    assert client.get("/emulator/v2/bot/message/quota/consumption", headers=AUTH).get_json() == {"totalUsage": 2}
    assert client.get("/emulator/v2/bot/message/quota", headers=AUTH).get_json() == {"type": "limited", "value": 3}
    over = client.post("/emulator/v2/bot/message/multicast", headers=AUTH, json={"to": [ALICE, BOB], "messages": [text()]})
    assert (over.status_code, over.get_json()) == (429, {"message": "You have reached your monthly limit."})
    assert push(client).status_code == 200


def test_quota_is_none_by_default(emulator):
    client, _ = emulator
    assert client.get("/emulator/v2/bot/message/quota", headers=AUTH).get_json() == {"type": "none"}


def test_rate_limit_answers_429(emulator):
    client, state = emulator
    followers(state, ALICE)
    client.post("/emulator/config", json={"rate_limit": {"/v2/bot/message/push": {"requests": 2, "per_seconds": 60}}})
    statuses = [push(client).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert push(client).get_json() == {"message": "The API rate limit has been exceeded. Try again later."}
    state.travel(31)  # the bucket refills at 2 per 60 s
    assert push(client).status_code == 200


def test_fail_next_injects_statuses_then_recovers(emulator):
    client, state = emulator
    followers(state, ALICE)
    client.post("/emulator/config", json={"fail_next": [{"path": "/emulator/v2/bot/message/push", "status": 503,
                                                         "times": 2}]})
    assert [push(client).status_code for _ in range(3)] == [503, 503, 200]


def test_latency_is_added_to_api_calls(emulator):
    client, _ = emulator
    client.post("/emulator/config", json={"latency_ms": 120})
    started = time.monotonic()
    client.get("/emulator/v2/bot/message/quota", headers=AUTH)
    assert time.monotonic() - started >= 0.12


def test_request_log_records_method_path_status_key_recipients_body(emulator):
    client, state = emulator
    followers(state, ALICE, BOB)
    key = str(uuid.uuid4())
    client.post("/emulator/v2/bot/message/multicast", json={"to": [ALICE, BOB], "messages": [text()]},
                headers=dict(AUTH, **{"X-Line-Retry-Key": key}))
    (entry,) = client.get("/emulator/requests").get_json()
    assert {k: entry[k] for k in ("method", "path", "status", "retry_key", "recipients")} == {
        "method": "POST", "path": "/v2/bot/message/multicast", "status": 200, "retry_key": key, "recipients": 2}
    assert entry["body"]["to"] == [ALICE, BOB]


def test_reset_forgets_everything(emulator):
    client, state = emulator
    followers(state, ALICE)
    push(client)
    client.post("/emulator/config", json={"quota": 1})
    client.post("/emulator/reset")
    assert client.get(f"/emulator/inbox/{ALICE}").get_json() == []
    assert client.get("/emulator/requests").get_json() == []
    assert client.get("/emulator/v2/bot/message/quota", headers=AUTH).get_json() == {"type": "none"}


# --- profile and users ------------------------------------------------------------------------------------------------
def test_profile_of_a_follower_and_404_otherwise(emulator):
    client, state = emulator
    state.add_user("花子", "en", ALICE, following=True)
    assert client.get(f"/emulator/v2/bot/profile/{ALICE}", headers=AUTH).get_json() == {
        "userId": ALICE, "displayName": "花子", "language": "en"}
    missing = client.get(f"/emulator/v2/bot/profile/{BOB}", headers=AUTH)
    assert (missing.status_code, missing.get_json()) == (404, {"message": "Not found"})


@pytest.mark.parametrize("body,status", [
    ({"name": "山田花子", "language": "ja-easy"}, 201),
    ({"name": "", "language": "ja"}, 400),
    ({"name": "x", "language": "fr"}, 400),
])
def test_simulator_creates_residents(emulator, body, status):
    client, _ = emulator
    response = client.post("/emulator/users", json=body)
    assert response.status_code == status
    if status == 201:
        assert response.get_json()["userId"] in [u["userId"] for u in client.get("/emulator/users").get_json()["users"]]


# --- rich menus ----------------------------------------------------------------------------------------------------------
def menu(width=2500, height=843):
    """A rich menu object with two areas."""
    half = width // 2
    return {"size": {"width": width, "height": height}, "selected": True, "name": "main", "chatBarText": "メニュー",
            "areas": [{"bounds": {"x": 0, "y": 0, "width": half, "height": height},
                       "action": {"type": "message", "label": "イベント", "text": "イベント"}},
                      {"bounds": {"x": half, "y": 0, "width": width - half, "height": height},
                       "action": {"type": "postback", "label": "設定", "data": "action=settings"}}]}


def png(width, height, fmt="PNG"):
    """Image bytes of this size."""
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 230, 200)).save(out, fmt)
    return out.getvalue()


def create_menu(client, obj=None):
    """Create a rich menu; returns its id."""
    response = client.post("/emulator/v2/bot/richmenu", json=obj or menu(), headers=AUTH)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["richMenuId"]


def upload(client, menu_id, data, content_type="image/png"):
    """Upload a rich menu image."""
    return client.post(f"/emulator/v2/bot/richmenu/{menu_id}/content", data=data, content_type=content_type,
                       headers=AUTH)


def test_rich_menu_lifecycle(emulator):
    client, state = emulator
    followers(state, ALICE)
    menu_id = create_menu(client)
    assert client.post(f"/emulator/v2/bot/user/all/richmenu/{menu_id}", headers=AUTH).status_code == 400  # no image
    assert upload(client, menu_id, png(2500, 843)).status_code == 200
    assert upload(client, menu_id, png(2500, 843)).status_code == 400  # an image cannot be replaced
    assert client.post(f"/emulator/v2/bot/user/all/richmenu/{menu_id}", headers=AUTH).status_code == 200
    assert client.get("/emulator/v2/bot/user/all/richmenu", headers=AUTH).get_json() == {"richMenuId": menu_id}
    listed = client.get("/emulator/v2/bot/richmenu/list", headers=AUTH).get_json()["richmenus"]
    assert [m["richMenuId"] for m in listed] == [menu_id]
    shown = client.get(f"/emulator/richmenu?user_id={ALICE}").get_json()
    assert shown["richMenu"]["richMenuId"] == menu_id
    assert client.get("/emulator/" + shown["imageUrl"]).data == png(2500, 843)
    assert client.delete(f"/emulator/v2/bot/richmenu/{menu_id}", headers=AUTH).status_code == 200
    assert client.get("/emulator/v2/bot/user/all/richmenu", headers=AUTH).status_code == 404


def test_rich_menu_linked_to_a_user_wins_over_default(emulator):
    client, state = emulator
    followers(state, ALICE)
    default_id, personal_id = create_menu(client), create_menu(client)
    for menu_id in (default_id, personal_id):
        upload(client, menu_id, png(2500, 843))
    client.post(f"/emulator/v2/bot/user/all/richmenu/{default_id}", headers=AUTH)
    assert client.post(f"/emulator/v2/bot/user/{ALICE}/richmenu/{personal_id}", headers=AUTH).status_code == 200
    assert client.get(f"/emulator/v2/bot/user/{ALICE}/richmenu", headers=AUTH).get_json() == {"richMenuId": personal_id}
    assert client.get(f"/emulator/richmenu?user_id={ALICE}").get_json()["richMenu"]["richMenuId"] == personal_id


@pytest.mark.parametrize("size,status", [((799, 500), 400), ((1000, 700), 400), ((800, 249), 400)])
def test_rich_menu_object_size_rules(emulator, size, status):
    client, _ = emulator
    response = client.post("/emulator/v2/bot/richmenu", json=menu(*size), headers=AUTH)
    assert response.status_code == status
    assert response.get_json()["details"][0]["property"] == "size"


@pytest.mark.parametrize("data,content_type,status", [
    (png(2500, 843), "image/png", 200),
    (png(2500, 843, "JPEG"), "image/jpeg", 200),
    (png(2500, 843), "image/gif", 415),
    (png(2500, 843, "JPEG"), "image/png", 400),       # bytes and declared type disagree
    (png(1200, 843), "image/png", 400),               # not the menu's size
    (b"not an image", "image/png", 400),
])
def test_rich_menu_image_rules(emulator, data, content_type, status):
    client, _ = emulator
    assert upload(client, create_menu(client), data, content_type).status_code == status


def test_rich_menu_image_over_1_mb_is_refused(emulator):
    client, _ = emulator
    import os
    from PIL import Image
    noisy = Image.frombytes("RGB", (2500, 843), os.urandom(2500 * 843 * 3))
    out = io.BytesIO()
    noisy.save(out, "PNG")
    assert len(out.getvalue()) > 1024 * 1024
    assert upload(client, create_menu(client), out.getvalue()).status_code == 413


def test_rich_menu_validate_endpoint(emulator):
    client, _ = emulator
    assert client.post("/emulator/v2/bot/richmenu/validate", json=menu(), headers=AUTH).status_code == 200
    broken = dict(menu(), chatBarText="あ" * 15)
    assert client.post("/emulator/v2/bot/richmenu/validate", json=broken, headers=AUTH).status_code == 400


# --- webhooks over real HTTP ----------------------------------------------------------------------------------------
class FakeBot:
    """A tiny bot at /callback: checks the signature, answers 200, replies from a thread through the emulator."""

    def __init__(self):
        self.received: list[dict] = []
        self.bad_signatures = 0
        self.base = None

    def app(self, emulator_bp) -> Flask:
        """The app: the emulator plus /callback."""
        app = Flask("fake-bot")
        app.register_blueprint(emulator_bp, url_prefix="/emulator")

        @app.post("/callback")
        def callback():
            body = request.get_data()
            expected = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
            if not hmac.compare_digest(expected, request.headers.get("X-Line-Signature", "")):
                self.bad_signatures += 1
                return {"message": "bad signature"}, 400
            payload = json.loads(body)
            for event in payload["events"]:
                self.received.append(event)
                if event.get("message", {}).get("text") == "boom":
                    return {}, 500
                if event.get("replyToken"):
                    threading.Thread(target=self.answer, args=(event,)).start()
            return {}
        return app

    def answer(self, event):
        """Reply like a worker would: a moment later, through the SDK pointed at the emulator."""
        from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, PushMessageRequest, \
            ReplyMessageRequest, TextMessage
        time.sleep(0.05)
        kind = event["type"] if event["type"] != "message" else event["message"]["type"]
        with ApiClient(Configuration(host=self.base + "/emulator", access_token=TOKEN)) as client:
            api = MessagingApi(client)
            if event.get("message", {}).get("text") == "push first":
                api.push_message(PushMessageRequest(to=event["source"]["userId"], messages=[TextMessage(text="お知らせ")]))
            api.reply_message(ReplyMessageRequest(reply_token=event["replyToken"],
                                                  messages=[TextMessage(text=f"got {kind}")]))


@pytest.fixture
def live():
    """(base URL, state, fake bot) with a real threaded werkzeug server on a free port."""
    bot = FakeBot()
    bp = create_emulator_blueprint(channel_secret=SECRET, access_token=TOKEN)
    server = make_server("127.0.0.1", 0, bot.app(bp), threaded=True)
    bot.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield bot.base, bp.state, bot
    server.shutdown()


def post_event(base, payload):
    """POST /emulator/events over HTTP; returns (status, JSON)."""
    import urllib.error
    import urllib.request
    req = urllib.request.Request(base + "/emulator/events", data=json.dumps(payload).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=15) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.parametrize("payload,reply", [
    ({"type": "message", "text": "こんにちは"}, "got text"),
    ({"type": "postback", "data": "action=x"}, "got postback"),
    ({"type": "postback", "data": "action=day", "params": {"date": "2026-12-01"}}, "got postback"),
    ({"type": "location", "latitude": 39.31, "longitude": 140.55, "title": "市役所"}, "got location"),
    ({"type": "follow"}, "got follow"),
])
def test_event_is_signed_delivered_and_answered_with_the_reply(live, payload, reply):
    base, state, bot = live
    status, body = post_event(base, dict(payload, user_id=ALICE))
    assert status == 200
    assert body["webhook_status"] == 200
    assert body["messages"] == [{"type": "text", "text": reply}]
    (event,) = bot.received
    assert bot.bad_signatures == 0
    assert event["source"] == {"type": "user", "userId": ALICE}
    assert event["mode"] == "active" and event["deliveryContext"] == {"isRedelivery": False}
    assert len(event["webhookEventId"]) == 26 and isinstance(event["timestamp"], int)
    assert event["replyToken"] and state.reply_token_used(event["replyToken"])
    if "params" in payload:
        assert event["postback"]["params"] == payload["params"]


def test_follow_then_unfollow_changes_whether_profile_is_found(live):
    base, state, _ = live
    post_event(base, {"type": "follow", "user_id": BOB})
    assert state.can_receive(BOB)
    started = time.monotonic()
    status, body = post_event(base, {"type": "unfollow", "user_id": BOB})
    assert (status, body["webhook_status"], body["messages"]) == (200, 200, [])
    assert time.monotonic() - started < 2  # nothing to wait for: an unfollow has no reply token
    assert not state.can_receive(BOB)


def test_pushes_sent_while_answering_are_included_in_order(live):
    base, _, _ = live
    _, body = post_event(base, {"type": "message", "text": "push first", "user_id": ALICE})
    assert [m["text"] for m in body["messages"]] == ["お知らせ", "got text"]
    inbox = json.loads(__import__("urllib.request").request.urlopen(base + f"/emulator/inbox/{ALICE}").read())
    assert [m["via"] for m in inbox] == ["push", "reply"]


def test_webhook_failure_status_is_reported(live):
    base, _, _ = live
    status, body = post_event(base, {"type": "message", "text": "boom", "user_id": ALICE})
    assert (status, body["webhook_status"], body["messages"]) == (200, 500, [])


def test_raw_event_is_completed_and_delivered(live):
    base, _, bot = live
    raw = {"type": "message", "message": {"id": "1", "type": "sticker", "packageId": "1", "stickerId": "1"},
           "source": {"type": "user", "userId": ALICE}, "webhookEventId": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
           "deliveryContext": {"isRedelivery": True}}
    _, body = post_event(base, {"raw": raw})
    assert body["messages"] == [{"type": "text", "text": "got sticker"}]
    assert bot.received[0]["webhookEventId"] == "01HZZZZZZZZZZZZZZZZZZZZZZZ"
    assert bot.received[0]["deliveryContext"] == {"isRedelivery": True}


@pytest.mark.parametrize("payload", [{"type": "message", "text": "x", "user_id": "alice"},
                                     {"type": "message", "user_id": ALICE},
                                     {"type": "dance", "user_id": ALICE}])
def test_bad_event_requests_are_400(live, payload):
    base, _, bot = live
    status, body = post_event(base, payload)
    assert status == 400 and body["error"]
    assert bot.received == []


def test_sdk_retry_key_409_and_rich_menu_image_through_the_sdk(live):
    from linebot.v3.messaging import (ApiClient, ApiException, Configuration, MessagingApi, MessagingApiBlob,
                                      PushMessageRequest, RichMenuRequest, TextMessage)
    base, state, _ = live
    state.add_user("a", "ja", ALICE, following=True)
    key = str(uuid.uuid4())
    with ApiClient(Configuration(host=base + "/emulator", access_token=TOKEN)) as client:
        api = MessagingApi(client)
        api.push_message(PushMessageRequest(to=ALICE, messages=[TextMessage(text="一度だけ")]), x_line_retry_key=key)
        with pytest.raises(ApiException) as caught:
            api.push_message(PushMessageRequest(to=ALICE, messages=[TextMessage(text="一度だけ")]), x_line_retry_key=key)
        assert caught.value.status == 409 and caught.value.headers["x-line-accepted-request-id"]
        menu_id = api.create_rich_menu(RichMenuRequest.from_dict(menu())).rich_menu_id
        MessagingApiBlob(client).set_rich_menu_image(menu_id, body=png(2500, 843),
                                                     _headers={"Content-Type": "image/png"})
        api.set_default_rich_menu(menu_id)
        assert api.get_default_rich_menu_id().rich_menu_id == menu_id
        assert api.get_profile(ALICE).display_name == "a"
    paths = [r["path"] for r in state.request_log()]
    assert f"/v2/bot/richmenu/{menu_id}/content" in paths


@pytest.mark.parametrize("first_age,status", [(30 * 60 - 1, 400), (10 * 60, 200)])
def test_redelivered_reply_token_works_for_a_minute_within_20_minutes(emulator, first_age, status):
    client, state = emulator
    token = state.issue_reply_token(ALICE)
    state.travel(first_age)
    state.issue_reply_token(ALICE, token)  # the same event delivered again
    assert reply(client, token).status_code == status


@pytest.mark.parametrize("body,status", [({"chatId": ALICE, "loadingSeconds": 10}, 202),
                                         ({"chatId": ALICE, "loadingSeconds": 7}, 400),
                                         ({"loadingSeconds": 10}, 400)])
def test_loading_animation(emulator, body, status):
    client, _ = emulator
    assert client.post("/emulator/v2/bot/chat/loading/start", json=body, headers=AUTH).status_code == status


def test_endpoints_not_emulated_answer_lines_404_with_request_id(emulator):
    client, _ = emulator
    response = client.get("/emulator/v2/bot/followers/ids", headers=AUTH)
    assert (response.status_code, response.get_json()) == (404, {"message": "Not found"})
    assert response.headers["x-line-request-id"]
    assert client.get("/emulator/v2/bot/followers/ids").status_code == 401
