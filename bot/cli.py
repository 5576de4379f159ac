"""The `tsunagari` command line (DESIGN.md: CLI)."""
from __future__ import annotations

import json
import signal
import sys
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import click

from bot import cli_surveys
from bot.config import Config, ConfigError, public_base_url
from content.i18n import LANGUAGES


def configure_logging() -> None:
    """Process logs, plain or JSON (bot/logs.py): levels and module names, never message text or user ids."""
    from bot.logs import configure_logging as configure

    configure()


# Commands that make their own database (or need none): every other one opens an existing, migrated one.
CREATES_DATABASE = {"db", "demo"}


class TsunagariGroup(click.Group):
    """The top-level group; it keeps the subcommand's arguments so the group can tell a --help request."""

    def resolve_command(self, ctx, args):
        """Find the subcommand, remembering what follows it."""
        name, cmd, rest = super().resolve_command(ctx, args)
        ctx.meta["subcommand_args"] = list(rest)
        return name, cmd, rest


@click.group(cls=TsunagariGroup)
@click.pass_context
def main(ctx: click.Context) -> None:
    """つながり: a LINE bot for a city's residents, community centers and volunteer groups."""
    configure_logging()
    asks_help = set(ctx.meta.get("subcommand_args", [])) & set(ctx.help_option_names)
    if ctx.invoked_subcommand not in CREATES_DATABASE and not asks_help:
        require_database()


def require_database() -> None:
    """Exit 2 with what to run when DATABASE_URL names no usable database (instead of a traceback, and
    without leaving an empty SQLite file behind)."""
    from models.db import missing_database_problem

    problem = missing_database_problem(Config.from_env().database_url)
    if problem:
        click.echo(f"error: {problem}.\n"
                   "Create it with `tsunagari db upgrade`, or set DATABASE_URL to the city's database.", err=True)
        sys.exit(2)


def serve_app(app, host: str, port: int) -> None:
    """Serve with waitress: threaded and production-grade, no debug reloader."""
    from waitress import serve

    threads = app.extensions["tsunagari"].config.web_threads
    click.echo(f"serving on http://{host}:{port}  (simulator: /emulator/, console: /admin/)")
    serve(app, host=host, port=port, threads=threads, ident="tsunagari")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--emulator", is_flag=True, help="Mount the LINE emulator and chat simulator; made-up secrets if unset.")
def serve(host: str, port: int, emulator: bool) -> None:
    """Web process: webhook, console, optional emulator."""
    from bot.app import create_app

    config = Config.from_env().with_persistent_secret_key()
    if emulator:
        config = config.with_emulator(public_base_url(host, port))
    else:
        try:
            config.require_line_secrets()
        except ConfigError as exc:
            raise click.ClickException(str(exc))
    serve_app(create_app(config), host, port)


@main.command()
@click.option("--threads", default=4, show_default=True, type=int,
              help="Events handled at once; they mostly wait on LINE and the database.")
@click.option("--poll", default=2.0, show_default=True, type=float,
              help="Longest sleep between looks at the inbox; new events wake the worker at once (LISTEN/NOTIFY).")
@click.option("--metrics-port", default=None, type=int, help="Serve this process's Prometheus metrics on this port.")
def worker(threads: int, poll: float, metrics_port: int | None) -> None:
    """Inbox worker process: handles stored webhook events until stopped."""
    from bot.app import warm_up
    from bot.messenger import LineMessenger
    from bot.workers import InboxWorkers
    from handlers.registry import load_handlers
    from models import make_engine

    config = Config.from_env()
    try:
        config.require_line_secrets()
    except ConfigError as exc:
        raise click.ClickException(str(exc))
    load_handlers()
    load_plugins()
    if metrics_port:
        from bot.ops import serve_metrics

        serve_metrics(metrics_port)
    # No pre-ping: its round trip came before every event's handler, and a connection the server dropped fails
    # one event, which is retried (transient) while the pool replaces every connection older than the failure.
    engine = make_engine(config.database_url, pool_pre_ping=False, **config.pool_options(threads + 2))
    workers = InboxWorkers(engine, LineMessenger(config), config, threads=threads, poll_seconds=poll)
    warm_up(engine)  # before the first claim: a cold worker would hold its first residents' lanes for seconds
    workers.start()
    wait_for_signal()
    workers.stop()


def load_plugins() -> None:
    """Import extra handler modules named in TSUNAGARI_PLUGINS (comma-separated; used by tests)."""
    import importlib
    import os

    for name in filter(None, (os.environ.get("TSUNAGARI_PLUGINS") or "").split(",")):
        importlib.import_module(name.strip())


def wait_for_signal() -> None:
    """Block until SIGINT or SIGTERM."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(1.0):
        pass


@main.command()
def scheduler() -> None:
    """The one scheduler process: sends due pushes and runs scheduled jobs; a second one stands by."""
    from content.quiet_hours import QuietHoursError, parse_quiet_hours
    from jobs.scheduler import run_scheduler

    config = Config.from_env().with_emulator_token()
    if not config.channel_access_token:
        raise click.ClickException("missing LINE_CHANNEL_ACCESS_TOKEN (or point LINE_API_HOST at an emulator)")
    try:
        parse_quiet_hours(config.quiet_hours)
    except QuietHoursError as exc:
        raise click.ClickException(str(exc))
    run_scheduler(config)


@main.command()
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
def demo(port: int, host: str) -> None:
    """Fresh demo database with a fictional city, served with the emulator."""
    from bot.demo import prepare_demo, start_demo_richmenu

    app, config = prepare_demo(host, port)
    start_demo_richmenu(config)
    serve_app(app, host, port)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the latest revision."""
    from models.migrate import upgrade

    config = Config.from_env()
    upgrade(config.database_url)
    click.echo("schema is up to date")


