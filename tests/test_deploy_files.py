"""The deployment examples (docs/deploy) run commands that exist, as the units and the Procfile write them."""
from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main

DEPLOY = Path(__file__).resolve().parents[1] / "docs" / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def tsunagari_args(command: str) -> list[str]:
    """The arguments after `tsunagari` in a command line (placeholders filled), or [] when none."""
    words = shlex.split(command.replace("%i", "8000").replace("${PORT:-8000}", "8000"))
    if len(words) > 2 and words[0].endswith("sh") and words[1] == "-c":
        words = shlex.split(words[2])
    for n, word in enumerate(words):
        if word.endswith("/tsunagari") or word == "tsunagari":
            return words[n + 1:]
    return []


def command_exists(args: list[str]) -> bool:
    """True when `tsunagari ARGS --help` is a real command (its options parse)."""
    names = [a for a in args if not a.startswith("-")][:2]
    if not names:
        return False
    result = CliRunner().invoke(main, [*names, "--help"])
    return result.exit_code == 0 and "No such command" not in result.output


@pytest.mark.parametrize("unit", UNITS, ids=lambda p: p.name)
def test_every_unit_runs_a_real_tsunagari_command(unit):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(unit)
    assert {"Unit", "Service"} <= set(parser.sections())
    command = parser["Service"]["ExecStart"]
    assert command_exists(tsunagari_args(command)), command
    assert parser["Service"].get("EnvironmentFile") == "/etc/tsunagari/tsunagari.env"


def test_the_unit_set_covers_web_workers_and_the_scheduler():
    names = {unit.name for unit in UNITS}
    assert {"tsunagari-web@.service", "tsunagari-worker@.service", "tsunagari-scheduler.service"} <= names


def test_every_procfile_process_is_a_real_tsunagari_command():
    lines = [line for line in (DEPLOY / "Procfile").read_text().splitlines() if line and not line.startswith("#")]
    kinds = dict(line.split(":", 1) for line in lines)
    assert {"web", "worker", "scheduler", "release"} <= set(kinds)
    for command in kinds.values():
        assert command_exists(tsunagari_args(command)), command


def test_the_environment_example_names_only_variables_the_code_reads():
    import bot.config
    import bot.logs
    import bot.ops

    known = "".join(Path(m.__file__).read_text() for m in (bot.config, bot.logs, bot.ops)) + "DATABASE_URL"
    example = (DEPLOY / "systemd" / "tsunagari.env.example").read_text()
    names = [line.split("=", 1)[0] for line in example.splitlines() if "=" in line and not line.startswith("#")]
    assert names and all(name in known for name in names), names
