"""POST /callback: verify LINE's signature on the raw body, store the events, answer 200 at once."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging

from flask import Blueprint, current_app, request

from bot.inbox import store_events

log = logging.getLogger(__name__)


def signature_for(secret: str, body: bytes) -> str:
    """LINE's X-Line-Signature: base64 of HMAC-SHA256 over the raw body with the channel secret."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def is_valid_signature(secret: str, body: bytes, signature: str | None) -> bool:
    """Constant-time comparison of the given signature with the expected one."""
    if not signature or not secret:
        return False
    return hmac.compare_digest(signature_for(secret, body).encode(), signature.strip().encode())


def read_limited_body(limit: int) -> bytes | None:
    """The raw body, or None when it is over `limit` bytes (read no further than limit + 1)."""
    if request.content_length is not None and request.content_length > limit:
        return None
    body = request.stream.read(limit + 1)
    return None if len(body) > limit else body


def parse_events(body: bytes) -> list[dict] | None:
    """The events of a webhook body, or None when the body is not LINE's shape."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        return None
    if not all(isinstance(event, dict) for event in payload["events"]):
        return None
    return payload["events"]


def webhook_blueprint() -> Blueprint:
    """The /callback endpoint LINE posts to."""
    bp = Blueprint("webhook", __name__)

    @bp.post("/callback")
    def callback():
        """Verify, store, wake the workers, answer 200: no slow work here (LINE waits 2 s)."""
        rt = current_app.extensions["tsunagari"]
        body = read_limited_body(rt.config.max_body_bytes)
        if body is None:
            return {"message": "payload too large"}, 413
        # Header names are case-insensitive; LINE may change their case.
        if not is_valid_signature(rt.config.channel_secret, body, request.headers.get("X-Line-Signature")):
            return {"message": "invalid signature"}, 400
        events = parse_events(body)
        if events is None:
            return {"message": "malformed body"}, 400
        stored = store_events(rt.engine, events, rt.config.channel_secret)
        if stored and rt.workers is not None:
            rt.workers.wake()
        return {}, 200

    return bp
