"""`tsunagari scheduler` as a real process through the emulator: SIGKILL mid-send, faults, and a standby taking over.

Every recipient's inbox must hold exactly one copy afterwards, and nobody outside the segment any.
"""
from __future__ import annotations

import pytest

from bot.emulator import emulator_state
from content.deliveries import delivery_report, queue_delivery
from content.segments import parse_segment
from models import session_scope
from tests.delivery_support import add_residents, user_id
from tests.scheduler_process import (MulticastTimes, accepted_multicasts, add_followers, cut_scheduler_connections,
                                     inbox_counts, kill, log_text,
                                     start_emulator_server, start_scheduler, wait_for)

pytestmark = pytest.mark.slow
IN_SEGMENT = 20_000
OUTSIDE = 300
NOTICE = {"ja": [{"type": "text", "text": "北野地区のお知らせです"}], "en": [{"type": "text", "text": "A notice"}]}


@pytest.fixture
def city(database_url, engine):
    """A live server with the emulator, 20,000 followers in 北野地区 and 300 elsewhere (residents and LINE users)."""
    server = start_emulator_server(database_url, engine)
    inside = add_residents(engine, IN_SEGMENT, district="北野地区", language=lambda n: "en" if n % 10 == 0 else "ja")
    outside = add_residents(engine, OUTSIDE, start=IN_SEGMENT, district="中央地区")
    add_followers(server, inside + outside)
    yield server, inside, outside
    server.stop()


def queue_notice(engine) -> int:
    """The 北野地区 notice, due now."""
    with session_scope(engine) as session:
        return queue_delivery(session, kind="notice", messages_by_lang=NOTICE,
                              segment=parse_segment(["district=北野地区"])).id


def report(engine, delivery_id: int) -> dict:
    """delivery show, read directly."""
    with session_scope(engine) as session:
        return delivery_report(session, delivery_id)


def assert_exactly_once(server, inside, outside) -> None:
    """Every recipient has one copy; nobody outside the segment has any."""
    counts = inbox_counts(server, inside)
    wrong = {uid: n for uid, n in counts.items() if n != 1}
    assert not wrong, f"{len(wrong)} recipients without exactly one copy, e.g. {list(wrong.items())[:3]}"
    assert not any(inbox_counts(server, outside).values())


def test_a_scheduler_killed_mid_send_through_500s_and_timeouts_is_restarted_and_everyone_has_exactly_one_copy(
        city, engine, database_url, tmp_path):
    server, inside, outside = city
    # Slow, and failing: one request in ten answers 500; three are answered only after the client gave up
    # (they were accepted all the same, so their retries must come back 409).
    emulator_state(server.app).configure({
        "latency_ms": 30, "fail_rate": [{"path": "/v2/bot/message/multicast", "status": 500, "rate": 0.1}],
        "fail_next": [{"path": "/v2/bot/message/multicast", "status": 200, "delay_ms": 1500, "times": 3}]})
    extra = {"TSUNAGARI_HTTP_TIMEOUT": "1"}
    delivery_id = queue_notice(engine)
    log = tmp_path / "scheduler.log"
    first = start_scheduler(database_url, server.base_url + "/emulator", log, **extra)
    second = None
    try:
        assert wait_for(lambda: accepted_multicasts(server) >= 12, timeout=90), log_text(log)
        kill(first)
        assert report(engine, delivery_id)["state"] == "sending"
        second = start_scheduler(database_url, server.base_url + "/emulator", log, **extra)
        assert wait_for(lambda: report(engine, delivery_id)["state"] == "done", timeout=120), log_text(log)
    finally:
        kill(first)
        kill(second)
    assert_exactly_once(server, inside, outside)
    final = report(engine, delivery_id)
    assert (final["recipients"], final["sent"], final["failed"]) == (IN_SEGMENT, IN_SEGMENT, 0)
    # Batches of ≤ 500: 18,000 Japanese in 36 and 2,000 English in 4, plus the retries (409s included).
    assert final["batches"] == 40 and final["requests"] > 40 and final["duplicates"] >= 1


