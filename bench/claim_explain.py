"""The inbox claim under a backlog: EXPLAIN ANALYZE of the claim's two statements at 10,000 pending events,
right after the burst (no statistics: autovacuum has not run) and after ANALYZE, beside the claim it replaced
(one query with a correlated NOT EXISTS over the whole table).

    python -m bench.claim_explain [--pending N] [--residents N]     (PostgreSQL: TEST_DATABASE_URL or BENCH_DATABASE_URL)

A scratch database is created and dropped, so the figures never depend on what an earlier run left behind.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine, make_url

from bot.inbox import due_lane_query, lane_head_query, store_events
from models import create_schema, make_engine, utcnow
from models.db import normalize_url

SECRET = "bench-secret"

# The claim before lanes (issue 11's probe): the oldest due event whose resident has nothing earlier waiting.
OLD_CLAIM = """
SELECT e.id FROM inbox_event e
WHERE e.state = 'pending' AND e.next_attempt_at <= :now
  AND (e.user_hash IS NULL OR NOT EXISTS (
      SELECT 1 FROM inbox_event o WHERE o.user_hash = e.user_hash AND o.id <> e.id
        AND (o.state = 'processing' OR (o.state = 'pending' AND o.id < e.id))))
ORDER BY e.id LIMIT 1 FOR UPDATE SKIP LOCKED
"""


def database_url() -> str | None:
    """The PostgreSQL server to measure on (a scratch database is made there)."""
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")


@contextmanager
def scratch_database(base_url: str):
    """A fresh, empty PostgreSQL database on the same server, dropped afterwards; yields its URL."""
    base = make_url(normalize_url(base_url))
    name = f"tsunagari_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def bench_event(n: int, resident: int, timestamp_ms: int) -> dict:
    """A text event from one of the residents."""
    return {"type": "message", "mode": "active", "timestamp": timestamp_ms, "webhookEventId": f"01EXPLAIN{n:017d}",
            "replyToken": f"rt{n}", "deliveryContext": {"isRedelivery": False},
            "source": {"type": "user", "userId": f"U{resident:032x}"},
            "message": {"type": "text", "id": str(n), "quoteToken": "q", "text": "今週末のイベント"}}


def fill_backlog(engine: Engine, *, pending: int, residents: int, done: int = 0, busy: int = 8) -> None:
    """`done` finished and `pending` waiting events from `residents` residents; `busy` lanes held by workers."""
    stamp = int(time.time() * 1000)
    total = done + pending
    for start in range(0, total, 1000):
        events = [bench_event(n, n % residents, stamp) for n in range(start, min(total, start + 1000))]
        store_events(engine, events, SECRET)
    with engine.begin() as conn:
        if done:
            conn.execute(text("UPDATE inbox_event SET state = 'done', payload = '{}' WHERE id <= :n"), {"n": done})
        conn.execute(text("UPDATE inbox_lane SET state = 'busy', worker = 'w', due_at = :until WHERE key IN "
                          "(SELECT key FROM inbox_lane ORDER BY key LIMIT :n)"),
                     {"until": utcnow() + timedelta(seconds=30), "n": busy})
        conn.execute(text("UPDATE inbox_event SET state = 'processing' WHERE id IN (SELECT MIN(id) FROM inbox_event "
                          "WHERE lane IN (SELECT key FROM inbox_lane WHERE state = 'busy') AND state = 'pending' "
                          "GROUP BY lane)"))


def literal_sql(statement) -> str:
    """A SQLAlchemy statement as PostgreSQL text with its values written in (for EXPLAIN)."""
    return str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def explain(conn: Connection, sql: str, analyze: bool, params: dict | None = None) -> dict:
    """EXPLAIN (ANALYZE) in JSON: the plan and, when analysed, its execution time."""
    options = "ANALYZE, BUFFERS, FORMAT JSON" if analyze else "FORMAT JSON"
    result = conn.execute(text(f"EXPLAIN ({options}) {sql}"), params or {}).scalar()
    return (json.loads(result) if isinstance(result, str) else result)[0]


def plan_text(plan: dict) -> str:
    """Node types and index names of a JSON plan, one per line (what tests and people look for)."""
    lines, stack = [], [(plan["Plan"], 0)]
    while stack:
        node, depth = stack.pop()
        lines.append("  " * depth + node["Node Type"] + (f" using {node['Index Name']}" if "Index Name" in node
                                                         else f" on {node.get('Relation Name')}"
                                                         if "Relation Name" in node else ""))
        stack.extend((child, depth + 1) for child in reversed(node.get("Plans", [])))
    return "\n".join(lines)


def claim_statements(conn: Connection) -> tuple[str, str]:
    """The SQL of the claim's two statements, with a real lane for the second."""
    now = utcnow()
    lane_sql = literal_sql(due_lane_query("postgresql", now))
    key = conn.execute(text(lane_sql)).scalar() or "none"
    return lane_sql, literal_sql(lane_head_query(key))


