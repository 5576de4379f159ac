"""Survey definitions: the YAML file of `tsunagari survey load` and the console editor share one parser, one set of
rules and one save (create or update, all or nothing).

Every text staff write for residents (title, question, choice and scale labels) may be a plain Japanese string or a
mapping by language: `{ja: …, en: …, ja-easy: …}`; a missing translation falls back to Japanese.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from sqlmodel import Session, select

from models import Answer, Indicator, Question, Survey, utcnow
from models.surveys import INDICATOR_METHODS, QUESTION_TYPES

LANGS = ("ja", "en", "ja-easy")
LANG_ALIASES = {"ja": "ja", "en": "en", "ja-easy": "ja-easy", "ja_easy": "ja-easy", "easy": "ja-easy"}
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
SURVEY_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_QUESTIONS = 15
MAX_CHOICES = {"single": 10, "multi": 9}  # leaves room on LINE's 13 quick replies for 決定・戻る・あとで
MAX_TEXT = 300
MAX_LABEL = 60
SCALE_POINTS = 5
YES, NO = "yes", "no"
# Fixed labels (msgids translated in content/locales/*/surveys.po): DESIGN: yesno is offered as 「はい」「いいえ」.
YESNO_LABELS = {YES: "はい", NO: "いいえ"}
DEFAULT_SCALE_SCORES = {"1": 0.0, "2": 25.0, "3": 50.0, "4": 75.0, "5": 100.0}  # the linear 100-point scale


class SurveyError(ValueError):
    """A definition staff must fix; `problems` name where (questions[2] q3: …) and what, in Japanese."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class QuestionSpec:
    """One question as defined (not yet stored)."""

    code: str
    type: str
    text: dict
    choices: list = field(default_factory=list)
    min_value: float | None = None
    max_value: float | None = None
    unit: str | None = None
    required: bool = True
    ask_if: dict | None = None
    skip_if: dict | None = None


@dataclass
class IndicatorSpec:
    """One indicator as defined (not yet stored)."""

    code: str
    name: str
    unit: str
    method: str
    source: str = "question"
    question: str | None = None
    params: dict = field(default_factory=dict)
    baseline_value: float | None = None
    baseline_year: int | None = None
    target_value: float | None = None
    target_year: int | None = None


@dataclass
class SurveySpec:
    """A whole survey definition, checked."""

    code: str
    title: dict
    intro: dict | None
    questions: list[QuestionSpec]
    indicators: list[IndicatorSpec]


@dataclass
class SaveReport:
    """What `survey load` did."""

    survey: str
    created: bool
    questions: int
    indicators: int
    retired: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The report as printed by the CLI."""
        return {"survey": self.survey, "created": self.created, "questions": self.questions,
                "indicators": self.indicators, "retired": self.retired, "removed": self.removed}


# --- small helpers ------------------------------------------------------------------------------

def shown(texts: dict | None, lang: str) -> str:
    """A localized text in the language, falling back to Japanese."""
    texts = texts or {}
    return texts.get(lang) or texts.get("ja") or ""


def scalar_text(value: Any) -> str:
    """A YAML scalar as text: YAML 1.1 reads `yes`/`no` as booleans, which here mean the yesno values."""
    if value is True:
        return YES
    if value is False:
        return NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


class _Problems:
    """Collects every problem of a definition so staff see them all at once."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        """Record one problem at a place in the file."""
        self.items.append(f"{where}: {message}" if where else message)

    def raise_if_any(self) -> None:
        """Raise SurveyError when anything was found."""
        if self.items:
            raise SurveyError(self.items)


def _localized(value: Any, where: str, problems: _Problems, *, limit: int = MAX_TEXT,
               required: bool = True) -> dict:
    """A text or {lang: text} mapping → {"ja": …, "en"?: …, "ja-easy"?: …}."""
    if value is None or value == "":
        if required:
            problems.add(where, "文を入れてください")
        return {}
    if isinstance(value, dict):
        out = {}
        for key, text in value.items():
            lang = LANG_ALIASES.get(str(key).strip().lower())
            if lang is None:
                problems.add(where, f"言語 {key} は使えません（ja, en, ja-easy）")
                continue
            if scalar_text(text):
                out[lang] = scalar_text(text)
        if "ja" not in out and required:
            problems.add(where, "日本語（ja）の文がありません")
    else:
        out = {"ja": scalar_text(value)}
    for lang, text in out.items():
        if len(text) > limit:
            problems.add(where, f"{lang} の文が長すぎます（{limit}文字まで）")
    return out


def _number(value: Any, where: str, problems: _Problems) -> float | None:
    """An optional finite number."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.add(where, f"数ではありません: {value!r}")
        return None
    if not math.isfinite(number):
        problems.add(where, "有限の数にしてください")
        return None
    return number


