"""Exports staff open in Excel: answers and tallies as CSV (UTF-8 with BOM, Japanese headers) or XLSX (XlsxWriter).

Hidden cells read 「10未満」 (respondents) and 「―」 (values) in both, exactly as on the dashboard; LINE users appear
only as a pseudonym per response (L + its number), never by their LINE id.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlmodel import Session, select

from content.posts import to_local
from content.surveys import tally as tallies
from content.surveys.definition import shown
from models import Answer, Indicator, Question, Response, Survey, SurveyRound

HIDDEN_N, HIDDEN_VALUE = "10未満", "―"
AGE_LABELS = {"-19": "19歳以下", "20-29": "20代", "30-39": "30代", "40-49": "40代", "50-59": "50代",
              "60-69": "60代", "70-79": "70代", "80-": "80歳以上"}
GENDER_LABELS = {"female": "女性", "male": "男性", "other": "その他"}
CHANNEL_LABELS = {"line": "LINE", "paper": "紙", "phone": "電話", "web": "ウェブ"}
MISSING = "無回答"
BREAKDOWNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("全体", ()), ("世代別", ("age_group",)), ("男女別", ("gender",)), ("地区別", ("district",)),
    ("世代×性別", ("age_group", "gender")), ("地区×性別", ("district", "gender")),
)
TALLY_HEADER = ["指標コード", "指標名", "単位", "回", "区分", "世代", "性別", "地区", "回答者数", "値（単純集計）",
                "95%信頼区間（下限）", "95%信頼区間（上限）", "補正値", "有効標本数", "誤差（±）", "秘匿",
                "現状値", "現状値の年", "目標値", "目標値の年", "達成度（%）"]
ANSWER_FIXED = ["アンケート", "回", "回答者", "経路", "地区", "年代", "性別", "回答日時"]


def attribute_label(dim: str, value: str | None) -> str:
    """A cell attribute as staff read it: 20代, 女性, the district's name, 無回答."""
    if not value:
        return MISSING
    if dim == "age_group":
        return AGE_LABELS.get(value, value)
    if dim == "gender":
        return GENDER_LABELS.get(value, value)
    return value


# --- tallies ------------------------------------------------------------------------------------

@dataclass
class TallySheet:
    """Rows of one breakdown (全体, 世代別 …) for every indicator and round."""

    name: str
    rows: list[list]


def _number(value: float | None, digits: int = 1):
    """A value rounded for the sheet (None stays empty)."""
    return None if value is None else round(value, digits)


def _tally_row(result: tallies.TallyResult, kind: str, attrs: dict, est, hidden: bool) -> list:
    """One row of the tallies table."""
    ind = result.indicator
    head = [ind.code, ind.name, ind.unit, result.round, kind,
            attrs.get("age_group", ""), attrs.get("gender", ""), attrs.get("district", "")]
    if hidden:
        body = [HIDDEN_N, HIDDEN_VALUE, HIDDEN_VALUE, HIDDEN_VALUE, HIDDEN_VALUE, HIDDEN_VALUE, HIDDEN_VALUE, "秘匿"]
    else:
        body = [est.n, _number(est.value, 2), _number(est.ci_low, 2), _number(est.ci_high, 2),
                _number(est.weighted_value, 2), _number(est.n_eff, 1), _number(est.moe, 2), ""]
    done = tallies.progress(ind, est.weighted_value if est.weighted_value is not None else est.value)
    tail = [ind.baseline_value, ind.baseline_year, ind.target_value, ind.target_year,
            None if hidden or kind != "全体" else _number(done, 1)]
    return head + body + tail


def tally_sheets(session: Session, indicators: Iterable[Indicator], weighted: bool = True) -> list[TallySheet]:
    """Every indicator × round × breakdown, one sheet per breakdown kind."""
    sheets = {name: TallySheet(name, []) for name, _dims in BREAKDOWNS}
    for ind in indicators:
        numbers = session.exec(select(SurveyRound.number).where(SurveyRound.survey_id == ind.survey_id)
                               .order_by(SurveyRound.number)).all() if ind.survey_id else []
        for number in numbers:
            for name, dims in BREAKDOWNS:
                result = tallies.tally(session, ind.code, number, dims, weighted)
                if not dims:
                    sheets[name].rows.append(_tally_row(result, name, {}, result.overall, False))
                    continue
                for key, est, hidden in result.cells:
                    attrs = {d: attribute_label(d, v) for d, v in zip(dims, key)}
                    sheets[name].rows.append(_tally_row(result, name, attrs, est, hidden))
    return list(sheets.values())


