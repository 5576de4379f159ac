"""The Messaging API subset the bot uses, answering with LINE's status codes, headers and error bodies."""
from __future__ import annotations

import copy
import hmac
import io
import re
import time
import uuid
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Callable

from flask import Blueprint, Response, g, json, request

from bot.emulator.state import EmulatorState, _line_path
from content.line_limits import (USER_ID, error_body, richmenu_size_problem, validate_request,
                                 validate_richmenu)

MAX_BODY_BYTES = 2 * 1024 * 1024          # LINE: > 2 MB -> 413
MAX_RICHMENU_IMAGE_BYTES = 1024 * 1024    # LINE: rich menu image ≤ 1 MB
RETRY_KEY = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
PUSH_TARGET = re.compile(r"^[UCR][0-9a-f]{32}$")  # user, group or room id

# LINE's error messages (reference §Status codes / §Error messages)
RATE_LIMITED = "The API rate limit has been exceeded. Try again later."
MONTHLY_LIMIT = "You have reached your monthly limit."
STATUS_MESSAGES = {400: "Bad Request", 401: "Authentication failed. Confirm that the access token in the "
                   "authorization header is valid.", 403: "Access to this API is not available for your account",
                   404: "Not found", 409: "Conflict", 410: "Gone", 413: "Request Entity Too Large",
                   415: "Unsupported Media Type", 429: RATE_LIMITED, 500: "Internal server error",
                   502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


@dataclass
class Answer:
    """What an endpoint answers, plus what the request log should note."""

    status: int
    body: Any = field(default_factory=dict)
    headers: dict = field(default_factory=dict)
    retry_key: str | None = None
    recipients: int | None = None
    mimetype: str = "application/json"


def fail(status: int, message: str | None = None, **extra) -> Answer:
    """An error answer in LINE's {"message": ...} shape."""
    return Answer(status, {"message": message or STATUS_MESSAGES.get(status, "Error"), **extra})


def register_api(bp: Blueprint, state: EmulatorState, access_token: str) -> None:
    """Add the /v2/bot/... endpoints to the emulator blueprint."""
    endpoint = _gatekeeper(state, access_token)

    def route(rule: str, methods: list[str]) -> Callable:
        """Register a LINE endpoint behind the gatekeeper."""
        def decorate(view: Callable) -> Callable:
            bp.add_url_rule(rule, view.__name__, endpoint(view), methods=methods)
            return view
        return decorate

    for kind in ("reply", "push", "multicast", "broadcast", "narrowcast"):
        bp.add_url_rule(f"/v2/bot/message/{kind}", f"send_{kind}", endpoint(_send_view(state, kind)),
                        methods=["POST"])
        bp.add_url_rule(f"/v2/bot/message/validate/{kind}", f"validate_{kind}",
                        endpoint(_validate_view(state)), methods=["POST"])

    @route("/v2/bot/profile/<user_id>", ["GET"])
    def profile(user_id: str) -> Answer:
        """A follower's profile; 404 for unknown users or users who blocked the account."""
        user = state.users.get(user_id)
        if not user or not user.following:
            return fail(404, "Not found")
        body = {"userId": user.user_id, "displayName": user.display_name}
        if user.language:
            body["language"] = user.language
        return Answer(200, body)

    @route("/v2/bot/message/quota", ["GET"])
    def quota() -> Answer:
        """The monthly target limit."""
        return Answer(200, {"type": "none"} if state.quota is None else {"type": "limited", "value": state.quota})

    @route("/v2/bot/message/quota/consumption", ["GET"])
    def quota_consumption() -> Answer:
        """Messages counted against the quota this month."""
        return Answer(200, {"totalUsage": state.usage})

    @route("/v2/bot/chat/loading/start", ["POST"])
    def loading_animation() -> Answer:
        """The loading animation: 5–60 s in steps of 5, for a user's chat (202, like LINE)."""
        body, problem = _json_body()
        if problem:
            return problem
        seconds = body.get("loadingSeconds", 20) if isinstance(body, dict) else None
        if not isinstance(body, dict) or not USER_ID.match(str(body.get("chatId", ""))):
            return Answer(400, error_body([{"message": "must be specified", "property": "chatId"}]))
        if not isinstance(seconds, int) or not 5 <= seconds <= 60 or seconds % 5:
            return Answer(400, error_body([{"message": "must be a multiple of 5 between 5 and 60",
                                            "property": "loadingSeconds"}]))
        return Answer(202, {})

    @route("/v2/bot/info", ["GET"])
    def bot_info() -> Answer:
        """The bot's own account."""
        return Answer(200, {"userId": state.bot_user_id, "basicId": "@000tsunagari", "displayName": "つながり",
                            "chatMode": "bot", "markAsReadMode": "auto"})

    _register_richmenu_api(route, state)

    @route("/v2/<path:rest>", ["GET", "POST", "PUT", "DELETE"])
    def not_emulated(rest: str) -> Answer:
        """Endpoints the emulator does not offer: LINE's 404 shape, after the usual auth checks."""
        return fail(404, "Not found")


def _gatekeeper(state: EmulatorState, access_token: str) -> Callable:
    """Wrap a view with what every LINE endpoint does: latency, auth, size, faults, rate limit, log, request id."""
    def wrap(view: Callable) -> Callable:
        @wraps(view)
        def handle(**kwargs) -> Response:
            request_id = g.line_request_id = str(uuid.uuid4())
            if state.latency_ms:
                time.sleep(state.latency_ms / 1000)
            answer = _precheck(state, access_token) or view(**kwargs)
            return _respond(state, answer, request_id)
        return handle
    return wrap


def _precheck(state: EmulatorState, access_token: str) -> Answer | None:
    """The checks LINE makes before looking at the body (in LINE's order); None = go on."""
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer ") or not auth[7:].strip():
        return fail(401, "Authentication failed due to the following reason: no token. Confirm that the access "
                         "token in the authorization header is valid.")
    if not hmac.compare_digest(auth[7:].strip().encode(), access_token.encode()):
        return fail(401, "Authentication failed due to the following reason: invalid token. Confirm that the "
                         "access token in the authorization header is valid.")
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return fail(413, "Request Entity Too Large")
    injected, delay_ms = state.injected_fault(_line_path(request.path))
    if delay_ms:
        time.sleep(delay_ms / 1000)
    if injected:
        return fail(injected)
    rule = f"{request.method} {_line_path(request.url_rule.rule)}"
    if not state.take_rate_token(rule):
        return fail(429, RATE_LIMITED)
    return None


def _respond(state: EmulatorState, answer: Answer, request_id: str) -> Response:
    """Turn an Answer into a Flask response with x-line-request-id, and log the request."""
    body_for_log: Any
    if request.mimetype == "application/json" or (request.data[:1] in (b"{", b"[")):
        body_for_log = request.get_json(silent=True)
    elif request.data:
        body_for_log = {"contentType": request.mimetype, "bytes": len(request.data)}
    else:
        body_for_log = None
    state.log_request({"method": request.method, "path": _line_path(request.path), "status": answer.status,
                       "retry_key": answer.retry_key or request.headers.get("X-Line-Retry-Key"),
                       "recipients": answer.recipients, "body": body_for_log, "request_id": request_id,
                       "response": None if isinstance(answer.body, bytes) else answer.body})
    payload = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body, ensure_ascii=False)
    response = Response(payload, status=answer.status, mimetype=answer.mimetype)
    response.headers["x-line-request-id"] = request_id
    for name, value in answer.headers.items():
        response.headers[name] = value
    return response


