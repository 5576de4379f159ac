"""Jinja filters and globals for the console (dates in the city's time zone, labels in Japanese)."""
from __future__ import annotations

import json

from flask import current_app

from content import posts

WEEKDAYS = "月火水木金土日"


def local_time(value, with_time: bool = True) -> str:
    """A naive UTC datetime as 2026年12月5日(土) 10:00 in the city's zone ('' for none)."""
    if value is None:
        return ""
    local = posts.to_local(value, current_app.extensions["tsunagari"].config.tz)
    text = f"{local.year}年{local.month}月{local.day}日({WEEKDAYS[local.weekday()]})"
    return f"{text} {local:%H:%M}" if with_time else text


def register_filters(bp) -> None:
    """Install the filters and label tables on the blueprint's templates."""
    bp.add_app_template_filter(local_time, "local")
    bp.add_app_template_filter(lambda value: json.dumps(value, ensure_ascii=False), "tojson_text")
    bp.add_app_template_global(posts.STATUS_LABELS, "STATUS_LABELS")
    bp.add_app_template_global(posts.KIND_LABELS, "KIND_LABELS")
    bp.add_app_template_global(posts.RECURRENCES, "RECURRENCES")
    bp.add_app_template_global(posts.OPPORTUNITY_KINDS, "OPPORTUNITY_KINDS")
