"""The webhook: signatures, sizes, malformed bodies, the inbox, redelivery and failures."""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest
from sqlmodel import select

import tests.support_handlers  # noqa: F401  (registers test-only handlers)
from bot.inbox import counts_by_state
from bot.workers import drain
from models import InboxEvent, Resident
from tests.conftest import SECRET
from tests.line_events import (follow_event, postback_event, signed_headers, text_event, unfollow_event,
                               webhook_body)

FIXTURES = Path(__file__).parent / "fixtures" / "webhook"
USER = "U" + "1" * 32


def post(client, body: bytes, headers: dict | None = None):
    """POST a raw body to /callback."""
    return client.post("/callback", data=body, headers=headers or {"Content-Type": "application/json"})


def inbox_rows(session) -> list[InboxEvent]:
    """Everything in the inbox."""
    session.expire_all()
    return list(session.exec(select(InboxEvent)))


def resident(session, user_id: str = USER) -> Resident | None:
    """The stored resident for a user id."""
    session.expire_all()
    return session.exec(select(Resident).where(Resident.line_user_id == user_id)).first()


@pytest.mark.parametrize("headers", [
    {"Content-Type": "application/json"},
    {"Content-Type": "application/json", "X-Line-Signature": "bm90IHRoZSBzaWduYXR1cmU="},
    {"Content-Type": "application/json", "X-Line-Signature": ""},
])
def test_bad_or_missing_signature_is_400_and_stores_nothing(client, session, headers):
    response = post(client, webhook_body(text_event(USER, "こんにちは")), headers)
    assert response.status_code == 400
    assert inbox_rows(session) == []


def test_signature_header_name_is_case_insensitive(client, session):
    body = webhook_body(text_event(USER, "こんにちは"))
    headers = {"content-type": "application/json", "x-line-signature": signed_headers(SECRET, body)["X-Line-Signature"]}
    assert post(client, body, headers).status_code == 200
    assert len(inbox_rows(session)) == 1


def test_body_over_one_mebibyte_is_413(client, session):
    body = b'{"events": [], "pad": "' + b"x" * (1024 * 1024) + b'"}'
    assert post(client, body, signed_headers(SECRET, body)).status_code == 413
    assert inbox_rows(session) == []


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"events": {}}', b'{"events": [1]}', b"\xff\xfe", b""])
def test_valid_signature_on_malformed_body_is_400(client, session, body):
    assert post(client, body, signed_headers(SECRET, body)).status_code == 400
    assert inbox_rows(session) == []


def test_empty_events_is_200(client, session):
    body = b'{"destination": "U0", "events": []}'
    assert post(client, body, signed_headers(SECRET, body)).status_code == 200
    assert inbox_rows(session) == []


def test_unknown_event_type_is_200_and_ignored(client, session, engine, recording_messenger, config):
    event = text_event(USER, "x")
    event["type"] = "somethingNew"
    body = webhook_body(event)
    assert post(client, body, signed_headers(SECRET, body)).status_code == 200
    drain(engine, recording_messenger, config)
    assert counts_by_state(engine) == {"done": 1}
    assert recording_messenger.sent == []


def test_event_is_stored_before_the_200_and_handled_by_a_worker(client, session, engine, recording_messenger, config):
    body = webhook_body(follow_event(USER))
    assert post(client, body, signed_headers(SECRET, body)).status_code == 200
    assert [row.state for row in inbox_rows(session)] == ["pending"]
    assert drain(engine, recording_messenger, config) == 1
    assert counts_by_state(engine) == {"done": 1}
    assert resident(session).following is True
    assert recording_messenger.sent and recording_messenger.sent[0]["via"] == "reply"


def test_redelivered_event_changes_state_once(client, session, engine, recording_messenger, config):
    first = postback_event(USER, "action=test_count")
    redelivered = json.loads(json.dumps(first))
    redelivered["deliveryContext"]["isRedelivery"] = True
    for event in (first, redelivered, first):
        body = webhook_body(event)
        assert post(client, body, signed_headers(SECRET, body)).status_code == 200
        drain(engine, recording_messenger, config)
    rows = inbox_rows(session)
    assert len(rows) == 1 and rows[0].redeliveries == 2
    assert resident(session).interests == ["handled"]
    assert len(recording_messenger.sent) == 1


def test_duplicates_in_one_body_are_stored_once(client, session):
    event = postback_event(USER, "action=test_count")
    body = webhook_body(event, event)
    assert post(client, body, signed_headers(SECRET, body)).status_code == 200
    assert len(inbox_rows(session)) == 1


def test_handler_exception_apologises_marks_failed_and_logs_no_text_or_user(
        client, session, engine, recording_messenger, config, caplog):
    body = webhook_body(postback_event(USER, "action=test_fail&secret=わたしの秘密"))
    post(client, body, signed_headers(SECRET, body))
    with caplog.at_level(logging.DEBUG):
        drain(engine, recording_messenger, config)
    row = inbox_rows(session)[0]
    assert row.state == "failed"
    assert "ValueError" in row.last_error and "support_handlers.py" in row.last_error
    assert "秘密" not in row.last_error and "秘密" not in caplog.text and USER not in caplog.text
    assert "Traceback" in caplog.text
    sent = recording_messenger.sent
    assert len(sent) == 1 and sent[0]["via"] == "reply"
    assert sent[0]["messages"][-1].get("quickReply"), "the apology offers the main menu"


