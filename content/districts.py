"""The city's own 地区: names, kana and the facilities in each, kept from the console or a CSV file.

Onboarding offers them, segments and tallies group by them, and the search knows them by name and kana.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from sqlmodel import Session, select

from content.importers.csvread import read_table
from content.notices import rename_district_in_notices
from models import District, Facility, Organization, Resident, utcnow

NAME_MAX, KANA_MAX = 64, 128
KANA_PATTERN = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\s]+")  # ひらがな, カタカナ, ー, spaces
FACILITY_SEPARATORS = re.compile(r"[、,;；|｜\n]+")
# The CSV's columns (DESIGN.md: import districts; layout in the README) and the headers each is found under.
CSV_COLUMNS = {
    "name": ("地区名", "地区", "名称", "name"),
    "kana": ("ふりがな", "よみがな", "読み", "よみ", "カナ", "フリガナ", "kana"),
    "facilities": ("施設", "施設名", "地区の施設", "facilities"),
}


@dataclass
class DistrictRow:
    """One district with the facilities in it, for the console's list."""

    district: District
    facilities: list[Facility]


@dataclass
class DistrictImport:
    """What a districts CSV came to: refused with every bad line, or districts added and updated."""

    problems: list[str] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    facilities: int = 0

    def format(self) -> str:
        """The report printed by the CLI and shown in the console."""
        if self.problems:
            return "\n".join(["取り込めませんでした（何も変更していません）："] + self.problems)
        return f"地区 {self.added}件を追加、{self.updated}件を更新、施設 {self.facilities}件の地区を設定しました。"


def list_districts(session: Session) -> list[DistrictRow]:
    """Every district in the city's order, each with its active facilities by name."""
    districts = session.exec(select(District).order_by(District.position, District.id)).all()
    facilities = session.exec(select(Facility).where(Facility.active == True)  # noqa: E712
                              .order_by(Facility.name)).all()
    return [DistrictRow(d, [f for f in facilities if f.district == d.name]) for d in districts]


def tidy(text: str | None) -> str:
    """Form input or a CSV cell as stored: NFKC (half-width kana widened), outer spaces gone."""
    return unicodedata.normalize("NFKC", text or "").strip()


def name_problem(session: Session, name: str, district_id: int | None = None) -> str | None:
    """Why a district name cannot be used, or None."""
    if not name:
        return "地区名を入力してください。"
    if len(name) > NAME_MAX:
        return f"地区名は{NAME_MAX}文字までにしてください。"
    same = session.exec(select(District).where(District.name == name)).first()
    if same is not None and same.id != district_id:
        return f"「{name}」はすでにあります。"
    return None


def kana_problem(kana: str) -> str | None:
    """Why a reading cannot be used, or None (it may be left empty)."""
    if kana and not KANA_PATTERN.fullmatch(kana):
        return "ふりがなは、ひらがなかカタカナで入力してください。"
    if len(kana) > KANA_MAX:
        return f"ふりがなは{KANA_MAX}文字までにしてください。"
    return None


def save_district(session: Session, district: District | None, name: str, kana: str,
                  facility_ids: list[int]) -> District:
    """Add a district, or change one (a new name follows to its facilities, residents and organizations); the
    chosen facilities are in it afterwards and no others. The caller has checked the values and commits."""
    name, kana = tidy(name), tidy(kana)
    if district is None:
        last = session.exec(select(District.position).order_by(District.position.desc())).first()
        district = District(name=name, position=(last + 1) if last is not None else 0)
    elif district.name != name:
        rename_everywhere(session, district.name, name)
    district.name, district.kana, district.updated_at = name, kana or None, utcnow()
    session.add(district)
    chosen = set(facility_ids)
    for facility in session.exec(select(Facility)).all():
        inside = facility.id in chosen
        if inside and facility.district != name:
            facility.district, facility.updated_at = name, utcnow()
        elif not inside and facility.district == name:
            facility.district, facility.updated_at = None, utcnow()
    session.flush()
    return district


def rename_everywhere(session: Session, old: str, new: str) -> None:
    """Carry a district's new name to the rows that name it (answers, and notices already sent, keep the name
    they were given with)."""
    for model in (Facility, Resident, Organization):
        for row in session.exec(select(model).where(model.district == old)).all():
            row.district = new
            if hasattr(row, "updated_at"):
                row.updated_at = utcnow()
            session.add(row)
    rename_district_in_notices(session, old, new)


def import_districts(session: Session, data: bytes) -> DistrictImport:
    """Districts from a CSV (地区名, ふりがな, 施設; see the README): all rows or, with any bad row, none."""
    table = read_table(data)
    report = DistrictImport()
    columns = {key: next((i for i, h in enumerate(table.header) if h in names), None)
               for key, names in CSV_COLUMNS.items()}
    if columns["name"] is None:
        report.problems.append(f"{table.header_line}行目: 見出しに「地区名」がありません（見出しは 地区名,ふりがな,施設）。")
        return report
    facilities = session.exec(select(Facility).where(Facility.active == True)).all()  # noqa: E712
    by_name: dict[str, list[Facility]] = {}
    for facility in facilities:
        by_name.setdefault(tidy(facility.name), []).append(facility)
    rows, seen = [], {}
    for line, cells in table.rows:
        cell = lambda key: tidy(cells[columns[key]]) if columns[key] is not None and columns[key] < len(cells) else ""  # noqa: E731
        name, kana = cell("name"), cell("kana")
        problem = ("地区名が空です。" if not name else
                   f"地区名は{NAME_MAX}文字までにしてください。" if len(name) > NAME_MAX else
                   f"「{name}」は{seen[name]}行目と重複しています。" if name in seen else kana_problem(kana))
        named = [tidy(n) for n in FACILITY_SEPARATORS.split(cell("facilities")) if tidy(n)]
        unknown = [n for n in named if n not in by_name]
        if problem is None and unknown:
            problem = f"施設「{'」「'.join(unknown)}」が見つかりません（先に施設を取り込んでください）。"
        if problem:
            report.problems.append(f"{line}行目: {problem}")
        seen.setdefault(name, line)
        rows.append((name, kana, [f for n in named for f in by_name.get(n, [])]))
    if not rows and not report.problems:
        report.problems.append(f"{table.header_line}行目: 見出しのほかに行がありません。")
    if report.problems:
        return report
    _apply_import(session, rows, report)
    return report


def _apply_import(session: Session, rows: list, report: DistrictImport) -> None:
    """Add or update the districts in the file's order (districts not in the file stay, after them)."""
    existing = {d.name: d for d in session.exec(select(District)).all()}
    for position, (name, kana, facilities) in enumerate(rows):
        district = existing.get(name)
        if district is None:
            district = District(name=name)
            report.added += 1
        else:
            report.updated += 1
        district.kana, district.position, district.updated_at = kana or district.kana, position, utcnow()
        session.add(district)
        for facility in facilities:
            if facility.district != name:
                facility.district, facility.updated_at = name, utcnow()
                session.add(facility)
            report.facilities += 1
    listed = {name for name, _kana, _facilities in rows}
    others = [d for d in existing.values() if d.name not in listed]
    for offset, district in enumerate(sorted(others, key=lambda d: (d.position, d.id)), start=len(rows)):
        district.position = offset
        session.add(district)
    session.flush()
