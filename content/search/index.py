"""An in-memory BM25 index of the visible events, facilities and opportunities, rebuilt when rows change.

Hand-rolled BM25 (a few dozen lines) rather than rank-bm25: we need per-query candidate filtering and
three weighted channels (words, surface bigrams, kana-reading bigrams), which rank-bm25 does not offer.
"""
from __future__ import annotations

import bisect
import hashlib
import math
import os
import pickle
import re
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Optional
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import select

from content.importers.clocktext import session_starts
from content.search.event_days import Repeat, is_long_running, repeat_of
from content.search.terms import (PHRASE_PREFIX, all_phrases, bigrams, expand, is_noun, normalize_text, reading_of,
                                  terms_of, to_katakana)
from models import District, Event, Facility, Opportunity

try:  # tags the importers give, recomputed here for rows typed in the console
    from content.importers.audience import event_audience_tags
except ImportError:  # pragma: no cover - importers missing in a partial checkout
    def event_audience_tags(audience, title, description):
        """No audience vocabulary available."""
        return []

TOKYO = ZoneInfo("Asia/Tokyo")
VISIBLE = ("approved", "published")
K1, B = 1.2, 0.75
DESCRIPTION_CHARS = 600  # long descriptions add noise more than recall


def to_tokyo(value: Optional[datetime]) -> Optional[datetime]:
    """A stored naive-UTC timestamp as an aware Asia/Tokyo datetime."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(TOKYO)


@dataclass
class Doc:
    """What the index keeps about one row: enough to filter and rank without touching the database."""

    kind: str  # event | facility | opportunity
    id: int
    title: str
    starts: Optional[datetime] = None  # aware, Tokyo
    ends: Optional[datetime] = None
    all_day: bool = False
    facility_id: Optional[int] = None
    place: str = ""
    district: str = ""
    address: str = ""
    latitude: Optional[float] = None
    longitude: Optional[float] = None
    audience_tags: frozenset = frozenset()
    category: str = ""
    is_free: Optional[bool] = None
    price: Optional[int] = None  # the lowest amount in yen the published fee states (0 when free), None unknown
    ages: Optional[tuple[int, int]] = None  # the children's ages a title or audience states (0・1歳 → (0, 1))
    sub_kind: str = ""  # opportunity kind
    long: bool = False  # an event row running over weeks or months (a weekly class published as one span)
    repeat: Optional[Repeat] = None  # the days a long row is on (毎週木曜日)
    title_text: str = ""  # the title normalised (NFKC, lower case) for substring checks
    reading: str = ""  # the katakana reading of the title and place (kana's text)
    description_reading: str = ""  # the katakana reading of the description's start (kana_desc's text)
    start_ts: float = float("inf")  # starts as a POSIX timestamp (sorting without datetime arithmetic)
    session_hours: tuple = ()  # the hours the 日時備考's sessions start at (「10時30分~11時30分・19時~20時」 → 10, 19)


@dataclass
class Channel:
    """One BM25 field-set: postings term → {doc index: weighted tf}."""

    postings: dict = field(default_factory=dict)
    lengths: list = field(default_factory=list)
    avg: float = 1.0

    def add(self, index: int, tokens: Counter, uncounted: Counter | None = None) -> None:
        """Add one document's token counts (uncounted ones are posted but leave its length alone)."""
        self.lengths.append(sum(tokens.values()))
        for term, tf in list(tokens.items()) + list((uncounted or Counter()).items()):
            self.postings.setdefault(term, {})[index] = tf

    def finish(self) -> None:
        """Compute the average length once every document is in."""
        self.avg = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0

    def idf(self, term: str, total: int) -> float:
        """BM25 idf of a term (0 when no document has it)."""
        df = len(self.postings.get(term, ()))
        return math.log(1 + (total - df + 0.5) / (df + 0.5)) if df else 0.0

    def score(self, weights: dict[str, float], allowed, total: int) -> dict[int, float]:
        """BM25 scores of the allowed documents for weighted query terms."""
        out: dict[int, float] = {}
        for term, weight in weights.items():
            posting = self.postings.get(term)
            if not posting:
                continue
            idf = math.log(1 + (total - len(posting) + 0.5) / (len(posting) + 0.5))
            for index, tf in posting.items():
                if allowed is not None and index not in allowed:
                    continue
                norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * self.lengths[index] / self.avg))
                out[index] = out.get(index, 0.0) + weight * idf * norm
        return out


