"""In-memory, thread-safe state of the emulated LINE platform: users, inboxes, tokens, keys, quota, limits."""
from __future__ import annotations

import copy
import hashlib
import os
import random
import secrets
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

REPLY_TOKEN_TTL = 60.0          # seconds a reply token can be used (LINE: "within one minute")
REDELIVERY_WINDOW = 20 * 60.0  # a redelivered token works only within 20 minutes of the event
RETRY_KEY_TTL = 24 * 3600.0     # LINE keeps an accepted X-Line-Retry-Key for 24 hours
MAX_LOGGED_REQUESTS = 50_000
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# LINE's per-endpoint rate limits (line-platform.md §1.2): rule -> (requests, per seconds).
DEFAULT_RATE_LIMITS: dict[str, tuple[int, float]] = {
    "POST /v2/bot/message/broadcast": (60, 3600.0),
    "POST /v2/bot/message/narrowcast": (60, 3600.0),
    "POST /v2/bot/message/multicast": (200, 1.0),
    "POST /v2/bot/richmenu": (100, 3600.0),
    "DELETE /v2/bot/richmenu/<rich_menu_id>": (100, 3600.0),
    "GET /v2/bot/richmenu/list": (10, 1.0),
}
OTHER_ENDPOINTS_LIMIT = (2000, 1.0)


def make_user_id(name: str) -> str:
    """A LINE-shaped user id ("U" + 32 hex) derived from a name, stable across runs (handy in tests)."""
    return "U" + hashlib.md5(name.encode("utf-8")).hexdigest()


def new_user_id() -> str:
    """A fresh random LINE-shaped user id."""
    return "U" + uuid.uuid4().hex


