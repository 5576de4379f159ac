"""The durable inbox as a queue: store webhook events once, claim a resident's oldest event, settle it.

Events wait in lanes, one per resident (models/inbox.py). Claiming takes the active lane that is due first
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, so any number of worker processes on any number of machines share the
work) and its oldest unfinished event: two index probes, whatever the backlog. A busy lane carries a lease that
its worker's heartbeat renews every second or so; when a worker dies, its lane falls due within the lease and
another worker takes the event over. Settling an event and releasing its lane are one transaction, and a
handler's own state change commits in that same transaction (bot/dispatch.py), so a retry never applies twice.

This module holds the queue's operations only; bot/workers.py runs them in a loop and bot/dispatch.py runs
one event.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import socket
import threading
import time
import types
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Iterable

from sqlalchemy import case, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from models import InboxEvent, InboxLane, InboxWorker, utcnow
from models.inbox import MAX_EVENT_ID_LENGTH

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
REDACTED = "{}"
NOTIFY_CHANNEL = "tsunagari_inbox"
EVENTS = InboxEvent.__table__
LANES = InboxLane.__table__
WORKERS = InboxWorker.__table__
# Written out, not bound: a generic prepared plan must still see that these match the partial indexes' predicates.
UNFINISHED = text("inbox_event.state IN ('pending', 'processing', 'replying')")
ACTIVE_LANE = text("inbox_lane.state <> 'idle'")
STORE_ATTEMPTS = 3
STORE_RETRY_DELAY = 0.15


class ClaimLost(RuntimeError):
    """Another worker took the event over (this worker's lease ran out): its work must not be committed."""


def lease_seconds() -> float:
    """How long a busy lane stays locked without a heartbeat before another worker may take it over."""
    return float(os.environ.get("TSUNAGARI_INBOX_LEASE_SECONDS", "5"))


def heartbeat_seconds() -> float:
    """How often a worker renews the leases it holds: several beats fit in one lease."""
    return max(0.2, lease_seconds() / 5)


def backoff_seconds(attempts: int) -> float:
    """Delay before the next try of a failed event: 0.5, 1, 2, 4, ... seconds, at most 5 minutes."""
    return float(min(0.5 * 2 ** max(attempts - 1, 0), 300))


def new_worker_name() -> str:
    """A name unique to this worker process: host, pid and a nonce (pids repeat across machines and restarts)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def hash_user(secret: str | None, user_id: str | None) -> str | None:
    """A keyed hash of a LINE user id, so the inbox can order a resident's events without the id in clear."""
    if not user_id:
        return None
    return hmac.new((secret or "").encode(), user_id.encode(), hashlib.sha256).hexdigest()[:32]


def event_id_of(event: dict) -> str:
    """LINE's webhookEventId kept whole; an id too long for the column is keyed by its full hash instead
    (never a prefix: two ids sharing one must stay two events); a content hash for an event without one."""
    given = event.get("webhookEventId")
    if isinstance(given, str) and given:
        if len(given) <= MAX_EVENT_ID_LENGTH:
            return given
        return "sha256:" + hashlib.sha256(given.encode("utf-8", "surrogatepass")).hexdigest()
    return "sha256:" + hashlib.sha256(json.dumps(event, sort_keys=True).encode()).hexdigest()


def event_time_of(event: dict) -> datetime | None:
    """The event's own timestamp (ms since epoch) as naive UTC; None when absent or out of range."""
    stamp = event.get("timestamp")
    if not isinstance(stamp, (int, float)) or isinstance(stamp, bool):
        return None
    try:
        return datetime.fromtimestamp(stamp / 1000, tz=timezone.utc).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


def lane_of(event_id: str, user_hash: str | None) -> str:
    """A resident's events share one lane (kept in order); any other event has a lane of its own."""
    if user_hash:
        return user_hash
    return "event:" + hashlib.sha256(event_id.encode()).hexdigest()[:40]


# --------------------------------------------------------------------------- storing

@dataclass
class Rejected:
    """An event of a good body that is malformed itself: stored as rejected (never run), with the reason."""

    event_id: str
    reason: str
    event_type: str = ""


@dataclass
class StoreResult:
    """What one webhook body did to the inbox."""

    new: int = 0
    duplicates: int = 0
    rejected: int = 0
    new_lanes: list[str] = field(default_factory=list)


def _upsert(engine: Engine, table):
    """The dialect's INSERT, which knows ON CONFLICT (PostgreSQL and SQLite alike)."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _event_row(event: dict, secret: str | None, now: datetime) -> dict:
    """The inbox row for a well-formed event."""
    event_id = event_id_of(event)
    source = event.get("source") or {}
    user_hash = hash_user(secret, source.get("userId"))
    return dict(webhook_event_id=event_id, event_type=str(event.get("type", ""))[:32], user_hash=user_hash,
                lane=lane_of(event_id, user_hash), payload=json.dumps(event, ensure_ascii=False),
                state="pending", attempts=0, redeliveries=0, next_attempt_at=now, received_at=now,
                event_time=event_time_of(event), processed_at=None, last_error=None)


def _rejected_row(rejected: Rejected, now: datetime) -> dict:
    """The inbox row recording a malformed event (no payload: it may hold anything)."""
    return dict(webhook_event_id=rejected.event_id, event_type=rejected.event_type[:32], user_hash=None,
                lane="rejected", payload=REDACTED, state="rejected", attempts=0, redeliveries=0,
                next_attempt_at=now, received_at=now, processed_at=now, last_error=rejected.reason[:500])


def _mark_lanes_ready(conn: Connection, engine: Engine, lanes: Iterable[str], now: datetime) -> None:
    """Count the new events in their lanes; an idle lane becomes ready, a ready or busy one keeps its state (its
    worker moves on to the new event when it releases the lane).

    The upsert locks the lane row until this transaction commits, and a worker releasing the lane decides between
    ready and idle from the lane's own `waiting` count, which it reads after that lock: no event is ever stranded."""
    counts: dict[str, int] = {}
    for key in lanes:
        counts[key] = counts.get(key, 0) + 1
    for key in sorted(counts):  # one order for every writer: no deadlocks between concurrent bodies
        stmt = _upsert(engine, LANES).values(key=key, state="ready", due_at=now, waiting=counts[key])
        idle = LANES.c.state == "idle"
        conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={
            "state": case((idle, "ready"), else_=LANES.c.state),
            "due_at": case((idle, stmt.excluded.due_at), else_=LANES.c.due_at),
            "waiting": LANES.c.waiting + stmt.excluded.waiting,
        }))


