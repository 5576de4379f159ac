"""parse_query: the entry point of query understanding (pure; no database, no LINE)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from content.query import vocab
from content.query.audience_words import audience_tags_in
from content.query.dates import read_dates
from content.query.model import ParsedQuery, PlaceMatch
from content.query.normalize import Token, content_terms, normalize_text, rewrite_kana_words, tokenize
from content.query.places import PlaceIndex, place_phrases

# Only the start of a very long message is read (LINE allows 5,000 characters; questions are short),
# which keeps parse time bounded for pasted text.
MAX_QUESTION_CHARS = 200

# Terms that only say what kind of answer is wanted; without anything else the question has no subject.
GENERIC_TERMS = frozenset("""
イベント 催し 催し物 行事 催事 ボランティア 参加 募集 施設 開館 閉館 時間 休み 休館 休館日 定休日 住所 電話 番号
電話番号 場所 所在地 設定 ヘルプ 使い方 教える 開く 空く 閉まる 営業 利用 何時 近い 手伝い 手伝う 自治 自治会 町内会 活動
開催 予定 お知らせ 知らせ 案内 連絡 連絡先 アクセス 地図 行き方 終わる 過去 体験 遊ぶ 楽しむ 行ける 無料 只
""".split())


def _joined_normalized(tokens: list[Token]) -> str:
    """The question rewritten in Sudachi normalised forms (こども → 子供) for the word lists."""
    return "".join(t.normalized for t in tokens)


def _covered_tokens(tokens: list[Token], matches: list[PlaceMatch]) -> set[int]:
    """Indexes of the tokens that spell a matched place name (in writing or in reading)."""
    covered: set[int] = set()
    surface = "".join(t.surface for t in tokens)
    starts, pos = [], 0
    for t in tokens:
        starts.append(pos)
        pos += len(t.reading)
    reading = "".join(t.reading for t in tokens)
    for m in matches:
        if len(m.matched) < 2:
            continue
        for text, offsets, lengths in ((surface, [t.start - tokens[0].start for t in tokens], [len(t.surface) for t in tokens]),
                                       (reading, starts, [len(t.reading) for t in tokens])):
            at = text.find(m.matched)
            if at < 0:
                continue
            end = at + len(m.matched)
            covered.update(i for i, (o, n) in enumerate(zip(offsets, lengths)) if o < end and at < o + n)
            break
    return covered


def _mask_places(normalized: str, tokens: list[Token], matches: list[PlaceMatch]) -> tuple[str, ...]:
    """The question (as written and in normalised forms) without the words of matched place names."""
    if not matches or not tokens:
        return (normalized, _joined_normalized(tokens))
    covered = _covered_tokens(tokens, matches)
    kept = [t for i, t in enumerate(tokens) if i not in covered]
    return (" ".join(t.surface for t in kept), " ".join(t.normalized for t in kept))


def _search(pattern, *texts: str) -> bool:
    """Whether pattern occurs in any of texts."""
    return any(pattern.search(t) for t in texts)


def _decide_intent(texts: tuple[str, ...], *, facility_named: bool, facility_word: bool, categories: list[str],
                   audiences: list[str], has_date: bool, free_only: bool, wants_nearby: bool, terms: list[str],
                   has_time: bool = False) -> str:
    """Which kind of answer the question wants (see model.INTENTS)."""
    facility = facility_named or facility_word
    event_words = _search(vocab.EVENTS_RE, *texts)
    eventish = event_words or bool(categories)
    if _search(vocab.SETTINGS_RE, *texts):
        return "settings"
    if _search(vocab.HELP_RE, *texts) and not (facility_named or eventish):
        return "help"
    if _search(vocab.PARTICIPATE_STRONG_RE, *texts):
        return "participate"
    if _search(vocab.PHONE_RE, *texts) and (facility or not eventish):
        return "facility_phone"
    if _search(vocab.CLOSED_STRONG_RE, *texts) or (facility and _search(vocab.CLOSED_WEAK_RE, *texts)):
        return "facility_closed"
    if _search(vocab.HOURS_RE, *texts) and (facility_named or not eventish or facility_word):
        return "facility_hours"
    if facility_named and not event_words and _search(vocab.OPEN_NOW_RE, *texts):
        return "facility_hours"  # 中央公民館は今日やってる? asks whether it is open
    if _search(vocab.ADDRESS_STRONG_RE, *texts) and (facility or not eventish):
        return "facility_address"
    if _search(vocab.ADDRESS_WEAK_RE, *texts) and facility and not event_words and not has_date:
        return "facility_address"
    if _search(vocab.PARTICIPATE_WEAK_RE, *texts) and not event_words and not has_date and not audiences:
        return "participate"
    if has_date and not (eventish or audiences or free_only or facility) and terms and not _search(vocab.QUESTION_RE, *texts):
        return "unknown"  # 今日は寒いですね: small talk that happens to name a day
    if eventish or audiences or has_date or has_time or free_only or (_search(vocab.EVENTS_WEAK_RE, *texts) and not facility):
        return "events"
    if facility_named or (facility_word and wants_nearby):
        return "facility_info"
    if facility_word:
        return "facility_info"
    if wants_nearby:
        return "events"
    return "unknown"


def _unmatched_place_text(tokens: list[Token], matches: list[PlaceMatch]) -> Optional[str]:
    """A place-like phrase (…館, …センター) in the question when no facility matched it."""
    if any(m.kind == "facility" for m in matches):
        return None
    phrases = place_phrases(tokens)
    return phrases[0][0] if phrases else None


def parse_query(text: str, *, now: datetime, places: Optional[PlaceIndex] = None) -> ParsedQuery:
    """Read a resident's question: intent, date range, places, audiences, categories and ranking terms."""
    normalized = normalize_text(text)
    head = normalized[:MAX_QUESTION_CHARS]
    written = rewrite_kana_words(head)
    tokens = tokenize(written)
    joined = _joined_normalized(tokens)
    texts = tuple(dict.fromkeys((normalized, written, joined)))
    dates = read_dates(written, now)
    matches = []
    if places is not None:  # names as typed: おやこ広場 is a name even though おやこ alone reads 親子
        matches = places.match(head, tokens if written == head else tokenize(head))
    # 親子ふれあい広場 or こども館 name a place; their words say nothing about who or what is wanted.
    unplaced = _mask_places(written, tokens, matches)
    audiences = audience_tags_in(unplaced[0])
    for tag in audience_tags_in(unplaced[-1]):
        if tag not in audiences:
            audiences.append(tag)
    categories = [tag for tag, pattern in vocab.CATEGORY_RULES if _search(pattern, *unplaced)]
    free_only = _search(vocab.FREE_RE, *texts)
    wants_nearby = _search(vocab.NEARBY_RE, *texts)
    terms = content_terms(tokens, skip_spans=dates.spans)
    facility_named = any(m.kind == "facility" for m in matches)
    facility_word = _search(vocab.FACILITY_WORD_RE, *texts)
    intent = _decide_intent(texts, facility_named=facility_named, facility_word=facility_word,
                            categories=categories, audiences=audiences, has_date=dates.start is not None,
                            free_only=free_only, wants_nearby=wants_nearby, terms=terms,
                            has_time=dates.time_of_day is not None or dates.exact_time is not None)
    subject_terms = [t for t in terms if t not in GENERIC_TERMS]
    has_subject = bool(matches or categories or audiences or subject_terms)
    return ParsedQuery(
        text=text,
        normalized=normalized,
        terms=terms,
        intent=intent,
        has_subject=has_subject,
        date_range=dates.date_range,
        date_label=dates.label,
        time_of_day=dates.time_of_day,
        exact_time=dates.exact_time,
        places=matches,
        audiences=audiences,
        categories=categories,
        free_only=free_only,
        past=dates.past,
        wants_nearby=wants_nearby,
        place_text_unmatched=_unmatched_place_text(tokens, matches),
        weekdays=dates.weekdays,
        recurring=dates.recurring,
    )
