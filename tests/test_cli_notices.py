"""`tsunagari notice send` and `tsunagari delivery show`, exactly as DESIGN.md gives them."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from bot.cli import main
from jobs.scheduler import beat
from models import make_engine
from tests.delivery_support import add_city_districts, add_residents


@pytest.fixture
def city(monkeypatch, database_url, engine):
    """DATABASE_URL → a database with districts and residents; no quiet hours (tests run at any hour)."""
    for name in ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "LINE_API_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TSUNAGARI_QUIET_HOURS", "")
    add_city_districts(engine)
    add_residents(engine, 5, district=lambda n: "北野地区" if n < 3 else "中央地区",
                  age_group=lambda n: "60-69" if n in (0, 4) else None)
    return CliRunner()


def send(runner, *args) -> tuple[int, dict | str]:
    """Run `tsunagari notice send …`; the JSON it printed (or the error text)."""
    result = runner.invoke(main, ["notice", "send", "--title", "断水のお知らせ", "--body", "12日は断水します", *args])
    if result.exit_code:
        return result.exit_code, result.output
    return 0, json.loads(result.stdout.strip().splitlines()[0])


def test_notice_send_prints_the_notice_delivery_recipients_and_time(city):
    code, out = send(city, "--segment", "district=北野")
    assert code == 0 and set(out) == {"notice", "delivery", "recipients", "scheduled_for"}
    assert out["recipients"] == 3 and out["scheduled_for"].endswith("+09:00")
    code, out = send(city, "--segment", "district=北野地区,中央地区", "--segment", "age_group=60-69")
    assert out["recipients"] == 2
    assert send(city)[1]["recipients"] == 5


def test_notice_send_now_prints_whole_seconds(city):
    from datetime import datetime

    _, out = send(city)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00", out["scheduled_for"])
    assert datetime.fromisoformat(out["scheduled_for"]).microsecond == 0


def test_notice_send_at_a_time(city):
    code, out = send(city, "--at", "2099-04-01T09:30")
    assert code == 0 and out["scheduled_for"] == "2099-04-01T09:30:00+09:00"


@pytest.mark.parametrize("args, message", [
    (["--segment", "distrct=北野"], "distrct"),
    (["--segment", "district=北の"], "北の"),
    (["--segment", "age_group=60代"], "60代"),
    (["--at", "tomorrow"], "--at"),
    (["--at", "2001-01-01T09:00"], "past"),
])
def test_bad_input_is_refused_with_a_clear_message(city, args, message):
    code, out = send(city, *args)
    assert code == 2 and message in out


def test_delivery_show_reports_the_delivery(city, database_url):
    _, out = send(city, "--segment", "district=北野")
    result = city.invoke(main, ["delivery", "show", str(out["delivery"]), "--json"])
    report = json.loads(result.output)
    assert {k: report[k] for k in ("id", "notice", "state", "recipients", "sent", "skipped", "failed", "requests")} == {
        "id": out["delivery"], "notice": out["notice"], "state": "queued", "recipients": 3, "sent": 0, "skipped": 0,
        "failed": 0, "requests": 0}
    text = city.invoke(main, ["delivery", "show", str(out["delivery"])]).output
    assert "state: queued" in text and "recipients: 3" in text
    assert "no scheduler is running" in text  # nothing goes out without `tsunagari scheduler`
    scheduler_engine = make_engine(database_url)
    beat(scheduler_engine)
    scheduler_engine.dispose()
    assert "no scheduler is running" not in city.invoke(main, ["delivery", "show", str(out["delivery"])]).output
    missing = city.invoke(main, ["delivery", "show", "999"])
    assert missing.exit_code == 2 and "no delivery 999" in missing.output
    make_engine(database_url).dispose()


def test_delivery_times_are_shown_in_whole_seconds():
    from datetime import datetime

    from content.deliveries import local_iso

    assert local_iso(datetime(2026, 12, 1, 0, 5, 7, 123456), "Asia/Tokyo") == "2026-12-01T09:05:07+09:00"


def test_quiet_hours_move_a_notice_to_the_morning_and_say_so(city, monkeypatch):
    monkeypatch.setenv("TSUNAGARI_QUIET_HOURS", "00:00-23:59")  # always quiet, whatever the hour of the test
    result = city.invoke(main, ["notice", "send", "--title", "お知らせ", "--body", "本文"])
    out = json.loads(result.stdout.strip().splitlines()[0])
    assert "T23:59:00+09:00" in out["scheduled_for"] and "quiet hours" in result.stderr
    urgent = city.invoke(main, ["notice", "send", "--title", "避難", "--body", "本文", "--urgent"])
    assert "T23:59" not in json.loads(urgent.stdout.strip().splitlines()[0])["scheduled_for"]
