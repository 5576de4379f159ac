"""やさしい日本語 for the city's own text: readings after kanji words, one sentence a line."""
from __future__ import annotations

import pytest

from content.easy_japanese import easy, with_readings


@pytest.mark.parametrize("text, expected", [
    ("定員20名", "定員（ていいん）20名"),  # 名 after a number is read with it: left alone
    ("休館日は月曜日です", "休館（きゅうかん）日は月曜日（げつようび）です"),  # 日 of 休館日 is voiced (び): not guessed
    ("絵本の読み聞かせ", "絵本（えほん）の読み聞かせ（よみきかせ）"),
    ("図書館と図書館", "図書館（としょかん）と図書館"),  # once per text
    ("おはなしかい", "おはなしかい"),
    ("", ""),
])
def test_kanji_words_get_their_reading_once(text, expected):
    assert with_readings(text) == expected


def test_each_sentence_gets_its_own_line():
    assert easy("申込不要です。当日会場へ。") == "申込（もうしこみ）不要（ふよう）です。\n当日（とうじつ）会場（かいじょう）へ。"


def test_an_easy_japanese_card_reads_the_city_title_and_keeps_others_as_published():
    from datetime import datetime

    from content.search.cards import event_bubble
    from models import Event

    event = Event(id=1, title="子ども工作教室", description="定員20名。申込不要です。", starts_at=datetime(2026, 12, 5, 1))
    assert "工作（こうさく）" in str(event_bubble(event, "ja-easy"))
    assert "工作（" not in str(event_bubble(event, "ja"))
