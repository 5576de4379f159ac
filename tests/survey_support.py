"""Helpers for the survey tests: generated answer sets and population tables, and an INDEPENDENT computation of
every indicator (pandas, per respondent, its own raking and interval formulas) to check the tallies against."""
from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd

FIXTURES = Path(__file__).parent / "fixtures" / "surveys"
DESIGN_EXAMPLE = FIXTURES / "design-example.yaml"
AGES = ["-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80-"]
GENDERS = ["female", "male", "other"]
DISTRICTS = ["北野", "南台", "東町", "西浜", "山の手地区"]
Z = 1.959963984540054


def example_city(engine) -> None:
    """The DESIGN.md example survey and a city of the five districts the generated sets use."""
    from sqlmodel import Session

    from content.surveys.definition import parse_yaml, save_survey
    from models import District

    with Session(engine) as session:
        save_survey(session, parse_yaml(DESIGN_EXAMPLE.read_text(encoding="utf-8")))
        for position, name in enumerate(DISTRICTS):
            session.add(District(name=name, position=position))
        session.commit()


def population_frame(seed: int = 7, districts=DISTRICTS) -> pd.DataFrame:
    """A population table: every district × age group × (female, male), older groups larger as in rural cities."""
    rng = np.random.default_rng(seed)
    rows = []
    for d in districts:
        size = rng.uniform(0.5, 2.0)
        for i, a in enumerate(AGES):
            for g in ("female", "male"):
                rows.append({"district": d, "age_group": a, "gender": g,
                             "population": int(size * (600 + 120 * i) * rng.uniform(0.8, 1.2)), "as_of": "2025-03-31"})
    return pd.DataFrame(rows)


def answers_frame(n: int, seed: int = 1, *, districts=DISTRICTS, missing: float = 0.0,
                  skew: bool = True) -> pd.DataFrame:
    """n respondents with attributes drawn like LINE users (young, central), answers depending on them.

    missing: the share of respondents with each attribute left empty (and some gender "other")."""
    rng = np.random.default_rng(seed)
    age_p = np.array([0.08, 0.18, 0.2, 0.18, 0.14, 0.11, 0.07, 0.04]) if skew else np.full(8, 1 / 8)
    dist_p = np.linspace(2.0, 0.5, len(districts)) if skew else np.ones(len(districts))
    frame = pd.DataFrame({
        "respondent": [f"r{i:06d}" for i in range(n)],
        "channel": rng.choice(["paper", "phone", "web", "line"], n),
        "district": rng.choice(districts, n, p=dist_p / dist_p.sum()),
        "age_group": rng.choice(AGES, n, p=age_p / age_p.sum()),
        "gender": rng.choice(["female", "male", "other"], n, p=[0.55, 0.42, 0.03]),
        "answered_at": "2026-05-01 10:00",
    })
    for column in ("district", "age_group", "gender"):
        frame.loc[rng.random(n) < missing, column] = ""
    age_index = frame["age_group"].map({a: i for i, a in enumerate(AGES)}).fillna(3).to_numpy()
    p_yes = 0.2 + 0.07 * age_index
    frame["q1"] = np.where(rng.random(n) < p_yes, "yes", "no")
    frame["q2"] = np.clip(np.round(rng.normal(2.6 + 0.15 * age_index, 1.1)), 1, 5).astype(int).astype(str)
    frame["q3"] = np.clip(rng.poisson(0.2 + 0.12 * age_index), 0, 31).astype(str)
    frame["q4"] = rng.choice(["a", "b"], n)
    for q in ("q1", "q2", "q3"):  # some leave a question unanswered: out of that indicator's denominator
        frame.loc[rng.random(n) < 0.04, q] = ""
    return frame


