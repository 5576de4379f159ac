"""The one way messages leave the bot: reply, push, multicast, profile and quota over LINE's Messaging API.

LineMessenger wraps line-bot-sdk v3's MessagingApi. Every outgoing message list passes
content.line_limits.validate_messages first; every HTTP call carries a timeout; 5xx, timeouts and
429 are retried with exponential backoff and jitter inside a bounded time budget, and push/multicast
reuse the same X-Line-Retry-Key on every attempt so LINE sends them at most once (409 = already sent).

Thread safety: one ApiClient is shared by all threads. Its urllib3 PoolManager is thread-safe; the only
shared state the SDK writes per call is ApiClient.last_response, which we never read (we call the
*_with_http_info variants, which hand each thread its own response and headers).

Logs carry the operation, path template, status, LINE request id, attempt and counts — never message
text, user ids or response bodies.
"""
from __future__ import annotations

import functools
import logging
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, Iterable

import urllib3
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    Message,
    MessagingApi,
    PushMessageRequest,
)

logger = logging.getLogger(__name__)

MAX_RECIPIENTS = 500
INVALID_REPLY_TOKEN = "Invalid reply token"
MONTHLY_LIMIT = "monthly limit"


# --------------------------------------------------------------------------- results and errors

@dataclass
class SendResult:
    """What LINE said about a push or multicast: accepted now, or accepted earlier under the same retry key."""

    status: str  # "accepted" | "duplicate"
    request_id: str | None
    retry_key: str | None


class LineError(Exception):
    """Base of every failure the Messenger reports."""


class InvalidReplyToken(LineError):
    """LINE answered 400 "Invalid reply token": unknown, used or expired (about a minute)."""

    def __init__(self, message: str = INVALID_REPLY_TOKEN, *, maybe_delivered: bool = False):
        super().__init__(message)
        # True when an earlier attempt of the same reply timed out or got a 5xx: LINE may have used
        # the token for that attempt, so the resident may well have received the reply.
        self.maybe_delivered = maybe_delivered


class TransientLineError(LineError):
    """5xx, timeout or 429 still failing after the retries: the caller may try again later (same retry key)."""

    def __init__(self, message: str, *, status: int | None = None, retry_key: str | None = None,
                 retry_after: float | None = None, quota_exhausted: bool = False):
        super().__init__(message)
        self.status = status
        self.retry_key = retry_key
        self.retry_after = retry_after
        self.quota_exhausted = quota_exhausted  # 429 "You have reached your monthly limit."


class LineRequestRejected(LineError):
    """Any other 4xx: LINE refused the request as it is; sending it again will not help."""

    def __init__(self, status: int, body: str | None):
        self.status = status
        self.body = body
        super().__init__(f"LINE rejected the request: {status} {_error_message(body)}")


def _error_message(body: str | None) -> str:
    """LINE's one-line error message from an error body (never echoes request content)."""
    import json

    try:
        return str(json.loads(body or "{}").get("message", ""))[:200]
    except (ValueError, AttributeError):
        return ""


# --------------------------------------------------------------------------- helpers for callers

def chunks_of_500(user_ids: Iterable[str]) -> list[list[str]]:
    """Split recipients into multicast batches of at most 500, dropping repeats (first occurrence kept)."""
    unique = list(dict.fromkeys(user_ids))
    return [unique[i:i + MAX_RECIPIENTS] for i in range(0, len(unique), MAX_RECIPIENTS)]


def new_retry_key() -> str:
    """A fresh X-Line-Retry-Key (UUID in hex-with-hyphens form, as LINE asks)."""
    return str(uuid.uuid4())


def validate_outgoing(messages: list[dict]) -> None:
    """Refuse what LINE would refuse, before any request (the one validator: content.line_limits)."""
    import json

    # A fan-out sends the same messages in every batch: each distinct list is validated once (~8 ms each).
    _validate_json(json.dumps(messages, ensure_ascii=False, sort_keys=True))