_EVENT_COLUMNS = ("webhook_event_id", "event_type", "user_hash", "lane", "payload", "state", "attempts",
                  "redeliveries", "next_attempt_at", "received_at", "event_time", "processed_at", "last_error")
# One statement on PostgreSQL: the events, their lanes counted and made ready, and the wake-up for listening
# workers (NOTIFY is delivered at commit). Lanes are written in key order: no deadlock between two bodies.
_STORE_SQL = """
WITH new AS (
    INSERT INTO inbox_event ({columns}) VALUES {values}
    ON CONFLICT (webhook_event_id) DO NOTHING
    RETURNING webhook_event_id, lane, state),
lanes AS (
    INSERT INTO inbox_lane (key, state, due_at, waiting)
    SELECT lane, 'ready', CAST(%s AS TIMESTAMP), COUNT(*) FROM new WHERE state = 'pending' GROUP BY lane ORDER BY lane
    ON CONFLICT (key) DO UPDATE SET
        state = CASE WHEN inbox_lane.state = 'idle' THEN 'ready' ELSE inbox_lane.state END,
        due_at = CASE WHEN inbox_lane.state = 'idle' THEN excluded.due_at ELSE inbox_lane.due_at END,
        waiting = inbox_lane.waiting + excluded.waiting
    RETURNING key)
SELECT new.webhook_event_id, (SELECT COUNT(pg_notify('""" + NOTIFY_CHANNEL + """', '')) FROM lanes) FROM new
"""


def _store_once(engine: Engine, rows: list[dict], rejected_rows: list[dict]) -> tuple[set[str], set[str]]:
    """One transaction storing every row; returns (ids stored now, ids already there)."""
    every = rows + rejected_rows
    if not every:
        return set(), set()
    if engine.dialect.name == "postgresql":
        stored = _store_in_one_statement(engine, every)
    else:
        stored = _store_in_steps(engine, rows, rejected_rows)
    return stored, {row["webhook_event_id"] for row in every} - stored


