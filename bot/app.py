"""The app factory: one Flask app with the webhook, the console and (optionally) the emulator."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Optional

from flask import Flask
from sqlalchemy.engine import Engine

from bot.config import Config
from models import create_schema, make_engine

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What every request and worker thread shares: config, engine, messenger, inbox workers."""

    config: Config
    engine: Engine
    messenger: Any
    workers: Optional[Any] = None
    extra: dict = field(default_factory=dict)


def runtime(app: Flask) -> Runtime:
    """The Runtime attached to an app by create_app."""
    return app.extensions["tsunagari"]


def create_app(config: Config, *, engine: Engine | None = None, messenger=None,
               start_workers: bool = True, create_tables: bool = False) -> Flask:
    """Build the web app for a Config; workers start only when asked and inbox_threads > 0."""
    from bot.messenger import LineMessenger
    from bot.survey_pages import survey_pages_blueprint
    from bot.webhook import WebhookFastPath, webhook_blueprint
    from bot.workers import InboxWorkers
    from handlers.registry import load_handlers

    # One instance folder (TSUNAGARI_INSTANCE_DIR, default ./instance) rather than one inside the installed package.
    app = Flask(__name__, instance_relative_config=False, instance_path=str(config.instance_dir.resolve()))
    app.config.update(
        UPLOAD_FOLDER=str(config.upload_dir.resolve()),
        SECRET_KEY=config.secret_key,
        TESTING=config.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.session_cookie_secure,
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False
    if config.proxy_count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind HTTPS termination: the client's address (login rate limits, audit) and scheme come from the proxy.
        n = config.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    from bot.https import init_https

    init_https(app)
    engine = engine or make_engine(config.database_url,
                                   **config.pool_options(config.web_threads + config.inbox_threads + 2))
    if create_tables:
        create_schema(engine)
    load_handlers()
    messenger = messenger or LineMessenger(config)
    rt = Runtime(config=config, engine=engine, messenger=messenger)
    app.extensions["tsunagari"] = rt

    app.register_blueprint(webhook_blueprint())
    app.wsgi_app = WebhookFastPath(app.wsgi_app, rt)
    app.register_blueprint(survey_pages_blueprint())
    from bot.signup_public import signup_public_blueprint

    app.register_blueprint(signup_public_blueprint())
    _mount_console(app)
    if config.emulator:
        _mount_emulator(app, config)

    _mount_ops(app, rt)

    if start_workers and config.inbox_threads > 0:
        rt.workers = InboxWorkers(engine, messenger, config, threads=config.inbox_threads)
        rt.workers.start()
        threading.Thread(target=warm_up, args=(engine,), name="warm-up", daemon=True).start()
    return app


def warm_up(engine: Engine) -> None:
    """Load the Japanese dictionary, build the search index and load the SDK's message models (the LINE-limit
    validator and the Messenger build them) before the first resident asks."""
    from datetime import datetime, timezone

    from sqlmodel import Session

    from bot.messenger import validate_outgoing
    from content.menus import main_menu_messages
    from content.query import parse_query
    from content.search.index import current_index

    try:
        parse_query("今日のイベント", now=datetime.now(timezone.utc))
        with Session(engine) as session:
            current_index(session)
        validate_outgoing(main_menu_messages("ja"))
    except Exception:  # a cold first answer is slower, never wrong: warming up must not break start-up
        log.exception("warm-up failed")


def _mount_ops(app: Flask, rt: Runtime) -> None:
    """/healthz (database, inbox backlog, workers, scheduler) and /metrics (Prometheus text format)."""
    from flask import Response

    from bot.ops import QuotaCache, health_report, metrics_text

    quota = QuotaCache(rt.messenger)

    @app.get("/healthz")
    def healthz():
        """The service's health as JSON: 503 when the database cannot be reached."""
        report, status = health_report(rt.engine)
        return report, status

    @app.get("/metrics")
    def metrics():
        """Counters of this process (or this machine's, in multiprocess mode) and the database's gauges."""
        return Response(metrics_text(rt.engine, quota), mimetype="text/plain; version=0.0.4; charset=utf-8")


def _mount_console(app: Flask) -> None:
    """The staff/organization console at /admin."""
    from bot.admin import init_admin

    init_admin(app)


def _mount_emulator(app: Flask, config: Config) -> None:
    """The LINE platform stand-in at /emulator, for the demo, tests and benchmarks."""
    from bot.emulator import create_emulator_blueprint

    # Post signed webhooks only to our own /callback, never to whatever Host a request names.
    own_callback = config.line_api_host.rsplit("/emulator", 1)[0] + "/callback"
    app.register_blueprint(
        create_emulator_blueprint(channel_secret=config.channel_secret,
                                  access_token=config.channel_access_token,
                                  webhook_url=config.extra.get("webhook_url") or own_callback,
                                  location_presets=lambda: city_location_presets(app)),
        url_prefix="/emulator",
    )


def city_location_presets(app: Flask) -> list[dict]:
    """The simulator's location presets from this city's own facilities."""
    from sqlmodel import Session

    from content.locations import location_presets

    with Session(runtime(app).engine) as session:
        return location_presets(session)
