"""Build and sign LINE webhook events the way the platform sends them."""
from __future__ import annotations

import itertools
import json
import time

from bot.webhook import signature_for

_counter = itertools.count(1)


def event_id() -> str:
    """A fresh ULID-shaped webhookEventId (26 characters)."""
    return f"01TEST{next(_counter):020d}"


def base_event(kind: str, user_id: str, *, reply_token: str | None = "auto", redelivery: bool = False,
               timestamp_ms: int | None = None) -> dict:
    """The common properties of a one-to-one event."""
    event = {"type": kind, "mode": "active", "timestamp": timestamp_ms or int(time.time() * 1000),
             "webhookEventId": event_id(), "deliveryContext": {"isRedelivery": redelivery},
             "source": {"type": "user", "userId": user_id}}
    if reply_token:
        event["replyToken"] = f"rt-{next(_counter)}" if reply_token == "auto" else reply_token
    return event


def text_event(user_id: str, text: str, **kw) -> dict:
    """A text message from a resident."""
    event = base_event("message", user_id, **kw)
    event["message"] = {"type": "text", "id": str(next(_counter)), "quoteToken": "q", "text": text}
    return event


def postback_event(user_id: str, data: str, **kw) -> dict:
    """A postback tap."""
    event = base_event("postback", user_id, **kw)
    event["postback"] = {"data": data}
    return event


def follow_event(user_id: str, **kw) -> dict:
    """A resident adds the account as a friend."""
    event = base_event("follow", user_id, **kw)
    event["follow"] = {"isUnblocked": False}
    return event


def unfollow_event(user_id: str, **kw) -> dict:
    """A resident blocks the account (no reply token)."""
    return base_event("unfollow", user_id, reply_token=None, **kw)


def location_event(user_id: str, latitude: float, longitude: float, **kw) -> dict:
    """A resident shares a location."""
    event = base_event("message", user_id, **kw)
    event["message"] = {"type": "location", "id": str(next(_counter)), "title": "現在地",
                        "address": "", "latitude": latitude, "longitude": longitude}
    return event


def webhook_body(*events: dict, destination: str = "U" + "f" * 32) -> bytes:
    """The JSON body LINE posts to /callback."""
    return json.dumps({"destination": destination, "events": list(events)}, ensure_ascii=False).encode()


def signed_headers(secret: str, body: bytes) -> dict:
    """Headers with a valid X-Line-Signature."""
    return {"Content-Type": "application/json", "X-Line-Signature": signature_for(secret, body)}