def csv_of(frame: pd.DataFrame) -> bytes:
    """A frame as the answers or population CSV (UTF-8)."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


# --- the independent computation ---------------------------------------------------------------

def indicator_y(frame: pd.DataFrame, code: str) -> pd.DataFrame:
    """Respondents who answered the indicator's question, with its y: participation (share of q1 yes),
    satisfaction (q2 scored 0–100), center-use (q3 × 12)."""
    question = {"participation": "q1", "satisfaction": "q2", "center-use": "q3"}[code]
    part = frame[frame[question] != ""].copy()
    if code == "participation":
        part["y"] = (part[question] == "yes").astype(float)
    elif code == "satisfaction":
        part["y"] = part[question].astype(int).map({1: 0, 2: 25, 3: 50, 4: 75, 5: 100}).astype(float)
    else:
        part["y"] = part[question].astype(float)
    return part


def wilson_quadratic(k: float, n: int) -> tuple[float, float]:
    """Wilson's interval, written as the roots of its quadratic (another form than the app's)."""
    p = k / n
    root = Z * math.sqrt(Z * Z + 4 * n * p * (1 - p))
    return (2 * n * p + Z * Z - root) / (2 * (n + Z * Z)), (2 * n * p + Z * Z + root) / (2 * (n + Z * Z))


def rake_respondents(part: pd.DataFrame, population: pd.DataFrame, tol: float = 1e-11) -> pd.Series:
    """Raking one respondent at a time (not by cells): each margin in turn, respondents outside the population's
    categories (empty, "other") left as they are, the rest fitted to the population's proportions."""
    w = np.ones(len(part))
    margins = []
    for dim in ("age_group", "gender", "district"):
        margin = population[population[dim] != ""].groupby(dim)["population"].sum()
        margin = margin[margin.index.isin(part[dim])]  # categories nobody answered in are left out
        codes = part[dim].map({c: i for i, c in enumerate(margin.index)}).fillna(-1).astype(int).to_numpy()
        margins.append((codes, margin.to_numpy(dtype=float)))
    for _ in range(20000):
        worst = 0.0
        for codes, margin in margins:
            inside = codes >= 0
            current = np.array([w[inside & (codes == c)].sum() for c in range(len(margin))])
            factor = margin / margin.sum() * current.sum() / current
            w[inside] *= factor[codes[inside]]
            worst = max(worst, float(np.abs(factor - 1).max()))
        if worst < tol:
            break
    return pd.Series(w * len(w) / w.sum(), index=part.index)


def summary(y: pd.Series, w: pd.Series | None, share: bool, scale: float) -> dict:
    """value, n, interval; and weighted value, n_eff, moe."""
    n = len(y)
    unit = 100.0 if share else scale
    if share:
        low, high = wilson_quadratic(y.sum(), n)
        out = {"value": 100 * y.mean(), "n": n, "ci_low": 100 * low, "ci_high": 100 * high}
    else:
        half = t_ppf(n - 1) * y.std(ddof=1) / math.sqrt(n) if n > 1 else None
        out = {"value": scale * y.mean(), "n": n, "ci_low": None if half is None else scale * (y.mean() - half),
               "ci_high": None if half is None else scale * (y.mean() + half)}
    if w is not None:
        mean_w = float(np.average(y, weights=w))
        n_eff = w.sum() ** 2 / (w ** 2).sum()
        sd_w = math.sqrt(float(np.average((y - mean_w) ** 2, weights=w)))
        out["weighted"] = {"value": unit * mean_w, "n_eff": n_eff, "moe": unit * Z * sd_w / math.sqrt(n_eff)}
    return out


_T_PPF: dict[int, float] = {}


def t_ppf(df: int) -> float:
    """scipy.stats' t quantile (the app uses scipy.special.stdtrit), remembered per df."""
    if df not in _T_PPF:
        from scipy import stats

        _T_PPF[df] = float(stats.t.ppf(0.975, df))
    return _T_PPF[df]


_WEIGHTS: dict[tuple, pd.Series] = {}


def independent_tally(frame: pd.DataFrame, code: str, by: list[str], population: pd.DataFrame | None) -> dict:
    """The indicator as pandas computes it: overall and every breakdown cell (keys as tuples)."""
    part = indicator_y(frame, code)
    share, scale = code == "participation", 12.0 if code == "center-use" else 1.0
    w = None
    if population is not None:
        key = (id(frame), id(population), code)
        if key not in _WEIGHTS:
            _WEIGHTS[key] = rake_respondents(part, population)
        w = _WEIGHTS[key]
    result = {"overall": summary(part["y"], w, share, scale), "cells": {}}
    if by:
        for key, group in part.groupby(by, sort=False):
            key = key if isinstance(key, tuple) else (key,)
            result["cells"][tuple(key)] = summary(group["y"], None if w is None else w[group.index], share, scale)
    return result


def close(a, b, rel: float = 1e-6) -> bool:
    """Equal to well within 4 significant figures (None only equals None)."""
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-12)
