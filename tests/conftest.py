"""Shared fixtures: databases (SQLite, and PostgreSQL when TEST_DATABASE_URL is set), app, client, messengers."""
from __future__ import annotations

import os
import shutil
import socket
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from bot.config import Config
from models import create_schema, make_engine

SECRET = "test-channel-secret"
TOKEN = "test-access-token"
SHARED = Path(__file__).resolve().parents[2] / "shared"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared, or a skip where it is absent (the suite must pass without it)."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture(scope="session")
def _postgres_engine():
    """One PostgreSQL engine for the run, schema rebuilt once."""
    engine = make_engine(os.environ["TEST_DATABASE_URL"])
    import models  # noqa: F401

    SQLModel.metadata.drop_all(engine)
    create_schema(engine)
    yield engine
    engine.dispose()


def _empty_all(engine) -> None:
    """Empty every table and restart every id between tests.

    DELETE, children first, rather than TRUNCATE: TRUNCATE makes new files for all thirty-odd tables and took
    0.6–0.9 s per test here, DELETE of the few rows a test leaves takes about 20 ms."""
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(text(f'DELETE FROM "{table.name}"'))
        conn.execute(text("SELECT setval(c.oid, 1, false) FROM pg_class c "
                          "JOIN pg_namespace n ON n.oid = c.relnamespace "
                          "WHERE c.relkind = 'S' AND n.nspname = current_schema()"))


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> str:
    """A fresh, empty database for one test on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    engine = request.getfixturevalue("_postgres_engine")
    _empty_all(engine)
    return os.environ["TEST_DATABASE_URL"]


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file with every table, made once: copying it takes a millisecond, creating the schema 0.2 s."""
    path = tmp_path_factory.mktemp("template") / "schema.db"
    eng = make_engine(f"sqlite:///{path}")
    create_schema(eng)
    eng.dispose()
    return path


@pytest.fixture
def engine(database_url, request):
    """An engine on a fresh database with every table."""
    if database_url.startswith("sqlite"):
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), database_url.removeprefix("sqlite:///"))
        eng = make_engine(database_url)
        yield eng
        eng.dispose()
    else:
        yield request.getfixturevalue("_postgres_engine")


@pytest.fixture
def session(engine):
    """A database session for content/model tests."""
    with Session(engine, expire_on_commit=False) as s:
        yield s


def assert_conform_to_line_schema(messages: list[dict]) -> None:
    """Every message object matches LINE's published Message schema (messaging-api.yml)."""
    from tests.openapi_check import message_problems

    problems = [p for message in messages for p in message_problems(message)]
    assert not problems, f"messages LINE's schema would refuse: {problems[:5]}"


@pytest.fixture
def recording_messenger():
    """A Messenger that records what would be sent; afterwards every message is checked against LINE's schema."""
    from bot.messenger import RecordingMessenger

    messenger = RecordingMessenger()
    yield messenger
    assert_conform_to_line_schema([m for call in messenger.sent for m in call.get("messages") or []])


@pytest.fixture
def config(database_url) -> Config:
    """Test configuration: known secrets, no worker threads (tests drain the inbox themselves)."""
    return Config(database_url=database_url, channel_secret=SECRET, channel_access_token=TOKEN,
                  secret_key="test-secret-key", testing=True, inbox_threads=0, session_cookie_secure=False)


@pytest.fixture
def app(config, engine, recording_messenger):
    """The web app without workers, sending through the recording messenger."""
    from bot.app import create_app

    return create_app(config, engine=engine, messenger=recording_messenger, start_workers=False)


@pytest.fixture
def client(app):
    """A Flask test client."""
    return app.test_client()


def free_port() -> int:
    """An unused TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """The real app (emulator mounted, workers running) served over HTTP in a thread."""

    def __init__(self, app, base_url: str, server, thread):
        self.app, self.base_url, self._server, self._thread = app, base_url, server, thread

    def stop(self) -> None:
        """Stop serving and stop the workers."""
        self._server.shutdown()
        self._thread.join(5)
        workers = self.app.extensions["tsunagari"].workers
        if workers:
            workers.stop()


def start_live_server(database_url: str, engine, **config_overrides) -> LiveServer:
    """Serve create_app with the emulator on a free port; the Messenger talks HTTP to that emulator."""
    from werkzeug.serving import make_server

    from bot.app import create_app, warm_up

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = dict(database_url=database_url, secret_key="live-secret", testing=True, inbox_threads=2,
                    session_cookie_secure=False)
    settings.update(config_overrides)
    cfg = Config(**settings).with_emulator(base)
    application = create_app(cfg, engine=engine)
    warm_up(engine)  # the dictionary and index load before the first question, as in a running service
    server = make_server("127.0.0.1", port, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return LiveServer(application, base, server, thread)


@pytest.fixture
def live_server(database_url, engine):
    """A running server with emulator and workers; fails the test if LINE would have refused anything sent."""
    import json
    import urllib.request

    server = start_live_server(database_url, engine)
    yield server
    try:
        with urllib.request.urlopen(server.base_url + "/emulator/requests", timeout=5) as resp:
            log = json.loads(resp.read())  # every API request, oldest first
        requests = log
        refused = [r for r in requests if r.get("status", 200) >= 400 and "/message/" in r.get("path", "")
                   and "reply token" not in json.dumps(r.get("response") or "")]
        assert not refused, f"the emulator refused messages the bot sent: {refused[:3]}"
        assert_conform_to_line_schema([m for r in requests for m in (r.get("body") or {}).get("messages", [])
                                       if isinstance(r.get("body"), dict)])
    finally:
        server.stop()


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# CI runs the PostgreSQL half beside the rest on two cores; there a console step that does real work (400 answers
# imported and tallied) has taken longer than Playwright's 30 s default, so pages wait up to two minutes.
BROWSER_TIMEOUT_MS = 120_000


class PatientBrowser:
    """The Playwright browser whose new contexts wait BROWSER_TIMEOUT_MS for each step."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        """A new context with the patient default timeout."""
        context = self._browser.new_context(**options)
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        return context

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian Chromium driven by Playwright (skipped where chromium is not installed)."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield PatientBrowser(browser)
        browser.close()
