"""Deliveries: queue a push, fix its batches, record each request's outcome, and report — all database-only.

The scheduler's delivery job (jobs/delivery.py) drives these functions and does the sending. The order of
writes is what makes a push exactly-once: a batch's recipients and retry key are committed before its first
request, every request is counted before it leaves, and an outcome is committed after LINE answered. A process
that dies anywhere in between leaves a batch that is sent again with the SAME key and recipients, and LINE
answers 409 for one it had already accepted.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, case, func, insert, select, text, update

from content.line_limits import MAX_MESSAGES, validate_messages
from content.segments import Segment, count_segment, eligible_conditions, recipient_rows, rename_district
from models import RESIDENT_LANGUAGES, Delivery, DeliveryBatch, Resident, as_naive_utc, last_scheduler_heartbeat, utcnow

__all__ = ["queue_delivery", "delivery_report", "cancel_delivery", "last_scheduler_heartbeat", "BATCH_SIZE",
           "DeliveryError"]

BATCH_SIZE = 500  # LINE's multicast maximum
FALLBACK_LANGUAGE = "ja"
RETRY_KEY_LIFETIME = timedelta(hours=23)  # LINE keeps a key 24 hours; stop an hour early
OPEN_STATES = ("queued", "held", "sending")

D = Delivery.__table__.c
B = DeliveryBatch.__table__.c
R = Resident.__table__.c


class DeliveryError(ValueError):
    """A delivery that cannot be queued as asked (no messages, messages LINE would refuse, no recipients given)."""


# --- queueing ------------------------------------------------------------------------------------

def queue_delivery(session, *, kind: str, ref_id: int | None = None, messages_by_lang: dict,
                   segment: Segment | dict | None = None, resident_ids: Sequence[int] | None = None,
                   scheduled_for: datetime | None = None, urgent: bool = False,
                   respect_notifications: bool = True) -> Delivery:
    """Queue a push for the scheduler, inside the caller's transaction (flushed, not committed).

    `messages_by_lang` maps ja / en / ja-easy to up to five LINE messages; a resident whose language has no
    entry gets the Japanese one. Every message list is checked with the LINE-limit validator now, so a bad
    message is refused here rather than at 3 a.m. `segment` (or an explicit `resident_ids` list) says who;
    neither = every follower. `scheduled_for` (aware, or naive UTC; None = now) is when it may start.
    """
    messages = _checked_messages(messages_by_lang)
    if segment is not None and resident_ids is not None:
        raise DeliveryError("give a segment or resident_ids, not both")
    seg = segment if isinstance(segment, Segment) or segment is None else Segment.of(segment)
    ids = None if resident_ids is None else sorted(set(int(i) for i in resident_ids))
    now = utcnow()
    delivery = Delivery(kind=kind, ref_id=ref_id, segment=None if seg is None else seg.to_dict(), resident_ids=ids,
                        messages=messages, scheduled_for=as_naive_utc(scheduled_for) if scheduled_for else now,
                        urgent=bool(urgent), respect_notifications=bool(respect_notifications),
                        created_at=now, updated_at=now)
    delivery.recipients = count_segment(session, seg, respect_notifications=delivery.respect_notifications,
                                        resident_ids=ids)  # an estimate until the batches are made
    session.add(delivery)
    session.flush()
    return delivery


def _checked_messages(messages_by_lang: dict) -> dict:
    """The messages by language, each list validated; Japanese (the fallback) is required."""
    if not isinstance(messages_by_lang, dict) or not messages_by_lang.get(FALLBACK_LANGUAGE):
        raise DeliveryError("messages_by_lang needs the Japanese messages under 'ja' (the fallback)")
    checked = {}
    for lang, messages in messages_by_lang.items():
        if lang not in RESIDENT_LANGUAGES:
            raise DeliveryError(f"unknown language {lang!r}: use one of {', '.join(RESIDENT_LANGUAGES)}")
        messages = list(messages or [])
        if not 1 <= len(messages) <= MAX_MESSAGES:
            raise DeliveryError(f"{lang}: a push carries 1 to {MAX_MESSAGES} messages")
        validate_messages(messages)  # raises LineLimitError naming the property
        checked[lang] = messages
    return checked


def rename_district_in_waiting(session, old: str, new: str) -> int:
    """Carry a district's new name into the segments of deliveries not started (queued, held); a started one
    has fixed its recipients in batches already. Returns how many changed."""
    changed = 0
    for delivery in session.execute(select(Delivery).where(D.state.in_(("queued", "held")))).scalars():
        renamed = rename_district(delivery.segment, old, new)
        if renamed is not delivery.segment:
            delivery.segment, delivery.updated_at = renamed, utcnow()
            session.add(delivery)
            changed += 1
    return changed


def cancel_delivery(session, delivery_id: int) -> bool:
    """Stop a delivery that has not finished: nothing more is sent (batches already accepted stay sent)."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.state not in OPEN_STATES:
        return False
    now = utcnow()
    session.execute(update(DeliveryBatch.__table__).where(B.delivery_id == delivery_id, B.state == "pending")
                    .values(state="failed", last_error="cancelled", finished_at=now))
    recount(session, delivery)
    delivery.state, delivery.finished_at, delivery.updated_at = "cancelled", now, now
    delivery.held_reason = None
    session.add(delivery)
    session.flush()
    return True