def new_ulid(now: float | None = None) -> str:
    """A ULID-like webhookEventId: 48-bit ms timestamp + 80 random bits, Crockford base32 (26 chars)."""
    ms = int((time.time() if now is None else now) * 1000)
    value = (ms << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def new_message_id() -> str:
    """An 18-digit message id like LINE's."""
    return str(secrets.randbelow(9 * 10**17) + 10**17)


def iso_now() -> str:
    """The current time as ISO 8601 UTC with milliseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class User:
    """A pretend LINE user (a resident using the chat simulator or a test)."""

    user_id: str
    display_name: str
    language: str = "ja"
    following: bool = True
    rich_menu_id: str | None = None
    created_at: str = field(default_factory=iso_now)
    blocked: bool = False  # unfollowed: LINE carries nothing from or to this user until they add the account again

    def public(self) -> dict:
        """The user as the simulator's JSON shows it."""
        data = asdict(self)
        return {"userId": data["user_id"], "displayName": data["display_name"], "language": data["language"],
                "following": data["following"], "blocked": data["blocked"], "richMenuId": data["rich_menu_id"],
                "createdAt": data["created_at"]}


class TokenBucket:
    """LINE's rate limiting: a token bucket per endpoint."""

    def __init__(self, requests: int, per_seconds: float, now: float):
        self.capacity = float(requests)
        self.rate = requests / per_seconds
        self.tokens = float(requests)
        self.stamp = now

    def take(self, now: float) -> bool:
        """Take one token; False when the bucket is empty."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class EmulatorState:
    """Everything the emulator remembers; every method takes the lock (the web server is threaded)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.time_offset = 0.0
        self.bot_user_id = new_user_id()
        self.reset()

    # --- clock -------------------------------------------------------------------------------------------
    def now(self) -> float:
        """Monotonic seconds, shifted by travel() so tests can expire tokens without sleeping."""
        return time.monotonic() + self.time_offset

    def travel(self, seconds: float) -> None:
        """Move the emulator's clock forward (reply tokens, retry keys and rate limits see the jump)."""
        with self.lock:
            self.time_offset += seconds

    # --- lifecycle ---------------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget everything: users, inboxes, tokens, keys, requests, config, rich menus."""
        with self.lock:
            self.users: dict[str, User] = {}
            self.log: list[dict] = []               # chat log: user and bot entries, by seq
            self.log_by_user: dict[str, list[dict]] = {}  # the same entries per user (inboxes of 100,000 users)
            self.seq = 0
            self.reply_tokens: dict[str, dict] = {}
            self.retry_keys: dict[str, dict] = {}
            self.requests: list[dict] = []
            self.quota: int | None = None
            self.usage = 0
            self.latency_ms = 0
            self.fail_next: list[dict] = []
            self.fail_rate: list[dict] = []
            self.rate_limits: dict[str, tuple[int, float]] = dict(DEFAULT_RATE_LIMITS)
            self.buckets: dict[str, TokenBucket] = {}
            self.richmenus: dict[str, dict] = {}
            self.richmenu_images: dict[str, tuple[bytes, str]] = {}
            self.default_richmenu: str | None = None
            self.changed.notify_all()

    def configure(self, options: dict) -> dict:
        """Apply {"quota", "latency_ms", "fail_next", "rate_limit"}; returns the resulting config."""
        with self.lock:
            if "quota" in options:
                self.quota = None if options["quota"] is None else int(options["quota"])
            if "latency_ms" in options:
                self.latency_ms = max(0, int(options["latency_ms"] or 0))
            for rule in options.get("fail_next") or []:
                self.fail_next.append({"path": _line_path(rule["path"]), "status": int(rule.get("status", 500)),
                                       "times": int(rule.get("times", 1)),
                                       "delay_ms": max(0, int(rule.get("delay_ms", 0) or 0))})
            if "fail_rate" in options:  # [{"path", "status", "rate"}]: every request fails with that chance
                rules = options["fail_rate"] or []
                self.fail_rate = [{"path": _line_path(r["path"]), "status": int(r.get("status", 500)),
                                   "rate": min(1.0, max(0.0, float(r["rate"])))}
                                  for r in ([rules] if isinstance(rules, dict) else rules)]
            for rule, limit in (options.get("rate_limit") or {}).items():
                if isinstance(limit, dict):
                    limit = (int(limit["requests"]), float(limit.get("per_seconds", 1)))
                elif isinstance(limit, (list, tuple)):
                    limit = (int(limit[0]), float(limit[1]))
                else:
                    limit = (int(limit), 1.0)
                key = rule if " " in rule else "POST " + _line_path(rule)
                self.rate_limits[key] = limit
                self.buckets.pop(key, None)
            return self.config()

    def config(self) -> dict:
        """The current configuration as JSON."""
        with self.lock:
            return {"quota": self.quota, "usage": self.usage, "latency_ms": self.latency_ms,
                    "fail_next": copy.deepcopy(self.fail_next), "fail_rate": copy.deepcopy(self.fail_rate),
                    "rate_limit": {k: {"requests": v[0], "per_seconds": v[1]} for k, v in self.rate_limits.items()}}

    # --- users -------------------------------------------------------------------------------------------
    def add_user(self, display_name: str, language: str = "ja", user_id: str | None = None,
                 following: bool = False) -> User:
        """Create (or update the name and language of) a user."""
        with self.lock:
            uid = user_id or new_user_id()
            user = self.users.get(uid)
            if user is None:
                user = self.users[uid] = User(uid, display_name, language, following)
            else:
                user.display_name, user.language = display_name, language
            self.changed.notify_all()
            return user

    def ensure_user(self, user_id: str) -> User:
        """The user with this id, created on first use (following, Japanese, a made-up name)."""
        with self.lock:
            user = self.users.get(user_id)
            if user is None:
                user = self.add_user(f"住民{len(self.users) + 1}", "ja", user_id, following=True)
            return user

    def set_following(self, user_id: str, following: bool) -> None:
        """Record a follow (or unblock) / unfollow (block)."""
        with self.lock:
            user = self.ensure_user(user_id)
            user.following, user.blocked = following, not following

    def is_blocked(self, user_id: str) -> bool:
        """True for a user who blocked the account (unfollowed and not added again)."""
        with self.lock:
            user = self.users.get(user_id)
            return bool(user and user.blocked)

    def followers(self) -> list[str]:
        """Ids of users who follow the account (broadcast recipients)."""
        with self.lock:
            return [u.user_id for u in self.users.values() if u.following]

    def can_receive(self, user_id: str) -> bool:
        """True when a push to this user is delivered (a known user who follows)."""
        with self.lock:
            user = self.users.get(user_id)
            return bool(user and user.following)

    # --- chat log and inboxes ----------------------------------------------------------------------------
    def _append(self, entry: dict) -> dict:
        """Add an entry to the chat log with the next sequence number."""
        self.seq += 1
        entry = {"seq": self.seq, "at": iso_now(), **entry}
        self.log.append(entry)
        self.log_by_user.setdefault(entry.get("user_id"), []).append(entry)
        self.changed.notify_all()
        return entry

    def deliver(self, user_id: str, messages: list[dict], via: str, shared: bool = False) -> list[dict]:
        """Put messages into a user's inbox; returns LINE's sentMessages (id, quoteToken).

        shared=True: the messages are already a private copy kept by every recipient of one multicast
        (read-only afterwards: readers get deep copies), instead of one copy per recipient."""
        sent = []
        with self.lock:
            for message in messages:
                ids = {"id": new_message_id(), "quoteToken": secrets.token_urlsafe(24)}
                self._append({"from": "bot", "user_id": user_id, "via": via,
                              "message": message if shared else copy.deepcopy(message), **ids})
                sent.append(ids)
        return sent

    def record_user_action(self, user_id: str, action: dict) -> dict:
        """Log what the user did (typed text, tapped a postback, sent a location) for the simulator."""
        with self.lock:
            return self._append({"from": "user", "user_id": user_id, **action})

    def inbox(self, user_id: str, since: int = 0) -> list[dict]:
        """Messages the user received after sequence `since`, oldest first, each with `via` and `at`."""
        with self.lock:
            return [{**copy.deepcopy(e["message"]), "via": e["via"], "at": e["at"], "id": e["id"]}
                    for e in self.log_by_user.get(user_id, ()) if e["from"] == "bot" and e["seq"] > since]

    def received_since(self, user_id: str, since: int) -> list[dict]:
        """Plain LINE message objects the user received after sequence `since`."""
        with self.lock:
            return [copy.deepcopy(e["message"]) for e in self.log_by_user.get(user_id, ())
                    if e["from"] == "bot" and e["seq"] > since]

    def chat(self, user_id: str, since: int = 0) -> list[dict]:
        """The user's whole conversation (both sides) after sequence `since`."""
        with self.lock:
            return [copy.deepcopy(e) for e in self.log_by_user.get(user_id, ()) if e["seq"] > since]

    # --- reply tokens ------------------------------------------------------------------------------------
    def issue_reply_token(self, user_id: str, token: str | None = None) -> str:
        """A reply token for an event delivered to the bot (single use, 60 s); a known one is renewed on redelivery."""
        with self.lock:
            token = token or secrets.token_hex(16)
            entry = self.reply_tokens.get(token)
            if entry is None:
                self.reply_tokens[token] = {"user_id": user_id, "issued": self.now(), "first": self.now(), "used": False}
            elif not entry["used"] and self.now() - entry["first"] <= REDELIVERY_WINDOW:
                entry["issued"] = self.now()  # a redelivery carries the same token, good for another minute
            return token

    def use_reply_token(self, token: str) -> str | None:
        """Spend a reply token; returns its user id, or None when unknown, used or over a minute old."""
        with self.lock:
            entry = self.reply_tokens.get(token)
            if not entry or entry["used"] or self.now() - entry["issued"] > REPLY_TOKEN_TTL:
                return None
            entry["used"] = True
            self.changed.notify_all()
            return entry["user_id"]

    def reply_token_used(self, token: str) -> bool:
        """True once the bot has replied with this token."""
        with self.lock:
            return bool(self.reply_tokens.get(token, {}).get("used"))

    def wait_for_reply(self, token: str, timeout: float) -> bool:
        """Block until the reply token is used (True) or the timeout passes (False)."""
        with self.changed:
            return self.changed.wait_for(lambda: self.reply_token_used(token), timeout=timeout)

    # --- retry keys --------------------------------------------------------------------------------------
    def accepted_request(self, retry_key: str) -> dict | None:
        """The earlier accepted request for this retry key (within 24 h), if any."""
        with self.lock:
            entry = self.retry_keys.get(retry_key)
            if entry and self.now() - entry["at"] <= RETRY_KEY_TTL:
                return entry
            return None

    def accept_retry_key(self, retry_key: str, request_id: str, sent: list[dict] | None) -> None:
        """Remember that a request with this key was accepted."""
        with self.lock:
            self.retry_keys[retry_key] = {"request_id": request_id, "at": self.now(), "sent": sent}

    # --- quota, rate limits, faults ----------------------------------------------------------------------
    def quota_allows(self, recipients: int) -> bool:
        """True when the monthly quota (if any) covers this many more recipients."""
        with self.lock:
            return self.quota is None or self.usage + recipients <= self.quota

    def count_usage(self, recipients: int) -> None:
        """Count delivered push/multicast/broadcast recipients against the monthly quota."""
        with self.lock:
            self.usage += recipients

    def take_rate_token(self, rule: str) -> bool:
        """One request against the endpoint's token bucket; False = 429."""
        with self.lock:
            bucket = self.buckets.get(rule)
            if bucket is None:
                requests, per = self.rate_limits.get(rule, OTHER_ENDPOINTS_LIMIT)
                bucket = self.buckets[rule] = TokenBucket(requests, per, self.now())
            return bucket.take(self.now())

    def injected_fault(self, path: str) -> tuple[int | None, int]:
        """(status to answer with or None, extra delay in ms) for a fault injected on this LINE path.

        A fail_next rule with a status below 400 and a delay_ms is a slow answer: the request IS processed,
        only late — a client that times out meanwhile does not know that it was accepted."""
        with self.lock:
            for rule in self.fail_next:
                if rule["path"] == path and rule["times"] > 0:
                    rule["times"] -= 1
                    if rule["times"] == 0:
                        self.fail_next.remove(rule)
                    status = rule["status"] if rule["status"] >= 400 else None
                    return status, rule.get("delay_ms", 0)
            for rule in self.fail_rate:
                if rule["path"] == path and random.random() < rule["rate"]:
                    return rule["status"], 0
            return None, 0

    def injected_failure(self, path: str) -> int | None:
        """The status to answer with if a fault was injected for this LINE path (delays ignored)."""
        return self.injected_fault(path)[0]

    # --- request log -------------------------------------------------------------------------------------
    def log_request(self, entry: dict) -> None:
        """Append one API request to the request log."""
        with self.lock:
            self.requests.append({"at": iso_now(), **entry})
            if len(self.requests) > MAX_LOGGED_REQUESTS:  # a long demo must not grow without bound
                del self.requests[: len(self.requests) - MAX_LOGGED_REQUESTS]

    def request_log(self) -> list[dict]:
        """Every API request received, oldest first."""
        with self.lock:
            return copy.deepcopy(self.requests)

    # --- rich menus --------------------------------------------------------------------------------------
    def add_richmenu(self, menu: dict) -> str:
        """Store a rich menu; returns its id."""
        with self.lock:
            menu_id = "richmenu-" + uuid.uuid4().hex
            self.richmenus[menu_id] = {"richMenuId": menu_id, **copy.deepcopy(menu)}
            return menu_id

    def richmenu_for(self, user_id: str | None) -> dict | None:
        """The menu a user sees: their linked one, else the default."""
        with self.lock:
            user = self.users.get(user_id) if user_id else None
            menu_id = (user.rich_menu_id if user else None) or self.default_richmenu
            return copy.deepcopy(self.richmenus.get(menu_id)) if menu_id else None


def _line_path(path: str) -> str:
    """A LINE API path without the emulator's mount prefix ("/emulator/v2/bot/x" -> "/v2/bot/x")."""
    path = "/" + path.lstrip("/")
    return path[len("/emulator"):] if path.startswith("/emulator/") else path