def _year(value: Any, where: str, problems: _Problems) -> int | None:
    """An optional year (1900–2200)."""
    if value is None or value == "":
        return None
    try:
        year = int(str(value).strip().rstrip("年度").rstrip("年"))
    except ValueError:
        problems.add(where, f"年ではありません: {value!r}")
        return None
    if not 1900 <= year <= 2200:
        problems.add(where, f"年が範囲外です: {year}")
    return year


# --- questions ----------------------------------------------------------------------------------

def _choices(raw: dict, qtype: str, where: str, problems: _Problems) -> list[dict]:
    """The choices of a question as [{"value", "label": {lang: text}}]."""
    if qtype == "yesno":
        return [{"value": YES, "label": {"ja": YESNO_LABELS[YES]}, "fixed": True},
                {"value": NO, "label": {"ja": YESNO_LABELS[NO]}, "fixed": True}]
    if qtype == "scale":
        labels = raw.get("labels")
        if labels is None:
            return [{"value": str(i), "label": {"ja": str(i)}} for i in range(1, SCALE_POINTS + 1)]
        if not isinstance(labels, list) or len(labels) != SCALE_POINTS:
            problems.add(where, f"scale の labels は{SCALE_POINTS}つ（1〜5の順）にしてください")
            return []
        return [{"value": str(i + 1), "label": _localized(label, f"{where} labels[{i}]", problems, limit=MAX_LABEL)}
                for i, label in enumerate(labels)]
    if qtype not in ("single", "multi"):
        if raw.get("choices"):
            problems.add(where, f"{qtype} の質問に choices は使えません")
        return []
    items = raw.get("choices")
    if not isinstance(items, list) or len(items) < 2:
        problems.add(where, "choices を2つ以上入れてください")
        return []
    if len(items) > MAX_CHOICES[qtype]:
        problems.add(where, f"{qtype} の choices は{MAX_CHOICES[qtype]}個までです（LINEのボタンの数に収めるため）")
    out, seen = [], set()
    for i, item in enumerate(items):
        spot = f"{where} choices[{i}]"
        if isinstance(item, dict):
            value = scalar_text(item.get("value", i + 1))
            label = _localized(item.get("label"), spot, problems, limit=MAX_LABEL)
        else:
            value, label = str(i + 1), _localized(item, spot, problems, limit=MAX_LABEL)
        if not CODE.fullmatch(value):
            problems.add(spot, f"value は英数字と _ . - で32文字まで: {value!r}")
        elif value in seen:
            problems.add(spot, f"value {value} が重複しています")
        seen.add(value)
        out.append({"value": value, "label": label})
    return out


