"""Run one claimed inbox event: find its handler, give it a Context, send the reply, record the outcome.

Exactly once: the handler's changes and the event's move to `replying` (its reply kept in the row) commit in one
transaction, guarded by the claim. A worker that dies before that commit leaves nothing behind and the event runs
again; one that dies after it leaves the reply to send, and whoever takes the event over only sends it (the reply
token is single-use, so a resident never gets it twice). Events that need no reply finish in that same
transaction.
"""
from __future__ import annotations

import json
import logging
import traceback
import weakref
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session, select

from bot import ops
from bot.inbox import MAX_ATTEMPTS, ClaimLost, hold_reply_in, retry_later, settle, settle_in
from content.residents import get_or_create_resident, remember_conversation, with_conversation
from content.surveys.rounds import open_round_exists, remember_open_round_check
from handlers.registry import Context, registry
from models import InboxEvent, Resident, as_naive_utc, utcnow

log = logging.getLogger(__name__)

# LINE: a reply token is good for about a minute; leave a margin for the request itself.
REPLY_WINDOW = timedelta(seconds=50)
# Transient reply failures are retried until this much of the window is left; then the apology is the last try.
APOLOGY_MARGIN = timedelta(seconds=8)
MAX_REPLY_DELAY = 4.0
USER_EVENTS_WITHOUT_RESIDENT = ("unfollow",)


def sanitized_traceback(exc: BaseException) -> str:
    """The traceback's frames and the exception type only: exception messages may quote resident text."""
    frames = traceback.extract_tb(exc.__traceback__)
    lines = [f'  File "{f.filename}", line {f.lineno}, in {f.name}' for f in frames]
    return "Traceback (most recent call last):\n" + "\n".join(lines) + f"\n{type(exc).__module__}.{type(exc).__qualname__}"


def reply_started(row: InboxEvent) -> datetime:
    """When the reply token's minute began: the event's time, unless that claims to be later than its arrival."""
    if row.event_time is not None and row.event_time <= row.received_at + timedelta(seconds=5):
        return row.event_time
    return row.received_at


def reply_time_left(row: InboxEvent) -> timedelta:
    """How much of the reply window is left (negative once it has passed)."""
    return reply_started(row) + REPLY_WINDOW - utcnow()


def reply_usable(event: dict, row: InboxEvent) -> bool:
    """True when the event has a reply token that has not expired yet."""
    if not event.get("replyToken") or event.get("mode") == "standby":
        return False
    return reply_time_left(row) > timedelta(0)


def user_id_of(event: dict) -> str | None:
    """The LINE user id of a one-to-one event (group and room events have no resident)."""
    source = event.get("source") or {}
    return source.get("userId") if source.get("type") == "user" else None


# One round trip for what nearly every event reads first: the resident, their conversation, and whether any
# survey round is open in the chat (three statements before; each cost a worker more CPU than the row's data).
_RESIDENT_BY_LINE_ID = with_conversation(select(Resident)).add_columns(
    open_round_exists(bindparam("moment")).label("open_round")).where(
    Resident.line_user_id == bindparam("line_user_id"))


def load_resident(session: Session, messenger, event: dict, user_id: str, profile_needed: bool,
                  now: datetime) -> tuple:
    """The resident for a user id, created on first contact; also the LINE profile when it is needed."""
    moment = as_naive_utc(now)
    found = session.execute(_RESIDENT_BY_LINE_ID, {"line_user_id": user_id, "moment": moment}).first()
    resident = None
    if found is not None:
        resident, conversation, any_open = found
        remember_conversation(session, resident, conversation)
        remember_open_round_check(session, moment, any_open)
    profile = None
    if resident is None or profile_needed:
        profile = fetch_profile(messenger, user_id)
    if resident is None and event.get("type") not in USER_EVENTS_WITHOUT_RESIDENT:
        resident = get_or_create_resident(session, user_id, language=(profile or {}).get("language"))
        remember_conversation(session, resident, None)  # a resident met just now has no conversation yet
    return resident, profile


def fetch_profile(messenger, user_id: str) -> dict | None:
    """The LINE profile, or None: a missing profile never stops a resident's event."""
    try:
        return messenger.profile(user_id)
    except Exception as exc:  # profile is a nicety (language default); never fail the event for it
        log.warning("profile lookup failed: %s", type(exc).__name__)
        return None


def city_now(config) -> datetime:
    """Now in the city's time zone (TSUNAGARI_TZ)."""
    return utcnow().replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(config.tz))


