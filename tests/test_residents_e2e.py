"""Residents through the real webhook, inbox and dispatcher (emulator over HTTP): onboarding, settings, deletion."""
from __future__ import annotations

import json
import urllib.request

import pytest
from sqlmodel import Session, select

from models import ConversationState, District, Resident
from tests.residents_support import check

pytestmark = pytest.mark.slow
USER = "U" + "d" * 32


def send(base: str, **event) -> list[dict]:
    """Deliver one event as the resident; returns what the resident received (checked against LINE's limits)."""
    body = json.dumps({"user_id": USER, **event}, ensure_ascii=False).encode()
    req = urllib.request.Request(base + "/emulator/events", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=15) as resp:
        answer = json.loads(resp.read())
    assert answer["webhook_status"] == 200
    if event["type"] != "unfollow":
        check(answer["messages"])
    return answer["messages"]


def tap(base: str, messages: list[dict], label: str) -> list[dict]:
    """Tap the quick reply or template button labelled `label`."""
    actions = [i["action"] for i in (messages[-1].get("quickReply") or {}).get("items", [])]
    actions += (messages[-1].get("template") or {}).get("actions", [])
    action = next(a for a in actions if a["label"] == label)
    if action["type"] == "postback":
        return send(base, type="postback", data=action["data"])
    return send(base, type="message", text=action["text"])


def stored(engine) -> Resident | None:
    """The resident's row as the database has it now."""
    with Session(engine) as session:
        return session.exec(select(Resident).where(Resident.line_user_id == USER)).first()


def eventually(condition, seconds: float = 5.0) -> bool:
    """Poll until the condition holds (events without a reply are handled after /emulator/events returns)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_onboarding_settings_and_deletion_through_the_dispatcher(engine, live_server):
    with Session(engine) as session:
        session.add_all([District(name="北地区", position=0), District(name="南地区", position=1)])
        session.commit()
    base = live_server.base_url
    messages = send(base, type="follow")
    for label in ("日本語", "南地区", "スポーツ", "決定", "答える", "60代", "答えない・スキップ"):
        messages = tap(base, messages, label)
    row = stored(engine)
    assert (row.district, row.interests, row.age_group, row.gender) == ("南地区", ["sports"], "60-69", None)
    messages = send(base, type="message", text="設定")
    messages = tap(base, messages, "言語")
    messages = tap(base, messages, "English")
    assert stored(engine).language == "en" and "Saved" in messages[-1]["text"]
    messages = send(base, type="message", text="Delete my data")
    messages = tap(base, messages, "Yes")
    assert stored(engine) is None
    with Session(engine) as session:
        assert session.exec(select(ConversationState)).first() is None
    assert "start again" in messages[-1]["text"]


def test_unfollow_then_refollow_through_the_dispatcher(engine, live_server):
    base = live_server.base_url
    messages = send(base, type="follow")
    for label in ("日本語", "スキップ", "答えない"):
        messages = tap(base, messages, label)
    send(base, type="unfollow")
    assert eventually(lambda: stored(engine).following is False)  # no reply to wait for: the worker may lag
    messages = send(base, type="follow")
    assert stored(engine).following is True and "おかえりなさい" in messages[-1]["text"]