CATEGORY_PREFIX = "cat:"
# A four-kanji compound's usual two-kanji short forms (直接販売 → 直販, 直売; 高等学校 → 高校): first kanji of the
# first half with the first or the last of the second. Kept apart from the words: only a question word no row
# writes out is looked up there.
ABBREVIATION_PREFIX = "abbr:"
_FOUR_KANJI = re.compile(r"(?<![一-龥々])[一-龥々]{4}(?![一-龥々])")


def abbreviations(text: str) -> list[str]:
    """The two-kanji short forms of the text's four-kanji compounds (直接販売 → 直販, 直売)."""
    out = []
    for run in _FOUR_KANJI.findall(normalize_text(text)):
        for short in (run[0] + run[2], run[0] + run[3]):
            if short not in out:
                out.append(short)
    return out


def category_tags(text: str) -> list[str]:
    """The query vocabulary's category tags (スポーツ, 講座, …) a row's title/category/place implies."""
    try:
        from content.query.vocab import CATEGORY_RULES
    except ImportError:  # pragma: no cover - written by the query area
        return []
    text = normalize_text(text)
    return [tag for tag, pattern in CATEGORY_RULES if pattern.search(text)]


def _weighted(parts: Iterable[tuple[list[str], int]]) -> Counter:
    """Token counts with each field's tokens repeated by its weight."""
    counts: Counter = Counter()
    for tokens, weight in parts:
        for token in tokens:
            counts[token] += weight
    return counts


