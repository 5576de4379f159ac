"""Alembic, configured in code: `tsunagari db upgrade` and the tests use the same migrations."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

from models.db import default_database_url, normalize_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str | None) -> AlembicConfig:
    """An Alembic config pointing at our migrations and the given database."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation would read a % in a password as a placeholder.
    cfg.set_main_option("sqlalchemy.url", normalize_url(url or default_database_url()).replace("%", "%%"))
    return cfg


def upgrade(url: str | None, revision: str = "head") -> None:
    """Create or migrate the schema."""
    command.upgrade(alembic_config(url), revision)


def make_revision(url: str, message: str) -> None:
    """Autogenerate a migration from the difference between the models and the database (developers)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
