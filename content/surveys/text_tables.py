"""`tally --format table|csv`: the tally as a plain text table for a terminal, or as CSV for a spreadsheet."""
from __future__ import annotations

import csv
import io
import unicodedata

from content.surveys.exports import HIDDEN_N, HIDDEN_VALUE, attribute_label
from content.surveys.tally import DIMENSION_LABELS, TallyResult


def _fmt(value: float | None, digits: int = 1) -> str:
    """A number for the table ('' for none)."""
    return "" if value is None else f"{value:.{digits}f}"


def _width(text: str) -> int:
    """Terminal columns: wide (Japanese) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad to a terminal width."""
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def _rows(result: TallyResult) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the breakdown."""
    header = [DIMENSION_LABELS[d] for d in result.by] + ["回答者数", "値", "95%区間"]
    if result.weighted:
        header += ["補正値", "有効標本数", "誤差±"]
    rows = []
    for key, est, hidden in result.cells:
        attrs = [attribute_label(d, v) for d, v in zip(result.by, key)]
        if hidden:
            rows.append(attrs + [HIDDEN_N, HIDDEN_VALUE, HIDDEN_VALUE] + ([HIDDEN_VALUE] * 3 if result.weighted else []))
            continue
        interval = f"{_fmt(est.ci_low)}〜{_fmt(est.ci_high)}" if est.ci_low is not None else ""
        row = attrs + [str(est.n), _fmt(est.value), interval]
        if result.weighted:
            row += [_fmt(est.weighted_value), _fmt(est.n_eff), _fmt(est.moe)]
        rows.append(row)
    return header, rows


def tally_table(result: TallyResult) -> str:
    """The tally as staff read it in a terminal."""
    ind, o = result.indicator, result.overall
    unit = ind.unit or ""
    lines = [f"{ind.code}  {ind.name}  第{result.round}回" if result.round else f"{ind.code}  {ind.name}"]
    if o.value is None:
        lines.append("  回答がまだありません")
    else:
        interval = f"（95%信頼区間 {_fmt(o.ci_low)}〜{_fmt(o.ci_high)}）" if o.ci_low is not None else ""
        lines.append(f"  単純集計 {_fmt(o.value, 2)} {unit}{interval}  回答者 {o.n}人")
    if result.weighted and o.weighted_value is not None:
        lines.append(f"  補正値   {_fmt(o.weighted_value, 2)} {unit} ±{_fmt(o.moe, 2)}"
                     f"（有効標本数 {_fmt(o.n_eff)}、人口表 {result.population_as_of}）")
    marks = []
    if ind.baseline_value is not None:
        marks.append(f"現状値 {ind.baseline_value:g} {unit}（{ind.baseline_year or ''}）")
    if ind.target_value is not None:
        marks.append(f"目標値 {ind.target_value:g} {unit}（{ind.target_year or ''}）")
    if marks:
        lines.append("  " + "  ".join(marks))
    lines += [f"  注: {note}" for note in result.notes]
    if result.by:
        header, rows = _rows(result)
        widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(header)]
        lines.append("")
        lines.append("  ".join(_pad(h, w) for h, w in zip(header, widths)))
        for row in rows:
            lines.append("  ".join(_pad(c, w, right=i >= len(result.by)) for i, (c, w) in enumerate(zip(row, widths))))
    return "\n".join(lines)


def _blank(values: list) -> list:
    """None written as an empty cell."""
    return ["" if v is None else v for v in values]


def tally_csv(result: TallyResult) -> str:
    """The tally as CSV: the whole first (no attributes), then each breakdown cell (hidden ones empty)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    dims = list(result.by)
    writer.writerow(["indicator", "round"] + dims + ["n", "value", "ci_low", "ci_high", "weighted_value", "n_eff",
                                                     "moe", "suppressed"])
    o = result.overall
    writer.writerow(_blank([result.indicator.code, result.round] + ["" for _ in dims]
                           + [o.n, o.value, o.ci_low, o.ci_high, o.weighted_value, o.n_eff, o.moe, False]))
    for key, est, hidden in result.cells:
        numbers = [None] * 7 if hidden else [est.n, est.value, est.ci_low, est.ci_high, est.weighted_value,
                                             est.n_eff, est.moe]
        writer.writerow(_blank([result.indicator.code, result.round] + list(key) + numbers + [hidden]))
    return buffer.getvalue()
