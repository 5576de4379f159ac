"""The durable inbox: store webhook events once, claim them safely, and run them in worker threads."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
from datetime import datetime, timedelta, timezone
from typing import Iterable

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from models import InboxEvent, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
REDACTED = "{}"


def lease_seconds() -> float:
    """How long a claimed event stays locked before another worker may take it over (crash recovery).

    Longer than the worst case of one event: a profile lookup and a reply with all their retries (about 75 s)."""
    return float(os.environ.get("TSUNAGARI_INBOX_LEASE_SECONDS", "180"))


def backoff_seconds(attempts: int) -> float:
    """Delay before the next try of a failed event: 2, 4, 8, ... seconds, at most 5 minutes."""
    return float(min(2 ** attempts, 300))


def hash_user(secret: str | None, user_id: str | None) -> str | None:
    """A keyed hash of a LINE user id, so the inbox can order a resident's events without the id in clear."""
    if not user_id:
        return None
    return hmac.new((secret or "").encode(), user_id.encode(), hashlib.sha256).hexdigest()[:32]


def event_id_of(event: dict) -> str:
    """LINE's webhookEventId, or a content hash for the rare event without one."""
    given = event.get("webhookEventId")
    if isinstance(given, str) and given:
        return given[:64]
    return "sha256:" + hashlib.sha256(json.dumps(event, sort_keys=True).encode()).hexdigest()[:56]


def event_time_of(event: dict) -> datetime | None:
    """The event's own timestamp (ms since epoch) as naive UTC."""
    stamp = event.get("timestamp")
    if not isinstance(stamp, (int, float)):
        return None
    return datetime.fromtimestamp(stamp / 1000, tz=timezone.utc).replace(tzinfo=None)


def _insert_ignoring_duplicates(engine: Engine):
    """An INSERT that silently skips a webhookEventId already stored."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(InboxEvent.__table__).on_conflict_do_nothing(index_elements=["webhook_event_id"])


def store_events(engine: Engine, events: Iterable[dict], secret: str | None) -> int:
    """Store each event once (unique webhookEventId); a repeat only bumps its redelivery count. Returns new rows."""
    now = utcnow()
    new_rows = 0
    with engine.begin() as conn:
        for event in events:
            event_id = event_id_of(event)
            row = dict(
                webhook_event_id=event_id,
                event_type=str(event.get("type", ""))[:32],
                user_hash=hash_user(secret, (event.get("source") or {}).get("userId")),
                payload=json.dumps(event, ensure_ascii=False),
                state="pending", attempts=0, redeliveries=0,
                next_attempt_at=now, received_at=now, event_time=event_time_of(event),
            )
            inserted = conn.execute(_insert_ignoring_duplicates(engine).values(**row)
                                    .returning(InboxEvent.__table__.c.id)).first()
            if inserted is not None:
                new_rows += 1
            else:
                conn.execute(update(InboxEvent.__table__)
                             .where(InboxEvent.__table__.c.webhook_event_id == event_id)
                             .values(redeliveries=InboxEvent.__table__.c.redeliveries + 1))
    return new_rows


def _claimable(now: datetime):
    """Pending and due, or processing with an expired lease (its worker died)."""
    t = InboxEvent.__table__
    return or_(and_(t.c.state == "pending", t.c.next_attempt_at <= now),
               and_(t.c.state == "processing", t.c.locked_until < now))


def _no_earlier_work_for_same_user(now: datetime):
    """A resident's events run one at a time and in order of arrival."""
    t = InboxEvent.__table__
    other = aliased(t)
    return ~exists().where(and_(
        other.c.user_hash == t.c.user_hash,
        other.c.id != t.c.id,
        or_(and_(other.c.state == "processing", other.c.locked_until >= now),
            and_(other.c.state == "pending", other.c.id < t.c.id)),
    ))


