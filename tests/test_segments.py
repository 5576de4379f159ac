"""Segments: who a push reaches (OR within a key, AND across keys, followers with notices on only)."""
from __future__ import annotations

from datetime import datetime

import pytest

from content.quiet_hours import QuietHoursError, is_quiet, next_allowed_time, parse_quiet_hours
from content.segments import (Segment, SegmentError, count_segment, parse_segment, resolve_segment,
                              segment_resident_ids)
from models import Resident, session_scope
from tests.delivery_support import add_city_districts, add_residents, utc


@pytest.mark.parametrize("specs, expected", [
    ([], {}),
    (["district=北野地区"], {"district": ["北野地区"]}),
    (["district=北野地区,中央地区", "age_group=60-69,70-79"],
     {"district": ["北野地区", "中央地区"], "age_group": ["60-69", "70-79"]}),
    (["interest=children", "interest=sports"], {"interest": ["children", "sports"]}),
    (["lang=en,ja-easy", "gender=female"], {"lang": ["en", "ja-easy"], "gender": ["female"]}),
    ([" district = 北野地区 , 中央地区 "], {"district": ["北野地区", "中央地区"]}),
])
def test_parse_segment(specs, expected):
    assert parse_segment(specs).to_dict() == expected


@pytest.mark.parametrize("specs, named", [
    (["distrct=北野"], "distrct"),
    (["district"], "district"),
    (["age_group=60代"], "60代"),
    (["gender=woman"], "woman"),
    (["interest=cooking"], "cooking"),
    (["lang=fr"], "fr"),
    (["district="], "district"),
])
def test_a_bad_segment_is_refused_naming_what_is_wrong(specs, named):
    with pytest.raises(SegmentError, match=named):
        parse_segment(specs)


def test_districts_are_resolved_to_the_citys_own_names(engine):
    add_city_districts(engine)
    with session_scope(engine) as session:
        assert resolve_segment(session, parse_segment(["district=北野"])).values("district") == ("北野地区",)
        with pytest.raises(SegmentError, match="北の") as error:
            resolve_segment(session, parse_segment(["district=北の"]))
        assert "中央地区" in str(error.value)


def test_or_within_a_key_and_across_keys(engine):
    add_residents(engine, 8, district=lambda n: ("北野地区", "中央地区", "南が丘地区", None)[n % 4],
                  interests=lambda n: [["children"], ["sports", "culture"], [], ["children", "sports"]][n // 2 % 4],
                  age_group=lambda n: "60-69" if n < 4 else None)
    with session_scope(engine) as session:
        def ids(*specs):
            return {i - 1 for i in segment_resident_ids(session, parse_segment(specs))}

        assert ids() == set(range(8))
        assert ids("district=北野地区,中央地区") == {0, 1, 4, 5}
        assert ids("interest=sports") == {2, 3, 6, 7}
        assert ids("interest=children,culture") == {0, 1, 2, 3, 6, 7}
        assert ids("district=北野地区,南が丘地区", "interest=sports") == {2, 6}
        assert ids("age_group=60-69", "interest=children") == {0, 1}
        assert count_segment(session, parse_segment(["district=北野地区"])) == 2


def test_only_followers_with_notices_on_count(engine):
    add_residents(engine, 4, following=lambda n: n != 1, notifications=lambda n: n != 2)
    with session_scope(engine) as session:
        assert count_segment(session, Segment()) == 2
        assert count_segment(session, Segment(), respect_notifications=False) == 3


def test_a_segment_matches_a_resident_as_the_query_does():
    resident = Resident(line_user_id="U" + "0" * 32, district="北野地区", interests=["children"], language="en")
    assert Segment().matches(resident)
    assert parse_segment(["district=北野地区,中央地区", "interest=children,sports"]).matches(resident)
    assert not parse_segment(["lang=ja"]).matches(resident)
    assert not parse_segment(["age_group=60-69"]).matches(resident)


def test_a_segment_is_described_for_staff():
    assert Segment().describe() == "友だち全員"
    assert parse_segment(["district=北野地区", "interest=children", "lang=en"]).describe() == \
        "地区：北野地区／関心：子育て・子ども／言語：英語"


@pytest.mark.parametrize("now, expected", [
    (utc(2026, 12, 1, 3, 0), utc(2026, 12, 1, 3, 0)),      # 12:00 Tokyo: send now
    (utc(2026, 12, 1, 11, 59), utc(2026, 12, 1, 11, 59)),  # 20:59: still allowed
    (utc(2026, 12, 1, 12, 0), utc(2026, 12, 1, 23, 0)),    # 21:00: tomorrow 08:00
    (utc(2026, 12, 1, 16, 30), utc(2026, 12, 1, 23, 0)),   # 01:30: this morning 08:00
    (utc(2026, 12, 1, 22, 59), utc(2026, 12, 1, 23, 0)),   # 07:59
    (utc(2026, 12, 1, 23, 0), utc(2026, 12, 1, 23, 0)),    # 08:00: allowed
])
def test_quiet_hours_hold_until_morning_in_city_time(now, expected):
    assert next_allowed_time(now, parse_quiet_hours("21:00-08:00"), "Asia/Tokyo") == expected


@pytest.mark.parametrize("value, quiet_at_noon_utc", [
    ("", False), (None, False), ("12:00-13:00", False), ("20:00-22:00", True), ("21:00-8:00", True),
])
def test_quiet_hours_settings(value, quiet_at_noon_utc):
    # 12:30 UTC is 21:30 in Tokyo
    assert is_quiet(datetime(2026, 12, 1, 12, 30), parse_quiet_hours(value), "Asia/Tokyo") is quiet_at_noon_utc


@pytest.mark.parametrize("value", ["9pm-8am", "25:00-08:00", "21:00"])
def test_bad_quiet_hours_are_refused(value):
    with pytest.raises(QuietHoursError):
        parse_quiet_hours(value)
