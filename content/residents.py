"""Model-level operations on residents: create, preferences, consent, follow state, deletion.

Functions flush but never commit: the caller (one unit of work per event) commits.
A TRANSIENT resident (id None, not in the session — `tsunagari ask`) is changed in memory only.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Callable

from sqlmodel import Session, select

from content.i18n import normalize_language
from content.topics import TOPIC_CODES
from models import (AGE_GROUPS, GENDERS, RESIDENT_LANGUAGES, ConversationState, District, NoticeOptOut, Resident,
                    as_naive_utc)

log = logging.getLogger(__name__)

UnlinkHook = Callable[[Session, Resident], None]
# Later tables that point at a resident (survey answers, signups) register here, so deleting a
# resident unlinks their rows instead of deleting them: tallies keep the copied attributes.
UNLINK_HOOKS: list[UnlinkHook] = []


def register_unlink_hook(hook: UnlinkHook) -> UnlinkHook:
    """Register a function run (session, resident) before a resident is deleted; usable as a decorator."""
    if hook not in UNLINK_HOOKS:
        UNLINK_HOOKS.append(hook)
    return hook


def is_transient(resident: Resident | None) -> bool:
    """True for a resident that is not stored (no row): nothing about it may be written."""
    return resident is None or resident.id is None



def find_resident(session: Session, line_user_id: str) -> Resident | None:
    """The stored resident for a LINE user id, or None."""
    return session.exec(select(Resident).where(Resident.line_user_id == line_user_id)).first()


def get_or_create_resident(session: Session, line_user_id: str, *, language: str | None = None,
                           now: datetime | None = None) -> Resident:
    """The resident for a LINE user id, created (following, language from the profile) when new."""
    resident = find_resident(session, line_user_id)
    if resident is not None:
        return resident
    resident = Resident(line_user_id=line_user_id, language=normalize_language(language),
                        followed_at=as_naive_utc(now), created_at=as_naive_utc(now), updated_at=as_naive_utc(now))
    resident.notifications = not take_kept_opt_out(session, line_user_id)
    session.add(resident)
    session.flush()
    return resident


def opt_out_hash(line_user_id: str) -> str:
    """The one thing kept of a resident who deleted their data with notices off: a hash of the user id."""
    return hashlib.sha256(f"tsunagari-notice-opt-out:{line_user_id}".encode()).hexdigest()


def keep_opt_out(session: Session, resident: Resident) -> None:
    """Remember that this resident does not want notices, beyond the deletion of their data."""
    user_hash = opt_out_hash(resident.line_user_id)
    if session.exec(select(NoticeOptOut).where(NoticeOptOut.user_hash == user_hash)).first() is None:
        session.add(NoticeOptOut(user_hash=user_hash))


def take_kept_opt_out(session: Session, line_user_id: str) -> bool:
    """True when a returning resident had switched notices off before deleting their data (the row moves back
    into their resident record: it goes)."""
    kept = session.exec(select(NoticeOptOut).where(NoticeOptOut.user_hash == opt_out_hash(line_user_id))).first()
    if kept is None:
        return False
    session.delete(kept)
    return True


def _touch(session: Session, resident: Resident, now: datetime | None) -> None:
    """Stamp updated_at and flush, unless the resident is transient."""
    resident.updated_at = as_naive_utc(now)
    if not is_transient(resident):
        session.add(resident)
        session.flush()


def set_language(session: Session, resident: Resident, language: str, now: datetime | None = None) -> None:
    """Set the resident's language (ja, en or ja-easy)."""
    if language not in RESIDENT_LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    resident.language = language
    _touch(session, resident, now)


def district_names(session: Session) -> list[str]:
    """The city's districts in the order the city lists them."""
    return list(session.exec(select(District.name).order_by(District.position, District.id)).all())


def set_district(session: Session, resident: Resident, district: str | None, now: datetime | None = None) -> None:
    """Set the resident's district (one of the city's names) or clear it with None."""
    if district is not None and district not in district_names(session):
        raise ValueError("unknown district")
    resident.district = district
    _touch(session, resident, now)


def set_interests(session: Session, resident: Resident, codes: list[str], now: datetime | None = None) -> None:
    """Set the resident's interest topics (codes from content.topics), in the topics' order."""
    resident.interests = [c for c in TOPIC_CODES if c in set(codes)]  # a new list: JSON columns track assignment
    _touch(session, resident, now)


def record_consent(session: Session, resident: Resident, now: datetime | None = None) -> None:
    """Record that the resident agreed to give age group and gender (kept only after this)."""
    resident.consent_at = as_naive_utc(now)
    _touch(session, resident, now)


def withdraw_consent(session: Session, resident: Resident, now: datetime | None = None) -> None:
    """Withdraw consent: age group and gender are cleared with it."""
    resident.consent_at = None
    resident.age_group = None
    resident.gender = None
    _touch(session, resident, now)


def set_age_group(session: Session, resident: Resident, age_group: str | None, now: datetime | None = None) -> bool:
    """Store the age group if the resident has consented; returns whether it was stored."""
    return _set_consented(session, resident, "age_group", age_group, AGE_GROUPS, now)


