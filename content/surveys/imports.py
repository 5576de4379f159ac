"""`tsunagari import answers` and the console upload: paper, phone and web answers into a round.

CSV header `respondent,channel,district,age_group,gender,answered_at,<question codes…>` (the Japanese headers
of our own export — 回答者,経路,地区,年代,性別,回答日時, and question columns headed 「q1 質問文」 — are read too).
Every row is checked first; one bad row refuses the whole file with line numbers, and nothing is stored.
A respondent already in the round is replaced by the file's row, so importing a file twice changes nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert
from sqlmodel import Session, select

from content.importers.csvread import read_table
from content.surveys.definition import active_questions, find_survey
from content.surveys.population import RowsRefused, header_map, known_districts
from content.surveys.rounds import create_round, get_round, latest_round
from content.surveys.values import AnswerValue, InvalidAnswer, age_group_code, gender_code, parse_answer
from models import ANSWER_CHANNELS, Answer, Question, Response, SurveyRound, as_naive_utc

FIXED_COLUMNS = {
    "respondent": ("respondent", "回答者", "回答者番号", "回答者ID", "id"),
    "channel": ("channel", "経路", "回答方法"),
    "district": ("district", "地区", "地域"),
    "age_group": ("age_group", "年代", "世代"),
    "gender": ("gender", "性別"),
    "answered_at": ("answered_at", "回答日時", "回答日"),
}
CHANNEL_WORDS = {"line": ("line", "ライン", "LINE"), "paper": ("paper", "紙", "郵送"), "phone": ("phone", "電話"),
                 "web": ("web", "ウェブ", "インターネット", "ネット")}
REASONS = {"choice": "選択肢にない値です", "range": "範囲外の数です", "number": "数ではありません", "text": "空です"}
MAX_RESPONDENT = 64


@dataclass
class AnswersReport:
    """What an import stored."""

    survey: str
    round: int
    created_round: bool
    new: int = 0
    replaced: int = 0
    answers: int = 0
    channels: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The report as the CLI prints it."""
        return {"survey": self.survey, "round": self.round, "created_round": self.created_round,
                "respondents": self.new + self.replaced, "new": self.new, "replaced": self.replaced,
                "answers": self.answers, "channels": self.channels}


@dataclass
class _Row:
    """One checked CSV row."""

    line: int
    respondent: str
    channel: str
    district: str | None
    age_group: str | None
    gender: str | None
    answered_at: datetime
    answers: dict[int, AnswerValue]


def parse_moment(text: str, tz: str) -> datetime | None:
    """2026-05-01, 2026-05-01T10:00, 2026/5/1 10:00 (city time unless an offset is given) → naive UTC."""
    text = (text or "").strip()
    if not text:
        return None
    norm = re.sub(r"^(\d{4})/(\d{1,2})/(\d{1,2})", lambda m: f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", text)
    try:
        moment = datetime.fromisoformat(norm)
    except ValueError:
        raise ValueError(f"回答日時 {text} は 2026-05-01 10:00 の形にしてください")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tz))
    return as_naive_utc(moment)


def channel_code(text: str) -> str:
    """line / paper / phone / web (or 紙 / 電話 / ウェブ)."""
    norm = (text or "").strip().lower()
    for code, words in CHANNEL_WORDS.items():
        if norm in {w.lower() for w in words}:
            return code
    raise ValueError(f"経路 {text or '（空）'} は {' / '.join(ANSWER_CHANNELS)} のどれかにしてください")


def _question_columns(header: list[str], fixed: dict[str, int], questions: list[Question],
                      line: int) -> dict[int, Question]:
    """Column index → question, by code (or 「q1 質問文」); an unknown column refuses the file."""
    by_code = {q.code.lower(): q for q in questions}
    out, problems = {}, []
    for index, name in enumerate(header):
        if index in fixed.values() or not name:
            continue
        question = _question_named(name, by_code)
        if question is None:
            problems.append(f"列 {name} はこのアンケートの質問コードではありません")
        elif question.id in {q.id for q in out.values()}:
            problems.append(f"質問 {question.code} の列が2つあります")
        else:
            out[index] = question
    if problems:
        raise RowsRefused([(line, p) for p in problems])
    return out


def _question_named(name: str, by_code: dict[str, Question]) -> Question | None:
    """The question a column is headed by: its code alone, or the code then its text (「q1 過去1年に…」, whose
    space the header reader folds away)."""
    lowered = name.lower()
    if lowered in by_code:
        return by_code[lowered]
    match = _CODE_PREFIX.match(lowered)
    return by_code.get(match.group(0).rstrip(":_.-")) if match else None


_CODE_PREFIX = re.compile(r"[a-z0-9][a-z0-9_.-]*")


