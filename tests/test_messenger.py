"""The Messenger against a fake LINE server: retry keys, 409, 429, timeouts, reply tokens, validation, logs."""
from __future__ import annotations

import logging
import threading
import time
import uuid

import pytest

from bot.config import Config
from bot.messenger import (
    InvalidReplyToken,
    LineMessenger,
    LineRequestRejected,
    RecordingMessenger,
    RetryPolicy,
    SendResult,
    TransientLineError,
    chunks_of_500,
)
from tests.fixtures.messenger.fake_line import FakeLine, Scripted

line_limits = pytest.importorskip("content.line_limits")

PUSH = "/v2/bot/message/push"
MULTICAST = "/v2/bot/message/multicast"
REPLY = "/v2/bot/message/reply"
USER = "U" + "0123456789abcdef" * 2
OTHER = "U" + "fedcba9876543210" * 2
SECRET_TEXT = "ひみつの本文 secret-body-7f3a"
READ_TIMEOUT = 0.3


def text(body: str = SECRET_TEXT) -> dict:
    """A plain text message."""
    return {"type": "text", "text": body}


@pytest.fixture
def fake():
    """A fake LINE server on a free port."""
    server = FakeLine().start()
    yield server
    server.stop()


@pytest.fixture
def sleeps() -> list[float]:
    """Backoff sleeps the messenger asked for (recorded instead of slept)."""
    return []


@pytest.fixture
def messenger(fake, sleeps):
    """A LineMessenger pointed at the fake, short read timeout, sleeps recorded."""
    config = Config(channel_access_token="test-token", line_api_host=fake.url,
                    http_timeout=(1.0, READ_TIMEOUT))
    m = LineMessenger(config, sleep=sleeps.append, rand=lambda: 0.5)
    yield m
    m.close()


# ---------------------------------------------------------------- retry key and 409

def test_push_retries_5xx_with_the_same_retry_key(fake, messenger, sleeps):
    fake.then(PUSH, Scripted(500), Scripted(502))
    result = messenger.push(USER, [text()])
    keys = [r.retry_key for r in fake.calls(PUSH)]
    assert len(keys) == 3 and len(set(keys)) == 1
    assert result.status == "accepted" and result.retry_key == keys[0]
    assert uuid.UUID(result.retry_key)  # a uuid LINE accepts
    assert sleeps == [0.375, 0.75]  # 0.5·2^(n-1) · (0.5 + 0.5·0.5): exponential, with jitter


def test_push_uses_the_callers_retry_key(fake, messenger):
    key = str(uuid.uuid4())
    result = messenger.push(USER, [text()], retry_key=key)
    assert fake.calls(PUSH)[0].retry_key == key and result.retry_key == key


def test_push_accepted_but_answer_lost_is_reported_as_duplicate_on_retry(fake, messenger):
    # LINE accepted the first attempt, but the answer came after our read timeout: the retry gets 409.
    fake.then(PUSH, Scripted(200, process=True, delay=READ_TIMEOUT * 3))
    result = messenger.push(USER, [text()])
    first, second = fake.calls(PUSH)
    assert first.retry_key == second.retry_key == result.retry_key
    assert second.status == 409
    assert result == SendResult("duplicate", fake.accepted_keys[result.retry_key], result.retry_key)


@pytest.mark.parametrize("send", ["push", "multicast"])
def test_retry_key_already_accepted_counts_as_sent(fake, messenger, send):
    key = str(uuid.uuid4())
    fake.accepted_keys[key] = "req-original"
    result = (messenger.push(USER, [text()], retry_key=key) if send == "push"
              else messenger.multicast([USER, OTHER], [text()], retry_key=key))
    assert result == SendResult("duplicate", "req-original", key)
    assert len(fake.requests) == 1  # 409 is not retried


def test_multicast_retries_with_the_same_key_and_sends_every_recipient(fake, messenger):
    fake.then(MULTICAST, Scripted(500))
    result = messenger.multicast([USER, OTHER], [text()])
    calls = fake.calls(MULTICAST)
    assert [c.retry_key for c in calls] == [result.retry_key] * 2
    assert calls[-1].json["to"] == [USER, OTHER]
    assert result.status == "accepted" and result.request_id


