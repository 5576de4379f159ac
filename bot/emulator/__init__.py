"""The LINE emulator: a stand-in for the LINE platform (Messaging API) and the LINE app (chat simulator).

Mount with `app.register_blueprint(create_emulator_blueprint(...), url_prefix="/emulator")`; the Messenger then
uses `Configuration(host=".../emulator")`. The state lives in memory (one per blueprint), reachable from tests as
`bp.state` or `emulator_state(app)`; useful EmulatorState methods for tests:
  add_user(name, language, user_id, following), ensure_user(id), set_following(id, bool), inbox(id, since=0),
  received_since(id, seq), chat(id), seq (last sequence number), issue_reply_token(id) / reply_token_used(token),
  travel(seconds) (expire reply tokens / retry keys / refill rate limits without sleeping), configure({...}),
  request_log(), usage, reset().
User ids must look like LINE's ("U" + 32 hex); make_user_id(name) derives a stable one.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from flask import Blueprint, Flask, Response, current_app, json, jsonify, request, send_from_directory

from bot.emulator.api import register_api
from bot.headers import add_protective_headers
from bot.emulator.state import EmulatorState, make_user_id, new_user_id
from bot.emulator.webhook import (EventError, Transport, build_event, complete_event, deliver_webhook,
                                  needs_reply_token, post_http)
from content.line_limits import USER_ID

__all__ = ["create_emulator_blueprint", "emulator_state", "EmulatorState", "make_user_id", "flask_transport"]

STATIC = Path(__file__).parent / "static"
REPLY_WAIT_SECONDS = 5.0
LANGUAGES = ("ja", "en", "ja-easy")


def create_emulator_blueprint(*, channel_secret: str, access_token: str, webhook_url: str | None = None,
                              transport: Transport | None = None,
                              location_presets: Callable[[], list[dict]] | None = None) -> Blueprint:
    """The emulator as a Blueprint (webhook_url None = this server's /callback; transport: how to post it;
    location_presets: the places the simulator offers to send, [{"title", "latitude", "longitude"}])."""
    state = EmulatorState()
    bp = Blueprint("emulator", __name__, static_folder=None)
    bp.state = state  # type: ignore[attr-defined]
    bp.record(lambda setup: setup.app.extensions.__setitem__("line_emulator", state))
    register_api(bp, state, access_token)
    _register_control(bp, state)
    _register_events(bp, state, channel_secret, webhook_url, transport or post_http)
    _register_simulator(bp, state, location_presets or (lambda: []))
    return bp


def emulator_state(app: Flask | None = None) -> EmulatorState:
    """The emulator state of an app that mounted the blueprint."""
    return (app or current_app).extensions["line_emulator"]


def flask_transport(app: Flask) -> Transport:
    """A transport that posts the webhook through the app's test client (tests without a real server)."""
    def post(url: str, body: bytes, headers: dict) -> int:
        """POST via the test client, keeping only the URL's path."""
        from urllib.parse import urlsplit
        return app.test_client().post(urlsplit(url).path, data=body, headers=headers).status_code
    return post


def _bad(message: str, status: int = 400) -> Response:
    """A JSON error for the emulator's own (non-LINE) endpoints."""
    return Response(json.dumps({"error": message}, ensure_ascii=False), status=status, mimetype="application/json")


def _register_control(bp: Blueprint, state: EmulatorState) -> None:
    """Inspection and fault-injection endpoints for tests, benchmarks and the simulator."""

    @bp.get("/inbox/<user_id>")
    def inbox(user_id: str):
        """Every message the user received, oldest first, each with via and at."""
        return jsonify(state.inbox(user_id, int(request.args.get("since", 0))))

    @bp.get("/requests")
    def requests_log():
        """Every API request received, oldest first."""
        return jsonify(state.request_log())

    @bp.post("/config")
    def configure():
        """{"quota", "latency_ms", "fail_next": [{"path", "status", "times", "delay_ms"?}],
        "fail_rate": [{"path", "status", "rate"}], "rate_limit": {rule: {...}}}."""
        options = request.get_json(silent=True)
        if not isinstance(options, dict):
            return _bad("send a JSON object")
        try:
            return state.configure(options)
        except (KeyError, TypeError, ValueError) as exc:
            return _bad(f"bad config: {exc}")

    @bp.get("/config")
    def show_config():
        """The current configuration."""
        return state.config()

    @bp.post("/reset")
    def reset():
        """Forget everything."""
        state.reset()
        return {}

    @bp.get("/users")
    def users():
        """Every pretend user."""
        with state.lock:
            return {"users": [u.public() for u in state.users.values()]}

    @bp.post("/users")
    def add_user():
        """Create a resident: {"name", "language": ja|en|ja-easy, optional "user_id"} (not following yet)."""
        data = request.get_json(silent=True) or {}
        name = str(data.get("name") or "").strip()
        language = data.get("language") or "ja"
        user_id = data.get("user_id") or new_user_id()
        if not name or len(name) > 20:
            return _bad("name must be 1-20 characters")
        if language not in LANGUAGES:
            return _bad("language must be one of " + ", ".join(LANGUAGES))
        if not USER_ID.match(user_id):
            return _bad("user_id must be 'U' followed by 32 hex digits")
        return state.add_user(name, language, user_id, following=bool(data.get("following", False))).public(), 201


