"""A survey round end to end for 1,000 residents through the emulator: `survey load` and `survey open` as staff
type them, the intro push sent by a real `tsunagari scheduler` process, residents tapping the quick replies they
received and typing numbers (in webhook bodies signed as LINE signs them), a pause and resume, a redelivered
event and a double tap, one reminder to those who did not finish — and `tally` agreeing with what was answered."""
from __future__ import annotations

import json
import time
import urllib.request
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from bot.emulator import emulator_state
from bot.emulator.webhook import build_event, complete_event, deliver_webhook
from models import Answer, Delivery, InboxEvent, Response, SurveyRound, utcnow
from tests.delivery_support import add_residents, user_id
from tests.scheduler_process import kill, run_cli, start_scheduler
from tests.survey_support import DESIGN_EXAMPLE

pytestmark = pytest.mark.slow
# 1,000 on SQLite; the PostgreSQL run repeats the same path with fewer residents to keep the suite's time bounded.
RESIDENTS = {"sqlite": 1000, "postgresql": 300}
DISTRICTS = ["北野", "南台", "東町", "西浜", "山の手地区"]
AGES = ["-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80-"]
NUMBER_FORMS = ("{n}", "{n}回", "{wide}", "{wide}回です", "約{n}回")
WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


class Crowd:
    """Residents acting through the emulator: events signed and posted as LINE posts them, in bodies of many."""

    def __init__(self, server, engine):
        self.server, self.engine = server, engine
        self.state = emulator_state(server.app)
        self.secret = server.app.extensions["tsunagari"].config.channel_secret
        self.url = server.base_url + "/callback"

    def actions(self, n: int) -> list[dict]:
        """The quick replies under the last message resident n received."""
        inbox = self.state.inbox(user_id(n))
        return [item["action"] for item in (inbox[-1].get("quickReply") or {}).get("items", [])] if inbox else []

    def text(self, n: int) -> str:
        """The text of the last message resident n received."""
        inbox = self.state.inbox(user_id(n))
        return inbox[-1].get("text", "") if inbox else ""

    def tap_event(self, n: int, label: str | None = None, index: int | None = None) -> dict:
        """Resident n taps a quick reply (by label, or by position when labels repeat)."""
        actions = self.actions(n)
        found = [a for a in actions if a["label"] == label]
        assert index is not None or found, (n, label, self.state.inbox(user_id(n))[-3:])
        action = actions[index] if index is not None else found[0]
        if action["type"] == "message":
            return self.event(n, type="message", text=action["text"])
        return self.event(n, type="postback", data=action["data"])

    def event(self, n: int, **short) -> dict:
        """A LINE event from resident n, with a reply token the emulator will accept."""
        event = build_event({"user_id": user_id(n), **short})
        event["replyToken"] = self.state.issue_reply_token(user_id(n))
        return event

    def post(self, actions: list, chunk: int = 100) -> None:
        """Make each event when its body is sent (a reply token lives a minute) and post the events in webhook
        bodies of `chunk`, waiting until the bot has handled each body; an action yields one or more events."""
        for start in range(0, len(actions), chunk):
            events = []
            for act in actions[start:start + chunk]:
                made = act()
                events += made if isinstance(made, list) else [made]
            assert deliver_webhook(self.state, self.secret, self.url, events) == 200
            self.drain()

    def drain(self, timeout: float = 300.0) -> None:
        """Wait for the inbox to empty."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with Session(self.engine) as session:
                waiting = session.exec(select(func.count()).select_from(InboxEvent)
                                       .where(InboxEvent.state.in_(("pending", "processing")))).one()
            if not waiting:
                return
            time.sleep(0.2)
        raise AssertionError("the inbox did not drain")


def number_text(n: int) -> str:
    """How resident n types their number of visits (0–7), in one of the forms residents use."""
    value = n % 8
    return NUMBER_FORMS[n % len(NUMBER_FORMS)].format(n=value, wide=str(value).translate(WIDE))


def wait_for(condition, timeout: float = 90.0, what: str = "") -> None:
    """Poll until condition() holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def delivery_done(engine, kind: str) -> bool:
    """True once the delivery of this kind was sent."""
    with Session(engine) as session:
        row = session.exec(select(Delivery).where(Delivery.kind == kind)).first()
        return row is not None and row.state == "done"


