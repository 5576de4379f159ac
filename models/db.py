"""Engine, sessions and the clock: SQLite (WAL) by default, PostgreSQL in production."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

DEFAULT_SQLITE_PATH = Path("instance") / "tsunagari.db"

# Every timestamp column holds naive UTC (SQLModel would otherwise demand aware values); shown in Asia/Tokyo.
NaiveDateTime = DateTime(timezone=False)


def utcnow() -> datetime:
    """Now as a naive UTC datetime: every timestamp column stores naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def as_naive_utc(moment: datetime | None) -> datetime:
    """A datetime as stored: aware values converted to naive UTC, naive ones taken as UTC already, None as now."""
    if moment is None:
        return utcnow()
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def default_database_url() -> str:
    """The SQLite file under ./instance/, created on demand."""
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def configured_url(url: str | None) -> str:
    """The URL a process would open: the given one, or the default SQLite file (its folder not created)."""
    return normalize_url(url or f"sqlite:///{DEFAULT_SQLITE_PATH}")


def describe_url(url: str) -> str:
    """A database URL fit to print: the password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def missing_database_problem(url: str | None) -> str | None:
    """Why the database at url cannot be opened as ours (absent, unreachable, never migrated), or None.

    Checked without creating anything: opening a SQLite path makes an empty file, and an empty schema only
    turns into a long traceback on the first query."""
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    url = configured_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            return None
        if not Path(parsed.database).is_file():
            return f"no database at {parsed.database}"
    engine = create_engine(url, hide_parameters=True, poolclass=_null_pool())
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            # Migrated databases carry alembic_version; the tests' and the demo's create_all schemas a resident table.
            if inspector.has_table("alembic_version") or inspector.has_table("resident"):
                return None
            return f"database {describe_url(url)} has no tsunagari schema"
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "cannot connect"
        return f"cannot open database {describe_url(url)}: {reason}"
    finally:
        engine.dispose()


def _null_pool():
    """A pool that keeps no connection after a one-off check."""
    from sqlalchemy.pool import NullPool

    return NullPool


def normalize_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """An engine for the URL; SQLite gets WAL, a busy timeout and foreign keys."""
    url = normalize_url(url or default_database_url())
    # Error messages would otherwise quote bound values: residents' text and LINE user ids in the logs.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    """WAL lets the web process read while a worker writes."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def create_schema(engine: Engine) -> None:
    """Create every table directly (tests and the demo); production uses `tsunagari db upgrade`."""
    import models  # noqa: F401  (registers every table on SQLModel.metadata)

    SQLModel.metadata.create_all(engine)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
