"""The sign-up part of the console's event and opening forms: LINEで参加を受け付ける, 申込締切, 申込方法."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

APPLY_MAX = 200


def check_signup_values(kind: str, values: dict, errors: dict, now_local: datetime) -> None:
    """Problems with the sign-up fields (local datetimes), added to `errors` by field."""
    from content.posts import text_problem

    if (problem := text_problem(values.get("apply_method"), APPLY_MAX)):
        errors["apply_method"] = problem
    deadline = values.get("signup_deadline") if kind == "events" else None
    if deadline is None:
        return
    starts = values.get("starts_at")
    if deadline <= now_local:
        errors["signup_deadline"] = "申込締切は今より後にしてください。"
    elif starts is not None and deadline > starts:
        errors["signup_deadline"] = "申込締切は開始日時より前にしてください。"


def deadline_for(values: dict, starts_local: Optional[datetime], tz: str) -> Optional[datetime]:
    """The 申込締切 (naive UTC) of one occurrence: as far before its start as the form's is before the first's."""
    from content.posts import to_utc

    deadline, first = values.get("signup_deadline"), values.get("starts_at")
    if deadline is None:
        return None
    if first is None or starts_local is None:
        return to_utc(deadline, tz)
    return to_utc(starts_local - (first - deadline), tz)


def after_item_saved(session, rows: list, now: datetime) -> None:
    """A larger capacity (or no capacity any more) moves the waitlist up at once."""
    from content.signups.core import fill_places

    for row in rows:
        if getattr(row, "id", None) is not None and getattr(row, "chat_signup", False):
            fill_places(session, row, now)