def _store_in_one_statement(engine: Engine, rows: list[dict]) -> set[str]:
    """PostgreSQL: _STORE_SQL in autocommit (its own durable transaction), through the driver directly."""
    placeholders = "(" + ", ".join(["%s"] * len(_EVENT_COLUMNS)) + ")"
    sql = _STORE_SQL.format(columns=", ".join(_EVENT_COLUMNS), values=", ".join([placeholders] * len(rows)))
    params = tuple(row.get(column) for row in rows for column in _EVENT_COLUMNS) + (utcnow(),)
    with store_engine(engine).connect() as conn:
        return {found[0] for found in conn.exec_driver_sql(sql, params)}


def _store_in_steps(engine: Engine, rows: list[dict], rejected_rows: list[dict]) -> set[str]:
    """The same in a few statements of one transaction (SQLite)."""
    stored: set[str] = set()
    with engine.begin() as conn:
        for batch in (rows, rejected_rows):
            if batch:
                stmt = (_upsert(engine, EVENTS).values(batch)
                        .on_conflict_do_nothing(index_elements=["webhook_event_id"])
                        .returning(EVENTS.c.webhook_event_id))
                stored |= set(conn.execute(stmt).scalars())
        _mark_lanes_ready(conn, engine, [row["lane"] for row in rows if row["webhook_event_id"] in stored], utcnow())
    return stored