def claim_plans(conn: Connection) -> tuple[str, str]:
    """The plans PostgreSQL chooses for the claim's statements now (no ANALYZE run here)."""
    lane_sql, head_sql = claim_statements(conn)
    return plan_text(explain(conn, lane_sql, False)), plan_text(explain(conn, head_sql, False))


def measure(conn: Connection, label: str) -> list[tuple[str, float, str]]:
    """(what, execution ms, plan) for the new claim's statements and the old claim, inside a rolled-back transaction."""
    lane_sql, head_sql = claim_statements(conn)
    rows = []
    for what, sql, params in (("claim: due lane", lane_sql, None), ("claim: lane head", head_sql, None),
                              ("old claim: NOT EXISTS", OLD_CLAIM, {"now": utcnow()})):
        plan = explain(conn, sql, True, params)
        rows.append((f"{what} ({label})", plan["Execution Time"] + plan.get("Planning Time", 0.0),
                     plan_text(plan).splitlines()[0] if what.startswith("old") else
                     re.sub(r"\s+", " ", plan_text(plan))))
    return rows


def run(base_url: str, pending: int, residents: int, done: int) -> list[tuple[str, float, str]]:
    """Fill a scratch database and measure the claim without and with fresh statistics."""
    with scratch_database(base_url) as url:
        engine = make_engine(url)
        create_schema(engine)
        fill_backlog(engine, pending=pending, residents=residents, done=done)
        results = []
        with engine.connect() as conn:
            results += measure(conn, "no statistics")
            conn.rollback()
            conn.execute(text("ANALYZE inbox_event"))
            conn.execute(text("ANALYZE inbox_lane"))
            conn.commit()
            results += measure(conn, "after ANALYZE")
            conn.rollback()
        engine.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    """Print the EXPLAIN ANALYZE figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pending", type=int, default=10_000)
    parser.add_argument("--residents", type=int, default=600)
    parser.add_argument("--done", type=int, default=20_000)
    args = parser.parse_args(argv)
    url = database_url()
    if not url:
        print("claim EXPLAIN ANALYZE: skipped (set TEST_DATABASE_URL or BENCH_DATABASE_URL to a PostgreSQL server)")
        return 0
    print(f"\nInbox claim, EXPLAIN ANALYZE: {args.pending:,} pending events from {args.residents} residents, "
          f"{args.done:,} finished rows, 8 lanes busy")
    print(f"{'statement':48} {'ms':>9}  plan")
    results = run(url, args.pending, args.residents, args.done)
    for what, ms, plan in results:
        print(f"{what:48} {ms:9.2f}  {plan}")
    record_summary(results)
    return 0


def record_summary(results: list[tuple[str, float, str]]) -> None:
    """The claim (both statements) beside the old claim, with and without statistics, in the closing table."""
    from bench import summary

    for label in ("no statistics", "after ANALYZE"):
        ours = sum(ms for what, ms, _ in results if what.startswith("claim") and label in what)
        old = sum(ms for what, ms, _ in results if what.startswith("old") and label in what)
        summary.record("inbox", f"claim at 10,000 waiting, {label} (ms)", ours, old, "ms", higher_is_better=False,
                       baseline_name="NOT EXISTS claim")


if __name__ == "__main__":
    raise SystemExit(main())
