"""Quiet hours: the city-time window (TSUNAGARI_QUIET_HOURS, default 21:00-08:00) when pushes that are not
urgent wait until morning."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DEFAULT_QUIET_HOURS = "21:00-08:00"
_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–〜~]\s*(\d{1,2}):(\d{2})\s*$")


class QuietHoursError(ValueError):
    """TSUNAGARI_QUIET_HOURS is not of the form HH:MM-HH:MM."""


@dataclass(frozen=True)
class QuietHours:
    """A daily window in city time; it may wrap past midnight (21:00-08:00)."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        """True when a city wall-clock time falls inside the window (start included, end excluded)."""
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def label(self) -> str:
        """「21:00〜8:00」 for staff."""
        return f"{self.start.hour}:{self.start.minute:02d}〜{self.end.hour}:{self.end.minute:02d}"


def parse_quiet_hours(value: str | None) -> QuietHours | None:
    """`"21:00-08:00"` → QuietHours; empty → None (no quiet hours); anything else raises QuietHoursError."""
    if value is None or not value.strip():
        return None
    match = _WINDOW.match(value)
    if not match:
        raise QuietHoursError(f"TSUNAGARI_QUIET_HOURS must look like 21:00-08:00, not {value!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
        raise QuietHoursError(f"TSUNAGARI_QUIET_HOURS has an impossible time: {value!r}")
    start, end = time(h1, m1), time(0, 0) if h2 == 24 else time(h2, m2)
    return None if start == end else QuietHours(start, end)


def next_allowed_time(now_utc: datetime, quiet: QuietHours | None, tz: str = "Asia/Tokyo") -> datetime:
    """The first moment at or after `now_utc` (naive UTC) outside quiet hours, as naive UTC."""
    if quiet is None:
        return now_utc
    zone = ZoneInfo(tz)
    local = now_utc.replace(tzinfo=timezone.utc).astimezone(zone)
    if not quiet.contains(local.time()):
        return now_utc
    end_day = local.date()
    if quiet.start > quiet.end and local.time() >= quiet.start:
        end_day += timedelta(days=1)  # 22:00 → tomorrow's 08:00
    resume = datetime.combine(end_day, quiet.end, tzinfo=zone)
    return resume.astimezone(timezone.utc).replace(tzinfo=None)


def is_quiet(now_utc: datetime, quiet: QuietHours | None, tz: str = "Asia/Tokyo") -> bool:
    """True when `now_utc` (naive UTC) is inside quiet hours in the city's zone."""
    return next_allowed_time(now_utc, quiet, tz) != now_utc