def _register_events(bp: Blueprint, state: EmulatorState, channel_secret: str, webhook_url: str | None,
                     transport: Transport) -> None:
    """POST /emulator/events: the LINE app side (a user does something, LINE posts a webhook)."""

    @bp.post("/events")
    def events():
        """Sign and deliver one event, wait (≤ 5 s) for the reply, answer what the user received."""
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return _bad("send a JSON object")
        try:
            event, user_id = _event_from(data)
        except EventError as exc:
            return _bad(str(exc))
        if user_id:
            state.ensure_user(user_id)
            if state.is_blocked(user_id) and event["type"] not in ("follow", "unfollow"):
                # LINE carries nothing from a user who blocked the account: no webhook, so no answer either.
                return _bad("this user blocked the account: nothing is delivered until they add it again (follow)",
                            403)
            if event["type"] in ("follow", "unfollow"):
                state.set_following(user_id, event["type"] == "follow")
            state.record_user_action(user_id, _user_action(data, event))
        token = event.get("replyToken")
        if token is None and needs_reply_token(event) and user_id:
            token = event["replyToken"] = state.issue_reply_token(user_id)
        elif token is not None:
            state.issue_reply_token(user_id or "", token)  # a raw event's own token becomes valid
        already_used = bool(token) and state.reply_token_used(token)
        since = state.seq
        url = webhook_url or request.host_url.rstrip("/") + "/callback"
        try:
            status = deliver_webhook(state, channel_secret, url, [event], transport)
        except OSError as exc:
            return {"webhook_status": None, "error": f"webhook not reachable: {exc}", "messages": []}, 502
        replied = False
        if status == 200 and token and not already_used:
            replied = state.wait_for_reply(token, REPLY_WAIT_SECONDS)
        return {"webhook_status": status, "messages": state.received_since(user_id, since) if user_id else [],
                "replied": replied, "reply_token": token, "webhook_event_id": event["webhookEventId"]}


def _event_from(data: dict) -> tuple[dict, str | None]:
    """The LINE event for a /emulator/events request, and its user id."""
    if "raw" in data:
        raw = data["raw"]
        if not isinstance(raw, dict) or not raw.get("type"):
            raise EventError("raw must be a LINE event object with a type")
        user_id = (raw.get("source") or {}).get("userId") or data.get("user_id")
        return complete_event(raw, user_id), user_id
    user_id = data.get("user_id")
    if not isinstance(user_id, str) or not USER_ID.match(user_id):
        raise EventError("user_id must be a LINE user id: 'U' followed by 32 hex digits "
                         "(bot.emulator.make_user_id(name) makes one)")
    return build_event(data), user_id


def _user_action(data: dict, event: dict) -> dict:
    """What the simulator shows on the user's side of the chat for this event."""
    kind = event["type"]
    if kind == "message" and event["message"]["type"] == "text":
        return {"kind": "text", "text": event["message"]["text"]}
    if kind == "message" and event["message"]["type"] == "location":
        message = event["message"]
        return {"kind": "location", "latitude": message["latitude"], "longitude": message["longitude"],
                "title": message.get("title")}
    if kind == "postback":
        return {"kind": "postback", "data": event["postback"]["data"], "text": data.get("display_text")}
    return {"kind": kind}


def _register_simulator(bp: Blueprint, state: EmulatorState, location_presets: Callable[[], list[dict]]) -> None:
    """The chat simulator page and the JSON it reads."""

    @bp.get("/places")
    def places():
        """The places the simulator offers to send as a location (the city's own)."""
        return {"presets": location_presets()}

    @bp.get("/")
    def page():
        """The chat simulator (self-contained HTML/CSS/JS), with the console's protective headers."""
        response = send_from_directory(STATIC, "simulator.html")
        response.headers["Cache-Control"] = "no-store"
        return add_protective_headers(response)

    @bp.get("/static/<path:name>")
    def static_file(name: str):
        """The simulator's script and stylesheet."""
        response = send_from_directory(STATIC, name)
        response.headers["Cache-Control"] = "no-store"
        return add_protective_headers(response)

    @bp.get("/chat/<user_id>")
    def chat(user_id: str):
        """Both sides of a user's conversation after ?since=seq."""
        return {"entries": state.chat(user_id, int(request.args.get("since", 0))), "seq": state.seq}

    @bp.get("/richmenu")
    def richmenu():
        """The rich menu a user sees (?user_id=), with its image URL."""
        menu = state.richmenu_for(request.args.get("user_id"))
        if not menu:
            return {"richMenu": None, "imageUrl": None}
        has_image = menu["richMenuId"] in state.richmenu_images
        return {"richMenu": menu, "imageUrl": f"richmenu/{menu['richMenuId']}/image" if has_image else None}

    @bp.get("/richmenu/<rich_menu_id>/image")
    def richmenu_image(rich_menu_id: str):
        """A rich menu's image, for the simulator."""
        image = state.richmenu_images.get(rich_menu_id)
        if not image:
            return _bad("no image", 404)
        return Response(image[0], mimetype=image[1])
