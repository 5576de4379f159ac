"""`tsunagari db backup PATH` and `tsunagari db restore PATH`: the database to a file and back.

PostgreSQL: pg_dump's custom format (consistent while the service runs) and pg_restore --clean. SQLite: the
online backup API (the `.backup` of the sqlite3 shell), which copies a consistent snapshot even while WAL
writers are busy; restoring copies the snapshot back the same way. Stop the web, worker and scheduler processes
before a restore.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from sqlalchemy.engine import make_url

from bot.config import Config
from models.db import default_database_url, normalize_url


def _url():
    """The configured database as a SQLAlchemy URL."""
    return make_url(normalize_url(Config.from_env().database_url or default_database_url()))


def _libpq(url) -> tuple[list[str], dict]:
    """Connection options for pg_dump/pg_restore, the password in the environment (never on a command line)."""
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432), "--username", url.username or "postgres",
            "--dbname", url.database or "postgres"]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return args, env


def _run(command: list[str], env: dict) -> None:
    """Run a PostgreSQL client tool; its error output becomes the command's error."""
    if shutil.which(command[0]) is None:
        raise click.ClickException(f"{command[0]} is not installed (Debian: apt-get install postgresql-client)")
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode:
        raise click.ClickException(f"{command[0]} failed: {done.stderr.strip()[-500:]}")


def sqlite_copy(source: str, target: str) -> None:
    """A consistent copy of one SQLite database into another file, with the online backup API."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def db_backup(path: str) -> None:
    """Write a consistent backup of the database to PATH (safe while the service runs)."""
    url = _url()
    if url.get_backend_name() == "sqlite":
        sqlite_copy(url.database, path)
    else:
        args, env = _libpq(url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", path, *args], env)
    click.echo(f"backup written to {path} ({Path(path).stat().st_size:,} bytes)")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask: the database's current content is replaced.")
def db_restore(path: str, yes: bool) -> None:
    """Replace the database's content with the backup at PATH (stop every tsunagari process first)."""
    url = _url()
    if not yes:
        click.confirm(f"Replace the content of {url.database} with {path}?", abort=True)
    if url.get_backend_name() == "sqlite":
        sqlite_copy(path, url.database)
    else:
        args, env = _libpq(url)
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, path], env)
    click.echo(f"restored {url.database} from {path}")