class SearchIndex:
    """Docs of every kind plus the three BM25 channels over them."""

    def __init__(self) -> None:
        """An empty index; add() docs, then finish()."""
        self.docs: list[Doc] = []
        self.words = Channel()
        self.grams = Channel()
        self.kana = Channel()
        self.kana_desc = Channel()  # readings of descriptions: 提灯 finds 「金魚ちょうちん」, never a kana question alone
        self.facility_names: list[tuple] = []  # (id, name, kana, aliases, kinds) for the PlaceIndex
        self.districts: list[tuple] = []
        self.by_kind: dict[str, list[int]] = {"event": [], "facility": [], "opportunity": []}
        self._place_index = None
        self.event_starts: list[float] = []  # start timestamps of by_kind["event"], ascending
        self.longest_event = 0.0  # seconds: how far back an event still running may have started

    @property
    def place_index(self):
        """The PlaceIndex of content.query for these facilities and districts (built once per index)."""
        if self._place_index is None:
            from content.query import PlaceIndex

            self._place_index = PlaceIndex(facilities=self.facility_names, districts=self.districts)
        return self._place_index

    def add(self, doc: Doc, fields: list[tuple[Optional[str], int]], gram_text: str, kana_text: str,
            description: Optional[str] = None) -> None:
        """Index one doc from (text, weight) fields, a surface text, a kana text and its description for bigrams."""
        index = len(self.docs)
        self.docs.append(doc)
        self.by_kind[doc.kind].append(index)
        # a link's words (town-yosano.jp) are no words of the row: an English question's Yosano is the town
        words = _weighted((terms_of(_URL.sub(" ", text)), weight) for text, weight in fields if text)
        # a short form only stands in for a word no row writes: it must not change how long the row reads
        shorts = Counter(ABBREVIATION_PREFIX + short for short in abbreviations(" ".join(t for t, _w in fields if t)))
        # おはなし会 as written, for 読み聞かせ: Sudachi's words of it (はなす + 会) are no synonym of anything. Not in
        # a facility's name: a kind of place the city names otherwise (交流センター for 公民館) is said so
        text = normalize_text(" ".join(filter(None, ("" if doc.kind == "facility" else doc.title, description))))
        shorts.update(PHRASE_PREFIX + phrase for phrase in all_phrases() if phrase in text)
        for tag in category_tags(" ".join(text for text, _weight in fields[:3] if text)):
            words[CATEGORY_PREFIX + tag] += 4  # 「スポーツ」 matches ラケットテニス教室 without the word
        if doc.kind == "facility":  # events are filtered by audience; a facility for children only ranks up
            for tag in doc.audience_tags:
                words[AUDIENCE_PREFIX + tag] += 4
        self.words.add(index, words, shorts)
        self.grams.add(index, Counter(bigrams(normalize_text(gram_text))))
        doc.reading = kana_text
        self.kana.add(index, Counter(bigrams(kana_text)))
        doc.description_reading = reading_of(_short(description)[:200])
        self.kana_desc.add(index, Counter(bigrams(doc.description_reading)))

    def finish(self) -> None:
        """Close the channels and sort events by start for date filtering."""
        for channel in (self.words, self.grams, self.kana, self.kana_desc):
            channel.finish()
        for doc in self.docs:
            doc.title_text = normalize_text(doc.title)
            if doc.starts is not None:
                doc.start_ts = doc.starts.timestamp()
                if doc.kind == "event" and doc.ends is not None:
                    self.longest_event = max(self.longest_event, (doc.ends - doc.starts).total_seconds() + 86400)
        self.by_kind["event"].sort(key=lambda i: (self.docs[i].start_ts, self.docs[i].id))
        self.event_starts = [self.docs[i].start_ts for i in self.by_kind["event"]]

    def word_forms(self, word: str) -> list[str]:
        """The index's words a word stands for: itself, and for a katakana word of 3+ letters its forms with a
        short katakana ending (ツイン → ツインズ, ママ stays ママ): loanwords are written with or without a plural
        or a long vowel, and Sudachi keeps such a form as one unknown word."""
        if len(word) < 3 or not _is_katakana(word):
            return [word]
        keys = self.__dict__.get("_katakana_words")
        if keys is None:
            keys = sorted(w for w in self.words.postings if len(w) >= 3 and _is_katakana(w))
            self.__dict__["_katakana_words"] = keys
        forms = [word]
        at = bisect.bisect_right(keys, word)
        while at < len(keys) and keys[at].startswith(word):
            if len(keys[at]) <= len(word) + 2:
                forms.append(keys[at])
            at += 1
        return forms

    def score_terms(self, terms: list[str], extra: dict[str, float], allowed=None,
                    aliases: dict | None = None) -> dict[int, tuple[float, float]]:
        """doc index → (score, share of the query's weight it matched) for the resident's terms.

        Each term may match as a word (or a synonym), by most of its character bigrams (typos, 子ども/子供
        spellings Sudachi splits differently) or by its kana reading (kana-only questions). `extra` words
        (categories) add to the score without counting towards the share.
        """
        total = len(self.docs) or 1
        scores: dict[int, float] = {}
        matched: dict[int, float] = {}
        mass = 0.0
        for term in terms:
            term_scores: dict[int, float] = {}
            strength: dict[int, float] = {}  # 1.0 = the word itself (or its spelling), 0.6 = only a synonym
            own_idf = self.words.idf(term, total)
            for word, weight in list(expand([term]).items()) + list((aliases or {}).get(term, {}).items()):
                for form in self.word_forms(word):
                    # a synonym rarer than the word itself (運動 for 体操) must not outscore the word: it counts
                    # at most as specific as the resident's own word
                    rarity = min(1.0, own_idf / self.words.idf(form, total)) if own_idf and form != term and \
                        self.words.idf(form, total) else 1.0
                    for i, value in self.words.score({form: weight * rarity}, allowed, total).items():
                        term_scores[i] = max(term_scores.get(i, 0.0), value)
                        strength[i] = max(strength.get(i, 0.0), weight)
            idf = self.words.idf(term, total)
            reading = reading_grams(term)
            channels = [(self.grams, bigrams(term), 0.35), (self.kana, reading, 0.3)]
            if not _is_katakana(term):  # a hiragana question's kana form only meets titles and places
                channels.append((self.kana_desc, reading, 0.2))
            for channel, grams, factor in channels:
                if not grams:
                    continue
                hits: dict[int, int] = {}
                for gram in grams:
                    for i in channel.postings.get(gram, ()):
                        if allowed is None or i in allowed:
                            hits[i] = hits.get(i, 0) + 1
                need = max(1, math.ceil(len(grams) * 0.6))
                if channel is not self.grams and not has_kana(term):
                    need = len(grams)  # a word written in kanji is no typo of its reading: カンコウ is not コウ+カン
                close = {i for i, n in hits.items() if n >= need}
                if channel is not self.grams and not has_kana(term):
                    # 電車 (デンシャ) is not met by デン…シャ scattered over a description, nor 会話 (カイワ) by 社会
                    # and 令和 in a title: the whole reading, in a row
                    spoken = reading_of(term)
                    field = "description_reading" if channel is self.kana_desc else "reading"
                    close = {i for i in close if spoken in getattr(self.docs[i], field)}
                if not close:
                    continue
                values = channel.score({g: 1.0 for g in grams}, close, total)
                for i in close:
                    term_scores[i] = max(term_scores.get(i, 0.0), factor * values.get(i, 0.0))
                    strength[i] = 1.0
                idf = max(idf, max(channel.idf(g, total) for g in grams))
            if not term_scores and not self.words.idf(term, total):
                idf = math.log(1 + (total + 0.5) / 0.5)  # no row has it at all: as specific as a word can be
            else:
                # (a word other rows hold but none of these, 遊ぶ beside the day's ハイハイレース, weighs as it does
                # in the whole index: the days asked for must not make it the rarest word)
                if not idf:  # met only through synonyms (編み物 → 編み): as specific as the rarest of them
                    idf = max((self.words.idf(word, total) for word in expand([term])), default=0.0) or 1.0
                idf = idf * (1.0 if is_noun(term) or term.isascii() or _is_katakana(term) else 0.5)
            mass += idf
            light = 1.0 if is_noun(term) or _is_katakana(term) else 0.5  # 聞く, 話す: verbs say little
            for i, value in term_scores.items():
                scores[i] = scores.get(i, 0.0) + light * value
                matched[i] = matched.get(i, 0.0) + idf * strength.get(i, 1.0)
        for i, value in self.words.score(extra, allowed, total).items():
            scores[i] = scores.get(i, 0.0) + value
        return {i: (value, matched.get(i, 0.0) / mass if mass else 1.0) for i, value in scores.items()}


