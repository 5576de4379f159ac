"""`tsunagari export answers|tallies`: CSV with a BOM and Japanese intact, XLSX that openpyxl reads, small cells
hidden the same way as the tally, LINE users only as pseudonyms."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from content.surveys.exports import export_answers, export_tallies
from tests.test_survey_tally import load_set
from tests.survey_support import answers_frame, population_frame


@pytest.fixture
def answered(session):
    """120 generated respondents with a population table."""
    load_set(session, answers_frame(120, 21), population_frame(21))
    return session


def read_csv(data: bytes) -> list[list[str]]:
    """Decode as Excel does a UTF-8 file with a BOM."""
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_answers_csv_has_a_bom_japanese_headers_and_labels(answered):
    rows = read_csv(export_answers(answered, "csv", "community-2026"))
    assert rows[0][:8] == ["アンケート", "回", "回答者", "経路", "地区", "年代", "性別", "回答日時"]
    assert rows[0][8].startswith("q1 過去1年に自治会")
    assert len(rows) == 121
    assert {r[8] for r in rows[1:]} <= {"はい", "いいえ", ""}
    assert {r[9] for r in rows[1:]} <= {"不満", "やや不満", "普通", "やや満足", "満足", ""}


def test_tallies_csv_hides_small_cells_as_the_tally_does(answered):
    from content.surveys.tally import tally

    rows = read_csv(export_tallies(answered, "csv"))
    header = rows[0]
    assert header[:5] == ["指標コード", "指標名", "単位", "回", "区分"]
    hidden = [r for r in rows[1:] if r[header.index("秘匿")] == "秘匿"]
    assert hidden and all(r[header.index("回答者数")] == "10未満" and r[header.index("値（単純集計）")] == "―"
                          for r in hidden)
    by_age = tally(answered, "participation", None, ("age_group",), True)
    shown = [r for r in rows if r[0] == "participation" and r[4] == "世代別" and r[header.index("秘匿")] != "秘匿"]
    assert len(shown) == sum(1 for _key, _est, h in by_age.cells if not h)
    whole = next(r for r in rows if r[0] == "participation" and r[4] == "全体")
    assert float(whole[header.index("値（単純集計）")]) == pytest.approx(by_age.overall.value, abs=0.006)
    assert float(whole[header.index("補正値")]) == pytest.approx(by_age.overall.weighted_value, abs=0.006)


def test_xlsx_exports_open_in_openpyxl_with_their_sheets(answered):
    book = openpyxl.load_workbook(io.BytesIO(export_tallies(answered, "xlsx")))
    assert {"全体", "世代別", "男女別", "地区別", "推移", "注記"} <= set(book.sheetnames)
    assert book["全体"].cell(1, 2).value == "指標名"
    assert book["全体"].cell(2, 2).value == "区（自治会）の活動に参加している人の割合"
    answers = openpyxl.load_workbook(io.BytesIO(export_answers(answered, "xlsx")))
    sheet = answers["community-2026"]
    assert sheet.cell(1, 3).value == "回答者" and sheet.max_row == 121


def test_chat_respondents_appear_only_as_a_pseudonym(session):
    from content.surveys.definition import parse_yaml, save_survey
    from content.surveys.rounds import create_round, start_response
    from models import Resident
    from tests.survey_support import DESIGN_EXAMPLE

    save_survey(session, parse_yaml(DESIGN_EXAMPLE.read_text(encoding="utf-8")))
    from content.surveys.definition import find_survey

    resident = Resident(line_user_id="U" + "7" * 32)
    session.add(resident)
    session.flush()
    start_response(session, create_round(session, find_survey(session, "community-2026")), resident)
    data = export_answers(session, "csv")
    assert b"U777" not in data and read_csv(data)[1][2].startswith("L")
