"""Helpers for the push-engine tests: residents in bulk, messages per language, and inbox counting."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from sqlalchemy import insert, select

from models import Delivery, DeliveryBatch, District, Resident, session_scope

LANGS = ("ja", "en", "ja-easy")


def user_id(n: int) -> str:
    """A LINE-shaped user id for resident number n."""
    return "U" + f"{n:032x}"


def add_residents(engine, count: int, start: int = 0, **attrs) -> list[str]:
    """`count` following residents (attributes per resident may be callables of n), in one INSERT."""
    rows = []
    for n in range(start, start + count):
        row = {"line_user_id": user_id(n), "language": "ja", "district": None, "interests": [], "following": True,
               "notifications": True}
        for key, value in attrs.items():
            row[key] = value(n) if callable(value) else value
        rows.append(row)
    with engine.begin() as conn:
        conn.execute(insert(Resident.__table__), rows)
    return [row["line_user_id"] for row in rows]


def add_city_districts(engine, names=("北野地区", "中央地区", "南が丘地区")) -> None:
    """The city's districts."""
    with session_scope(engine) as session:
        for position, name in enumerate(names):
            session.add(District(name=name, kana=None, position=position))


def messages(text: str = "お知らせです") -> dict:
    """A Japanese text push and its English version."""
    return {"ja": [{"type": "text", "text": text}], "en": [{"type": "text", "text": "A notice"}]}


def received(messenger) -> Counter:
    """How many messages each user got through push or multicast (a RecordingMessenger)."""
    counts: Counter = Counter()
    for call in messenger.sent:
        if call["via"] in ("push", "multicast"):
            for to in call["to"] if isinstance(call["to"], list) else [call["to"]]:
                counts[to] += len(call["messages"])
    return counts


def delivery(engine, delivery_id: int) -> Delivery:
    """The delivery row as stored now."""
    with session_scope(engine) as session:
        return session.get(Delivery, delivery_id)


def batches(engine, delivery_id: int) -> list[DeliveryBatch]:
    """The delivery's batches in order."""
    with session_scope(engine) as session:
        return list(session.execute(select(DeliveryBatch).where(DeliveryBatch.delivery_id == delivery_id)
                                    .order_by(DeliveryBatch.seq)).scalars())


def utc(*args) -> datetime:
    """A naive UTC datetime (as stored)."""
    return datetime(*args, tzinfo=timezone.utc).replace(tzinfo=None)