def _json_body() -> tuple[Any, Answer | None]:
    """The request's JSON body, or LINE's 400 for a body that is not JSON."""
    body = request.get_json(silent=True, force=True)
    if body is None:
        return None, fail(400, "The request body could not be parsed as JSON")
    return body, None


# --- sending -----------------------------------------------------------------------------------------------
def _send_view(state: EmulatorState, kind: str) -> Callable:
    """The view for POST /v2/bot/message/<kind>."""
    def send() -> Answer:
        """Validate, check retry key / reply token / quota, deliver."""
        body, problem = _json_body()
        if problem:
            return problem
        retry_key = request.headers.get("X-Line-Retry-Key")
        # Validating reads only the body: done before the lock, so sends are not validated one at a time.
        details = validate_request(kind, body)
        with state.lock:  # check-and-accept must be atomic: two retries with one key race in a threaded server
            answer = _send_locked(state, kind, body, retry_key, details)
        answer.retry_key = retry_key
        return answer
    send.__name__ = f"send_{kind}"
    return send


def _send_locked(state: EmulatorState, kind: str, body: Any, retry_key: str | None, details: list) -> Answer:
    """The body of a send (validated already: `details` are its problems), run under the state lock."""
    if retry_key is not None:
        if kind == "reply":
            return fail(400, "X-Line-Retry-Key is not supported by this API")
        if not RETRY_KEY.match(retry_key):
            return fail(400, "The value of X-Line-Retry-Key is invalid. Specify a UUID")
        accepted = state.accepted_request(retry_key)
        if accepted:
            extra = {"sentMessages": accepted["sent"]} if kind == "push" and accepted["sent"] else {}
            answer = fail(409, "The retry key is already accepted", **extra)
            answer.headers["x-line-accepted-request-id"] = accepted["request_id"]
            return answer
    if details:
        return Answer(400, error_body(details))
    recipients = _recipients(state, kind, body)
    if recipients is None:
        return fail(400, "The property, 'to', in the request body is invalid (line: -, column: -)")
    if kind == "reply":
        user_id = state.use_reply_token(body["replyToken"])
        if user_id is None:
            return fail(400, "Invalid reply token")
        recipients = [user_id]
    elif not state.quota_allows(len(recipients)):
        return fail(429, MONTHLY_LIMIT)
    sent = []
    # One private copy of a multicast's messages is kept by all its recipients (100,000 copies would not fit).
    shared = copy.deepcopy(body["messages"]) if len(recipients) > 1 else None
    for user_id in recipients:
        if kind == "reply" and state.is_blocked(user_id):
            continue  # blocked after the message was sent: LINE accepts the reply and shows it to no one
        sent = state.deliver(user_id, shared or body["messages"], kind, shared=shared is not None)
    if kind != "reply":
        state.count_usage(len(recipients))
    if retry_key:
        state.accept_retry_key(retry_key, g.line_request_id, sent if kind == "push" else None)
    body_out = {"sentMessages": sent} if kind in ("reply", "push") else {}
    return Answer(200, body_out, recipients=len(recipients))


