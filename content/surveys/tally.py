"""Indicator tallies: the database groups the answers by respondent cell and value, numpy does the rest.

`tally(session, code, round_number, by, weighted)` returns the DESIGN.md tally JSON: value, n and 95 % interval,
the 現状値 and 目標値, the weighted value with Kish n_eff and margin of error (raking to the latest population
table), and breakdown cells by age group, gender, district or their crossings with cells of 1–9 hidden.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

import numpy as np
from sqlmodel import Session, func, select

from content.surveys import stats
from content.surveys.definition import find_survey
from models import AGE_GROUPS, GENDERS, Answer, District, Indicator, PopulationCell, Question, SurveyRound

DIMENSIONS = ("age_group", "gender", "district")
DIMENSION_LABELS = {"age_group": "世代", "gender": "性別", "district": "地区"}
METHOD_KIND = {"share": "share", "mean_score": "mean", "per_capita": "mean"}


class TallyError(ValueError):
    """A tally that cannot be made as asked (unknown indicator, round or breakdown); message in Japanese."""


@dataclass
class Grouped:
    """Answers grouped by respondent cell and value: parallel lists, one entry per (cell, value)."""

    age_group: list
    gender: list
    district: list
    y: np.ndarray
    count: np.ndarray
    census: bool = False  # a full record (the attendance ledger), not a sample: no interval, no weighting
    notes: list[str] = field(default_factory=list)

    @classmethod
    def empty(cls) -> "Grouped":
        """No answers."""
        return cls([], [], [], np.zeros(0), np.zeros(0))

    def column(self, dim: str) -> list:
        """One attribute's column."""
        return getattr(self, dim)


@dataclass
class Population:
    """The population table weighting rakes to: categories and totals per margin."""

    as_of: date
    margins: dict[str, dict[str, float]]  # dim → category → population


@dataclass
class TallyResult:
    """Everything `tally` prints."""

    indicator: Indicator
    round: int | None
    overall: stats.Estimate
    weighted: bool
    by: tuple[str, ...] = ()
    cells: list[tuple[tuple, stats.Estimate, bool]] = field(default_factory=list)
    population_as_of: date | None = None
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        """DESIGN.md's tally JSON (with a few added keys: ci of the weighted value, deff, progress, notes)."""
        ind, o = self.indicator, self.overall
        out = {
            "indicator": ind.code, "name": ind.name, "unit": ind.unit, "round": self.round,
            "value": o.value, "n": o.n, "ci_low": o.ci_low, "ci_high": o.ci_high,
            "baseline": _mark(ind.baseline_value, ind.baseline_year),
            "target": _mark(ind.target_value, ind.target_year),
            "progress": progress(ind, o.value),
            "weighted": self._weighted_json(o) if self.weighted else None,
            "breakdown": [self._cell_json(key, est, hidden) for key, est, hidden in self.cells],
        }
        if self.by:
            out["by"] = list(self.by)
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    def _weighted_json(self, est: stats.Estimate) -> dict | None:
        """The weighted part of the overall value."""
        if est.weighted_value is None:
            return None
        low, high = _clip(self.indicator, est.weighted_value - est.moe, est.weighted_value + est.moe)
        return {"value": est.weighted_value, "n_eff": est.n_eff, "moe": est.moe, "ci_low": low, "ci_high": high,
                "deff": est.deff, "progress": progress(self.indicator, est.weighted_value),
                "population_as_of": self.population_as_of.isoformat() if self.population_as_of else None}

    def _cell_json(self, key: tuple, est: stats.Estimate, hidden: bool) -> dict:
        """One breakdown cell; a hidden one has value and n null."""
        cell = {dim: value for dim, value in zip(self.by, key)}
        if hidden:
            cell.update({"value": None, "n": None, "ci_low": None, "ci_high": None, "suppressed": True})
            if self.weighted:
                cell["weighted"] = None
            return cell
        cell.update({"value": est.value, "n": est.n, "ci_low": est.ci_low, "ci_high": est.ci_high,
                     "suppressed": False})
        if self.weighted:
            cell["weighted"] = ({"value": est.weighted_value, "n_eff": est.n_eff, "moe": est.moe}
                                if est.weighted_value is not None else None)
        return cell


