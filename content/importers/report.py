"""What an import did: counts, the lines it skipped and why, or why the file was refused."""
from __future__ import annotations

from dataclasses import dataclass, field

_KIND_LABELS = {"events": "イベント", "facilities": "施設", "opportunities": "参加の機会", "faq": "よくある質問"}


@dataclass
class ImportReport:
    """The outcome of one import; unchanged rows count as neither imported nor updated."""

    kind: str = "events"
    path: str = ""
    source: str = ""
    layout: str = ""
    encoding: str = ""
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    skipped: int = 0
    linked: int = 0  # facilities import: earlier-imported events now linked to a facility
    problems: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)  # rows kept, with a value we had to adjust
    refused: str | None = None

    @property
    def ok(self) -> bool:
        """True when the file was read (even if some rows were skipped)."""
        return self.refused is None

    @property
    def changed(self) -> int:
        """Rows written: imported + updated + retired."""
        return self.imported + self.updated + self.retired

    def skip(self, line_no: int, reason: str) -> None:
        """Count a skipped row and remember where and why."""
        self.skipped += 1
        self.problems.append((line_no, reason))

    def format(self) -> str:
        """A readable Japanese report for the operator."""
        label = _KIND_LABELS.get(self.kind, self.kind)
        if self.refused:
            return f"{self.path}: 取り込めませんでした（{label}）。\n{self.refused}"
        lines = [
            f"{self.path}: {label}の取り込み結果（形式: {self.layout}、文字コード: {self.encoding}、ソース: {self.source}）",
            f"  新規 {self.imported} 件 / 更新 {self.updated} 件 / 変更なし {self.unchanged} 件 / "
            f"掲載終了 {self.retired} 件 / スキップ {self.skipped} 件",
        ]
        if self.linked:
            lines.append(f"  施設名が一致したイベント {self.linked} 件を施設に結び付けました")
        for line_no, reason in self.problems:
            lines.append(f"  {where(line_no)}スキップ — {reason}")
        for line_no, note in self.warnings:
            lines.append(f"  {where(line_no)}注意 — {note}")
        return "\n".join(lines)


def where(line_no: int) -> str:
    """'12行目: ' for a CSV line; nothing for sources without lines (iCalendar)."""
    return f"{line_no}行目: " if line_no else ""


def import_command_text(report: ImportReport) -> str:
    """What `tsunagari import` prints: the formatted report (exit code is the caller's: 1 when refused)."""
    return report.format()
