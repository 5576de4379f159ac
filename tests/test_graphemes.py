"""content/graphemes answers exactly as the grapheme library does, only faster for simple text."""
import grapheme
import pytest

from content import graphemes

SAMPLES = [
    "", "メニュー", "今週末のイベント一覧を見る", "Events this weekend", "a\r\nb", "\r\r\n\n", "が\u3099ん",
    "👨\u200d👩\u200d👧", "🇯🇵🇺🇸", "☀\ufe0f晴れ", "한국어", "\u1100\u1161\u11a8", "e\u0301", "ก่อน", "नमस्ते",
    "✓ 参加する", "\u0600\u0661", "x" * 300,
]


@pytest.mark.parametrize("text", SAMPLES)
def test_length_cut_and_clusters_match_the_library(text):
    assert graphemes.length(text) == grapheme.length(text)
    for end in (0, 1, 2, 5, 20):
        assert graphemes.cut(text, end) == grapheme.slice(text, 0, end)
    assert list(graphemes.clusters(text)) == list(grapheme.graphemes(text))


def test_every_kind_of_character_counts_as_the_library_counts_it():
    # A sample of the whole code space, each character alone and beside characters it could join.
    for code in range(0, 0x110000, 61):
        if 0xD800 <= code <= 0xDFFF:
            continue
        c = chr(code)
        for text in (c, "a" + c, c + "あ", c + c, "\u200d" + c, c + "\u0301", c + "\r\n"):
            assert graphemes.length(text) == grapheme.length(text), (hex(code), text)
