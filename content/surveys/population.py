"""`tsunagari population load`: the population table (district × age group × gender) that tallies are raked to.

CSV header `district,age_group,gender,population,as_of` (Japanese headers 地区,年代,性別,人口,基準日 also read);
an attribute left empty means the row is not split by it. Any bad row refuses the whole file with line numbers;
a good file replaces the table of the same 基準日 (as_of), and the latest 基準日 is the one used.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, delete, select

from content.importers.csvread import read_table
from content.surveys.values import age_group_code, gender_code
from models import District, PopulationCell, utcnow

HEADER_ALIASES = {
    "district": ("district", "地区", "地域", "地区名"),
    "age_group": ("age_group", "年代", "世代", "年齢階級"),
    "gender": ("gender", "性別", "sex"),
    "population": ("population", "人口", "人数"),
    "as_of": ("as_of", "基準日", "時点"),
}
REQUIRED = ("district", "age_group", "gender", "population", "as_of")


class RowsRefused(ValueError):
    """The file is refused as a whole: (line, message) for every bad row, nothing stored."""

    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__("\n".join(f"{line}行目: {message}" for line, message in problems))
        self.problems = problems


@dataclass
class PopulationReport:
    """What a load stored."""

    cells: int = 0
    total: int = 0
    as_of: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The report as the CLI prints it."""
        return {"cells": self.cells, "population": self.total, "as_of": self.as_of, "districts": self.districts}


def header_map(header: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Column index per field name, from the header's names or their aliases (case-insensitive)."""
    found = {}
    for index, name in enumerate(header):
        for key, names in aliases.items():
            if name.lower() in {n.lower() for n in names} and key not in found:
                found[key] = index
    return found


def parse_date(text: str) -> date:
    """2025-03-31, 2025/3/31 or 2025年3月31日 → date."""
    text = (text or "").strip()
    match = re.fullmatch(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?", text)
    if not match:
        raise ValueError(f"日付 {text or '（空）'} は 2025-03-31 の形にしてください")
    return date(*map(int, match.groups()))


def parse_count(text: str) -> int:
    """A non-negative whole number, Excel's 1,234 included."""
    raw = (text or "").strip().replace(",", "")
    if not raw.isdigit():
        raise ValueError(f"人口 {text or '（空）'} は0以上の整数にしてください")
    return int(raw)


def read_population(data: bytes) -> list[tuple[int, PopulationCell]]:
    """Parse the CSV into cells with their line numbers; RowsRefused lists every problem."""
    table = read_table(data)
    columns = header_map(table.header, HEADER_ALIASES)
    missing = [k for k in REQUIRED if k not in columns]
    if missing:
        raise RowsRefused([(table.header_line, f"列 {', '.join(missing)} がありません（見出し: "
                                               f"district,age_group,gender,population,as_of）")])
    problems: list[tuple[int, str]] = []
    cells: list[tuple[int, PopulationCell]] = []
    seen: dict[tuple, int] = {}
    for line, row in table.rows:
        def cell(key: str) -> str:
            index = columns[key]
            return row[index].strip() if index < len(row) else ""
        try:
            item = PopulationCell(district=cell("district"), age_group=age_group_code(cell("age_group")) or "",
                                  gender=gender_code(cell("gender")) or "", population=parse_count(cell("population")),
                                  as_of=parse_date(cell("as_of")))
        except ValueError as exc:
            problems.append((line, str(exc)))
            continue
        key = (item.as_of, item.district, item.age_group, item.gender)
        if key in seen:
            problems.append((line, f"{seen[key]}行目と同じ区分です"))
            continue
        seen[key] = line
        cells.append((line, item))
    if not cells and not problems:
        problems.append((table.header_line, "データの行がありません"))
    if problems:
        raise RowsRefused(problems)
    return cells


def load_population(session: Session, data: bytes) -> PopulationReport:
    """Store a population table, replacing the rows of the same 基準日 (flushes; the caller commits)."""
    cells = [c for _line, c in read_population(data)]
    report = PopulationReport()
    now = utcnow()
    for as_of in sorted({c.as_of for c in cells}):
        session.exec(delete(PopulationCell).where(PopulationCell.as_of == as_of))
        report.as_of.append(as_of.isoformat())
    session.flush()
    for c in cells:
        c.loaded_at = now
        session.add(c)
        report.total += c.population
    report.cells = len(cells)
    report.districts = sorted({c.district for c in cells if c.district})
    session.flush()
    return report


def known_districts(session: Session) -> set[str]:
    """The city's districts: its own list, and every district named in a loaded population table."""
    names = set(session.exec(select(District.name)).all())
    return names | {d for d in session.exec(select(PopulationCell.district).distinct()).all() if d}
