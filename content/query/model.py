"""The structured reading of one resident question (ParsedQuery)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

# Intent values (stable strings; other areas compare against them).
INTENTS = (
    "events",
    "facility_hours",
    "facility_closed",
    "facility_address",
    "facility_phone",
    "facility_info",
    "participate",
    "settings",
    "help",
    "unknown",
)


@dataclass(frozen=True)
class PlaceMatch:
    """A facility or district named in the question."""

    kind: str  # "facility" | "district"
    id: Optional[int]  # Facility.id / District.id (None when the index was built without ids)
    name: str  # the canonical name as stored
    matched: str  # the text in the question that matched
    score: float  # 100 = exact / substring match; lower = fuzzy


@dataclass(frozen=True)
class ParsedQuery:
    """What a resident's question asks for, in a form search can filter and rank on."""

    text: str  # original text as received
    normalized: str  # NFKC, trimmed, 〇〇 placeholders removed
    terms: list[str] = field(default_factory=list)  # normalised content words (Sudachi C + A sub-words)
    intent: str = "unknown"  # one of INTENTS
    has_subject: bool = False  # the question names something concrete (place, category, audience, date, content word)
    date_range: Optional[tuple[datetime, datetime]] = None  # [start, end) aware, Asia/Tokyo
    date_label: Optional[str] = None  # short human label, e.g. "今週末", "12月3日(木)"
    time_of_day: Optional[str] = None  # "morning" | "afternoon" | "dusk" (夕方, 15–19) | "evening" | "daytime" (昼間, 9–17) | None
    exact_time: Optional[tuple[int, int]] = None  # (hour, minute) when a clock time was given
    places: list[PlaceMatch] = field(default_factory=list)  # best first
    audiences: list[str] = field(default_factory=list)  # audience tags (content/query/audience_words.py vocabulary)
    categories: list[str] = field(default_factory=list)  # category tags, e.g. "講座", "スポーツ"
    free_only: bool = False  # 無料 asked
    max_price: Optional[int] = None  # 「500円以下」: yen the resident will pay at most
    age: Optional[int] = None  # 「0歳の子と」: the age of the child the resident means
    past: bool = False  # the resident asked about past events (先週, 昨日, …)
    wants_nearby: bool = False  # 近く / 近所 / 周辺 asked
    place_text_unmatched: Optional[str] = None  # a place-like word (…館, …センター) that matched nothing
    weekdays: tuple[int, ...] = ()  # days of the week named, 0 = Monday (土曜 → (5,), 平日 → (0..4), 土日 → (5, 6))
    recurring: bool = False  # 毎週土曜日 / 毎月第2日曜: a repeating day; date_range is then None unless a date was given
    asks_open: bool = False  # facility_hours/closed asking whether it is open on a day or now (明日あいてる？ 木曜日やってる？)
    near_words: list[str] = field(default_factory=list)  # 「浦嶋神社の近くの滝」: words of the landmark; they only rank
    language: str = "ja"  # "en" when the question was English and was read through its Japanese words (normalized holds them)

    @property
    def facility_ids(self) -> list[int]:
        """Ids of the matched facilities, best first."""
        return [p.id for p in self.places if p.kind == "facility" and p.id is not None]

    @property
    def district_names(self) -> list[str]:
        """Names of the matched districts."""
        return [p.name for p in self.places if p.kind == "district"]