def reading_grams(term: str) -> list[str]:
    """The bigrams of a term's kana reading, or [] for a word written without kana whose reading is two kana:
    イゴ (囲碁) sits inside many unrelated readings (サイゴ, ハイゴ), so such a word meets rows only as written."""
    grams = bigrams(reading_of(term))
    return grams if has_kana(term) or len(grams) >= 2 else []


def has_kana(term: str) -> bool:
    """True when a term has hiragana or katakana letters (its reading may be typed loosely)."""
    return any("ぁ" <= c <= "ヺ" for c in term)


def _is_katakana(term: str) -> bool:
    """True for a katakana word (kana pseudo-terms are nouns by construction)."""
    return bool(term) and all("ァ" <= c <= "ヺ" or c == "ー" for c in term)


def _short(text: Optional[str]) -> str:
    """A description cut to the part worth indexing."""
    return (text or "")[:DESCRIPTION_CHARS]


def _kana_text(kana: Optional[str], *names: Optional[str]) -> str:
    """Katakana readings of a row: the published kana when present, Sudachi readings otherwise."""
    parts = [to_katakana(normalize_text(kana)) if kana else reading_of(names[0] or "")]
    parts.extend(reading_of(name) for name in names[1:] if name)
    return " ".join(p for p in parts if p)


# Events a city files under children's categories, or story times and parent-and-child sessions, are for children
# even when 対象者 is empty (土曜日おはなし会 in 子育て・教育).
CHILDREN_CATEGORY_RE = re.compile(r"子育て|子ども|子供|こども|キッズ|児童")
CHILDREN_TITLE_RE = re.compile(r"こども館|子ども館|児童館|児童センター|おはなし会|お話会|おはなしかい|絵本|えほん|親子|おやこ|読み聞かせ|よみきかせ|紙芝居|赤ちゃん|キッズ|ジュニア")


