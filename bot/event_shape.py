"""Reading a webhook body event by event: one malformed event is refused on its own, the others are kept.

A body that is not LINE's shape at all (not JSON, no `events` list) is refused whole. Inside a good body each
event is checked for what the inbox and the handlers rely on — the types of the common properties, a timestamp
that is a time, strings that can be stored (no lone surrogates, no NUL), a sane nesting depth — and a bad one
becomes a `Rejected` record while its neighbours go on. Unknown event types and extra properties are fine:
LINE adds them without notice.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from bot.inbox import Rejected, event_id_of

MAX_DEPTH = 32
MAX_TIMESTAMP_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z
# Structural characters and whole strings: enough to find the events array's elements without recursing.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]', re.DOTALL)
_OBJECT_FIELDS = ("source", "deliveryContext", "message", "postback")
_STRING_FIELDS = ("type", "mode", "replyToken", "webhookEventId")


@dataclass
class Body:
    """A webhook body read event by event."""

    events: list[dict] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def read_body(body: bytes) -> Body | None:
    """The good and the rejected events of a body, or None when the body itself is not LINE's shape."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        payload = json.loads(text, parse_int=_parse_int)
    except RecursionError:  # nesting deeper than Python's parser goes: read the events one by one
        return _read_events_separately(text)
    except ValueError:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        return None
    if payload["events"] and not any(isinstance(event, dict) for event in payload["events"]):
        return None  # not a single event object: not LINE's shape at all
    result = Body()
    for event in payload["events"]:
        _sort_event(result, event, raw=None)
    return result


def _parse_int(digits: str):
    """An integer; one too long for Python's int parser becomes infinity, which the event check refuses."""
    return int(digits) if len(digits) <= 40 else float("inf")


def _sort_event(result: Body, event, raw: str | None) -> None:
    """Put one parsed event among the good or the rejected ones."""
    problem = event_problem(event)
    if problem is None:
        result.events.append(event)
        return
    result.rejected.append(Rejected(_rejected_id(event, raw), problem, _type_of(event)))


def _type_of(event) -> str:
    """The event's type when it is a plain string (for counting rejected events by type)."""
    kind = event.get("type") if isinstance(event, dict) else None
    return kind if isinstance(kind, str) and clean_string(kind) else ""


def _rejected_id(event, raw: str | None) -> str:
    """The rejected event's webhookEventId when it has a usable one (so a redelivery is recognised), else a
    hash of what was sent."""
    given = event.get("webhookEventId") if isinstance(event, dict) else None
    if isinstance(given, str) and given and clean_string(given):
        return event_id_of({"webhookEventId": given})
    source = raw if raw is not None else repr(event)
    return "sha256:" + hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


def _read_events_separately(text: str) -> Body | None:
    """Split the top-level `events` array without recursion and parse each element on its own."""
    elements = split_events(text)
    if elements is None:
        return None
    result = Body()
    for raw in elements:
        try:
            event = json.loads(raw, parse_int=_parse_int)
        except RecursionError:
            result.rejected.append(Rejected(_deep_event_id(raw), f"nested deeper than {MAX_DEPTH} levels"))
            continue
        except ValueError:
            return None
        _sort_event(result, event, raw)
    return result


def _deep_event_id(raw: str) -> str:
    """The webhookEventId of an event too deep to parse, read from its top level, or a hash of it."""
    depth, key, previous = 0, None, None
    for match in _TOKENS.finditer(raw):
        token = match.group()
        if token in "[{":
            depth += 1
        elif token in "]}":
            depth -= 1
        elif token.startswith('"') and depth == 1:
            if previous in ("{", ","):
                key = token
            elif previous == ":" and key == '"webhookEventId"':
                try:
                    return _rejected_id({"webhookEventId": json.loads(token)}, raw)
                except ValueError:
                    break
        previous = token
    return _rejected_id(None, raw)


def split_events(text: str) -> list[str] | None:
    """The raw text of each element of the body's top-level "events" array (None when there is none)."""
    depth, in_events, start, elements, previous = 0, False, None, [], None
    last_key = None
    for match in _TOKENS.finditer(text):
        token = match.group()
        if in_events and depth == 2 and token in ",]":
            elements.append(text[start:match.start()].strip())
            start = match.end()
            if token == "]":
                return [e for e in elements if e]
        if token in "[{":
            depth += 1
            if depth == 2 and token == "[" and last_key == '"events"' and previous == ":":
                in_events, start = True, match.end()
        elif token in "]}":
            depth -= 1
        elif token.startswith('"') and depth == 1 and previous in ("{", ","):
            last_key = token
        previous = token
    return None


def clean_string(value: str) -> bool:
    """A string PostgreSQL and UTF-8 can hold: no lone surrogate, no NUL."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def event_problem(event) -> str | None:
    """Why an event cannot be taken as LINE's, or None when it can."""
    if not isinstance(event, dict):
        return "event is not an object"
    problem = _content_problem(event)
    if problem:
        return problem
    for name in _STRING_FIELDS:
        if name in event and not isinstance(event[name], str):
            return f"{name} is not a string"
    if not event.get("type"):
        return "type is missing"
    if "timestamp" in event and not _is_timestamp(event["timestamp"]):
        return "timestamp is not a time in milliseconds"
    for name in _OBJECT_FIELDS:
        if name in event and not isinstance(event[name], dict):
            return f"{name} is not an object"
    return _nested_problem(event)


def _is_timestamp(value) -> bool:
    """An integral number of milliseconds between 1970 and 9999."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return value == value and 0 <= value <= MAX_TIMESTAMP_MS and float(value).is_integer()


def _nested_problem(event: dict) -> str | None:
    """The properties inside source, message and postback that the handlers read."""
    source = event.get("source") or {}
    for name in ("type", "userId", "groupId", "roomId"):
        if name in source and not isinstance(source[name], str):
            return f"source.{name} is not a string"
    message = event.get("message") or {}
    for name in ("type", "text", "id"):
        if name in message and not isinstance(message[name], str):
            return f"message.{name} is not a string"
    postback = event.get("postback") or {}
    if "data" in postback and not isinstance(postback["data"], str):
        return "postback.data is not a string"
    if "params" in postback and not isinstance(postback["params"], dict):
        return "postback.params is not an object"
    return None


def _content_problem(event: dict) -> str | None:
    """Depth and strings, walked without recursion: nothing deeper than MAX_DEPTH, every string storable."""
    stack = [(event, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"nested deeper than {MAX_DEPTH} levels"
        if isinstance(value, dict):
            for key, item in value.items():
                if not clean_string(key):
                    return "a property name cannot be stored (lone surrogate or NUL)"
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and not clean_string(value):
            return "a string cannot be stored (lone surrogate or NUL)"
        elif isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return "a number is not finite"
    return None
