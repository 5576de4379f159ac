"""A notice from end to end, driven only through DESIGN.md's interfaces: residents follow and choose their 地区 in
the chat, staff run `tsunagari notice send`, `tsunagari scheduler` pushes it, residents read and stop notices."""
from __future__ import annotations

import json
import urllib.request

import pytest

from tests.conftest import assert_conform_to_line_schema
from tests.delivery_support import add_city_districts
from tests.scheduler_process import kill, log_text, run_cli, start_emulator_server, start_scheduler, wait_for

pytestmark = pytest.mark.slow
KITANO = "U" + "a1" * 16
CHUO = "U" + "b2" * 16


@pytest.fixture
def live_server(database_url, engine):
    """The web app with the emulator and inbox workers (no search warm-up: nothing here searches); afterwards
    every message sent must have been accepted by the emulator and match LINE's schema."""
    server = start_emulator_server(database_url, engine, inbox_threads=2)
    yield server
    try:
        requests = call(server.base_url, "/emulator/requests")
        refused = [r for r in requests if r.get("status", 200) >= 400 and "/message/" in r.get("path", "")]
        assert not refused, f"the emulator refused messages the bot sent: {refused[:3]}"
        assert_conform_to_line_schema([m for r in requests if isinstance(r.get("body"), dict)
                                       for m in r["body"].get("messages", [])])
    finally:
        server.stop()


def call(base: str, path: str, payload: dict | None = None):
    """GET or POST JSON to the live server."""
    data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(base + path, data=data, method="GET" if data is None else "POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=15) as response:
        return json.loads(response.read())


def say(base: str, user: str, **event) -> list[dict]:
    """One event from a resident; what they received back."""
    answer = call(base, "/emulator/events", {"user_id": user, **event})
    assert answer["webhook_status"] == 200
    return answer["messages"]


def onboard(base: str, user: str, district: str) -> None:
    """Follow, then answer onboarding by typing: 日本語, the district, and skip the rest."""
    say(base, user, type="follow")
    say(base, user, type="message", text="日本語")
    reply = say(base, user, type="message", text=district)
    for _ in range(4):
        if not reply or "quickReply" not in reply[-1]:
            break
        labels = [item["action"]["label"] for item in reply[-1]["quickReply"]["items"]]
        skip = next((label for label in labels if "スキップ" in label or "答えない" in label), None)
        if skip is None:
            break
        reply = say(base, user, type="message", text=skip)


def pushes(base: str, user: str) -> list[dict]:
    """What the user received by push or multicast."""
    return [m for m in call(base, f"/emulator/inbox/{user}") if m["via"] in ("push", "multicast")]


def test_a_district_notice_reaches_its_residents_who_can_list_it_and_stop_notices(engine, database_url, live_server,
                                                                                   tmp_path):
    base = live_server.base_url
    add_city_districts(engine)
    onboard(base, KITANO, "北野")
    onboard(base, CHUO, "中央地区")
    sent = run_cli(database_url, base + "/emulator", "notice", "send", "--title", "断水のお知らせ",
                   "--body", "12日9時から正午まで断水します。", "--segment", "district=北野")
    assert sent.returncode == 0, sent.stderr
    out = json.loads(sent.stdout)
    assert out["recipients"] == 1
    log = tmp_path / "scheduler.log"
    scheduler = start_scheduler(database_url, base + "/emulator", log)
    try:
        assert wait_for(lambda: pushes(base, KITANO), timeout=60), log_text(log)
        card = pushes(base, KITANO)[0]
        assert card["type"] == "flex" and "断水のお知らせ" in card["altText"] and pushes(base, CHUO) == []
        shown = run_cli(database_url, base + "/emulator", "delivery", "show", str(out["delivery"]), "--json")
        assert json.loads(shown.stdout)["state"] in ("sending", "done")

        listed = say(base, KITANO, type="message", text="お知らせ")
        assert "断水のお知らせ" in json.dumps(listed, ensure_ascii=False)
        stop = card["quickReply"]["items"][0]["action"]
        assert stop["label"] == "お知らせを止める"
        say(base, KITANO, type="postback", data=stop["data"])

        again = run_cli(database_url, base + "/emulator", "notice", "send", "--title", "二度目",
                        "--body", "届かないはず", "--segment", "district=北野地区")
        assert json.loads(again.stdout)["recipients"] == 0
        everyone = run_cli(database_url, base + "/emulator", "notice", "send", "--title", "全員へ", "--body", "本文")
        assert wait_for(lambda: pushes(base, CHUO), timeout=60), log_text(log)
        assert len(pushes(base, KITANO)) == 1  # switched off: nothing more
        assert json.loads(everyone.stdout)["recipients"] == 1
    finally:
        kill(scheduler)
