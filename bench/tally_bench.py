"""Tally benchmark: 1,000,000 answers tallied by age group × gender × district, raw and weighted, on SQLite and
PostgreSQL — beside a pandas groupby of the same data in the same run (the baseline).

The tally is what `tsunagari tally participation --by age_group,gender,district [--weighted]` runs: one GROUP BY
over the answers' covering index, then numpy on the cell table (raking, intervals, suppression). PostgreSQL runs
in a scratch database made from BENCH_DATABASE_URL or TEST_DATABASE_URL (dropped afterwards); without either it is
skipped. Target: ≤ 2 s per tally on both.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.claim_explain import database_url, scratch_database
from models import create_schema, make_engine

TARGET_SECONDS = 2.0
AGES = ["-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80-"]
GENDERS = ["female", "male", "other"]
DISTRICTS = ["中央", "北野", "南台", "東町", "西浜", "山の手", "川辺", "緑ヶ丘", "本町", "港"]
SURVEY = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "surveys" / "design-example.yaml"
BY = ("age_group", "gender", "district")


def generate(n: int, seed: int = 42) -> dict[str, np.ndarray]:
    """n respondents: attributes skewed as LINE users are, a yes/no answer that depends on age."""
    rng = np.random.default_rng(seed)
    age = rng.choice(len(AGES), n, p=[0.06, 0.17, 0.2, 0.19, 0.15, 0.12, 0.08, 0.03])
    gender = rng.choice(3, n, p=[0.55, 0.43, 0.02])
    district = rng.choice(len(DISTRICTS), n)
    yes = rng.random(n) < 0.2 + 0.07 * age
    return {"age": age, "gender": gender, "district": district, "yes": yes}


def population_csv() -> bytes:
    """A population table for every district × age group × female/male."""
    rows = ["district,age_group,gender,population,as_of"]
    for d, name in enumerate(DISTRICTS):
        for a, age in enumerate(AGES):
            for g in ("female", "male"):
                rows.append(f"{name},{age},{g},{900 + 37 * d + 120 * a + (g == 'female') * 40},2025-03-31")
    return ("\n".join(rows) + "\n").encode()


def prepare(engine) -> tuple[int, int]:
    """Schema, the DESIGN.md survey, its round 1 and the population table; returns (round id, q1 id)."""
    from sqlmodel import Session, select

    from content.surveys.definition import parse_yaml, save_survey
    from content.surveys.population import load_population
    from content.surveys.rounds import create_round
    from models import Question, Survey

    create_schema(engine)
    with Session(engine) as session:
        save_survey(session, parse_yaml(SURVEY.read_text(encoding="utf-8")))
        survey = session.exec(select(Survey)).one()
        rnd = create_round(session, survey, in_chat=False)
        load_population(session, population_csv())
        q1 = session.exec(select(Question).where(Question.code == "q1")).one()
        session.commit()
        return rnd.id, q1.id


def rows_of(data: dict[str, np.ndarray], round_id: int, question_id: int):
    """(responses, answers) as plain tuples for a bulk load."""
    ages = np.asarray(AGES, dtype=object)[data["age"]]
    genders = np.asarray(GENDERS, dtype=object)[data["gender"]]
    districts = np.asarray(DISTRICTS, dtype=object)[data["district"]]
    values = np.where(data["yes"], "yes", "no")
    n = len(values)
    ids = range(1, n + 1)
    responses = list(zip(ids, [round_id] * n, [f"b{i}" for i in ids], ["paper"] * n, districts, ages, genders))
    answers = list(zip(ids, ids, [question_id] * n, [round_id] * n, values, districts, ages, genders))
    return responses, answers


def load_sqlite(engine, responses, answers) -> None:
    """executemany in one transaction on the raw connection."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.executemany("INSERT INTO survey_response (id, round_id, respondent, channel, district, age_group, gender, "
                        "started_at) VALUES (?, ?, ?, ?, ?, ?, ?, '2026-05-01 00:00:00')", responses)
        cur.executemany("INSERT INTO survey_answer (id, response_id, question_id, round_id, value, district, "
                        "age_group, gender, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '2026-05-01 00:00:00')",
                        answers)
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def _tsv(rows, chunk: int = 50_000):
    """Rows as COPY text, in chunks (no value holds a tab or newline)."""
    for start in range(0, len(rows), chunk):
        yield "".join("\t".join(map(str, row)) + "\t2026-05-01 00:00:00\n" for row in rows[start:start + chunk])


