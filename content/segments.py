"""Who a push goes to: a Segment of residents chosen by 地区, interests, language, age group and gender.

Values of one key are alternatives (OR), different keys must all hold (AND); no key at all is every follower.
Only residents who follow the account are ever pushed to, and — unless a send says otherwise — only those
with notices switched on. Recipients are read with plain column queries (no ORM object per resident):
a notice may reach a hundred thousand people.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from sqlalchemy import String, and_, cast, func, or_, select

from content.topics import TOPIC_CODES, topic_by_code
from models import AGE_GROUPS, GENDERS, RESIDENT_LANGUAGES, District, Resident

SEGMENT_KEYS = ("district", "interest", "lang", "age_group", "gender")
ALLOWED_VALUES = {"interest": TOPIC_CODES, "lang": RESIDENT_LANGUAGES, "age_group": AGE_GROUPS, "gender": GENDERS}
KEY_LABELS = {"district": "地区", "interest": "関心", "lang": "言語", "age_group": "年代", "gender": "性別"}
VALUE_LABELS = {"lang": {"ja": "日本語", "en": "英語", "ja-easy": "やさしい日本語"},
                "gender": {"female": "女性", "male": "男性", "other": "その他"}}
# SQLite allows 32,766 bound values per statement; stay well below for explicit resident lists.
ID_CHUNK = 5000

R = Resident.__table__.c


class SegmentError(ValueError):
    """A segment that names an unknown key or value (the message names it)."""


@dataclass(frozen=True)
class Segment:
    """Filters by key (in SEGMENT_KEYS order), each a tuple of alternatives; empty = every follower."""

    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def of(cls, mapping: dict | None) -> "Segment":
        """A Segment from {"district": ["北野地区"], ...} (as stored in JSON); unknown keys are refused."""
        mapping = mapping or {}
        unknown = [key for key in mapping if key not in SEGMENT_KEYS]
        if unknown:
            raise SegmentError(f"unknown segment key {unknown[0]!r}: use one of {', '.join(SEGMENT_KEYS)}")
        filters = []
        for key in SEGMENT_KEYS:
            values = tuple(dict.fromkeys(str(v).strip() for v in (mapping.get(key) or []) if str(v).strip()))
            if values:
                filters.append((key, values))
        return cls(tuple(filters))

    def to_dict(self) -> dict:
        """The JSON form stored on a Delivery or a Notice."""
        return {key: list(values) for key, values in self.filters}

    def values(self, key: str) -> tuple[str, ...]:
        """The alternatives for one key (empty when the key is not used)."""
        return dict(self.filters).get(key, ())

    @property
    def is_everyone(self) -> bool:
        """True when no key narrows the segment."""
        return not self.filters

    def matches(self, resident) -> bool:
        """True when a resident (anything with the Resident attributes) is in the segment."""
        for key, values in self.filters:
            if key == "interest":
                if not set(values) & set(resident.interests or []):
                    return False
            elif _resident_value(resident, key) not in values:
                return False
        return True

    def describe(self) -> str:
        """Staff-facing Japanese: 「地区：北野地区・南が丘地区／関心：子育て・子ども」, or 「友だち全員」."""
        if self.is_everyone:
            return "友だち全員"
        parts = []
        for key, values in self.filters:
            labels = [_value_label(key, value) for value in values]
            parts.append(f"{KEY_LABELS[key]}：{'・'.join(labels)}")
        return "／".join(parts)


def _resident_value(resident, key: str):
    """The resident's value for a single-valued key."""
    return {"district": resident.district, "lang": resident.language, "age_group": resident.age_group,
            "gender": resident.gender}[key]


def _value_label(key: str, value: str) -> str:
    """A value as staff read it (topic and language names in Japanese)."""
    if key == "interest":
        topic = topic_by_code(value)
        return topic.label if topic else value
    return VALUE_LABELS.get(key, {}).get(value, value)


def parse_segment(specs: Iterable[str] | None) -> Segment:
    """`["district=北野,南", "age_group=60-69"]` → Segment; a bad key or value raises SegmentError naming it."""
    mapping: dict[str, list[str]] = {}
    for spec in specs or ():
        key, sep, raw = str(spec).partition("=")
        key = key.strip()
        if not sep:
            raise SegmentError(f"segment {spec!r} must look like KEY=VALUE[,VALUE...] (keys: {', '.join(SEGMENT_KEYS)})")
        if key not in SEGMENT_KEYS:
            raise SegmentError(f"unknown segment key {key!r}: use one of {', '.join(SEGMENT_KEYS)}")
        values = [v.strip() for v in raw.replace("、", ",").split(",") if v.strip()]
        if not values:
            raise SegmentError(f"segment key {key!r} has no value")
        allowed = ALLOWED_VALUES.get(key)
        for value in values:
            if allowed is not None and value not in allowed:
                raise SegmentError(f"unknown {key} {value!r}: use one of {', '.join(allowed)}")
        mapping.setdefault(key, []).extend(values)
    return Segment.of(mapping)