def set_gender(session: Session, resident: Resident, gender: str | None, now: datetime | None = None) -> bool:
    """Store the gender if the resident has consented; returns whether it was stored."""
    return _set_consented(session, resident, "gender", gender, GENDERS, now)


def _set_consented(session: Session, resident: Resident, field: str, value: str | None, allowed: tuple,
                   now: datetime | None) -> bool:
    """Store an attribute only given with consent (DESIGN: Privacy); an unknown code is a programming error."""
    if value is not None and value not in allowed:
        raise ValueError(f"unknown {field.replace('_', ' ')}")
    if resident.consent_at is None:
        return False
    setattr(resident, field, value)
    _touch(session, resident, now)
    return True


def set_notifications(session: Session, resident: Resident, on: bool, now: datetime | None = None) -> None:
    """Switch the notices (pushes) the resident receives on or off."""
    resident.notifications = bool(on)
    _touch(session, resident, now)


def mark_onboarded(session: Session, resident: Resident, now: datetime | None = None) -> None:
    """Remember that the resident went through onboarding (a re-follow then offers settings instead)."""
    if resident.onboarded_at is None:
        resident.onboarded_at = as_naive_utc(now)
    _touch(session, resident, now)


def mark_followed(session: Session, resident: Resident, now: datetime | None = None) -> None:
    """The resident (re)added the account: pushes may go to them again."""
    resident.following = True
    resident.followed_at = as_naive_utc(now)
    resident.unfollowed_at = None
    _touch(session, resident, now)


def unfollow(session: Session, resident: Resident, now: datetime | None = None) -> None:
    """The resident blocked the account: no more pushes, and any conversation is dropped."""
    resident.following = False
    resident.unfollowed_at = as_naive_utc(now)
    clear_conversation(session, resident)
    _touch(session, resident, now)


# session.info key: resident id → their conversation (or None) as loaded with the resident in the same statement.
_KNOWN_CONVERSATIONS = "tsunagari.conversations"


def with_conversation(statement):
    """A SELECT of Resident extended with the resident's conversation (None when they have none)."""
    return statement.add_columns(ConversationState).outerjoin(
        ConversationState, ConversationState.resident_id == Resident.id)


def remember_conversation(session: Session, resident: Resident, state: ConversationState | None) -> None:
    """Keep the conversation loaded with the resident for this session, so get_conversation asks no more."""
    session.info.setdefault(_KNOWN_CONVERSATIONS, {})[resident.id] = state


def get_conversation(session: Session, resident: Resident | None) -> ConversationState | None:
    """The resident's active conversation state, if any (never for a transient resident)."""
    if is_transient(resident):
        return None
    known = session.info.get(_KNOWN_CONVERSATIONS) or {}
    if resident.id in known:
        return known[resident.id]
    return session.exec(select(ConversationState).where(ConversationState.resident_id == resident.id)).first()


def save_conversation(session: Session, resident: Resident, flow: str, step: str, data: dict,
                      now: datetime | None = None) -> ConversationState | None:
    """Create or replace the resident's conversation state; returns None for a transient resident."""
    if is_transient(resident):
        return None
    state = get_conversation(session, resident)
    if state is None:
        state = ConversationState(resident_id=resident.id, flow=flow, step=step)
    state.flow, state.step = flow, step
    state.data = dict(data)  # a new dict: JSON columns track assignment, not in-place changes
    state.updated_at = as_naive_utc(now)
    session.add(state)
    session.flush()
    _forget_conversation(session, resident)
    return state


def clear_conversation(session: Session, resident: Resident | None) -> None:
    """End the resident's conversation, if one is active."""
    state = get_conversation(session, resident)
    if state is not None:
        session.delete(state)
        session.flush()
    _forget_conversation(session, resident)


def _forget_conversation(session: Session, resident: Resident) -> None:
    """Drop what was remembered of the resident's conversation once it changed (the next look asks the database)."""
    (session.info.get(_KNOWN_CONVERSATIONS) or {}).pop(resident.id, None)


def delete_personal_data(session: Session, resident: Resident) -> None:
    """Delete the resident (DESIGN: Privacy): unlink hooks run first, then the state and the row go."""
    if is_transient(resident):
        return
    for hook in list(UNLINK_HOOKS):
        hook(session, resident)
    clear_conversation(session, resident)
    if not resident.notifications:
        keep_opt_out(session, resident)  # deleting data must not sign anyone up for pushes again
    session.delete(resident)
    session.flush()
    log.info("resident data deleted")  # no id or user id: the log must not identify the person


def event_user_id(event: dict) -> str | None:
    """The LINE user id an event came from (None for groups without one)."""
    return ((event or {}).get("source") or {}).get("userId")


def resident_for_event(session: Session, event: dict, *, create: bool = False,
                       language: str | None = None, now: datetime | None = None) -> Resident | None:
    """The stored resident who sent an event; created when `create` (follow), else None when unknown."""
    user_id = event_user_id(event)
    if not user_id:
        return None
    if create:
        return get_or_create_resident(session, user_id, language=language, now=now)
    return find_resident(session, user_id)
