"""Holding a send, through the emulator: a monthly quota too small holds it and says so; quiet hours hold a push
that is not urgent until morning and let an urgent one through. The delivery job talks HTTP to the emulator with
the Messenger the scheduler builds."""
from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import EMULATOR_TOKEN, Config
from bot.emulator import emulator_state
from content.deliveries import queue_delivery
from content.quiet_hours import parse_quiet_hours
from jobs.delivery import QUOTA_RECHECK, DeliverySettings, send_due_deliveries
from jobs.scheduler import delivery_messenger
from models import session_scope
from tests.delivery_support import add_residents, delivery, utc
from tests.scheduler_process import add_followers, inbox_counts, multicasts, start_emulator_server

NIGHT = utc(2026, 12, 1, 13, 30)  # 22:30 in Tokyo
MORNING = utc(2026, 12, 1, 23, 0)  # 08:00 in Tokyo
QUIET = DeliverySettings(tz="Asia/Tokyo", quiet=parse_quiet_hours("21:00-08:00"))


@pytest.fixture
def server(database_url, engine):
    """A live server with the emulator."""
    server = start_emulator_server(database_url, engine)
    yield server
    server.stop()


def followers(engine, server, count: int) -> list[str]:
    """Residents who follow the account, known to the emulator as LINE users."""
    user_ids = add_residents(engine, count, district="北野地区")
    add_followers(server, user_ids)
    return user_ids


def queue(engine, text: str, at, urgent: bool = False) -> int:
    """A notice to everyone, due at `at`."""
    with session_scope(engine) as session:
        return queue_delivery(session, kind="notice", messages_by_lang={"ja": [{"type": "text", "text": text}]},
                              scheduled_for=at, urgent=urgent).id


def run_job(server, engine, database_url, at, settings=QUIET) -> None:
    """One run of the scheduler's delivery job with `at` as now, through the emulator."""
    config = Config(database_url=database_url, line_api_host=server.base_url + "/emulator",
                    channel_access_token=EMULATOR_TOKEN)
    send_due_deliveries(engine, delivery_messenger(config), settings, budget=5.0, now=lambda: at)


def pushed_texts(server, user_id: str) -> list[str]:
    """The texts a user received by push or multicast, oldest first."""
    state = emulator_state(server.app)
    with state.lock:
        return [m["message"].get("text") for m in state.log_by_user.get(user_id, ())
                if m["from"] == "bot" and m["via"] in ("push", "multicast")]


def test_a_send_bigger_than_what_is_left_of_the_monthly_quota_is_held_and_says_so(server, engine, database_url):
    residents = followers(engine, server, 150)
    emulator_state(server.app).configure({"quota": 100})
    delivery_id = queue(engine, "断水のお知らせ", NIGHT)
    run_job(server, engine, database_url, MORNING)
    held = delivery(engine, delivery_id)
    assert held.state == "held" and not multicasts(server)  # nothing sent: no send stops halfway
    assert "150通" in held.held_reason and "残り100通" in held.held_reason
    shown = CliRunner().invoke(main, ["delivery", "show", str(delivery_id)], env={"DATABASE_URL": database_url})
    assert "state: held" in shown.output and "今月の配信可能数が足りない" in shown.output

    emulator_state(server.app).configure({"quota": 1000})  # the city bought more: the next look sends it
    run_job(server, engine, database_url, MORNING + QUOTA_RECHECK + timedelta(seconds=1))
    assert delivery(engine, delivery_id).state == "done"
    assert set(inbox_counts(server, residents).values()) == {1}


def test_quiet_hours_hold_a_notice_until_morning_and_let_an_urgent_one_through(server, engine, database_url):
    residents = followers(engine, server, 3)
    usual = queue(engine, "図書館まつりのお知らせ", NIGHT)
    urgent = queue(engine, "避難指示が出ました", NIGHT, urgent=True)
    run_job(server, engine, database_url, NIGHT)
    assert all(pushed_texts(server, uid) == ["避難指示が出ました"] for uid in residents)
    held = delivery(engine, usual)
    assert held.state == "held" and "21:00〜8:00" in held.held_reason and "12月2日 8:00 に配信" in held.held_reason
    assert delivery(engine, urgent).state == "done"

    run_job(server, engine, database_url, MORNING)
    assert all(pushed_texts(server, uid) == ["避難指示が出ました", "図書館まつりのお知らせ"] for uid in residents)
    assert delivery(engine, usual).state == "done"
