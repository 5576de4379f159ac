"""Flex cards: Japanese-style dates, map links, inert markup, and LINE's limits for every builder."""
from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from content.search.cards import (carousel_message, event_bubble, event_when, facility_bubble, format_distance, format_when,
                           maps_uri, opportunity_bubble)
from content.line_limits import validate_messages
from models import Event, Facility, Opportunity


def utc(*args) -> datetime:
    """A naive UTC timestamp as the tables store it."""
    return datetime(*args)


@pytest.mark.parametrize("starts, ends, all_day, lang, expected", [
    (utc(2026, 12, 5, 1), utc(2026, 12, 5, 3), False, "ja", "12月5日(土) 10:00〜12:00"),
    (utc(2026, 12, 5, 0, 30), None, False, "ja", "12月5日(土) 9:30"),
    (utc(2026, 12, 4, 15), utc(2026, 12, 5, 15), True, "ja", "12月5日(土)"),  # end = next midnight (exclusive)
    (utc(2026, 12, 4, 15), utc(2026, 12, 4, 15), True, "ja", "12月5日(土)"),
    (utc(2026, 12, 4, 15), utc(2026, 12, 8, 15), True, "ja", "12月5日(土)〜12月8日(火)"),
    (utc(2026, 12, 5, 1), utc(2026, 12, 5, 3), False, "en", "Sat, Dec 5 10:00–12:00"),
    (utc(2026, 12, 5, 1), utc(2026, 12, 5, 3), False, "ja-easy", "12月5日(土) 10:00〜12:00"),
    (None, None, False, "ja", ""),
])
def test_dates_are_written_in_the_residents_style(starts, ends, all_day, lang, expected):
    assert format_when(starts, ends, all_day, lang) == expected


@pytest.mark.parametrize("note, all_day, ends, lang, expected", [
    ("毎週木曜日", False, utc(2027, 3, 31, 5, 30), "ja", "4月15日〜3月31日 13:30〜14:30（毎週木曜日）"),
    ("10月13日から3月23日(毎月第2、第4水曜)", False, utc(2027, 3, 31, 5, 30), "ja",
     "4月15日〜3月31日 13:30〜14:30（毎月第2・第4水曜日）"),
    ("毎週木曜日", False, utc(2027, 3, 31, 5, 30), "en", "Apr 15 – Mar 31, 13:30–14:30 (Thursdays)"),
    (None, False, utc(2027, 3, 31, 5, 30), "ja", "4月15日〜3月31日 13:30〜14:30"),  # a guess is never shown
    (None, True, utc(2027, 3, 31, 15), "ja", "4月15日〜3月31日"),  # all day, exclusive midnight end
])
def test_long_running_rows_show_their_period_not_the_first_day(note, all_day, ends, lang, expected):
    starts = utc(2026, 4, 15, 4, 30) if not all_day else utc(2026, 4, 14, 15)
    event = _event(starts_at=starts, ends_at=ends, time_note=note, all_day=all_day)
    assert event_when(event, lang) == expected


@pytest.mark.parametrize("lat, lon, address, expected_start", [
    (35.68, 139.76, None, "https://www.google.com/maps/search/?api=1&query=35.680000,139.760000"),
    (None, None, "つながり市本町1-1", "https://www.google.com/maps/search/?api=1&query=%E3%81%A4"),
    (None, None, None, None),
])
def test_map_links(lat, lon, address, expected_start):
    uri = maps_uri(lat, lon, address)
    assert (uri is None) if expected_start is None else uri.startswith(expected_start)


def test_map_link_that_would_be_too_long_is_left_out():
    assert maps_uri(None, None, "長い住所" * 200) is None


@pytest.mark.parametrize("metres, lang, expected", [(347, "ja", "約350m"), (1234, "ja", "約1.2km"), (80, "en", "about 80m")])
def test_distances(metres, lang, expected):
    assert format_distance(metres, lang) == expected


def _event(**overrides) -> Event:
    """An event row (not stored)."""
    values = dict(id=7, source="t", source_key="k", title="子ども工作教室", starts_at=utc(2026, 12, 6, 1),
                  ends_at=utc(2026, 12, 6, 3), place_name="中央公民館", address="つながり市本町1-1",
                  latitude=35.68, longitude=139.76, description="牛乳パックでおもちゃを作ります。", fee="無料",
                  audience="小学生", organizer="中央公民館", url="https://example.jp/e/7")
    values.update(overrides)
    return Event(**values)


def _facility(**overrides) -> Facility:
    """A facility row (not stored)."""
    values = dict(id=3, source="t", source_key="f", name="中央図書館", address="つながり市本町2-5", phone="012-345-6789",
                  latitude=35.681, longitude=139.762, hours_text="9:00～19:00", closed_text="月曜日、年末年始",
                  url="https://example.jp/lib")
    values.update(overrides)
    return Facility(**values)


