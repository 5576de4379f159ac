"""`tsunagari db backup` and `db restore`: a resident deleted after the backup is back after the restore."""
from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from bot.cli import main
from models import Resident, make_engine
from models.migrate import upgrade
from tests.test_migration_history import BACKENDS, empty_database

USER = "U" + "b" * 32


def residents(url: str) -> list[str]:
    """LINE ids of the stored residents."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return [r.line_user_id for r in session.exec(select(Resident))]
    finally:
        engine.dispose()


def set_residents(url: str, ids: list[str]) -> None:
    """Make the resident table hold exactly these ids."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            for resident in session.exec(select(Resident)):
                session.delete(resident)
            session.add_all(Resident(line_user_id=i) for i in ids)
            session.commit()
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_backup_restores_what_was_there_when_it_was_taken(backend, tmp_path, monkeypatch):
    if backend == "postgresql" and not __import__("shutil").which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    with empty_database(backend, tmp_path) as url:
        upgrade(url)
        set_residents(url, [USER])
        monkeypatch.setenv("DATABASE_URL", url)
        runner = CliRunner()
        backup = tmp_path / "tsunagari.backup"
        result = runner.invoke(main, ["db", "backup", str(backup)])
        assert result.exit_code == 0, result.output
        assert backup.stat().st_size > 0
        set_residents(url, [])
        result = runner.invoke(main, ["db", "restore", str(backup), "--yes"])
        assert result.exit_code == 0, result.output
        assert residents(url) == [USER]


def test_restore_asks_before_replacing_the_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    upgrade(url)
    backup = tmp_path / "old.backup"
    backup.write_bytes(b"")
    monkeypatch.setenv("DATABASE_URL", url)
    result = CliRunner().invoke(main, ["db", "restore", str(backup)], input="n\n")
    assert result.exit_code != 0 and "Aborted" in result.output
    assert os.path.getsize(tmp_path / "live.db") > 0
