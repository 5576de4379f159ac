"""A whole deployment under load and faults: 2 web processes, 2 workers and the scheduler pair on one PostgreSQL
database, the emulator answering; a worker SIGKILLed mid-run, every database connection terminated, LINE failing
and timing out. Every good event is handled exactly once, in its resident's order, and answered once.

The suite runs a small load (TSUNAGARI_FAULT_EVENTS, default 360 events at 10/s: the machine is shared);
`make bench` runs the same scenario with 10,000 (python -m bench.fault_run).
"""
from __future__ import annotations

import os

import pytest

from bench.cluster import Cluster, Emulator
from bench.fault_run import FaultPlan, run_fault_scenario
from bench.claim_explain import scratch_database

pytestmark = pytest.mark.slow


@pytest.fixture
def postgres_url():
    """A scratch PostgreSQL database, migrated from empty by Alembic as a deployment does (dropped afterwards)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL not set: several processes need PostgreSQL")
    from models.migrate import upgrade

    with scratch_database(base) as url:
        upgrade(url)
        yield url


def test_every_good_event_is_handled_once_and_answered_through_kills_drops_and_line_failures(postgres_url,
                                                                                             tmp_path):
    events = int(os.environ.get("TSUNAGARI_FAULT_EVENTS", "360"))
    emulator = Emulator()
    cluster = Cluster(postgres_url, emulator, web=2, workers=2, schedulers=2, log_dir=tmp_path)
    try:
        cluster.start()
        assert cluster.live_workers_ready()
        outcome = run_fault_scenario(cluster, FaultPlan.scaled(events))
    finally:
        cluster.stop()
        emulator.stop()
    assert outcome.bodies_refused == 0, outcome.summary()
    assert outcome.unanswered == 0, outcome.summary()
    assert outcome.marks_wrong == [], outcome.summary()
    assert outcome.inbox == {"done": outcome.good_events, "rejected": outcome.bad_events}, outcome.summary()
    assert outcome.worst_wait_after_kill <= 10.0, outcome.summary()
    print(outcome.summary())
