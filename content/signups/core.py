"""Joining, cancelling and the waitlist: one place per resident and item, first come first served.

Every change to an item's places happens after lock_item, so two residents tapping 参加する for the last
place at once, or a cancellation racing a sign-up, are taken one after the other (PostgreSQL: the item's
row lock; SQLite: the database write lock). The unique (item, resident) constraint makes a double tap or a
redelivered postback harmless even without the lock. Functions flush; the caller commits.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from content.residents import register_unlink_hook
from content.signups.items import Item, get_item, has_started, kind_of, signup_state
from models import Signup, as_naive_utc

# Check-in codes avoid letters and digits that look alike (0/O, 1/I/L, 2/Z, 5/S, 8/B) on a small screen.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
ACTIVE = ("going", "waitlisted")


@dataclass
class JoinResult:
    """What a 参加する tap came to: going, waitlisted, already_going, already_waitlisted, or why not
    (closed, started, withdrawn, not_chat)."""

    outcome: str
    item: Optional[Item] = None
    signup: Optional[Signup] = None
    position: int = 0  # place in the waitlist (1 = next), for waitlisted outcomes


@dataclass
class CancelResult:
    """What a キャンセルする tap came to: cancelled, already_cancelled, started, not_found; and who moved up."""

    outcome: str
    item: Optional[Item] = None
    signup: Optional[Signup] = None
    promoted: list[Signup] = field(default_factory=list)


def lock_item(session, item: Item) -> None:
    """Take the item's lock for the rest of the transaction (a no-op UPDATE of its row)."""
    model = type(item)
    session.execute(update(model).where(model.id == item.id).values(chat_signup=model.chat_signup)
                    .execution_options(synchronize_session=False))


def find_signup(session, resident_id: int, kind: str, item_id: int) -> Optional[Signup]:
    """The resident's sign-up row for an item (any status), or None."""
    stmt = select(Signup).where(Signup.item_kind == kind, Signup.item_id == item_id, Signup.resident_id == resident_id)
    return session.exec(stmt.execution_options(populate_existing=True)).first()


def count_status(session, kind: str, item_id: int, status: str) -> int:
    """How many sign-ups of the item have that status."""
    stmt = select(func.count()).select_from(Signup).where(Signup.item_kind == kind, Signup.item_id == item_id,
                                                          Signup.status == status)
    return int(session.exec(stmt).one())


def waitlist(session, kind: str, item_id: int) -> list[Signup]:
    """The item's waitlist, first in line first."""
    stmt = (select(Signup).where(Signup.item_kind == kind, Signup.item_id == item_id, Signup.status == "waitlisted")
            .order_by(Signup.queued_at, Signup.id).execution_options(populate_existing=True))
    return list(session.exec(stmt).all())


def waitlist_position(session, signup: Signup) -> int:
    """1 for the next in line; 0 when the sign-up is not waitlisted."""
    if signup.status != "waitlisted":
        return 0
    ahead = select(func.count()).select_from(Signup).where(
        Signup.item_kind == signup.item_kind, Signup.item_id == signup.item_id, Signup.status == "waitlisted",
        (Signup.queued_at < signup.queued_at) | ((Signup.queued_at == signup.queued_at) & (Signup.id < signup.id)))
    return int(session.exec(ahead).one()) + 1


def has_room(session, item: Item) -> bool:
    """True while fewer are going than the capacity (no capacity = no limit)."""
    if not item.capacity:
        return True
    return count_status(session, kind_of(item), item.id, "going") < item.capacity


def new_code(session) -> str:
    """A check-in code no other sign-up has (e.g. K7M4QX)."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if session.exec(select(Signup.id).where(Signup.checkin_code == code)).first() is None:
            return code


def copy_attributes(signup: Signup, resident) -> None:
    """Keep the resident's district, age group and gender on the row, as survey answers do."""
    signup.district, signup.age_group, signup.gender = resident.district, resident.age_group, resident.gender


def join(session, resident, kind: str, item_id, now: datetime) -> JoinResult:
    """Sign the resident up: going while there is room and nobody waits, else on the waitlist."""
    item = get_item(session, kind, item_id)
    kind = kind_of(item) if item is not None else kind
    existing = find_signup(session, resident.id, kind, item.id) if item is not None else None
    if existing is not None and existing.status in ACTIVE:
        return _already(session, item, existing)
    state = signup_state(item, now)
    if state != "open":
        return JoinResult(state, item=item)
    lock_item(session, item)
    existing = find_signup(session, resident.id, kind, item.id)
    if existing is not None and existing.status in ACTIVE:
        return _already(session, item, existing)
    moment = as_naive_utc(now)
    going = has_room(session, item) and not waitlist(session, kind, item.id)
    signup = existing or Signup(item_kind=kind, item_id=item.id, resident_id=resident.id,
                                checkin_code=new_code(session), qr_token=secrets.token_urlsafe(24), created_at=moment)
    signup.status = "going" if going else "waitlisted"
    signup.queued_at = signup.updated_at = moment
    signup.cancelled_at = signup.promoted_at = None
    copy_attributes(signup, resident)
    try:
        with session.begin_nested():
            session.add(signup)
            session.flush()
    except IntegrityError:  # the same resident's other tap won the race: report what it made
        raced = find_signup(session, resident.id, kind, item.id)
        return _already(session, item, raced) if raced is not None else JoinResult("withdrawn", item=item)
    if going:
        return JoinResult("going", item=item, signup=signup)
    return JoinResult("waitlisted", item=item, signup=signup, position=waitlist_position(session, signup))


