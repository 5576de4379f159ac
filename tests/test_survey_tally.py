"""Tallies agree with an independent pandas computation: raw, raked, every breakdown cell, the right cells hidden."""
from __future__ import annotations

import json

import pytest

from content.surveys import stats
from content.surveys.definition import parse_yaml, save_survey
from content.surveys.imports import import_answers
from content.surveys.population import load_population
from content.surveys.tally import TallyError, tally
from tests.survey_support import (DESIGN_EXAMPLE, DISTRICTS, answers_frame, close, csv_of, independent_tally,
                                  population_frame)

BREAKDOWNS = [["age_group"], ["gender"], ["district"], ["district", "age_group"], ["age_group", "gender", "district"]]


def load_set(session, frame, population=None):
    """The DESIGN.md example survey, the city's districts, a population table, and the generated answers imported
    as round 1."""
    from models import District

    save_survey(session, parse_yaml(DESIGN_EXAMPLE.read_text(encoding="utf-8")))
    for position, name in enumerate(DISTRICTS):
        session.add(District(name=name, position=position))
    if population is not None:
        load_population(session, csv_of(population))
    import_answers(session, "community-2026", csv_of(frame))
    session.commit()


def assert_estimate(mine: dict, theirs: dict, weighted: bool) -> None:
    """value, n, interval — and the weighted value, n_eff and margin of error — agree."""
    for key in ("value", "ci_low", "ci_high"):
        assert close(mine[key], theirs[key]), (key, mine[key], theirs[key])
    assert mine["n"] == theirs["n"]
    if weighted:
        for key in ("value", "n_eff", "moe"):
            assert close(mine["weighted"][key], theirs["weighted"][key]), (key, mine["weighted"], theirs["weighted"])


@pytest.mark.parametrize("n, seed, missing", [(1200, 1, 0.0), (400, 2, 0.08), (150, 3, 0.0)])
def test_tally_agrees_with_an_independent_computation_raw_weighted_and_every_cell(session, n, seed, missing):
    frame, population = answers_frame(n, seed, missing=missing), population_frame(seed)
    load_set(session, frame, population)
    for code in ("participation", "satisfaction", "center-use"):
        for by in BREAKDOWNS:
            for weighted in (False, True):
                mine = tally(session, code, None, tuple(by), weighted).as_json()
                theirs = independent_tally(frame, code, by, population if weighted else None)
                assert_estimate(mine, theirs["overall"], weighted)
                cells = {tuple(c[d] for d in by): c for c in mine["breakdown"]}
                assert set(cells) == set(theirs["cells"]), (code, by)
                for key, cell in cells.items():
                    expected = theirs["cells"][key]
                    if 1 <= expected["n"] <= 9:
                        assert cell["suppressed"] and cell["value"] is None and cell["n"] is None, (code, by, key)
                    if not cell["suppressed"]:
                        assert_estimate(cell, expected, weighted)


def lines_of(keys: list[tuple]) -> list[list[int]]:
    """Cells that differ in one attribute only: each such line has a known total."""
    lines: dict[tuple, list[int]] = {}
    for i, key in enumerate(keys):
        for d in range(len(key)):
            lines.setdefault((d,) + key[:d] + key[d + 1:], []).append(i)
    return list(lines.values())


@pytest.mark.parametrize("by", [["age_group"], ["district", "gender"], ["age_group", "gender", "district"]])
def test_no_hidden_cell_can_be_recovered_by_subtracting_from_a_total(session, by):
    frame = answers_frame(160, 11)
    load_set(session, frame)
    result = tally(session, "participation", None, tuple(by)).as_json()
    keys = [tuple(c[d] for d in by) for c in result["breakdown"]]
    counts = independent_tally(frame, "participation", by, None)["cells"]
    hidden = [c["suppressed"] for c in result["breakdown"]]
    assert any(hidden)
    for key, is_hidden in zip(keys, hidden):
        assert is_hidden == (1 <= counts[key]["n"] <= 9) or is_hidden, key  # every small cell hidden
    for line in lines_of(keys):
        if len(line) > 1:  # a line of one cell has that cell as its total: small, so hidden where it is shown
            assert sum(hidden[i] for i in line) != 1, [keys[i] for i in line]