def _condition(raw: Any, where: str, earlier: dict[str, QuestionSpec], problems: _Problems) -> dict | None:
    """{q1: [yes]} or {q3: {min: 1, max: 5}}: each named question must come earlier; values must exist."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not raw:
        problems.add(where, "条件は {質問コード: [値, …]} の形で書いてください")
        return None
    out = {}
    for code, wanted in raw.items():
        code = scalar_text(code)
        ref = earlier.get(code)
        if ref is None:
            problems.add(where, f"条件の質問 {code} はこの質問より前にありません")
            continue
        if isinstance(wanted, dict):
            bounds = {k: _number(wanted.get(k), f"{where} {code}.{k}", problems) for k in ("min", "max")}
            if ref.type != "number" and ref.type != "scale":
                problems.add(where, f"min/max の条件は number か scale の質問にだけ使えます（{code}）")
            out[code] = {k: v for k, v in bounds.items() if v is not None}
            continue
        values = [scalar_text(v) for v in (wanted if isinstance(wanted, list) else [wanted])]
        known = {c["value"] for c in ref.choices}
        unknown = [v for v in values if known and v not in known]
        if unknown or not values:
            problems.add(where, f"条件の値 {unknown or values} は {code} の選択肢にありません")
        out[code] = values
    return out or None


def _question(raw: Any, index: int, earlier: dict[str, QuestionSpec], problems: _Problems) -> QuestionSpec | None:
    """One question of the file, checked."""
    where = f"questions[{index}]"
    if not isinstance(raw, dict):
        problems.add(where, "質問は {code: …, type: …, text: …} の形で書いてください")
        return None
    code = scalar_text(raw.get("code"))
    where = f"{where} {code}" if code else where
    if not CODE.fullmatch(code):
        problems.add(where, "code は英数字と _ . - で32文字まで（例 q1）にしてください")
    elif code in earlier:
        problems.add(where, f"code {code} が重複しています")
    qtype = scalar_text(raw.get("type"))
    if qtype not in QUESTION_TYPES:
        problems.add(where, f"type は {', '.join(QUESTION_TYPES)} のどれかにしてください（{qtype or '空'}）")
        return None
    spec = QuestionSpec(code=code, type=qtype, text=_localized(raw.get("text"), where + " text", problems),
                        choices=_choices(raw, qtype, where, problems))
    if qtype == "number":
        spec.min_value = _number(raw.get("min"), where + " min", problems)
        spec.max_value = _number(raw.get("max"), where + " max", problems)
        if spec.min_value is not None and spec.max_value is not None and spec.min_value > spec.max_value:
            problems.add(where, "min が max より大きくなっています")
        spec.unit = scalar_text(raw.get("unit"))[:16] or None
    elif any(k in raw for k in ("min", "max")):
        problems.add(where, "min/max は number の質問にだけ使えます")
    spec.required = bool(raw.get("required", qtype != "text"))
    spec.ask_if = _condition(raw.get("ask_if"), where + " ask_if", earlier, problems)
    spec.skip_if = _condition(raw.get("skip_if"), where + " skip_if", earlier, problems)
    return spec


# --- indicators ---------------------------------------------------------------------------------

def _indicator(raw: Any, index: int, questions: dict[str, QuestionSpec], problems: _Problems) -> IndicatorSpec | None:
    """One indicator of the file, checked against its question."""
    where = f"indicators[{index}]"
    if not isinstance(raw, dict):
        problems.add(where, "指標は {code: …, name: …, method: …} の形で書いてください")
        return None
    code = scalar_text(raw.get("code"))
    where = f"{where} {code}" if code else where
    if not SURVEY_CODE.fullmatch(code):
        problems.add(where, "code は英数字と _ . - にしてください")
    method = scalar_text(raw.get("method"))
    if method not in INDICATOR_METHODS:
        problems.add(where, f"method は {', '.join(INDICATOR_METHODS)} のどれかにしてください")
        return None
    name = scalar_text(raw.get("name"))
    if not name:
        problems.add(where, "name（指標の名前）を入れてください")
    source = scalar_text(raw.get("source")) or "question"
    spec = IndicatorSpec(code=code, name=name[:200], unit=scalar_text(raw.get("unit"))[:16], method=method,
                         source=source)
    for key in ("baseline", "target"):
        part = raw.get(key)
        if part is None:
            continue
        if not isinstance(part, dict):
            part = {"value": part}
        setattr(spec, f"{key}_value", _number(part.get("value"), f"{where} {key}.value", problems))
        setattr(spec, f"{key}_year", _year(part.get("year"), f"{where} {key}.year", problems))
    if source == "attendance":
        if method != "per_capita":
            problems.add(where, "source: attendance は method: per_capita にだけ使えます")
        spec.params = {"annualize": _number(raw.get("annualize"), where + " annualize", problems) or 1.0}
        if raw.get("population") is not None:
            spec.params["population"] = _number(raw.get("population"), where + " population", problems)
        return spec
    if source != "question":
        problems.add(where, f"source は question か attendance にしてください（{source}）")
        return None
    spec.question = scalar_text(raw.get("question"))
    question = questions.get(spec.question)
    if question is None:
        problems.add(where, f"question {spec.question or '（空）'} がこのアンケートにありません")
        return spec
    spec.params = _method_params(raw, method, question, where, problems)
    return spec


def _method_params(raw: dict, method: str, question: QuestionSpec, where: str, problems: _Problems) -> dict:
    """values (share), scores (mean_score), annualize (per_capita), checked against the question's type."""
    known = {c["value"] for c in question.choices}
    if method == "share":
        if question.type == "number" or (question.type == "scale" and raw.get("values") is None):
            bounds = {k: _number(raw.get(k), f"{where} {k}", problems) for k in ("min", "max")}
            bounds = {k: v for k, v in bounds.items() if v is not None}
            if not bounds:
                problems.add(where, "数の質問の share には min か max（例 min: 1）を入れてください")
            return bounds
        if question.type == "text":
            problems.add(where, "自由記述の質問は指標にできません")
            return {}
        values = [scalar_text(v) for v in (raw.get("values") or [])]
        if not values:
            problems.add(where, "share には values（数える選択肢の値）を入れてください")
        elif any(v not in known for v in values):
            problems.add(where, f"values {[v for v in values if v not in known]} は {question.code} の選択肢にありません")
        return {"values": values}
    if method == "mean_score":
        if question.type == "number":
            return {}
        if question.type in ("text", "multi"):
            problems.add(where, f"{question.type} の質問は mean_score にできません")
            return {}
        scores_raw = raw.get("scores")
        if scores_raw is None and question.type == "scale":
            return {"scores": dict(DEFAULT_SCALE_SCORES)}
        if not isinstance(scores_raw, dict) or not scores_raw:
            problems.add(where, "mean_score には scores（{値: 点}）を入れてください")
            return {}
        scores = {}
        for key, score in scores_raw.items():
            value = scalar_text(key)
            if value not in known:
                problems.add(where, f"scores の {value} は {question.code} の選択肢にありません")
            number = _number(score, f"{where} scores.{value}", problems)
            if number is not None:
                scores[value] = number
        return {"scores": scores}
    if question.type != "number":
        problems.add(where, "per_capita は number の質問にだけ使えます")
    return {"annualize": _number(raw.get("annualize"), where + " annualize", problems) or 1.0}


