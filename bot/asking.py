"""`tsunagari ask`: run the bot's own text handler for a made-up resident, changing nothing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from content.i18n import normalize_language
from content.line_limits import validate_messages
from handlers.registry import Context, load_handlers
from models import Resident


def text_event(text: str) -> dict:
    """A LINE text message event from a one-to-one chat."""
    return {"type": "message", "mode": "active", "timestamp": 0, "webhookEventId": "ask",
            "replyToken": "ask", "deliveryContext": {"isRedelivery": False},
            "source": {"type": "user", "userId": "U" + "0" * 32},
            "message": {"type": "text", "id": "ask", "quoteToken": "ask", "text": text}}


def ask_as_resident(engine: Engine, text: str, *, now: datetime, lang: str = "ja") -> dict:
    """The messages and items the bot would answer with; the session is rolled back afterwards."""
    event = text_event(text)
    handler = load_handlers().find(event)
    language = normalize_language(lang)
    with Session(engine) as session:
        # Transient: never added to the session, so handlers skip writes for it (resident.id is None).
        resident = Resident(line_user_id=event["source"]["userId"], language=language)
        ctx = Context(session=session, event=event, now=now, resident=resident, lang=language, extra={})
        messages = handler(ctx) or []
        session.rollback()
    validate_messages(messages)
    return {"messages": messages, "items": ctx.extra.get("items", [])}
