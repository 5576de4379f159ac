"""Parsing the values municipal open data actually contains: dates, times, numbers, fees."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")

# 和暦 era → the Gregorian year of its first year (元年).
_ERAS = {"令和": 2019, "平成": 1989, "昭和": 1926, "R": 2019, "H": 1989, "S": 1926}
_KANJI_DIGITS = str.maketrans("〇一二三四五六七八九", "0123456789")

_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_KANJI_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日")
_WAREKI = re.compile(r"^(令和|平成|昭和|[RHS])\s*(\d{1,2}|元)[年.\-/](\d{1,2})[月.\-/](\d{1,2})日?")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_CLOCK = re.compile(r"^(午前|午後)?\s*(\d{1,2})\s*[:時]\s*(\d{1,2})?\s*分?(?::\d{2})?$")
_EXCEL_SERIAL_EPOCH = date(1899, 12, 30)


def clean(value: str | None) -> str:
    """NFKC-normalised, trimmed text; None and whitespace-only become ''."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def tidy(value: str | None) -> str:
    """Display text as published, only trimmed and with runs of spaces collapsed (no NFKC: keep （）and ！)."""
    return re.sub(r"[ \t\u3000]+", lambda m: "\u3000" if m[0] == "\u3000" else " ", (value or "").strip())


def parse_date(value: str | None) -> date | None:
    """A date from ISO, 2026/4/2, 2026年4月2日, 和暦 (令和8年4月2日, R8.4.2), 20260402 or an Excel serial."""
    day = read_date(value)
    # 9999-12-31 stands for "no date" (大阪府's park events write it for sign-ups with no deadline); a day that far
    # off would also overflow the day after it.
    return day if day is None or day.year < PLACEHOLDER_YEAR else None


PLACEHOLDER_YEAR = 9000


def is_placeholder_date(value: str | None) -> bool:
    """Whether a cell writes a placeholder such as 9999-12-31 rather than a day."""
    day = read_date(value)
    return day is not None and day.year >= PLACEHOLDER_YEAR


def read_date(value: str | None) -> date | None:
    """The date a cell writes, as parse_date reads it, placeholders included."""
    text = clean(value).translate(_KANJI_DIGITS).replace(" ", "")
    if not text:
        return None
    try:
        if m := _ISO_DATE.match(text) or _KANJI_DATE.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _WAREKI.match(text):
            year = 1 if m[2] == "元" else int(m[2])
            return date(_ERAS[m[1]] + year - 1, int(m[3]), int(m[4]))
        if m := _COMPACT.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if re.fullmatch(r"\d{5}(\.0+)?", text):  # Excel serial date (e.g. 46114)
            return _EXCEL_SERIAL_EPOCH + timedelta(days=int(float(text)))
    except ValueError:
        return None
    return None


def parse_time(value: str | None) -> time | None:
    """A clock time from 9:00, 09:00:00, ９：００, 9時30分, 午後1時; '0:00' means "no time given" → None."""
    text = clean(value).replace(" ", "")
    if not text:
        return None
    if (compact := compact_clock(text)) is not None:
        return compact
    m = _CLOCK.match(text)
    if not m:
        return None
    hour, minute = int(m[2]), int(m[3] or 0)
    if m[1] == "午後" and hour < 12:
        hour += 12
    if hour == 24 and minute == 0:
        hour, minute = 23, 59
    if hour > 23 or minute > 59:
        return None
    if hour == 0 and minute == 0 and not m[1]:
        return None  # open-data convention: 0:00 stands for "not given"
    return time(hour, minute)


_HHMM = re.compile(r"^([01]?\d|2[0-3])([0-5]\d)$")
_DAY_FRACTION = re.compile(r"^0?\.\d+$")


def compact_clock(text: str) -> time | None:
    """A clock written without a colon (「1030」 → 10:30) or as Excel's fraction of a day (「0.4375」 → 10:30); None for
    anything else, and for 0:00 (open data's "not given")."""
    if m := _HHMM.match(text):
        hour, minute = int(m[1]), int(m[2])
    elif _DAY_FRACTION.match(text):
        minutes = round(float(text) * 24 * 60)
        hour, minute = divmod(minutes, 60)
    else:
        return None
    return time(hour, minute) if (hour, minute) != (0, 0) and hour < 24 else None


def is_unreadable_time(value: str | None) -> bool:
    """True when a time cell holds text that is neither empty, 0:00 nor a clock time."""
    text = clean(value)
    return bool(text) and parse_time(text) is None and not re.fullmatch(r"0?0[:時]0?0?(:00)?分?", text)


