"""The survey pages of the console, as staff use them: every field labelled, the editor saving what `survey load`
would, answers uploaded all-or-nothing, rounds opened through the push engine, results published, exports."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest
from sqlmodel import Session, select

from models import Delivery, Question, Response, Survey, SurveyRound
from tests.fixtures.console.support import fast_hashing, login, make_user, post_form  # noqa: F401
from tests.survey_support import DESIGN_EXAMPLE, answers_frame, csv_of, example_city, population_frame
from tests.test_admin_pages import PageScan

pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture
def staff(app, engine):
    """A logged-in staff member, the DESIGN.md example survey and a city of five districts."""
    make_user(engine, "staff@city.example.jp", "staff")
    example_city(engine)
    client = app.test_client()
    login(client, "staff@city.example.jp")
    return client


def upload(client, path: str, data: bytes, name: str, **fields):
    """POST a file through a console form."""
    return post_form(client, path, {"file": (io.BytesIO(data), name), **fields},
                     content_type="multipart/form-data", follow_redirects=True)


@pytest.mark.parametrize("path", ["/admin/surveys", "/admin/surveys/new", "/admin/surveys/community-2026",
                                  "/admin/surveys/community-2026/edit", "/admin/surveys/community-2026/yaml",
                                  "/admin/population", "/admin/account",
                                  "/admin/surveys/community-2026?weighted=1"])
def test_every_survey_page_has_labelled_fields_and_loads_nothing_from_elsewhere(staff, path):
    response = staff.get(path)
    assert response.status_code == 200
    scan = PageScan()
    scan.feed(response.get_data(as_text=True))
    assert [c for c in scan.controls if c not in scan.labels] == []
    assert all(url.startswith("/admin/static/") for url in scan.loads) and scan.lang == "ja"


def test_organizations_cannot_see_surveys(app, engine, staff):
    make_user(engine, "org@example.jp", "org", org="南自治会")
    client = app.test_client()
    login(client, "org@example.jp")
    assert client.get("/admin/surveys").status_code == 403


def test_the_editor_saves_a_new_survey_with_translations_and_a_skip_condition(staff, engine):
    form = {"code": "life-2026", "title_ja": "くらしアンケート", "title_en": "Life survey", "q-count": "3",
            "i-count": "1", "q-0-code": "q1", "q-0-type": "yesno", "q-0-text_ja": "参加しましたか",
            "q-0-text_en": "Did you take part?", "q-0-required": "1",
            "q-1-code": "q2", "q-1-type": "single", "q-1-text_ja": "何に", "q-1-required": "1",
            "q-1-choices": "fes: 祭り | Festival\nclean: 清掃", "q-1-ask_if": "q1=yes",
            "q-2-code": "", "i-0-code": "joined", "i-0-name": "参加率", "i-0-unit": "%", "i-0-method": "share",
            "i-0-question": "q1", "i-0-values": "yes", "i-0-baseline": "30", "i-0-baseline_year": "2024",
            "action": "save"}
    response = post_form(staff, "/admin/surveys/new", form, follow_redirects=True)
    assert "アンケート life-2026 を保存しました" in response.get_data(as_text=True)
    with Session(engine) as session:
        survey = session.exec(select(Survey).where(Survey.code == "life-2026")).one()
        q2 = session.exec(select(Question).where(Question.survey_id == survey.id, Question.code == "q2")).one()
        assert survey.translations == {"en": {"title": "Life survey"}}
        assert q2.ask_if == {"q1": ["yes"]} and q2.choices[0]["label"] == {"ja": "祭り", "en": "Festival"}


def test_the_editor_shows_every_problem_and_keeps_what_was_typed(staff, engine):
    form = {"code": "bad", "title_ja": "題", "q-count": "1", "i-count": "0", "q-0-code": "q1",
            "q-0-type": "single", "q-0-text_ja": "どれ？", "q-0-choices": "ひとつだけ", "action": "save"}
    response = post_form(staff, "/admin/surveys/new", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "choices を2つ以上" in page and "どれ？" in page
    with Session(engine) as session:
        assert session.exec(select(Survey).where(Survey.code == "bad")).first() is None


def test_yaml_editing_refuses_a_broken_file_and_saves_a_good_one(staff):
    bad = post_form(staff, "/admin/surveys/community-2026/yaml", {"yaml": "code: [oops"})
    assert bad.status_code == 400 and "YAMLとして読めません" in bad.get_data(as_text=True)
    good = DESIGN_EXAMPLE.read_text(encoding="utf-8").replace("地域活動アンケート", "地域活動アンケート（改）")
    page = post_form(staff, "/admin/surveys/community-2026/yaml", {"yaml": good}, follow_redirects=True)
    assert "地域活動アンケート（改）" in page.get_data(as_text=True)


def test_an_answers_upload_with_a_bad_row_imports_nothing_and_names_the_line(staff, engine):
    frame = answers_frame(30, 3)
    frame.loc[5, "q3"] = "99"
    page = upload(staff, "/admin/surveys/community-2026/import", csv_of(frame), "paper.csv").get_data(as_text=True)
    assert "1行も取り込んでいません" in page and "7行目" in page
    with Session(engine) as session:
        assert session.exec(select(Response)).first() is None
    frame.loc[5, "q3"] = "9"
    page = upload(staff, "/admin/surveys/community-2026/import", csv_of(frame), "paper.csv").get_data(as_text=True)
    assert "30人分の回答を取り込みました" in page


def test_the_dashboard_draws_the_indicator_path_and_switches_to_weighted(staff):
    upload(staff, "/admin/population", csv_of(population_frame(3)), "population.csv")
    upload(staff, "/admin/surveys/community-2026/import", csv_of(answers_frame(300, 3)), "paper.csv")
    raw = staff.get("/admin/surveys/community-2026").get_data(as_text=True)
    assert raw.count("<svg") >= 3 and "現状値 2019" in raw and "目標値 2025" in raw and "第1回" in raw
    assert "補正値" not in raw.split("質問ごとの回答")[0].split("指標（第1回）")[1].split("<table")[0]
    weighted = staff.get("/admin/surveys/community-2026?weighted=1").get_data(as_text=True)
    assert "有効標本数" in weighted and "人口表（基準日 2025-03-31）" in weighted
    assert "10未満" in raw or "10未満" in weighted


def test_opening_a_round_from_the_console_queues_the_intro_push(staff, engine):
    from tests.delivery_support import add_residents

    add_residents(engine, 12, district=lambda n: "北野" if n % 2 else "南台")
    page = post_form(staff, "/admin/surveys/community-2026/open", {"district": "北野", "closes": "2099-05-31T18:00"},
                     follow_redirects=True).get_data(as_text=True)
    assert "第1回を始めました。6人に最初の質問を送ります" in page
    with Session(engine) as session:
        delivery = session.exec(select(Delivery)).one()
        rnd = session.exec(select(SurveyRound)).one()
        assert (delivery.kind, delivery.ref_id, delivery.segment) == ("survey", rnd.id, {"district": ["北野"]})
        assert rnd.reminder_at is not None and rnd.reminder_at < rnd.closes_at
    closed = post_form(staff, "/admin/surveys/community-2026/rounds/1/close", follow_redirects=True)
    assert "第1回を締め切りました" in closed.get_data(as_text=True)


def test_exports_download_as_csv_with_a_bom_and_as_xlsx(staff):
    upload(staff, "/admin/surveys/community-2026/import", csv_of(answers_frame(40, 4)), "paper.csv")
    csv_response = staff.get("/admin/surveys/export/answers.csv?survey=community-2026")
    assert csv_response.data.startswith(b"\xef\xbb\xbf") and "回答者".encode() in csv_response.data
    assert "attachment" in csv_response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(staff.get("/admin/surveys/export/tallies.xlsx").data))
    assert "世代別" in book.sheetnames


def test_published_results_reach_the_public_page_with_small_cells_hidden(staff, engine, client):
    upload(staff, "/admin/surveys/community-2026/import", csv_of(answers_frame(60, 8)), "paper.csv")
    assert client.get("/surveys/community-2026/1").status_code == 404  # not published yet
    page = post_form(staff, "/admin/surveys/community-2026/rounds/1/publish",
                     {"summary": "ご協力ありがとうございました。参加率は上がっています。"}, follow_redirects=True)
    assert "結果を公開しました。" in page.get_data(as_text=True)  # paper only: nobody to push to
    public = client.get("/surveys/community-2026/1")
    html = public.get_data(as_text=True)
    assert public.status_code == 200 and "参加率は上がっています" in html and "区（自治会）の活動" in html
    assert "10未満" in html
    assert not re.search(r"<script", html)
