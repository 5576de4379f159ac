"""The live preview: the message a resident would get, built by the bot's own card builders."""
from __future__ import annotations

import logging

from content.search import cards
from content.line_limits import validate_message
from content.messages import alt_text, shorten_graphemes
from content.posts import notice_message

log = logging.getLogger(__name__)

# The Flex bubbles residents get, per kind of post: the preview draws with the bot's own builders.
CARD_BUILDERS = {"events": cards.event_bubble, "opportunities": cards.opportunity_bubble}


def as_message(built, alt: str) -> dict:
    """A builder's result as one LINE message (it may return a bubble, a carousel or a whole message)."""
    if built.get("type") in ("bubble", "carousel"):
        return {"type": "flex", "altText": alt_text(alt or "お知らせ"), "contents": built}
    return built


def preview_message(kind: str, record, lang: str = "ja", session=None) -> dict:
    """The message for an unsaved record, as residents would receive it."""
    if kind == "notices":
        from content.notices import names_for

        return notice_message(record, *(names_for(session, record) if session is not None else (None, None)))
    builder = CARD_BUILDERS.get(kind)
    if builder is not None:
        try:
            return as_message(builder(record, lang), record.title)
        except Exception:  # a half-filled form may trip the builder; fall back rather than break the page
            log.exception("card builder failed in preview")
    return as_message(fallback_bubble(record), record.title)


def fallback_bubble(record) -> dict:
    """A plain bubble for a form so half-filled that the card builder cannot draw it yet."""
    body = [{"type": "text", "text": shorten_graphemes(record.title or "（タイトル未入力）", 40),
             "weight": "bold", "size": "lg", "wrap": True}]
    for value in (getattr(record, "place_name", None), getattr(record, "description", None)):
        if value:
            body.append({"type": "text", "text": shorten_graphemes(value, 200), "size": "sm", "wrap": True})
    return {"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": body}}


def line_problems(message: dict) -> list[str]:
    """What LINE would refuse in this message (empty when fine)."""
    return [f"{d.get('property')}: {d.get('message')}" for d in validate_message(message)]