def claim_next(engine: Engine) -> InboxEvent | None:
    """Lock the next due event for this worker, or None when there is nothing to do."""
    t = InboxEvent.__table__
    now = utcnow()
    query = (select(t.c.id).where(_claimable(now))
             .where(or_(t.c.user_hash.is_(None), _no_earlier_work_for_same_user(now)))
             .order_by(t.c.id).limit(1))
    if engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=t)
    with engine.begin() as conn:
        row_id = conn.execute(query).scalar()
        if row_id is None:
            return None
        # The guarded UPDATE makes the claim safe on SQLite too: only one worker changes the row.
        claimed = conn.execute(
            update(t).where(t.c.id == row_id).where(_claimable(now))
            .values(state="processing", locked_until=now + timedelta(seconds=lease_seconds()),
                    attempts=t.c.attempts + 1)
        ).rowcount
        if not claimed:
            return None
        data = conn.execute(select(t).where(t.c.id == row_id)).mappings().one()
    return InboxEvent(**data)


def _still_ours(row: InboxEvent):
    """The row is still processing under this claim (a lease that ran out may have passed it to another worker)."""
    t = InboxEvent.__table__
    return and_(t.c.id == row.id, t.c.state == "processing", t.c.attempts == row.attempts)


def finish(engine: Engine, row: InboxEvent, *, state: str, error: str | None = None) -> bool:
    """Mark a claimed event done or failed, dropping its payload (user id, text); False if the claim was lost."""
    t = InboxEvent.__table__
    with engine.begin() as conn:
        changed = conn.execute(update(t).where(_still_ours(row)).values(
            state=state, locked_until=None, processed_at=utcnow(), last_error=error, payload=REDACTED)).rowcount
    if not changed:
        log.warning("inbox %s: claim lost before finishing (lease expired)", row.id)
    return bool(changed)


def retry_later(engine: Engine, row: InboxEvent, error: str) -> None:
    """Put an event back with exponential backoff, or fail it after MAX_ATTEMPTS."""
    if row.attempts >= MAX_ATTEMPTS:
        finish(engine, row, state="failed", error=error)
        return
    t = InboxEvent.__table__
    with engine.begin() as conn:
        conn.execute(update(t).where(_still_ours(row)).values(
            state="pending", locked_until=None, last_error=error,
            next_attempt_at=utcnow() + timedelta(seconds=backoff_seconds(row.attempts))))


def counts_by_state(engine: Engine) -> dict[str, int]:
    """How many inbox events are in each state (for health checks and tests)."""
    t = InboxEvent.__table__
    with engine.connect() as conn:
        return dict(conn.execute(select(t.c.state, func.count()).group_by(t.c.state)).all())


def drain(engine: Engine, messenger, config, *, limit: int = 1000) -> int:
    """Process due events in this thread until none is left (tests, `ask`-like tools). Returns how many."""
    done = 0
    while done < limit:
        row = claim_next(engine)
        if row is None:
            break
        run_guarded(engine, messenger, config, row)
        done += 1
    return done


def run_guarded(engine: Engine, messenger, config, row: InboxEvent) -> None:
    """Process one event; whatever escapes is recorded and retried, so a worker thread never dies of it."""
    from bot.dispatch import process_event, sanitized_traceback

    try:
        process_event(engine, messenger, config, row)
    except Exception as exc:  # a bad payload, the database gone mid-way, a bug outside the handler
        log.error("inbox %s: processing failed (%s)", row.id, type(exc).__name__)
        try:
            retry_later(engine, row, sanitized_traceback(exc))
        except Exception:
            log.exception("inbox %s: could not record the failure; its lease will expire", row.id)


class InboxWorkers:
    """Worker threads in this process that take events from the inbox until stopped."""

    def __init__(self, engine: Engine, messenger, config, *, threads: int = 2, poll_seconds: float = 0.5):
        self.engine, self.messenger, self.config = engine, messenger, config
        self.threads = threads
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start the worker threads (daemon: they never keep a process alive)."""
        for n in range(self.threads):
            thread = threading.Thread(target=self._run, name=f"inbox-worker-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def wake(self) -> None:
        """Tell idle workers that new events were stored."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the workers to finish their current event and stop."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)

    def _run(self) -> None:
        """Claim and process events; sleep until woken or the poll interval passes (other processes' events)."""
        while not self._stop.is_set():
            # Clear before claiming: a wake that arrives after an empty claim then cuts the wait short.
            self._wake.clear()
            try:
                row = claim_next(self.engine)
            except Exception:  # the database may be briefly unavailable; keep the worker alive
                log.exception("inbox claim failed")
                row = None
            if row is None:
                self._wake.wait(self.poll_seconds)
                continue
            run_guarded(self.engine, self.messenger, self.config, row)