# Places families go with children (「子ども連れて行けるところ」): they rank up for a children's question, never filter.
CHILDREN_PLACE_RE = re.compile(r"動物園|水族館|科学館|遊園地|プラネタリウム|子ども|こども|子供|児童|キッズ|ふれあい|わんぱく|冒険")
AUDIENCE_PREFIX = "aud:"
_CHILD_UNTIL = 13  # a row whose stated ages start below 13 (年長, 小学生, 3歳以上) takes children


def _with_children(tags: frozenset, category: str | None, title: str | None,
                   ages: Optional[tuple[int, int]] = None) -> frozenset:
    """Audience tags plus "children" for children's categories and titles, and for a child's ages stated
    (Jr.卓球(年中・年長クラス)) — not when the row is for seniors."""
    if "children" in tags or "seniors" in tags:
        return tags
    if (CHILDREN_CATEGORY_RE.search(normalize_text(category)) or CHILDREN_TITLE_RE.search(normalize_text(title))
            or (ages is not None and ages[0] < _CHILD_UNTIL and not tags)):  # not どなたでも（小学生以下は…）
        return tags | {"children"}
    return tags


def _event_doc(row: Event) -> tuple[Doc, list, str, str]:
    """Index material for one event."""
    ages = ages_of(row.title, row.audience) or ages_of(_audience_line(row.description))
    doc = Doc("event", row.id, row.title, starts=to_tokyo(row.starts_at), ends=to_tokyo(row.ends_at),
              all_day=bool(row.all_day), facility_id=row.facility_id, place=normalize_text(row.place_name),
              district=row.district or "", address=normalize_text(row.address),
              latitude=row.latitude, longitude=row.longitude,
              audience_tags=_with_children(frozenset(row.audience_tags or ()) | frozenset(
                  event_audience_tags(row.audience, row.title, _short(row.description)[:200])),
                  row.category, row.title, ages),
              category=row.category or "", is_free=row.is_free, price=price_of(row.fee, row.is_free),
              ages=ages, session_hours=tuple(sorted({t.hour for t in session_starts(row.time_note)})))
    if is_long_running(doc.starts, doc.ends):
        doc.long = True
        doc.repeat = repeat_of(doc.starts, doc.ends, doc.all_day, row.time_note, row.title)
    # title and category say what it is, the description what happens, the venue only where: a venue's name
    # (こどもの森, 男女共同参画センター) must not outrank the topic of another event.
    fields = [(row.title, 6), (row.category, 4), (row.place_name, 2), (row.audience, 4),
              (row.organizer, 1), (row.district, 1), (row.address, 1), (_short(row.description), 3),
              (_short(row.time_note), 2)]  # 日時備考 often says what happens: 「講演会60分と落語30分」
    kana = _kana_text(row.kana, row.title, row.place_name)
    return doc, fields, " ".join(filter(None, (row.title, row.place_name))), kana, row.description


_AGE_SPAN = re.compile(r"(\d{1,2})\s*(?:歳|才)?\s*(?:・|、|,|～|〜|~|-|－|から)\s*(\d{1,2})\s*(?:歳|才)")
_AGE_FROM = re.compile(r"(\d{1,2})\s*(?:歳|才)(?:児)?\s*(?:以上|から)")
_AGE_UNTIL = re.compile(r"(\d{1,2})\s*(?:歳|才)(?:児)?\s*(?:以下|まで|未満)")
_AGE_ONE = re.compile(r"(?<![\d.])(\d{1,2})\s*(?:歳|才)(?:児)?")


# Kindergarten years and school grades for ages (年少 is the year a child turns 4; 小学1年 the year it turns 7).
_GRADE_AGES = ((re.compile(r"年少(?!者)"), (3, 4)), (re.compile(r"(?<!一)年中(?![無行])"), (4, 5)),
               (re.compile(r"年長(?!者)"), (5, 6)),
               (re.compile(r"未就学"), (0, 6)), (re.compile(r"小学生"), (6, 12)), (re.compile(r"中学生"), (12, 15)))