# ---------------------------------------------------------------- 429, 5xx exhaustion, timeouts

def test_429_waits_as_retry_after_says_then_succeeds(fake, messenger, sleeps):
    fake.then(PUSH, Scripted(429, {"message": "The API rate limit has been exceeded. Try again later."},
                             headers={"Retry-After": "2"}))
    assert messenger.push(USER, [text()]).status == "accepted"
    assert sleeps == [2.0]


def test_429_backs_off_then_gives_up_with_a_transient_error(fake, messenger, sleeps):
    fake.then(PUSH, *[Scripted(429, {"message": "The API rate limit has been exceeded. Try again later."})] * 4)
    with pytest.raises(TransientLineError) as caught:
        messenger.push(USER, [text()])
    assert caught.value.status == 429 and not caught.value.quota_exhausted
    assert caught.value.retry_key == fake.calls(PUSH)[0].retry_key
    assert len(fake.calls(PUSH)) == 4 and len(sleeps) == 3
    assert sleeps == sorted(sleeps)


def test_monthly_limit_gives_up_at_once(fake, messenger, sleeps):
    fake.then(PUSH, Scripted(429, {"message": "You have reached your monthly limit."}))
    with pytest.raises(TransientLineError) as caught:
        messenger.push(USER, [text()])
    assert caught.value.quota_exhausted
    assert len(fake.calls(PUSH)) == 1 and sleeps == []


def test_5xx_every_time_ends_in_a_transient_error_with_the_key_to_retry_later(fake, messenger):
    fake.then(PUSH, *[Scripted(500)] * 4)
    with pytest.raises(TransientLineError) as caught:
        messenger.push(USER, [text()], retry_key="6f1c2f4e-0000-4000-8000-000000000001")
    assert caught.value.retry_key == "6f1c2f4e-0000-4000-8000-000000000001"
    assert len(fake.calls(PUSH)) == 4


def test_every_call_has_a_read_timeout(fake, messenger):
    fake.then(PUSH, *[Scripted(200, delay=5.0)] * 4)
    started = time.monotonic()
    with pytest.raises(TransientLineError):
        messenger.push(USER, [text()])
    assert time.monotonic() - started < 4 * READ_TIMEOUT + 1.5  # four attempts, none waited 5 s
    assert len(fake.calls(PUSH)) == 4


def test_every_kind_of_call_passes_the_configured_timeout(fake, messenger, monkeypatch):
    seen = []
    original = messenger.client.rest_client.request

    def spy(method, url, **kwargs):
        seen.append((method, kwargs.get("_request_timeout")))
        return original(method, url, **kwargs)

    monkeypatch.setattr(messenger.client.rest_client, "request", spy)
    messenger.reply("token", [text()])
    messenger.push(USER, [text()])
    messenger.multicast([USER], [text()])
    messenger.profile(USER)
    messenger.quota()
    assert len(seen) == 6 and all(timeout == (1.0, READ_TIMEOUT) for _method, timeout in seen)


def test_profile_lookup_gives_up_quickly(fake, messenger, sleeps):
    fake.then(f"/v2/bot/profile/{USER}", *[Scripted(500)] * 5)
    with pytest.raises(TransientLineError):
        messenger.profile(USER)
    assert len(fake.calls(f"/v2/bot/profile/{USER}")) == 2 and len(sleeps) == 1


def test_retries_stop_when_the_time_budget_is_spent(fake):
    now = [0.0]
    config = Config(channel_access_token="test-token", line_api_host=fake.url, http_timeout=(1.0, READ_TIMEOUT))
    m = LineMessenger(config, policy=RetryPolicy(attempts=10, base_delay=4.0, max_delay=60.0, budget=10.0),
                      sleep=lambda s: now.__setitem__(0, now[0] + s), clock=lambda: now[0], rand=lambda: 1.0)
    fake.then(PUSH, *[Scripted(503)] * 10)
    with pytest.raises(TransientLineError):
        m.push(USER, [text()])
    assert len(fake.calls(PUSH)) == 2  # waits 4 s, then 8 s would pass the 10 s budget


