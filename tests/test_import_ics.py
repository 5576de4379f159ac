"""iCalendar import: recurring events expanded into one row per occurrence over a rolling window."""
from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from sqlmodel import select

from content.importers import import_path
from models import Event

ICS = Path(__file__).parent / "fixtures" / "opendata" / "calendar.ics"
NOW = datetime(2026, 12, 1, 0, 0)  # naive UTC


def occurrences(session, uid: str) -> list[Event]:
    """Active rows of one series, in date order."""
    query = select(Event).where(Event.series_key == uid, Event.active == True).order_by(Event.starts_at)  # noqa: E712
    return list(session.exec(query))


def test_weekly_rule_is_expanded_with_exdates_and_a_moved_occurrence(session):
    report = import_path(session, "events", str(ICS), now=NOW)
    assert report.ok and report.layout == "icalendar"
    assert (report.imported, report.skipped) == (8, 0), report.format()
    taiso = occurrences(session, "taiso@midori.example.jp")
    days = [e.starts_at.strftime("%m/%d %H:%M") for e in taiso]
    # 10:00 JST = 01:00 UTC; 12/26 and 1/2 are EXDATEs; 12/19 moved to 14:00 JST (05:00 UTC); UNTIL keeps 1/30
    assert days == ["12/05 01:00", "12/12 01:00", "12/19 05:00", "01/09 01:00", "01/16 01:00", "01/23 01:00", "01/30 01:00"]
    moved = taiso[2]
    assert moved.title == "土曜の健康体操（午後に変更）" and moved.place_name == "市民体育館"
    assert moved.source_key == "taiso@midori.example.jp@20261219T0100"  # keyed by its original start
    assert taiso[0].ends_at == datetime(2026, 12, 5, 2, 0) and taiso[0].audience_tags == ["seniors"]


def test_all_day_event_is_marked_all_day(session):
    import_path(session, "events", str(ICS), now=NOW)
    closed = occurrences(session, "kyukan@midori.example.jp")
    assert len(closed) == 1 and closed[0].all_day
    assert closed[0].starts_at == datetime(2026, 12, 13, 15, 0) and closed[0].ends_at == datetime(2026, 12, 14, 15, 0)


def test_reimport_changes_nothing_and_a_file_url_works(session):
    import_path(session, "events", str(ICS), now=NOW)
    again = import_path(session, "events", ICS.resolve().as_uri(), now=NOW)
    assert (again.imported, again.updated, again.retired, again.unchanged) == (0, 0, 0, 8)


def test_a_later_window_keeps_past_occurrences_and_retires_only_vanished_future_ones(session, tmp_path):
    path = tmp_path / "calendar.ics"
    shutil.copy(ICS, path)
    import_path(session, "events", str(path), now=NOW)
    text = path.read_text(encoding="utf-8").replace("20261226T100000,20270102T100000", "20261226T100000,20270102T100000,20270116T100000")
    path.write_text(text, encoding="utf-8")
    report = import_path(session, "events", str(path), now=datetime(2026, 12, 20, 0, 0))
    assert report.retired == 1  # 1/16 cancelled; 12/5 and 12/12 fell out of the window but stay
    assert len(occurrences(session, "taiso@midori.example.jp")) == 6


def test_ics_is_refused_for_facilities_and_remote_urls(session):
    assert import_path(session, "facilities", str(ICS)).refused
    assert import_path(session, "events", "https://example.jp/calendar.ics").refused


def test_a_file_that_is_not_icalendar_is_refused(session, tmp_path):
    path = tmp_path / "broken.ics"
    path.write_text("これはカレンダーではありません", encoding="utf-8")
    report = import_path(session, "events", str(path), now=NOW)
    assert report.refused and "iCalendar" in report.refused


def test_a_one_off_event_long_past_is_kept_with_a_blank_geo_and_its_contact(session, tmp_path):
    """三田市's feed holds only 2017's one-off events, some with 「GEO:;」: every one is imported, like a CSV row of
    any date, and CONTACT is the contact."""
    feed = tmp_path / "sanda.ics"
    feed.write_bytes(("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n"
                      "BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20170110T16:21:39\r\nSUMMARY:就労チャレンジ体験\r\n"
                      "DTSTART:20170101T090000\r\nDTEND:20170101T170000\r\nLOCATION:\r\nGEO:;\r\nEND:VEVENT\r\n"
                      "BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:古三田青磁三田焼保存会展\r\nDTSTART:20170101T090000\r\n"
                      "GEO:34.94686;135.1694\r\nCONTACT:陶芸館 079-568-4340\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode())
    report = import_path(session, "events", str(feed), now=NOW)
    assert (report.imported, report.skipped) == (2, 0), report.format()
    rows = {e.title: e for e in session.exec(select(Event))}
    assert rows["就労チャレンジ体験"].latitude is None
    assert rows["古三田青磁三田焼保存会展"].contact == "陶芸館 079-568-4340"
    assert rows["古三田青磁三田焼保存会展"].latitude == 34.94686
