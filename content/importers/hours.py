"""Opening hours and closed days from a facility's free-text notes."""
from __future__ import annotations

import re

from content.importers.freedates import WEEKDAYS
from content.importers.values import clean

_HOURS_LABELS = ("開館時間", "開所時間", "開園時間", "利用時間", "営業時間", "受付時間", "開場時間", "利用可能時間")
_CLOSED_LABELS = ("休館日", "休所日", "休園日", "休業日", "定休日", "休場日", "閉館日", "休日")
_CLOSED_WORDS = re.compile(r"休館|休業|休み|定休|不定休|閉館|休園|休所|閉鎖")
_LABEL = re.compile(r"[【\[［<＜〈]\s*([^】\]］>＞〉]{1,12}?)\s*[】\]］>＞〉]\s*[:：]?")


def split_hours_text(text: str | None) -> tuple[str, str]:
    """(hours, closed) from '【開館時間】9:00～17:00 【休館日】火曜日'; unlabelled text stays in hours."""
    raw = (text or "").strip()
    if not raw:
        return "", ""
    sections = _LABEL.split(raw)
    if len(sections) < 3:
        return split_unlabelled(raw)
    hours: list[str] = [sections[0]] if sections[0].strip() else []
    closed: list[str] = []
    for label, body in zip(sections[1::2], sections[2::2]):
        label = clean(label)
        if any(word in label for word in _CLOSED_LABELS):
            closed.append(body)
        elif any(word in label for word in _HOURS_LABELS):
            hours.append(body)
        else:
            hours.append(f"【{label}】{body}")
    return _tidy(" ".join(hours)), _tidy(" ".join(closed))


def split_unlabelled(text: str) -> tuple[str, str]:
    """Sentences about closing ('年末年始休館', '不定休') go to closed, the rest stays as hours."""
    hours, closed = [], []
    for sentence in filter(None, (s.strip() for s in re.split(r"[。\n]", text))):
        if _CLOSED_WORDS.search(sentence) and not re.search(r"\d{1,2}[:：時]\d{0,2}", sentence):
            closed.append(sentence)
        else:
            hours.append(sentence)
    return _tidy("。".join(hours)), _tidy("。".join(closed))


def structured_hours(weekdays: str, opens: str, closes: str) -> str:
    """利用可能曜日 / 開始時間 / 終了時間 as one line, e.g. '9:00～17:00（月火水木金）'."""
    opens, closes, weekdays = clean(opens), clean(closes), clean(weekdays)
    span = f"{opens}～{closes}" if opens and closes else opens or closes
    if span and weekdays:
        return f"{span}（{weekdays}）"
    return span or (f"利用可能曜日: {weekdays}" if weekdays else "")


_NOT_OPEN = re.compile(r"[-－ー―‐—×✕休]|休み|休館|閉館|なし")
_KIND_LABELS = (("月火水木金", "平日"), ("土日", "土日"), ("土", "土曜"), ("日", "日曜"))


def weekday_hours(opens: dict[str, str], closes: dict[str, str]) -> tuple[str, str]:
    """(hours, closed days) from one opening and one closing cell per weekday (月曜開放開始時刻 … 日曜開放終了時刻):
    「8:30～17:15」 and 「土曜日・日曜日」 when the open days share their hours, else 「平日 9:00～17:00 土日 10:00～19:00」.
    A day marked 「-」 is closed; a day left empty says nothing."""
    spans: dict[str, str] = {}
    closed: list[str] = []
    for day in WEEKDAYS:
        start, end = clean(opens.get(day)), clean(closes.get(day))
        if start and end and not _NOT_OPEN.fullmatch(start) and not _NOT_OPEN.fullmatch(end):
            spans[day] = f"{start}～{end}"
        elif (start or end) and all(_NOT_OPEN.fullmatch(c) for c in (start, end) if c):
            closed.append(day)
    closed_text = "・".join(f"{day}曜日" for day in closed)
    if len(set(spans.values())) <= 1:
        return next(iter(spans.values()), ""), closed_text
    return " ".join(group_spans(spans, closed)), closed_text


def group_spans(spans: dict[str, str], closed: list[str]) -> list[str]:
    """「平日 9:00～17:00」「土日 10:00～19:00」 for the kinds of day whose open days share one span (the words the
    facility-hours reader knows; a closed weekday may be among 平日), else each group of days with its span
    (「月・水 9:00～17:00」)."""
    parts: list[str] = []
    left = dict(spans)
    for days, label in _KIND_LABELS:
        present = [left[d] for d in days if d in left]
        covered = all(d in left or (label == "平日" and d in closed) for d in days)
        if present and covered and len(set(present)) == 1:
            parts.append(f"{label} {present[0]}")
            for day in days:
                left.pop(day, None)
    by_span: dict[str, list[str]] = {}
    for day, span in left.items():
        by_span.setdefault(span, []).append(day)
    parts += [f"{'・'.join(days)} {span}" for span, days in by_span.items()]
    return parts


_ASCII_CLOCK = str.maketrans("０１２３４５６７８９：", "0123456789:")


def _tidy(text: str) -> str:
    """Half-width digits and colons (９：００ → 9:00), runs of spaces collapsed, trimmed."""
    return re.sub(r"[ \u3000\t]+", " ", text.translate(_ASCII_CLOCK)).strip()