@pytest.mark.parametrize("attempt, rand, expected", [
    (1, 0.0, 0.25), (1, 1.0, 0.5), (2, 1.0, 1.0), (3, 0.5, 1.5), (5, 1.0, 8.0), (9, 1.0, 8.0),
])
def test_backoff_doubles_with_jitter_and_is_capped(attempt, rand, expected):
    assert RetryPolicy().backoff(attempt, rand) == pytest.approx(expected)


# ---------------------------------------------------------------- reply

def test_reply_never_carries_a_retry_key(fake, messenger):
    fake.then(REPLY, Scripted(500))
    messenger.reply("token-1", [text()])
    calls = fake.calls(REPLY)
    assert len(calls) == 2 and all(c.retry_key is None for c in calls)
    assert calls[0].json["replyToken"] == "token-1"


def test_invalid_reply_token_is_its_own_error(fake, messenger):
    with pytest.raises(InvalidReplyToken) as caught:
        messenger.reply("used-token", [text()])
    assert caught.value.maybe_delivered is False
    assert len(fake.calls(REPLY)) == 1


def test_invalid_reply_token_after_a_lost_answer_may_have_been_delivered(fake, messenger):
    fake.then(REPLY, Scripted(500), Scripted(400, {"message": "Invalid reply token"}))
    with pytest.raises(InvalidReplyToken) as caught:
        messenger.reply("token-2", [text()])
    assert caught.value.maybe_delivered is True


@pytest.mark.parametrize("status, body", [
    (400, {"message": "The request body has 1 error(s)",
           "details": [{"message": "Length must be between 0 and 5000", "property": "messages[0].text"}]}),
    (401, {"message": "Authentication failed"}),
    (403, {"message": "Not allowed"}),
    (413, {"message": "Payload Too Large"}),
])
def test_other_4xx_are_rejected_without_retry(fake, messenger, status, body):
    fake.then(PUSH, Scripted(status, body))
    with pytest.raises(LineRequestRejected) as caught:
        messenger.push(USER, [text()])
    assert caught.value.status == status and body["message"] in caught.value.body
    assert len(fake.calls(PUSH)) == 1


# ---------------------------------------------------------------- validation before sending

@pytest.mark.parametrize("send", ["reply", "push", "multicast"])
@pytest.mark.parametrize("too_long", ["あ" * 5001, "🍎" * 2501, "a" * 4999 + "🍎"])
def test_text_over_5000_utf16_units_is_refused_before_any_request(fake, messenger, send, too_long):
    with pytest.raises(line_limits.LineLimitError):
        {"reply": lambda: messenger.reply("token", [text(too_long)]),
         "push": lambda: messenger.push(USER, [text(too_long)]),
         "multicast": lambda: messenger.multicast([USER], [text(too_long)])}[send]()
    assert fake.requests == []


def test_text_of_exactly_5000_units_is_sent(fake, messenger):
    messenger.push(USER, [text("🍎" * 2500)])
    assert len(fake.calls(PUSH)) == 1


def test_six_messages_are_refused_before_any_request(fake, messenger):
    with pytest.raises(line_limits.LineLimitError):
        messenger.push(USER, [text("a")] * 6)
    assert fake.requests == []


def test_multicast_over_500_recipients_is_refused(fake, messenger):
    with pytest.raises(ValueError):
        messenger.multicast([f"U{i:032x}" for i in range(501)], [text()])
    assert fake.requests == []


@pytest.mark.parametrize("count, sizes", [(0, []), (1, [1]), (500, [500]), (501, [500, 1]), (1250, [500, 500, 250])])
def test_chunks_of_500(count, sizes):
    ids = [f"U{i:032x}" for i in range(count)]
    chunks = chunks_of_500(ids)
    assert [len(c) for c in chunks] == sizes
    assert [u for c in chunks for u in c] == ids


def test_chunks_of_500_drops_repeated_recipients():
    assert chunks_of_500([USER, OTHER, USER]) == [[USER, OTHER]]


# ---------------------------------------------------------------- profile, quota, headers

def test_profile_found_and_not_found(fake, messenger):
    fake.profiles[USER] = {"displayName": "山田", "userId": USER, "language": "en"}
    assert messenger.profile(USER) == {"displayName": "山田", "userId": USER, "language": "en"}
    assert messenger.profile(OTHER) is None


