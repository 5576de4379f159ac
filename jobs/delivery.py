"""The delivery job: start due deliveries (or hold them for quiet hours or quota) and send their batches.

Runs only in the scheduler process. Each batch is one multicast of ≤ 500 residents under its stored retry key;
the Messenger given here makes ONE HTTP request per call (the scheduler builds it so), so this loop owns the
retries: 5xx and timeouts back off and try again with the same key, a 429 waits as long as LINE asks and
resumes, a 409 means LINE already has the batch, any other 4xx fails the batch. Every step is committed
before the next request, so a process killed at any point is resumed by the next run without a duplicate.
"""
from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from content import deliveries as dl
from content.deliveries import quota_shortfall
from content.quiet_hours import DEFAULT_QUIET_HOURS, QuietHours, next_allowed_time, parse_quiet_hours
from sqlmodel import Session

from models import Delivery, utcnow

log = logging.getLogger(__name__)

JOB_ID = "deliveries"
POLL_SECONDS = 1  # a "now" send starts within this (plus the run in progress), well inside the 5 s promised
RUN_BUDGET_SECONDS = 30.0  # one run works at most this long, then lets the next run go on (a fresh look at new work)
MAX_ERRORS = 10  # 5xx/timeouts for one batch before it is given up (with backoff that is several minutes)
BASE_BACKOFF = 0.5
MAX_BACKOFF = 60.0
QUOTA_RECHECK = timedelta(minutes=15)  # a send held for quota looks again this often (staff may buy more)


@dataclass(frozen=True)
class DeliverySettings:
    """What the job needs from the process configuration."""

    tz: str = "Asia/Tokyo"
    quiet: QuietHours | None = parse_quiet_hours(DEFAULT_QUIET_HOURS)

    @classmethod
    def from_config(cls, config) -> "DeliverySettings":
        """From a bot.config.Config (or anything with tz and quiet_hours)."""
        if config is None:
            return cls()
        return cls(tz=getattr(config, "tz", "Asia/Tokyo") or "Asia/Tokyo",
                   quiet=parse_quiet_hours(getattr(config, "quiet_hours", DEFAULT_QUIET_HOURS)))


def add_jobs(scheduler, engine, messenger, config) -> None:
    """Poll for due deliveries every second (one run at a time; a late run is coalesced, never doubled)."""
    from jobs.scheduler import shutting_down

    scheduler.add_job(send_due_deliveries, "interval", seconds=POLL_SECONDS, id=JOB_ID, name="send due deliveries",
                      replace_existing=True, coalesce=True, max_instances=1,
                      # A run missed by more than this is dropped: the next one a second later does the same work.
                      misfire_grace_time=10,
                      kwargs={"engine": engine, "messenger": messenger, "settings": DeliverySettings.from_config(config),
                              "stop": shutting_down})


def send_due_deliveries(engine, messenger, settings: DeliverySettings | None = None, *,
                        budget: float = RUN_BUDGET_SECONDS, sleep: Callable[[float], None] = time.sleep,
                        clock: Callable[[], float] = time.monotonic, now: Callable[[], datetime] = utcnow,
                        stop: threading.Event | None = None) -> int:
    """Start what is due and send batches until nothing is due or the budget is spent; returns requests made.

    One database session serves the whole run (every step commits): a connection checked out per step
    would cost a ping and a round trip more per request on PostgreSQL."""
    settings = settings or DeliverySettings()
    deadline = clock() + budget
    requests = 0
    messages_cache: dict = {}
    looked_for_new = None
    with Session(engine, expire_on_commit=False) as session:
        while not (stop is not None and stop.is_set()):
            if looked_for_new is None or clock() - looked_for_new >= POLL_SECONDS:
                start_due(session, messenger, settings, now())  # a new (urgent) delivery is seen within a second
                looked_for_new = clock()
            due = _committed(session, dl.due_batches, now())
            for batch_id in due:
                requests += send_batch(session, messenger, batch_id, now, messages_cache)
                if clock() >= deadline or (stop is not None and stop.is_set()) or \
                        clock() - looked_for_new >= POLL_SECONDS:
                    break
            if due:
                if clock() >= deadline:
                    return requests
                continue
            _close_finished(session, now())
            wake = _committed(session, dl.next_wakeup)
            wait = None if wake is None else max(0.0, (wake - now()).total_seconds())
            if wait is None or clock() + wait > deadline:
                return requests
            sleep(max(0.05, min(wait, 1.0)))
    return requests


def _committed(session, function, *args):
    """Run one step in the run's session and commit it (rolled back if it fails)."""
    session.expire_all()  # another process (the console cancelling, a second run) may have changed rows
    try:
        result = function(session, *args)
        session.commit()
        return result
    except BaseException:
        session.rollback()
        raise


def start_due(session, messenger, settings: DeliverySettings, now: datetime) -> None:
    """Each due queued/held delivery starts, or is held (quiet hours, quota) with a reason and a time to look again."""
    for delivery_id in _committed(session, dl.due_to_start, now):
        _committed(session, _start_one, delivery_id, messenger, settings, now)


