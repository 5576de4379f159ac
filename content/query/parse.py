"""parse_query: the entry point of query understanding (pure; no database, no LINE)."""
from __future__ import annotations

import re

from datetime import datetime
from typing import Optional

from content.query import vocab
from content.query.audience_words import AUDIENCE_ONLY_TERMS, audience_tags_in
from content.query.dates import read_dates
from content.query.english import dictionary_topics, english_to_japanese
from content.query.model import ParsedQuery, PlaceMatch
from content.query.normalize import Token, content_terms, normalize_text, rewrite_kana_words, tokenize
from content.query.places import PlaceIndex, fold_sound, place_phrases

# Only the start of a very long message is read (LINE allows 5,000 characters; questions are short),
# which keeps parse time bounded for pasted text.
MAX_QUESTION_CHARS = 200

# Terms that only say what kind of answer is wanted; without anything else the question has no subject.
GENERIC_TERMS = frozenset("""
イベント 催し 催し物 行事 催事 ボランティア 参加 募集 施設 開館 閉館 時間 休み 休館 休館日 定休日 住所 電話 番号
電話番号 場所 所在地 設定 ヘルプ 使い方 教える 開く 空く 閉まる 営業 利用 何時 近い 手伝い 手伝う 自治 自治会 町内会 活動
開催 予定 お知らせ 知らせ 案内 連絡 連絡先 アクセス 地図 行き方 終わる 過去 体験 遊ぶ 楽しむ 行ける 無料 只
""".split())


# Words that only say which facility answer is wanted (hours, closed days, phone, address, "is it open"):
# once the intent carries them they must not also be required in a facility's text.
FACILITY_INTENT_TERMS = frozenset("""
開く 開ける 空く あく 明く 使う 使える 遣る やる 営業 営業日 定休 定休日 休業 休業日 閉館日 休館日 休館 休み お休み 休む
電話番号 電話 番号 住所 所在地 連絡先 開館時間 営業時間 開館日 開庁 開庁時間 利用時間 受付時間 何時 時間 行き方 地図 アクセス
場所 入れる 入る 利用 閉まる 閉める 終わる 始まる 開館 閉館 オープン 何曜 何曜日 今日 明日
""".split())
# Event-ish words that say "something to go to" without naming it: never a word a row must contain
# (イベント, 催し and 行事 stay: search already treats them as stopwords and ranks on their synonyms).
EVENTISH_TERMS = frozenset("""
集まり 集い つどい 集う 集まる 何か 企画 出し物 もの 物 聞く 聴く 聞ける 観る 見える 聞こえる 申し込む 申し込み 申込 申込む 申す 込む 応募 予約
好き 喜ぶ 喜べる
""".split())
# Said alone, these name a kind of event the categories already carry (教室 → 講座); inside 工作教室 they stay.
CATEGORY_ONLY_TERMS = frozenset({"教室", "講習", "セミナー", "ワークショップ", "勉強"})
# Residents' words → the word city listings use for the same thing (an added ranking term; the resident's stays).
# 妊婦さん向けの教室 is listed as 「ご妊娠おめでとうございます…母親学級」; けがをしたとき as 救急講習.
TERM_EXPANSIONS = {"怪我": "救急", "駐輪場": "自転車", "プラネタリウム": "天文"}
# Words listings hardly use, replaced by the one they do (an expectant mother's class says 妊娠, not 妊婦).
TERM_CANONICAL = {"妊婦": "妊娠", "プレママ": "妊娠", "マタニティ": "妊娠", "妊産婦": "妊娠", "妊婦さん": "妊娠"}
# Set phrases residents use for a topic no single word of theirs names (normalised forms → the topic's word).
IDIOMS = {"体を動かす": "体操", "汗を流す": "スポーツ", "体を鍛える": "トレーニング", "手を動かす": "工作",
          "頭を使う": "脳トレ", "体をほぐす": "ストレッチ", "相談に乗る": "相談"}
