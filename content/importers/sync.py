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
    now = utcnow()
    for record in records:
        if record.source_key in seen:
            report.skip(record.line_no, f"{seen[record.source_key]}行目と同じキー（{record.source_key}）の行が重複しています")
            continue
        seen[record.source_key] = record.line_no
        values = fit_to_columns(model, record.values)
        try:
            with session.begin_nested():
                row = existing.get(record.source_key)
                if row is None:
                    row = model(source=source, source_key=record.source_key, **values)
                    session.add(row)
                    session.flush()
                    existing[record.source_key] = row
                    report.imported += 1
                    continue
                changed = {k: v for k, v in values.items() if not same_value(getattr(row, k), v)}
                if not changed:
                    report.unchanged += 1
                    continue
                for key, value in changed.items():
                    setattr(row, key, value)
                if hasattr(row, "updated_at"):
                    row.updated_at = now
                session.add(row)
                session.flush()
                report.updated += 1
        except (SQLAlchemyError, ValueError, TypeError) as exc:
            log.warning("import row failed: %s", type(exc).__name__)
            session.expire_all()
            report.skip(record.line_no, f"保存できませんでした（{type(exc).__name__}）")
    if not retire:
        return
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
    session.flush()


def stable_datetime(value: datetime | None) -> str:
    """A datetime as text for source keys ('' for none)."""
    return value.strftime("%Y-%m-%dT%H:%M") if value else ""