@functools.lru_cache(maxsize=64)
def _validate_json(text: str) -> None:
    """Validate messages given as canonical JSON (cached: only lists that passed are remembered)."""
    import json

    # Imported late: the validator module belongs to another part of the project.
    from content.line_limits import validate_messages

    validate_messages(json.loads(text))


# --------------------------------------------------------------------------- the interface

class Messenger:
    """The interface handlers' results and jobs are sent through."""

    def reply(self, reply_token: str, messages: list[dict]) -> None:
        """Answer a webhook event with its reply token (free; single use; about a minute)."""
        raise NotImplementedError

    def push(self, to: str, messages: list[dict], retry_key: str | None = None) -> SendResult:
        """Send to one user, group or room (counts against the monthly quota)."""
        raise NotImplementedError

    def multicast(self, to: list[str], messages: list[dict], retry_key: str | None = None) -> SendResult:
        """Send to up to 500 users in one request (counts once per recipient)."""
        raise NotImplementedError

    def profile(self, user_id: str) -> dict | None:
        """A user's LINE profile ({"displayName", "userId", "language"?, ...}); None when LINE has none."""
        raise NotImplementedError

    def quota(self) -> dict:
        """This month's target limit and usage: {"type": "none"|"limited", "value": int|None, "used": int}."""
        raise NotImplementedError


# --------------------------------------------------------------------------- retries

@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts, exponential backoff with jitter, and a bound on the total time."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    budget: float = 30.0  # seconds from the first attempt after which no new attempt starts

    def backoff(self, attempt: int, rand: float) -> float:
        """Delay before attempt `attempt + 1`: base·2^(attempt-1), capped, times a jitter in [0.5, 1)."""
        cap = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return cap * (0.5 + 0.5 * rand)


# Profile and quota are lookups a caller can do without (a profile only gives the default language):
# fail fast so a worker answering a resident within the reply token's minute is not held up.
LOOKUP_POLICY = RetryPolicy(attempts=2, base_delay=0.25, max_delay=1.0, budget=5.0)
# A reply is retried briefly in place; the inbox then puts the event back and tries again while the token lives,
# so a worker thread is not held for long by a LINE outage (bot/dispatch.deliver_reply).
REPLY_POLICY = RetryPolicy(attempts=2, base_delay=0.2, max_delay=0.5, budget=2.0)


@dataclass(frozen=True)
class ApiOp:
    """One kind of API call, as it is logged (path is a template: never a user id)."""

    name: str
    path: str
    messages: int = 0
    recipients: int = 0
    retry_key: str | None = None


@dataclass
class _Outcome:
    """Status and headers of a call that ended in a status the caller wants to see (2xx, or one it accepts)."""

    status: int
    headers: dict = field(default_factory=dict)
    data: object = None


def _header(headers, name: str) -> str | None:
    """A response header, case-insensitively (the SDK hands over urllib3's HTTPHeaderDict or a dict)."""
    for key, value in (headers or {}).items():
        if str(key).lower() == name:
            return value
    return None


