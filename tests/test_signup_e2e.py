"""Sign-ups end to end through the emulator, as residents and an organizer would, with the real scheduler
process: an imported item with 定員 2 and three residents, a double tap, a cancellation from 参加予定 that
promotes the third (who gets a push), the day-before reminder exactly once across a scheduler restart, and a
check-in that shows in the organizer's list and export."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from bot.config import EMULATOR_TOKEN
from models import utcnow
from tests.signup_support import flex_actions, user_id
from tests.fixtures.console.support import fast_hashing  # noqa: F401
from tests.test_signup_import import HEADER

pytestmark = pytest.mark.slow
TOKYO = ZoneInfo("Asia/Tokyo")
RESIDENTS = [user_id(900 + n) for n in range(3)]


def call(base: str, path: str, payload: dict | None = None):
    """GET, or POST JSON, to the live server; the decoded answer."""
    data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    req = urllib.request.Request(base + path, data=data, method="GET" if data is None else "POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=20) as resp:
        return json.loads(resp.read())


def send(base: str, user: str, **event) -> list[dict]:
    """One event from a resident; what they received in reply."""
    answer = call(base, "/emulator/events", {"user_id": user, **event})
    assert answer["webhook_status"] == 200
    return answer["messages"]


def tap(base: str, user: str, messages: list[dict], label: str, nth: int = 0) -> list[dict]:
    """Tap the nth card button labelled `label`."""
    buttons = [a for a in flex_actions(messages) if a.get("label") == label]
    assert len(buttons) > nth, [a.get("label") for a in flex_actions(messages)]
    return send(base, user, type="postback", data=buttons[nth]["data"])


def texts(messages: list[dict]) -> str:
    """Everything a resident can read in some messages (text and Flex alike)."""
    return json.dumps(messages, ensure_ascii=False)


def pushes(base: str, user: str) -> list[dict]:
    """The messages a resident received by push or multicast."""
    return [m for m in call(base, f"/emulator/inbox/{user}") if m["via"] in ("push", "multicast")]


def wait_for(condition, seconds: float = 60.0, what: str = "") -> None:
    """Poll until condition() is true."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def start_scheduler(database_url: str, base: str, tmp_path) -> subprocess.Popen:
    """`tsunagari scheduler` as its own process, against the emulator, reminders due at once."""
    env = {**os.environ, "DATABASE_URL": database_url, "LINE_API_HOST": base + "/emulator",
           "LINE_CHANNEL_ACCESS_TOKEN": EMULATOR_TOKEN, "TSUNAGARI_QUIET_HOURS": "", "TSUNAGARI_REMINDER_HOUR": "0"}
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "scheduler"], env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=open(tmp_path / "scheduler.log", "ab"))


def stop(process: subprocess.Popen) -> None:
    """Stop a scheduler as an operator would (SIGTERM), and wait for it."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def scheduler_started_since(engine, moment) -> bool:
    """True once a scheduler process started acting after `moment` (its heartbeat row says so)."""
    from models import SchedulerHeartbeat

    with Session(engine) as session:
        row = session.get(SchedulerHeartbeat, 1)
        return row is not None and row.started_at is not None and row.started_at > moment


def import_events(engine, tmp_path) -> int:
    """A small events file, imported with --signup chat: そば打ち体験 tomorrow at 14:00, 定員 2."""
    from content.importers import import_path
    from content.signups.imports import apply_signup_mode
    from models import Event

    tomorrow = datetime.now(TOKYO).date() + timedelta(days=1)
    path = tmp_path / "events.csv"
    path.write_text("\ufeff" + HEADER + "\r\n" + f"999999,1,架空県,みどり市,そば打ち体験,,,{tomorrow:%Y/%m/%d},"
                    f"{tomorrow:%Y/%m/%d},14:00,16:00,,そばを打ちます。,500,,生涯学習課,0480-21-1101,,みどり市,"
                    f"中央公民館 料理室,,,,,,,2,{tomorrow:%Y/%m/%d},12:00,,,\r\n", encoding="utf-8")
    with Session(engine, expire_on_commit=False) as session:
        report = import_path(session, "events", str(path))
        assert report.imported == 1, report.format()
        apply_signup_mode(session, "events", report.source, "chat")
        session.commit()
        return session.exec(select(Event.id)).one()


def test_signups_end_to_end_through_the_emulator(engine, database_url, live_server, tmp_path, fast_hashing):
    from tests.fixtures.console.support import login, make_user, post_form

    base = live_server.base_url
    event_id = import_events(engine, tmp_path)
    first, second, third = RESIDENTS
    replies = {}
    for user in RESIDENTS:
        send(base, user, type="follow")
        card = send(base, user, type="message", text="そば打ち体験")
        replies[user] = texts(tap(base, user, card, "参加する"))
    assert "参加で受け付けました" in replies[first] and "参加で受け付けました" in replies[second]
    assert "キャンセル待ち" in replies[third] and "1番目" in replies[third]
    card = send(base, second, type="message", text="そば打ち体験")
    assert "すでに参加で受け付けています" in texts(tap(base, second, card, "参加する"))  # a double tap changes nothing

    listing = send(base, first, type="message", text="参加予定")
    assert "そば打ち体験" in texts(listing)
    assert "キャンセルしました" in texts(tap(base, first, listing, "キャンセルする"))
    assert "そば打ち体験" in texts(send(base, third, type="message", text="参加予定"))

    scheduler = start_scheduler(database_url, base, tmp_path)
    try:
        wait_for(lambda: "空きが出た" in texts(pushes(base, third)), what="the promotion push")
        wait_for(lambda: all("明日は「そば打ち体験」です" in texts(pushes(base, u)) for u in (second, third)),
                 what="the reminders")
    finally:
        stop(scheduler)
    restarted_at = utcnow()
    scheduler = start_scheduler(database_url, base, tmp_path)  # a restart: nothing may be sent twice
    try:
        wait_for(lambda: scheduler_started_since(engine, restarted_at), what="the restarted scheduler")
        time.sleep(3)  # its first reminder run and a few delivery polls
    finally:
        stop(scheduler)
    for user in (second, third):
        reminders = [m for m in pushes(base, user) if "明日は「そば打ち体験」です" in texts([m])]
        assert len(reminders) == 2, reminders  # one reminder = its text and its card, once
    assert not any("明日は" in texts([m]) for m in pushes(base, first))  # the one who cancelled gets none

    code = next(m for m in send(base, third, type="message", text="受付コード") if m["type"] == "text")["text"]
    checkin_code = code.split("受付コード：")[1][:6]
    make_user(engine, "center@example.jp", "staff")
    client = live_server.app.test_client()
    login(client, "center@example.jp")
    assert "出席にしました" in post_form(client, "/admin/checkin", {"code": checkin_code},
                                       follow_redirects=True).get_data(as_text=True)
    page = client.get(f"/admin/signups/e{event_id}").get_data(as_text=True)
    assert "出席（受付コード）" in page
    exported = client.get(f"/admin/signups/e{event_id}/export.csv").get_data(as_text=True)
    assert f"{checkin_code},参加" in exported and "出席" in exported.splitlines()[1] + exported.splitlines()[2]