def test_a_round_for_a_thousand_residents_runs_end_to_end(live_server, engine, database_url, tmp_path):
    total = RESIDENTS[engine.dialect.name]
    silent = range(total * 90 // 100, total * 92 // 100)  # never answer
    unfinished = range(total * 95 // 100, total)  # stop before the last question
    crowd = Crowd(live_server, engine)
    api = live_server.base_url + "/emulator"
    add_residents(engine, total, district=lambda n: DISTRICTS[n % 5], age_group=lambda n: AGES[n % 8],
                  gender=lambda n: ("female", "male")[n % 2], consent_at=lambda n: utcnow())
    for n in range(total):
        crowd.state.ensure_user(user_id(n))
    survey_file = tmp_path / "survey.yaml"
    survey_file.write_text(DESIGN_EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert run_cli(database_url, api, "survey", "load", str(survey_file)).returncode == 0
    closes = (utcnow() + timedelta(days=7)).isoformat() + "+00:00"
    opened = run_cli(database_url, api, "survey", "open", "community-2026", "--closes", closes)
    assert opened.returncode == 0, opened.stderr
    assert {k: v for k, v in json.loads(opened.stdout).items() if k in ("survey", "round", "recipients")} == \
        {"survey": "community-2026", "round": 1, "recipients": total}

    scheduler = start_scheduler(database_url, api, tmp_path / "scheduler.log")
    try:
        wait_for(lambda: delivery_done(engine, "survey"), what="the intro push")
    finally:
        kill(scheduler)
    assert "過去1年に自治会の活動に参加しましたか" in crowd.text(0)
    assert [a["label"] for a in crowd.actions(0)] == ["はい", "いいえ", "あとで"]

    given: dict[int, dict[str, str]] = {n: {} for n in range(total)}
    talking = [n for n in range(total) if n not in silent]

    # q1 by tapping はい/いいえ; every 25th resident double-taps.
    def q1(n: int) -> list[dict]:
        tap = crowd.tap_event(n, "はい" if n % 3 else "いいえ")
        return [tap, {**tap, "webhookEventId": tap["webhookEventId"] + "X"}] if n % 25 == 1 else [tap]
    crowd.post([lambda n=n: q1(n) for n in talking])
    for n in talking:
        given[n]["q1"] = "yes" if n % 3 else "no"

    # Every 10th pauses (あとで) and comes back from the アンケート word.
    crowd.post([lambda n=n: crowd.tap_event(n, "あとで") for n in talking if n % 10 == 0])
    assert "途中まで保存しました" in crowd.text(10)
    crowd.post([lambda n=n: crowd.event(n, type="message", text="アンケート") for n in talking if n % 10 == 0])
    assert "前回の続きから始めます" in crowd.text(10) and "（2/4）" in crowd.text(10)

    # q2 by tapping its scale label; one event of every 25th resident is redelivered by LINE.
    labels = ["不満", "やや不満", "普通", "やや満足", "満足"]
    def q2(n: int) -> list[dict]:
        tap = crowd.tap_event(n, labels[n % 5])
        again = complete_event({**tap, "deliveryContext": {"isRedelivery": True}}, user_id(n))
        return [tap, again] if n % 25 == 1 else [tap]
    crowd.post([lambda n=n: q2(n) for n in talking])
    for n in talking:
        given[n]["q2"] = str(n % 5 + 1)

    # q3 typed as residents type numbers; every 20th first types something that is no number.
    crowd.post([lambda n=n: crowd.event(n, type="message", text="たくさん") for n in talking if n % 20 == 7])
    assert "数字で答えてください" in crowd.text(7)
    crowd.post([lambda n=n: crowd.event(n, type="message", text=number_text(n)) for n in talking])
    for n in talking:
        given[n]["q3"] = str(n % 8)

    # q4 tapped (both labels read "…" in the example: by position); the last fifty stop before it.
    finishing = [n for n in talking if n not in unfinished]
    crowd.post([lambda n=n: crowd.tap_event(n, index=n % 2) for n in finishing])
    for n in finishing:
        given[n]["q4"] = "ab"[n % 2]
    assert "回答ありがとうございました" in crowd.text(2)

    # The reminder: its time comes, a real scheduler queues and sends it to those who did not finish.
    with Session(engine) as session:
        rnd = session.exec(select(SurveyRound)).one()
        rnd.reminder_at = utcnow() - timedelta(minutes=1)
        session.add(rnd)
        session.commit()
    scheduler = start_scheduler(database_url, api, tmp_path / "scheduler.log")
    try:
        wait_for(lambda: delivery_done(engine, "survey_reminder"), what="the reminder")
    finally:
        kill(scheduler)
    reminded = {n for n in range(total) if "締切が近づいています" in crowd.text(n)}
    assert reminded == set(silent) | set(unfinished)
    crowd.post([lambda n=n: crowd.tap_event(n, "答える") for n in unfinished[:2]])
    assert "前回の続きから始めます" in crowd.text(unfinished[0]) and "（4/4）" in crowd.text(unfinished[0])

    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Response)).one() == len(talking)
        assert session.exec(select(func.count()).select_from(Answer)).one() == sum(len(a) for a in given.values())
        assert session.exec(select(func.count()).select_from(Response)
                            .where(Response.completed_at.is_not(None))).one() == len(finishing)
    check_tallies(database_url, api, given)


def check_tallies(database_url: str, api: str, given: dict[int, dict[str, str]]) -> None:
    """`tsunagari tally --format json` agrees with what the residents answered, overall and by district."""
    def tally(code: str, *args: str) -> dict:
        result = run_cli(database_url, api, "tally", code, "--format", "json", *args)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    q1 = [a["q1"] == "yes" for a in given.values() if "q1" in a]
    q2 = [(int(a["q2"]) - 1) * 25 for a in given.values() if "q2" in a]
    q3 = [int(a["q3"]) * 12 for a in given.values() if "q3" in a]
    for code, values, scale in (("participation", q1, 100), ("satisfaction", q2, 1), ("center-use", q3, 1)):
        result = tally(code)
        assert result["n"] == len(values) and result["round"] == 1
        assert result["value"] == pytest.approx(scale * sum(values) / len(values), rel=1e-9)
    by_district = tally("participation", "--by", "district")
    for cell in by_district["breakdown"]:
        members = [a["q1"] == "yes" for n, a in given.items() if "q1" in a and DISTRICTS[n % 5] == cell["district"]]
        assert cell["n"] == len(members)
        assert cell["value"] == pytest.approx(100 * sum(members) / len(members), rel=1e-9)
    with urllib.request.urlopen(api + "/requests", timeout=10) as response:
        requests = json.loads(response.read())
    assert not [r for r in requests if r.get("status", 200) >= 400 and "/message/" in r.get("path", "")
                and "reply token" not in json.dumps(r.get("response") or "")]
