"""The search benchmark's judging: a question whose answer crashes is a miss, whatever was expected."""
from __future__ import annotations

from datetime import datetime

import pytest

from bench import search_bench


@pytest.mark.parametrize("expect", [{"none": True}, {"small_talk": True}, {"titles": ["ヨガ"]}])
def test_a_crashing_question_counts_as_a_miss(session, monkeypatch, expect):
    def crash(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(search_bench, "ask_once", crash)
    score = search_bench.run_questions(session, [{"q": "こんにちは", "expect": expect}], datetime(2026, 11, 26, 10),
                                       system=True)
    assert (score.n, score.top1, score.top3) == (1, 0, 0)
    assert score.misses == [("こんにちは", ["CRASH"])]