def is_connection_problem(exc: BaseException) -> bool:
    """A dropped or refused database connection: worth trying again on a fresh one."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, (OperationalError, InterfaceError))


def store_events(engine: Engine, events: Iterable[dict], secret: str | None,
                 rejected: Iterable[Rejected] = ()) -> StoreResult:
    """Store each event once (unique webhookEventId) and the rejected ones as such; a repeat only bumps its
    redelivery count. A dropped connection is retried on a fresh one (LINE waits 2 s); what still fails
    raises, so the webhook can answer 500 and LINE redelivers."""
    now = utcnow()
    rows = list({row["webhook_event_id"]: row for row in (_event_row(e, secret, now) for e in events)}.values())
    rejected_rows = [_rejected_row(r, now) for r in {r.event_id: r for r in rejected}.values()
                     if r.event_id not in {row["webhook_event_id"] for row in rows}]
    try:
        stored, repeated = _store_retrying(engine, rows, rejected_rows)
    except DBAPIError as exc:
        if is_connection_problem(exc) or len(rows) + len(rejected_rows) < 2:
            raise
        # Something in one event the database refuses: store them one by one so the others are kept.
        stored, repeated = _store_each(engine, rows, rejected_rows)
    if repeated:
        _count_redeliveries(engine, repeated)
    new_rows = [row for row in rows if row["webhook_event_id"] in stored]
    return StoreResult(new=len(new_rows), duplicates=len(repeated),
                       rejected=sum(1 for row in rejected_rows if row["webhook_event_id"] in stored),
                       new_lanes=[row["lane"] for row in new_rows])


def _store_retrying(engine: Engine, rows: list[dict], rejected_rows: list[dict]) -> tuple[set[str], set[str]]:
    """_store_once, tried again on a fresh connection when the connection dropped."""
    for attempt in range(1, STORE_ATTEMPTS + 1):
        try:
            return _store_once(engine, rows, rejected_rows)
        except DBAPIError as exc:
            if attempt == STORE_ATTEMPTS or not is_connection_problem(exc):
                raise
            log.warning("inbox store: %s, trying again (attempt %d)", type(exc.orig).__name__, attempt)
            time.sleep(STORE_RETRY_DELAY * attempt)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _store_each(engine: Engine, rows: list[dict], rejected_rows: list[dict]) -> tuple[set[str], set[str]]:
    """Each event in a transaction of its own; one the database refuses is stored as rejected instead."""
    stored: set[str] = set()
    repeated: set[str] = set()
    for row in rows + rejected_rows:
        try:
            now_stored, now_repeated = _store_retrying(engine, [row] if row["state"] == "pending" else [],
                                                       [row] if row["state"] != "pending" else [])
        except DBAPIError as exc:
            if is_connection_problem(exc):
                raise
            log.warning("inbox store: one event refused by the database (%s)", type(exc.orig).__name__)
            refused = Rejected(row["webhook_event_id"], f"refused by the database: {type(exc.orig).__name__}",
                               row["event_type"])
            now_stored, now_repeated = _store_retrying(engine, [], [_rejected_row(refused, utcnow())])
        stored |= now_stored
        repeated |= now_repeated
    return stored, repeated


def _count_redeliveries(engine: Engine, event_ids: set[str]) -> None:
    """Bump the redelivery count of events stored earlier (best effort, outside the storing transaction so it
    never waits on a worker holding the row)."""
    try:
        with engine.begin() as conn:
            conn.execute(update(EVENTS).where(EVENTS.c.webhook_event_id.in_(sorted(event_ids)))
                         .values(redeliveries=EVENTS.c.redeliveries + 1))
    except DBAPIError as exc:
        log.warning("inbox: redelivery count not updated (%s)", type(exc.orig).__name__)


# --------------------------------------------------------------------------- claiming

def due_lane_query(dialect: str, now: datetime):
    """The active lane due first, locked for the claiming transaction (other workers skip it)."""
    query = (select(LANES.c.key).where(ACTIVE_LANE).where(LANES.c.due_at <= now)
             .order_by(LANES.c.due_at).limit(1))
    return query.with_for_update(skip_locked=True) if dialect == "postgresql" else query


def lane_head_query(key: str):
    """The oldest unfinished event of a lane (one probe of the partial index on lane, id)."""
    return select(EVENTS).where(EVENTS.c.lane == key).where(UNFINISHED).order_by(EVENTS.c.id).limit(1)


_queue_engines: dict[str, Engine] = {}  # by durability and database URL: engines on one database share them
_queue_engines_lock = threading.Lock()


def queue_engine(engine: Engine) -> Engine:
    """The engine the queue's own statements use. On PostgreSQL: each claim and settle is one statement in
    autocommit, without waiting for the WAL flush (synchronous_commit off) — losing the last few of them in a
    server crash only makes an event run again (its handler's commit, which is durable, then finds the claim
    gone) or a reply be tried again (the used token refuses it). Storing and handlers stay fully durable.
    No pre-ping either: a connection the server dropped fails one statement, which the worker loop survives (the
    event is tried again), and the pool then replaces its connections."""
    return _autocommit_engine(engine, durable=False)


def store_engine(engine: Engine) -> Engine:
    """The engine the webhook stores with. On PostgreSQL: autocommit, durable (the 200 promises the events are
    kept), and no pre-ping — its extra round trip was a third of the ack's time under load, and a connection
    the server dropped is already retried on a fresh one (_store_retrying)."""
    return _autocommit_engine(engine, durable=True)


def _autocommit_engine(engine: Engine, *, durable: bool) -> Engine:
    """A PostgreSQL engine derived from `engine` (same URL and pool size) for one-statement transactions;
    the engine itself elsewhere."""
    if engine.dialect.name != "postgresql":
        return engine
    with _queue_engines_lock:
        key = f"{durable}:{engine.url.render_as_string(hide_password=False)}"
        derived = _queue_engines.get(key)
        if derived is None:
            from sqlalchemy import create_engine

            size = engine.pool.size() if hasattr(engine.pool, "size") else 5
            options = {} if durable else {"connect_args": {"options": "-c synchronous_commit=off"}}
            derived = create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False,
                                    hide_parameters=True, pool_size=size, max_overflow=max(2, size // 2), **options)
            _queue_engines[key] = derived
        return derived


# One statement: lock the lane due first (skipping lanes other workers are locking), find its head, mark both.
# A lane with nothing waiting is idled; one whose new event this statement's snapshot cannot see yet is left
# ready for the next claim. The same round trip tells the worker what it would otherwise ask in two more: when
# the next lane falls due (how long to sleep when nothing was claimed) and whether another lane is due now (wake
# a sibling thread) — those extra queries after each claim were a fifth of a worker's CPU under load.
_CLAIM_SQL = text(f"""
WITH lane AS (
    SELECT key, waiting FROM inbox_lane WHERE {ACTIVE_LANE.text} AND inbox_lane.due_at <= :now
    ORDER BY inbox_lane.due_at LIMIT 1 FOR UPDATE SKIP LOCKED),
head AS (
    SELECT inbox_event.id FROM inbox_event WHERE inbox_event.lane = (SELECT key FROM lane) AND {UNFINISHED.text}
    ORDER BY inbox_event.id LIMIT 1),
emptied AS (
    UPDATE inbox_lane SET state = 'idle', due_at = NULL, head_id = NULL, worker = NULL, waiting = 0
    WHERE key = (SELECT key FROM lane) AND waiting <= 0 AND NOT EXISTS (SELECT 1 FROM head) RETURNING key),