# --- picking work --------------------------------------------------------------------------------

def due_to_start(session, now: datetime) -> list[int]:
    """Queued or held deliveries whose time has come, urgent first, then oldest."""
    rows = session.execute(select(D.id).where(D.state.in_(("queued", "held")), D.scheduled_for <= now)
                           .order_by(D.urgent.desc(), D.scheduled_for, D.id)).all()
    return [row[0] for row in rows]


def due_batches(session, now: datetime, limit: int = 50) -> list[int]:
    """The pending batches to send next: of sending deliveries, urgent first, in order, not waiting out a backoff."""
    stmt = (select(B.id).join(Delivery.__table__, D.id == B.delivery_id)
            .where(D.state == "sending", B.state == "pending",
                   (B.next_attempt_at.is_(None)) | (B.next_attempt_at <= now))
            .order_by(D.urgent.desc(), D.id, B.seq).limit(limit))
    return list(session.execute(stmt).scalars())


def next_wakeup(session) -> datetime | None:
    """When the earliest batch waiting out a backoff may be tried again (None when none waits)."""
    stmt = (select(func.min(B.next_attempt_at)).join(Delivery.__table__, D.id == B.delivery_id)
            .where(D.state == "sending", B.state == "pending"))
    return session.execute(stmt).scalar()


def sending_without_pending(session) -> list[int]:
    """Sending deliveries whose batches are all finished (to be closed)."""
    pending = select(B.delivery_id).where(B.state == "pending").distinct()
    return [row[0] for row in session.execute(select(D.id).where(D.state == "sending", D.id.not_in(pending)))]


def in_flight(session) -> int:
    """Recipients of deliveries already sending but not yet sent (they will still use the quota)."""
    left = func.coalesce(func.sum(D.recipients - D.sent - D.skipped - D.failed), 0)
    return int(session.execute(select(left).where(D.state == "sending")).scalar())


def quota_shortfall(quota: dict, needed: int, in_flight: int = 0) -> str | None:
    """The held message when `needed` pushes exceed what is left of a limited monthly quota (sends in flight
    counted), or None when they fit or LINE sets no limit."""
    if quota.get("type") != "limited" or quota.get("value") is None:
        return None
    left = max(0, int(quota["value"]) - int(quota.get("used") or 0) - in_flight)
    if needed <= left:
        return None
    return (f"今月の配信可能数が足りないため保留しました（この配信に{needed:,}通、残り{left:,}通）。"
            f"上限を増やすか来月になると自動で配信します。")