# --- answers ------------------------------------------------------------------------------------

def _choice_labels(question: Question) -> dict[str, str]:
    """value → Japanese label."""
    return {c["value"]: shown(c.get("label"), "ja") for c in question.choices}


def answer_cell(question: Question, answer: Answer | None) -> str | float:
    """An answer as the sheet shows it: choice labels (several joined by ;), the number, or the text."""
    if answer is None:
        return ""
    if question.type == "text":
        return answer.text or ""
    if answer.value is None:
        return MISSING
    if question.type == "number":
        return answer.number if answer.number is not None else answer.value
    labels = _choice_labels(question)
    return ";".join(labels.get(v, v) for v in answer.value.split(";"))


def respondent_label(response: Response) -> str:
    """The CSV's respondent key, or a pseudonym for a LINE response (never the LINE id)."""
    return response.respondent or f"L{response.id:06d}"


def answer_rows(session: Session, survey: Survey, round_number: int | None, tz: str) -> tuple[list[str], list[list]]:
    """Header and one row per response of the survey (one round or all), answers as labels."""
    questions = list(session.exec(select(Question).where(Question.survey_id == survey.id)
                                  .order_by(Question.active.desc(), Question.position)).all())
    header = ANSWER_FIXED + [f"{q.code} {shown(q.text, 'ja')}" for q in questions]
    rounds = {r.id: r for r in session.exec(select(SurveyRound).where(SurveyRound.survey_id == survey.id)).all()}
    if round_number is not None:
        rounds = {k: r for k, r in rounds.items() if r.number == round_number}
    rows = []
    if not rounds:
        return header, rows
    responses = session.exec(select(Response).where(Response.round_id.in_(list(rounds)))
                             .order_by(Response.round_id, Response.id)).all()
    answers: dict[int, dict[int, Answer]] = {}
    for a in session.exec(select(Answer).where(Answer.round_id.in_(list(rounds)))).all():
        answers.setdefault(a.response_id, {})[a.question_id] = a
    for response in responses:
        given = answers.get(response.id, {})
        moment = to_local(response.answered_at or response.started_at, tz)
        rows.append([survey.code, rounds[response.round_id].number, respondent_label(response),
                     CHANNEL_LABELS.get(response.channel, response.channel), response.district or "",
                     attribute_label("age_group", response.age_group) if response.age_group else "",
                     attribute_label("gender", response.gender) if response.gender else "",
                     moment.strftime("%Y-%m-%d %H:%M") if moment else ""]
                    + [answer_cell(q, given.get(q.id)) for q in questions])
    return header, rows


def surveys_for(session: Session, code: str | None) -> list[Survey]:
    """One survey by code, or all of them."""
    query = select(Survey).order_by(Survey.id)
    if code:
        query = query.where(Survey.code == code)
    found = list(session.exec(query).all())
    if code and not found:
        raise LookupError(f"アンケート {code} がありません")
    return found


def indicators_for(session: Session, survey_code: str | None) -> list[Indicator]:
    """The survey's indicators (all of them without a survey)."""
    query = select(Indicator).order_by(Indicator.survey_id, Indicator.position)
    if survey_code:
        ids = [s.id for s in surveys_for(session, survey_code)]
        query = query.where(Indicator.survey_id.in_(ids))
    return list(session.exec(query).all())


# --- writing ------------------------------------------------------------------------------------

def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    """CSV in UTF-8 with a BOM (Excel on Windows opens it without mojibake), CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig")


def _write_sheet(book, name: str, header: list[str], rows: list[list]) -> object:
    """One sheet: bold header, frozen first row, filter, readable column widths."""
    sheet = book.add_worksheet(name[:31])
    bold = book.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1})
    sheet.write_row(0, 0, header, bold)
    for r, row in enumerate(rows, start=1):
        sheet.write_row(r, 0, ["" if v is None else v for v in row])
    sheet.freeze_panes(1, 0)
    if rows:
        sheet.autofilter(0, 0, len(rows), len(header) - 1)
    for c, title in enumerate(header):
        width = max([len(str(title))] + [len(str(row[c])) for row in rows[:200] if c < len(row)])
        sheet.set_column(c, c, min(max(8, width * 1.6), 60))
    return sheet


def xlsx_bytes(sheets: list[tuple[str, list[str], list[list]]], chart: dict | None = None,
               notes: list[str] | None = None) -> bytes:
    """An XLSX workbook of the sheets; an optional native line chart (推移) and a notes sheet (注記)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    for name, header, rows in sheets:
        _write_sheet(book, name, header, rows)
    if chart:
        _trend_sheet(book, chart)
    if notes:
        sheet = book.add_worksheet("注記")
        for r, line in enumerate(notes):
            sheet.write(r, 0, line)
        sheet.set_column(0, 0, 100)
    book.close()
    return buffer.getvalue()


