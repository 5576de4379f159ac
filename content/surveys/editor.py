"""The console's survey editor: plain form fields ↔ the same definition `survey load` reads (then the same
parse_definition and save_survey). A choice or label line is 「value: 日本語 | English | やさしい日本語」; a skip
condition is 「q1=yes,no」 (or 「q3>=1」 for a number)."""
from __future__ import annotations

import re
from typing import Mapping

from content.surveys.definition import LANGS

LANG_FIELDS = {"ja": "ja", "en": "en", "ja-easy": "easy"}
QUESTION_FIELDS = ("code", "type", "text_ja", "text_en", "text_easy", "choices", "labels", "min", "max", "unit",
                   "required", "ask_if", "skip_if", "delete")
INDICATOR_FIELDS = ("code", "name", "unit", "method", "question", "values", "scores", "annualize", "min", "max",
                    "baseline", "baseline_year", "target", "target_year", "delete")
_RANGE = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*(>=|<=)\s*(-?\d+(?:\.\d+)?)\s*$")


def _localized(form: Mapping, prefix: str) -> str | dict | None:
    """{prefix}_ja / _en / _easy → "text" or {ja, en, ja-easy}."""
    texts = {lang: (form.get(f"{prefix}_{suffix}") or "").strip() for lang, suffix in LANG_FIELDS.items()}
    texts = {k: v for k, v in texts.items() if v}
    if not texts:
        return None
    return texts["ja"] if set(texts) == {"ja"} else texts


def _line_texts(text: str) -> str | dict:
    """「日本語 | English | やさしい日本語」 → "日本語" or {ja, en, ja-easy}."""
    parts = [p.strip() for p in text.split("|")]
    texts = {lang: part for lang, part in zip(LANGS, parts) if part}
    return texts.get("ja", "") if set(texts) <= {"ja"} else texts


def parse_choice_lines(text: str) -> list:
    """Choice lines 「value: label | en | easy」 (or just a label) → the YAML's choices."""
    out = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        value, sep, rest = line.partition(":")
        if sep and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}", value.strip()):
            out.append({"value": value.strip(), "label": _line_texts(rest)})
        else:
            out.append(_line_texts(line))
    return out


def parse_condition(text: str) -> dict | None:
    """「q1=yes,no; q3>=1」 → {"q1": ["yes", "no"], "q3": {"min": 1}}."""
    out: dict = {}
    for part in re.split(r"[;；\n]", text or ""):
        part = part.strip()
        if not part:
            continue
        match = _RANGE.match(part)
        if match:
            code, op, number = match.groups()
            out.setdefault(code, {})["min" if op == ">=" else "max"] = float(number)
            continue
        code, _sep, values = part.partition("=")
        out[code.strip()] = [v.strip() for v in re.split(r"[,、]", values) if v.strip()]
    return out or None


def _number(text: str | None):
    """A form number as int/float, or the text itself for the parser to refuse."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def _question(form: Mapping, i: int) -> dict | None:
    """One question block of the form (None when blank or marked for deletion)."""
    get = lambda key: (form.get(f"q-{i}-{key}") or "").strip()  # noqa: E731
    if get("delete") or not (get("code") or get("text_ja")):
        return None
    q: dict = {"code": get("code"), "type": get("type"), "text": _localized(form, f"q-{i}-text")}
    if q["type"] in ("single", "multi"):
        q["choices"] = parse_choice_lines(get("choices"))
    if q["type"] == "scale" and get("labels"):
        q["labels"] = [_line_texts(line) for line in get("labels").splitlines() if line.strip()]
    if q["type"] == "number":
        for key in ("min", "max"):
            if get(key):
                q[key] = _number(get(key))
        if get("unit"):
            q["unit"] = get("unit")
    q["required"] = bool(get("required"))
    for key in ("ask_if", "skip_if"):
        condition = parse_condition(get(key))
        if condition:
            q[key] = condition
    return q


def _indicator(form: Mapping, j: int) -> dict | None:
    """One indicator block of the form (None when blank or marked for deletion)."""
    get = lambda key: (form.get(f"i-{j}-{key}") or "").strip()  # noqa: E731
    if get("delete") or not get("code"):
        return None
    ind: dict = {"code": get("code"), "name": get("name"), "unit": get("unit"), "method": get("method"),
                 "question": get("question")}
    if get("values"):
        ind["values"] = [v.strip() for v in re.split(r"[,、]", get("values")) if v.strip()]
    if get("scores"):
        pairs = [p.partition("=") for p in re.split(r"[,、\s]+", get("scores")) if p]
        ind["scores"] = {k.strip(): _number(v) for k, _sep, v in pairs}
    for key in ("annualize", "min", "max"):
        if get(key):
            ind[key] = _number(get(key))
    for key in ("baseline", "target"):
        if get(key):
            ind[key] = {"value": _number(get(key)), "year": _number(get(f"{key}_year"))}
    return ind


def form_to_definition(form: Mapping) -> dict:
    """The editor's fields as a survey definition (checked afterwards by parse_definition)."""
    definition: dict = {"code": (form.get("code") or "").strip(), "title": _localized(form, "title")}
    intro = _localized(form, "intro")
    if intro:
        definition["intro"] = intro
    count = int(form.get("q-count") or 0)
    definition["questions"] = [q for q in (_question(form, i) for i in range(count)) if q]
    count = int(form.get("i-count") or 0)
    indicators = [ind for ind in (_indicator(form, j) for j in range(count)) if ind]
    if indicators:
        definition["indicators"] = indicators
    return definition