# --- the whole file -----------------------------------------------------------------------------

def parse_definition(data: Any) -> SurveySpec:
    """Check a definition (the YAML's mapping); raises SurveyError listing every problem."""
    problems = _Problems()
    if not isinstance(data, dict):
        raise SurveyError(["アンケートの定義は code, title, questions を持つ YAML にしてください"])
    code = scalar_text(data.get("code"))
    if not SURVEY_CODE.fullmatch(code):
        problems.add("code", "英数字と _ . - で64文字まで（例 community-2026）にしてください")
    title = _localized(data.get("title"), "title", problems, limit=200)
    intro = _localized(data.get("intro"), "intro", problems, required=False) or None
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        problems.add("questions", "質問を1つ以上入れてください")
        raw_questions = []
    if len(raw_questions) > MAX_QUESTIONS:
        problems.add("questions", f"質問は{MAX_QUESTIONS}問までにしてください（チャットで答えやすい長さ）")
    questions: dict[str, QuestionSpec] = {}
    for i, raw in enumerate(raw_questions):
        spec = _question(raw, i, questions, problems)
        if spec is not None and spec.code and spec.code not in questions:
            questions[spec.code] = spec
    indicators, seen = [], set()
    for i, raw in enumerate(data.get("indicators") or []):
        spec = _indicator(raw, i, questions, problems)
        if spec is None:
            continue
        if spec.code in seen:
            problems.add(f"indicators[{i}]", f"code {spec.code} が重複しています")
        seen.add(spec.code)
        indicators.append(spec)
    problems.raise_if_any()
    return SurveySpec(code=code, title=title, intro=intro, questions=list(questions.values()), indicators=indicators)