@pytest.mark.parametrize("counts, expected", [
    ([50, 30, 5], {1, 2}),          # a lone small cell takes the next smallest with it
    ([50, 30, 5, 4], {2, 3}),       # two small cells already hide each other
    ([50, 30, 12], set()),          # nothing small: nothing hidden
    ([5], {0}),                     # nothing to pair with: the cell alone
    ([0, 40, 3, 20], {2, 3}),       # an empty cell is no help (0 may be shown)
])
def test_small_cells_and_one_complementary_cell_per_line_are_hidden(counts, expected):
    keys = [(str(i),) for i in range(len(counts))]
    assert stats.suppressed_cells(keys, counts) == expected


def test_two_way_table_hides_a_second_cell_in_each_line_that_has_one(session):
    keys = [("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("c", "x"), ("c", "y")]
    hidden = stats.suppressed_cells(keys, [40, 3, 30, 25, 60, 45])
    assert {1} < hidden
    for line in lines_of(keys):
        assert sum(i in hidden for i in line) != 1


@pytest.mark.parametrize("k, n, low, high", [
    (0, 10, 0.0, 0.27753279),
    (5, 10, 0.23659309, 0.76340691),
    (10, 10, 0.72246721, 1.0),
    (1, 10, 0.01787621, 0.40415003),
])
def test_wilson_interval_matches_published_values(k, n, low, high):
    mine = stats.wilson(k, n)
    assert mine[0] == pytest.approx(low, abs=1e-7) and mine[1] == pytest.approx(high, abs=1e-7)


def test_raking_hits_every_margin_and_leaves_respondents_outside_a_margin_alone():
    import numpy as np

    codes = np.array([[0, 0], [0, 1], [1, 0], [1, 1], [-1, 0]])
    base = np.array([30.0, 10.0, 20.0, 40.0, 5.0])
    targets = [np.array([500.0, 500.0]), np.array([300.0, 700.0])]
    result = stats.rake_cells(codes, base, targets)
    w = result.weights
    assert result.converged
    inside = codes[:, 0] >= 0
    share0 = (w * base)[inside & (codes[:, 0] == 0)].sum() / (w * base)[inside].sum()
    assert share0 == pytest.approx(0.5, abs=1e-9)
    share_g0 = (w * base)[codes[:, 1] == 0].sum() / (w * base).sum()
    assert share_g0 == pytest.approx(0.3, abs=1e-9)
    assert (w * base).sum() == pytest.approx(base.sum())


def test_a_population_category_without_respondents_is_left_out_and_noted(session):
    frame = answers_frame(300, 5)
    frame = frame[frame["age_group"] != "80-"]
    load_set(session, frame, population_frame(5))
    result = tally(session, "participation", None, (), True).as_json()
    theirs = independent_tally(frame, "participation", [], population_frame(5))
    assert close(result["weighted"]["value"], theirs["overall"]["weighted"]["value"])
    assert any("世代" in note for note in result["notes"])


def test_weighted_without_a_population_table_says_so(session):
    load_set(session, answers_frame(50, 4))
    result = tally(session, "participation", None, (), True).as_json()
    assert result["weighted"] is None and "人口表" in result["notes"][0]


def test_tally_json_has_designs_shape_and_the_plans_marks(session):
    load_set(session, answers_frame(200, 6), population_frame(6))
    result = tally(session, "participation", 1, ("age_group",), True).as_json()
    assert {"indicator", "name", "unit", "round", "value", "n", "ci_low", "ci_high", "baseline", "target", "weighted",
            "breakdown"} <= set(result)
    assert result["baseline"] == {"value": 37.6, "year": 2019} and result["target"] == {"value": 50.0, "year": 2025}
    assert result["round"] == 1 and result["unit"] == "%"
    assert {"value", "n_eff", "moe"} <= set(result["weighted"])
    assert all({"age_group", "value", "n", "suppressed"} <= set(c) for c in result["breakdown"])
    json.dumps(result)


@pytest.mark.parametrize("code, by, message", [
    ("nothing", "", "指標 nothing がありません"),
    ("participation", "age", "--by に使えるのは"),
])
def test_tally_refuses_what_it_cannot_do_with_a_clear_message(session, code, by, message):
    from content.surveys.tally import parse_by

    load_set(session, answers_frame(20, 1))
    with pytest.raises(TallyError, match=message):
        tally(session, code, None, parse_by(by))


def test_a_round_that_does_not_exist_is_refused(session):
    load_set(session, answers_frame(20, 1))
    with pytest.raises(TallyError, match="第5回"):
        tally(session, "participation", 5)
