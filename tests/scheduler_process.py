"""Running `tsunagari scheduler` (and other CLI commands) as real processes against a live server's emulator."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.emulator import emulator_state

ROOT = Path(__file__).resolve().parents[1]


def start_emulator_server(database_url: str, engine, inbox_threads: int = 0):
    """The web app with the emulator served over HTTP, without the search warm-up these tests do not need."""
    import threading

    from werkzeug.serving import make_server

    from bot.app import create_app
    from bot.config import Config
    from tests.conftest import LiveServer, free_port

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = Config(database_url=database_url, secret_key="live-secret", testing=True, inbox_threads=inbox_threads,
                    session_cookie_secure=False).with_emulator(base)
    app = create_app(config, engine=engine)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return LiveServer(app, base, server, thread)


def cli_env(database_url: str, api_host: str, **extra: str) -> dict:
    """The environment an operator would set: the database and the emulator (its made-up token is implied)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "TSUNAGARI_"))}
    env.update(DATABASE_URL=database_url, LINE_API_HOST=api_host, PYTHONPATH=str(ROOT),
               TSUNAGARI_QUIET_HOURS="")  # tests run at any hour; quiet hours have their own tests
    env.update(extra)
    return env


def start_scheduler(database_url: str, api_host: str, log_path: Path, **extra: str) -> subprocess.Popen:
    """`tsunagari scheduler` in its own process, logging to a file."""
    handle = open(log_path, "ab")
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "scheduler"], cwd=ROOT,
                            env=cli_env(database_url, api_host, **extra), stdout=handle, stderr=subprocess.STDOUT)


def run_cli(database_url: str, api_host: str, *args: str, **extra: str) -> subprocess.CompletedProcess:
    """Run one `tsunagari …` command and wait for it."""
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=cli_env(database_url, api_host, **extra),
                          capture_output=True, text=True, timeout=120)


def kill(proc: subprocess.Popen | None, sig: int = signal.SIGKILL) -> None:
    """Stop a process (SIGKILL by default: no clean-up of any kind) and reap it."""
    if proc is not None and proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.1) -> bool:
    """Poll until predicate() holds or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def multicasts(server) -> list[dict]:
    """The multicast requests the emulator received so far."""
    return [r for r in emulator_state(server.app).request_log() if r["path"] == "/v2/bot/message/multicast"]


def accepted_multicasts(server) -> int:
    """How many multicast requests the emulator accepted (each delivered once)."""
    with emulator_state(server.app).lock:
        return sum(1 for r in emulator_state(server.app).requests
                   if r["path"] == "/v2/bot/message/multicast" and r["status"] == 200)


def add_followers(server, user_ids) -> None:
    """LINE users who follow the account (the emulator must know them to deliver)."""
    state = emulator_state(server.app)
    for n, uid in enumerate(user_ids):
        state.add_user(f"住民{n}", "ja", uid, following=True)


def inbox_counts(server, user_ids) -> dict[str, int]:
    """How many pushed messages each user's inbox holds."""
    state = emulator_state(server.app)
    with state.lock:
        return {uid: sum(1 for e in state.log_by_user.get(uid, ()) if e["from"] == "bot" and e["via"] != "reply")
                for uid in user_ids}


def log_text(path: Path) -> str:
    """A process log, for failure messages."""
    return path.read_text(errors="replace")[-3000:] if path.exists() else ""


class MulticastTimes:
    """WSGI middleware on the emulator's server: when each multicast request began and ended, and through which
    host name it came (two schedulers given two names for the same emulator can be told apart)."""

    def __init__(self, app):
        import threading

        self.app, self.wsgi_app = app, app.wsgi_app
        self.calls: list[tuple[float, float, str]] = []
        self._lock = threading.Lock()
        app.wsgi_app = self

    def __call__(self, environ, start_response):
        """Time the call (the emulator's simulated latency included)."""
        if not environ.get("PATH_INFO", "").endswith("/v2/bot/message/multicast"):
            return self.wsgi_app(environ, start_response)
        began = time.monotonic()
        try:
            return self.wsgi_app(environ, start_response)
        finally:
            with self._lock:
                self.calls.append((began, time.monotonic(), environ.get("HTTP_HOST", "").rsplit(":", 1)[0]))

    def overlapping(self) -> list[tuple]:
        """Pairs of multicast requests that were in flight at the same time (one sender never does that)."""
        with self._lock:
            calls = sorted(self.calls)
        return [(a, b) for a, b in zip(calls, calls[1:]) if b[0] < a[1]]

    def last_host(self) -> str:
        """The host name of the latest multicast."""
        with self._lock:
            return max(self.calls)[2]


def cut_scheduler_connections(engine) -> int:
    """pg_terminate_backend on every connection of every scheduler process (lock and jobs); how many were cut."""
    from sqlalchemy import text

    from jobs.scheduler import APPLICATION_NAME

    with engine.connect() as conn:
        cut = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND application_name = :name"),
                           {"name": APPLICATION_NAME}).scalar()
        conn.commit()
    return int(cut)
