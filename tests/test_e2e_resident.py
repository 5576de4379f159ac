"""A resident's whole path through the emulator, over real HTTP: follow, onboarding, questions."""
from __future__ import annotations

import json
import urllib.request
from datetime import date

import pytest

pytestmark = pytest.mark.slow
USER = "U" + "e" * 32


def call(base: str, path: str, payload: dict | None = None):
    """GET (payload None) or POST JSON to the live server; returns the decoded JSON."""
    data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    req = urllib.request.Request(base + path, data=data, method="GET" if data is None else "POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=15) as resp:
        return json.loads(resp.read())


def send(base: str, **event) -> list[dict]:
    """Deliver one event as the resident and return what the resident received."""
    answer = call(base, "/emulator/events", {"user_id": USER, **event})
    assert answer["webhook_status"] == 200
    return answer["messages"]


def quick_reply_actions(messages: list[dict]) -> list[dict]:
    """The quick-reply actions under the last message."""
    return [item["action"] for item in (messages[-1].get("quickReply") or {}).get("items", [])]


def tap(base: str, action: dict) -> list[dict]:
    """Tap a quick reply or button as the LINE app would."""
    if action["type"] == "postback":
        return send(base, type="postback", data=action["data"])
    if action["type"] == "message":
        return send(base, type="message", text=action["text"])
    raise AssertionError(f"cannot tap {action['type']}")


def skip_or_first(actions: list[dict]) -> dict:
    """The skip choice when offered, else the first choice."""
    for action in actions:
        if any(word in action.get("label", "") for word in ("スキップ", "Skip", "skip", "とばす")):
            return action
    return actions[0]


@pytest.fixture
def seeded(engine):
    """The demo city in the test database."""
    from content.demo_city import seed_demo_city
    from models import session_scope

    with session_scope(engine) as session:
        seed_demo_city(session, date.today())
    return engine


def test_resident_follows_is_onboarded_and_gets_answers(seeded, live_server):
    base = live_server.base_url
    messages = send(base, type="follow")
    assert messages, "follow gets a greeting"
    # Walk onboarding by tapping a choice at each step until the main menu (ヘルプ) is offered.
    for _ in range(12):
        actions = quick_reply_actions(messages)
        if not actions or any("ヘルプ" in a.get("label", "") for a in actions):
            break
        messages = tap(base, skip_or_first(actions))
    messages = send(base, type="message", text="今週末、子ども向けのイベントある？")
    assert any(m["type"] == "flex" for m in messages) or quick_reply_actions(messages)
    messages = send(base, type="message", text="ふがふが")
    assert messages and quick_reply_actions(messages), "an unknown text gets choices, never silence"
    received = call(base, f"/emulator/inbox/{USER}")  # every message the resident received, oldest first
    assert received and all(m["via"] == "reply" and m["at"] for m in received)


def test_location_gets_nearest_places(seeded, live_server):
    base = live_server.base_url
    send(base, type="follow")
    messages = send(base, type="location", latitude=35.0, longitude=135.0)
    assert messages