# --- starting: hold, or fix the batches -------------------------------------------------------------

def hold(session, delivery: Delivery, reason: str, until: datetime) -> None:
    """Keep a delivery waiting (quiet hours, quota) with a reason staff can read; looked at again at `until`."""
    delivery.state, delivery.held_reason, delivery.scheduled_for = "held", reason, until
    delivery.updated_at = utcnow()
    session.add(delivery)
    session.flush()


def has_batches(session, delivery_id: int) -> bool:
    """True once a delivery's batches were made (it is resumed, never re-planned)."""
    return session.execute(select(B.id).where(B.delivery_id == delivery_id).limit(1)).first() is not None


def eligible_recipients(session, delivery: Delivery) -> list[tuple[int, str, str]]:
    """(id, LINE user id, language) of the residents the delivery reaches now."""
    segment = Segment.of(delivery.segment) if delivery.segment else None
    return recipient_rows(session, segment, resident_ids=delivery.resident_ids,
                          respect_notifications=delivery.respect_notifications)


def message_variants(messages: dict) -> dict[str, str]:
    """Resident language → the messages key it gets; languages with identical messages share one key
    (so they share batches: fewer partial batches, fewer requests)."""
    by_content: dict[str, str] = {}
    chosen = {}
    for lang in RESIDENT_LANGUAGES:
        key = lang if lang in messages else FALLBACK_LANGUAGE
        content = json.dumps(messages[key], sort_keys=True, ensure_ascii=False)
        chosen[lang] = by_content.setdefault(content, key)
    return chosen


def make_batches(session, delivery: Delivery, rows: Iterable[tuple[int, str, str]] | None = None,
                 now: datetime | None = None) -> int:
    """Fix who gets what: batches of ≤ 500 per message variant, each with its retry key; returns recipients.

    Written with one bulk INSERT (no ORM object per resident). The caller commits: from then on the batches
    are the truth, and a restart resumes them instead of planning again.
    """
    now = now or utcnow()
    rows = eligible_recipients(session, delivery) if rows is None else rows
    variants = message_variants(delivery.messages)
    groups: dict[str, list[int]] = {}
    for resident_id, _user_id, language in rows:
        groups.setdefault(variants.get(language, variants[FALLBACK_LANGUAGE]), []).append(resident_id)
    batches, seq = [], 0
    for key in sorted(groups, key=lambda k: (k != FALLBACK_LANGUAGE, k)):
        ids = groups[key]
        for start in range(0, len(ids), BATCH_SIZE):
            batches.append({"delivery_id": delivery.id, "seq": seq, "language": key,
                            "retry_key": str(uuid.uuid4()), "resident_ids": ids[start:start + BATCH_SIZE],
                            "state": "pending", "attempts": 0, "errors": 0, "skipped": 0, "duplicate": False})
            seq += 1
    if batches:
        session.execute(insert(DeliveryBatch.__table__), batches)
    recipients = sum(len(ids) for ids in groups.values())
    delivery.recipients, delivery.state, delivery.held_reason = recipients, "sending", None
    delivery.started_at = delivery.started_at or now
    delivery.updated_at = now
    session.add(delivery)
    session.flush()
    return recipients


def resume(session, delivery: Delivery, now: datetime | None = None) -> None:
    """A held delivery whose batches exist goes on sending where it stopped."""
    delivery.state, delivery.held_reason, delivery.updated_at = "sending", None, now or utcnow()
    session.add(delivery)
    session.flush()


# --- one request of one batch ----------------------------------------------------------------------
# Written with column statements (no ORM loads): this path runs once per request of a 100,000-resident send.

@dataclass
class Attempt:
    """What to send for one request: to whom, what, under which retry key."""

    batch_id: int
    delivery_id: int
    to: list[str]
    messages: list[dict]
    retry_key: str
    errors: int = 0  # 5xx/timeouts this batch had before this request
    skipped: int = 0  # residents left out of the batch at this (first) request