def resolve_segment(session, segment: Segment) -> Segment:
    """The segment with districts named as the city names them (「北野」 → 「北野地区」); unknown ones refused."""
    wanted = segment.values("district")
    if not wanted:
        return segment
    rows = session.execute(select(District.name, District.kana)).all()
    if not rows:
        return segment  # a city without a district list: residents' districts are taken as given
    resolved = [_district_name(rows, value) for value in wanted]
    return Segment.of({**segment.to_dict(), "district": resolved})


def _district_name(rows: Sequence, value: str) -> str:
    """The city's district a typed value names: exact, without 地区, or by kana."""
    for name, kana in rows:
        base = name[:-2] if name.endswith("地区") and len(name) > 2 else name
        if value in (name, base, kana) or (kana and value == kana.removesuffix("チク")):
            return name
    names = "、".join(name for name, _kana in rows)
    raise SegmentError(f"unknown district {value!r}: the city's districts are {names}")


def rename_district(mapping: dict | None, old: str, new: str) -> dict | None:
    """A stored segment with district `old` called `new` (a new dict, so the JSON column sees the change)."""
    if not mapping or old not in (mapping.get("district") or []):
        return mapping
    return {**mapping, "district": list(dict.fromkeys(new if d == old else d for d in mapping["district"]))}


def segment_conditions(segment: Segment) -> list:
    """SQL conditions on the resident table for a segment (AND across keys, OR within one)."""
    conditions = []
    for key, values in segment.filters:
        if key == "interest":
            # Interests are a JSON list of plain codes; its text form is portable across SQLite and PostgreSQL.
            text = cast(R.interests, String)
            conditions.append(or_(*[text.like(f'%"{code}"%') for code in values]))
        else:
            column = {"district": R.district, "lang": R.language, "age_group": R.age_group, "gender": R.gender}[key]
            conditions.append(column.in_(values))
    return conditions


def eligible_conditions(respect_notifications: bool = True) -> list:
    """Who may be pushed to at all: followers, and (for notices) only those with notices switched on."""
    conditions = [R.following.is_(True)]
    if respect_notifications:
        conditions.append(R.notifications.is_(True))
    return conditions


def recipient_rows(session, segment: Segment | None = None, *, resident_ids: Sequence[int] | None = None,
                   respect_notifications: bool = True) -> list[tuple[int, str, str]]:
    """(resident id, LINE user id, language) of everyone a send reaches now, in id order, as plain tuples."""
    base = and_(*eligible_conditions(respect_notifications), *segment_conditions(segment or Segment()))
    columns = (R.id, R.line_user_id, R.language)
    if resident_ids is None:
        return [tuple(row) for row in session.execute(select(*columns).where(base).order_by(R.id))]
    rows: list[tuple[int, str, str]] = []
    ids = sorted(set(int(i) for i in resident_ids))
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start:start + ID_CHUNK]
        rows += [tuple(row) for row in session.execute(select(*columns).where(base, R.id.in_(chunk)).order_by(R.id))]
    return rows


def segment_resident_ids(session, segment: Segment | None, *, respect_notifications: bool = True) -> list[int]:
    """Ids of the residents a segment reaches now (followers with notices on, unless told otherwise)."""
    return [row[0] for row in recipient_rows(session, segment, respect_notifications=respect_notifications)]


def count_segment(session, segment: Segment | None, *, respect_notifications: bool = True,
                  resident_ids: Sequence[int] | None = None) -> int:
    """How many residents a segment (or a list of residents) reaches now: one COUNT, no rows loaded."""
    base = and_(*eligible_conditions(respect_notifications), *segment_conditions(segment or Segment()))
    if resident_ids is None:
        return int(session.execute(select(func.count()).select_from(Resident.__table__).where(base)).scalar())
    ids = sorted(set(int(i) for i in resident_ids))
    return sum(int(session.execute(select(func.count()).select_from(Resident.__table__)
                                   .where(base, R.id.in_(ids[start:start + ID_CHUNK]))).scalar())
               for start in range(0, len(ids), ID_CHUNK))