def _recipients(state: EmulatorState, kind: str, body: dict) -> list[str] | None:
    """Who receives this send (delivered users only: blocked/unknown users get nothing and are not counted)."""
    if kind == "reply":
        return []
    if kind == "push":
        if not PUSH_TARGET.match(body["to"]):
            return None
        return [body["to"]] if state.can_receive(body["to"]) else []
    if kind == "multicast":
        return [uid for uid in dict.fromkeys(body["to"]) if state.can_receive(uid)]
    return state.followers()  # broadcast, narrowcast (no audiences emulated: everyone)


def _validate_view(state: EmulatorState) -> Callable:
    """The view for POST /v2/bot/message/validate/<kind>: only `messages` is checked."""
    def validate() -> Answer:
        """200 {} or 400 with details."""
        body, problem = _json_body()
        if problem:
            return problem
        details = validate_request("validate", body)
        return Answer(400, error_body(details)) if details else Answer(200, {})
    return validate


# --- rich menus --------------------------------------------------------------------------------------------
def _register_richmenu_api(route: Callable, state: EmulatorState) -> None:
    """Rich menu endpoints the SDK's MessagingApi and MessagingApiBlob call."""

    @route("/v2/bot/richmenu", ["POST"])
    def create_richmenu() -> Answer:
        """Create a rich menu; answers its id."""
        body, problem = _json_body()
        if problem:
            return problem
        details = validate_richmenu(body)
        if details:
            return Answer(400, error_body(details))
        return Answer(200, {"richMenuId": state.add_richmenu(body)})

    @route("/v2/bot/richmenu/validate", ["POST"])
    def validate_richmenu_object() -> Answer:
        """Validate a rich menu object without creating it."""
        body, problem = _json_body()
        if problem:
            return problem
        details = validate_richmenu(body)
        return Answer(400, error_body(details)) if details else Answer(200, {})

    @route("/v2/bot/richmenu/list", ["GET"])
    def list_richmenus() -> Answer:
        """Every rich menu."""
        with state.lock:
            return Answer(200, {"richmenus": list(state.richmenus.values())})

    @route("/v2/bot/richmenu/<rich_menu_id>", ["GET"])
    def get_richmenu(rich_menu_id: str) -> Answer:
        """One rich menu."""
        menu = state.richmenus.get(rich_menu_id)
        return Answer(200, menu) if menu else fail(404, "Not found")

    @route("/v2/bot/richmenu/<rich_menu_id>", ["DELETE"])
    def delete_richmenu(rich_menu_id: str) -> Answer:
        """Delete a rich menu (and unlink it everywhere)."""
        with state.lock:
            if state.richmenus.pop(rich_menu_id, None) is None:
                return fail(404, "Not found")
            state.richmenu_images.pop(rich_menu_id, None)
            if state.default_richmenu == rich_menu_id:
                state.default_richmenu = None
            for user in state.users.values():
                if user.rich_menu_id == rich_menu_id:
                    user.rich_menu_id = None
        return Answer(200, {})

    @route("/v2/bot/richmenu/<rich_menu_id>/content", ["POST"])
    def upload_richmenu_image(rich_menu_id: str) -> Answer:
        """Upload the menu's image once: JPEG/PNG, ≤ 1 MB, the size the menu declares."""
        return _upload_image(state, rich_menu_id)

    @route("/v2/bot/richmenu/<rich_menu_id>/content", ["GET"])
    def download_richmenu_image(rich_menu_id: str) -> Answer:
        """The menu's image."""
        image = state.richmenu_images.get(rich_menu_id)
        if not image:
            return fail(404, "Not found")
        return Answer(200, image[0], mimetype=image[1])

    @route("/v2/bot/user/all/richmenu/<rich_menu_id>", ["POST"])
    def set_default(rich_menu_id: str) -> Answer:
        """Make a menu (with its image uploaded) the default for everyone."""
        with state.lock:
            if rich_menu_id not in state.richmenus:
                return fail(404, "Not found")
            if rich_menu_id not in state.richmenu_images:
                return fail(400, "An image has not been uploaded to the rich menu")
            state.default_richmenu = rich_menu_id
        return Answer(200, {})

    @route("/v2/bot/user/all/richmenu", ["GET"])
    def get_default() -> Answer:
        """The default menu's id."""
        if not state.default_richmenu:
            return fail(404, "no default richmenu")
        return Answer(200, {"richMenuId": state.default_richmenu})

    @route("/v2/bot/user/all/richmenu", ["DELETE"])
    def clear_default() -> Answer:
        """Unset the default menu."""
        state.default_richmenu = None
        return Answer(200, {})

    @route("/v2/bot/user/<user_id>/richmenu/<rich_menu_id>", ["POST"])
    def link_user(user_id: str, rich_menu_id: str) -> Answer:
        """Link a menu to one user (non-friends: 200 but not linked, like LINE)."""
        with state.lock:
            if rich_menu_id not in state.richmenus:
                return fail(404, "Not found")
            if rich_menu_id not in state.richmenu_images:
                return fail(400, "An image has not been uploaded to the rich menu")
            if not USER_ID.match(user_id):
                return fail(400, "The value of userId is invalid")
            user = state.users.get(user_id)
            if user and user.following:
                user.rich_menu_id = rich_menu_id
        return Answer(200, {})

    @route("/v2/bot/user/<user_id>/richmenu", ["GET"])
    def get_user_menu(user_id: str) -> Answer:
        """The menu linked to a user."""
        user = state.users.get(user_id)
        if not user or not user.rich_menu_id:
            return fail(404, "the user has no richmenu")
        return Answer(200, {"richMenuId": user.rich_menu_id})

    @route("/v2/bot/user/<user_id>/richmenu", ["DELETE"])
    def unlink_user(user_id: str) -> Answer:
        """Unlink a user's menu."""
        user = state.users.get(user_id)
        if user:
            user.rich_menu_id = None
        return Answer(200, {})


