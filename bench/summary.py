"""One table for every benchmark of `make bench`: each figure beside the baseline measured in the same run.

Each area records its rows while it runs (`record(...)`); bench/__main__.py prints the table at the end. A ratio
is always "ours / baseline" for figures where more is better, and "baseline / ours" where less is better, so
above 1 means better than the baseline in every row.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Row:
    """One figure of one area, with its baseline."""

    area: str
    figure: str
    value: float
    baseline: float | None
    unit: str
    higher_is_better: bool = True
    baseline_name: str = ""

    def ratio(self) -> float | None:
        """How much better than the baseline (> 1 better), or None without one."""
        if not self.baseline or not self.value:
            return None
        return self.value / self.baseline if self.higher_is_better else self.baseline / self.value


ROWS: list[Row] = []


def record(area: str, figure: str, value: float, baseline: float | None, unit: str, *,
           higher_is_better: bool = True, baseline_name: str = "") -> None:
    """Add a figure to the closing table."""
    ROWS.append(Row(area, figure, value, baseline, unit, higher_is_better, baseline_name))


def format_table(rows: list[Row] | None = None) -> str:
    """The table as text: area, figure, ours, baseline, ratio (> 1 = better than the baseline)."""
    rows = ROWS if rows is None else rows
    lines = [f"{'area':10} {'figure':44} {'ours':>10} {'baseline':>10} {'ratio':>6}  unit (baseline)"]
    for row in rows:
        ratio = row.ratio()
        baseline = f"{row.baseline:10.1f}" if row.baseline is not None else f"{'-':>10}"
        lines.append(f"{row.area:10} {row.figure:44} {row.value:10.1f} {baseline} "
                     f"{(f'{ratio:6.2f}' if ratio is not None else '     -')}  {row.unit}"
                     f"{f' ({row.baseline_name})' if row.baseline_name else ''}")
    return "\n".join(lines)


def print_summary() -> None:
    """Print the table (nothing when no benchmark recorded a row)."""
    if ROWS:
        print("\nSummary: every figure beside its baseline (ratio > 1 = better than the baseline)")
        print(format_table())
