"""Run one inbox event: find its handler, give it a Context, send the reply, record the outcome."""
from __future__ import annotations

import json
import logging
import traceback
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session, select

from bot.inbox import MAX_ATTEMPTS, finish, retry_later
from content.i18n import normalize_language
from handlers.registry import Context, registry
from models import InboxEvent, Resident, utcnow

log = logging.getLogger(__name__)

# LINE: a reply token is good for about a minute; leave a margin for the request itself.
REPLY_WINDOW = timedelta(seconds=50)
USER_EVENTS_WITHOUT_RESIDENT = ("unfollow",)


def sanitized_traceback(exc: BaseException) -> str:
    """The traceback's frames and the exception type only: exception messages may quote resident text."""
    frames = traceback.extract_tb(exc.__traceback__)
    lines = [f'  File "{f.filename}", line {f.lineno}, in {f.name}' for f in frames]
    return "Traceback (most recent call last):\n" + "\n".join(lines) + f"\n{type(exc).__module__}.{type(exc).__qualname__}"


def reply_usable(event: dict, row: InboxEvent) -> bool:
    """True when the event has a reply token that has not expired yet."""
    if not event.get("replyToken") or event.get("mode") == "standby":
        return False
    started = row.event_time or row.received_at
    return utcnow() - started < REPLY_WINDOW


def user_id_of(event: dict) -> str | None:
    """The LINE user id of a one-to-one event (group and room events have no resident)."""
    source = event.get("source") or {}
    return source.get("userId") if source.get("type") == "user" else None


def load_resident(session: Session, messenger, event: dict, user_id: str, profile_needed: bool) -> tuple:
    """The resident for a user id, created on first contact; also the LINE profile when it is needed."""
    resident = session.exec(select(Resident).where(Resident.line_user_id == user_id)).first()
    profile = None
    if resident is None or profile_needed:
        profile = fetch_profile(messenger, user_id)
    if resident is None and event.get("type") not in USER_EVENTS_WITHOUT_RESIDENT:
        language = normalize_language((profile or {}).get("language"))
        resident = Resident(line_user_id=user_id, language=language)
        session.add(resident)
        session.flush()
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


def run_handler(engine, messenger, config, event: dict, handler, can_reply: bool) -> list:
    """Run the handler in one session and commit; returns its messages. Exceptions propagate after rollback."""
    user_id = user_id_of(event)
    with Session(engine, expire_on_commit=False) as session:
        try:
            resident, profile = (load_resident(session, messenger, event, user_id, event.get("type") == "follow")
                                 if user_id else (None, None))
            ctx = Context(session=session, event=event, now=city_now(config), resident=resident,
                          lang=resident.language if resident is not None else "ja", can_reply=can_reply,
                          extra={"profile": profile or {}, "public_url": getattr(config, "public_url", None)})
            messages = handler(ctx) or []
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return messages


def is_transient(exc: BaseException) -> bool:
    """Failures worth retrying later: the database or LINE briefly unavailable, not a bug or bad data."""
    from bot.messenger import TransientLineError

    return isinstance(exc, (OperationalError, InterfaceError, TransientLineError))


def process_event(engine, messenger, config, row: InboxEvent) -> None:
    """Handle one claimed event: state changes always; a reply only while its token is valid."""
    from content.menus import apology_messages

    event = json.loads(row.payload or "{}")
    handler = registry.find(event)
    if handler is None or (event.get("source") or {}).get("type", "user") != "user":
        finish(engine, row, state="done")  # unknown or unsupported: ignored on purpose
        return
    state, error = "done", None
    try:
        messages = run_handler(engine, messenger, config, event, handler, reply_usable(event, row))
    except Exception as exc:
        error = sanitized_traceback(exc)
        if is_transient(exc) and row.attempts < MAX_ATTEMPTS:
            log.warning("inbox %s: transient %s, will retry", row.id, type(exc).__name__)
            retry_later(engine, row, error)
            return
        log.error("handler %s failed on inbox %s\n%s", getattr(handler, "__qualname__", handler), row.id, error)
        state = "failed"
        messages = apology_messages(_language_hint(engine, event))
    error = send_reply(messenger, event, row, messages,
                       apology=lambda: apology_messages(_language_hint(engine, event))) or error
    finish(engine, row, state=state, error=error)


def send_reply(messenger, event: dict, row: InboxEvent, messages: list, *, apology) -> str | None:
    """Reply while the token is valid; if LINE refuses the messages, apologise with the same token (a 400
    does not use it up). Returns an error note for the inbox row, or None."""
    from bot.messenger import InvalidReplyToken, LineError

    if not messages or not reply_usable(event, row):
        return None
    try:
        messenger.reply(event["replyToken"], messages[:5])
        return None
    except InvalidReplyToken:
        log.info("inbox %s: reply token no longer valid; state kept without a reply", row.id)
        return None
    except (LineError, ValueError) as exc:  # ValueError: LINE's limits (LineLimitError) or the SDK's own checks
        log.error("inbox %s: reply refused (%s); sending the apology instead", row.id, type(exc).__name__)
        note = f"reply not sent: {type(exc).__name__}"
    try:
        messenger.reply(event["replyToken"], apology())
    except Exception as exc:  # nothing more a resident can be given; the row records why
        log.error("inbox %s: apology not sent either (%s)", row.id, type(exc).__name__)
    return note


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