def test_quota_combines_limit_and_consumption(fake, messenger):
    assert messenger.quota() == {"type": "limited", "value": 200, "used": 17}
    fake.quota = {"type": "none"}
    assert messenger.quota() == {"type": "none", "value": None, "used": 17}


def test_requests_carry_the_token_and_go_to_line_api_host(fake, messenger):
    messenger.push(USER, [text()])
    call = fake.calls(PUSH)[0]
    assert call.headers["authorization"] == "Bearer test-token"
    assert call.json == {"to": USER, "messages": [text()], "notificationDisabled": False}


def test_one_messenger_is_safe_to_share_across_threads(fake, messenger):
    results, errors = [], []

    def send(i: int) -> None:
        try:
            results.append(messenger.push(f"U{i:032x}", [text(f"n{i}")]))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == []
    # Under load an answer may come after the read timeout; the retry then gets 409 ("duplicate"):
    # either way each push was accepted exactly once, under its own key.
    assert {r.status for r in results} <= {"accepted", "duplicate"} and len(results) == 16
    assert len({r.retry_key for r in results}) == 16
    assert all(r.retry_key in fake.accepted_keys for r in results)
    assert len(fake.accepted_keys) == 16
    accepted_to = {c.json["to"] for c in fake.calls(PUSH) if c.status == 200}
    assert accepted_to == {f"U{i:032x}" for i in range(16)}


# ---------------------------------------------------------------- logs

def test_logs_carry_no_message_text_or_user_ids(fake, messenger, caplog):
    fake.profiles[USER] = {"displayName": "山田", "userId": USER}
    fake.then(PUSH, Scripted(500), Scripted(429, {"message": "rate"}, headers={"Retry-After": "0"}))
    fake.then(REPLY, Scripted(400, {"message": "Invalid reply token"}))
    caplog.set_level(logging.DEBUG)
    for library in ("urllib3", "linebot"):  # the SDK's Configuration sets them to WARNING; look deeper
        caplog.set_level(logging.DEBUG, logger=library)
    messenger.push(USER, [text()])
    messenger.multicast([USER, OTHER], [text()])
    messenger.profile(USER)
    messenger.profile(OTHER)
    with pytest.raises(InvalidReplyToken):
        messenger.reply("token", [text()])
    logged = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    assert "LINE push /v2/bot/message/push status=500" in logged  # the logs do say what happened
    assert "request_id=req-" in logged and "recipients=2" in logged
    assert "/v2/bot/profile/U…" in logged  # urllib3's own debug line, with the id scrubbed
    for secret in (SECRET_TEXT, "secret-body", USER, OTHER, "山田"):
        assert secret not in logged


# ---------------------------------------------------------------- RecordingMessenger

def test_recording_messenger_records_and_validates():
    m = RecordingMessenger(profiles={USER: {"displayName": "A", "userId": USER}})
    m.reply("tok", [text("hello")])
    result = m.push(USER, [text("news")], retry_key="k1")
    assert m.push(USER, [text("news")], retry_key="k1").status == "duplicate"
    m.multicast([USER, OTHER], [text("all")])
    assert [s["via"] for s in m.sent] == ["reply", "push", "multicast"]
    assert m.sent[0] == {"via": "reply", "to": None, "reply_token": "tok", "messages": [text("hello")],
                         "retry_key": None}
    assert result.status == "accepted" and m.sent[1]["retry_key"] == "k1"
    assert m.messages_to(OTHER) == [text("all")]
    assert m.profile(USER)["displayName"] == "A" and m.profile(OTHER) is None
    assert m.quota()["used"] == 3
    with pytest.raises(line_limits.LineLimitError):
        m.push(USER, [text("あ" * 5001)])


def test_recording_messenger_can_be_told_to_fail():
    m = RecordingMessenger()
    m.fail_next(InvalidReplyToken(), via="reply")
    m.fail_next(TransientLineError("down"), times=2)
    with pytest.raises(InvalidReplyToken):
        m.reply("tok", [text()])
    with pytest.raises(TransientLineError):
        m.push(USER, [text()])
    with pytest.raises(TransientLineError):
        m.multicast([USER], [text()])
    m.push(USER, [text()])
    assert [s["via"] for s in m.sent] == ["push"]
