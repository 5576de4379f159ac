"""CLI for surveys (DESIGN.md: CLI): survey load|open|close, population load, tally, export, import answers."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from bot.config import Config


def _engine():
    """The engine for DATABASE_URL."""
    from models import make_engine

    return make_engine(Config.from_env().database_url)


def _echo_json(data) -> None:
    """One JSON object on stdout, Japanese kept readable."""
    click.echo(json.dumps(data, ensure_ascii=False))


def _refuse(lines: list[str], status: int = 2) -> None:
    """Print what is wrong on stderr and stop with a non-zero status (nothing was stored)."""
    for line in lines:
        click.echo(line, err=True)
    sys.exit(status)


def _read_bytes(path: str) -> bytes:
    """A file's bytes, or a clear error."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{path} を読めません: {exc.strerror or exc}")


@click.group()
def survey() -> None:
    """Surveys: load a definition, open and close rounds."""


@survey.command("load")
@click.argument("path")
def survey_load(path: str) -> None:
    """Create or update a survey and its indicators from a YAML file."""
    from content.surveys.definition import SurveyError, parse_yaml, save_survey
    from models import session_scope

    text = _read_bytes(path).decode("utf-8-sig", errors="replace")
    try:
        spec = parse_yaml(text)
        with session_scope(_engine()) as session:
            report = save_survey(session, spec)
    except SurveyError as exc:
        _refuse([f"{path}: 読み込めませんでした（何も変更していません）"] + [f"  {p}" for p in exc.problems])
    _echo_json(report.as_dict())


@survey.command("open")
@click.argument("code")
@click.option("--segment", "segments", multiple=True, help="KEY=V1,V2 (district, interest, lang, age_group, gender)")
@click.option("--closes", default=None, help="ISO datetime the round closes (city time when no offset).")
def survey_open(code: str, segments: tuple[str, ...], closes: str | None) -> None:
    """A new round: the intro and the first question are pushed to the segment; prints JSON."""
    from bot.cli import parse_as_of
    from content.surveys.opening import RoundError, open_round
    from models import session_scope

    config = Config.from_env()
    closes_at = parse_as_of(closes, config.tz) if closes else None
    try:
        with session_scope(_engine()) as session:
            result = open_round(session, code, list(segments), closes_at=closes_at, tz=config.tz,
                                    quiet_hours=config.quiet_hours)
    except (RoundError, ValueError) as exc:
        _refuse([str(exc)])
    _echo_json(result)


@survey.command("close")
@click.argument("code")
@click.option("--round", "round_number", type=int, default=None)
def survey_close(code: str, round_number: int | None) -> None:
    """Close a round (the latest by default): the chat takes no more answers for it."""
    from content.surveys.opening import RoundError, close_survey_round
    from models import session_scope

    try:
        with session_scope(_engine()) as session:
            result = close_survey_round(session, code, round_number)
    except RoundError as exc:
        _refuse([str(exc)])
    _echo_json(result)


@click.group()
def population() -> None:
    """The population table tallies are weighted to."""


@population.command("load")
@click.argument("path")
def population_load(path: str) -> None:
    """Load district,age_group,gender,population,as_of (replaces the table of the same as_of)."""
    from content.surveys.population import RowsRefused, load_population
    from models import session_scope

    data = _read_bytes(path)
    try:
        with session_scope(_engine()) as session:
            report = load_population(session, data)
    except RowsRefused as exc:
        _refuse([f"{path}: 読み込めませんでした（何も変更していません）"]
                + [f"  {line}行目: {message}" for line, message in exc.problems])
    _echo_json(report.as_dict())


def import_answers_file(path: str, survey_code: str | None, round_number: int | None) -> None:
    """`tsunagari import answers PATH --survey CODE [--round N]`: all rows or none."""
    from content.surveys.imports import import_answers
    from content.surveys.population import RowsRefused
    from models import session_scope

    if not survey_code:
        raise click.UsageError("import answers には --survey CODE が必要です")
    data = _read_bytes(path)
    try:
        with session_scope(_engine()) as session:
            report = import_answers(session, survey_code, data, round_number=round_number,
                                    tz=Config.from_env().tz)
    except RowsRefused as exc:
        _refuse([f"{path}: 取り込めませんでした（1行も取り込んでいません）"]
                + [f"  {line}行目: {message}" for line, message in exc.problems])
    except LookupError as exc:
        _refuse([str(exc.args[0])])
    _echo_json(report.as_dict())


@click.command("tally")
@click.argument("indicator")
@click.option("--round", "round_number", type=int, default=None)
@click.option("--by", default=None, help="age_group,gender,district (any of them, crossed)")
@click.option("--weighted", is_flag=True, help="Also rake to the loaded population table.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def tally_command(indicator: str, round_number: int | None, by: str | None, weighted: bool, fmt: str) -> None:
    """An indicator's value for a round, with its interval, weighting and breakdown."""
    from content.surveys.tally import TallyError, parse_by, tally
    from content.surveys.text_tables import tally_csv, tally_table
    from models import session_scope

    try:
        dims = parse_by(by)
        with session_scope(_engine()) as session:
            result = tally(session, indicator, round_number, dims, weighted)
    except TallyError as exc:
        _refuse([str(exc)])
    if fmt == "json":
        _echo_json(result.as_json())
    elif fmt == "csv":
        sys.stdout.write(tally_csv(result))
    else:
        click.echo(tally_table(result))


@click.command("export")
@click.argument("kind", type=click.Choice(["answers", "tallies"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--out", "out", required=True, help="File to write.")
@click.option("--survey", "survey_code", default=None, help="One survey's code (all surveys by default).")
@click.option("--round", "round_number", type=int, default=None, help="One round (answers only).")
def export_command(kind: str, fmt: str, out: str, survey_code: str | None, round_number: int | None) -> None:
    """Answers or tallies as CSV (UTF-8 with BOM) or XLSX, Japanese headers, small cells hidden."""
    from content.surveys.exports import export_answers, export_tallies
    from models import session_scope

    config = Config.from_env()
    try:
        with session_scope(_engine()) as session:
            data = (export_answers(session, fmt, survey_code, round_number, config.tz) if kind == "answers"
                    else export_tallies(session, fmt, survey_code))
    except LookupError as exc:
        _refuse([str(exc.args[0])])
    Path(out).write_bytes(data)
    _echo_json({"kind": kind, "format": fmt, "out": out, "bytes": len(data)})


def attach(main: click.Group) -> None:
    """Add the survey commands to the `tsunagari` group."""
    for command in (survey, population, tally_command, export_command):
        main.add_command(command)