def _already(session, item: Item, signup: Signup) -> JoinResult:
    """The answer for a resident who already has a place (or a place in line)."""
    if signup.status == "going":
        return JoinResult("already_going", item=item, signup=signup)
    return JoinResult("already_waitlisted", item=item, signup=signup, position=waitlist_position(session, signup))


def cancel(session, signup: Optional[Signup], now: datetime, *, notify: bool = True) -> CancelResult:
    """Give up a place (or a place in line); the first in line moves up at once and is told by push."""
    if signup is None:
        return CancelResult("not_found")
    item = get_item(session, signup.item_kind, signup.item_id)
    if signup.status == "cancelled":
        return CancelResult("already_cancelled", item=item, signup=signup)
    if has_started(item, now):
        return CancelResult("started", item=item, signup=signup)
    if item is not None:
        lock_item(session, item)
        session.refresh(signup)
        if signup.status == "cancelled":
            return CancelResult("already_cancelled", item=item, signup=signup)
    moment = as_naive_utc(now)
    signup.status, signup.cancelled_at, signup.updated_at = "cancelled", moment, moment
    session.add(signup)
    session.flush()
    promoted = fill_places(session, item, now, notify=notify, locked=True) if item is not None else []
    return CancelResult("cancelled", item=item, signup=signup, promoted=promoted)


def fill_places(session, item: Optional[Item], now: datetime, *, notify: bool = True,
                locked: bool = False) -> list[Signup]:
    """Move the waitlist up into free places (after a cancellation or a larger capacity); returns who moved."""
    if item is None or has_started(item, now) or signup_state(item, now) == "withdrawn":
        return []
    if not locked:
        lock_item(session, item)
    kind = kind_of(item)
    promoted = []
    moment = as_naive_utc(now)
    for signup in waitlist(session, kind, item.id):
        if not has_room(session, item):
            break
        signup.status, signup.promoted_at, signup.updated_at = "going", moment, moment
        session.add(signup)
        session.flush()
        promoted.append(signup)
    if promoted and notify:
        from content.signups.pushes import queue_promotion_pushes

        queue_promotion_pushes(session, item, promoted, now)
    return promoted


def resident_signup(session, resident, signup_id) -> Optional[Signup]:
    """The resident's own sign-up by id (None for another resident's or an unknown id)."""
    if not str(signup_id).isdigit():
        return None
    signup = session.get(Signup, int(signup_id))
    return signup if signup is not None and signup.resident_id == resident.id else None


def coming_signups(session, resident, now: datetime) -> list[tuple[Signup, Optional[Item]]]:
    """The resident's going and waitlisted sign-ups for items not yet over, soonest first."""
    rows = session.exec(select(Signup).where(Signup.resident_id == resident.id, Signup.status.in_(ACTIVE))).all()
    moment = as_naive_utc(now)
    pairs = []
    for signup in rows:
        item = get_item(session, signup.item_kind, signup.item_id)
        end = (item.ends_at or item.starts_at) if item is not None else None
        if item is not None and end is not None and end < moment:
            continue  # over: no longer "coming"
        pairs.append((signup, item))
    far = datetime.max
    pairs.sort(key=lambda pair: (pair[1].starts_at if pair[1] is not None and pair[1].starts_at else far, pair[0].id))
    return pairs


def unlink_resident(session, resident) -> None:
    """Before a resident's data is deleted: give up their coming places (the waitlist moves up), then keep
    their sign-ups and attendance only with the copied attributes, so tallies survive."""
    from sqlalchemy import delete

    from models import Attendance, CalendarToken

    now = as_naive_utc(None)
    for signup in session.exec(select(Signup).where(Signup.resident_id == resident.id,
                                                    Signup.status.in_(ACTIVE))).all():
        cancel(session, signup, now)
    for model in (Signup, Attendance):
        session.execute(update(model).where(model.resident_id == resident.id).values(resident_id=None)
                        .execution_options(synchronize_session="fetch"))
    session.execute(delete(CalendarToken).where(CalendarToken.resident_id == resident.id))
    session.flush()


register_unlink_hook(unlink_resident)