def _start_one(session, delivery_id: int, messenger, settings: DeliverySettings, now: datetime) -> None:
    """Start or hold one delivery that is still queued or held."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is not None and delivery.state in ("queued", "held"):
        _start_or_hold(session, messenger, settings, delivery, now)


def _start_or_hold(session, messenger, settings: DeliverySettings, delivery: Delivery, now: datetime) -> None:
    """Quiet hours first (urgent ones pass), then the quota, then batches made (or resumed)."""
    if not delivery.urgent:
        allowed = next_allowed_time(now, settings.quiet, settings.tz)
        if allowed > now:
            dl.hold(session, delivery, quiet_hours_reason(settings, allowed), allowed)
            log.info("delivery %s held for quiet hours", delivery.id)
            return
    resuming = dl.has_batches(session, delivery.id)
    rows = None
    if resuming:
        needed = max(0, delivery.recipients - delivery.sent - delivery.skipped - delivery.failed)
    else:
        rows = dl.eligible_recipients(session, delivery)
        needed = len(rows)
    problem = quota_problem(messenger, needed, dl.in_flight(session))
    if problem:
        dl.hold(session, delivery, problem, now + QUOTA_RECHECK)
        log.warning("delivery %s held: monthly quota too small for %d recipients", delivery.id, needed)
        return
    if resuming:
        dl.resume(session, delivery, now)
    else:
        dl.make_batches(session, delivery, rows, now)
        log.info("delivery %s started: %d recipients", delivery.id, delivery.recipients)


def quiet_hours_reason(settings: DeliverySettings, allowed: datetime) -> str:
    """Staff-facing: why a push waits and until when (city time)."""
    from content.posts import to_local

    resume_at = to_local(allowed, settings.tz)
    return (f"配信停止時間（{settings.quiet.label()}）のため保留中です。"
            f"{resume_at.month}月{resume_at.day}日 {resume_at.hour}:{resume_at.minute:02d} に配信します。")


def quota_problem(messenger, needed: int, in_flight: int = 0) -> str | None:
    """Why a send of `needed` pushes would not fit this month's quota, or None (also None when LINE cannot say)."""
    if needed <= 0:
        return None
    try:
        quota = messenger.quota()
    except Exception as exc:  # the quota is a forecast: without it LINE's own 429 still stops an over-quota send
        log.warning("quota lookup failed (%s); sending without the check", type(exc).__name__)
        return None
    return quota_shortfall(quota, needed, in_flight)


def _close_finished(session, now: datetime) -> None:
    """Mark deliveries whose batches are all finished done (or failed)."""
    for delivery_id in _committed(session, dl.sending_without_pending):
        state = _committed(session, dl.close_if_finished, delivery_id, now)
        if state:
            log.info("delivery %s %s", delivery_id, state)


def backoff_seconds(errors: int, rand: float) -> float:
    """Exponential backoff with jitter: 0.5 s, 1 s, 2 s … capped at a minute, times [0.5, 1)."""
    return min(MAX_BACKOFF, BASE_BACKOFF * 2 ** max(0, errors - 1)) * (0.5 + 0.5 * rand)


def send_batch(session, messenger, batch_id: int, now: Callable[[], datetime] = utcnow,
               messages_cache: dict | None = None) -> int:
    """One request for one batch, its outcome committed; returns 1 if a request was made, else 0."""
    from bot.messenger import LineRequestRejected, TransientLineError

    attempt = _committed(session, dl.prepare_attempt, batch_id, now(), messages_cache)  # stored before it leaves
    if attempt is None:
        return 0
    try:
        result = messenger.multicast(attempt.to, attempt.messages, retry_key=attempt.retry_key)
    except TransientLineError as exc:
        _committed(session, _after_transient, attempt, exc, now())
    except LineRequestRejected as exc:
        _committed(session, dl.record_failed, attempt, now(), f"LINE {exc.status}: {exc}")
        log.warning("delivery %s batch %s refused by LINE (%s)", attempt.delivery_id, batch_id, exc.status)
    else:
        _committed(session, lambda s: dl.record_accepted(s, attempt, now(), duplicate=result.status == "duplicate",
                                                         request_id=result.request_id))
    return 1


def _after_transient(session, attempt: dl.Attempt, exc, now: datetime) -> None:
    """A 5xx, timeout or 429: try again later with the same key, hold the delivery for quota, or give up."""
    if getattr(exc, "quota_exhausted", False):
        dl.record_retry(session, attempt, now, 0, "429 monthly limit", uncertain=False)
        dl.hold(session, session.get(Delivery, attempt.delivery_id),
                "今月の配信可能数の上限に達したため、途中で保留しました。上限を増やすか来月になると残りを配信します。",
                now + QUOTA_RECHECK)
        log.warning("delivery %s held mid-way: monthly limit reached", attempt.delivery_id)
        return
    if exc.status == 429:
        delay = exc.retry_after if exc.retry_after is not None else backoff_seconds(1, random.random())
        dl.record_retry(session, attempt, now, delay, "429 rate limited", uncertain=False)
        return
    error = f"{exc.status or 'timeout'}"
    errors = attempt.errors + 1
    dl.record_retry(session, attempt, now, backoff_seconds(errors, random.random()), error, uncertain=True)
    if errors >= MAX_ERRORS:
        dl.record_failed(session, attempt, now, f"gave up after {errors} errors ({error})", counted=True)
        log.warning("delivery %s batch %s given up after %d errors", attempt.delivery_id, attempt.batch_id, errors)
