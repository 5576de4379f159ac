"""Webhook side of the emulator: build LINE event objects, sign the body, post it to the bot."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from typing import Callable

from bot.emulator.state import EmulatorState, new_message_id, new_ulid

# (url, body bytes, headers) -> HTTP status; swap in for tests that have no real server.
Transport = Callable[[str, bytes, dict], int]
NO_REPLY_TOKEN = {"unfollow", "leave", "memberLeft", "unsend", "videoPlayComplete"}


class EventError(ValueError):
    """A /emulator/events request the emulator cannot turn into a LINE event."""


def sign(channel_secret: str, body: bytes) -> str:
    """LINE's x-line-signature: base64 HMAC-SHA256 of the raw body with the channel secret.

    Written apart from bot/webhook.py on purpose: the emulator stands in for LINE, so a mistake in the bot's
    verification must not be mirrored here and pass unnoticed."""
    return base64.b64encode(hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()).decode()


def build_event(request: dict) -> dict:
    """A LINE webhook event from the simulator's short form (without replyToken: the caller issues it)."""
    kind, user_id = request.get("type"), request.get("user_id")
    event: dict = {"type": kind}
    if kind == "message":
        text = request.get("text")
        if not isinstance(text, str) or not text:
            raise EventError("a message event needs a non-empty text")
        event["message"] = {"id": new_message_id(), "type": "text", "text": text,
                            "quoteToken": secrets.token_urlsafe(24)}
    elif kind == "postback":
        data = request.get("data")
        if not isinstance(data, str):
            raise EventError("a postback event needs data")
        event["postback"] = {"data": data}
        if request.get("params"):
            event["postback"]["params"] = dict(request["params"])
    elif kind == "location":
        try:
            latitude, longitude = float(request["latitude"]), float(request["longitude"])
        except (KeyError, TypeError, ValueError) as exc:
            raise EventError("a location event needs numeric latitude and longitude") from exc
        event["message"] = {"id": new_message_id(), "type": "location", "latitude": latitude, "longitude": longitude}
        for key in ("title", "address"):
            if request.get(key):
                event["message"][key] = str(request[key])
        event["type"] = "message"
    elif kind == "follow":
        event["follow"] = {"isUnblocked": bool(request.get("is_unblocked", False))}
    elif kind != "unfollow":
        raise EventError("type must be message, postback, location, follow or unfollow (or send raw)")
    return complete_event(event, user_id)


def complete_event(event: dict, user_id: str | None) -> dict:
    """Fill the common properties LINE always sends (timestamp, source, ids, mode, deliveryContext)."""
    event = dict(event)
    event.setdefault("timestamp", int(time.time() * 1000))
    if user_id:
        event.setdefault("source", {"type": "user", "userId": user_id})
    event.setdefault("mode", "active")
    event.setdefault("webhookEventId", new_ulid())
    event.setdefault("deliveryContext", {"isRedelivery": False})
    return event


def needs_reply_token(event: dict) -> bool:
    """True for event types LINE gives a reply token (not unfollow/leave/... nor standby mode)."""
    return event.get("type") not in NO_REPLY_TOKEN and event.get("mode", "active") == "active"


def webhook_body(state: EmulatorState, events: list[dict]) -> bytes:
    """The raw webhook body LINE would post."""
    return json.dumps({"destination": state.bot_user_id, "events": events}, ensure_ascii=False).encode("utf-8")


def post_http(url: str, body: bytes, headers: dict) -> int:
    """POST the webhook over HTTP; returns the status (LINE waits at most a few seconds)."""
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def deliver_webhook(state: EmulatorState, channel_secret: str, url: str, events: list[dict],
                    transport: Transport = post_http) -> int:
    """Sign and post events to the bot's webhook; returns the HTTP status."""
    body = webhook_body(state, events)
    headers = {"Content-Type": "application/json; charset=utf-8", "x-line-signature": sign(channel_secret, body),
               "User-Agent": "LineBotWebhook/2.0"}
    return transport(url, body, headers)