def test_expired_reply_token_still_changes_state_without_reply(client, session, engine, recording_messenger, config):
    old = int((time.time() - 120) * 1000)
    body = webhook_body(postback_event(USER, "action=test_count", timestamp_ms=old))
    post(client, body, signed_headers(SECRET, body))
    drain(engine, recording_messenger, config)
    assert resident(session).interests == ["handled"]
    assert recording_messenger.sent == []


def test_unfollow_stops_pushes(client, session, engine, recording_messenger, config):
    for event in (follow_event(USER), unfollow_event(USER)):
        body = webhook_body(event)
        post(client, body, signed_headers(SECRET, body))
        drain(engine, recording_messenger, config)
    assert resident(session).following is False


def test_done_events_keep_no_payload(client, session, engine, recording_messenger, config):
    body = webhook_body(text_event(USER, "図書館は何時まで？"))
    post(client, body, signed_headers(SECRET, body))
    drain(engine, recording_messenger, config)
    row = inbox_rows(session)[0]
    assert "図書館" not in row.payload and USER not in row.payload


def sdk_fixture_events() -> list[dict]:
    """The SDK's webhook payload with every event type (our smaller copy when ../shared is absent)."""
    shared = Path(__file__).resolve().parents[2] / "shared" / "line" / "sdk-v3-webhook-fixture.json"
    source = shared if shared.exists() else FIXTURES / "sdk-webhook-sample.json"
    return json.loads(source.read_text(encoding="utf-8"))["events"]


def test_sdk_payload_posted_whole_is_200_and_its_shared_event_id_stored_once(client, session):
    events = sdk_fixture_events()
    body = json.dumps({"destination": "U123", "events": events}).encode()
    assert post(client, body, signed_headers(SECRET, body)).status_code == 200
    # Every event in the SDK's sample carries the same webhookEventId: LINE's rule makes them one event.
    assert len(inbox_rows(session)) == len({e["webhookEventId"] for e in events})


def test_sdk_payload_every_event_type_is_handled_or_ignored_without_error(
        client, session, engine, recording_messenger, config):
    events = sdk_fixture_events()
    for n, event in enumerate(events):
        event["webhookEventId"] = f"01SDKFIXTURE{n:014d}"
    body = json.dumps({"destination": "U123", "events": events}).encode()
    assert post(client, body, signed_headers(SECRET, body)).status_code == 200
    drain(engine, recording_messenger, config)
    assert counts_by_state(engine) == {"done": len(events)}


@pytest.mark.parametrize("message", [
    {"type": "sticker", "id": "1", "packageId": "1", "stickerId": "1", "stickerResourceType": "STATIC"},
    {"type": "image", "id": "2", "contentProvider": {"type": "line"}},
])
def test_a_sticker_or_photo_gets_the_menu_not_silence(client, engine, recording_messenger, config, message):
    event = text_event(USER, "")
    event["message"] = message
    body = webhook_body(event)
    post(client, body, signed_headers(SECRET, body))
    drain(engine, recording_messenger, config)
    (sent,) = recording_messenger.sent
    assert sent["messages"][-1].get("quickReply")


def test_an_old_button_with_an_unknown_action_gets_the_menu(client, engine, recording_messenger, config):
    body = webhook_body(postback_event(USER, "action=retired_feature&x=1"))
    post(client, body, signed_headers(SECRET, body))
    drain(engine, recording_messenger, config)
    (sent,) = recording_messenger.sent
    assert sent["messages"][-1].get("quickReply")


def test_messages_line_refuses_are_replaced_by_the_apology(client, engine, recording_messenger, config, session):
    from content.line_limits import LineLimitError

    recording_messenger.fail_next(LineLimitError([{"message": "too long", "property": "messages[0].text"}]),
                                  via="reply")
    body = webhook_body(postback_event(USER, "action=test_count"))
    post(client, body, signed_headers(SECRET, body))
    drain(engine, recording_messenger, config)
    row = inbox_rows(session)[0]
    assert row.state == "done" and "LineLimitError" in row.last_error
    assert recording_messenger.sent[-1]["messages"][-1].get("quickReply"), "the apology with the menu went out"


def test_a_crash_outside_the_handler_never_kills_the_worker(engine, recording_messenger, config, monkeypatch):
    import bot.dispatch
    from bot.inbox import store_events
    from bot.workers import InboxWorkers

    def explode(*args, **kwargs):
        raise RuntimeError("outside any handler")

    monkeypatch.setattr(bot.dispatch, "process_event", explode)
    store_events(engine, [postback_event(USER, "action=test_count")], SECRET)
    workers = InboxWorkers(engine, recording_messenger, config, threads=1, poll_seconds=0.05)
    workers.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and counts_by_state(engine).get("processing"):
            time.sleep(0.05)
        time.sleep(0.2)
        assert all(thread.is_alive() for thread in workers._threads)
        assert counts_by_state(engine) == {"pending": 1}, "put back for a later try"
    finally:
        workers.stop()


def test_a_worker_that_lost_its_claim_does_not_finish_the_event(engine):
    from bot.inbox import claim_next, finish, store_events

    store_events(engine, [postback_event(USER, "action=test_count")], SECRET)
    first = claim_next(engine)
    with engine.begin() as conn:  # the lease ran out and another worker took the event over
        conn.execute(InboxEvent.__table__.update().values(attempts=first.attempts + 1))
    assert finish(engine, first, state="done") is False
    assert counts_by_state(engine) == {"processing": 1}