# Open-or-not wording: with a facility named, 「明日やってる？」 asks about the facility's day, not its events.
OPEN_RE = vocab.OPEN_DAY_RE


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
    reading = fold_sound("".join(t.reading for t in tokens))  # as PlaceIndex matched it (は/わ alike)
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


# How a question about using the bot itself is put: none of these names a thing whose use is asked.
_ABOUT_THE_BOT = frozenset("""使い方 つかいかた 使う 分かる 分る 教える 知る 知りたい 方法 操作 使用 操作方法 使用方法 アプリ
ボット ライン line この 此の これ 此れ 仕方 やり方 遣り方 何 出来る 如何 どう 下さい 下さる 欲しい 良い 有る ある 為る する""".split())


def _use_of_something(texts: tuple[str, ...], terms: list[str]) -> bool:
    """「キャッシュレス決済 使い方わからん」: the use of a thing the resident names, not of the bot (ヘルプ, 何ができる
    always ask for help)."""
    if _search(vocab.HELP_STRONG_RE, *texts):
        return False
    return any(len(t) > 1 and t.lower() not in _ABOUT_THE_BOT for t in terms)


def _decide_intent(texts: tuple[str, ...], *, facility_named: bool, facility_word: bool, categories: list[str],
                   audiences: list[str], has_date: bool, free_only: bool, wants_nearby: bool, terms: list[str],
                   has_time: bool = False) -> str:
    """Which kind of answer the question wants (see model.INTENTS)."""
    facility = facility_named or facility_word
    event_words = _search(vocab.EVENTS_RE, *texts)
    eventish = event_words or bool(categories)
    if _search(vocab.SETTINGS_RE, *texts):
        return "settings"
    if _search(vocab.HELP_RE, *texts) and not (facility_named or eventish or _use_of_something(texts, terms)):
        return "help"
    if _search(vocab.PARTICIPATE_STRONG_RE, *texts):
        return "participate"
    if _search(vocab.PHONE_RE, *texts) and (facility or not eventish):
        return "facility_phone"
    if _search(vocab.CLOSED_STRONG_RE, *texts) or (facility and _search(vocab.CLOSED_WEAK_RE, *texts)):
        return "facility_closed"
    if _search(vocab.HOURS_RE, *texts) and (facility_named or not eventish or facility_word):
        return "facility_hours"
    if facility_named and not event_words and (_search(vocab.OPEN_NOW_RE, *texts) or _search(vocab.OPEN_DAY_RE, *texts)):
        return "facility_hours"  # 中央公民館は今日やってる? / ターントクルこども館 明日やってる? asks whether it is open
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


def _cleaned_terms(terms: list[str], intent: str, categories: list[str], tokens: list[Token],
                   audience_read: bool = False) -> list[str]:
    """Ranking terms without words that only restate the intent or a generic kind of event (集まり, 教室 alone),
    or only say who comes (子, 歳 of 「2歳の子と」) once an audience or an age was read."""
    alone = {t.normalized for i, t in enumerate(tokens)
             if not (i and tokens[i - 1].end == t.start and tokens[i - 1].pos in ("名詞", "接頭辞"))}
    out = []
    for term in terms:
        if term in EVENTISH_TERMS or (audience_read and term in AUDIENCE_ONLY_TERMS):
            continue
        if intent.startswith("facility_") and term in FACILITY_INTENT_TERMS:
            continue
        if term in CATEGORY_ONLY_TERMS and term in alone and categories:
            continue
        term = TERM_CANONICAL.get(term, term)
        if term not in out:
            out.append(term)
    for term in list(out):
        extra = TERM_EXPANSIONS.get(term)
        if extra and extra not in out:
            out.append(extra)
    return out