# --- back to fields -----------------------------------------------------------------------------------

def _split(texts) -> dict:
    """"text" or {ja, en, ja-easy} → {"ja": …, "en": …, "easy": …} for the three inputs."""
    if isinstance(texts, dict):
        return {LANG_FIELDS[k]: v for k, v in texts.items() if k in LANG_FIELDS}
    return {"ja": texts or ""}


def _line(texts) -> str:
    """A label as 「日本語 | English | やさしい日本語」 (trailing empties dropped)."""
    parts = _split(texts)
    values = [parts.get("ja", ""), parts.get("en", ""), parts.get("easy", "")]
    while len(values) > 1 and not values[-1]:
        values.pop()
    return " | ".join(values)


def _condition_text(condition: dict | None) -> str:
    """{"q1": ["yes"], "q3": {"min": 1}} → 「q1=yes; q3>=1」."""
    parts = []
    for code, wanted in (condition or {}).items():
        if isinstance(wanted, dict):
            parts += [f"{code}{'>=' if k == 'min' else '<='}{v:g}" for k, v in wanted.items()]
        else:
            parts.append(f"{code}={','.join(wanted)}")
    return "; ".join(parts)


def definition_to_form(definition: dict, extra_questions: int = 1, extra_indicators: int = 1) -> dict:
    """Field values for the editor: the survey, its questions and indicators, and blank blocks to add more."""
    form = {"code": definition.get("code", "")}
    for key in ("title", "intro"):
        for suffix, text in _split(definition.get(key)).items():
            form[f"{key}_{suffix}"] = text
    questions = list(definition.get("questions") or [])
    for i, q in enumerate(questions):
        form.update({f"q-{i}-code": q.get("code", ""), f"q-{i}-type": q.get("type", "single")})
        for suffix, text in _split(q.get("text")).items():
            form[f"q-{i}-text_{suffix}"] = text
        form[f"q-{i}-choices"] = "\n".join(
            f"{c['value']}: {_line(c.get('label'))}" if isinstance(c, dict) else _line(c) for c in q.get("choices", []))
        form[f"q-{i}-labels"] = "\n".join(_line(label) for label in q.get("labels", []))
        for key in ("min", "max", "unit"):
            form[f"q-{i}-{key}"] = "" if q.get(key) is None else str(q[key])
        form[f"q-{i}-required"] = "1" if q.get("required", q.get("type") != "text") else ""
        form[f"q-{i}-ask_if"] = _condition_text(q.get("ask_if"))
        form[f"q-{i}-skip_if"] = _condition_text(q.get("skip_if"))
    form["q-count"] = len(questions) + extra_questions
    for i in range(len(questions), len(questions) + extra_questions):
        form[f"q-{i}-required"] = "1"
    indicators = list(definition.get("indicators") or [])
    for j, ind in enumerate(indicators):
        for key in ("code", "name", "unit", "method", "question", "annualize", "min", "max"):
            form[f"i-{j}-{key}"] = "" if ind.get(key) is None else str(ind[key])
        form[f"i-{j}-values"] = ", ".join(str(v) for v in ind.get("values", []))
        form[f"i-{j}-scores"] = ", ".join(f"{k}={v:g}" for k, v in (ind.get("scores") or {}).items())
        for key in ("baseline", "target"):
            mark = ind.get(key) or {}
            form[f"i-{j}-{key}"] = "" if mark.get("value") is None else f"{mark['value']:g}"
            form[f"i-{j}-{key}_year"] = "" if mark.get("year") is None else str(mark["year"])
    form["i-count"] = len(indicators) + extra_indicators
    return form