taken AS (
    UPDATE inbox_lane SET state = 'busy', due_at = :lease_end, head_id = (SELECT id FROM head), worker = :worker
    WHERE key = (SELECT key FROM lane) AND EXISTS (SELECT 1 FROM head) RETURNING key),
claimed AS (
    UPDATE inbox_event SET state = CASE WHEN state = 'replying' THEN 'replying' ELSE 'processing' END,
        attempts = attempts + 1
    WHERE id = (SELECT id FROM head) AND EXISTS (SELECT 1 FROM taken)
    RETURNING inbox_event.*)
SELECT claimed.*,
    (SELECT min(inbox_lane.due_at) FROM inbox_lane WHERE {ACTIVE_LANE.text}) AS next_due_at,
    (SELECT count(*) FROM (SELECT 1 FROM inbox_lane WHERE {ACTIVE_LANE.text} AND inbox_lane.due_at <= :now
                           ORDER BY inbox_lane.due_at LIMIT 2) AS due) > 1 AS more_due
FROM (SELECT 1) AS one LEFT JOIN claimed ON true
""")
_EVENT_FIELDS = tuple(column.name for column in EVENTS.columns)


class ClaimedEvent(types.SimpleNamespace):
    """A claimed inbox row as plain attributes, the columns of InboxEvent: building the ORM model for every claim
    cost a third of a millisecond, and nothing needs it attached to a session."""


@dataclass
class Claim:
    """What one claim found: the event taken (or None), and hints for the worker loop."""

    row: ClaimedEvent | None
    hinted: bool = False  # the claim also read the two hints below (PostgreSQL)
    next_due_at: datetime | None = None  # the earliest due time of any active lane, as the claim saw it
    more_due: bool = True  # another lane may be due now

    def seconds_to_wait(self, cap: float) -> float:
        """How long to sleep before claiming again when nothing was claimed (0: at once), at most cap."""
        if self.next_due_at is None:  # no lane is active: only a new event (which wakes us) can bring work
            return cap
        return min(cap, max(0.0, (self.next_due_at - utcnow()).total_seconds()))


def claim_next(engine: Engine, worker: str = "local") -> ClaimedEvent | None:
    """Lock the next due event for this worker, or None when there is nothing to do now."""
    return claim(engine, worker).row


def claim(engine: Engine, worker: str = "local") -> Claim:
    """Lock the next due event for this worker; with it, when the next lane falls due and whether more are due
    now (PostgreSQL: one statement; elsewhere the hints are left to the caller: no due time, more maybe)."""
    now = utcnow()
    lease_end = now + timedelta(seconds=lease_seconds())
    if engine.dialect.name != "postgresql":
        return Claim(_claim_in_steps(engine, now, lease_end, worker))
    with queue_engine(engine).connect() as conn:
        found = conn.execute(_CLAIM_SQL, {"now": now, "lease_end": lease_end, "worker": worker}).mappings().one()
    row = ClaimedEvent(**{name: found[name] for name in _EVENT_FIELDS}) if found["id"] is not None else None
    return Claim(row, True, found["next_due_at"], bool(found["more_due"]))


def _claim_in_steps(engine: Engine, now: datetime, lease_end: datetime, worker: str) -> ClaimedEvent | None:
    """The claim as separate guarded statements in one transaction (SQLite, where writers take turns)."""
    with engine.begin() as conn:
        for _ in range(3):  # a lane found empty is idled and the next one tried
            key = conn.execute(due_lane_query(engine.dialect.name, now)).scalar()
            if key is None:
                return None
            head = conn.execute(lane_head_query(key)).mappings().first()
            if head is None:
                conn.execute(update(LANES).where(LANES.c.key == key)
                             .values(state="idle", due_at=None, head_id=None, worker=None, waiting=0))
                continue
            took = conn.execute(update(LANES).where(LANES.c.key == key).where(ACTIVE_LANE)
                                .where(LANES.c.due_at <= now)
                                .values(state="busy", due_at=lease_end, head_id=head["id"], worker=worker)).rowcount
            if not took:
                return None
            state = "replying" if head["state"] == "replying" else "processing"
            conn.execute(update(EVENTS).where(EVENTS.c.id == head["id"])
                         .values(state=state, attempts=EVENTS.c.attempts + 1))
            return ClaimedEvent(**{**head, "state": state, "attempts": head["attempts"] + 1})
    return None


# --------------------------------------------------------------------------- settling

def _still_ours(row: InboxEvent):
    """The row is still unfinished under this claim (a lease that ran out may have passed it to another)."""
    return (EVENTS.c.id == row.id) & (EVENTS.c.attempts == row.attempts) & UNFINISHED


FINAL_STATES = ("done", "failed")

# One statement: lock the lane (always before the row: the claim's order), settle the row if the claim is still
# ours, release the lane. The lane's state comes from its own `waiting` count, read from the lane row's latest
# version (a body stored meanwhile has counted its events there), so releasing never strands an event. Events
# behind a lane's head are never tried yet, so the next one is due at once.
_SETTLE_SQL = f"""
WITH locked AS (SELECT key FROM inbox_lane WHERE key = :lane FOR UPDATE),
settled AS (
    UPDATE inbox_event SET {{row_values}}
    WHERE id = :id AND attempts = :attempts AND {UNFINISHED.text} AND EXISTS (SELECT 1 FROM locked)
    RETURNING id)