_UP_TO = re.compile(r"\s*(?:以下|まで)")  # 小学生以下: from babies up
_SCHOOL_YEARS = re.compile(r"小学?\s*([1-6])\s*(?:年生?)?(?:\s*[・、～〜~-]\s*([1-6])\s*年生?)?")


def _grade_ages(text: str) -> Optional[tuple[int, int]]:
    """The ages a title's kindergarten years or school grades cover: 年中・年長 → (4, 6), 小学1・2年生 → (6, 8)."""
    spans = [(0 if _UP_TO.match(text, m.end()) else ages[0], ages[1])
             for pattern, ages in _GRADE_AGES for m in pattern.finditer(text)]
    for m in _SCHOOL_YEARS.finditer(text):
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        spans.append((5 + first, 6 + last))
    if not spans:
        return None
    return min(first for first, _ in spans), max(last for _, last in spans)


def ages_of(*texts: Optional[str]) -> Optional[tuple[int, int]]:
    """The ages (first, last) a title or audience states: 0・1歳 → (0, 1), 3歳以上 → (3, 99), 2歳児 → (2, 2),
    年中・年長 → (4, 6)."""
    text = normalize_text(" ".join(t for t in texts if t))
    if m := _AGE_SPAN.search(text):
        first, last = int(m.group(1)), int(m.group(2))
        return (first, last) if first <= last else None
    if m := _AGE_FROM.search(text):
        return int(m.group(1)), 99
    if m := _AGE_UNTIL.search(text):
        return 0, int(m.group(1))
    if m := _AGE_ONE.search(text):
        return int(m.group(1)), int(m.group(1))
    return _grade_ages(text)


_URL = re.compile(r"(?:https?://|www\.)[\x21-\x7e]+")
_AUDIENCE_LINE = re.compile(r"(?:【対象】|対象\s*[:：])\s*([^\n【]+)")


def _audience_line(description: Optional[str]) -> Optional[str]:
    """The 【対象】 line of a description (files that keep who it is for inside the description), or None."""
    found = _AUDIENCE_LINE.search(normalize_text(description or ""))
    return found.group(1) if found else None


_YEN = re.compile(r"(\d[\d,]*)\s*円")


def price_of(fee: Optional[str], is_free: Optional[bool]) -> Optional[int]:
    """The lowest amount in yen a published fee states (「大人500円、子ども300円」 → 300), 0 when free, else None."""
    amounts = [int(m.replace(",", "")) for m in _YEN.findall(normalize_text(fee))]
    if amounts:
        return min(amounts)
    return 0 if is_free else None


_FEE_LABEL = re.compile(r"^[\s●○◆◇■□・※【\[]*(?:料金|入館料|入園料|入場料|利用料金?|使用料|観覧料|見学料|拝観料|入館|入園|入場|拝観|見学)?"
                        r"[\s】\]:：は]*")


def facility_is_free(fee: Optional[str]) -> Optional[bool]:
    """True when a facility's published fee starts with 無料 (「無料（体験は有料）」), False for a price, None unknown."""
    # 「●入館料 無料」, 「入場料：無料」: the fee's own label and marks say nothing about the price
    text = _FEE_LABEL.sub("", normalize_text(fee))
    if not text:
        return None
    if text.startswith(("無料", "0円")) or text in ("0", "なし"):
        return True
    return False if any(c.isdigit() for c in text) or "有料" in text else None


# The importer's バリアフリー line stating a way in for wheelchairs (車いす対応トイレ, スロープ有り), not 「車椅子不可」
_ACCESSIBLE = re.compile(r"^バリアフリー\s*[:：](?![^\n]*不可)[^\n]*(?:車いす|車椅子|多目的トイレ|スロープ|エレベーター)", re.M)


def _named_for(name: str) -> list[str]:
    """Who a facility's own name says it is for (障がい者福祉センター → disabled), as audience tags."""
    from content.query.audience_words import audience_tags_in

    return [tag for tag in audience_tags_in(normalize_text(name)) if tag in ("disabled", "seniors", "children")]


