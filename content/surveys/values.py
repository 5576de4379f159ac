"""Reading an answer as residents type it or a CSV holds it: choices by value or label (any language), はい/いいえ,
scale points, numbers written 「３回」「三回」「約2.5」, free text; and the attribute codes (世代, 性別)."""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from content.i18n import LANGUAGES, translator
from content.menus import normalize_words
from models import AGE_GROUPS, GENDERS, Question

MAX_TEXT_ANSWER = 1000
YES_WORDS = ("はい", "ハイ", "yes", "y", "うん", "ええ", "そう", "そうです", "あります", "ある", "参加した", "した")
NO_WORDS = ("いいえ", "いえ", "no", "n", "ううん", "いや", "ない", "ありません", "していない", "しなかった")
ZERO_WORDS = ("ゼロ", "ぜろ", "れい", "零", "zero", "none")
_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMBER = re.compile(
    r"(?:約|およそ|だいたい|大体|ほぼ|about|around)?"
    r"(?P<num>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[〇零一二三四五六七八九十百千]+)"
    r"(?:回|かい|times?|件|日|時間|人|点|冊|円)?"
    r"(?:くらい|ぐらい|位|程度|ほど|ぐらいです|くらいです)?(?:です|でした|だよ|だ)?")
AGE_WORDS = {"-19": ("19歳以下", "10代", "～19", "〜19", "0-19", "under20"), "20-29": ("20代",), "30-39": ("30代",),
             "40-49": ("40代",), "50-59": ("50代",), "60-69": ("60代",), "70-79": ("70代",),
             "80-": ("80歳以上", "80代以上", "80代", "80+", "80~", "80〜")}
GENDER_WORDS = {"female": ("女性", "女", "f", "w", "woman"), "male": ("男性", "男", "m", "man"),
                "other": ("その他", "x", "そのほか")}


class InvalidAnswer(ValueError):
    """The text is not an answer to the question: `reason` is "choice", "range", "number" or "text"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AnswerValue:
    """What is stored: the value (choices joined by ';'), the number, or the free text."""

    value: str | None
    number: float | None = None
    text: str | None = None


def canonical_number(number: float) -> str:
    """3.0 → "3", 2.50 → "2.5": one spelling per number so GROUP BY sees one value."""
    if float(number).is_integer():
        return str(int(number))
    return repr(float(number))


def kanji_number(text: str) -> int | None:
    """三 → 3, 十二 → 12, 二十 → 20, 百五 → 105; None when not a kanji numeral."""
    if not text or any(ch not in _KANJI_DIGITS and ch not in _KANJI_UNITS for ch in text):
        return None
    total, digit = 0, None
    for ch in text:
        if ch in _KANJI_DIGITS:
            if digit is not None:  # 二三: not a numeral we read
                return None
            digit = _KANJI_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _KANJI_UNITS[ch]
            digit = None
    return total + (digit or 0)


def parse_number(text: str) -> float | None:
    """「3」「３回」「三回」「約2.5」「1,200円」 → the number; None when the text is not one number."""
    norm = normalize_words(text)
    if norm in {normalize_words(w) for w in ZERO_WORDS}:
        return 0.0
    match = _NUMBER.fullmatch(norm)
    if not match:
        return None
    raw = match.group("num")
    if raw[0] in _KANJI_DIGITS or raw[0] in _KANJI_UNITS:
        value = kanji_number(raw)
        return None if value is None else float(value)
    number = float(raw.replace(",", ""))
    return number if math.isfinite(number) else None


def choice_words(choice: dict) -> set[str]:
    """Every normalized form that picks a choice: its value, and its label in each language."""
    labels = dict(choice.get("label") or {})
    forms = {choice["value"]} | set(labels.values())
    if choice.get("fixed"):  # はい / いいえ: the msgid translated in every language
        forms |= {translator(lang)(labels.get("ja", "")) for lang in LANGUAGES}
    if choice["value"] == "yes" and choice.get("fixed"):
        forms |= set(YES_WORDS)
    if choice["value"] == "no" and choice.get("fixed"):
        forms |= set(NO_WORDS)
    return {normalize_words(f) for f in forms if f} - {""}


def match_choice(question: Question, text: str) -> str | None:
    """The choice value a text names (value, label in any language, or for a scale its point 1–5)."""
    norm = normalize_words(text)
    for choice in question.choices:
        if norm in choice_words(choice):
            return choice["value"]
    if question.type == "scale":
        number = parse_number(text)
        if number is not None and number.is_integer() and str(int(number)) in {c["value"] for c in question.choices}:
            return str(int(number))
    return None


_SPLIT = re.compile(r"[;；、,，・/／\s]+|と|や")


def parse_answer(question: Question, raw: str) -> AnswerValue:
    """The stored form of an answer to a question, or InvalidAnswer."""
    text = (raw or "").strip()
    if question.type == "text":
        if not text:
            raise InvalidAnswer("text")
        return AnswerValue(None, None, text[:MAX_TEXT_ANSWER])
    if question.type == "number":
        number = parse_number(text)
        if number is None:
            raise InvalidAnswer("number")
        if (question.min_value is not None and number < question.min_value) or \
                (question.max_value is not None and number > question.max_value):
            raise InvalidAnswer("range")
        return AnswerValue(canonical_number(number), number)
    if question.type == "multi":
        picked = set()
        whole = match_choice(question, text)
        parts = [whole] if whole is not None else [match_choice(question, p) for p in _SPLIT.split(text) if p]
        if not parts or any(p is None for p in parts):
            raise InvalidAnswer("choice")
        picked.update(parts)
        return multi_value(question, picked)
    value = match_choice(question, text)
    if value is None:
        raise InvalidAnswer("choice")
    number = float(value) if question.type == "scale" else None
    return AnswerValue(value, number)


def multi_value(question: Question, picked: set[str]) -> AnswerValue:
    """Chosen values in the question's order, joined by ';'."""
    ordered = [c["value"] for c in question.choices if c["value"] in picked]
    if not ordered:
        raise InvalidAnswer("choice")
    return AnswerValue(";".join(ordered))


def age_group_code(text: str) -> str | None:
    """An age group as DESIGN codes it (or as 20代 / 80歳以上); '' → None; unknown → ValueError."""
    text = (text or "").strip()
    if not text:
        return None
    norm = unicodedata.normalize("NFKC", text).replace(" ", "")
    if norm in AGE_GROUPS:
        return norm
    for code, words in AGE_WORDS.items():
        if norm in {unicodedata.normalize("NFKC", w) for w in words}:
            return code
    raise ValueError(f"年代 {text} は {', '.join(AGE_GROUPS)} のどれかにしてください")


def gender_code(text: str) -> str | None:
    """A gender as DESIGN codes it (or 女性 / 男性 / その他); '' → None; unknown → ValueError."""
    norm = normalize_words(text)
    if not norm:
        return None
    if norm in GENDERS:
        return norm
    for code, words in GENDER_WORDS.items():
        if norm in {normalize_words(w) for w in words}:
            return code
    raise ValueError(f"性別 {text} は {', '.join(GENDERS)} のどれかにしてください")
