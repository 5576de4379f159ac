"""Paper, phone and web answers into a round (`tsunagari import answers`), and the population table: a bad row
refuses the whole file with its line number, and nothing is half-imported."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlmodel import func, select

from content.surveys.definition import parse_yaml, save_survey
from content.surveys.imports import import_answers
from content.surveys.population import RowsRefused, load_population
from models import Answer, District, PopulationCell, Response, SurveyRound
from tests.survey_support import DESIGN_EXAMPLE

HEADER = "respondent,channel,district,age_group,gender,answered_at,q1,q2,q3,q4\n"


@pytest.fixture
def survey(session):
    """The DESIGN.md example and a city with two districts."""
    save_survey(session, parse_yaml(DESIGN_EXAMPLE.read_text(encoding="utf-8")))
    session.add_all([District(name="北野", position=0), District(name="南台", position=1)])
    session.commit()
    return session


def count(session, model) -> int:
    """Rows in a table."""
    return session.exec(select(func.count()).select_from(model)).one()


def test_good_rows_are_imported_each_with_its_channel(survey):
    data = (HEADER + "p1,paper,北野,60-69,female,2026-05-01,yes,4,3,a\n"
                     "p2,phone,南台,70-79,male,2026/5/2 10:30,no,2,０,b\n"
                     "p3,web,,,,,yes,,,\n").encode()
    report = import_answers(survey, "community-2026", data)
    assert report.as_dict()["respondents"] == 3 and report.channels == {"paper": 1, "phone": 1, "web": 1}
    assert report.created_round and report.round == 1
    responses = {r.respondent: r for r in survey.exec(select(Response)).all()}
    assert (responses["p1"].channel, responses["p1"].district, responses["p1"].age_group) == ("paper", "北野", "60-69")
    assert responses["p3"].district is None
    assert count(survey, Answer) == 4 + 4 + 1
    numbers = sorted(a.number for a in survey.exec(select(Answer)).all() if a.number is not None and a.value in "03")
    assert 0.0 in numbers  # 全角 ０ read as 0


@pytest.mark.parametrize("row, problem", [
    ("p9,fax,北野,60-69,female,,yes,4,3,a", "経路 fax"),
    ("p9,paper,どこか,60-69,female,,yes,4,3,a", "地区 どこか"),
    ("p9,paper,北野,65,female,,yes,4,3,a", "年代 65"),
    ("p9,paper,北野,60-69,unknown,,yes,4,3,a", "性別 unknown"),
    ("p9,paper,北野,60-69,female,,maybe,4,3,a", "q1: maybe"),
    ("p9,paper,北野,60-69,female,,yes,6,3,a", "q2: 6"),
    ("p9,paper,北野,60-69,female,,yes,4,32,a", "q3: 32 は範囲外"),
    ("p9,paper,北野,60-69,female,,yes,4,many,a", "q3: many は数ではありません"),
    ("p9,paper,北野,60-69,female,yesterday,yes,4,3,a", "回答日時 yesterday"),
    ("p1,paper,北野,60-69,female,,yes,4,3,a", "2行目にもあります"),
    (",paper,北野,60-69,female,,yes,4,3,a", "respondent"),
])
def test_one_bad_row_refuses_the_file_with_its_line_number_and_nothing_is_imported(survey, row, problem):
    data = (HEADER + "p1,paper,北野,60-69,female,,yes,4,3,a\n" + row + "\n").encode()
    with pytest.raises(RowsRefused) as refused:
        import_answers(survey, "community-2026", data)
    survey.rollback()
    assert any(line == 3 and problem in message for line, message in refused.value.problems), refused.value.problems
    assert count(survey, Response) == 0 and count(survey, Answer) == 0 and count(survey, SurveyRound) == 0


def test_an_unknown_question_column_is_refused(survey):
    with pytest.raises(RowsRefused, match="q9"):
        import_answers(survey, "community-2026", (HEADER.strip() + ",q9\np1,paper,,,,,yes,,,,1\n").encode())


def test_a_district_named_in_the_population_table_counts_as_the_citys(survey):
    load_population(survey, "district,age_group,gender,population,as_of\n西浜,60-69,female,120,2025-03-31\n".encode())
    import_answers(survey, "community-2026", (HEADER + "p1,paper,西浜,,,,yes,,,\n").encode())
    assert survey.exec(select(Response)).one().district == "西浜"


def test_importing_the_same_file_twice_replaces_rather_than_doubles(survey):
    data = (HEADER + "p1,paper,北野,60-69,female,,yes,4,3,a\np2,paper,南台,,,,no,,,\n").encode()
    import_answers(survey, "community-2026", data)
    report = import_answers(survey, "community-2026", data.replace(b"no,,,", b"yes,,,"))
    assert (report.new, report.replaced) == (0, 2)
    assert count(survey, Response) == 2
    assert sorted(a.value for a in survey.exec(select(Answer)).all() if a.value in ("yes", "no")) == ["yes", "yes"]


def test_japanese_headers_labels_and_cp932_are_read(survey):
    text = ("回答者,経路,地区,年代,性別,回答日時,q1 過去1年に…,q2 満足,q3,q4\n"
            "紙-001,紙,北野,60代,女性,2026-05-01 09:00,はい,やや満足,３回,a\n")
    import_answers(survey, "community-2026", text.encode("cp932"))
    response = survey.exec(select(Response)).one()
    assert (response.respondent, response.channel, response.age_group, response.gender) == \
        ("紙-001", "paper", "60-69", "female")
    values = sorted(a.value for a in survey.exec(select(Answer)).all())
    assert values == ["3", "4", "a", "yes"]


def test_a_round_number_that_does_not_exist_makes_a_paper_only_round(survey):
    import_answers(survey, "community-2026", (HEADER + "p1,paper,,,,,yes,,,\n").encode(), round_number=3)
    rnd = survey.exec(select(SurveyRound)).one()
    assert (rnd.number, rnd.in_chat) == (3, False)


@pytest.mark.parametrize("row, problem", [
    ("北野,60-69,female,-5,2025-03-31", "人口 -5"),
    ("北野,60-69,female,100,31/03/2025", "日付 31/03/2025"),
    ("北野,65-69,female,100,2025-03-31", "年代 65-69"),
    ("北野,60-69,female,100,2025-03-31", "2行目と同じ区分"),
])
def test_a_bad_population_row_refuses_the_table(session, row, problem):
    data = ("district,age_group,gender,population,as_of\n北野,60-69,female,100,2025-03-31\n" + row + "\n").encode()
    with pytest.raises(RowsRefused) as refused:
        load_population(session, data)
    session.rollback()
    assert any(line == 3 and problem in message for line, message in refused.value.problems)
    assert count(session, PopulationCell) == 0


def test_a_population_table_replaces_the_one_of_the_same_date(session):
    head = "district,age_group,gender,population,as_of\n"
    load_population(session, (head + "北野,60-69,female,100,2025-03-31\n南台,60-69,female,50,2025-03-31\n").encode())
    report = load_population(session, (head + "北野,60-69,female,\"1,200\",2025-03-31\n").encode())
    assert report.total == 1200 and count(session, PopulationCell) == 1


def run_cli(database_url: str, *args: str):
    """The tsunagari CLI against a database."""
    from bot.cli import main

    return CliRunner().invoke(main, list(args), env={"DATABASE_URL": database_url}, catch_exceptions=False)


def test_cli_loads_imports_and_refuses_with_line_numbers(engine, database_url, tmp_path):
    survey_file = tmp_path / "survey.yaml"
    survey_file.write_text(DESIGN_EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli(database_url, "survey", "load", str(survey_file))
    assert result.exit_code == 0 and json.loads(result.output)["questions"] == 4
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "p1,paper,,,,,yes,,,\np2,paper,,,,,maybe,,,\n", encoding="utf-8")
    result = run_cli(database_url, "import", "answers", str(bad), "--survey", "community-2026")
    assert result.exit_code == 2 and "3行目" in result.output and "1行も取り込んでいません" in result.output
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "p1,paper,,,,,yes,,,\n", encoding="utf-8")
    result = run_cli(database_url, "import", "answers", str(good), "--survey", "community-2026", "--round", "2")
    assert result.exit_code == 0 and json.loads(result.output)["round"] == 2
    result = run_cli(database_url, "tally", "participation", "--format", "json")
    assert json.loads(result.output)["value"] == 100.0
