"""Sudachi's synonym dictionary (同義語辞書) as groups of words a question's terms expand through.

The dictionary ships in content/search/data/ (SudachiDict `src/main/text/synonyms.txt`, the 20240109 release,
Apache License 2.0: LICENSE-sudachi-synonyms.txt and README.md beside it; its lines are sorted by group number
so a group is found by binary search). Each line is
`group, 体言/用言, 展開制御, 語彙番号, 語形種別, 略語, 表記ゆれ, (分野), 見出し, , `.
展開制御 1 means a form never starts an expansion (an ambiguous abbreviation such as SP) though others reach
it; 2 means the line is kept only as a record and is never used. Forms of the same 語彙番号 are one word
written differently (パソコン / PC / personal computer), other numbers are near-synonyms (散歩 / 散策).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "sudachi-synonyms.txt"
SAME_WORD = 0.8  # another spelling, abbreviation or translation of the same word
NEAR_WORD = 0.5  # another word of the group (散歩 → 散策)
NEVER = "2"
NO_TRIGGER = "1"


@dataclass(frozen=True)
class Form:
    """One headword of a group."""

    word: str  # NFKC, lower case
    flag: str  # 展開制御: "0" (or "") expands, "1" is only reached, "2" is never used
    lexeme: str  # 語彙番号 within the group


def _key(word: str) -> str:
    """The form words are compared in: NFKC, lower case."""
    return unicodedata.normalize("NFKC", word).strip().lower()


@lru_cache(maxsize=1)
def _text() -> str:
    """The whole dictionary as one string (lines sorted by group number), read once per process."""
    return DATA.read_text(encoding="utf-8")


def _group_at(text: str, pos: int) -> tuple[int, int]:
    """(start of the line holding pos, its group number)."""
    start = text.rfind("\n", 0, pos) + 1
    head = text[start:start + 6]
    return start, int(head) if head.isdigit() else -1


@lru_cache(maxsize=4096)
def group_forms(gid: int) -> tuple[Form, ...]:
    """The usable forms of one group (none for an unknown number): a binary search over the sorted lines.

    Parsing all 90,000 lines into objects takes a second; a group is looked up in microseconds instead,
    which keeps a one-off `tsunagari ask` fast.
    """
    text = _text()
    low, high = 0, len(text)
    while low < high:  # first line whose group number is ≥ gid
        mid = (low + high) // 2
        start, number = _group_at(text, mid)
        if number < gid:
            end = text.find("\n", mid)
            low = len(text) if end < 0 else end + 1
        else:
            high = start
    forms = []
    for line in text[low:].split("\n", 64):  # a group has at most a few dozen lines
        parts = line.split(",")
        if len(parts) < 9 or not parts[0].isdigit():
            if forms:
                break
            continue
        if int(parts[0]) != gid:
            if forms:
                break
            continue
        if parts[2] != NEVER:
            forms.append(Form(_key(parts[8]), parts[2] or "0", parts[3]))
    return tuple(forms)


@lru_cache(maxsize=20000)
def synonyms_of(term: str, group_ids: tuple[int, ...]) -> dict[str, float]:
    """Other forms of the groups a term starts an expansion in, with their weights (headwords, NFKC).

    `group_ids` are the groups Sudachi's dictionary entry names for the term (Morpheme.synonym_group_ids());
    the term expands through a group unless its own line there says 展開制御 1.
    """
    key = _key(term)
    out: dict[str, float] = {}
    for gid in group_ids:
        forms = group_forms(gid)
        own = [f for f in forms if f.word == key]
        if any(f.flag == NO_TRIGGER for f in own):
            continue  # SP of スマートフォン: too ambiguous to start an expansion
        lexemes = {f.lexeme for f in own}
        for form in forms:
            if form.word == key:
                continue
            weight = SAME_WORD if form.lexeme in lexemes else NEAR_WORD
            if weight > out.get(form.word, 0.0):
                out[form.word] = weight
    return out


_ENGLISH_LINE = re.compile(r"^(\d{6}),[^,\n]*,[01]?,(\d+),[^,\n]*,[^,\n]*,[^,\n]*,\([^)\n]*\),([a-z][a-z' -]*[a-z]),",
                           re.MULTILINE)


@lru_cache(maxsize=1)
def _english_lines() -> dict[str, tuple[int, str]]:
    """English headword → (group, 語彙番号) of its first usable line (one scan of the file, on the first English
    question only)."""
    out: dict[str, tuple[int, str]] = {}
    for match in _ENGLISH_LINE.finditer(_text()):
        out.setdefault(match.group(3), (int(match.group(1)), match.group(2)))
    return out


@lru_cache(maxsize=4096)
def japanese_for_english(word: str) -> str | None:
    """The Japanese form Sudachi's dictionary gives as the same word as an English one (marimba → マリンバ,
    embroidery → エンブロイダリー), or None; its other synonyms are reached later through the group."""
    line = _english_lines().get(_key(word))
    if line is None:
        return None
    gid, lexeme = line
    return next((form.word for form in group_forms(gid) if form.lexeme == lexeme and not form.word.isascii()), None)