def _mark(value: float | None, year: int | None) -> dict | None:
    """{"value", "year"} or None."""
    return None if value is None else {"value": value, "year": year}


def _clip(ind: Indicator, low: float, high: float) -> tuple[float, float]:
    """A share's interval stays within 0–100 %."""
    if ind.method == "share":
        return max(0.0, low), min(100.0, high)
    return low, high


def progress(ind: Indicator, value: float | None) -> float | None:
    """How far from 現状値 to 目標値 the value is, in % (100 = target reached)."""
    if value is None or ind.baseline_value is None or ind.target_value is None:
        return None
    span = ind.target_value - ind.baseline_value
    return None if span == 0 else 100.0 * (value - ind.baseline_value) / span


# --- reading the answers ------------------------------------------------------------------------

def value_scorer(ind: Indicator, question: Question) -> Callable[[str], float | None]:
    """The indicator's y for a stored answer value (None = left out of the denominator)."""
    params = ind.params or {}
    if ind.method == "share":
        if "values" in params:
            wanted = set(params["values"])
            return lambda v: 1.0 if wanted & set(v.split(";")) else 0.0
        low, high = params.get("min", float("-inf")), params.get("max", float("inf"))
        return lambda v: 1.0 if low <= _float(v) <= high else 0.0
    if ind.method == "mean_score" and "scores" in params:
        scores = {str(k): float(s) for k, s in params["scores"].items()}
        return lambda v: scores.get(v)
    return _float


def _float(value: str) -> float | None:
    """A stored number (canonical text) as float."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def grouped_answers(session: Session, question_id: int, round_id: int,
                    scorer: Callable[[str], float | None]) -> Grouped:
    """One GROUP BY over the answer table's covering index: (age group, gender, district, value) → count."""
    a = Answer
    rows = session.exec(
        select(a.age_group, a.gender, a.district, a.value, func.count())
        .where(a.question_id == question_id, a.round_id == round_id, a.value.is_not(None))
        .group_by(a.age_group, a.gender, a.district, a.value)).all()
    scores = {}
    ages, genders, districts, ys, counts = [], [], [], [], []
    for age, gender, district, value, count in rows:
        if value not in scores:
            scores[value] = scorer(value)
        y = scores[value]
        if y is None:
            continue
        ages.append(age or "")
        genders.append(gender or "")
        districts.append(district or "")
        ys.append(y)
        counts.append(count)
    return Grouped(ages, genders, districts, np.asarray(ys, float), np.asarray(counts, float))


# Other sources of an indicator (issue 9's attendance ledger) register a reader: (session, indicator, round) →
# Grouped. "question" is built in.
SOURCES: dict[str, Callable[[Session, Indicator, SurveyRound | None], Grouped]] = {}


# Sources whose module registers itself when first needed.
SOURCE_MODULES = {"attendance": "content.surveys.attendance"}


def register_source(name: str, reader: Callable[[Session, Indicator, SurveyRound | None], Grouped]) -> None:
    """Let an indicator with `source: name` be fed by reader."""
    SOURCES[name] = reader


def source_reader(name: str) -> Callable[[Session, Indicator, SurveyRound | None], Grouped] | None:
    """The reader of a source, importing its module on first use."""
    if name not in SOURCES and name in SOURCE_MODULES:
        import importlib

        importlib.import_module(SOURCE_MODULES[name])
    return SOURCES.get(name)


def _question_source(session: Session, ind: Indicator, rnd: SurveyRound | None) -> Grouped:
    """The answers to the indicator's question in the round."""
    question = session.get(Question, ind.question_id) if ind.question_id else None
    if question is None or rnd is None:
        return Grouped.empty()
    return grouped_answers(session, question.id, rnd.id, value_scorer(ind, question))