def _attach_ops_commands() -> None:
    """db backup / db restore (bot/cli_ops.py)."""
    from bot.cli_ops import db_backup, db_restore

    db.add_command(db_backup)
    db.add_command(db_restore)


_attach_ops_commands()


@main.command("import")
@click.argument("kind", type=click.Choice(["events", "facilities", "opportunities", "districts", "faq", "answers"]))
@click.argument("path")
@click.option("--signup", type=click.Choice(["chat", "none"]), default=None,
              help="chat: residents sign up for these in the chat (定員, 参加申込終了日 from the file); none: no longer.")
@click.option("--survey", "survey_code", default=None, help="answers: the survey's code.")
@click.option("--round", "round_number", type=int, default=None, help="answers: the round (made when missing).")
@click.option("--year", type=click.IntRange(1900, 2200), default=None,
              help="events: the year of dates written without one (「9月7日(土)」); else from the file, else today.")
def import_(kind: str, path: str, signup: str | None, survey_code: str | None, round_number: int | None,
            year: int | None) -> None:
    """CSV in any municipal open-data layout (UTF-8, BOM, cp932) or .ics; survey answers from paper or phone."""
    if kind == "answers":
        return cli_surveys.import_answers_file(path, survey_code, round_number)
    if kind == "districts":
        return import_districts_file(path)
    from content.importers import import_path
    from content.signups.imports import signup_mode_problem
    from models import make_engine, session_scope

    if (problem := signup_mode_problem(kind, signup)):
        raise click.UsageError(problem)
    config = Config.from_env()
    engine = make_engine(config.database_url)
    with session_scope(engine) as session:
        report = import_path(session, kind, path, year=year)
        extra = import_signup_mode(session, kind, report, signup)
    click.echo(report.format() + extra)
    if report.refused:
        sys.exit(2)
    from content.search.index import warm_index

    warm_index(engine, config.index_cache_dir)  # the next `ask` finds the index built


def import_districts_file(path: str) -> None:
    """The city's 地区 from a CSV (README: 地区); any bad row refuses the file with its line number (exit 2)."""
    from content.districts import import_districts
    from models import make_engine, session_scope

    from pathlib import Path

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}")
    config = Config.from_env()
    engine = make_engine(config.database_url)
    with session_scope(engine) as session:
        report = import_districts(session, data)
    click.echo(report.format())
    if report.problems:
        sys.exit(2)


def import_signup_mode(session, kind: str, report, mode: str | None) -> str:
    """Apply --signup to the rows just imported; the report line it adds ('' when not asked or refused)."""
    from content.signups.imports import active_count, apply_signup_mode, signup_mode_line

    if mode is None or report.refused or not report.source:
        return ""
    changed = apply_signup_mode(session, kind, report.source, mode)
    return "\n" + signup_mode_line(kind, mode, changed, active_count(session, kind, report.source))


def parse_as_of(value: str | None, tz: str) -> datetime:
    """--as-of as an aware datetime in the city's zone (naive values are read as city time)."""
    zone = ZoneInfo(tz)
    if not value:
        return datetime.now(zone)
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


@main.command()
@click.argument("text")
@click.option("--as-of", "as_of", default=None, help="ISO datetime taken as now (city time when no offset).")
@click.option("--lang", default="ja", show_default=True, type=click.Choice(LANGUAGES))
@click.option("--json", "as_json", is_flag=True)
def ask(text: str, as_of: str | None, lang: str, as_json: bool) -> None:
    """Answer TEXT exactly as the bot would answer a resident."""
    from bot.asking import ask_as_resident
    from content.search.index import keep_indexes_in
    from models import make_engine

    config = Config.from_env()
    keep_indexes_in(config.index_cache_dir)  # a one-off question loads the index the last command built
    result = ask_as_resident(make_engine(config.database_url), text, now=parse_as_of(as_of, config.tz), lang=lang)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    for message in result["messages"]:
        click.echo(json.dumps(message, ensure_ascii=False)[:2000])
    for item in result["items"]:
        click.echo(f"- [{item['kind']}] {item['title']}  {item.get('starts_at') or ''}  {item.get('place') or ''}")


@main.group()
def users() -> None:
    """Console accounts."""


@users.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "staff", "org"]), required=True)
@click.option("--org", "org_name", default=None, help="Organization name (required for --role org).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_add(email: str, role: str, org_name: str | None, password_stdin: bool) -> None:
    """Create a console account (the first admin, typically)."""
    from content.accounts import AccountError, add_user
    from models import make_engine, session_scope

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    engine = make_engine(Config.from_env().database_url)
    try:
        with session_scope(engine) as session:
            user, shown_password = add_user(session, email, role, org_name=org_name, password=password)
    except AccountError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"created {role} {email}")
    if not password_stdin and shown_password:
        click.echo(f"one-time password (change it at first login): {shown_password}")


@main.group()
def richmenu() -> None:
    """The rich menu under the chat."""


@richmenu.command("deploy")
def richmenu_deploy() -> None:
    """Create the rich menu, upload its image and make it the default."""
    from bot.richmenu import deploy_rich_menu

    config = Config.from_env()
    try:
        config.require_line_secrets()
    except ConfigError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"rich menu {deploy_rich_menu(config)} is the default")


from bot.cli_notices import delivery as _delivery_group, notice as _notice_group  # noqa: E402

main.add_command(_notice_group)
main.add_command(_delivery_group)
from bot.cli_signups import attendance  # noqa: E402  (sign-ups, issue 9)

main.add_command(attendance)
cli_surveys.attach(main)

if __name__ == "__main__":
    main()