BT, DT = DeliveryBatch.__table__, Delivery.__table__
# The hot statements are built once, with bound parameters: building SQLAlchemy expressions anew for every
# request cost more than the database work itself.
_ATTEMPT_ROW = (select(B.delivery_id, B.state, B.resident_ids, B.sent_to, B.retry_key, B.language, B.uncertain_since,
                       B.errors, D.state.label("delivery_state"), D.respect_notifications)
                .join_from(BT, DT, D.id == B.delivery_id).where(B.id == bindparam("b_id")))
_COUNT_REQUEST = update(BT).where(B.id == bindparam("b_id")).values(
    attempts=B.attempts + 1, first_attempt_at=func.coalesce(B.first_attempt_at, bindparam("now")))
_FIRST_REQUEST = update(BT).where(B.id == bindparam("b_id")).values(
    attempts=B.attempts + 1, first_attempt_at=bindparam("now"),
    sent_to=bindparam("to", type_=BT.c.sent_to.type), skipped=bindparam("n_skipped"))
_FINISH = update(BT).where(B.id == bindparam("b_id")).values(
    state=bindparam("new_state"), finished_at=bindparam("now"), next_attempt_at=None,
    duplicate=func.coalesce(bindparam("dup", type_=BT.c.duplicate.type), B.duplicate),
    request_id=func.coalesce(bindparam("req_id", type_=BT.c.request_id.type), B.request_id),
    last_error=func.coalesce(bindparam("err", type_=BT.c.last_error.type), B.last_error))
_ADD_COUNTS = update(DT).where(D.id == bindparam("d_id")).values(
    requests=D.requests + bindparam("n_requests"), skipped=D.skipped + bindparam("n_skipped"),
    sent=D.sent + bindparam("n_sent"), failed=D.failed + bindparam("n_failed"), updated_at=bindparam("now"))


def prepare_attempt(session, batch_id: int, now: datetime, messages_cache: dict | None = None) -> Attempt | None:
    """Count the request and fix its recipients BEFORE it leaves; None when there is nothing to send.

    On the first request the batch's residents are looked up again: whoever unfollowed, switched notices off
    or deleted their data since the batch was made is skipped. The recipients are then stored, and every
    retry sends exactly those under the same key. A batch whose uncertain request is older than LINE's
    24-hour key memory is given up: sending it again could deliver twice.
    """
    row = session.execute(_ATTEMPT_ROW, {"b_id": batch_id}).first()
    if row is None or row.state != "pending" or row.delivery_state != "sending":
        return None
    if row.uncertain_since and now - row.uncertain_since > RETRY_KEY_LIFETIME:
        _finish(session, batch_id, row.delivery_id, "failed", now, len(row.sent_to or []), requests=0,
                error="unconfirmed: retry key older than 23 hours")
        return None
    to, skipped = row.sent_to, 0
    if to is None:
        to = _still_eligible(session, row.resident_ids, row.respect_notifications)
        skipped = len(row.resident_ids) - len(to)
        if not to:  # everyone left: the batch is done without a request
            session.execute(update(BT).where(B.id == batch_id).values(sent_to=[], skipped=skipped))
            _finish(session, batch_id, row.delivery_id, "done", now, 0, requests=0, skipped=skipped)
            return None
        session.execute(_FIRST_REQUEST, {"b_id": batch_id, "now": now, "to": to, "n_skipped": skipped})
    else:
        session.execute(_COUNT_REQUEST, {"b_id": batch_id, "now": now})
    messages = _messages(session, row.delivery_id, messages_cache)
    return Attempt(batch_id, row.delivery_id, list(to), messages[row.language], row.retry_key, row.errors, skipped)