register_source("question", _question_source)


# --- population ---------------------------------------------------------------------------------

def latest_population(session: Session) -> Population | None:
    """The most recent population table, as margins per attribute (rows with the attribute empty left out)."""
    as_of = session.exec(select(func.max(PopulationCell.as_of))).first()
    if as_of is None:
        return None
    margins: dict[str, dict[str, float]] = {dim: {} for dim in DIMENSIONS}
    for cell in session.exec(select(PopulationCell).where(PopulationCell.as_of == as_of)).all():
        for dim in DIMENSIONS:
            category = getattr(cell, dim)
            if category:
                margins[dim][category] = margins[dim].get(category, 0.0) + cell.population
    return Population(as_of, {dim: m for dim, m in margins.items() if m})


def cell_weights(grouped: Grouped, population: Population) -> tuple[np.ndarray, list[str]]:
    """Raking weight per grouped row: respondent cells are raked to the population's margins."""
    keys = list(zip(grouped.age_group, grouped.gender, grouped.district))
    cell_of: dict[tuple, int] = {}
    row_cell = np.asarray([cell_of.setdefault(k, len(cell_of)) for k in keys], dtype=np.int64)
    cells = list(cell_of)
    base = np.bincount(row_cell, weights=grouped.count, minlength=len(cells)) if len(cells) else np.zeros(0)
    dims = [d for d in DIMENSIONS if d in population.margins]
    if not dims or not len(cells):
        return np.ones(len(keys)), ["人口表に年代・性別・地区の区分がないため補正していません"]
    codes = np.full((len(cells), len(dims)), -1, dtype=np.int64)
    targets = []
    for m, dim in enumerate(dims):
        categories = list(population.margins[dim])
        index = {c: i for i, c in enumerate(categories)}
        position = DIMENSIONS.index(dim)
        for c, key in enumerate(cells):
            codes[c, m] = index.get(key[position], -1)
        targets.append(np.asarray([population.margins[dim][c] for c in categories], float))
    result = stats.rake_cells(codes, base, targets, [DIMENSION_LABELS[d] for d in dims])
    return result.weights[row_cell], result.notes


# --- the tally ----------------------------------------------------------------------------------

def parse_by(text: str | None) -> tuple[str, ...]:
    """--by age_group,gender → ("age_group", "gender"); unknown names refused."""
    dims = tuple(d.strip() for d in (text or "").split(",") if d.strip())
    unknown = [d for d in dims if d not in DIMENSIONS]
    if unknown:
        raise TallyError(f"--by に使えるのは {', '.join(DIMENSIONS)} です（{', '.join(unknown)}）")
    if len(set(dims)) != len(dims):
        raise TallyError("--by に同じ区分が2回あります")
    return dims


def find_indicator(session: Session, code: str) -> Indicator:
    """The indicator with a code, or TallyError naming the known ones."""
    ind = session.exec(select(Indicator).where(Indicator.code == code)).first()
    if ind is None:
        known = session.exec(select(Indicator.code).order_by(Indicator.code)).all()
        raise TallyError(f"指標 {code} がありません（ある指標：{', '.join(known) or 'なし'}）")
    return ind


def find_round(session: Session, survey_id: int | None, number: int | None) -> SurveyRound | None:
    """Round N of the survey, or its latest round when N is not given."""
    if survey_id is None:
        return None
    query = select(SurveyRound).where(SurveyRound.survey_id == survey_id)
    if number is not None:
        rnd = session.exec(query.where(SurveyRound.number == number)).first()
        if rnd is None:
            raise TallyError(f"第{number}回はまだありません")
        return rnd
    return session.exec(query.order_by(SurveyRound.number.desc())).first()


