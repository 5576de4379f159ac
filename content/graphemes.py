"""Grapheme clusters counted and cut fast, with exactly the `grapheme` library's answers.

LINE counts labels and template texts in grapheme clusters. The `grapheme` library walks every character in
Python (about 4 µs a character: 0.5 ms for a 120-character carousel text), yet almost every string a city
sends — Japanese, English, digits, punctuation, most emoji without modifiers — holds no character that can join
its neighbour into one cluster, and then every character is a cluster of its own (CR LF excepted). This module
finds the characters that can join with one compiled regular expression built from the library's own
Grapheme_Cluster_Break data, answers directly when there are none, and asks the library otherwise, so the
answer never differs from the library's (tests/test_graphemes.py compares them).
"""
from __future__ import annotations

import json
import re
from importlib import resources
from typing import Iterator

import grapheme

# Properties whose characters may share a cluster with a neighbour (UAX #29 rules GB6–GB9c, GB11–GB13): text
# without them splits between every two characters except CR LF (GB3). Control, CR and LF stand alone;
# Extended_Pictographic joins only through ZWJ, which is listed.
JOINING_PROPERTIES = ("Prepend", "Extend", "Regional_Indicator", "SpacingMark", "L", "V", "T", "LV", "LVT", "ZWJ")


def _joining_pattern() -> re.Pattern:
    """A character class of every joining character, from the library's data file."""
    data = json.loads(resources.files("grapheme").joinpath("data/grapheme_break_property.json").read_text())
    parts = []
    for name in JOINING_PROPERTIES:
        for code in data[name]["single_chars"]:
            parts.append(re.escape(chr(code)))
        for low, high in data[name]["ranges"]:
            parts.append(f"{re.escape(chr(low))}-{re.escape(chr(high))}")
    return re.compile("[" + "".join(parts) + "]")


_JOINING = _joining_pattern()


def is_simple(text: str) -> bool:
    """True when every character of the text is a cluster of its own (no joining character, no CR)."""
    return "\r" not in text and not _JOINING.search(text)


def length(text: str) -> int:
    """The number of grapheme clusters (as grapheme.length)."""
    if text.isascii():
        return len(text) - text.count("\r\n")
    if not _JOINING.search(text):
        return len(text) - text.count("\r\n")
    return grapheme.length(text)


def cut(text: str, end: int) -> str:
    """The first `end` grapheme clusters (as grapheme.slice(text, 0, end))."""
    return text[:end] if is_simple(text) else grapheme.slice(text, 0, end)


def clusters(text: str) -> Iterator[str]:
    """The grapheme clusters one by one (as grapheme.graphemes)."""
    return iter(text) if is_simple(text) else grapheme.graphemes(text)
