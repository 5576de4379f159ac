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
from content.quiet_hours import DEFAULT_QUIET_HOURS, QuietHours, next_allowed_time, parse_quiet_hours
from models import Delivery, session_scope, utcnow

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
    """Start what is due and send batches until nothing is due or the budget is spent; returns requests made."""
    settings = settings or DeliverySettings()
    deadline = clock() + budget
    requests = 0
    messages_cache: dict = {}
    looked_for_new = None
    while not (stop is not None and stop.is_set()):
        if looked_for_new is None or clock() - looked_for_new >= POLL_SECONDS:
            start_due(engine, messenger, settings, now())  # a new (urgent) delivery is seen within a second
            looked_for_new = clock()
        due = _due_batches(engine, now())
        for batch_id in due:
            requests += send_batch(engine, messenger, batch_id, now, messages_cache)
            if clock() >= deadline or (stop is not None and stop.is_set()) or clock() - looked_for_new >= POLL_SECONDS:
                break
        if due:
            if clock() >= deadline:
                return requests
            continue
        _close_finished(engine, now())
        wait = _seconds_until_next_try(engine, now())
        if wait is None or clock() + wait > deadline:
            return requests
        sleep(max(0.05, min(wait, 1.0)))
    return requests


def start_due(engine, messenger, settings: DeliverySettings, now: datetime) -> None:
    """Each due queued/held delivery starts, or is held (quiet hours, quota) with a reason and a time to look again."""
    with session_scope(engine) as session:
        due = dl.due_to_start(session, now)
    for delivery_id in due:
        with session_scope(engine) as session:
            delivery = session.get(Delivery, delivery_id)
            if delivery is None or delivery.state not in ("queued", "held"):
                continue
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


def quota_shortfall(quota: dict, needed: int, in_flight: int = 0) -> str | None:
    """The held message when `needed` exceeds what is left of a limited quota (sends in flight counted)."""
    if quota.get("type") != "limited" or quota.get("value") is None:
        return None
    left = max(0, int(quota["value"]) - int(quota.get("used") or 0) - in_flight)
    if needed <= left:
        return None
    return (f"今月の配信可能数が足りないため保留しました（この配信に{needed:,}通、残り{left:,}通）。"
            f"上限を増やすか来月になると自動で配信します。")


def _due_batches(engine, now: datetime) -> list[int]:
    """The next pending batches to send, if any are due."""
    with session_scope(engine) as session:
        return dl.due_batches(session, now)


def _seconds_until_next_try(engine, now: datetime) -> float | None:
    """Seconds until a batch waiting out a backoff may go again (None: nothing waits)."""
    with session_scope(engine) as session:
        wake = dl.next_wakeup(session)
    return None if wake is None else max(0.0, (wake - now).total_seconds())


def _close_finished(engine, now: datetime) -> None:
    """Mark deliveries whose batches are all finished done (or failed)."""
    with session_scope(engine) as session:
        for delivery_id in dl.sending_without_pending(session):
            state = dl.close_if_finished(session, delivery_id, now)
            if state:
                log.info("delivery %s %s", delivery_id, state)


def backoff_seconds(errors: int, rand: float) -> float:
    """Exponential backoff with jitter: 0.5 s, 1 s, 2 s … capped at a minute, times [0.5, 1)."""
    return min(MAX_BACKOFF, BASE_BACKOFF * 2 ** max(0, errors - 1)) * (0.5 + 0.5 * rand)


def send_batch(engine, messenger, batch_id: int, now: Callable[[], datetime] = utcnow,
               messages_cache: dict | None = None) -> int:
    """One request for one batch, its outcome committed; returns 1 if a request was made, else 0."""
    from bot.messenger import LineRequestRejected, TransientLineError

    with session_scope(engine) as session:  # committed before the request leaves
        attempt = dl.prepare_attempt(session, batch_id, now(), messages_cache)
    if attempt is None:
        return 0
    try:
        result = messenger.multicast(attempt.to, attempt.messages, retry_key=attempt.retry_key)
    except TransientLineError as exc:
        _after_transient(engine, attempt, exc, now())
    except LineRequestRejected as exc:
        with session_scope(engine) as session:
            dl.record_failed(session, attempt, now(), f"LINE {exc.status}: {exc}")
        log.warning("delivery %s batch %s refused by LINE (%s)", attempt.delivery_id, batch_id, exc.status)
    else:
        with session_scope(engine) as session:
            dl.record_accepted(session, attempt, now(), duplicate=result.status == "duplicate",
                               request_id=result.request_id)
    return 1


def _after_transient(engine, attempt: dl.Attempt, exc, now: datetime) -> None:
    """A 5xx, timeout or 429: try again later with the same key, hold the delivery for quota, or give up."""
    with session_scope(engine) as session:
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
            dl.record_failed(session, attempt, now, f"gave up after {errors} errors ({error})")
            log.warning("delivery %s batch %s given up after %d errors", attempt.delivery_id, attempt.batch_id,
                        errors)