HUGE = "とても長い説明です。" * 3000
BUBBLES = {
    "event": lambda: event_bubble(_event(), "ja"),
    "event detailed": lambda: event_bubble(_event(), "ja", detailed=True),
    "event huge": lambda: event_bubble(_event(title="長" * 400, description=HUGE, place_name="場" * 400), "ja",
                                        detailed=True),
    "event no place no time": lambda: event_bubble(_event(place_name=None, address=None, latitude=None,
                                                          longitude=None, starts_at=None, description=None), "en"),
    "facility": lambda: facility_bubble(_facility(), "ja", today=date(2026, 11, 26)),
    "facility detailed": lambda: facility_bubble(_facility(description=HUGE), "ja-easy", today=date(2026, 11, 26),
                                                 detailed=True),
    "facility unreadable hours": lambda: facility_bubble(_facility(hours_text="要問合せ", closed_text="不定休"), "en",
                                                         today=date(2026, 11, 26), distance_m=420),
    "opportunity": lambda: opportunity_bubble(Opportunity(id=2, source="t", source_key="o", title="公園清掃ボランティア",
                                                          kind="volunteer", deadline=utc(2026, 12, 1, 8),
                                                          description=HUGE), "ja"),
}


@pytest.mark.parametrize("name", sorted(BUBBLES))
def test_every_bubble_passes_lines_limits(name):
    bubble = BUBBLES[name]()
    message = carousel_message([bubble], "alt")
    validate_messages([message])
    assert len(json.dumps(bubble, ensure_ascii=False).encode()) < 30_000


def test_carousel_keeps_ten_bubbles_and_a_short_alt_text():
    bubbles = [event_bubble(_event(id=i), "ja") for i in range(15)]
    message = carousel_message(bubbles, "あ" * 3000)
    validate_messages([message])
    assert len(message["contents"]["contents"]) == 10 and len(message["altText"]) <= 1500


def test_markup_in_titles_stays_plain_text():
    bubble = event_bubble(_event(title="<script>alert(1)</script>会", description="<b>太字</b>"), "ja")
    texts = [c.get("text") for c in bubble["body"]["contents"] if c.get("type") == "text"]
    assert "<script>alert(1)</script>会" in texts  # shown literally; Flex never renders HTML
    assert all(c.get("type") in ("text", "box") for c in bubble["body"]["contents"])


def test_facility_bubble_gives_todays_hours_and_closed_days():
    bubble = facility_bubble(_facility(), "ja", today=date(2026, 11, 26))
    flat = json.dumps(bubble, ensure_ascii=False)
    assert "今日 9:00〜19:00" in flat and "月曜日、年末年始" in flat


def test_facility_bubble_says_closed_on_a_closed_day():
    flat = json.dumps(facility_bubble(_facility(), "ja", today=date(2026, 11, 30)), ensure_ascii=False)
    assert "今日は休館日です" in flat


def test_unreadable_hours_are_shown_as_published():
    flat = json.dumps(facility_bubble(_facility(hours_text="要問合せ", closed_text="不定休"), "ja",
                                      today=date(2026, 11, 26)), ensure_ascii=False)
    assert "要問合せ" in flat and "不定休" in flat


def test_detail_button_is_a_short_postback():
    bubble = event_bubble(_event(id=123456), "ja")
    action = bubble["footer"]["contents"][0]["action"]
    assert action["type"] == "postback" and action["data"] == "action=search_detail&k=e&id=123456"


@pytest.mark.parametrize("closed_text, expected", [
    ("年末年始", "年末年始（12月29日〜1月3日）"),
    ("毎週火曜日、年末年始（12月28日～1月4日）", "火曜日、年末年始（12月28日〜1月4日）"),
    ("月曜日、8/13", "月曜日、8月13日"),
])
def test_closed_days_line_names_the_dates(closed_text, expected):
    from content.search.cards import closed_days_line
    from content.search.facility_hours import parse_hours

    assert closed_days_line(parse_hours("9:00～17:00", closed_text), "ja") == expected


def test_facility_bubble_for_another_day_names_that_day():
    flat = json.dumps(facility_bubble(_facility(), "ja", today=date(2026, 11, 26), day=date(2026, 11, 30)),
                      ensure_ascii=False)
    assert "11月30日(月)は休館日です" in flat


def test_english_cards_use_the_files_english_title_and_description():
    from types import SimpleNamespace

    from content.search.cards import event_bubble
    event = SimpleNamespace(id=1, title="花火大会", title_en="Fireworks Festival", description="夏の花火",
                            description_en="Summer fireworks by the river", starts_at=None, ends_at=None,
                            all_day=False, place_name="河川敷", address=None, latitude=None, longitude=None,
                            fee=None, is_free=None, capacity=None, url=None, image_url=None, audience=None,
                            time_note=None, organizer=None, contact=None, facility_id=None, category=None,
                            district=None)
    english = str(event_bubble(event, "en"))
    assert "Fireworks Festival" in english and "Summer fireworks" in english
    assert "花火大会" in str(event_bubble(event, "ja"))