def parse_yaml(text: str) -> SurveySpec:
    """Parse YAML text into a checked definition."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{mark.line + 1}行目" if mark is not None else "YAML"
        raise SurveyError([f"{where}: YAMLとして読めません（{getattr(exc, 'problem', None) or exc}）"])
    return parse_definition(data)


# --- saving -------------------------------------------------------------------------------------

def _answered_question_ids(session: Session, survey_id: int) -> set[int]:
    """Questions of a survey that have at least one answer."""
    rows = session.exec(select(Answer.question_id).join(Question, Question.id == Answer.question_id)
                        .where(Question.survey_id == survey_id).distinct()).all()
    return set(rows)


def _answered_values(session: Session, question_id: int) -> set[str]:
    """Choice values some answer holds (multi answers split)."""
    rows = session.exec(select(Answer.value).where(Answer.question_id == question_id).distinct()).all()
    return {v for row in rows if row for v in row.split(";")}


def _check_changes(session: Session, survey: Survey, spec: SurveySpec, existing: dict[str, Question]) -> None:
    """Answers already given must keep their meaning: no new type, no lost choice value."""
    problems = _Problems()
    answered = _answered_question_ids(session, survey.id)
    for q in spec.questions:
        old = existing.get(q.code)
        if old is None or old.id not in answered:
            continue
        if old.type != q.type:
            problems.add(q.code, f"回答があるので type を {old.type} から変えられません（新しいコードの質問にしてください）")
            continue
        lost = _answered_values(session, old.id) - {c["value"] for c in q.choices} if q.choices else set()
        if lost:
            problems.add(q.code, f"回答がある選択肢の値 {sorted(lost)} は消せません（ラベルは変えられます）")
    problems.raise_if_any()


def _store_question(session: Session, survey: Survey, spec: QuestionSpec, position: int,
                    row: Question | None) -> Question:
    """Create or update one question row."""
    row = row or Question(survey_id=survey.id, code=spec.code, type=spec.type)
    row.position, row.type, row.text = position, spec.type, dict(spec.text)
    row.choices = [dict(c) for c in spec.choices]
    row.min_value, row.max_value, row.unit, row.required = spec.min_value, spec.max_value, spec.unit, spec.required
    row.ask_if = dict(spec.ask_if) if spec.ask_if else None
    row.skip_if = dict(spec.skip_if) if spec.skip_if else None
    row.active = True
    session.add(row)
    return row


def _store_indicators(session: Session, survey: Survey, spec: SurveySpec, questions: dict[str, Question]) -> None:
    """Create, update or remove the survey's indicators; a code owned by another survey is refused."""
    problems = _Problems()
    wanted = {i.code for i in spec.indicators}
    rows = {row.code: row for row in session.exec(select(Indicator).where(Indicator.code.in_(wanted))).all()} \
        if wanted else {}
    for position, ind in enumerate(spec.indicators):
        row = rows.get(ind.code)
        if row is not None and row.survey_id not in (None, survey.id):
            problems.add(ind.code, "この指標コードは別のアンケートで使われています")
            continue
        row = row or Indicator(code=ind.code, name=ind.name, method=ind.method)
        row.survey_id, row.name, row.unit, row.method, row.source = survey.id, ind.name, ind.unit, ind.method, ind.source
        row.question_id = questions[ind.question].id if ind.question else None
        row.params = dict(ind.params)
        row.baseline_value, row.baseline_year = ind.baseline_value, ind.baseline_year
        row.target_value, row.target_year = ind.target_value, ind.target_year
        row.position = position
        session.add(row)
    problems.raise_if_any()
    for row in session.exec(select(Indicator).where(Indicator.survey_id == survey.id)).all():
        if row.code not in wanted:
            session.delete(row)


def save_survey(session: Session, spec: SurveySpec) -> SaveReport:
    """Create or update a survey, its questions and indicators (flushes; the caller commits or rolls back).

    Questions are matched by code; one left out of the definition is deleted, or retired when it has answers."""
    survey = session.exec(select(Survey).where(Survey.code == spec.code)).first()
    created = survey is None
    if created:
        survey = Survey(code=spec.code, title=spec.title["ja"])
        session.add(survey)
        session.flush()
    existing = {q.code: q for q in session.exec(select(Question).where(Question.survey_id == survey.id)).all()}
    if not created:
        _check_changes(session, survey, spec, existing)
    survey.title = spec.title["ja"]
    survey.translations = {lang: {"title": text} for lang, text in spec.title.items() if lang != "ja"}
    for lang, text in (spec.intro or {}).items():
        if lang != "ja":
            survey.translations.setdefault(lang, {})["intro"] = text
    survey.intro = (spec.intro or {}).get("ja")
    survey.updated_at = utcnow()
    session.add(survey)
    stored = {q.code: _store_question(session, survey, q, i, existing.get(q.code))
              for i, q in enumerate(spec.questions)}
    session.flush()
    report = SaveReport(survey=spec.code, created=created, questions=len(stored), indicators=len(spec.indicators))
    answered = _answered_question_ids(session, survey.id) if not created else set()
    for code, row in existing.items():
        if code in stored:
            continue
        if row.id in answered:
            row.active, row.position = False, len(stored) + row.position
            session.add(row)
            report.retired.append(code)
        else:
            for ind in session.exec(select(Indicator).where(Indicator.question_id == row.id)).all():
                ind.question_id = None
                session.add(ind)
            session.delete(row)
            report.removed.append(code)
    session.flush()
    _store_indicators(session, survey, spec, stored)
    session.flush()
    return report


