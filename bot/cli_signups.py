"""`tsunagari attendance`: attendance from the ledger per resident and cell (利用回数), for the plan's numbers."""
from __future__ import annotations

import csv
import json
import sys
from datetime import date

import click

from bot.config import Config

BY_KEYS = ("age_group", "gender", "district")


def parse_by(value: str) -> tuple[str, ...]:
    """--by age_group,gender,district (empty = the whole city)."""
    keys = tuple(k.strip() for k in (value or "").split(",") if k.strip())
    unknown = [k for k in keys if k not in BY_KEYS]
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)}: use {', '.join(BY_KEYS)}")
    return keys


@click.command("attendance")
@click.option("--from", "start", required=True, help="First day (YYYY-MM-DD), e.g. 2026-04-01 for 年度.")
@click.option("--to", "end", required=True, help="Day after the last (YYYY-MM-DD), e.g. 2027-04-01.")
@click.option("--by", "by", default="", help="Cells: age_group,gender,district (any of them; none = city).")
@click.option("--facility", "facilities", multiple=True, type=int, help="Only visits at these facility ids.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def attendance(start: str, end: str, by: str, facilities: tuple[int, ...], fmt: str) -> None:
    """Visits per person by cell from the attendance ledger (cells of 1–9 people hidden)."""
    from content.signups.ledger import attendance_per_resident
    from models import make_engine
    from sqlmodel import Session

    try:
        first, after = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError as exc:
        raise click.BadParameter(f"dates are YYYY-MM-DD ({exc})")
    keys = parse_by(by)
    with Session(make_engine(Config.from_env().database_url)) as session:
        cells = attendance_per_resident(session, first, after, by=keys, facility_ids=list(facilities) or None)
    if fmt == "json":
        click.echo(json.dumps({"from": start, "to": end, "by": list(keys), "cells": cells}, ensure_ascii=False))
        return
    columns = [*keys, "visits", "people", "value", "suppressed"]
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[cell.get(c) if cell.get(c) is not None else "" for c in columns] for cell in cells])
        return
    for cell in cells:
        click.echo("  ".join(f"{c}={cell.get(c)}" for c in columns))
