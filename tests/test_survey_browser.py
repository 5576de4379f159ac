"""Staff in headless Chromium: upload paper answers and the population table, read the indicator chart, switch to
weighted, download the exports (CSV with a BOM, XLSX that openpyxl reads), and make a survey in the form editor."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from tests.test_console_browser import log_in
from tests.fixtures.console.support import make_user
from tests.survey_support import answers_frame, csv_of, example_city, population_frame

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_staff_read_the_dashboard_and_download_the_exports(engine, live_server, chromium, tmp_path):
    base = live_server.base_url
    make_user(engine, "staff@city.example.jp", "staff")
    example_city(engine)
    answers, population = tmp_path / "paper.csv", tmp_path / "population.csv"
    answers.write_bytes(csv_of(answers_frame(400, 12)))
    population.write_bytes(csv_of(population_frame(12)))
    context = chromium.new_context(timezone_id="Asia/Tokyo", locale="ja-JP", accept_downloads=True)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        log_in(page, base, "staff@city.example.jp")

        page.get_by_role("link", name="アンケート", exact=True).click()
        page.get_by_role("link", name="人口表（補正用）").click()
        page.get_by_label("CSVファイル").set_input_files(str(population))
        page.get_by_role("button", name="読み込む").click()
        page.wait_for_selector("text=人口表（基準日 2025-03-31）を読み込みました")

        page.goto(base + "/admin/surveys")
        page.get_by_role("link", name="地域活動アンケート").click()
        page.get_by_label("CSVファイル").set_input_files(str(answers))
        page.get_by_role("button", name="取り込む").click()
        page.wait_for_selector("text=400人分の回答を取り込みました")

        chart = page.locator("#indicator-participation svg")
        # the flash arrives before the rest of the page on a loaded machine: wait for the chart, as staff would
        chart.wait_for(state="visible")
        assert "現状値 2019" in chart.text_content() and "目標値 2025" in chart.text_content()
        assert page.locator("#indicator-participation").get_by_text("補正値").count() == 0
        page.get_by_role("link", name="人口構成で補正").click()
        page.wait_for_selector("#indicator-participation >> text=補正値")
        assert page.get_by_role("link", name="人口構成で補正").get_attribute("aria-current") == "true"
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

        with page.expect_download() as download:
            page.get_by_role("link", name="回答をCSVで").click()
        data = open(download.value.path(), "rb").read()
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0][:3] == ["アンケート", "回", "回答者"] and len(rows) == 401
        with page.expect_download() as download:
            page.get_by_role("link", name="集計をExcelで").click()
        book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
        assert download.value.suggested_filename.endswith(".xlsx")
        assert {"全体", "世代別", "男女別", "地区別", "推移"} <= set(book.sheetnames)
        assert book["全体"]["B2"].value == "区（自治会）の活動に参加している人の割合"

        page.goto(base + "/admin/surveys/new")
        page.get_by_label("コード（英数字。例 community-2026）").fill("life-2026")
        page.get_by_label("題名（日本語）").fill("くらしアンケート")
        first = page.locator("fieldset.qblock").first
        first.get_by_label("コード（例 q1）").fill("q1")
        first.get_by_label("種類").select_option("yesno")
        first.get_by_label("質問文（日本語）").fill("地域の行事に参加しましたか")
        page.get_by_role("button", name="保存").click()
        page.wait_for_selector("text=アンケート life-2026 を保存しました")
        assert "くらしアンケート" in page.text_content("h1")
        assert errors == []
    finally:
        context.close()