UPDATE inbox_lane SET {{lane_values}}, head_id = NULL, worker = NULL
WHERE key = :lane AND EXISTS (SELECT 1 FROM settled)
RETURNING key
"""
_FINISH_SQL = text(_SETTLE_SQL.format(
    row_values="state = :state, processed_at = :now, last_error = :error, payload = '{}', outbox = NULL",
    lane_values="waiting = waiting - 1, state = CASE WHEN waiting > 1 THEN 'ready' ELSE 'idle' END, "
                "due_at = CASE WHEN waiting > 1 THEN CAST(:now AS TIMESTAMP) ELSE NULL END"))
_PUT_BACK_SQL = text(_SETTLE_SQL.format(
    row_values="state = :state, next_attempt_at = :next, last_error = COALESCE(:error, last_error), "
               "outbox = COALESCE(:outbox, outbox)",
    lane_values="state = 'ready', due_at = :next"))


def settle_in(conn: Connection, row: InboxEvent, *, state: str, error: str | None = None,
              next_attempt_at: datetime | None = None, outbox: str | None = None) -> None:
    """Within the caller's transaction: move a claimed event on and release its lane; ClaimLost if it is not
    ours any more (the caller's transaction must then roll back — handler changes included).

    state done/failed finishes it (payload and reply dropped); pending or replying puts it back until
    next_attempt_at."""
    now = utcnow()
    params = {"lane": row.lane, "id": row.id, "attempts": row.attempts, "state": state, "now": now,
              "error": error, "next": next_attempt_at or now, "outbox": outbox}
    if conn.dialect.name == "postgresql":
        settled = conn.execute(_FINISH_SQL if state in FINAL_STATES else _PUT_BACK_SQL, params).first()
    else:
        settled = _settle_in_steps(conn, row, params)
    if not settled:
        raise ClaimLost(f"inbox {row.id}")


def _settle_in_steps(conn: Connection, row: InboxEvent, p: dict) -> bool:
    """settle_in as separate statements (SQLite, where writers take turns)."""
    if p["state"] in FINAL_STATES:
        values = dict(state=p["state"], processed_at=p["now"], last_error=p["error"], payload=REDACTED, outbox=None)
    else:
        values = {"state": p["state"], "next_attempt_at": p["next"]}
        values.update({k: v for k, v in (("last_error", p["error"]), ("outbox", p["outbox"])) if v is not None})
    if not conn.execute(update(EVENTS).where(_still_ours(row)).values(**values)).rowcount:
        return False
    if p["state"] in FINAL_STATES:
        lane = dict(waiting=LANES.c.waiting - 1, state=case((LANES.c.waiting > 1, "ready"), else_="idle"),
                    due_at=case((LANES.c.waiting > 1, p["now"]), else_=None))
    else:
        lane = dict(state="ready", due_at=p["next"])
    conn.execute(update(LANES).where(LANES.c.key == row.lane).values(head_id=None, worker=None, **lane))
    return True


# Written once: building the guarded UPDATE as an expression for every event cost more than running it.
_HOLD_REPLY_SQL = text(f"UPDATE inbox_event SET state = 'replying', outbox = :outbox "
                       f"WHERE id = :id AND attempts = :attempts AND {UNFINISHED.text}")


def hold_reply_in(conn: Connection, row: InboxEvent, outbox: str) -> None:
    """Within the handler's transaction: the handler ran; keep its reply to send (the lane stays ours)."""
    if not conn.execute(_HOLD_REPLY_SQL, {"outbox": outbox, "id": row.id, "attempts": row.attempts}).rowcount:
        raise ClaimLost(f"inbox {row.id}")


def settle(engine: Engine, row: InboxEvent, **kwargs) -> bool:
    """settle_in in a transaction of its own; False when the claim was lost."""
    try:
        with queue_engine(engine).begin() as conn:
            settle_in(conn, row, **kwargs)
        return True
    except ClaimLost:
        log.warning("inbox %s: claim lost before settling (another worker took it over)", row.id)
        return False


def finish(engine: Engine, row: InboxEvent, *, state: str, error: str | None = None) -> bool:
    """Mark a claimed event done or failed, dropping its payload (user id, text); False if the claim was lost."""
    return settle(engine, row, state=state, error=error)


def retry_later(engine: Engine, row: InboxEvent, error: str) -> None:
    """Put an event back with exponential backoff, or fail it after MAX_ATTEMPTS. An event whose handler has
    run already stays `replying`: only its reply is tried again, never the handler."""
    if row.state == "replying":
        settle(engine, row, state="replying", error=error,
               next_attempt_at=utcnow() + timedelta(seconds=backoff_seconds(row.attempts)))
        return
    if row.attempts >= MAX_ATTEMPTS:
        finish(engine, row, state="failed", error=error)
        return
    settle(engine, row, state="pending", error=error,
           next_attempt_at=utcnow() + timedelta(seconds=backoff_seconds(row.attempts)))


# --------------------------------------------------------------------------- heartbeats

def beat(engine: Engine, worker: str, threads: int) -> int:
    """Renew the leases of the lanes this worker holds and record that it is alive; returns leases renewed."""
    now = utcnow()
    with engine.begin() as conn:
        renewed = conn.execute(update(LANES).where(LANES.c.state == "busy").where(LANES.c.worker == worker)
                               .values(due_at=now + timedelta(seconds=lease_seconds()))).rowcount
        host, pid = worker.split(":")[0], os.getpid()
        stmt = _upsert(engine, WORKERS).values(
            name=worker, host=host, pid=pid, threads=threads, started_at=now, heartbeat_at=now)
        conn.execute(stmt.on_conflict_do_update(index_elements=["name"], set_={"heartbeat_at": now}))
    return renewed


def sign_off(engine: Engine, worker: str) -> None:
    """A worker stopping cleanly leaves the list of live workers."""
    with engine.begin() as conn:
        conn.execute(WORKERS.delete().where(WORKERS.c.name == worker))


# --------------------------------------------------------------------------- reading

def counts_by_state(engine: Engine) -> dict[str, int]:
    """How many inbox events are in each state (for health checks and tests)."""
    with engine.connect() as conn:
        return dict(conn.execute(select(EVENTS.c.state, func.count()).group_by(EVENTS.c.state)).all())


@dataclass
class Backlog:
    """Events waiting: how many, and since when the oldest."""

    waiting: int
    oldest_received_at: datetime | None
    busy_lanes: int
    live_workers: int

    def oldest_age_seconds(self, now: datetime | None = None) -> float:
        """Seconds the oldest waiting event has waited (0 when none waits)."""
        if self.oldest_received_at is None:
            return 0.0
        return max(0.0, ((now or utcnow()) - self.oldest_received_at).total_seconds())


def backlog(engine: Engine) -> Backlog:
    """The backlog from the partial indexes (never a scan of finished events), and the live workers."""
    now = utcnow()
    with engine.connect() as conn:
        waiting = conn.execute(select(func.count()).select_from(EVENTS).where(UNFINISHED)).scalar() or 0
        oldest = conn.execute(select(EVENTS.c.received_at).where(UNFINISHED).order_by(EVENTS.c.id).limit(1)).scalar()
        busy = conn.execute(select(func.count()).select_from(LANES).where(LANES.c.state == "busy")).scalar() or 0
        alive_since = now - timedelta(seconds=lease_seconds())
        workers = conn.execute(select(func.count()).select_from(WORKERS)
                               .where(WORKERS.c.heartbeat_at >= alive_since)).scalar() or 0
    return Backlog(int(waiting), oldest, int(busy), int(workers))
