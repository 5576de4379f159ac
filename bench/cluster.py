"""A whole deployment on loopback, for load and fault runs: web processes, worker processes, the scheduler pair,
one PostgreSQL (or SQLite) database and the LINE emulator, with a load generator that counts everything.

The emulator runs inside this process (served by waitress on a thread) so the generator can issue each event's
reply token and see the moment it is used: every good event sent has a token of its own, LINE's tokens are
single-use, so "tokens used" is exactly "events answered", and a reply sent twice would be refused.

Used by tests/test_cluster_faults.py (small runs) and bench/webhook_bench.py (the benchmark table and the full
10,000-event fault run).
"""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from flask import Flask

from bot.emulator import create_emulator_blueprint
from bot.webhook import signature_for
from content.line_limits import validate_messages

ROOT = Path(__file__).resolve().parents[1]
SECRET = "cluster-channel-secret"
TOKEN = "cluster-access-token"
MARK_PLUGIN = "tests.support_handlers"


def free_port() -> int:
    """An unused TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def user_id(n: int) -> str:
    """A LINE-shaped user id for resident n."""
    return f"U{n:032x}"


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


# --------------------------------------------------------------------------- the emulator

class Emulator:
    """The LINE emulator served on loopback from this process; records when each reply token is used."""

    def __init__(self, threads: int = 16):
        from waitress.server import create_server

        bp = create_emulator_blueprint(channel_secret=SECRET, access_token=TOKEN, webhook_url="http://127.0.0.1:9/")
        self.state = bp.state
        app = Flask("emulator")
        app.register_blueprint(bp, url_prefix="/emulator")
        self.server = create_server(app, host="127.0.0.1", port=0, threads=threads, ident="emulator",
                                    connection_limit=1000, channel_timeout=30)
        self.base_url = f"http://127.0.0.1:{self.server.effective_port}"
        self.api_host = self.base_url + "/emulator"
        self.replied_at: dict[str, float] = {}
        self._record_reply_times()
        validate_messages([{"type": "text", "text": "warm-up"}])  # the validator's first use loads the SDK models
        self.thread = threading.Thread(target=self.server.run, name="emulator", daemon=True)
        self.thread.start()

    def _record_reply_times(self) -> None:
        """Wrap the state's token spending to note when each token was used (once: LINE refuses a second use)."""
        spend = self.state.use_reply_token

        def use_and_note(token: str):
            user = spend(token)
            if user is not None:
                self.replied_at[token] = time.monotonic()
            return user

        self.state.use_reply_token = use_and_note

    def issue(self, user: str, token: str) -> None:
        """Make a reply token valid, as LINE does when it sends the webhook."""
        self.state.issue_reply_token(user, token)

    def fail_replies(self, status: int, times: int) -> None:
        """The next `times` reply requests are answered with `status`."""
        self.state.configure({"fail_next": [{"path": "/v2/bot/message/reply", "status": status, "times": times}]})

    def slow_down(self, latency_ms: int) -> None:
        """Every API request waits this long before being answered (0: answer at once)."""
        self.state.configure({"latency_ms": latency_ms})

    def stop(self) -> None:
        """Stop serving."""
        self.server.close()


# --------------------------------------------------------------------------- processes