def _order_key(session: Session, dims: tuple[str, ...]) -> Callable[[tuple], tuple]:
    """Cells in the codes' order (世代, 性別), districts in the city's order; missing attributes last."""
    districts = {name: i for i, name in enumerate(
        session.exec(select(District.name).order_by(District.position, District.id)).all())}
    orders = {"age_group": {c: i for i, c in enumerate(AGE_GROUPS)}, "gender": {c: i for i, c in enumerate(GENDERS)},
              "district": districts}

    def key(cell: tuple) -> tuple:
        return tuple((value == "", orders[dim].get(value, len(orders[dim])), value) for dim, value in zip(dims, cell))
    return key


def breakdown(grouped: Grouped, dims: tuple[str, ...], kind: str, scale: float, weights: np.ndarray | None,
              order: Callable[[tuple], tuple], interval: bool = True) -> list[tuple[tuple, stats.Estimate, bool]]:
    """One estimate per cell of the crossing of dims (cells with respondents only), with suppression flags."""
    if not dims:
        return []
    keys = list(zip(*(grouped.column(d) for d in dims))) if len(grouped.count) else []
    members: dict[tuple, list[int]] = {}
    for i, key in enumerate(keys):
        members.setdefault(key, []).append(i)
    cells = sorted(members, key=order)
    estimates = []
    for key in cells:
        idx = np.asarray(members[key])
        estimates.append(stats.estimate(grouped.y[idx], grouped.count[idx], kind=kind, scale=scale,
                                        weight=None if weights is None else weights[idx], interval=interval))
    hidden = stats.suppressed_cells(cells, [e.n for e in estimates])
    return [(key, est, i in hidden) for i, (key, est) in enumerate(zip(cells, estimates))]


def tally(session: Session, code: str, round_number: int | None = None, by: tuple[str, ...] = (),
          weighted: bool = False) -> TallyResult:
    """The indicator's value for a round (its survey's latest by default), optionally weighted and broken down."""
    ind = find_indicator(session, code)
    rnd = find_round(session, ind.survey_id, round_number)
    reader = source_reader(ind.source)
    if reader is None:
        raise TallyError(f"指標 {code} のデータ（{ind.source}）はまだ集計できません")
    grouped = reader(session, ind, rnd)
    kind = METHOD_KIND[ind.method]
    scale = float((ind.params or {}).get("annualize", 1.0)) if ind.method == "per_capita" else 1.0
    notes: list[str] = list(grouped.notes)
    weights, as_of = None, None
    if weighted and grouped.census:
        notes.append("全数の記録なので人口構成による補正はしません")
    elif weighted:
        population = latest_population(session)
        if population is None:
            notes.append("人口表（tsunagari population load）がないため補正値は出せません")
        elif len(grouped.count):
            weights, rake_notes = cell_weights(grouped, population)
            notes += rake_notes
            as_of = population.as_of
    interval = not grouped.census
    overall = stats.estimate(grouped.y, grouped.count, kind=kind, scale=scale, weight=weights, interval=interval)
    cells = breakdown(grouped, by, kind, scale, weights, _order_key(session, by), interval)
    return TallyResult(ind, rnd.number if rnd else None, overall, weighted, by, cells, as_of, notes)


def tally_rounds(session: Session, code: str, weighted: bool = False) -> list[TallyResult]:
    """The indicator in every round of its survey, oldest first (the trend)."""
    ind = find_indicator(session, code)
    numbers = session.exec(select(SurveyRound.number).where(SurveyRound.survey_id == ind.survey_id)
                           .order_by(SurveyRound.number)).all() if ind.survey_id else []
    return [tally(session, code, n, (), weighted) for n in numbers]


def survey_indicators(session: Session, survey_code: str) -> list[Indicator]:
    """A survey's indicators in their file order."""
    survey = find_survey(session, survey_code)
    if survey is None:
        return []
    return list(session.exec(select(Indicator).where(Indicator.survey_id == survey.id)
                             .order_by(Indicator.position)).all())