def _idiom_terms(terms: list[str], joined: str) -> list[str]:
    """「体を動かしたい」: the phrase's topic (運動) instead of its words (体, 動かす), which alone mean little."""
    for phrase, word in IDIOMS.items():
        if phrase in joined:
            parts = set(content_terms(tokenize(phrase)))
            terms = [t for t in terms if t not in parts] + ([word] if word not in terms else [])
    return terms


def _asks_open(texts: tuple[str, ...], intent: str, has_date: bool) -> bool:
    """Whether the question asks about a facility on a day or now (明日あいてる？ 土曜日 何時から 月曜は休館日？).

    Plain 「図書館は何時まで？」 or 「休館日は？」 ask for the hours / closed days in general: False.
    """
    if intent not in ("facility_hours", "facility_closed"):
        return False
    return has_date or _search(vocab.OPEN_DAY_RE, *texts) or _search(vocab.OPEN_NOW_RE, *texts)


def _english_topic_inside_name(place) -> bool:
    """「Where can I camp?」 read as キャンプ: a topic word from the English table inside another facility's name
    (ロイヤルキャンプ村, a nickname) is not that facility named, and stays the topic; romaji names (コイズミヤクモ)
    are names."""
    from content.query.english import TOPIC_WORDS

    matched = normalize_text(place.matched or "")
    return (place.kind == "facility" and place.score < 95 and matched in TOPIC_WORDS
            and not normalize_text(place.name).endswith(matched))


def english_place_names(places: PlaceIndex, english: str, found: list) -> list:
    """Places an English question names by a whole Latin name of theirs (Hidechan, Toramasa): a piece of a name
    or a katakana nickname never counts, so an everyday English word cannot pick a place."""
    known = {(m.kind, m.id) for m in found}
    return [m for m in places.match(english) if (m.kind, m.id) not in known and m.score >= 100.0
            and m.matched.isascii() and len(m.matched) >= 4 and m.matched.casefold() in english.casefold()]


