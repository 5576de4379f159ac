"""臨時休館: while an approved closure notice stands, its facility is closed on its dates, whatever the usual hours say."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import object_session

from content.i18n import translator
from models import Notice


def closure_on(session, facility_id: int | None, day: date) -> Notice | None:
    """The approved closure notice that closes this facility on that day, if any."""
    if session is None or facility_id is None:
        return None
    stmt = (select(Notice).where(Notice.status == "approved", Notice.category == "closure",
                                 Notice.facility_id == facility_id, Notice.closed_from <= day)
            .order_by(Notice.id.desc()))
    for notice in session.execute(stmt).scalars():
        if day <= (notice.closed_until or notice.closed_from):
            return notice
    return None


def closure_line(facility, day: date, lang: str, today: date | None = None) -> str | None:
    """「今日は臨時休館です」 / 「12月9日(火)は臨時休館です」 for a facility closed by a notice, else None.

    Takes the facility row itself (its session is the one it was loaded with), so the facility answers call it
    with what they already hold.
    """
    notice = closure_on(object_session(facility), getattr(facility, "id", None), day)
    if notice is None:
        return None
    from content.search.cards import format_day

    _ = translator(lang)
    if today is None or day == today:
        return _("今日は臨時休館です")
    return _("{day}は臨時休館です").format(day=format_day(day, lang))