def _upload_image(state: EmulatorState, rich_menu_id: str) -> Answer:
    """Check and store a rich menu image."""
    from PIL import Image

    with state.lock:
        menu = state.richmenus.get(rich_menu_id)
        if not menu:
            return fail(404, "Not found")
        if rich_menu_id in state.richmenu_images:
            return fail(400, "An image has already been uploaded to the richmenu")
    if request.mimetype not in ("image/jpeg", "image/png"):
        return fail(415, "Unsupported Media Type: use image/jpeg or image/png")
    data = request.get_data()
    if len(data) > MAX_RICHMENU_IMAGE_BYTES:
        return fail(413, "Request Entity Too Large: the image must be at most 1 MB")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, width, height = image.format, image.width, image.height
    except Exception:  # Pillow raises several types for garbage bytes; all mean "not an image"
        return fail(400, "The image could not be read as JPEG or PNG")
    if kind not in ("JPEG", "PNG") or {"JPEG": "image/jpeg", "PNG": "image/png"}[kind] != request.mimetype:
        return fail(400, "The image format does not match the Content-Type")
    problem = richmenu_size_problem(width, height)
    if problem:
        return fail(400, f"Invalid image size: {problem}")
    if (width, height) != (menu["size"]["width"], menu["size"]["height"]):
        return fail(400, "The image size does not match the size of the rich menu")
    with state.lock:
        state.richmenu_images[rich_menu_id] = (data, request.mimetype)
    return Answer(200, {})