def load_postgresql(engine, responses, answers) -> None:
    """COPY both tables as text, then VACUUM ANALYZE as autovacuum would."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        for table, columns, rows in (
                ("survey_response", "id, round_id, respondent, channel, district, age_group, gender, started_at",
                 responses),
                ("survey_answer", "id, response_id, question_id, round_id, value, district, age_group, gender, "
                                  "answered_at", answers)):
            with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for block in _tsv(rows):
                    copy.write(block)
        raw.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        from sqlalchemy import text

        conn.execute(text("VACUUM ANALYZE survey_answer"))
        conn.execute(text("VACUUM ANALYZE survey_response"))


def time_tally(engine, weighted: bool, repeats: int = 3) -> tuple[float, dict]:
    """Median seconds of a full tally with the three-way breakdown (a fresh session each time)."""
    from sqlmodel import Session

    from content.surveys.tally import tally

    times, result = [], None
    for _ in range(repeats):
        with Session(engine) as session:
            start = time.perf_counter()
            result = tally(session, "participation", 1, BY, weighted).as_json()
            times.append(time.perf_counter() - start)
    return statistics.median(times), result


def time_pandas(data: dict[str, np.ndarray], repeats: int = 3) -> float:
    """Median seconds of the baseline: a pandas groupby of the same answers by the same three attributes."""
    import pandas as pd

    frame = pd.DataFrame({"age_group": np.asarray(AGES, dtype=object)[data["age"]],
                          "gender": np.asarray(GENDERS, dtype=object)[data["gender"]],
                          "district": np.asarray(DISTRICTS, dtype=object)[data["district"]],
                          "y": data["yes"].astype(float)})
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        frame.groupby(list(BY))["y"].agg(["count", "sum", "mean"])
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_backend(label: str, url: str, loader, data, pandas_seconds: float) -> bool:
    """Load, tally raw and weighted, print the figures; True when both are within the target."""
    engine = make_engine(url)
    try:
        round_id, q1 = prepare(engine)
        responses, answers = rows_of(data, round_id, q1)
        start = time.perf_counter()
        loader(engine, responses, answers)
        load_seconds = time.perf_counter() - start
        raw_seconds, raw = time_tally(engine, False)
        weighted_seconds, weighted = time_tally(engine, True)
    finally:
        engine.dispose()
    cells = len(raw["breakdown"])
    hidden = sum(1 for c in raw["breakdown"] if c["suppressed"])
    print(f"  {label:<10}  raw {raw_seconds:6.3f} s ({raw_seconds / pandas_seconds:5.1f}× pandas)   "
          f"weighted {weighted_seconds:6.3f} s ({weighted_seconds / pandas_seconds:5.1f}× pandas)   "
          f"[{cells} cells, {hidden} hidden; load {load_seconds:.1f} s]")
    print(f"  {'':<10}  n = {raw['n']}, value = {raw['value']:.3f} %, weighted = {weighted['weighted']['value']:.3f} % "
          f"± {weighted['weighted']['moe']:.3f} (n_eff {weighted['weighted']['n_eff']:.0f})")
    return raw_seconds <= TARGET_SECONDS and weighted_seconds <= TARGET_SECONDS


def main(argv: list[str] | None = None) -> int:
    """Print the tally figures beside the pandas baseline; non-zero when a tally misses the 2 s target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    data = generate(args.answers)
    pandas_seconds = time_pandas(data)
    print(f"Tally of {args.answers:,} answers by age group × gender × district (median of 3; target ≤ {TARGET_SECONDS} s)")
    print(f"  {'pandas':<10}  groupby {pandas_seconds:6.3f} s   (baseline: in memory, no database, no weighting)")
    ok = True
    with tempfile.TemporaryDirectory(prefix="tsunagari-tally-bench-") as folder:
        ok = run_backend("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}", load_sqlite, data, pandas_seconds) and ok
    server = database_url()
    if server is None:
        print("  PostgreSQL  skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)")
    else:
        with scratch_database(server) as url:
            ok = run_backend("PostgreSQL", url, load_postgresql, data, pandas_seconds) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