def _trend_sheet(book, trend: dict) -> None:
    """推移: one row per indicator point (現状値, each round, 目標値) and an editable Excel line chart per indicator."""
    sheet = book.add_worksheet("推移")
    bold = book.add_format({"bold": True})
    row = 0
    for code, points in trend.items():
        sheet.write_row(row, 0, [code, "値"], bold)
        first = row + 1
        for label, value in points:
            row += 1
            sheet.write_row(row, 0, [label, value])
        chart = book.add_chart({"type": "line"})
        chart.add_series({"name": code, "categories": ["推移", first, 0, row, 0],
                          "values": ["推移", first, 1, row, 1], "marker": {"type": "circle"}})
        chart.set_title({"name": code})
        chart.set_legend({"none": True})
        sheet.insert_chart(first - 1, 3, chart, {"x_scale": 1.0, "y_scale": 0.8})
        row += max(14, len(points) + 2)
    sheet.set_column(0, 0, 16)


TALLY_NOTES = [
    "単純集計：回答者の値をそのまま集計（割合は Wilson、平均は t 分布による95%信頼区間）。",
    "補正値：最新の人口表（tsunagari population load）の世代・性別・地区の構成に合わせたレーキング（反復比例調整）による値。",
    "有効標本数：Kish の (Σw)²/Σw²。誤差（±）は 1.96 × 重み付き標準偏差 ÷ √有効標本数。",
    "回答者が1〜9人の区分は「10未満」「―」として秘匿し、合計から逆算できる場合はもう1つの区分も秘匿しています。",
    "LINE回答者ベース（人口構成で補正）の目安であり、無作為抽出の標本誤差ではありません。",
]


def trend_points(session: Session, indicators: Iterable[Indicator]) -> dict:
    """For the 推移 chart: indicator code → [(label, value)] from 現状値 through each round to 目標値."""
    trend = {}
    for ind in indicators:
        points = []
        if ind.baseline_value is not None:
            points.append((f"現状値 {ind.baseline_year or ''}".strip(), ind.baseline_value))
        for result in tallies.tally_rounds(session, ind.code, weighted=True):
            value = result.overall.weighted_value if result.overall.weighted_value is not None else result.overall.value
            if value is not None:
                points.append((f"第{result.round}回", round(value, 2)))
        if ind.target_value is not None:
            points.append((f"目標値 {ind.target_year or ''}".strip(), ind.target_value))
        trend[f"{ind.code} {ind.name}"[:60]] = points
    return trend


def export_tallies(session: Session, fmt: str, survey_code: str | None = None) -> bytes:
    """The tallies as CSV (every breakdown in one table) or XLSX (one sheet per breakdown, 推移, 注記)."""
    indicators = indicators_for(session, survey_code)
    sheets = tally_sheets(session, indicators)
    if fmt == "csv":
        return csv_bytes(TALLY_HEADER, [row for sheet in sheets for row in sheet.rows])
    return xlsx_bytes([(s.name, TALLY_HEADER, s.rows) for s in sheets], chart=trend_points(session, indicators),
                      notes=TALLY_NOTES)


def export_answers(session: Session, fmt: str, survey_code: str | None = None, round_number: int | None = None,
                   tz: str = "Asia/Tokyo") -> bytes:
    """The answers as CSV (one survey, or all surveys one after another) or XLSX (one sheet per survey)."""
    parts = [(s, *answer_rows(session, s, round_number, tz)) for s in surveys_for(session, survey_code)]
    if fmt == "csv":
        if len(parts) == 1:
            return csv_bytes(parts[0][1], parts[0][2])
        width = max((len(h) for _s, h, _r in parts), default=len(ANSWER_FIXED))
        header = ANSWER_FIXED + [f"質問{i + 1}" for i in range(width - len(ANSWER_FIXED))]
        rows = [r for _s, _h, rs in parts for r in rs]
        return csv_bytes(header, rows)
    return xlsx_bytes([(s.code, h, r) for s, h, r in parts] or [("回答", ANSWER_FIXED, [])])


def export_filename(kind: str, fmt: str, now: datetime) -> str:
    """tsunagari-answers-20260501.csv and the like."""
    return f"tsunagari-{kind}-{now:%Y%m%d}.{fmt}"
