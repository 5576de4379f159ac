"""iCalendar feeds: recurring events expanded into one Event row per occurrence over a rolling window."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote, urlparse

import icalendar
import recurring_ical_events
from sqlmodel import Session

from content.importers.audience import event_audience_tags
from content.importers.events import first_url
from content.importers.keys import source_name
from content.importers.places import FacilityMatcher
from content.importers.report import ImportReport
from content.importers.sync import Record, sync_records
from content.importers.values import TOKYO, tidy
from models import Event

WINDOW_BEFORE = timedelta(days=7)
WINDOW_AFTER = timedelta(days=180)


def local_ics_path(path: str) -> Path | None:
    """The file a path or file:// URL names; None for other URL schemes (we only read local files)."""
    if "://" not in path:
        return Path(path)
    parsed = urlparse(path)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path))


def is_ics(path: str) -> bool:
    """True for .ics paths and URLs."""
    return path.lower().split("?")[0].endswith((".ics", ".ical", ".ifb")) or path.lower().startswith("webcal")


def import_ics(session: Session, path: str, report: ImportReport, now: datetime) -> None:
    """Expand the calendar's repeating events over [now − 7 days, now + 180 days), take its one-off events whatever
    their date, and sync them as Event rows."""
    file = local_ics_path(path)
    if file is None:
        report.refused = "iCalendar はローカルファイル（パスまたは file:// URL）だけを取り込めます。"
        return
    calendar = icalendar.Calendar.from_ical(file.read_bytes())
    report.layout, report.encoding = "icalendar", "utf-8"
    report.source = source_name("ics", "", str(file))
    start, end = now - WINDOW_BEFORE, now + WINDOW_AFTER
    matcher = FacilityMatcher(session)
    records = []
    for component in list(recurring_ical_events.of(calendar).between(start, end)) + single_events_outside(
            calendar, start, end):
        try:
            record = occurrence_record(component, matcher)
        except Exception as exc:  # a broken VEVENT never stops the rest
            report.skip(0, f"VEVENT を読めませんでした（{type(exc).__name__}）")
            continue
        if record is None:
            report.skip(0, "UID または DTSTART がない VEVENT")
        else:
            records.append(record)
    window_start = to_naive_utc(start)
    # Occurrences before the window are history, not cancellations: only retire inside the window.
    sync_records(session, Event, report.source, records, report,
                 retire_filter=lambda row: row.starts_at is None or row.starts_at >= window_start)


def single_events_outside(calendar, start: datetime, end: datetime) -> list:
    """The VEVENTs that happen once, outside the window: kept like a CSV file's rows of any date (a feed of last
    year's events answers questions about the past; 三田市's feed holds only 2017). Repeating ones are expanded over
    the window only."""
    out, first, last = [], to_naive_utc(start), to_naive_utc(end)
    for component in calendar.walk("VEVENT"):
        if component.get("RRULE") or component.get("RDATE") or component.get("RECURRENCE-ID"):
            continue
        dtstart = component.get("DTSTART")
        if dtstart is None:
            continue  # reported with the others: read by the window's walk or skipped below
        if not first <= to_naive_utc(dtstart.dt) < last:
            out.append(component)
    return out


def geo_of(component) -> tuple[float | None, float | None]:
    """GEO as (latitude, longitude); (None, None) when absent or written empty (「GEO:;」 in 三田市's feed)."""
    geo = component.get("GEO")
    try:
        return (float(geo.latitude), float(geo.longitude)) if geo is not None else (None, None)
    except Exception:  # icalendar keeps an unreadable value as vBroken, which raises when read
        return None, None


def to_naive_utc(value: date | datetime) -> datetime:
    """Naive UTC for an iCalendar date or datetime (floating times are taken as Asia/Tokyo)."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, datetime.min.time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=TOKYO)
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def occurrence_record(component, matcher: FacilityMatcher) -> Record | None:
    """One expanded VEVENT occurrence as a Record keyed by UID + its original start."""
    uid = str(component.get("UID", "")).strip()
    dtstart = component.get("DTSTART")
    if not uid or dtstart is None:
        return None
    start = dtstart.dt
    all_day = not isinstance(start, datetime)
    end_prop = component.get("DTEND")
    end = end_prop.dt if end_prop is not None else None
    if end is None and component.get("DURATION") is not None:
        end = start + component.get("DURATION").dt
    if end is None and all_day:
        end = start + timedelta(days=1)
    recurrence = component.get("RECURRENCE-ID")
    original = recurrence.dt if recurrence is not None else start
    title = tidy(str(component.get("SUMMARY", ""))) or "(無題)"
    description = str(component.get("DESCRIPTION", "")).strip()
    place = tidy(str(component.get("LOCATION", "")))
    facility = matcher.match(place)
    latitude, longitude = geo_of(component)
    if latitude is None and facility is not None:
        latitude, longitude = facility.latitude, facility.longitude
    categories = component.get("CATEGORIES")
    category = None
    if categories is not None:
        cats = categories if isinstance(categories, list) else [categories]
        category = "、".join(str(c) for cat in cats for c in getattr(cat, "cats", [cat])) or None
    organizer = component.get("ORGANIZER")
    organizer_name = None
    if organizer is not None:
        organizer_name = str(organizer.params.get("CN", "")) or str(organizer).removeprefix("mailto:")
    values = {
        "title": title,
        "description": description or None,
        "category": category,
        "starts_at": to_naive_utc(start),
        "ends_at": to_naive_utc(end) if end is not None else None,
        "all_day": all_day,
        "place_name": place or None,
        "facility_id": facility.id if facility else None,
        "district": facility.district if facility else None,
        "address": facility.address if facility else None,
        "latitude": latitude,
        "longitude": longitude,
        "audience_tags": event_audience_tags(None, title, description),
        "organizer": organizer_name,
        "url": first_url(str(component.get("URL", ""))) or first_url(description),
        "contact": tidy(str(component.get("CONTACT", ""))) or None,
        "series_key": uid,
        "status": "published",
        "active": str(component.get("STATUS", "")).upper() != "CANCELLED",
    }
    key = f"{uid}@{to_naive_utc(original).strftime('%Y%m%dT%H%M')}"
    return Record(line_no=0, source_key=key, values=values)
