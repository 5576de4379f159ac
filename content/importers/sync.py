"""Writing parsed rows: insert new, update changed, leave unchanged alone, retire vanished."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from content.importers.report import ImportReport
from models.db import utcnow

log = logging.getLogger(__name__)


@dataclass
class Record:
    """One parsed row ready to store: where it came from and the column values."""

    line_no: int
    source_key: str
    values: dict


def fit_to_columns(model, values: dict) -> dict:
    """Cut strings to their column's length so PostgreSQL never refuses a long published title."""
    table = model.__table__
    fitted = {}
    for name, value in values.items():
        column = table.columns.get(name)
        length = getattr(getattr(column, "type", None), "length", None)
        if isinstance(value, str) and length and len(value) > length:
            value = value[: length - 1] + "…"
        fitted[name] = value
    return fitted


def same_value(old, new) -> bool:
    """Equality that tolerates float round-trips and None vs empty list."""
    if isinstance(old, float) and isinstance(new, float):
        return abs(old - new) < 1e-9
    if isinstance(new, list) or isinstance(old, list):
        return list(old or []) == list(new or [])
    return old == new


def sync_rows(session: Session, model, rows,
              make_record: Callable[[int, list[str]], "Record | list[Record] | None"],
              report: ImportReport) -> None:
    """Turn each (line number, cells) into Records (one, or one per occurrence) and sync them into one source.

    One broken row never stops the rest: it is skipped with its line number. A file whose every row failed
    retires nothing, so a bad upload cannot empty a source."""
    records: list[Record] = []
    for line_no, cells in rows:
        try:
            made = make_record(line_no, cells)
        except Exception as exc:
            report.skip(line_no, f"読み取れませんでした（{type(exc).__name__}）")
            continue
        if isinstance(made, Record):
            records.append(made)
        elif made:
            records.extend(made)  # one row, several occurrences (「10月4日、11日、18日」)
    retire = bool(records) or report.skipped == 0
    sync_records(session, model, report.source, records, report, retire=retire)


BATCH = 200  # rows flushed per savepoint; a failing batch is retried row by row to find the broken row


def sync_records(
    session: Session,
    model,
    source: str,
    records: Iterable[Record],
    report: ImportReport,
    *,
    retire: bool = True,
    retire_filter: Callable[[object], bool] | None = None,
) -> None:
    """Upsert records of one source by source_key; retire the source's active rows that are no longer present."""
    existing = {row.source_key: row for row in session.exec(select(model).where(model.source == source))}
    seen: dict[str, int] = {}
    unique: list[Record] = []
    for record in records:
        if record.source_key in seen:
            report.skip(record.line_no, f"{seen[record.source_key]}行目と同じキー（{record.source_key}）の行が重複しています")
            continue
        seen[record.source_key] = record.line_no
        unique.append(record)
    now = utcnow()
    for start in range(0, len(unique), BATCH):
        batch = unique[start:start + BATCH]
        if not write_batch(session, model, source, batch, existing, now, report):
            for record in batch:  # find the row the database refused; keep the others
                if not write_batch(session, model, source, [record], existing, now, report):
                    report.skip(record.line_no, "データベースに保存できませんでした")
    if retire:
        retire_missing(session, existing, seen, now, report, retire_filter)
    session.flush()


def write_batch(session: Session, model, source: str, batch: list[Record], existing: dict, now: datetime,
                report: ImportReport) -> bool:
    """Insert/update a batch inside one savepoint; False (and nothing counted) when the database refuses it."""
    outcomes: list[str] = []
    added: list[str] = []
    try:
        with session.begin_nested():
            for record in batch:
                outcome = apply_record(session, model, source, record, existing, now)
                if outcome == "imported":
                    added.append(record.source_key)
                outcomes.append(outcome)
            session.flush()
    except (SQLAlchemyError, ValueError, TypeError) as exc:
        log.warning("import batch refused by the database: %s", type(exc).__name__)
        for key in added:
            existing.pop(key, None)
        return False
    for outcome in outcomes:
        setattr(report, outcome, getattr(report, outcome) + 1)
    return True


def apply_record(session: Session, model, source: str, record: Record, existing: dict, now: datetime) -> str:
    """Add or change one row in the session: 'imported', 'updated' or 'unchanged'."""
    values = fit_to_columns(model, record.values)
    row = existing.get(record.source_key)
    if row is None:
        row = model(source=source, source_key=record.source_key, **values)
        session.add(row)
        existing[record.source_key] = row
        return "imported"
    changed = {k: v for k, v in values.items() if not same_value(getattr(row, k), v)}
    if not changed:
        return "unchanged"
    for key, value in changed.items():
        setattr(row, key, value)
    if hasattr(row, "updated_at"):
        row.updated_at = now
    session.add(row)
    return "updated"


def retire_missing(session: Session, existing: dict, seen: dict, now: datetime, report: ImportReport,
                   retire_filter: Callable[[object], bool] | None) -> None:
    """Mark the source's active rows that the file no longer has as inactive."""
    for key, row in existing.items():
        if key in seen or not row.active:
            continue
        if retire_filter is not None and not retire_filter(row):
            continue
        row.active = False
        if hasattr(row, "updated_at"):
            row.updated_at = now
        session.add(row)
        report.retired += 1


def stable_datetime(value: datetime | None) -> str:
    """A datetime as text for source keys ('' for none)."""
    return value.strftime("%Y-%m-%dT%H:%M") if value else ""