@dataclass
class Cluster:
    """Web, worker and scheduler processes on one database, answering through the emulator."""

    database_url: str
    emulator: Emulator
    web: int = 2
    workers: int = 2
    worker_threads: int = 4
    schedulers: int = 0
    lease_seconds: float = 3.0
    plugins: str = MARK_PLUGIN
    line_timeout: float = 5.0
    log_dir: Path | None = None
    web_procs: list[subprocess.Popen] = field(default_factory=list)
    worker_procs: list[subprocess.Popen] = field(default_factory=list)
    scheduler_procs: list[subprocess.Popen] = field(default_factory=list)
    web_urls: list[str] = field(default_factory=list)

    def env(self) -> dict:
        """The environment every process of the deployment gets."""
        return dict(os.environ, DATABASE_URL=self.database_url, LINE_CHANNEL_SECRET=SECRET,
                    LINE_CHANNEL_ACCESS_TOKEN=TOKEN, LINE_API_HOST=self.emulator.api_host,
                    SECRET_KEY="cluster-secret-key", TSUNAGARI_INBOX_THREADS="0", TSUNAGARI_PLUGINS=self.plugins,
                    TSUNAGARI_INBOX_LEASE_SECONDS=str(self.lease_seconds), TSUNAGARI_DB_POOL_SIZE="4",
                    TSUNAGARI_HTTP_TIMEOUT=str(self.line_timeout), TSUNAGARI_WEB_THREADS="8",
                    PYTHONPATH=str(ROOT), TSUNAGARI_LOG_LEVEL="WARNING")

    def _spawn(self, name: str, *args: str) -> subprocess.Popen:
        """One `tsunagari` process, its output in the log folder (or discarded)."""
        out = open(self.log_dir / f"{name}.log", "ab") if self.log_dir else subprocess.DEVNULL
        return subprocess.Popen([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=self.env(),
                                stdout=out, stderr=subprocess.STDOUT)

    def start(self, timeout: float = 90.0) -> None:
        """Start every process and wait until each web process answers /healthz."""
        for n in range(self.web):
            port = free_port()
            self.web_procs.append(self._spawn(f"web{n}", "serve", "--host", "127.0.0.1", "--port", str(port)))
            self.web_urls.append(f"http://127.0.0.1:{port}")
        for n in range(self.workers):
            self.worker_procs.append(self.start_worker(n))
        for n in range(self.schedulers):
            self.scheduler_procs.append(self._spawn(f"scheduler{n}", "scheduler"))
        deadline = time.monotonic() + timeout
        for url in self.web_urls:
            while not answers_http(url + "/healthz"):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"web process {url} did not start")
                time.sleep(0.2)

    def start_worker(self, n: int) -> subprocess.Popen:
        """A worker process (also used to start a replacement after a kill)."""
        return self._spawn(f"worker{n}", "worker", "--threads", str(self.worker_threads))

    def kill_worker(self, n: int) -> None:
        """SIGKILL a worker mid-work: no clean-up, its leases simply stop being renewed."""
        self.worker_procs[n].send_signal(signal.SIGKILL)
        self.worker_procs[n].wait(10)

    def replace_worker(self, n: int) -> None:
        """Start a new worker in the place of one that died."""
        self.worker_procs[n] = self.start_worker(n)

    def live_workers_ready(self, timeout: float = 60.0) -> bool:
        """Wait until every worker process has a heartbeat in the database."""
        from bot.inbox import backlog
        from models import make_engine

        engine = make_engine(self.database_url)
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if backlog(engine).live_workers >= len(self.worker_procs):
                    return True
                time.sleep(0.2)
            return False
        finally:
            engine.dispose()

    def stop(self) -> None:
        """Stop every process (SIGTERM, then SIGKILL for any that lingers)."""
        procs = self.web_procs + self.worker_procs + self.scheduler_procs
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


def answers_http(url: str) -> bool:
    """True when the URL answers at all (any status)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 600
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def terminate_database_connections(database_url: str) -> int:
    """pg_terminate_backend on every other connection to the database (web, workers, schedulers, listeners)."""
    from sqlalchemy import text

    from models import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            killed = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
        return int(killed or 0)
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- load

@dataclass
class Sent:
    """One webhook body as sent: its good events' reply tokens, when it went, how it was answered."""

    tokens: list[str]
    marks: list[tuple[str, str]]  # (user id, tag) of test_mark events, in the order sent
    bad: int
    at: float = 0.0
    status: int | None = None
    ack: float | None = None


def event_for(n: int, user: str, *, kind: str, token: str) -> dict:
    """A good event: a text question, or a test_mark postback carrying its tag."""
    event = {"type": "message" if kind == "text" else "postback", "mode": "active",
             "timestamp": int(time.time() * 1000), "webhookEventId": f"01LOAD{os.getpid():06d}{n:014d}",
             "replyToken": token, "deliveryContext": {"isRedelivery": False},
             "source": {"type": "user", "userId": user}}
    if kind == "text":
        event["message"] = {"type": "text", "id": str(n), "quoteToken": "q", "text": TEXTS[n % len(TEXTS)]}
    else:
        event["postback"] = {"data": f"action=test_mark&n={n}"}
    return event


