"""Helpers for the sign-up tests: items taking sign-ups, residents, and taps as LINE sends them."""
from __future__ import annotations

from datetime import timedelta

from models import Event, Opportunity, Resident, as_naive_utc
from tests.residents_support import NOW, TOKYO  # noqa: F401  (the residents tests' "now", shared)


def user_id(n: int) -> str:
    """A LINE-shaped user id for the n-th test resident."""
    return "U" + f"{n:032x}"


def add_resident(session, n: int, **values) -> Resident:
    """A following resident."""
    resident = Resident(line_user_id=user_id(n), **values)
    session.add(resident)
    session.flush()
    return resident


def add_event(session, *, capacity: int | None = 2, days: float = 5, deadline_days: float | None = None,
              chat: bool = True, **values) -> Event:
    """A published event `days` after NOW that takes sign-ups in the chat (unless chat=False)."""
    starts = as_naive_utc(NOW + timedelta(days=days))
    fields = dict(source="test", source_key=f"e{days}-{values.get('title', '')}", title="ふれあい料理教室",
                  starts_at=starts, ends_at=starts + timedelta(hours=2), place_name="中央公民館 料理室",
                  capacity=capacity, chat_signup=chat, status="published")
    if deadline_days is not None:
        fields["signup_deadline"] = as_naive_utc(NOW + timedelta(days=deadline_days))
    fields.update(values)
    event = Event(**fields)
    session.add(event)
    session.flush()
    return event


def add_opening(session, *, capacity: int | None = 3, chat: bool = True, **values) -> Opportunity:
    """A volunteer opening taking sign-ups, with a deadline a week after NOW."""
    fields = dict(source="test", source_key=f"o-{values.get('title', '')}", title="公園清掃ボランティア",
                  starts_at=as_naive_utc(NOW + timedelta(days=10)), deadline=as_naive_utc(NOW + timedelta(days=7)),
                  capacity=capacity, chat_signup=chat, status="published")
    fields.update(values)
    opening = Opportunity(**fields)
    session.add(opening)
    session.flush()
    return opening


def flex_actions(messages: list[dict]) -> list[dict]:
    """Every button action inside the Flex messages (cards), in order."""
    found: list[dict] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") == "button":
                found.append(node["action"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk([m for m in messages if m.get("type") == "flex"])
    return found


def flex_button(messages: list[dict], label: str, nth: int = 0) -> dict:
    """The nth card button with this label."""
    matches = [a for a in flex_actions(messages) if a.get("label") == label]
    assert len(matches) > nth, f"no {label!r} button among {[a.get('label') for a in flex_actions(messages)]}"
    return matches[nth]
