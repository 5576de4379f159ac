"""The `tsunagari` command line as DESIGN.md fixes it."""
from __future__ import annotations

import json
import os
from datetime import date

import pytest
from click.testing import CliRunner

from bot.cli import main, parse_as_of


@pytest.fixture
def runner(monkeypatch, tmp_path):
    """A CLI runner whose DATABASE_URL is a fresh, migrated SQLite file."""
    for name in ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "LINE_API_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    cli = CliRunner()
    result = cli.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return cli


def test_serve_refuses_without_line_secrets(runner):
    result = runner.invoke(main, ["serve"])
    assert result.exit_code != 0
    assert "LINE_CHANNEL_SECRET" in result.output and "--emulator" in result.output


def test_worker_refuses_without_line_secrets(runner):
    assert runner.invoke(main, ["worker"]).exit_code != 0


def test_import_of_an_unknown_layout_is_refused_with_the_expected_headers(runner, tmp_path):
    path = tmp_path / "unknown.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    result = runner.invoke(main, ["import", "events", str(path)])
    assert result.exit_code == 2
    assert "開始日" in result.output or "イベント名" in result.output


def test_ask_json_answers_as_the_bot_with_items(runner):
    from content.demo_city import seed_demo_city
    from models import make_engine, session_scope

    with session_scope(make_engine(os.environ["DATABASE_URL"])) as session:
        seed_demo_city(session, date(2026, 11, 26))
    result = runner.invoke(main, ["ask", "図書館は何時まで？", "--as-of", "2026-11-26T10:00", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["messages"] and answer["items"]
    first = answer["items"][0]
    assert set(first) >= {"kind", "id", "title", "starts_at", "place"}
    assert first["kind"] == "facility" and "図書館" in first["title"]


def test_ask_changes_nothing_in_the_database(runner):
    from sqlmodel import Session, select

    from models import Resident, make_engine

    runner.invoke(main, ["ask", "設定", "--json"])
    with Session(make_engine(os.environ["DATABASE_URL"])) as session:
        assert session.exec(select(Resident)).all() == []


def test_users_add_creates_an_admin_with_a_password_from_stdin(runner):
    result = runner.invoke(main, ["users", "add", "boss@city.example.jp", "--role", "admin", "--password-stdin"],
                           input="a-long-enough-password-123\n")
    assert result.exit_code == 0, result.output
    assert "a-long-enough-password-123" not in result.output


@pytest.mark.parametrize("value, expected", [
    ("2026-11-26T10:00", "2026-11-26T10:00:00+09:00"),
    ("2026-11-26T01:00+00:00", "2026-11-26T10:00:00+09:00"),
    ("2026-12-31", "2026-12-31T00:00:00+09:00"),
])
def test_as_of_is_read_in_city_time(value, expected):
    assert parse_as_of(value, "Asia/Tokyo").isoformat() == expected


@pytest.mark.parametrize("args", [["ask", "図書館は何時まで？"], ["users", "add", "a@city.example.jp", "--role", "admin"],
                                  ["delivery", "show", "1"]])
def test_a_command_against_a_missing_database_names_it_and_creates_nothing(monkeypatch, tmp_path, args):
    missing = tmp_path / "nowhere" / "city.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert str(missing) in result.output and "tsunagari db upgrade" in result.output
    assert "DATABASE_URL" in result.output and "Traceback" not in result.output
    assert not missing.parent.exists()


def test_the_default_database_missing_leaves_no_instance_folder_behind(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["ask", "こんにちは"])
    assert result.exit_code == 2 and "instance/tsunagari.db" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_missing_postgresql_database_is_named_without_its_password(monkeypatch):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set")
    from sqlalchemy.engine import make_url

    missing = make_url(url).set(database="tsunagari_absent_i10", password="s3cret")
    monkeypatch.setenv("DATABASE_URL", missing.render_as_string(hide_password=False))
    result = CliRunner().invoke(main, ["ask", "こんにちは"])
    assert result.exit_code == 2
    assert "tsunagari_absent_i10" in result.output and "tsunagari db upgrade" in result.output
    assert "s3cret" not in result.output


def test_help_needs_no_database(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    assert CliRunner().invoke(main, ["ask", "--help"]).exit_code == 0


def test_ask_refuses_an_unknown_language_with_the_choices(runner):
    result = runner.invoke(main, ["ask", "図書館", "--lang", "xx"])
    assert result.exit_code == 2
    assert "'ja'" in result.output and "'en'" in result.output and "'ja-easy'" in result.output