def test_two_schedulers_one_acts_and_the_standby_takes_over_within_a_minute(city, engine, database_url, tmp_path):
    server, inside, outside = city
    emulator_state(server.app).configure({"latency_ms": 40})
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = [start_scheduler(database_url, server.base_url + "/emulator", log) for log in logs]
    try:
        assert wait_for(lambda: any("scheduler lock acquired" in log_text(log) for log in logs), timeout=60)
        assert wait_for(lambda: any("standing by" in log_text(log) for log in logs), timeout=60)
        leader = next(i for i, log in enumerate(logs) if "scheduler lock acquired" in log_text(log))
        standby = 1 - leader
        delivery_id = queue_notice(engine)
        assert wait_for(lambda: accepted_multicasts(server) >= 10, timeout=60), log_text(logs[leader])
        assert "scheduler lock acquired" not in log_text(logs[standby])  # exactly one acts
        kill(procs[leader])
        assert wait_for(lambda: "scheduler lock acquired" in log_text(logs[standby]), timeout=60), \
            log_text(logs[standby])
        assert wait_for(lambda: report(engine, delivery_id)["state"] == "done", timeout=120), log_text(logs[standby])
    finally:
        for proc in procs:
            kill(proc)
    assert_exactly_once(server, inside, outside)
    assert report(engine, delivery_id)["sent"] == IN_SEGMENT
    assert user_id(0) in inside


def test_schedulers_whose_connections_are_cut_keep_exactly_one_sender_and_send_nothing_twice(
        engine, database_url, tmp_path):
    if engine.dialect.name != "postgresql":
        pytest.skip("pg_terminate_backend: PostgreSQL only (a SQLite lock is a file the process keeps)")
    server = start_emulator_server(database_url, engine)
    times = MulticastTimes(server.app)
    inside = add_residents(engine, 10_000, district="北野地区")
    outside = add_residents(engine, 100, start=10_000, district="中央地区")
    add_followers(server, inside + outside)
    emulator_state(server.app).configure({"latency_ms": 300})  # 20 batches: a send of several seconds
    port = server.base_url.rsplit(":", 1)[1]
    hosts = {"127.0.0.1": f"http://127.0.0.1:{port}/emulator", "localhost": f"http://localhost:{port}/emulator"}
    logs = {host: tmp_path / f"{host}.log" for host in hosts}
    procs = {host: start_scheduler(database_url, api, logs[host]) for host, api in hosts.items()}
    try:
        assert wait_for(lambda: any("standing by" in log_text(log) for log in logs.values()), timeout=60)
        delivery_id = queue_notice(engine)
        for accepted in (2, 5):  # cut every connection of both, twice, while the send goes on
            assert wait_for(lambda: accepted_multicasts(server) >= accepted, timeout=60), log_text(logs["localhost"])
            assert cut_scheduler_connections(engine) >= 1
            assert wait_for(lambda: accepted_multicasts(server) >= accepted + 2, timeout=60), \
                "the pair stopped sending: " + "".join(log_text(log) for log in logs.values())
            assert all(proc.poll() is None for proc in procs.values()), "a scheduler died of a cut connection"
        actor = times.last_host()
        kill(procs[actor])  # the other one, cut twice too, still stands by and takes over
        standby = next(host for host in hosts if host != actor)
        assert wait_for(lambda: report(engine, delivery_id)["state"] == "done", timeout=120), log_text(logs[standby])
        assert times.last_host() == standby and procs[standby].poll() is None
    finally:
        for proc in procs.values():
            kill(proc)
        server.stop()
    assert not times.overlapping(), "two schedulers sent at the same time"
    assert_exactly_once(server, inside, outside)
    assert report(engine, delivery_id)["sent"] == len(inside)