# Menu words and questions a resident might type (the handler's cost differs a lot between them).
TEXTS = ("メニュー", "イベント", "こんにちは", "ヘルプ", "今週末のイベント")

MALFORMED = ('{"type": "message", "timestamp": 1e20, "webhookEventId": "01BAD%s"}',
             '{"type": "message", "source": "user", "webhookEventId": "01BAD%s"}',
             '{"type": "message", "source": {"type": "user", "userId": 42}, "webhookEventId": "01BAD%s"}',
             '{"type": "message", "message": {"type": "text", "text": "\\ud800"}, "webhookEventId": "01BAD%s"}')


class Load:
    """Builds bodies for many residents and sends them to the web processes, open-loop at a fixed rate."""

    def __init__(self, emulator: Emulator, web_urls: list[str], *, residents: int = 200, kind: str = "mark",
                 events_per_body: int = 1, malformed_every: int = 0, start: int = 0):
        self.emulator, self.web_urls = emulator, web_urls
        self.residents, self.kind = residents, kind
        self.events_per_body, self.malformed_every = events_per_body, malformed_every
        self.next_n = start
        self.sent: list[Sent] = []
        self._local = threading.local()

    def take_numbers(self, bodies: int) -> list[int]:
        """The first event number of each of the next `bodies` bodies."""
        first = self.next_n
        self.next_n += bodies * self.events_per_body
        return [first + i * self.events_per_body for i in range(bodies)]

    def body(self, first: int | None = None) -> tuple[bytes, Sent]:
        """A webhook body, made when it is sent: its timestamp is now and its reply tokens are issued now (as
        LINE issues them), so a body sent late in a run has the same minute to be answered as the first."""
        if first is None:
            (first,) = self.take_numbers(1)
        events, tokens, marks, bad = [], [], [], 0
        for n in range(first, first + self.events_per_body):
            if self.malformed_every and n % self.malformed_every == self.malformed_every - 1:
                events.append(MALFORMED[n % len(MALFORMED)] % f"{os.getpid():06d}{n:014d}")
                bad += 1
                continue
            user = user_id(n % self.residents)
            token = f"rt-{os.getpid()}-{n}"
            self.emulator.issue(user, token)
            kind = self.kind if self.kind != "mixed" else ("text" if n % 4 == 1 else "mark")
            events.append(json.dumps(event_for(n, user, kind=kind, token=token), ensure_ascii=False))
            tokens.append(token)
            if kind == "mark":
                marks.append((user, str(n)))
        body = ('{"destination": "U' + "0" * 32 + '", "events": [' + ", ".join(events) + "]}").encode()
        return body, Sent(tokens, marks, bad)

    def _connection(self, url: str) -> http.client.HTTPConnection:
        """A keep-alive connection per sending thread and web process."""
        conns = getattr(self._local, "conns", None)
        if conns is None:
            conns = self._local.conns = {}
        if url not in conns:
            conns[url] = http.client.HTTPConnection(url.split("//")[1], timeout=30)
        return conns[url]

    def post(self, index: int, body: bytes, sent: Sent) -> None:
        """POST one body (round-robin over the web processes), noting status and ack time."""
        url = self.web_urls[index % len(self.web_urls)]
        headers = {"Content-Type": "application/json", "X-Line-Signature": signature_for(SECRET, body)}
        sent.at = time.monotonic()
        for attempt in range(2):
            conn = self._connection(url)
            try:
                conn.request("POST", "/callback", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                sent.status, sent.ack = response.status, time.monotonic() - sent.at
                return
            except (OSError, http.client.HTTPException):
                conn.close()
                self._local.conns.pop(url, None)
                if attempt:
                    sent.status, sent.ack = None, time.monotonic() - sent.at

    def run(self, rate: float, seconds: float, *, during: Callable[[float], None] | None = None,
            senders: int = 32) -> list[Sent]:
        """Send `rate` bodies a second for `seconds` (bodies built ahead, so building costs no send time);
        `during(elapsed)` is called about every 0.1 s from another thread (for fault injection)."""
        count = int(rate * seconds)
        numbers = self.take_numbers(count)
        batch: list[Sent | None] = [None] * count
        start = time.monotonic() + 0.2
        stop = threading.Event()
        watcher = None
        if during:
            def watch():
                while not stop.wait(0.1):
                    during(time.monotonic() - start)
            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()

        def send(i: int) -> None:
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            body, batch[i] = self.body(numbers[i])
            self.post(i, body, batch[i])

        with ThreadPoolExecutor(max_workers=senders) as pool:
            list(pool.map(send, range(count)))
        stop.set()
        if watcher:
            watcher.join(2)
        self.sent += batch
        return batch

    def blast(self, count: int, senders: int = 16) -> list[Sent]:
        """Send `count` bodies as fast as `senders` threads can (closed loop: each waits for its answer)."""
        numbers = self.take_numbers(count)
        batch: list[Sent | None] = [None] * count

        def send(i: int) -> None:
            body, batch[i] = self.body(numbers[i])
            self.post(i, body, batch[i])

        with ThreadPoolExecutor(max_workers=senders) as pool:
            list(pool.map(send, range(count)))
        self.sent += batch
        return batch

    def wait_for_replies(self, batch: list[Sent], timeout: float) -> bool:
        """Wait until every good event of the batch was answered; False when the timeout passed first."""
        tokens = [t for sent in batch if sent.status == 200 for t in sent.tokens]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(t in self.emulator.replied_at for t in tokens):
                return True
            time.sleep(0.1)
        return False


# --------------------------------------------------------------------------- accounting

@dataclass
class Tally:
    """What a run sent and what became of it."""

    bodies: int
    bodies_ok: int
    good_events: int
    bad_events: int
    replied: int
    ack_p50_ms: float
    ack_p99_ms: float
    reply_p50_s: float
    reply_p99_s: float
    reply_max_s: float
    first_sent: float
    last_reply: float

    def events_per_second(self) -> float:
        """End to end: good events answered per second, from the first send to the last reply."""
        span = self.last_reply - self.first_sent
        return self.replied / span if span > 0 else 0.0


def tally(batch: list[Sent], replied_at: dict[str, float]) -> Tally:
    """Count a batch: bodies answered 200, events answered, ack and reply latencies."""
    acks = [s.ack for s in batch if s.ack is not None and s.status == 200]
    waits, last = [], 0.0
    for sent in batch:
        for token in sent.tokens:
            if token in replied_at:
                waits.append(replied_at[token] - sent.at)
                last = max(last, replied_at[token])
    return Tally(bodies=len(batch), bodies_ok=sum(1 for s in batch if s.status == 200),
                 good_events=sum(len(s.tokens) for s in batch), bad_events=sum(s.bad for s in batch),
                 replied=len(waits), ack_p50_ms=percentile(acks, 50) * 1000, ack_p99_ms=percentile(acks, 99) * 1000,
                 reply_p50_s=percentile(waits, 50), reply_p99_s=percentile(waits, 99),
                 reply_max_s=max(waits, default=0.0), first_sent=min((s.at for s in batch), default=0.0),
                 last_reply=last)


def marks_by_resident(database_url: str, secret_residents: list[str]) -> dict[str, list]:
    """What the test_mark handler recorded for each resident: the tags it ran, in the order it ran them."""
    from sqlmodel import Session, select

    from models import Resident, make_engine

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            found = session.exec(select(Resident).where(Resident.line_user_id.in_(secret_residents))).all()
            return {r.line_user_id: list(r.interests) for r in found}
    finally:
        engine.dispose()


def expected_marks(batch: list[Sent]) -> dict[str, list]:
    """The tags each resident sent in accepted bodies, in the order they were sent."""
    expected: dict[str, list] = {}
    for sent in sorted(batch, key=lambda s: s.at):
        if sent.status == 200:
            for user, tag in sent.marks:
                expected.setdefault(user, []).append(tag)
    return expected


def inbox_states(database_url: str) -> dict[str, int]:
    """Inbox rows by state."""
    from bot.inbox import counts_by_state
    from models import make_engine

    engine = make_engine(database_url)
    try:
        return counts_by_state(engine)
    finally:
        engine.dispose()


def median(values: list[float]) -> float:
    """The median, 0 for none."""
    return statistics.median(values) if values else 0.0
