"""POST /callback: verify LINE's signature on the raw body, store the events, answer 200 at once."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time

from flask import Blueprint, current_app, request

from bot import ops
from bot.event_shape import read_body
from bot.inbox import StoreResult, store_events

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


def webhook_blueprint() -> Blueprint:
    """The /callback endpoint LINE posts to."""
    bp = Blueprint("webhook", __name__)

    @bp.post("/callback")
    def callback():
        """Verify, store, wake the workers, answer 200: no slow work here (LINE waits 2 s)."""
        started = time.perf_counter()
        status, body, result = answer_webhook(current_app.extensions["tsunagari"])
        ops.count_webhook(status, result.new, result.duplicates, result.rejected, time.perf_counter() - started)
        return body, status

    return bp


def answer_webhook(rt) -> tuple[int, dict, StoreResult]:
    """(status, JSON body, what was stored) for the current Flask request."""
    # Header names are case-insensitive; LINE may change their case.
    return answer_body(rt, read_limited_body(rt.config.max_body_bytes), request.headers.get("X-Line-Signature"))


def answer_body(rt, body: bytes | None, signature: str | None) -> tuple[int, dict, StoreResult]:
    """(status, JSON body, what was stored) for a raw body (None: over the size limit) and its signature."""
    nothing = StoreResult()
    if body is None:
        return 413, {"message": "payload too large"}, nothing
    if not is_valid_signature(rt.config.channel_secret, body, signature):
        return 400, {"message": "invalid signature"}, nothing
    parsed = read_body(body)
    if parsed is None:
        return 400, {"message": "malformed body"}, nothing
    for rejected in parsed.rejected:
        log.warning("webhook: event rejected (%s)", rejected.reason)
    try:
        result = store_events(rt.engine, parsed.events, rt.config.channel_secret, parsed.rejected)
    except Exception as exc:  # nothing could be stored: LINE redelivers on a 5xx
        log.error("webhook: events not stored (%s); answering 500 so LINE redelivers", type(exc).__name__)
        return 500, {"message": "not stored, please redeliver"}, nothing
    if result.new and rt.workers is not None:
        rt.workers.wake()
    return 200, {}, result


# --------------------------------------------------------------------------- the same, before Flask

_REASONS = {200: "OK", 400: "Bad Request", 413: "Payload Too Large", 500: "Internal Server Error"}


class WebhookFastPath:
    """WSGI middleware answering POST /callback itself, with the very same steps as the Flask view
    (answer_body): Flask's request and response machinery was over a third of the web process's CPU per webhook,
    which under load is ack latency. Every other request goes on to the app."""

    def __init__(self, app, rt):
        self.app, self.rt = app, rt

    def __call__(self, environ, start_response):
        """Answer /callback here; pass anything else on."""
        if environ.get("PATH_INFO") != "/callback" or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        started = time.perf_counter()
        try:
            body = read_wsgi_body(environ, self.rt.config.max_body_bytes)
            status, payload, result = answer_body(self.rt, body, environ.get("HTTP_X_LINE_SIGNATURE"))
        except Exception as exc:  # whatever it was, LINE redelivers on a 5xx
            log.error("webhook: request failed (%s)", type(exc).__name__)
            status, payload, result = 500, {"message": "not stored, please redeliver"}, StoreResult()
        ops.count_webhook(status, result.new, result.duplicates, result.rejected, time.perf_counter() - started)
        data = json.dumps(payload).encode() + b"\n"
        start_response(f"{status} {_REASONS.get(status, '')}".rstrip(),
                       [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]


def read_wsgi_body(environ, limit: int) -> bytes | None:
    """The raw body from the WSGI input, or None when it is over `limit` bytes (read no further than limit + 1)."""
    stream = environ.get("wsgi.input")
    try:
        declared = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        declared = -1
    if declared > limit:
        return None
    if stream is None:
        return b""
    body = stream.read(declared) if declared >= 0 else stream.read(limit + 1)
    return None if len(body) > limit else body