def _facility_doc(row: Facility) -> tuple[Doc, list, str, str]:
    """Index material for one facility."""
    aliases = (row.aliases or "").replace("\n", " ")
    doc = Doc("facility", row.id, row.name, facility_id=row.id, place=normalize_text(row.name),
              district=row.district or "", address=normalize_text(row.address),
              latitude=row.latitude, longitude=row.longitude, category=row.category or "",
              is_free=facility_is_free(row.fee), price=price_of(row.fee, facility_is_free(row.fee)),
              audience_tags=_with_children(frozenset(), row.category, row.name)  # こども館, 児童館
              | (frozenset({"children"}) if CHILDREN_PLACE_RE.search(normalize_text(row.name)) else frozenset())
              | frozenset(_named_for(row.name))  # 障がい者福祉センター, 老人福祉センター
              | (frozenset({"disabled"}) if _ACCESSIBLE.search(row.description or "") else frozenset()))
    fields = [(row.name, 6), (aliases, 6), (row.category, 4), (row.district, 1), (row.address, 2),
              (_short(row.description), 3), (hours_words(row.hours_text), 2)]
    kana = _kana_text(row.kana, row.name)
    return doc, fields, " ".join(filter(None, (row.name, aliases))), kana, row.description


# Words of published hours that say when, not what (水曜 must not make 水 a word of every facility).
_WHEN_WORD = re.compile(r"^[月火水木金土日]+$|曜|祝|休|平日|土日|季|開放|毎[週月日年]|時間|開館|閉館|開園|閉園|営業|利用|年末|年始|午前|午後|受付|入館|入場|最終|期間|中旬|上旬|下旬")


def hours_words(hours_text: Optional[str]) -> str:
    """The words of a facility's published hours that name something (「ゴーゴーカレー輪島店（9:55～20:55）」
    「カフェ（9:00～17:30）」: the shops and parts of a place a resident asks for), without clock times and days."""
    words = [t for t in terms_of(_short(hours_text)) if len(t) >= 2 and not t.isdigit() and not _WHEN_WORD.search(t)]
    return " ".join(dict.fromkeys(words))


def _opportunity_doc(row: Opportunity) -> tuple[Doc, list, str, str]:
    """Index material for one way to take part."""
    doc = Doc("opportunity", row.id, row.title, starts=to_tokyo(row.starts_at), ends=to_tokyo(row.ends_at),
              facility_id=row.facility_id, place=normalize_text(row.place_name), district=row.district or "",
              audience_tags=frozenset(row.audience_tags or ()) | frozenset(
                  event_audience_tags(row.audience, row.title, None)),
              sub_kind=row.kind or "")
    fields = [(row.title, 6), (row.kind and _KIND_WORDS.get(row.kind), 4), (row.place_name, 2),
              (row.audience, 2), (row.organizer, 2), (row.district, 2), (_short(row.description), 3)]
    return doc, fields, row.title or "", _kana_text(None, row.title), row.description


_KIND_WORDS = {"volunteer": "ボランティア 募集", "workday": "自治会 作業 清掃 ボランティア",
               "public_comment": "パブリックコメント 意見 募集", "staff_bank": "スタッフバンク 登録 まちづくり ボランティア"}


def build_index(session) -> SearchIndex:
    """Read every visible, active row and index it."""
    from content.query.places import place_kinds

    index = SearchIndex()
    for row in session.exec(select(Facility).where(Facility.active == True)):  # noqa: E712
        index.add(*_facility_doc(row))
        index.facility_names.append((row.id, row.name, row.kana, row.aliases,
                                     place_kinds(row.description, row.category)))
    for row in session.exec(select(Event).where(Event.active == True, Event.status.in_(VISIBLE))):  # noqa: E712
        index.add(*_event_doc(row))
    for row in session.exec(select(Opportunity).where(Opportunity.active == True,  # noqa: E712
                                                      Opportunity.status.in_(VISIBLE))):
        index.add(*_opportunity_doc(row))
    index.districts = [(d.id, d.name, d.kana) for d in session.exec(select(District).order_by(District.position))]
    index.finish()
    return index