def parse_query(text: str, *, now: datetime, places: Optional[PlaceIndex] = None) -> ParsedQuery:
    """Read a resident's question: intent, date range, places, audiences, categories and ranking terms."""
    normalized = normalize_text(text)
    language = "ja"
    if not (_search(vocab.SETTINGS_RE, normalized) or _search(vocab.HELP_RE, normalized)):
        japanese = english_to_japanese(normalized[:MAX_QUESTION_CHARS])
        if japanese is not None:  # English is read through the Japanese words it means (fireworks → 花火)
            normalized, language = japanese, "en"
    head = normalized[:MAX_QUESTION_CHARS]
    written = rewrite_kana_words(head)
    tokens = tokenize(written)
    joined = _joined_normalized(tokens)
    texts = tuple(dict.fromkeys((normalized, written, joined)))
    dates = read_dates(written, now, tokens)
    matches = []
    if places is not None:  # names as typed: おやこ広場 is a name even though おやこ alone reads 親子
        matches = places.match(head, tokens if written == head else tokenize(head))
        if language == "en":  # a place's own English or romaji name, which the translation does not carry
            english = normalize_text(text)[:MAX_QUESTION_CHARS]
            topics = dictionary_topics(english)
            # ショップ of 「Is the shop open?」 is no piece of ラーメンショップ天神, nor ラーメン of 「ramen stalls」
            matches = [m for m in matches if normalize_text(m.matched or "") not in topics
                       and not _english_topic_inside_name(m)]
            matches += english_place_names(places, english, matches)
    # 親子ふれあい広場 or こども館 name a place; their words say nothing about who or what is wanted.
    unplaced = _mask_places(written, tokens, matches)
    audiences = audience_tags_in(unplaced[0])
    for tag in audience_tags_in(unplaced[-1]):
        if tag not in audiences:
            audiences.append(tag)
    categories = [tag for tag, pattern in vocab.CATEGORY_RULES if _search(pattern, *unplaced)]
    free_only = _search(vocab.FREE_RE, *texts)
    price = vocab.PRICE_LIMIT_RE.search(written)
    max_price = int(price.group(1).replace(",", "")) if price else None
    age = vocab.AGE_RE.search(written)
    wants_nearby = _search(vocab.NEARBY_RE, *texts)
    grade = vocab.GRADE_RE.search(written) if not age else None  # 小3 says who, not what
    skip = dates.spans + ((price.span(),) if price else ()) + ((grade.span(),) if grade else ())
    terms = content_terms(tokens, skip_spans=skip)
    facility_named = any(m.kind == "facility" for m in matches)
    facility_word = _search(vocab.FACILITY_WORD_RE, *texts)
    intent = _decide_intent(texts, facility_named=facility_named, facility_word=facility_word,
                            categories=categories, audiences=audiences, has_date=dates.start is not None,
                            free_only=free_only or max_price is not None, wants_nearby=wants_nearby, terms=terms,
                            has_time=dates.time_of_day is not None or dates.exact_time is not None)
    terms = _cleaned_terms(terms, intent, categories, tokens, audience_read=bool(audiences or age))
    terms = _idiom_terms(terms, joined)
    landmark = _landmark(written, terms)
    near_words: list[str] = []
    if landmark:  # 「浦嶋神社の近くの高い滝」: the falls are asked for; the shrine only says where they are
        near_words = [t for t in terms if t in landmark]
        # 歩く of 「駅から歩いて行ける」 says how near, not what is wanted
        terms = [t for t in terms if t not in near_words and t not in ("歩く", "徒歩", "前", "とこ", "所")]
        matches = [m for m in matches if normalize_text(m.matched or "") not in landmark]
        wants_nearby = False  # near the landmark, not the resident (「近くまで行ける？」 asks how close one gets)
    subject_terms = [t for t in terms if t not in GENERIC_TERMS]
    has_subject = bool(matches or categories or audiences or subject_terms or max_price is not None)
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
        max_price=max_price,
        age=int(age.group(1)) if age else _grade_age(written),
        past=dates.past,
        wants_nearby=wants_nearby,
        place_text_unmatched=_unmatched_place_text(tokens, matches),
        weekdays=dates.weekdays,
        recurring=dates.recurring,
        asks_open=_asks_open(texts, intent, dates.start is not None),
        near_words=near_words,
        language=language,
    )


# 「野首の教会のちかくの海岸」: a landmark, then the thing asked for, which comes after it
_LANDMARK_RE = re.compile(r"(?:^|\s)\s*(?P<mark>[^\s、。?？!！]+?)(?:の(?:近く|ちかく|そば|側|隣|となり|横|周り|まわり|付近|近所|向かい|とこ|ところ|前)"
                          r"(?:に?ある|の|に)|から(?:歩いて|あるいて|徒歩で?)(?:行ける|いける|すぐ)?の?)")


def _grade_age(text: str) -> Optional[int]:
    """The age a child of the school grade named reaches in that year (小3 → 9, 中1 → 13), or None."""
    found = vocab.GRADE_RE.search(text)
    if not found:
        return None
    year = int(normalize_text(found.group(3)))
    if found.group(2) and year > 3:
        return None  # 中4 is no grade
    return (6 if found.group(1) else 12) + year


_RESIDENTS_OWN_PLACES = frozenset({"家", "いえ", "自宅", "うち", "ウチ", "ここ", "実家", "私", "わたし", "僕", "職場", "会社"})


def _landmark(text: str, terms: list[str]) -> str:
    """The landmark of 「Aの近くのB」 when B names something of its own, else ""."""
    found = _LANDMARK_RE.search(text)
    if not found:
        return ""
    mark, rest = found.group("mark"), text[found.end():]
    if mark in _RESIDENTS_OWN_PLACES:
        return ""  # 「家の近所の公園」: near the resident, whose location the question does not give
    if not any(t in rest and t not in mark and t not in GENERIC_TERMS for t in terms):
        return ""  # 「駅の近くにある？」: nothing but the landmark is named
    return mark