def _messages(session, delivery_id: int, cache: dict | None) -> dict:
    """A delivery's messages by language (read once per run when a cache is given)."""
    if cache is not None and delivery_id in cache:
        return cache[delivery_id]
    messages = session.execute(select(D.messages).where(D.id == delivery_id)).scalar()
    if cache is not None:
        cache[delivery_id] = messages
    return messages


def _still_eligible(session, resident_ids: list[int], respect_notifications: bool) -> list[str]:
    """LINE user ids of those residents who may still be pushed to, in the batch's order."""
    if not resident_ids:
        return []
    # The ids are our own integers, inlined: a 500-value expanding IN costs SQLAlchemy ~25 ms to compile.
    id_list = ",".join(str(int(i)) for i in resident_ids)
    condition = "following" + (" AND notifications" if respect_notifications else "")
    rows = session.execute(text(f"SELECT id, line_user_id FROM {Resident.__tablename__} "
                                f"WHERE id IN ({id_list}) AND {condition}")).all()
    by_id = dict(rows)
    return [by_id[i] for i in resident_ids if i in by_id]


def record_accepted(session, attempt: Attempt, now: datetime, *, duplicate: bool, request_id: str | None) -> None:
    """LINE accepted the batch now (200) or earlier under the same key (409): it is sent."""
    _finish(session, attempt.batch_id, attempt.delivery_id, "done", now, len(attempt.to), skipped=attempt.skipped,
            duplicate=duplicate, request_id=(request_id or "")[:64] or None)


def record_retry(session, attempt: Attempt, now: datetime, delay: float, error: str, *, uncertain: bool) -> None:
    """A request that may be tried again after `delay` seconds (5xx, timeout: uncertain; 429: not)."""
    values: dict = {"next_attempt_at": now + timedelta(seconds=delay), "last_error": error[:300]}
    if uncertain:
        values.update(errors=B.errors + 1, uncertain_since=func.coalesce(B.uncertain_since, now))
    session.execute(update(BT).where(B.id == attempt.batch_id).values(**values))
    _add_counts(session, attempt.delivery_id, now, requests=1, skipped=attempt.skipped)
    attempt.skipped = 0  # counted once


def record_failed(session, attempt: Attempt, now: datetime, error: str, *, counted: bool = False) -> None:
    """LINE refused the batch for good (4xx) or it kept failing: its residents count as failed.

    `counted`: the request was already counted (by record_retry just before)."""
    _finish(session, attempt.batch_id, attempt.delivery_id, "failed", now, len(attempt.to), error=error,
            requests=0 if counted else 1, skipped=attempt.skipped)


def _finish(session, batch_id: int, delivery_id: int, state: str, now: datetime, count: int,
            error: str | None = None, duplicate: bool | None = None, request_id: str | None = None,
            requests: int = 1, skipped: int = 0) -> None:
    """Close a batch; its request, skipped residents and `count` sent (or failed) residents go to the delivery's
    counters in the same statement (the batches hold the exact figures; close_if_finished recounts them)."""
    session.execute(_FINISH, {"b_id": batch_id, "new_state": state, "now": now, "dup": duplicate,
                              "req_id": request_id, "err": error[:300] if error else None})
    _add_counts(session, delivery_id, now, requests=requests, skipped=skipped,
                **({"sent": count} if state == "done" else {"failed": count}))


def _add_counts(session, delivery_id: int, now: datetime, *, requests: int = 0, skipped: int = 0, sent: int = 0,
                failed: int = 0) -> None:
    """Add to a delivery's counters in SQL (no lost updates); a loaded Delivery reloads them when next read."""
    if not (requests or skipped or sent or failed):
        return
    session.execute(_ADD_COUNTS, {"d_id": delivery_id, "n_requests": requests, "n_skipped": skipped, "n_sent": sent,
                                  "n_failed": failed, "now": now})
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Delivery) and obj.id == delivery_id:
            session.expire(obj)


