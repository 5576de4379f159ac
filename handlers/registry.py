"""Handlers register here by decorator, keyed by event type and message type or postback action."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Optional
from urllib.parse import parse_qsl

from sqlmodel import Session

from content.i18n import translator
from models import Resident

Handler = Callable[["Context"], list]

# Where a postback names a row by an id that is not one (garbled, forged, past the database's integer range:
# 99999999999999999999 overflows SQLite and PostgreSQL alike), it goes here instead of to its handler.
BAD_ID_ACTION = "__bad_id__"
ID_PATTERN = re.compile(r"[0-9]{1,10}")
MAX_ID = 2**31 - 1  # PostgreSQL's integer


def is_valid_id(value: str) -> bool:
    """True for a positive id the database can hold."""
    return bool(ID_PATTERN.fullmatch(value)) and 0 < int(value) <= MAX_ID


class DuplicateHandler(RuntimeError):
    """A second handler was registered for a key that already has one."""


@dataclass
class Context:
    """What a handler gets: the event, the resident, one database session and "now" (Asia/Tokyo)."""

    session: Session
    event: dict
    now: datetime  # timezone-aware, in the city's zone
    resident: Optional[Resident] = None
    lang: str = "ja"
    can_reply: bool = True  # False when the reply token is missing or expired
    extra: dict = field(default_factory=dict)

    @property
    def _(self) -> Callable[[str], str]:
        """gettext for the resident's language."""
        return translator(self.lang)

    @property
    def text(self) -> str:
        """The message text, for text message events."""
        return (self.event.get("message") or {}).get("text", "")

    @property
    def postback(self) -> dict:
        """The postback data parsed into a dict (`action=...&k=v`)."""
        return parse_postback((self.event.get("postback") or {}).get("data", ""))


def parse_postback(data: str) -> dict:
    """`action=x&k=v` → {"action": "x", "k": "v"}; anything else → {"action": data}."""
    pairs = dict(parse_qsl(data or "", keep_blank_values=True))
    if "action" not in pairs:
        return {"action": data or ""}
    return pairs


class Registry:
    """Maps (event type, message type | postback action | None) to one handler."""

    def __init__(self) -> None:
        self._handlers: dict[tuple[str, Optional[str]], Handler] = {}
        self._id_keys: dict[tuple[str, Optional[str]], tuple[str, ...]] = {}

    def on(self, event_type: str, key: Optional[str] = None, *, ids: tuple[str, ...] = ()) -> Callable[[Handler], Handler]:
        """Register a handler; `ids` are the postback keys holding row ids, checked before it runs. Registering
        the same key twice raises DuplicateHandler."""
        def decorate(func: Handler) -> Handler:
            slot = (event_type, key)
            if slot in self._handlers:
                raise DuplicateHandler(f"{slot} already handled by {self._handlers[slot].__qualname__}")
            self._handlers[slot] = func
            self._id_keys[slot] = tuple(ids)
            return func
        return decorate

    def find(self, event: dict) -> Optional[Handler]:
        """The handler for an event, or None when the bot ignores it."""
        event_type = event.get("type", "")
        key: Optional[str] = None
        if event_type == "message":
            key = (event.get("message") or {}).get("type")
        elif event_type == "postback":
            data = parse_postback((event.get("postback") or {}).get("data", ""))
            key = data.get("action")
            if any(data.get(name) and not is_valid_id(data[name]) for name in self._id_keys.get((event_type, key), ())):
                key = BAD_ID_ACTION
        return self._handlers.get((event_type, key)) or self._handlers.get((event_type, None))

    def keys(self) -> list[tuple[str, Optional[str]]]:
        """Every registered key (for tests and docs)."""
        return sorted(self._handlers, key=lambda k: (k[0], k[1] or ""))


registry = Registry()
on_event = registry.on


def load_handlers() -> Registry:
    """Import every handler module so their decorators run; returns the filled registry."""
    import importlib
    import pkgutil

    import handlers

    for info in pkgutil.iter_modules(handlers.__path__):
        if info.name not in ("registry",):
            importlib.import_module(f"handlers.{info.name}")
    return registry
