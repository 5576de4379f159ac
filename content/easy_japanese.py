"""やさしい日本語 for text taken from the city's files: readings after words written in kanji, one sentence a line.

The city's titles and descriptions are not in our catalogs, so they cannot be rewritten by hand; what can be done
for a reader who knows kana is what the やさしい日本語 guidelines ask of any text: a reading (ふりがな) for kanji,
written in brackets after the word since LINE has no ruby, and short lines. Readings are Sudachi's reading forms.
"""
from __future__ import annotations

import re
from functools import lru_cache

_KANJI = re.compile(r"[一-龥々〆ヵヶ]")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])(?=[^\n」）)])")


def _hiragana(katakana: str) -> str:
    """Katakana → hiragana (readings are given in hiragana)."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in katakana)


@lru_cache(maxsize=2048)
def with_readings(text: str) -> str:
    """The text with 「（よみ）」 after the first use of each word written in kanji: 定員（ていいん）."""
    if not text or not _KANJI.search(text):
        return text or ""
    from content.search.terms import _tokenizer

    out: list[str] = []
    seen: set[str] = set()
    previous = ""
    for morpheme in _tokenizer().tokenize(text):
        surface = morpheme.surface()
        out.append(surface)
        reading = _hiragana(morpheme.reading_form() or "")
        pos = morpheme.part_of_speech()
        # one kanji right after a kanji word or a number (日 of 休館日, 名 of 20名) is read with that word, often
        # voiced (きゅうかんび): left unread rather than read wrongly
        tail = len(surface) == 1 and bool(previous) and (bool(_KANJI.search(previous[-1])) or previous[-1].isdigit())
        previous = surface
        if (_KANJI.search(surface) and reading and surface not in seen and reading != surface and not tail
                and pos[0] not in ("補助記号", "空白", "接尾辞") and pos[1] != "数詞"):
            seen.add(surface)
            out.append(f"（{reading}）")
    return "".join(out)


def short_lines(text: str) -> str:
    """One sentence a line (「…です。…ます。」 → two lines)."""
    return _SENTENCE_END.sub("\n", text or "")


def easy(text: str | None) -> str:
    """City text made easier to read: one sentence a line, readings after kanji words."""
    return with_readings(short_lines(text or ""))