def _check_row(line: int, cells: list[str], fixed: dict[str, int], columns: dict[int, Question],
               districts: set[str], tz: str, now: datetime) -> tuple[_Row | None, list[tuple[int, str]]]:
    """One row checked; problems name the line and the column."""
    def cell(index: int | None) -> str:
        return cells[index].strip() if index is not None and index < len(cells) else ""

    problems: list[tuple[int, str]] = []
    values: dict = {}
    respondent = cell(fixed.get("respondent"))
    if not respondent or len(respondent) > MAX_RESPONDENT:
        problems.append((line, f"respondent（回答者）を{MAX_RESPONDENT}文字までで入れてください"))
    for key, reader in (("channel", channel_code), ("age_group", age_group_code), ("gender", gender_code),
                        ("answered_at", lambda t: parse_moment(t, tz))):
        try:
            values[key] = reader(cell(fixed.get(key)))
        except ValueError as exc:
            problems.append((line, str(exc)))
    district = cell(fixed.get("district")) or None
    if district is not None and district not in districts:
        problems.append((line, f"地区 {district} は市の地区にも人口表にもありません"))
    answers: dict[int, AnswerValue] = {}
    for index, question in columns.items():
        raw = cell(index)
        if not raw:
            continue
        try:
            answers[question.id] = parse_answer(question, raw)
        except InvalidAnswer as exc:
            problems.append((line, f"{question.code}: {raw[:40]} は{REASONS[exc.reason]}{_expected(question)}"))
    if problems:
        return None, problems
    return _Row(line, respondent, values["channel"], district, values["age_group"], values["gender"],
                values["answered_at"] or now, answers), []


def _expected(question: Question) -> str:
    """What the column takes, for an error message."""
    if question.type == "number":
        bounds = [f"{v:g}" if v is not None else "" for v in (question.min_value, question.max_value)]
        return f"（数 {bounds[0]}〜{bounds[1]}）"
    if question.choices:
        sep = "; で区切って " if question.type == "multi" else ""
        return f"（{sep}{' / '.join(c['value'] for c in question.choices)}）"
    return ""


def read_answers(session: Session, survey_id: int, data: bytes, tz: str, now: datetime) -> list[_Row]:
    """Check the whole file; RowsRefused lists every bad row (nothing is stored)."""
    table = read_table(data)
    fixed = header_map(table.header, FIXED_COLUMNS)
    if "respondent" not in fixed or "channel" not in fixed:
        raise RowsRefused([(table.header_line, "見出しに respondent と channel が必要です（respondent,channel,district,"
                                               "age_group,gender,answered_at,質問コード…）")])
    columns = _question_columns(table.header, fixed, active_questions(session, survey_id), table.header_line)
    districts = known_districts(session)
    rows, problems, seen = [], [], {}
    for line, cells in table.rows:
        row, row_problems = _check_row(line, cells, fixed, columns, districts, tz, now)
        problems += row_problems
        if row is None:
            continue
        if row.respondent in seen:
            problems.append((line, f"回答者 {row.respondent} は{seen[row.respondent]}行目にもあります"))
            continue
        seen[row.respondent] = line
        rows.append(row)
    if not rows and not problems:
        problems.append((table.header_line, "回答の行がありません"))
    if problems:
        raise RowsRefused(problems)
    return rows


def _target_round(session: Session, survey, number: int | None, now: datetime) -> tuple[SurveyRound, bool]:
    """Round N (made when missing: a paper-only round), or the latest round, or round 1."""
    rnd = get_round(session, survey, number) if number is not None else latest_round(session, survey)
    if rnd is not None:
        return rnd, False
    return create_round(session, survey, number=number, in_chat=False, now=now), True


def import_answers(session: Session, survey_code: str, data: bytes, *, round_number: int | None = None,
                   tz: str = "Asia/Tokyo", now: datetime | None = None) -> AnswersReport:
    """Check then store a file of answers (flushes; the caller commits). RowsRefused / LookupError otherwise."""
    survey = find_survey(session, survey_code)
    if survey is None:
        raise LookupError(f"アンケート {survey_code} がありません")
    now = as_naive_utc(now)
    rows = read_answers(session, survey.id, data, tz, now)
    rnd, created = _target_round(session, survey, round_number, now)
    report = AnswersReport(survey=survey.code, round=rnd.number, created_round=created)
    existing = {r.respondent: r for r in session.exec(
        select(Response).where(Response.round_id == rnd.id, Response.respondent.in_([r.respondent for r in rows])))}
    if existing:
        session.exec(delete(Answer).where(Answer.response_id.in_([r.id for r in existing.values()])))
    answer_rows = []
    for row in rows:
        response = existing.get(row.respondent)
        if response is None:
            response = Response(round_id=rnd.id, respondent=row.respondent)
            report.new += 1
        else:
            report.replaced += 1
        response.channel, response.district = row.channel, row.district
        response.age_group, response.gender = row.age_group, row.gender
        response.started_at = response.answered_at = response.completed_at = row.answered_at
        session.add(response)
        report.channels[row.channel] = report.channels.get(row.channel, 0) + 1
        answer_rows.append((response, row))
    session.flush()
    payload = [{"response_id": response.id, "question_id": qid, "round_id": rnd.id, "value": a.value,
                "number": a.number, "text": a.text, "district": row.district, "age_group": row.age_group,
                "gender": row.gender, "answered_at": row.answered_at}
               for response, row in answer_rows for qid, a in row.answers.items()]
    if payload:
        session.execute(insert(Answer), payload)
    report.answers = len(payload)
    session.flush()
    return report