def close_if_finished(session, delivery_id: int, now: datetime) -> str | None:
    """Mark a sending delivery done (or failed, when nobody could be reached) once no batch is pending."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.state != "sending" or session.execute(
            select(B.id).where(B.delivery_id == delivery_id, B.state == "pending").limit(1)).first():
        return None
    recount(session, delivery)
    delivery.state = "failed" if delivery.failed and not delivery.sent else "done"
    delivery.finished_at = delivery.updated_at = now
    session.add(delivery)
    session.flush()
    return delivery.state


def recount(session, delivery: Delivery) -> None:
    """Set a delivery's counters from its batches (exact even after a crash between a request and its record)."""
    rows = session.execute(select(B.state, B.attempts, B.skipped, B.sent_to).where(B.delivery_id == delivery.id)).all()
    delivery.requests = sum(r.attempts for r in rows)
    delivery.skipped = sum(r.skipped for r in rows)
    delivery.sent = sum(len(r.sent_to or []) for r in rows if r.state == "done")
    delivery.failed = sum(len(r.sent_to or []) for r in rows if r.state == "failed")
    session.add(delivery)


# --- the report ------------------------------------------------------------------------------------

def local_iso(moment: datetime | None, tz: str) -> str | None:
    """A stored naive UTC time as ISO 8601 in the city's zone, in whole seconds (staff read these)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).isoformat(timespec="seconds")


def delivery_report(session, delivery_id: int, tz: str = "Asia/Tokyo") -> dict:
    """What `tsunagari delivery show --json` prints: state, counts, batches, requests, times."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise LookupError(f"delivery {delivery_id} not found")
    batch_counts = session.execute(
        select(func.count(), func.sum(case((B.state == "done", 1), else_=0)),
               func.sum(case((B.state == "failed", 1), else_=0)), func.sum(case((B.duplicate.is_(True), 1), else_=0)))
        .where(B.delivery_id == delivery_id)).one()
    total, done, failed, duplicates = (int(value or 0) for value in batch_counts)
    return {
        "id": delivery.id, "kind": delivery.kind, "ref_id": delivery.ref_id,
        "notice": delivery.ref_id if delivery.kind == "notice" else None,
        "state": delivery.state, "held_reason": delivery.held_reason,
        "recipients": delivery.recipients, "sent": delivery.sent, "skipped": delivery.skipped,
        "failed": delivery.failed, "requests": delivery.requests,
        "batches": total, "batches_done": done, "batches_failed": failed, "batches_pending": total - done - failed,
        "duplicates": duplicates, "urgent": delivery.urgent, "segment": delivery.segment,
        "languages": sorted(delivery.messages), "scheduled_for": local_iso(delivery.scheduled_for, tz),
        "created_at": local_iso(delivery.created_at, tz), "started_at": local_iso(delivery.started_at, tz),
        "finished_at": local_iso(delivery.finished_at, tz),
    }


def deliveries_for(session, kind: str, ref_id: int) -> list[Delivery]:
    """Every delivery of one notice (or round…), newest first."""
    return list(session.execute(select(Delivery).where(D.kind == kind, D.ref_id == ref_id)
                                .order_by(D.id.desc())).scalars())


def open_deliveries(session, kind: str, ref_id: int) -> list[Delivery]:
    """The deliveries of one notice (or round…) that have not finished."""
    return [d for d in deliveries_for(session, kind, ref_id) if d.state in OPEN_STATES]


def recent_deliveries(session, limit: int = 50) -> list[Delivery]:
    """The latest deliveries of every kind (the console's delivery list)."""
    return list(session.execute(select(Delivery).order_by(D.id.desc()).limit(limit)).scalars())


def pending_by_state(session) -> dict[str, int]:
    """How many deliveries are in each open state (for health pages)."""
    rows = session.execute(select(D.state, func.count()).where(D.state.in_(OPEN_STATES)).group_by(D.state)).all()
    return {state: int(n) for state, n in rows}