def _retry_after_seconds(headers) -> float | None:
    """Retry-After as seconds (LINE sends delta-seconds; HTTP dates are ignored)."""
    value = _header(headers, "retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class RetryingCaller:
    """Runs SDK calls with timeouts and retries, mapping LINE's answers to the Messenger's exceptions."""

    def __init__(self, policy: RetryPolicy, sleep: Callable[[float], None], clock: Callable[[], float],
                 rand: Callable[[], float]):
        self.policy = policy
        self.sleep = sleep
        self.clock = clock
        self.rand = rand

    def call(self, op: ApiOp, invoke: Callable[[], object], accept: tuple[int, ...] = (),
             policy: RetryPolicy | None = None) -> _Outcome:
        """Call `invoke` until it succeeds, fails for good, or the attempts/time budget run out."""
        policy = policy or self.policy
        deadline = self.clock() + policy.budget
        ambiguous = False  # an earlier attempt may have reached LINE (timeout or 5xx)
        for attempt in range(1, policy.attempts + 1):
            try:
                response = invoke()
            except ApiException as exc:
                status, headers, body = exc.status, exc.headers, exc.body
                body = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
                request_id = _header(headers, "x-line-request-id")
                if status in accept:
                    self._log(logging.INFO, op, status, request_id, attempt)
                    return _Outcome(status, headers or {})
                if status == 400 and INVALID_REPLY_TOKEN.lower() in (body or "").lower():
                    self._log(logging.INFO, op, status, request_id, attempt)
                    raise InvalidReplyToken(maybe_delivered=ambiguous) from None
                if status == 429:
                    delay = self._delay_after_429(policy, op, headers, body, attempt, deadline, request_id)
                elif status == 0 or status >= 500:
                    ambiguous = True
                    delay = self._delay_or_give_up(policy, op, status, attempt, deadline, request_id)
                else:
                    self._log(logging.WARNING, op, status, request_id, attempt)
                    raise LineRequestRejected(status, body) from None
            except urllib3.exceptions.HTTPError as exc:
                # Timeouts, refused or dropped connections: the request may or may not have arrived.
                ambiguous = True
                delay = self._delay_or_give_up(policy, op, None, attempt, deadline, None, type(exc).__name__)
            else:
                if isinstance(response, _Outcome):
                    self._log(logging.INFO, op, response.status, _header(response.headers, "x-line-request-id"),
                              attempt)
                    return response
                status = getattr(response, "status_code", 200)
                self._log(logging.INFO, op, status, _header(getattr(response, "headers", None),
                                                            "x-line-request-id"), attempt)
                return _Outcome(status, getattr(response, "headers", None) or {}, getattr(response, "data", None))
            self.sleep(delay)
        raise AssertionError("unreachable: the last attempt either returns or raises")

    def _delay_or_give_up(self, policy: RetryPolicy, op: ApiOp, status: int | None, attempt: int, deadline: float,
                          request_id: str | None, error: str | None = None) -> float:
        """Backoff before the next attempt after a 5xx or timeout, or TransientLineError when out of tries."""
        delay = policy.backoff(attempt, self.rand())
        if attempt >= policy.attempts or self.clock() + delay > deadline:
            self._log(logging.WARNING, op, status, request_id, attempt, error, gave_up=True)
            raise TransientLineError(f"LINE {op.name} failed after {attempt} attempts ({error or status})",
                                     status=status, retry_key=op.retry_key) from None
        self._log(logging.WARNING, op, status, request_id, attempt, error)
        return delay

    def _delay_after_429(self, policy: RetryPolicy, op: ApiOp, headers, body: str | None, attempt: int, deadline: float,
                         request_id: str | None) -> float:
        """Wait as LINE asks (Retry-After) or back off; give up at once when the monthly quota is spent."""
        retry_after = _retry_after_seconds(headers)
        if MONTHLY_LIMIT in (body or "").lower():
            # Waiting seconds will not bring back a monthly quota; let the caller reschedule.
            self._log(logging.WARNING, op, 429, request_id, attempt, "monthly limit", gave_up=True)
            raise TransientLineError(f"LINE {op.name}: monthly message limit reached", status=429,
                                     retry_key=op.retry_key, retry_after=retry_after,
                                     quota_exhausted=True) from None
        delay = retry_after if retry_after is not None else policy.backoff(attempt, self.rand())
        if attempt >= policy.attempts or self.clock() + delay > deadline:
            self._log(logging.WARNING, op, 429, request_id, attempt, "rate limited", gave_up=True)
            raise TransientLineError(f"LINE {op.name} rate-limited after {attempt} attempts", status=429,
                                     retry_key=op.retry_key, retry_after=retry_after) from None
        self._log(logging.WARNING, op, 429, request_id, attempt, "rate limited")
        return delay

    @staticmethod
    def _log(level: int, op: ApiOp, status: int | None, request_id: str | None, attempt: int,
             error: str | None = None, gave_up: bool = False) -> None:
        """One line per attempt: what, where, how it went, and counts — no content, no user ids."""
        from bot.ops import count_line_call

        count_line_call(op.name, status, error)
        logger.log(level, "LINE %s %s status=%s request_id=%s attempt=%d messages=%d recipients=%d%s%s",
                   op.name, op.path, status, request_id, attempt, op.messages, op.recipients,
                   f" error={error}" if error else "", " gave_up" if gave_up else "")


# --------------------------------------------------------------------------- keeping ids out of logs

_LINE_ID = re.compile(r"\b[UCR][0-9a-f]{32}\b")


class _RedactLineIds(logging.Filter):
    """Scrubs LINE ids from library debug logs (urllib3 logs request paths; profile paths hold a user id)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop the SDK's response-body dumps; replace LINE ids in everything else."""
        if isinstance(record.msg, str) and record.msg.startswith("response body"):
            return False
        message = record.getMessage()
        if _LINE_ID.search(message):
            record.msg, record.args = _LINE_ID.sub("U…", message), None
        return True


_filters_installed = threading.Lock()
_FILTERED_LOGGERS = ("urllib3.connectionpool", "linebot.v3.messaging.rest")


def _install_log_filters() -> None:
    """Attach the redaction filter once per process to the libraries' loggers that can see ids or bodies."""
    with _filters_installed:
        for name in _FILTERED_LOGGERS:
            target = logging.getLogger(name)
            if not any(isinstance(f, _RedactLineIds) for f in target.filters):
                target.addFilter(_RedactLineIds())


# --------------------------------------------------------------------------- the real thing

def make_api_client(config) -> ApiClient:
    """An SDK ApiClient for the config: LINE_API_HOST (None = real LINE), token, no hidden urllib3 retries."""
    configuration = Configuration(host=config.line_api_host, access_token=config.channel_access_token or "")
    configuration.retries = False  # we retry ourselves, with the retry key and a time budget
    _install_log_filters()
    return ApiClient(configuration)


class LineMessenger(Messenger):
    """Messenger over line-bot-sdk v3's MessagingApi (real LINE or the emulator, per config.line_api_host)."""

    def __init__(self, config, *, policy: RetryPolicy | None = None, lookup_policy: RetryPolicy = LOOKUP_POLICY,
                 reply_policy: RetryPolicy = REPLY_POLICY,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 rand: Callable[[], float] = random.random):
        self.timeout = tuple(config.http_timeout) if isinstance(config.http_timeout, (tuple, list)) \
            else config.http_timeout
        self.client = make_api_client(config)
        self.api = MessagingApi(self.client)
        self.caller = RetryingCaller(policy or RetryPolicy(), sleep, clock, rand)
        self.lookup_policy = lookup_policy
        self.reply_policy = reply_policy

    def close(self) -> None:
        """Release the HTTP connections."""
        self.client.rest_client.pool_manager.clear()

    def reply(self, reply_token: str, messages: list[dict]) -> None:
        """Answer with a reply token (never carries a retry key: LINE answers 400 to one on reply)."""
        validate_outgoing(messages)
        # Validated once above (the SDK's models included): sent as JSON, not built into models a second time.
        body = {"replyToken": reply_token, "messages": messages}
        op = ApiOp("reply", "/v2/bot/message/reply", messages=len(messages), recipients=1)
        self.caller.call(op, lambda: self._post_json(op.path, body), policy=self.reply_policy)

    def push(self, to: str, messages: list[dict], retry_key: str | None = None) -> SendResult:
        """Push with an X-Line-Retry-Key (made up when not given) that is reused on every retry."""
        validate_outgoing(messages)
        key = retry_key or new_retry_key()
        request = PushMessageRequest(to=to, messages=_to_sdk(messages))
        op = ApiOp("push", "/v2/bot/message/push", messages=len(messages), recipients=1, retry_key=key)
        outcome = self.caller.call(op, lambda: self.api.push_message_with_http_info(
            request, x_line_retry_key=key, _request_timeout=self.timeout, _preload_content=False),
            accept=(409,))
        return _send_result(outcome, key)

    def multicast(self, to: list[str], messages: list[dict], retry_key: str | None = None) -> SendResult:
        """Multicast to ≤ 500 user ids (use chunks_of_500), same retry key on every retry."""
        if not to or len(to) > MAX_RECIPIENTS:
            raise ValueError(f"multicast needs 1..{MAX_RECIPIENTS} recipients; use chunks_of_500()")
        validate_outgoing(messages)
        key = retry_key or new_retry_key()
        body = {"to": list(to), "messages": messages}
        op = ApiOp("multicast", "/v2/bot/message/multicast", messages=len(messages), recipients=len(to),
                 retry_key=key)
        outcome = self.caller.call(op, lambda: self._post_json(op.path, body, key), accept=(409,))
        return _send_result(outcome, key)

    def _post_json(self, path: str, body: dict, retry_key: str | None = None) -> _Outcome:
        """POST a validated LINE JSON body through the SDK's own HTTP client (same pool, headers, timeouts and
        ApiException on non-2xx), skipping its models: pydantic re-validating 500 recipient ids and the
        recursive serializer cost ~35 ms a request — 7 s of a 100,000-resident fan-out — and building a reply's
        models again after validate_outgoing was a fifth of a worker's CPU."""
        headers = {**self.client.default_headers, "Content-Type": "application/json", "Accept": "application/json"}
        if retry_key is not None:  # a reply must not carry one (LINE answers 400)
            headers["X-Line-Retry-Key"] = retry_key
        host = (self.client.configuration.host or self.api.line_base_path).rstrip("/")
        response = self.client.rest_client.request("POST", host + path, headers=headers, body=body,
                                                   _request_timeout=self.timeout)
        return _Outcome(response.status, dict(response.getheaders() or {}), None)

    def profile(self, user_id: str) -> dict | None:
        """The user's profile as LINE's JSON keys; None on 404 (not a friend, blocked, or no consent)."""
        op = ApiOp("profile", "/v2/bot/profile/{userId}", recipients=1)
        outcome = self.caller.call(op, lambda: self.api.get_profile_with_http_info(
            user_id, _request_timeout=self.timeout), accept=(404,), policy=self.lookup_policy)
        if outcome.status == 404 or outcome.data is None:
            return None
        return outcome.data.to_dict()

    def quota(self) -> dict:
        """Monthly target limit (quota) and messages counted so far (quota/consumption)."""
        limit = self.caller.call(ApiOp("quota", "/v2/bot/message/quota"),
                                 lambda: self.api.get_message_quota_with_http_info(_request_timeout=self.timeout),
                                 policy=self.lookup_policy).data
        used = self.caller.call(ApiOp("quota", "/v2/bot/message/quota/consumption"),
                                lambda: self.api.get_message_quota_consumption_with_http_info(
                                    _request_timeout=self.timeout), policy=self.lookup_policy).data
        kind = getattr(limit.type, "value", limit.type)
        return {"type": kind, "value": limit.value if kind == "limited" else None,
                "used": int(used.total_usage or 0)}


# Sends are called with _preload_content=False: the SDK then skips parsing the response body, so an
# accepted send is never turned into an error by a response shape it does not expect (we only need
# the status and the request-id headers).


def _to_sdk(messages: list[dict]) -> list[Message]:
    """LINE-shaped message dicts as SDK models (the SDK checks its own schema limits here too)."""
    return [Message.from_dict(message) for message in messages]


def _send_result(outcome: _Outcome, key: str) -> SendResult:
    """SendResult from a 2xx (accepted) or a 409 on the retry key (duplicate: accepted earlier)."""
    if outcome.status == 409:
        request_id = _header(outcome.headers, "x-line-accepted-request-id") or _header(
            outcome.headers, "x-line-request-id")
        return SendResult("duplicate", request_id, key)
    return SendResult("accepted", _header(outcome.headers, "x-line-request-id"), key)


# --------------------------------------------------------------------------- for tests

class RecordingMessenger(Messenger):
    """Records what would be sent (after the same validation as LineMessenger); can be told to fail."""

    def __init__(self, profiles: dict[str, dict] | None = None, quota: dict | None = None):
        self.sent: list[dict] = []
        self.profiles: dict[str, dict] = dict(profiles or {})
        self.quota_state: dict = dict(quota or {"type": "none", "value": None, "used": 0})
        self._failures: list[tuple[str | None, LineError]] = []
        self._accepted_keys: set[str] = set()
        self._used_tokens: set[str] = set()
        self._lock = threading.Lock()

    def fail_next(self, error: LineError, *, via: str | None = None, times: int = 1) -> None:
        """Make the next `times` sends (of kind `via`: reply/push/multicast/profile/quota, or any) raise `error`."""
        with self._lock:
            self._failures.extend([(via, error)] * times)

    def clear(self) -> None:
        """Forget what was sent."""
        with self._lock:
            self.sent.clear()

    def messages_to(self, to: str) -> list[dict]:
        """Every message pushed or multicast to one recipient, in order."""
        return [m for s in self.sent if s["via"] != "reply"
                for m in s["messages"] if to == s["to"] or (isinstance(s["to"], list) and to in s["to"])]

    def replies(self) -> list[list[dict]]:
        """The message lists sent as replies, in order."""
        return [s["messages"] for s in self.sent if s["via"] == "reply"]

    def reply(self, reply_token: str, messages: list[dict]) -> None:
        """Record a reply; a token used once already is refused, as LINE does."""
        self._maybe_fail("reply")
        validate_outgoing(messages)
        with self._lock:
            if reply_token in self._used_tokens:
                raise InvalidReplyToken()
            self._used_tokens.add(reply_token)
        self._record("reply", None, reply_token, messages, None)

    def push(self, to: str, messages: list[dict], retry_key: str | None = None) -> SendResult:
        """Record a push; a retry key already accepted answers "duplicate" and records nothing, as LINE does."""
        self._maybe_fail("push")
        validate_outgoing(messages)
        return self._record_keyed("push", to, messages, retry_key)

    def multicast(self, to: list[str], messages: list[dict], retry_key: str | None = None) -> SendResult:
        """Record a multicast (1..500 recipients)."""
        self._maybe_fail("multicast")
        if not to or len(to) > MAX_RECIPIENTS:
            raise ValueError(f"multicast needs 1..{MAX_RECIPIENTS} recipients; use chunks_of_500()")
        validate_outgoing(messages)
        return self._record_keyed("multicast", list(to), messages, retry_key)

    def profile(self, user_id: str) -> dict | None:
        """The profile given at construction (None when unknown)."""
        self._maybe_fail("profile")
        return self.profiles.get(user_id)

    def quota(self) -> dict:
        """The quota given at construction, with `used` counting recorded pushes and multicasts."""
        self._maybe_fail("quota")
        return dict(self.quota_state)

    def _record_keyed(self, via: str, to, messages: list[dict], retry_key: str | None) -> SendResult:
        """Record a push/multicast unless its retry key was already accepted."""
        key = retry_key or new_retry_key()
        with self._lock:
            if key in self._accepted_keys:
                return SendResult("duplicate", None, key)
            self._accepted_keys.add(key)
            self.quota_state["used"] = self.quota_state.get("used", 0) + (len(to) if isinstance(to, list) else 1)
        self._record(via, to, None, messages, key)
        return SendResult("accepted", f"recorded-{len(self.sent)}", key)

    def _record(self, via: str, to, reply_token: str | None, messages: list[dict], retry_key: str | None) -> None:
        """Append one call to .sent."""
        with self._lock:
            self.sent.append({"via": via, "to": to, "reply_token": reply_token,
                              "messages": list(messages), "retry_key": retry_key})

    def _maybe_fail(self, via: str) -> None:
        """Raise the first queued failure that applies to this kind of call."""
        with self._lock:
            for index, (wanted, error) in enumerate(self._failures):
                if wanted in (None, via):
                    del self._failures[index]
                    raise error