# --- back to a definition (the console editor, YAML download) -----------------------------------

def _unlocalized(texts: dict) -> Any:
    """{"ja": x} → x; several languages stay a mapping."""
    texts = {k: v for k, v in (texts or {}).items() if v}
    return texts.get("ja", "") if set(texts) <= {"ja"} else texts


def question_definition(q: Question) -> dict:
    """One stored question in the YAML's shape."""
    out: dict = {"code": q.code, "type": q.type, "text": _unlocalized(q.text)}
    if q.type in ("single", "multi"):
        out["choices"] = [{"value": c["value"], "label": _unlocalized(c["label"])} for c in q.choices]
    if q.type == "scale":
        out["labels"] = [_unlocalized(c["label"]) for c in q.choices]
    if q.type == "number":
        for key, value in (("min", q.min_value), ("max", q.max_value)):
            if value is not None:
                out[key] = int(value) if float(value).is_integer() else value
        if q.unit:
            out["unit"] = q.unit
    if q.required != (q.type != "text"):
        out["required"] = q.required
    for key in ("ask_if", "skip_if"):
        if getattr(q, key):
            out[key] = getattr(q, key)
    return out


def indicator_definition(ind: Indicator, question_code: str | None) -> dict:
    """One stored indicator in the YAML's shape."""
    out: dict = {"code": ind.code, "name": ind.name, "unit": ind.unit, "method": ind.method}
    if ind.source != "question":
        out["source"] = ind.source
    if question_code:
        out["question"] = question_code
    out.update({k: v for k, v in (ind.params or {}).items()})
    for key in ("baseline", "target"):
        value, year = getattr(ind, f"{key}_value"), getattr(ind, f"{key}_year")
        if value is not None:
            out[key] = {"value": value, **({"year": year} if year else {})}
    return out


def survey_definition(session: Session, survey: Survey) -> dict:
    """A stored survey as the mapping `parse_definition` reads (active questions only)."""
    questions = session.exec(select(Question).where(Question.survey_id == survey.id, Question.active == True)  # noqa: E712
                             .order_by(Question.position)).all()
    codes = {q.id: q.code for q in session.exec(select(Question).where(Question.survey_id == survey.id)).all()}
    title = {"ja": survey.title, **{k: v.get("title") for k, v in (survey.translations or {}).items()}}
    out: dict = {"code": survey.code, "title": _unlocalized(title)}
    intro = {"ja": survey.intro, **{k: v.get("intro") for k, v in (survey.translations or {}).items()}}
    if any(intro.values()):
        out["intro"] = _unlocalized(intro)
    out["questions"] = [question_definition(q) for q in questions]
    indicators = session.exec(select(Indicator).where(Indicator.survey_id == survey.id)
                              .order_by(Indicator.position)).all()
    if indicators:
        out["indicators"] = [indicator_definition(i, codes.get(i.question_id)) for i in indicators]
    return out


def dump_yaml(definition: dict) -> str:
    """A definition as readable YAML (Japanese kept as is, keys in the file's order)."""
    return yaml.safe_dump(definition, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100)


def find_survey(session: Session, code: str) -> Survey | None:
    """The survey with a code."""
    return session.exec(select(Survey).where(Survey.code == code)).first()


def active_questions(session: Session, survey_id: int) -> list[Question]:
    """A survey's questions in order (retired ones left out)."""
    return list(session.exec(select(Question).where(Question.survey_id == survey_id, Question.active == True)  # noqa: E712
                             .order_by(Question.position, Question.id)).all())