def outbox_of(messages: list, then: str = "done", note: str | None = None) -> str:
    """The reply kept in the row until it is sent, and the state the event takes afterwards."""
    return json.dumps({"messages": messages[:5], "then": then, "note": note}, ensure_ascii=False)


def run_handler(engine, messenger, config, event: dict, handler, row: InboxEvent) -> list:
    """Run the handler in one session and commit its changes together with the event's next state.

    With a reply to send the event becomes `replying` (its reply kept); without one it is done. A handler that
    changed nothing (most answers only read) commits nothing: its reply is kept in `row.outbox` in memory and
    sent at once, since running it again could only answer again, which the spent reply token refuses.
    Exceptions (ClaimLost included) propagate after rollback: nothing of this run is kept."""
    user_id = user_id_of(event)
    can_reply = reply_usable(event, row)
    with Session(engine, expire_on_commit=False) as session:
        writes = track_writes(session)
        try:
            now = city_now(config)
            resident, profile = (load_resident(session, messenger, event, user_id, event.get("type") == "follow",
                                               now) if user_id else (None, None))
            ctx = Context(session=session, event=event, now=now, resident=resident,
                          lang=resident.language if resident is not None else "ja", can_reply=can_reply,
                          extra={"profile": profile or {}, "public_url": getattr(config, "public_url", None)})
            messages = handler(ctx) or []
            session.flush()
            outbox = outbox_of(messages) if messages and can_reply else None
            if outbox and not writes.seen:
                session.rollback()  # nothing to keep: no durable commit before the reply
                row.outbox = outbox
                return messages
            if outbox:
                hold_reply_in(session.connection(), row, outbox)
            else:
                settle_in(session.connection(), row, state="done")
            session.commit()
        except BaseException:
            session.rollback()
            raise
    if outbox:
        row.state, row.outbox = "replying", outbox
    return messages


class WriteTracker:
    """Whether a session's connection sent anything but a SELECT (a handler that only read commits nothing)."""

    KEY = "tsunagari.write_tracker"

    def __init__(self) -> None:
        self.seen = False


def track_writes(session: Session) -> WriteTracker:
    """Watch the statements this session's transaction sends; any that is not a plain SELECT counts as a write
    (INSERT, UPDATE, DELETE, a CTE, a lock: whatever it is, the durable path is taken)."""
    tracker = WriteTracker()
    connection = session.connection()
    _listen_for_writes(connection.engine)
    connection.info[WriteTracker.KEY] = tracker
    return tracker


_engines_listened: "weakref.WeakSet[Engine]" = weakref.WeakSet()


def _listen_for_writes(engine: Engine) -> None:
    """Install the statement listener once per engine."""
    if engine in _engines_listened:
        return
    _engines_listened.add(engine)

    @event.listens_for(engine, "before_cursor_execute")
    def note_write(conn, _cursor, statement, _params, _context, _many):
        tracker = conn.info.get(WriteTracker.KEY)
        if tracker is not None and not tracker.seen and statement.lstrip()[:6].upper() != "SELECT":
            tracker.seen = True

    @event.listens_for(engine, "checkin")
    def forget_tracker(dbapi_connection, _record):
        # Connection.info is the pooled connection's: the next session must not inherit this one's tracker.
        _record.info.pop(WriteTracker.KEY, None)


def is_transient(exc: BaseException) -> bool:
    """Failures worth retrying later: the database or LINE briefly unavailable, not a bug or bad data."""
    from bot.messenger import TransientLineError

    return isinstance(exc, (OperationalError, InterfaceError, TransientLineError))


def process_event(engine, messenger, config, row: InboxEvent) -> None:
    """Handle one claimed event: its handler once, then its reply while the token is valid."""
    if row.state == "replying":  # the handler ran already (perhaps on a worker that died since): only reply
        deliver_reply(engine, messenger, config, row)
        return
    event = json.loads(row.payload or "{}")
    handler = registry.find(event)
    if handler is None or (event.get("source") or {}).get("type", "user") != "user":
        settle(engine, row, state="done")  # unknown or unsupported: ignored on purpose
        ops.count_event("ignored")
        return
    if row.attempts > MAX_ATTEMPTS:  # taken over again and again: whatever it does kills its workers
        settle(engine, row, state="failed", error=f"gave up after {row.attempts - 1} claims")
        ops.count_event("failed")
        return
    try:
        run_handler(engine, messenger, config, event, handler, row)
    except ClaimLost:
        log.warning("inbox %s: claim lost while handling; the new holder runs it", row.id)
        return
    except Exception as exc:
        handle_failure(engine, messenger, config, row, event, handler, exc)
        return
    if row.state == "replying" or row.outbox:
        deliver_reply(engine, messenger, config, row, event)
    else:
        ops.count_event("handled")


