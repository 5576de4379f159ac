"""The inbox's worker loop: threads that claim and run events, a heartbeat, and a PostgreSQL listener.

Workers sleep until told there is work: the webhook wakes the threads of its own process directly, and
PostgreSQL's LISTEN/NOTIFY wakes every other process on any machine the moment an event is committed. A wake-up
rouses one sleeping thread, and a thread that finds work rouses the next: waking them all for every stored body
made most of them claim nothing, and those empty claims were a fifth of a worker's CPU under load. Events
that fall due later (a retry's backoff, a dead worker's lease) are found by sleeping until the earliest due
time, at most `poll_seconds`. A heartbeat thread renews the leases of the lanes this process holds.
"""
from __future__ import annotations

import logging
import threading

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot import dispatch, ops
from bot.inbox import (ACTIVE_LANE, LANES, NOTIFY_CHANNEL, beat, claim, claim_next, heartbeat_seconds,
                       new_worker_name, queue_engine, retry_later, sign_off)
from models import InboxEvent, utcnow

log = logging.getLogger(__name__)


def run_guarded(engine: Engine, messenger, config, row: InboxEvent) -> None:
    """Process one event; whatever escapes is recorded and retried, so a worker thread never dies of it."""
    try:
        dispatch.process_event(engine, messenger, config, row)
    except Exception as exc:  # a bad payload, the database gone mid-way, a bug outside the handler
        log.error("inbox %s: processing failed (%s)", row.id, type(exc).__name__)
        ops.count_event("retried")
        try:
            retry_later(engine, row, dispatch.sanitized_traceback(exc))
        except Exception:
            log.exception("inbox %s: could not record the failure; its lease will run out", row.id)


def drain(engine: Engine, messenger, config, *, limit: int = 1000, worker: str = "drain") -> int:
    """Process due events in this thread until none is left (tests, tools). Returns how many."""
    done = 0
    while done < limit:
        row = claim_next(engine, worker)
        if row is None:
            break
        run_guarded(engine, messenger, config, row)
        done += 1
    return done


_EARLIEST_DUE = select(func.min(LANES.c.due_at)).where(ACTIVE_LANE)


def seconds_until_due(engine: Engine, cap: float) -> float:
    """How long until the earliest active lane falls due (0 if one is due now), at most cap."""
    with queue_engine(engine).connect() as conn:
        due = conn.execute(_EARLIEST_DUE).scalar()
    if due is None:
        return cap
    return min(cap, max(0.0, (due - utcnow()).total_seconds()))


class InboxWorkers:
    """Worker threads in this process that take events from the inbox until stopped."""

    def __init__(self, engine: Engine, messenger, config, *, threads: int = 2, poll_seconds: float = 2.0,
                 listen: bool = True):
        self.engine, self.messenger, self.config = engine, messenger, config
        self.threads = threads
        self.poll_seconds = poll_seconds
        self.listen = listen and engine.dialect.name == "postgresql"
        self.name = new_worker_name()
        self._wakeable = threading.Condition()
        self._wake_pending = False  # a wake-up that came while no thread was asleep is kept for the next one
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start the worker threads, the heartbeat and (PostgreSQL) the listener; all daemons."""
        for n in range(self.threads):
            self._spawn(self._run, f"inbox-worker-{n}")
        self._spawn(self._heartbeat, "inbox-heartbeat")
        if self.listen:
            self._spawn(self._listen, "inbox-listener")

    def _spawn(self, target, name: str) -> None:
        """One daemon thread (it never keeps the process alive)."""
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def wake(self, everyone: bool = False) -> None:
        """Tell an idle worker thread (or all of them) that new events were stored."""
        with self._wakeable:
            self._wake_pending = True
            if everyone:
                self._wakeable.notify_all()
            else:
                self._wakeable.notify()

    def _sleep(self, seconds: float) -> None:
        """Sleep until woken or `seconds` passed; a wake-up kept from earlier ends the sleep at once."""
        with self._wakeable:
            if not self._wake_pending and not self._stop.is_set():
                self._wakeable.wait(seconds)
            self._wake_pending = False

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the workers to finish their current event and stop."""
        self._stop.set()
        self.wake(everyone=True)
        for thread in self._threads:
            thread.join(timeout)
        try:
            sign_off(self.engine, self.name)
        except Exception as exc:
            log.warning("worker sign-off failed (%s)", type(exc).__name__)

    def _run(self) -> None:
        """Claim and process events; when there is none, sleep until woken or the next one falls due."""
        while not self._stop.is_set():
            try:
                found = claim(self.engine, self.name)
                row, wait = found.row, 0.0
                if row is None:
                    wait = (found.seconds_to_wait(self.poll_seconds) if found.hinted
                            else seconds_until_due(self.engine, self.poll_seconds))
            except Exception as exc:  # the database may be briefly unavailable; keep the worker alive
                log.warning("inbox claim failed (%s)", type(exc).__name__)
                row, wait = None, self.poll_seconds
            if row is not None:
                if found.more_due:
                    self.wake()  # another lane is due: the next sleeping thread takes it while this one works
                run_guarded(self.engine, self.messenger, self.config, row)
            elif wait > 0:
                self._sleep(wait)

    def _heartbeat(self) -> None:
        """Renew this process's leases and record it alive, every fraction of a lease."""
        while not self._stop.is_set():
            try:
                beat(self.engine, self.name, self.threads)
            except Exception as exc:  # missed beats only risk a takeover, which the claim token makes safe
                log.warning("inbox heartbeat failed (%s)", type(exc).__name__)
            self._stop.wait(heartbeat_seconds())

    def _listen(self) -> None:
        """LISTEN for new events on a connection of its own; reconnect when it drops."""
        import psycopg

        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not self._stop.is_set():
            try:
                with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.wake(everyone=True)  # events may have come while we were not listening
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0):  # a second of them, then look at _stop
                            self.wake()
            except Exception as exc:
                log.warning("inbox listener lost its connection (%s); reconnecting", type(exc).__name__)
                self._stop.wait(1.0)
