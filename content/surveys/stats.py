"""The statistics behind an indicator, as pure functions on small arrays (numpy; scipy only for the t quantile).

The data are a *grouped* table: one row per (respondent cell, answer value) with its count, as the database's
GROUP BY returns it. Respondents in one cell (age group × gender × district) share one raking weight, so every
estimate below is exact on that table — no row per respondent is ever needed.

Formulas (README: Tallies):
- share: Wilson score interval, z = 1.959963984540054.
- mean (mean_score, per_capita): mean ± t(0.975, n−1)·s/√n, s the sample standard deviation (n−1).
- weighted: raking to the population margins; n_eff = (Σw)²/Σw² (Kish); sd_w² = Σw(y−ȳ_w)²/Σw;
  moe = z·sd_w/√n_eff (for a share sd_w² = p(1−p)).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

Z95 = 1.959963984540054
SMALL_CELL = range(1, 10)  # cells of 1–9 respondents are hidden (0 may be shown)
RAKE_TOLERANCE = 1e-10
RAKE_MAX_ITERATIONS = 2000


def wilson(k: float, n: float, z: float = Z95) -> tuple[float, float] | tuple[None, None]:
    """Wilson score interval for k successes in n (as proportions); (None, None) for n = 0."""
    if n <= 0:
        return None, None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def t_quantile(df: int, p: float = 0.975) -> float:
    """The Student t quantile (scipy's exact stdtrit)."""
    from scipy.special import stdtrit

    return float(stdtrit(df, p))


def t_interval(mean: float, sd: float, n: int) -> tuple[float, float] | tuple[None, None]:
    """mean ± t(0.975, n−1)·sd/√n; (None, None) below two answers."""
    if n < 2:
        return None, None
    half = t_quantile(n - 1) * sd / math.sqrt(n)
    return mean - half, mean + half


@dataclass
class Estimate:
    """One indicator value for a group of respondents: raw with its interval, and weighted when asked."""

    n: int
    value: float | None
    ci_low: float | None
    ci_high: float | None
    weighted_value: float | None = None
    n_eff: float | None = None
    moe: float | None = None
    deff: float | None = None


def estimate(y: np.ndarray, count: np.ndarray, *, kind: str, scale: float = 1.0,
             weight: np.ndarray | None = None, interval: bool = True) -> Estimate:
    """The estimate over grouped rows: y the row's value (0/1 for a share), count its respondents, weight the
    respondent weight of its cell. kind "share" reports percent with Wilson, "mean" the mean with a t interval;
    `scale` multiplies mean values (annualize); interval False (a full record, not a sample) gives none."""
    count = np.asarray(count, dtype=float)
    y = np.asarray(y, dtype=float)
    n = int(round(count.sum()))
    if n == 0:
        return Estimate(0, None, None, None)
    mean = float((count * y).sum() / n)
    if kind == "share":
        low, high = wilson(mean * n, n)
        out = Estimate(n, 100.0 * mean, None if low is None else 100.0 * low, None if high is None else 100.0 * high)
        unit = 100.0
    else:
        sd = math.sqrt(float((count * (y - mean) ** 2).sum()) / (n - 1)) if n > 1 else 0.0
        low, high = t_interval(mean, sd, n)
        out = Estimate(n, scale * mean, None if low is None else scale * low, None if high is None else scale * high)
        unit = scale
    if not interval:
        out.ci_low = out.ci_high = None
    if weight is not None:
        _add_weighted(out, y, count, np.asarray(weight, dtype=float), unit)
    return out


def _add_weighted(out: Estimate, y: np.ndarray, count: np.ndarray, weight: np.ndarray, unit: float) -> None:
    """Weighted value, Kish n_eff, design effect and margin of error, in the estimate's unit."""
    wc = weight * count
    total = wc.sum()
    if total <= 0:
        return
    mean_w = float((wc * y).sum() / total)
    n_eff = float(total ** 2 / (weight ** 2 * count).sum())
    var_w = float((wc * (y - mean_w) ** 2).sum() / total)
    out.weighted_value = unit * mean_w
    out.n_eff = n_eff
    out.deff = out.n / n_eff if n_eff > 0 else None
    out.moe = unit * Z95 * math.sqrt(max(var_w, 0.0) / n_eff)


# --- raking -------------------------------------------------------------------------------------

@dataclass
class RakeResult:
    """Weights per cell (mean respondent weight 1), iterations used, and what staff should know."""

    weights: np.ndarray
    iterations: int
    converged: bool
    notes: list[str] = field(default_factory=list)


def rake_cells(codes: np.ndarray, base: np.ndarray, targets: list[np.ndarray], names: list[str] | None = None,
               *, tol: float = RAKE_TOLERANCE, max_iter: int = RAKE_MAX_ITERATIONS) -> RakeResult:
    """Iterative proportional fitting of a cell table to one-way population margins.

    codes: (cells × margins) category index per cell, −1 where the cell's category is not in that margin (missing
    attribute, gender "other" with a census of two sexes): such respondents keep their weight at that margin's
    step, and the others are fitted to the population's proportions within their own weighted total.
    base: respondents per cell. targets: population per category, per margin. A category with population but no
    respondent is left out of its margin (noted), so raking never divides by zero."""
    codes = np.asarray(codes, dtype=np.int64)
    base = np.asarray(base, dtype=float)
    names = names or [f"margin {i}" for i in range(len(targets))]
    notes: list[str] = []
    fitted = []
    for m, target in enumerate(targets):
        target = np.asarray(target, dtype=float).copy()
        known = codes[:, m] >= 0
        have = np.bincount(codes[known, m], weights=base[known], minlength=len(target))
        empty = (have == 0) & (target > 0)
        if empty.any():
            notes.append(f"{names[m]}: 回答者のいない区分 {int(empty.sum())} 個を補正から除きました")
            target[empty] = 0.0
        fitted.append(target)
    w = np.ones(len(base))
    iterations, converged = 0, False
    for iterations in range(1, max_iter + 1):
        worst = 0.0
        for m, target in enumerate(fitted):
            known = codes[:, m] >= 0
            if target.sum() <= 0 or not known.any():
                continue
            current = np.bincount(codes[known, m], weights=(w * base)[known], minlength=len(target))
            goal = target / target.sum() * current.sum()
            factor = np.divide(goal, current, out=np.ones_like(goal), where=current > 0)
            w[known] *= factor[codes[known, m]]
            live = current > 0
            if live.any():
                worst = max(worst, float(np.max(np.abs(factor[live] - 1))))
        if worst < tol:
            converged = True
            break
    if not converged:
        notes.append("補正の計算が収束しませんでした（区分をまとめてください）")
    total = float((w * base).sum())
    if total > 0:
        w *= base.sum() / total  # mean respondent weight 1: weighted and raw counts stay comparable
    return RakeResult(w, iterations, converged, notes)


def kish(weights: np.ndarray, count: np.ndarray) -> float:
    """Kish's effective sample size (Σw)²/Σw² over grouped respondents."""
    weights, count = np.asarray(weights, float), np.asarray(count, float)
    return float((weights * count).sum() ** 2 / (weights ** 2 * count).sum())


# --- small-cell suppression ---------------------------------------------------------------------

def suppressed_cells(keys: list[tuple], counts: list[int]) -> set[int]:
    """Indexes of cells to hide: every cell of 1–9 respondents, plus complementary cells.

    A line of the table (cells that differ only in one attribute) has a known total — the overall n, or a
    coarser breakdown's cell — so a line with exactly one hidden cell would give it away by subtraction; the
    smallest other non-empty cell of that line is hidden too, repeated until no line has a lone hidden cell."""
    hidden = {i for i, n in enumerate(counts) if n in SMALL_CELL}
    dims = len(keys[0]) if keys else 0
    lines: dict[tuple, list[int]] = {}
    for i, key in enumerate(keys):
        for d in range(dims):
            lines.setdefault((d,) + key[:d] + key[d + 1:], []).append(i)
    changed = bool(hidden)
    while changed:
        changed = False
        for members in lines.values():
            lone = [i for i in members if i in hidden]
            if len(lone) != 1:
                continue
            others = [i for i in members if i not in hidden and counts[i] > 0]
            if others:
                hidden.add(min(others, key=lambda i: (counts[i], i)))
                changed = True
    return hidden