@lru_cache(maxsize=1)
def _version_statement():
    """One SELECT of counts, max ids and max updated_at (indexed) of the searchable tables, built once."""
    columns = []
    for table in (Event, Facility, Opportunity):
        columns += [select(func.count(table.id)).scalar_subquery(), select(func.max(table.id)).scalar_subquery(),
                    select(func.max(table.updated_at)).scalar_subquery()]
    columns += [select(func.count(District.id)).scalar_subquery(), select(func.max(District.id)).scalar_subquery(),
                select(func.max(District.updated_at)).scalar_subquery()]
    return select(*columns)


def data_version(session) -> tuple:
    """A cheap fingerprint of the searchable tables (one round trip): changes when a row is added, edited or retired."""
    return tuple(session.exec(_version_statement()).one())


_cache: dict = {}
_checked: dict = {}  # key → monotonic time of the last version check
_lock = threading.Lock()
# 0 = check on every question (≈ 0.4 ms with the updated_at indexes); raise to trade freshness for speed.
VERSION_CHECK_SECONDS = 0.0


def current_index(session) -> SearchIndex:
    """The index for this database, rebuilt only when data_version changed."""
    bind = session.get_bind()
    key = (str(bind.url), id(bind))
    cached = _cache.get(key)
    if cached and time.monotonic() - _checked.get(key, 0.0) < VERSION_CHECK_SECONDS:
        return cached[1]
    version = data_version(session)
    _checked[key] = time.monotonic()
    if cached and cached[0] == version:
        return cached[1]
    with _lock:
        cached = _cache.get(key)
        if cached and cached[0] == version:
            return cached[1]
        index = _load_from_disk(str(bind.url), version)
        if index is None:
            index = build_index(session)
            _save_to_disk(str(bind.url), version, index)
        _cache[key] = (version, index)
        return index


# A folder where built indexes are kept between processes (None = memory only). Set by short-lived commands
# (`tsunagari ask`, `import`): a one-off question then loads the index in milliseconds instead of rebuilding it.
# The file is named for the database URL and holds the data_version it was built for; a changed row changes
# the version, and a new release's code changes its digest, so a stale file is never used. Only this process writes
# the folder (pickle: trusted like the DB).
_disk_cache: Optional[Path] = None


def keep_indexes_in(folder: Optional[Path]) -> None:
    """Keep built indexes in this folder between processes (None: memory only)."""
    global _disk_cache
    _disk_cache = folder


def warm_index(engine, folder: Optional[Path]) -> None:
    """Build this database's index now and keep it in the folder (after an import, for the next `ask`)."""
    from sqlmodel import Session

    keep_indexes_in(folder)
    with Session(engine) as session:
        current_index(session)


def _disk_file(url: str) -> Optional[Path]:
    """The cache file of a database, or None when disk caching is off or the database lives in memory."""
    if _disk_cache is None or ":memory:" in url or url.rstrip("/").endswith("sqlite:"):
        return None
    return _disk_cache / f"index-{hashlib.sha256(url.encode()).hexdigest()[:16]}.pickle"


@lru_cache(maxsize=1)
def _code_version() -> str:
    """A digest of the code that builds an index (this package and the question reader): an index kept by an earlier
    release is rebuilt, not read with what that release understood of the rows."""
    digest = hashlib.sha256()
    for package in ("search", "query"):
        for source in sorted((Path(__file__).parent.parent / package).glob("*.py")):
            digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def _load_from_disk(url: str, version: tuple) -> Optional[SearchIndex]:
    """The index stored for this database and version, or None."""
    path = _disk_file(url)
    if path is None or not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            stored_version, stored_code, index = pickle.load(handle)
    except Exception:  # a file from another release or a torn write: rebuild instead
        return None
    fresh = stored_version == version and stored_code == _code_version()
    return index if fresh and isinstance(index, SearchIndex) else None


def _save_to_disk(url: str, version: tuple, index: SearchIndex) -> None:
    """Store a freshly built index (written aside, then renamed, so a reader never sees half a file)."""
    path = _disk_file(url)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump((version, _code_version(), index), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except OSError:  # a read-only folder only costs speed
        return


def clear_cache() -> None:
    """Forget every cached index (tests that reuse one in-memory URL)."""
    with _lock:
        _cache.clear()
        _checked.clear()
