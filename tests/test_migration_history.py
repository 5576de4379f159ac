"""Upgrading a database made by any earlier revision: its rows survive and the schema ends up as the models say.

Generic over the revision list, so every later revision is covered as soon as it exists: for each earlier
revision a database is migrated to it, a row is put into every table it has, and it is upgraded to head.
"""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, MetaData, Numeric, func, insert, select
from sqlmodel import SQLModel

import models  # noqa: F401  (every table on SQLModel.metadata)
import tests.support_handlers  # noqa: F401  (test_count)
from models import make_engine
from models.migrate import alembic_config, upgrade

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def revisions_oldest_first() -> list[str]:
    """Every revision from the first to head."""
    script = ScriptDirectory.from_config(alembic_config(None))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


EARLIER = revisions_oldest_first()[:-1]


@contextmanager
def empty_database(backend: str, tmp_path):
    """An empty database of the backend (PostgreSQL: a scratch database, dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    from bench.claim_explain import scratch_database

    with scratch_database(os.environ["TEST_DATABASE_URL"]) as url:
        yield url


def value_for(column):
    """A plausible value for a column of any type (FKs point at row 1 of their table, filled first)."""
    kind = column.type
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, (Integer, Numeric)) and not isinstance(kind, Float):
        return 1
    if isinstance(kind, Float):
        return 1.5
    if isinstance(kind, DateTime):
        return datetime(2026, 4, 1, 9, 0)
    if isinstance(kind, Date):
        return date(2026, 4, 1)
    if isinstance(kind, JSON):
        return []
    return "x"


def fill_every_table(engine) -> dict[str, int]:
    """One row in every table of the database as it is (reflected); returns the row counts."""
    meta = MetaData()
    meta.reflect(engine)
    tables = [t for t in meta.sorted_tables if t.name != "alembic_version"]
    with engine.begin() as conn:
        for table in tables:
            conn.execute(insert(table).values({c.name: value_for(c) for c in table.columns}))
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in tables}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("revision", EARLIER)
def test_a_database_at_any_earlier_revision_upgrades_to_head_with_its_rows(backend, revision, tmp_path):
    with empty_database(backend, tmp_path) as url:
        upgrade(url, revision)
        engine = make_engine(url)
        before = fill_every_table(engine)
        upgrade(url, "head")
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []
            after = {name: conn.execute(select(func.count()).select_from(SQLModel.metadata.tables[name])).scalar()
                     for name in before if name in SQLModel.metadata.tables}
        assert all(after[name] >= before[name] for name in after), (before, after)
        engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_events_waiting_in_the_first_release_are_handled_after_the_upgrade(backend, tmp_path):
    from sqlalchemy import text

    from bot.config import Config
    from bot.inbox import counts_by_state, hash_user
    from bot.messenger import RecordingMessenger
    from bot.workers import drain
    from tests.line_events import postback_event

    user = "U" + "5" * 32
    with empty_database(backend, tmp_path) as url:
        upgrade(url, EARLIER[0])
        engine = make_engine(url)
        with engine.begin() as conn:  # as the first release stored them, one claimed by a worker that died
            for n, state in enumerate(("processing", "pending", "pending")):
                event = postback_event(user, "action=test_count", timestamp_ms=1)
                conn.execute(text(
                    "INSERT INTO inbox_event (webhook_event_id, event_type, user_hash, payload, state, attempts, "
                    "next_attempt_at, locked_until, redeliveries, received_at) VALUES (:id, 'postback', :user, "
                    ":payload, :state, :attempts, :now, :now, 0, :now)"),
                    {"id": f"01OLD{n:021d}", "user": hash_user("s", user), "payload": json.dumps(event),
                     "state": state, "attempts": 1 if state == "processing" else 0, "now": datetime(2026, 4, 1)})
        upgrade(url, "head")
        config = Config(database_url=url, channel_secret="s", channel_access_token="t", testing=True,
                        inbox_threads=0)
        assert drain(engine, RecordingMessenger(), config) == 3
        assert counts_by_state(engine) == {"done": 3}
        engine.dispose()