def parse_datetime(value: str | None) -> tuple[date | None, time | None]:
    """A date and optional time from one cell, e.g. '2026/4/2 9:00' or '2026-04-02T09:00'."""
    text = clean(value)
    if not text:
        return None, None
    parts = re.split(r"[T\s]+", text, maxsplit=1)
    day = parse_date(parts[0])
    if day is None:
        day = parse_date(text)
        return day, None
    return day, parse_time(parts[1]) if len(parts) > 1 else None


def tokyo_to_utc(day: date, clock: time | None) -> datetime:
    """Naive UTC for a date and time given in Asia/Tokyo (midnight when no time)."""
    local = datetime.combine(day, clock or time(0, 0), tzinfo=TOKYO)
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def parse_number(value: str | None) -> float | None:
    """A number from '1,200', '１２', '1.00E+03' (Excel-mangled) or '20人'; None when there is none."""
    text = clean(value).replace(",", "")
    if not text:
        return None
    m = re.match(r"^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?", text)
    if not m:
        return None
    try:
        return float(m[0])
    except ValueError:
        return None


def parse_int(value: str | None) -> int | None:
    """A whole number (see parse_number); '15組（申込順）' → 15."""
    number = parse_number(value)
    return int(number) if number is not None and abs(number) < 2**31 else None


def parse_capacity(value: str | None) -> int | None:
    """A capacity: a leading number ('20', '15組（申込順）'), else a head count in words ('申込先着30人', '当日先着\n220人')."""
    number = parse_int(value)
    if number is not None:
        return number
    match = re.search(r"(\d[\d,]*)\s*(?:人|名|組|席|家族)", clean(value))
    return parse_int(match[1]) if match else None


def is_excel_mangled(value: str | None) -> bool:
    """True for identifiers Excel turned into floats, like '1.00E+12' (the digits are lost)."""
    return bool(re.fullmatch(r"\d+(\.\d+)?[eE]\+\d+", clean(value)))


def parse_coordinate(value: str | None, low: float, high: float) -> float | None:
    """A latitude/longitude within [low, high], else None."""
    number = parse_number(value)
    if number is None or not (low <= number <= high) or number == 0:
        return None
    return number


def fee_is_free(text: str) -> bool | None:
    """True for 無料 / 0円, False for a price, None when the fee text says neither."""
    text = clean(text)
    if not text:
        return None
    if "無料" in text or re.fullmatch(r"0+(円)?", text):
        return True
    if re.search(r"\d", text) or "有料" in text or "円" in text:
        return False
    return None


def format_fee(basic: str, detail: str) -> str:
    """料金(基本) and 料金(詳細) joined: '600円（保険料、消耗品代）'. A bare amount keeps the file's digits (1500 →
    1500円, not 1,500円): the number staff and residents can find in the published file."""
    basic, detail = clean(basic), clean(detail)
    if re.fullmatch(r"\d+", basic):
        basic = "無料" if int(basic) == 0 else f"{int(basic)}円"
    if basic and detail and detail != basic:
        return f"{basic}（{detail}）"
    return basic or detail


def split_places(text: str) -> list[str]:
    """Several places in one 場所名称 field ('A、B、C' or 'A;B') as a list, the first being the main one."""
    parts = re.split(r"[、,;／/\n]|\s{2,}", clean(text))
    return [p.strip() for p in parts if p.strip()]


def normalize_name(text: str | None) -> str:
    """A facility/place name reduced for matching: NFKC, lower case, no spaces or brackets."""
    text = clean(text).lower()
    return re.sub(r"[\s・()（）「」『』【】\[\]]", "", text)


def name_variants(name: str) -> list[str]:
    """Other names a facility goes by: '駿河湾深層水利用促進交流施設（深層水ミュージアム）' → both halves."""
    text = clean(name)
    m = re.fullmatch(r"(.+?)\s*\((.+)\)", text)
    if not m:
        return []
    return [m[1].strip(), m[2].strip()]


_LABELLED_PHONE = re.compile(r"(?:電話(?:番号)?|TEL|Tel|tel|℡|☎)\s*[】:：\]）)]?\s*"
                             r"([(（]?0\d{1,4}[-‐－ー―(（)）]{1,2}\d{1,4}[-‐－ー―)）]\d{3,4}|0\d{9,10})")


def phone_in_text(*texts: str) -> str:
    """The first phone number a text gives under a phone label, or ''."""
    for text in texts:
        match = _LABELLED_PHONE.search(unicodedata.normalize("NFKC", text or ""))
        if match:
            return match.group(1)
    return ""