def handle_failure(engine, messenger, config, row: InboxEvent, event: dict, handler, exc: Exception) -> None:
    """A transient failure is retried later; anything else fails the event with an apology to the resident."""
    error = sanitized_traceback(exc)
    if is_transient(exc) and row.attempts < MAX_ATTEMPTS:
        log.warning("inbox %s: transient %s, will retry", row.id, type(exc).__name__)
        ops.count_event("retried")
        retry_later(engine, row, error)
        return
    log.error("handler %s failed on inbox %s\n%s", getattr(handler, "__qualname__", handler), row.id, error)
    if not reply_usable(event, row):
        settle(engine, row, state="failed", error=error)
        ops.count_event("failed")
        return
    outbox = outbox_of(_apology(engine, event), "failed", error)
    try:
        with engine.begin() as conn:
            hold_reply_in(conn, row, outbox)
    except ClaimLost:
        return
    row.state, row.outbox = "replying", outbox
    deliver_reply(engine, messenger, config, row, event)


def deliver_reply(engine, messenger, config, row: InboxEvent, event: dict | None = None) -> None:
    """Send the kept reply while the token lives: transient failures put the event back for another try soon,
    and only when the token is about to expire does the apology go instead. Then the event is finished."""
    from bot.messenger import InvalidReplyToken, LineError, TransientLineError

    event = event if event is not None else json.loads(row.payload or "{}")
    kept = json.loads(row.outbox or "{}")
    then, note = kept.get("then", "done"), kept.get("note")
    messages, failures = kept.get("messages") or [], int(kept.get("failures") or 0)
    last_chance = reply_time_left(row) <= APOLOGY_MARGIN
    if last_chance and then == "done" and failures:
        messages, note = _apology(engine, event), "reply kept failing: apology sent instead"
    if not reply_usable(event, row):
        _finish_reply(engine, row, then, note or "reply token expired before the reply was sent")
        return
    try:
        messenger.reply(event["replyToken"], messages)
    except InvalidReplyToken:
        log.info("inbox %s: reply token no longer valid; state kept without a reply", row.id)
        note = note or "reply token no longer valid"
    except TransientLineError as exc:
        if not last_chance:
            delay = min(MAX_REPLY_DELAY, backoff_for_reply(row.attempts))
            log.warning("inbox %s: reply failed (%s), trying again in %.1f s", row.id, type(exc).__name__, delay)
            ops.count_event("retried")
            settle(engine, row, state="replying", next_attempt_at=utcnow() + timedelta(seconds=delay),
                   outbox=json.dumps({**kept, "failures": failures + 1}, ensure_ascii=False))
            return
        note = f"reply not sent: {type(exc).__name__}"
    except (LineError, ValueError) as exc:  # ValueError: LINE's limits (LineLimitError) or the SDK's own checks
        log.error("inbox %s: reply refused (%s); sending the apology instead", row.id, type(exc).__name__)
        note = f"reply not sent: {type(exc).__name__}"
        _send_apology(engine, messenger, row, event)
    _finish_reply(engine, row, then, note)


def backoff_for_reply(attempts: int) -> float:
    """Seconds before the next reply try: 0.5, 1, 2, 4 (the token lives about a minute)."""
    return 0.5 * 2 ** max(attempts - 2, 0)


def _finish_reply(engine, row: InboxEvent, then: str, note: str | None) -> None:
    """The reply went (or cannot go any more): the event is done or failed, its payload and reply dropped."""
    if settle(engine, row, state=then, error=note):
        ops.count_event("handled" if then == "done" else "failed")


def _apology(engine, event: dict) -> list:
    """The apology with the main menu, in the resident's language."""
    from content.menus import apology_messages

    return apology_messages(_language_hint(engine, event))


def _send_apology(engine, messenger, row: InboxEvent, event: dict) -> None:
    """Apologise with the same token (LINE's 400 for refused messages does not use it up)."""
    try:
        messenger.reply(event["replyToken"], _apology(engine, event))
    except Exception as exc:  # nothing more a resident can be given; the row records why
        log.error("inbox %s: apology not sent either (%s)", row.id, type(exc).__name__)


def _language_hint(engine, event: dict) -> str:
    """The resident's language for an apology, read in a fresh session (the failed one was rolled back)."""
    user_id = user_id_of(event)
    if not user_id:
        return "ja"
    try:
        with Session(engine) as session:
            resident = session.exec(select(Resident).where(Resident.line_user_id == user_id)).first()
            return resident.language if resident else "ja"
    except Exception:
        return "ja"
