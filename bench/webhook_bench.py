"""Webhook ack latency with the emulator: /callback (verify + durable store) beside a verify-only baseline.

Also the resident's round trip (POST /emulator/events → reply received), which includes a worker and the Messenger.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from flask import Flask, request

from bot.app import create_app
from bot.config import Config
from bot.webhook import is_valid_signature, signature_for
from models import create_schema, make_engine

REQUESTS = 400
USERS = 20


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile (nearest rank) in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))] * 1000


def serve(app: Flask) -> tuple[str, object]:
    """Serve an app on a free port in a thread; returns (base URL, server)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def baseline_app(secret: str) -> Flask:
    """The least a webhook can do: check the signature and answer 200, storing nothing."""
    app = Flask("baseline")

    @app.post("/callback")
    def callback():
        """Verify only."""
        body = request.get_data()
        if not is_valid_signature(secret, body, request.headers.get("X-Line-Signature")):
            return {}, 400
        json.loads(body)
        return {}, 200

    return app


def text_body(n: int) -> bytes:
    """A one-event webhook body from one of USERS residents."""
    event = {"type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
             "webhookEventId": f"01BENCH{time.time_ns():019d}{n:06d}"[:26], "replyToken": f"bench-{n}",
             "deliveryContext": {"isRedelivery": False}, "source": {"type": "user", "userId": f"U{n % USERS:032d}"},
             "message": {"type": "text", "id": str(n), "quoteToken": "q", "text": "今週末のイベント"}}
    return json.dumps({"destination": "U0", "events": [event]}).encode()


def time_posts(url: str, secret: str, count: int) -> list[float]:
    """Seconds per signed POST to url."""
    timings = []
    for n in range(count):
        body = text_body(n)
        req = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json", "X-Line-Signature": signature_for(secret, body)})
        start = time.perf_counter()
        with urllib.request.urlopen(req, timeout=10) as resp:
            resp.read()
        timings.append(time.perf_counter() - start)
    return timings


def time_round_trips(base: str, count: int) -> list[float]:
    """Seconds from a resident's message to the bot's reply, through the emulator."""
    timings = []
    for n in range(count):
        payload = json.dumps({"user_id": f"U{n % 5 + 0xbe00:032x}", "type": "message", "text": "今週末のイベント"}).encode()
        req = urllib.request.Request(base + "/emulator/events", data=payload, method="POST",
                                     headers={"Content-Type": "application/json"})
        start = time.perf_counter()
        with urllib.request.urlopen(req, timeout=20) as resp:
            resp.read()
        timings.append(time.perf_counter() - start)
    return timings


def start_tsunagari(folder: Path, name: str, inbox_threads: int):
    """The real app with the emulator on a free port; returns (base URL, app, server, database URL)."""
    from werkzeug.serving import make_server

    url = f"sqlite:///{folder / (name + '.db')}"
    engine = make_engine(url)
    create_schema(engine)
    config = Config(database_url=url, testing=True, inbox_threads=inbox_threads, session_cookie_secure=False)
    # The port is known only after binding, so bind first and fill the emulator's address in after.
    server = make_server("127.0.0.1", 0, Flask("placeholder"), threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app = create_app(config.with_emulator(base), engine=engine)
    server.app = app
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return base, app, server, url


def start_worker_process(database_url: str, base: str, secret: str, token: str) -> subprocess.Popen:
    """`tsunagari worker` in its own process, as a production deployment runs it."""
    env = dict(os.environ, DATABASE_URL=database_url, LINE_CHANNEL_SECRET=secret, LINE_CHANNEL_ACCESS_TOKEN=token,
               LINE_API_HOST=base + "/emulator")
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "worker", "--threads", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure(base: str, secret: str) -> tuple[list[float], list[float]]:
    """(ack latencies, round trips) against one running server."""
    time_posts(base + "/callback", secret, 20)  # warm-up: dictionary, index, connections
    time_round_trips(base, 5)
    return time_posts(base + "/callback", secret, REQUESTS), time_round_trips(base, 60)


def print_row(name: str, values: list[float], note: str = "") -> None:
    """One line of the table."""
    print(f"{name:44} {percentile(values, 50):8.2f} {percentile(values, 99):8.2f} "
          f"{statistics.mean(values) * 1000:8.2f}  {note}")


def main() -> None:
    """Print ack latency p50/p99 for tsunagari's /callback (two deployments) beside the baseline, and round trips."""
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one access-log line per request would drown the figures
    with tempfile.TemporaryDirectory() as tmp:
        base, app, server, _ = start_tsunagari(Path(tmp), "threads", inbox_threads=2)
        config = app.extensions["tsunagari"].config
        secret, token = config.channel_secret, config.channel_access_token
        threads_ack, threads_trips = measure(base, secret)
        server.shutdown()
        app.extensions["tsunagari"].workers.stop()

        base, app, server, url = start_tsunagari(Path(tmp), "process", inbox_threads=0)
        worker = start_worker_process(url, base, secret, token)
        try:
            process_ack, process_trips = measure(base, secret)
        finally:
            worker.terminate()
            worker.wait(10)
            server.shutdown()

        base_url, base_server = serve(baseline_app(secret))
        baseline = time_posts(base_url + "/callback", secret, REQUESTS)
        base_server.shutdown()

    print("\nWebhook ack latency with the emulator (SQLite WAL, %d sequential signed POSTs, 1 event each)" % REQUESTS)
    print(f"{'':44} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    print_row("/callback, worker threads in the web process", threads_ack, "(the default)")
    print_row("/callback, `tsunagari worker` process", process_ack, "(production layout)")
    print_row("baseline: verify only, store nothing", baseline)
    print_row("round trip, worker threads", threads_trips, "(message → worker → reply)")
    print_row("round trip, worker process", process_trips)


if __name__ == "__main__":
    main()
