"""Which items take sign-ups in the chat, and whether an item is open for them right now."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Optional, Union

from models import Event, Opportunity, as_naive_utc
from models.posts import VISIBLE_STATUSES

Item = Union[Event, Opportunity]
MODELS = {"event": Event, "opportunity": Opportunity}
KIND_CODES = {"e": "event", "o": "opportunity"}
CODES = {kind: code for code, kind in KIND_CODES.items()}
# A Japanese phone number as published: 0X-XXXX-XXXX, (0X)XXXX-XXXX, 0XXXXXXXXX, 0120-…; hyphens of any width.
_PHONE = re.compile(r"(?<!\d)(0\d{1,4})[-‐－―ー−(（)）\s]{0,2}(\d{1,4})[-‐－―ー−)）\s]{1,2}(\d{3,4})(?!\d)|(?<!\d)(0\d{9,10})(?!\d)")


def kind_of(item: Item) -> str:
    """'event' or 'opportunity'."""
    return "event" if isinstance(item, Event) else "opportunity"


def get_item(session, kind: str, item_id) -> Optional[Item]:
    """The event or opening of that kind ('event', 'opportunity', or the codes 'e', 'o') and id, or None."""
    model = MODELS.get(KIND_CODES.get(kind, kind))
    if model is None or not str(item_id).isdigit():
        return None
    return session.get(model, int(item_id))


def deadline_of(item: Item) -> Optional[datetime]:
    """When sign-ups close (naive UTC): the event's 申込締切, the opening's 締切; None = until it starts."""
    return item.signup_deadline if isinstance(item, Event) else item.deadline


def is_visible(item: Optional[Item]) -> bool:
    """Residents can see it: approved or published, and not retired or withdrawn."""
    return item is not None and bool(item.active) and item.status in VISIBLE_STATUSES


def signup_state(item: Optional[Item], now: datetime) -> str:
    """open | closed (deadline passed) | started | withdrawn (gone, withdrawn, cancelled) | not_chat."""
    if not is_visible(item):
        return "withdrawn"
    if not item.chat_signup:
        return "not_chat"
    moment = as_naive_utc(now)
    if item.starts_at is not None and item.starts_at <= moment:
        return "started"
    deadline = deadline_of(item)
    if deadline is not None and deadline <= moment:
        return "closed"
    return "open"


def has_started(item: Optional[Item], now: datetime) -> bool:
    """True once the item's start has passed (a sign-up can no longer be cancelled or promoted)."""
    return item is not None and item.starts_at is not None and item.starts_at <= as_naive_utc(now)


def phone_number(*texts: Optional[str]) -> Optional[str]:
    """The first Japanese phone number in the texts, as digits for a tel: link (申込方法 first, then 問合せ)."""
    for text in texts:
        folded = unicodedata.normalize("NFKC", text or "")
        match = _PHONE.search(folded)
        if match:
            digits = "".join(ch for ch in match.group(0) if ch.isdigit())
            if 10 <= len(digits) <= 11:
                return digits
    return None


def open_items(session, now: datetime, *, like: Optional[Item] = None, limit: int = 10) -> list[Item]:
    """Items taking sign-ups in the chat right now, soonest first; with `like`, those sharing its category,
    place, district or organizer come first (the "similar items" offered when one is closed)."""
    from sqlmodel import or_, select

    moment = as_naive_utc(now)
    events = session.exec(select(Event).where(
        Event.chat_signup == True, Event.active == True, Event.status.in_(VISIBLE_STATUSES),  # noqa: E712
        Event.starts_at > moment, or_(Event.signup_deadline.is_(None), Event.signup_deadline > moment))
        .order_by(Event.starts_at, Event.id).limit(200)).all()
    openings = session.exec(select(Opportunity).where(
        Opportunity.chat_signup == True, Opportunity.active == True,  # noqa: E712
        Opportunity.status.in_(VISIBLE_STATUSES),
        or_(Opportunity.starts_at.is_(None), Opportunity.starts_at > moment),
        or_(Opportunity.deadline.is_(None), Opportunity.deadline > moment))
        .order_by(Opportunity.starts_at, Opportunity.id).limit(200)).all()
    items = [item for item in [*events, *openings]
             if like is None or (kind_of(item), item.id) != (kind_of(like), like.id)]

    def kinship(item: Item) -> int:
        """How many of category, facility, district and organizer the item shares with `like`."""
        if like is None:
            return 0
        pairs = ((getattr(item, "category", None), getattr(like, "category", None)), (item.facility_id, like.facility_id),
                 (item.district, like.district), (item.organization_id, like.organization_id))
        return sum(1 for mine, theirs in pairs if mine is not None and mine == theirs)

    items.sort(key=lambda item: (-kinship(item), item.starts_at or item.deadline or datetime.max, item.id))
    return items[:limit]
