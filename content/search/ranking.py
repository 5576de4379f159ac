"""Ranked search over events, facilities and ways to take part, filtered by what the question asked.

Structured filters first (dates, places, audience, fee — from ParsedQuery), then BM25 over the normalised
terms left (content/search_index.py), ties broken by date.
"""
from __future__ import annotations

import bisect
import dataclasses
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Optional

from content.search.event_days import runs_within
from content.query.model import ParsedQuery
from content.query.places import PLACE_SUFFIXES
from content.query.normalize import to_hiragana
from content.query.dates import TIME_OF_DAY_HOURS
from content.search.index import (ABBREVIATION_PREFIX, AUDIENCE_PREFIX, CATEGORY_PREFIX, TOKYO, Doc, SearchIndex,
                                  current_index, has_kana, reading_grams)
from content.search.terms import (PHRASE_PREFIX, QUERY_STOPWORDS, bigrams, expand, is_noun, is_part_of,
                                  is_place_name, kana_terms, normalize_text, note_question, phrase_stand_ins,
                                  query_terms, reading_of, readings_of_table_words, terms_of, verb_nouns)
from content.query.audience_words import AUDIENCE_RULES, audience_tags_in, without_audience_words

MAX_HITS = 200
FACILITY_INTENTS = ("facility_hours", "facility_closed", "facility_address", "facility_phone", "facility_info")
# A question for children also wants 親子 and 小学生 events.
AUDIENCE_WIDEN = {"children": {"children", "parents", "elementary"}, "parents": {"parents", "children"},
                  "elementary": {"elementary", "children"}}
MIN_COVERAGE = 0.5  # a row must match at least half the idf weight of the resident's words
FULL_SHARE = 0.99  # a row met by every one of the resident's words itself (not only by a synonym)
SYNONYMS_ONLY = 0.61  # a row met by none of the words itself, only by their synonyms (weight 0.6)
PARTIAL_COVERAGE = 0.35  # a long question (3+ words) nothing meets half of: the rows meeting the most
RELATIVE_CUTOFF = 0.3  # below 30 % of the best score a keyword match is noise (a shared bigram)
PAST_WINDOW = timedelta(days=400)
LONG_ROW_DAMPING = 0.6
# Named days and seasons the date reader turns into ranges; when titles carry the word itself
# (クリスマスコンサート on 12/7), the word is what the resident means.
# Words that say what kind of thing is wanted but not which: with only these left, an unmatched word was the subject.
GENERIC_SEARCH_WORDS = frozenset("""
教室 講座 講習 講習会 セミナー ワークショップ イベント 催し 行事 説明会 会 大会 体験 活動 教える 習う 学ぶ 参加 募集 施設
クラス 相談 相談会 講演 講演会 見学 見学会 交流 交流会 場所 もの 物 やつ 何 話 集まり 会場 ある 無い 作る する 楽しむ 問題 入れる 入る 使える
使い方 やり方 遣り方 仕方 練習 稽古 けいこ 男 男性 女 女性 市民 市立 チャレンジ 挑戦 同士 見所 見どころ
初心者 初心 初級 入門 初めて 未経験 ビギナー 御店 店 習い事 習いごと 稽古事 手作り 手づくり 勉強会 勉強 学習会 研修 研修会 町中 街中 受ける
""".split())
SEASON_WORDS = ("クリスマス", "夏休み", "冬休み", "春休み", "年末年始", "ゴールデンウィーク", "ハロウィン", "お正月", "正月",
                "敬老の日", "こどもの日", "子供の日", "七夕", "お盆", "節分", "ひな祭り", "ひなまつり", "大晦日", "花火")


@dataclass
class Hit:
    """One result: which row, how well it matched, how far away (metres) when asked by location."""

    kind: str
    id: int
    score: float = 0.0
    distance_m: Optional[float] = None
    starts: Optional[datetime] = None


@dataclass
class SearchResult:
    """All hits in display order, and what the search used."""

    hits: list[Hit] = field(default_factory=list)
    kinds: tuple = ()
    keywords: list[str] = field(default_factory=list)  # the terms that had to match
    unknown: list[str] = field(default_factory=list)  # nouns asked for that no row contains
    missing: list[str] = field(default_factory=list)  # nouns no row contains, when the hits match the other words
    towns: list[str] = field(default_factory=list)  # places read from the rows themselves (町名, 会場名), for labels
    relaxed: str = ""
    # True when no row said it was for the asked audience and rows that state no audience are shown instead
    audience_unstated: bool = False
    # True when the topic's rows are all for another audience than the one asked, and are shown said so
    audience_other: bool = False
    # True when no matching row said it was free and rows that state no fee are shown instead (none says a price)
    fee_unstated: bool = False
    # True when a question about the past found nothing that happened and what is coming is shown instead
    upcoming_instead: bool = False
    # 「月曜日」 when nothing is on the next one and later ones are shown instead
    weekday_later: str = ""
    # 「来年」 when nothing is dated in that long span and what is coming is shown instead
    span_instead: str = ""
    # True when places of one kind were told apart by the resident's other words (牛田の水道の資料館): the ones
    # those words single out stay first, even when closed on the asked day
    words_decide: bool = False


def kinds_for(intent: str) -> tuple[str, ...]:
    """Which kinds of rows an intent is about."""
    if intent == "events":
        return ("event",)
    if intent in FACILITY_INTENTS:
        return ("facility",)
    if intent == "participate":
        return ("opportunity",)
    return ("event", "facility", "opportunity")


def _place_words(parsed: ParsedQuery) -> set[str]:
    """Normalised terms of the place names the parser matched (they filter; they need not also rank)."""
    words: set[str] = set()
    for place in parsed.places:
        words.update(terms_of(place.matched or place.name))
        words.update(terms_of(place.name))
    return words


def audience_boosts(parsed: ParsedQuery) -> list[str]:
    """Words of the question that named the audience (ベビーマッサージ, 高齢者): they rank, the audience filters."""
    if not parsed.audiences:
        return []
    source = [t.lower() for t in parsed.terms] or _name_words(parsed)
    words = [t for t in source if audience_tags_in(t)]
    return [t for t in source if any(t in word for word in words)]


_KIND_SUFFIXES = frozenset("場館園所店屋町村郷島駅寺院室")  # one-character endings of a kind of place


def keyword_terms(index: SearchIndex, parsed: ParsedQuery, *,
                  drop_places: bool = True) -> tuple[list[str], list[str], list[str]]:
    """(content words that must match, nouns the resident named that no row contains, words that only rank).

    Place words filter and audience words filter (when an audience was read): neither needs to rank.
    A word no row contains cannot narrow anything; a *noun* like that may mean "not here" (the caller decides).
    Hiragana words Sudachi could not read are tried as katakana against the readings (よが → ヨガ).
    """
    # the words Sudachi normalised in this question (お香 → 香り, ゴミ拾い → 塵拾い): the forms as typed and the pieces
    note_question(parsed.normalized or parsed.text or "")
    source = _whole_katakana_words(index, parsed, [t.lower() for t in parsed.terms] or _name_words(parsed))
    source = _with_phrase_stand_ins(index, source)
    skip = set(QUERY_STOPWORDS)
    if drop_places:
        skip |= _place_words(parsed)
    audience_words = [t for t in source if parsed.audiences and audience_tags_in(t)]
    typed = normalize_text(parsed.normalized or parsed.text or "")
    keywords: list[str] = []
    unknown: list[str] = []
    unmatched_verbs: list[str] = []  # 歌う when nothing here is sung: the subject, not a word to drop
    for term in source:
        if term in skip or term in keywords or term.isdigit() or not term:
            continue
        if len(term) == 1 and any(term in other and other != term for other in source):
            continue  # 館 of 公民館: a one-character sub-word matches everything with 館 in it
        if term in _KIND_SUFFIXES and any(other + term in typed and is_noun(other)
                                          for other in source if other != term):
            continue  # 場 of ゴルフ場 (Sudachi: ゴルフ + 場): the suffix of the noun before, not a word
        if any(term in word for word in audience_words):
            term = _topic_inside_audience_word(term, audience_words)
            if term is None or term in keywords:
                continue
        if is_city_word(index, term):
            continue  # 焼津 of 「焼津に動物園ある？」: in every address, it matches every row
        if _known(index, term):
            keywords.append(term)
        elif (long_form := abbreviated_word(index, term)) is not None:
            keywords.append(long_form)  # ベビマ → ベビーマッサージ: the title's word it shortens
        elif parsed.language == "en" and (spelled := with_long_vowels(index, term)) is not None:
            keywords.append(spelled)  # Natsume Soseki → ナツメソセキ, as rows read it: ナツメソウセキ
        elif (plain := _without_polite_prefix(index, term)) is not None:
            if plain not in keywords:
                keywords.append(plain)  # 御祭り (お祭り) is 祭 (祭り, フェスティバル)
        elif (stem := _known_stem(index, term)) is not None:
            if stem not in keywords:
                keywords.append(stem)  # 風呂屋 no row writes: 風呂 (銭湯, 温泉) is what the resident is after
        elif parts := _known_parts(index, term):
            keywords += [p for p in parts if p not in keywords]  # 梨狩り no row writes: 梨 + 狩り (収穫)
        elif (written := word_by_reading(index, term)) is not None:
            if written not in keywords:
                keywords.append(written)  # つばき typed in kana: the rows' 椿
        elif is_noun(term) and len(term) > 1 and term not in unknown and term not in GENERIC_SEARCH_WORDS:
            unknown.append(term)  # (習い事, which no row writes, asks for any class: never the word that failed)
        elif not is_noun(term):
            # 「歌える会」: no row has the verb, but rows list the thing done (歌, 踊り, 釣り) or its synonym (合唱)
            things = verb_nouns(term)
            nouns = [n for n in things if _in_titles(index, n) or any(_in_titles(index, s) for s in expand([n]))]
            if nouns and nouns[0] not in keywords:
                keywords.append(nouns[0])
            elif things and not nouns:
                unmatched_verbs.append(term)
    optional: list[str] = []
    text = normalize_text(parsed.normalized or parsed.text)
    for run, kana in _kana_words(index, kana_terms(text if parsed.language != "en" else parsed.normalized)):
        if kana in keywords:
            continue
        if not _kana_known(index, kana) and _kana_known(index, voiced := _rendaku(kana)):
            kana = voiced  # ほうき of 「竹ぼうき作り」: the first sound is voiced after another word
        if not _kana_known(index, kana):
            # じてんしゃ (じてん + しゃ to Sudachi): the word of the city's synonyms read so, where rows hold it
            # (or the one word of the rows read so: しゃきょう → 写経)
            word = readings_of_table_words().get(kana) or word_by_reading(index, to_hiragana(kana))
            if word and word not in keywords and any(_known(index, w) for w in expand([word])):
                sudachi = terms_of(run)
                keywords = [t for t in keywords if t not in sudachi] + [word]
                unknown = [t for t in unknown if t not in sudachi]
            continue
        if any(len(spoken := to_hiragana(reading_of(k) or "")) > len(run) and spoken.endswith(run) and spoken in text
               for k in keywords):
            continue  # じめる of 「離乳食はじめる」, the は read as a particle: Sudachi's 始める already holds it
        sudachi = [t for t in terms_of(run) if t not in QUERY_STOPWORDS]
        # the parser's own reading of the run (じょう → 上): words the resident never wrote
        # (not one written in kana elsewhere in the question: 言葉 of 「ことばがおそい」 is not うちの)
        elsewhere = to_hiragana(text.replace(run, " "))
        sudachi += [t for t in keywords if not any(c in text for c in t)
                    and not (reading_of(t) and to_hiragana(reading_of(t)) in elsewhere)]
        # (しゃ of しゃきょう: a two-kana fragment is no reading of the run either)
        if not sudachi or any(len(t) == 1 or re.fullmatch(r"[ぁ-ゖ]{1,2}", t) or t not in keywords for t in sudachi):
            # Sudachi could not read the run (よ+が, に+し+瓦): the kana form is the word
            keywords = [t for t in keywords if t not in sudachi]
            unknown = [t for t in unknown if t not in sudachi]
            keywords.append(kana)
        else:
            optional.append(kana)  # おはなしかい → 話 (required) + オハナシカイ (ranks)
    if unmatched_verbs and all(k in GENERIC_SEARCH_WORDS for k in keywords):
        # 「みんなで歌える会」 with nothing sung: 会 alone would list every 相談会; the verb is what found nothing
        unknown += [v for v in unmatched_verbs if v not in unknown]
    # 放課 of 放課後: a part of another word that found nothing is the same missing word, not a second one; and
    # 飛行 of 飛行機, where 飛行機 is found (through 航空), is nothing missing
    unknown = [u for u in unknown if not any(u != other and u in other for other in unknown + keywords)]
    # 救急, added by the parser beside 怪我: a word the resident never wrote is never named as not found
    unknown = [u for u in unknown if u not in _added_by_parser(parsed)]
    if parsed.audiences:  # 就学 of 未就学児: a piece of who it is for, which no row need write
        spans = [m.group(0) for _tag, pattern in AUDIENCE_RULES for m in pattern.finditer(text)]
        unknown = [u for u in unknown if not any(u in span for span in spans)]
    if parsed.language == "en":
        keywords, unknown, optional = _english_guesses_rank(parsed, keywords, unknown, optional)
        keywords += [w for w in _latin_words_in_rows(index, parsed) if w not in keywords]
    # 放課 of 放課後 where no row has 放課後: a part met only by its sound in another word (包括, ホウカツ) or by
    # a short form is that missing word, not a word to find
    keywords = [k for k in keywords if _written_in_some_row(index, k) or not any(k != u and k in u for u in unknown)]
    return keywords, unknown, optional


_KATAKANA_RUN = re.compile(r"[ァ-ヺー]{4,}")
_TOPIC_PART = re.compile(r"[一-龥々]{2,}|[ァ-ヺー]{3,}")  # 発達, マッサージ (not カー of ベビーカー)


def _topic_inside_audience_word(term: str, audience_words: list[str]) -> str | None:
    """発達 of 発達障害, マッサージ of ベビーマッサージ: the part of a longer audience word beside what says who (障害,
    ベビー) names what the resident is about, and is a word to find as well; None when there is no such part."""
    if audience_tags_in(term):  # the audience word itself: what is left once who is taken out
        rest = without_audience_words(term)
        return rest if rest != term and _TOPIC_PART.fullmatch(rest) else None
    if _TOPIC_PART.fullmatch(term) and any(term in word and term != word and len(word) >= 4 for word in audience_words):
        return term
    return None


def _whole_katakana_words(index: SearchIndex, parsed: ParsedQuery, source: list[str]) -> list[str]:
    """The question's terms with a katakana run the rows write as one word put back together (ゴーゴーカレー,
    which Sudachi splits as ゴーゴー + カレー in a question but keeps whole in 「ゴーゴーカレー輪島店」)."""
    text = normalize_text(parsed.normalized or parsed.text)
    for run in _KATAKANA_RUN.findall(text):
        parts = [t.lower() for t in terms_of(run)]
        if len(parts) < 2 or not any(form in index.words.postings for form in index.word_forms(run)):
            continue
        source = [t for t in source if t not in parts]
        if run not in source:
            source.insert(0, run)
    return source


HIRAGANA_WORD = re.compile(r"[ぁ-ゖー]{3,}")  # a word typed in hiragana, three kana at least


def word_by_reading(index: SearchIndex, term: str) -> str | None:
    """The one word of the rows read as a hiragana term (つばき → 椿), or None when none or several are
    (こうえん: 公園 and 講演). Three kana at least: shorter readings are too often another word's."""
    if not HIRAGANA_WORD.fullmatch(term):
        return None
    readings = index.__dict__.get("_readings")
    if readings is None:  # built on the first kana question only, once per index
        readings = {}
        for word in index.words.postings:
            if re.search(r"[一-龥々]", word) and len(word) <= 6:
                readings.setdefault(to_hiragana(reading_of(word) or ""), set()).add(word)
        index.__dict__["_readings"] = readings
    found = readings.get(term, set())
    return next(iter(found)) if len(found) == 1 else None


def abbreviated_word(index: SearchIndex, term: str) -> str | None:
    """The one katakana word of the titles a short katakana form abbreviates (ベビマ → ベビーマッサージ), or None.

    Loanwords are shortened to the first sounds of their parts (ベビー|マッサージ → ベビ|マ): the word must start
    with the form's first two letters and hold the rest further on, in order. Only an unambiguous word counts.
    """
    if not (3 <= len(term) <= 4 and _is_katakana_word(term)):
        return None
    runs = index.__dict__.get("_title_katakana_runs")
    if runs is None:
        runs = sorted({run for doc in index.docs for run in _KATAKANA_RUN.findall(doc.title_text)})
        index.__dict__["_title_katakana_runs"] = runs
    pattern = re.compile(re.escape(term[:2]) + "".join("[ァ-ヺー]*?" + re.escape(c) for c in term[2:]))
    found = {run for run in runs if pattern.match(run) and not run.startswith(term)}
    return found.pop() if len(found) == 1 else None


def _without_polite_prefix(index: SearchIndex, term: str) -> str | None:
    """The word a polite 御 (お, ご) is put before, when some row writes it: 御祭り → 祭."""
    if not term.startswith("御") or len(term) < 3:
        return None
    words = terms_of(term[1:])
    return words[0] if len(words) == 1 and _written_in_some_row(index, words[0]) else None


def _known_parts(index: SearchIndex, term: str) -> list[str]:
    """The dictionary's parts of a compound no row writes, when rows hold every one of them (or a synonym)."""
    parts = [t for t in terms_of(term)[1:] if t != term and t not in QUERY_STOPWORDS]
    if len(parts) < 2:
        return []
    if all(_written_in_some_row(index, p) for p in parts):
        return parts
    # 「桜並木」 where rows say 桜 but no 並木: the first part, what it is of, still finds them (the rest ranks)
    first = parts[0]
    known = (len(first) > 1 or re.fullmatch(r"[一-龥]", first)) and _written_in_some_row(index, first) \
        and _in_titles(index, first)
    return [first] if known else []


def _known_stem(index: SearchIndex, term: str) -> str | None:
    """The known word a compound no row holds is made of, before a one-letter suffix (風呂 of 風呂屋, 非常 of 非常食),
    when it says something (not 市民 of 市民プール)."""
    if len(term) < 3 or not is_noun(term):
        return None
    stem = term[:-1]
    if (re.fullmatch(r"[一-龥々]", term[-1]) and terms_of(stem) == [stem] and stem not in GENERIC_SEARCH_WORDS
            and stem not in QUERY_STOPWORDS and not is_city_word(index, stem) and _written_in_some_row(index, stem)):
        return stem
    return None


_O_SOUNDS = frozenset("オコソトノホモヨロゴゾドボポョ")
_MAX_LONG_VOWELS = 4


def with_long_vowels(index: SearchIndex, term: str) -> str | None:
    """A romaji name's katakana with the long vowels romaji leaves out (Soseki → ソセキ → ソウセキ): the one
    spelling with ウ after some of its o-sounds that a row's reading holds, or None."""
    if not _is_katakana_word(term):
        return None
    spots = [i for i, c in enumerate(term) if c in _O_SOUNDS and term[i + 1:i + 2] != "ウ"]
    if not spots or len(spots) > _MAX_LONG_VOWELS:
        return None
    for mask in range(1, 2 ** len(spots)):
        long = {spot for n, spot in enumerate(spots) if mask >> n & 1}
        spelled = "".join(c + ("ウ" if i in long else "") for i, c in enumerate(term))
        if any(spelled in doc.reading or spelled in doc.description_reading for doc in index.docs):
            return spelled
    return None


def _in_titles(index: SearchIndex, word: str) -> bool:
    """True when some row's title carries the word, or writes it in kana (遊び in 「音あそび」) (cached per index):
    what a row is, not what it mentions."""
    cache = index.__dict__.setdefault("_title_word_cache", {})
    if word not in cache:
        spoken = reading_of(word)
        forms = [word] + ([spoken, to_hiragana(spoken)] if len(spoken) >= 3 and spoken != word else [])
        cache[word] = any(form in doc.title_text for doc in index.docs for form in forms)
    return cache[word]


_VOICED = str.maketrans("カキクケコサシスセソタチツテトハヒフヘホ", "ガギグゲゴザジズゼゾダヂヅデドバビブベボ")


def _rendaku(kana: str) -> str:
    """A katakana word with its first sound voiced, as it is after another word (ホウキ → ボウキ of タケボウキ)."""
    return kana[:1].translate(_VOICED) + kana[1:]


def _kana_words(index: SearchIndex, runs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Kana runs as words; a run no reading has is tried as its parts around の (としょかんのおはなしかい)."""
    out = []
    for run, kana in runs:
        if _kana_known(index, kana) or "ノ" not in kana[1:-1]:
            out.append((run, kana))
            continue
        run_parts, kana_parts = run.split("の"), kana.split("ノ")
        out += [(run_parts[i] if i < len(run_parts) else part, part)
                for i, part in enumerate(kana_parts) if len(part) >= 2]
    return out


def _name_words(parsed: ParsedQuery) -> list[str]:
    """When the reader kept no word, Latin/katakana names (AED, HUG) still mean something; English sentences don't."""
    if parsed.language == "en":
        return [w.lower() for w in re.findall(r"\b[A-Z][A-Z0-9]+\b", parsed.text)]  # acronyms only: AED, not "much"
    return [t for t in query_terms(parsed.normalized or parsed.text)
            if (t.isascii() and t.isalnum() and len(t) >= 2) or _is_katakana_word(t)]


def _is_katakana_word(term: str) -> bool:
    """True for a katakana word of two or more letters."""
    return len(term) >= 2 and all("ァ" <= c <= "ヺ" or c == "ー" for c in term)


def _kana_known(index: SearchIndex, term: str) -> bool:
    """True when every bigram of a katakana word is in some reading or title."""
    grams = bigrams(term)
    return bool(grams) and all(g in index.kana.postings or g in index.grams.postings for g in grams)


def _modifies_a_compound(word: str, text: str) -> bool:
    """True when a word directly precedes another noun (テニス|教室): in Japanese the first part is the specific one."""
    return re.search(re.escape(word) + r"(?=[一-龥々ァ-ヺ])", normalize_text(text)) is not None


def _with_phrase_stand_ins(index: SearchIndex, source: list[str]) -> list[str]:
    """Terms with a several-word synonym form read as one word of its group: 体 + 動かす (「体うごかせる」) → 運動,
    心臓 + マッサージ → 救命. Only where the words would not do as they stand: one is a verb, or no row has any of
    them (防災 + 訓練 stay both required; マラソン + 大会 is not made any 救急 or ランニング row)."""
    for words, singles in phrase_stand_ins(source):
        # a one-character noun (目 of 目の病気) is in rows for other reasons (2回目): it does not say the words work
        if all(is_noun(w) for w in words) and any(_known(index, w) for w in words if len(w) > 1) \
                or _rows_with_all(index, words):
            continue  # おはなし会 where rows say it: its words find them as they stand
        # the group's word that reaches most rows (運動 reaches スポーツ too, 体操 only its own group)
        stand_in = max(singles, key=lambda w: (len(_rows_of(index, w)), -singles.index(w)))
        if not _known(index, stand_in):
            continue  # 温水プール where there is no pool: the words stay, and say what found nothing
        source = [t for t in source if t not in words] + ([stand_in] if stand_in not in source else [])
    return source


def _forms_of(index: SearchIndex, term: str) -> Iterable[str]:
    """The index's words that stand for a term: its own forms and its synonyms' (see expand, word_forms)."""
    return (form for word in expand([term]) for form in index.word_forms(word))


def _rows_of(index: SearchIndex, term: str) -> set[int]:
    """The rows holding the term or one of its synonyms as a word."""
    return {i for form in _forms_of(index, term) for i in index.words.postings.get(form, ())}


def _rows_with_all(index: SearchIndex, words: Iterable[str]) -> bool:
    """True when some row holds every one of the words (or their synonyms)."""
    return bool(set.intersection(*(_rows_of(index, w) for w in words)))


def _added_by_parser(parsed: ParsedQuery) -> set[str]:
    """The words the parser adds beside the resident's own (怪我 → 救急: TERM_EXPANSIONS)."""
    from content.query.parse import TERM_EXPANSIONS

    return {TERM_EXPANSIONS[t] for t in parsed.terms if t in TERM_EXPANSIONS}


def _english_guesses_rank(parsed: ParsedQuery, keywords: list[str], unknown: list[str],
                          optional: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Words read through the synonym dictionary's English headwords (marimba → マリンバ, sign → サイン of
    "sign language") are guesses: beside a word from the table they only rank, and one no row holds is not
    reported as missing; alone, they are the topic."""
    from content.query.english import dictionary_topics
    from content.query.parse import MAX_QUESTION_CHARS

    guessed = set(dictionary_topics(normalize_text(parsed.text or "")[:MAX_QUESTION_CHARS]))
    sure = [k for k in keywords if k not in guessed]
    if not guessed or not (sure or parsed.categories):
        return keywords, unknown, optional
    return sure, [u for u in unknown if u not in guessed], optional + [k for k in keywords if k in guessed]


def _latin_words_in_rows(index: SearchIndex, parsed: ParsedQuery) -> list[str]:
    """Words of an English question that rows write in Latin letters themselves (ZUMBA, SDGs) though the
    translation has no Japanese for them: the topic, like any word the table translates."""
    from content.query.english import untranslated_words
    from content.query.parse import MAX_QUESTION_CHARS

    words = untranslated_words(normalize_text(parsed.text or "")[:MAX_QUESTION_CHARS])
    return [w for w in words if w in index.words.postings]


def _written_in_some_row(index: SearchIndex, term: str) -> bool:
    """True when some row holds the term or one of its synonyms as a word."""
    return any(form in index.words.postings for form in _forms_of(index, term))


def _known(index: SearchIndex, term: str) -> bool:
    """True when some row contains the term (or a synonym), most of its bigrams, or (kana questions) its reading."""
    if _written_in_some_row(index, term):
        return True
    if shortened_in(index, term):
        return True
    grams = bigrams(term)
    if grams and sum(g in index.grams.postings for g in grams) >= max(1, math.ceil(0.6 * len(grams))):
        return True
    reading = reading_grams(term)
    if not reading:
        return False
    if has_kana(term):  # よが: a kana word may be typed loosely, its bigrams anywhere will do
        return all(g in index.kana.postings for g in reading)
    return _reading_in_some_row(index, term, reading)


def _reading_in_some_row(index: SearchIndex, term: str, reading: list[str]) -> bool:
    """True when one row holds a kanji word's whole reading in its title, place or description: 案内 (アンナイ) is
    not known because アン, ンナ and ナイ each sit in some other row."""
    spoken = reading_of(term)
    in_titles = set.intersection(*(set(index.kana.postings.get(g, ())) for g in reading))
    if any(spoken in index.docs[i].reading for i in in_titles):
        return True
    in_descriptions = set.intersection(*(set(index.kana_desc.postings.get(g, ())) for g in reading))
    return any(spoken in index.docs[i].description_reading for i in in_descriptions)


def shortened_in(index: SearchIndex, term: str) -> bool:
    """True for a two-kanji word no row writes but some row writes out in full (直売 of 「直接販売する」)."""
    return (len(term) == 2 and term not in index.words.postings
            and ABBREVIATION_PREFIX + term in index.words.postings and not _has_kana_or_latin(term))


def _has_kana_or_latin(term: str) -> bool:
    """True when a term is not all kanji."""
    return any(not ("一" <= c <= "龥" or c == "々") for c in term)


def _audience_ok(doc: Doc, wanted: set[str]) -> bool:
    """True when the doc is for one of the wanted audiences."""
    return bool(doc.audience_tags & wanted)


def _place_ok(doc: Doc, facility_ids: set[int], facility_names: list[str], districts: list[str]) -> bool:
    """True when the doc is at one of the facilities or in one of the districts."""
    if facility_ids or facility_names:
        if doc.facility_id is not None and doc.facility_id in facility_ids:
            return True
        if doc.place and any(name and (name in doc.place or (len(doc.place) >= 3 and doc.place in name))
                             for name in facility_names):
            return True
    for district in districts:
        if district and (doc.district == district or district in doc.address or district in doc.place):
            return True
    return False


def _event_time_ok(doc: Doc, start: Optional[datetime], end: Optional[datetime], now: datetime,
                   past: bool, time_of_day: Optional[str]) -> bool:
    """Date window, upcoming-only and time-of-day checks for one event."""
    if doc.starts is None:
        # a programme the file gives no date (通年, on request): it answers a question about the topic, never one
        # about a day, a time of day or the past
        return start is None and not past and time_of_day is None
    last = doc.ends or doc.starts
    if doc.all_day:
        if doc.ends is not None and doc.ends > doc.starts and (doc.ends.hour, doc.ends.minute) == (0, 0):
            last = doc.ends - timedelta(minutes=1)  # exclusive midnight end
        else:
            last = last.replace(hour=23, minute=59)
    if start is not None and (doc.starts >= end or last < start):
        return False
    if start is not None and doc.long and doc.repeat is not None and not runs_within(
            doc.repeat, doc.starts.date(), last.date(), start.date(), _last_day_after(end)):
        return False  # 毎週木曜日 from 4/15 to 3/31: on the asked days only when one of them is a Thursday
    if past:
        if doc.starts >= now or doc.starts < now - PAST_WINDOW:
            return start is not None and doc.starts < now
    elif last < now:
        return False
    if time_of_day and not doc.all_day and not _on_at(doc, *TIME_OF_DAY_HOURS[time_of_day]):
        return False
    return True


def _on_at(doc: Doc, first_hour: int, end_hour: int) -> bool:
    """True when an event is on in a part of the day: it or one of its time note's sessions (「10時30分~11時30分・
    19時~20時」) starts then, or it is still under way an hour into it (月まつり 16:00～21:30 is an evening event)."""
    if any(first_hour <= hour < end_hour for hour in (doc.starts.hour,) + doc.session_hours):
        return True
    ends = doc.ends
    return (ends is not None and ends.date() == doc.starts.date() and doc.starts.hour < first_hour
            and ends.hour * 60 + ends.minute >= (first_hour + 1) * 60)


def _on_weekdays(doc: Doc, weekdays: set[int]) -> bool:
    """True when an event falls on one of the weekdays (a long row: when its stated days include one, or any day)."""
    if doc.long:
        return doc.repeat is None or not doc.repeat.weekdays or bool(doc.repeat.weekdays & weekdays)
    if doc.starts is None:
        return False
    # a row of a few days (土・日 of one weekend) is on each of them, not only on its first
    last = doc.ends - timedelta(microseconds=1) if doc.ends and doc.ends > doc.starts else doc.starts
    days = min((last.date() - doc.starts.date()).days, 6)
    return any((doc.starts + timedelta(days=n)).weekday() in weekdays for n in range(days + 1))


def _last_day_after(end: datetime):
    """The day after the last day of a window ending at `end` (exclusive midnight or a clock time)."""
    day = end.date()
    return day if (end.hour, end.minute, end.second) == (0, 0, 0) else day + timedelta(days=1)


def _opportunity_ok(doc: Doc, start: Optional[datetime], end: Optional[datetime], now: datetime) -> bool:
    """An opening still open to take part in (and in the asked window when it has a date)."""
    last = doc.ends or doc.starts
    if last is not None and last < now:
        return False
    if start is not None and doc.starts is not None and (doc.starts >= end or (doc.ends or doc.starts) < start):
        return False
    return True


def _scan(index: SearchIndex, kind: str, start, end, now: datetime, past: bool) -> list[int]:
    """The docs of a kind worth checking; for events only those whose start is near the window (bisect)."""
    docs = index.by_kind[kind]
    if kind != "event" or past:
        return docs
    low = (start or now).timestamp() - index.longest_event
    first = bisect.bisect_left(index.event_starts, low)
    last = bisect.bisect_left(index.event_starts, end.timestamp()) if end is not None else len(docs)
    return docs[first:max(first, last)]


def candidates(index: SearchIndex, parsed: ParsedQuery, kinds: Iterable[str], now: datetime,
               relax: str = "") -> list[int]:
    """Indexes of docs that pass every structured filter (relax: d=dates, p=places, a=audience, f=fee;
    s = the audience only excludes rows that state another audience)."""
    date_range = parsed.date_range if "d" not in relax else None
    start, end = (date_range or (None, None))
    if start is not None and start.tzinfo is None:
        start, end = start.replace(tzinfo=TOKYO), end.replace(tzinfo=TOKYO)
    facility_ids = set(parsed.facility_ids) if "p" not in relax else set()
    facility_names = [normalize_text(p.name) for p in parsed.places if p.kind == "facility"] if "p" not in relax else []
    # 「東益津で何かある？」 matched 東益津小学校 by a piece: events at 東益津地域交流センター are there too
    pieces = [] if "p" in relax else [piece for piece in dict.fromkeys(
        normalize_text(p.matched) for p in parsed.places if p.kind == "facility")
        if len(piece) >= 2 and piece not in facility_names and any(piece in name for name in facility_names)]
    districts = list(parsed.district_names) if "p" not in relax else []
    wanted: set[str] = set()
    if "a" not in relax:
        for tag in parsed.audiences:
            wanted |= AUDIENCE_WIDEN.get(tag, {tag})
    free_only = parsed.free_only and "f" not in relax
    # 「500円以下」: what states a higher price is left out; what states no price stays (ranked after)
    max_price = parsed.max_price if "f" not in relax else None
    past = parsed.past and "d" not in relax
    time_of_day = parsed.time_of_day if "d" not in relax else None
    # 毎週木曜日の体操教室, 今月の土日, 平日の午前: only what runs on those days of the week
    weekdays = set(parsed.weekdays) if parsed.weekdays and "d" not in relax else set()
    out: list[int] = []
    for kind in kinds:
        # 無料 filters only where the file states fees at all; a file without a fee column cannot say "not free"
        free_only = parsed.free_only and "f" not in relax and states_fees(index, kind)
        for i in _scan(index, kind, start, end, now, past):
            doc = index.docs[i]
            if kind == "facility":
                if (facility_ids or facility_names) and doc.id not in facility_ids and doc.place not in facility_names:
                    continue
                if districts and not facility_ids and not _place_ok(doc, set(), [], districts):
                    continue
                if free_only and doc.is_free is not True and not facility_ids:
                    continue  # 無料で見られる観光地: a facility whose published fee says 無料
                if max_price is not None and doc.price is not None and doc.price > max_price:
                    continue
                out.append(i)
                continue
            if (facility_ids or facility_names or districts) and not _place_ok(
                    doc, facility_ids, facility_names + pieces, districts):
                continue
            if wanted and kind == "event" and not _audience_ok(doc, wanted) and not (
                    "s" in relax and doc.audience_tags <= {"anyone"}):
                continue  # an opening's audience is who may help, not who it is for: no filter there
            if free_only and (doc.is_free is False if "u" in relax else doc.is_free is not True):
                continue  # "u": no row said 無料; those stating no fee stay, those stating a price do not
            if max_price is not None and doc.price is not None and doc.price > max_price:
                continue
            if kind == "event":
                if not _event_time_ok(doc, start, end, now, past, time_of_day):
                    continue
                if weekdays and not _on_weekdays(doc, weekdays):
                    continue
            elif not _opportunity_ok(doc, start, end, now):
                continue
            out.append(i)
    return out


def _age_fit(doc, age: Optional[int]) -> int:
    """1 when the row states ages including the asked one, -1 when its stated ages leave it out, else 0."""
    if age is None or doc.ages is None:
        return 0
    return 1 if doc.ages[0] <= age <= doc.ages[1] else -1


def states_fees(index: SearchIndex, kind: str) -> bool:
    """True when some row of this kind states whether it is free (cached per index)."""
    cache = index.__dict__.setdefault("_states_fees", {})
    if kind not in cache:
        cache[kind] = any(index.docs[i].is_free is not None for i in index.by_kind.get(kind, ()))
    return cache[kind]


def _starting_first(index: SearchIndex, ranked: list[tuple[int, float]], parsed: ParsedQuery, now: datetime,
                    relax: str, weak: bool = False) -> list[tuple[int, float]]:
    """Within a relevance band, what starts in the asked window comes before what merely is still running.

    weak: no word had to match (only audience or category words ranked): a months-long row that began before
    the window then comes after everything that starts in it, whatever it scored.
    """
    asked = bool(parsed.date_range) and "d" not in relax
    window = parsed.date_range[0] if asked else now
    if window.tzinfo is None:
        window = window.replace(tzinfo=TOKYO)
    start_ts = window.timestamp()
    position = {pair[0]: n for n, pair in enumerate(ranked)}
    def relevance(pair) -> float:
        """The score, a months-long row (a weekly class as one span) damped below what is on that date."""
        doc = index.docs[pair[0]]
        running = doc.kind == "event" and doc.start_ts < start_ts
        return pair[1] * (LONG_ROW_DAMPING if running and doc.long and asked else 1.0)
    band = relevance_bands([relevance(pair) for pair in ranked])
    def key(pair):
        """Band, running-before-window, previous position."""
        doc = index.docs[pair[0]]
        running = doc.kind == "event" and doc.start_ts < start_ts
        unpriced = parsed.max_price is not None and doc.price is None  # 500円以下: a stated price under it first
        return (weak and running and doc.long, -_age_fit(doc, parsed.age), band[relevance(pair)], unpriced,
                running, position[pair[0]])
    ordered = sorted(ranked, key=key)
    return ordered if asked else _occurrences_in_date_order(index, ordered)


def _occurrences_in_date_order(index: SearchIndex, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The rows of one title that match as well (梅まつり of 2019 and of 2020) take the places they hold in date
    order: with no days asked, the one on now comes before next year's (not before one at the asked place)."""
    band = relevance_bands([score for _i, score in ranked])
    slots: dict[tuple[str, int], list[int]] = {}
    for n, (i, score) in enumerate(ranked):
        doc = index.docs[i]
        if doc.kind == "event" and doc.starts is not None:  # an undated row is no occurrence
            slots.setdefault((doc.title, band[score]), []).append(n)
    out = list(ranked)
    for positions in slots.values():
        if len(positions) > 1:
            pairs = sorted((ranked[n] for n in positions), key=lambda pair: index.docs[pair[0]].start_ts)
            for n, pair in zip(positions, pairs):
                out[n] = pair
    return out


BAND_WIDTH = 0.1  # scores within 10 % of a band's best are "as relevant": date decides among them


def relevance_bands(scores: list[float]) -> dict[float, int]:
    """score → band number (0 = best): each band holds the scores within BAND_WIDTH of its highest, so two
    near-equal scores never fall either side of a fixed boundary (0.95 and 1.0 are one band)."""
    bands: dict[float, int] = {}
    band, leader = -1, None
    for score in sorted(set(scores), reverse=True):
        if leader is None or score <= leader - BAND_WIDTH + 1e-9:
            band, leader = band + 1, score
        bands[score] = band
    return bands


def _season_terms(index: SearchIndex, parsed: ParsedQuery) -> list[str]:
    """Season words of the date label that titles also carry (クリスマス), as search terms."""
    label = parsed.date_label or ""
    out = []
    for word in SEASON_WORDS:
        if word in label or word in (parsed.normalized or ""):
            for term in terms_of(word):
                if term in index.words.postings and term not in QUERY_STOPWORDS and term not in out:
                    out.append(term)
    return out


THEMED_WORDS = ("クリスマス", "ハロウィン", "ハロウィーン", "七夕", "節分", "ひな祭り", "ひなまつり", "花火")


def _themed_word(parsed: ParsedQuery) -> str | None:
    """A themed day (クリスマス, not 夏休み) that is the whole date of the question: the subject, not just the days."""
    label = parsed.date_label or ""
    if not _only_season_words(label):
        return None
    return next((word for word in THEMED_WORDS if word in label), None)


def _only_season_words(label: str | None) -> bool:
    """True when a date label is made of season words only (「クリスマス」, not 「今月・クリスマス」)."""
    rest = label or ""
    for word in SEASON_WORDS:
        rest = rest.replace(word, "")
    return bool(label) and not rest.strip(" ・、")


def _order_key(doc: Doc, band: int, past: bool, score: float = 0.0):
    """Sort key: relevance band (relevance_bands), then date (soonest first; latest first for past questions), then
    the score: rows on the same date or with none (facilities) go by how well they matched, not by their titles."""
    return (band, -doc.start_ts if past else doc.start_ts, -score, doc.title, doc.id)


# 「月曜に」「週末に」 with no 今度 or 来週
BARE_WEEKDAY_LABELS = frozenset([f"{day}曜日" for day in "月火水木金土日"] + ["週末", "土日"])


def search(session, parsed: ParsedQuery, *, now: datetime, relax: str = "", kinds: tuple | None = None,
           index: SearchIndex | None = None, season_required: bool = False,
           min_coverage: float = MIN_COVERAGE) -> SearchResult:
    """Every matching row for a parsed question, best first (at most MAX_HITS). Finding nothing, a bare weekday
    (「月曜にあるって聞いた」) tries the later ones, and a question about the past that names no day
    (「バスケの選手が来るイベントってあった？」) gets what is coming; the result says which (SearchResult)."""
    result = _search_rows(session, parsed, now=now, relax=relax, kinds=kinds, index=index,
                          season_required=season_required, min_coverage=min_coverage)
    if result.hits or "d" in relax:
        return result
    bare_weekday = (parsed.date_label or "").split("の")[0] in BARE_WEEKDAY_LABELS  # 「月曜の朝」 too
    if parsed.weekdays and parsed.date_range is not None and bare_weekday:
        # 「更級日記の講座 月曜にあるって聞いた」: not next Monday, but one of the Mondays to come
        # (「水曜の午前」 asked at noon on a Wednesday: this morning is over, the coming ones are meant)
        today_over = parsed.date_range[0].date() == now.date()
        later = _search_rows(session, dataclasses.replace(parsed, date_range=None, date_label=None,
                                                          past=parsed.past and not today_over),
                             now=now, relax=relax, kinds=kinds, index=index, season_required=season_required,
                             min_coverage=min_coverage)
        if later.hits:
            later.weekday_later = parsed.date_label.split("の")[0]  # 「月曜日の午前」: the mornings of later Mondays
            return later
    if (_long_span(parsed) or parsed.date_label in SEASON_WORDS) and result.keywords and not result.unknown:
        # 「来年 保育園に入れたい 説明会ある？」: 来年 is when the child starts, not when the meeting is;
        # 「夏休みの自由研究 作品が見れるとこ」: the homework is the summer's, the show is in September
        coming = _search_rows(session, dataclasses.replace(parsed, date_range=None, date_label=None), now=now,
                              relax=relax, kinds=kinds, index=index, season_required=season_required,
                              min_coverage=min_coverage)
        if coming.hits:
            coming.span_instead = parsed.date_label or ""
            return coming
    if not parsed.past or parsed.date_range is not None:
        return result
    coming = _search_rows(session, dataclasses.replace(parsed, past=False), now=now, relax=relax, kinds=kinds,
                          index=index, season_required=season_required, min_coverage=min_coverage)
    if not coming.hits:
        return result
    coming.upcoming_instead = True
    return coming


LONG_SPAN_DAYS = 90  # 今年, 来年: a span this long names a year, seldom the day of the thing asked about


def _long_span(parsed: ParsedQuery) -> bool:
    """True when the question's dates span a season or more (今年, 来年) and it is about what is to come."""
    if parsed.date_range is None or parsed.past:
        return False
    start, end = parsed.date_range
    return (end - start).days >= LONG_SPAN_DAYS


def _search_rows(session, parsed: ParsedQuery, *, now: datetime, relax: str = "", kinds: tuple | None = None,
                 index: SearchIndex | None = None, season_required: bool = False,
                 min_coverage: float = MIN_COVERAGE) -> SearchResult:
    """Every matching row for a parsed question, best first (at most MAX_HITS).

    Season words (クリスマス) rank within their date range; when that finds nothing and the date was only
    the season word, the search runs again for titles carrying the word on any date (クリスマスコンサート on 12/7).
    """
    index = index or current_index(session)
    if now.tzinfo is None:
        now = now.replace(tzinfo=TOKYO)
    terms, unknown, optional = ([], [], []) if "k" in relax else keyword_terms(index, parsed)
    season = [] if "k" in relax or "d" in relax else _season_terms(index, parsed)
    themed = _themed_word(parsed) if not (terms or unknown or season_required or "k" in relax or "d" in relax) else None
    if themed and not season:
        # 「クリスマスのイベント」 where no row has the word: not every event of 12/25, but "nothing for クリスマス"
        return SearchResult(kinds=tuple(kinds or kinds_for(parsed.intent)), unknown=[themed], relaxed=relax)
    if themed:
        # only rows carrying the word, on any coming date (クリスマス会 on 12/15 is a Christmas event too)
        season_required = True
        terms = list(season)
        season = []
        parsed = dataclasses.replace(parsed, date_range=None, date_label=themed)
    if season and season_required and parsed.date_range is not None and not themed:
        terms = terms + [t for t in season if t not in terms]
        parsed = dataclasses.replace(parsed, date_range=None, date_label=None)
        season = []

    if not kinds:
        kinds = kinds_for(parsed.intent)
        if terms and parsed.intent == "events":
            kinds = ("event", "opportunity")  # 「草刈り」「バドミントン大会のスタッフ」: openings match by words
        elif terms and parsed.intent == "participate":
            kinds = ("opportunity", "event")
    allowed = candidates(index, parsed, kinds, now, relax)
    place_text = normalize_text(parsed.place_text_unmatched or "") if not parsed.places else ""
    place_label: list[str] = []
    if place_text and len(place_text) >= 3 and not _is_event_place(index, place_text):
        # 「にしがわら公民舘」: the events' place named by its sound (Sudachi reads 西河原 にしがはら)
        place_text = _event_place_by_reading(index, parsed.normalized or parsed.text) or place_text
    if place_text and len(place_text) >= 3 and _is_event_place(index, place_text):
        # 「中央図書館で何かある？」 with no facility table: the place names on the events themselves
        place_words = set(terms_of(place_text))
        place_sound = _sound(reading_of(place_text))
        # ニシガワラ of 「にしがわら公民舘」 spells the place: it is the filter, not a word to rank
        terms = [t for t in terms if t not in place_words and not (len(t) >= 2 and _sound(reading_of(t)) in place_sound)]
        by_sound = place_text not in normalize_text(parsed.place_text_unmatched or "")
        place_label = [place_text if by_sound else parsed.place_text_unmatched]
        if "p" not in relax:  # nothing there on those days is the answer, not another hall's events
            # a row that names no place but has it in its title (やしお生涯楽習館利用講習会) is there too
            allowed = [i for i in allowed if index.docs[i].kind != "facility" and (
                place_text in index.docs[i].place or (not index.docs[i].place and place_text in index.docs[i].title_text))]
    # a town may be a word no row holds as a word (東区 of 福岡市東区千早): the unknown nouns are tried too
    towns = _town_words(index, list(dict.fromkeys(terms + unknown + _area_phrases(parsed)))) \
        if not parsed.places else []
    if towns:
        # 「猪方でなにかある？」: a 町名 of the events' addresses is a place to filter on, not a word to rank
        text = normalize_text(parsed.normalized or parsed.text)
        # 班 of 班島; 町 of 祇園町, where the addresses' word is 祇園町 but the town found is 祇園
        terms = [t for t in terms if t not in towns and not any(t in town or (len(t) == 1 and town + t in text)
                                                                for town in towns)]
        unknown = [u for u in unknown if not any(t in u or u in t for t in towns)]  # 能美市 is met by its town 能美
        if "p" not in relax:
            allowed = [i for i in allowed if all(t in index.docs[i].address or t in index.docs[i].place for t in towns)]
    if unknown and parsed.audiences and not terms and all(u in GENERIC_SEARCH_WORDS or not is_noun(u) for u in unknown):
        # 「障害のある人が相談できるセンター」「パパと子どもが集まって遊ぶやつ」: who it is for is the subject; 相談
        # or a verb no row writes only ranks
        optional, unknown = optional + unknown, []
    elif any(u not in GENERIC_SEARCH_WORDS for u in unknown):  # 「囲碁の大会」: 囲碁 is what found nothing, not 大会
        unknown = [u for u in unknown if u not in GENERIC_SEARCH_WORDS]
    if set(kinds) == {"facility"} and not parsed.places and unknown and all(t in GENERIC_SEARCH_WORDS for t in terms):
        # 「公民館」 where there is none; 「市民プール」 where there is no pool (市民 alone names no kind of place)
        return SearchResult(kinds=tuple(kinds), unknown=unknown, relaxed=relax)
    missing: list[str] = []
    if parsed.intent not in ("events", "unknown"):
        unknown = []  # the intent itself (facility, taking part) is enough to answer with what there is
    elif terms and unknown:
        # ヨガ教室 with no yoga: the unknown word is the subject, 教室 alone answers nothing. 天体観測 / 食べ物の寄付:
        # the distinctive words that did match answer, and the resident is told which word found nothing.
        distinctive = [t for t in terms if t not in GENERIC_SEARCH_WORDS and not is_city_word(index, t)]
        # 仕事探し when 仕事 matched: the compound is met by its own part, nothing to report; a generic word
        # (使い方 where no row says it) says how the question is put, not what is missing
        unknown = [u for u in unknown if not any(len(t) > 1 and t in u for t in distinctive)
                   and u not in GENERIC_SEARCH_WORDS]
        if distinctive and missing_phrases(parsed, unknown) <= len(distinctive):
            missing, unknown = unknown, []
    generic = [t for t in terms if t in GENERIC_SEARCH_WORDS]
    # 「月曜の夕方5時過ぎても見学できるとこ」: places open then; 見学 only ranks those saying it first
    timed_places = set(kinds) == {"facility"} and bool(parsed.date_range or parsed.exact_time or parsed.time_of_day)
    if generic and (len(generic) < len(terms) or parsed.audiences or parsed.categories or timed_places) \
            and "k" not in relax:
        # 「手話を習いたい」: with the subject read as an audience or a category, 習う alone must not be required
        # 清掃活動 / 英会話の教室: the specific word must match; 活動, 教室 only rank (ビーチクリーン is a 清掃活動)
        terms = [t for t in terms if t not in generic]
        optional = optional + generic
    # 防犯 of 防犯灯: a sub-word of a word that is itself known only ranks; the whole word must match
    subwords = [t for t in terms if any(is_part_of(t, other) for other in terms)]
    terms = [t for t in terms if t not in subwords]
    if "u" in relax:
        optional = optional + ["無料"]  # no row states 無料 in its fee: one saying it in its description ranks up
    categories = [] if "k" in relax else (list(parsed.categories) + audience_boosts(parsed) + subwords + season
                                          + optional + parsed.near_words)
    result = SearchResult(kinds=tuple(kinds), keywords=terms, unknown=unknown, relaxed=relax,
                          towns=place_label + towns, missing=missing)
    if not allowed or unknown:
        return (_season_retry(session, parsed, now, relax, kinds, index, season, season_required)
                or (None if unknown else _unstated_retry(session, parsed, now, relax, kinds, index, terms))
                or result)
    if set(kinds) == {"facility"} and parsed.facility_ids and "p" not in relax:
        # the named facility is the answer; the other words (電話番号, コート) only order several matches
        words = [t.lower() for t in parsed.terms] + terms
        order = _facilities_in_place_order(index, parsed, allowed, words)
        # 「タダでできるキャンプ場」: デイキャンプは無料; 「野首の教会の近くの海岸」: 野首海岸; 「頼山陽の資料館」: 頼山陽
        # is in one of the 資料館's names only
        others = terms + _name_words_apart(index, parsed, allowed) + (["無料"] if parsed.free_only else []) \
            + parsed.near_words
        # 「車いすでも楽しめる観光施設」: those whose file states a way in for the asked audience first
        audience = {AUDIENCE_PREFIX + tag: 0.5 for tag in parsed.audiences}
        ranked = [(i, 1.0) for i in order]
        if (others or audience) and named_by_kind(parsed):
            # 「釣りができる公園」: 公園 matched every park's name; the other words decide which parks come first
            ranked = _by_other_words(index, order, others, audience)
            # the words single some out when they meet some of the places and not others at all (泳ぐ of
            # 「冬でも泳げるプール」 meets every pool: the season decides then)
            met = [i for i, relative in ranked if relative > UNMET]
            result.words_decide = 0 < len(met) < len(ranked)
            if parsed.free_only:  # a fee published as 無料 first, then those saying 無料 somewhere
                band = relevance_bands([relative for _i, relative in ranked]) if result.words_decide else {}
                ranked.sort(key=lambda pair: (band.get(pair[1], 0), index.docs[pair[0]].is_free is not True))
    else:
        ranked = _rank(index, parsed, allowed, terms, categories, min_coverage)
        if set(kinds) == {"facility"} and terms:
            ranked = _kind_at_name_end_first(index, ranked, terms)
        if not ranked and (len(terms) >= 3 or len(terms) == 2 and not relax) and "k" not in relax:
            # 「認知症の親を介護してる人どうしで話せる会」: a long question; the rows meeting most of its rarer words
            # are the answer, and the words they lack are named (nothing found only when nothing fits). Two words
            # (椿 + 案内) count too, but only as asked: a retry without the place or days is already a near answer
            # (「秋分の日に何か作る体験」 names only generic things: a row of the day doing either is near)
            only_generic = all(t in GENERIC_SEARCH_WORDS for t in terms)
            ranked = _rank(index, parsed, allowed, terms, categories, 0.0 if only_generic else PARTIAL_COVERAGE)
            # a row meeting only 安く of 「安くなるお風呂」 is not near: a near row holds a thing the resident named
            nouns = terms if only_generic else [t for t in terms if is_noun(t)]
            ranked = [(i, r) for i, r in ranked if any(doc_has(index, i, t) for t in nouns)]
            if ranked:
                result.missing = [t for t in terms if len(t) > 1 and is_noun(t) and not doc_has(index, ranked[0][0], t)
                                  and t not in _added_by_parser(parsed)]
    if not parsed.past:
        ranked = _starting_first(index, ranked, parsed, now, relax, weak=not terms)
    for i, relative in ranked[:MAX_HITS]:
        doc = index.docs[i]
        result.hits.append(Hit(doc.kind, doc.id, relative, starts=doc.starts))
    if not result.hits:
        return (_season_retry(session, parsed, now, relax, kinds, index, season, season_required)
                or _unstated_retry(session, parsed, now, relax, kinds, index, terms) or result)
    return result


# Conditions that, when no row states them, give way to the topic's rows that state nothing about them:
# (the ParsedQuery field asked, the relax letter of that retry, the letter that dropped the condition already,
# the SearchResult flag the answer reads to say so).
# - 「手話を習いたい」 read as 障がいのある方向け finds the 手話 course for anyone;
# - 「無料で聴けるコンサート」 where the file writes fees only for some rows leaves out only what states a price.
# - 「家族が脳の後遺症で…相談できる？」: the topic's only rows are for another audience (障がいのある方): they are
#   shown, said so, rather than nothing — but only for topic words, never for days alone (kids' events this weekend
#   are not answered with seniors' ones).
_UNSTATED_RETRIES = (("audiences", "s", "a", "audience_unstated"), ("free_only", "u", "f", "fee_unstated"),
                     ("audiences", "a", "a", "audience_other"))


def _unstated_retry(session, parsed, now, relax, kinds, index, terms) -> SearchResult | None:
    """The rows of the asked topic, days or place that state nothing about an asked audience or fee, when none
    states it: audience and fee words are soft and never empty what the rest would fill (audience first)."""
    if not (terms or parsed.date_range or parsed.weekdays or parsed.places or parsed.categories):
        return None  # only an audience or a fee asked: nothing else says which rows would do
    for asked, letter, dropped, flag in _UNSTATED_RETRIES:
        if not getattr(parsed, asked) or letter in relax or dropped in relax or (flag == "audience_other" and not terms):
            continue
        if asked == "audiences" and not (terms or parsed.date_range or parsed.weekdays or parsed.places):
            # 「障害のある人が相談できるセンター」: with who it is for and a category (相談) only, any row stating no
            # audience would do as well as another; the places for them answer instead
            continue
        retry = search(session, parsed, now=now, relax=relax + letter, kinds=kinds, index=index)
        if retry.hits:
            # the nested retry that dropped the audience says so; not also "no audience stated"
            setattr(retry, flag, not (flag == "audience_unstated" and retry.audience_other))
            return retry
    return None


def doc_has(index: SearchIndex, i: int, term: str) -> bool:
    """True when a doc contains the term or one of its synonyms as a word."""
    return any(i in index.words.postings.get(form, ()) for form in _forms_of(index, term))


def is_city_word(index: SearchIndex, term: str) -> bool:
    """True for a word in most rows' addresses (the city's own name, 焼津): it tells no row from another."""
    cache = index.__dict__.setdefault("_city_word_cache", {})
    if term not in cache:
        found = False
        for kind in ("facility", "event"):
            docs = index.by_kind.get(kind) or []
            with_address = [i for i in docs if index.docs[i].address]
            if len(with_address) >= 5 and sum(term in index.docs[i].address for i in with_address) >= 0.8 * len(with_address):
                found = True
        cache[term] = found
    return cache[term]


def missing_phrases(parsed: ParsedQuery, unknown: list[str]) -> int:
    """How many things the unknown words name: words written next to each other in the question are one
    (心臓 + マッサージ of 「心臓マッサージ」), and so is an example and its kind (「バイオリンとかの弦楽器」)."""
    text = normalize_text(parsed.normalized or parsed.text)
    count = 0
    for n, word in enumerate(unknown):
        if not (n and re.search(re.escape(unknown[n - 1]) + _EXAMPLE_JOINER + re.escape(word), text)):
            count += 1
    return count


_EXAMPLE_JOINER = r"(?:とかの?|や|などの?|みたいな|のような)?"


_NO_TOWNS = frozenset({"駅前", "駅東", "駅西", "駅南", "駅北", "市内", "町内", "村内", "区内", "中心", "市街", "郊外"})


def _town_words(index: SearchIndex, terms: list[str]) -> list[str]:
    """Terms that name a town of the events' addresses (東野川) and appear in no row's title or place."""
    towns = []
    cache = index.__dict__.setdefault("_town_cache", {})  # per index: the answer never changes until a rebuild
    for term in terms:
        if term in GENERIC_SEARCH_WORDS or term in _NO_TOWNS:
            continue  # まちなか (町中) is downtown, 駅前 the front of any station: never a town of the addresses
        if term not in cache:
            cache[term] = _is_town(index, term)
        if cache[term]:
            towns.append(term)
    return towns


_AREA_PHRASE = re.compile(r"([一-龥々ァ-ヺー]{2,6})の?(?:ほう|方面|あたり|辺り|付近|周辺)")


def _area_phrases(parsed: ParsedQuery) -> list[str]:
    """「班島のほうの見どころ」: the name before ほう / あたり, whole (Sudachi cuts 班島 into 班 + 島), to try as a town."""
    return [m.group(1) for m in _AREA_PHRASE.finditer(normalize_text(parsed.normalized or parsed.text))]


def _is_event_place(index: SearchIndex, place_text: str) -> bool:
    """True when some event (any date) is held at a place whose name contains the text (cached per index)."""
    cache = index.__dict__.setdefault("_event_place_cache", {})
    if place_text not in cache:
        cache[place_text] = any(place_text in doc.place for doc in index.docs if doc.kind == "event")
    return cache[place_text]


_SOUND_FOLD = str.maketrans({"ハ": "ワ", "ヲ": "オ", "ヅ": "ズ", "ヂ": "ジ", "ー": None})


def _sound(reading: str) -> str:
    """A katakana reading folded to how it sounds (ハ/ワ, ヲ/オ, ヅ/ズ alike; no long-vowel marks)."""
    return (reading or "").replace(" ", "").translate(_SOUND_FOLD)


def words_beyond_places(parsed: ParsedQuery, words: list[str]) -> list[str]:
    """The words that do not spell a matched place (ミドリ of みどり市民体育舘 does; ハロウィーン does not)."""
    sounds = [_sound(reading_of(text)) for p in parsed.places for text in (p.matched, p.name) if text]
    def spells_place(word: str) -> bool:
        """The word is part of a place's reading, or holds one (トショカンノジカン)."""
        sound = _sound(reading_of(word))
        return any(sound in s or (len(s) >= 2 and s in sound) for s in sounds)
    return [w for w in words if len(w) >= 2 and not spells_place(w)]


def _event_place_by_reading(index: SearchIndex, text: str) -> str | None:
    """The longest events' place name whose reading the question's reading contains (kana-typed names), or None."""
    readings = index.__dict__.get("_event_place_readings")
    if readings is None:
        places = {doc.place for doc in index.docs if doc.kind == "event" and doc.place and len(doc.place) >= 3}
        readings = {place: _sound(reading_of(place)) for place in sorted(places)}
        index.__dict__["_event_place_readings"] = readings
    question = _sound(reading_of(text))
    found = [place for place, reading in readings.items() if len(reading) >= 6 and reading in question]
    return max(found, key=lambda p: (len(readings[p]), p)) if found else None


def _is_town(index: SearchIndex, term: str) -> bool:
    """True when some event's address has the term and no row's title or place does."""
    if len(term) < 2 or term.isascii() or not (is_noun(term) or is_place_name(term)):
        return False
    # Only the rows with the word somewhere, not every row; but an address may be cut into words another way
    # (福岡市東区千早 holds no word 東区, 祇園町 no word 祇園), so with no such row every address is looked at.
    posting = index.words.postings.get(term) or range(len(index.docs))
    in_address = False
    for i in posting:
        doc = index.docs[i]
        if term in doc.title_text or term in doc.place:
            return False
        in_address = in_address or term in doc.address  # 能美 of 石川県能美市徳丸町: the facility's town
    return in_address


def _season_retry(session, parsed, now, relax, kinds, index, season, already) -> SearchResult | None:
    """The same search for titles with the season word on any date, when the date was only that word."""
    if already or not season or not _only_season_words(parsed.date_label):
        return None
    retry = search(session, parsed, now=now, relax=relax, kinds=kinds, index=index, season_required=True)
    return retry if retry.hits else None


def _rank(index: SearchIndex, parsed: ParsedQuery, allowed: list[int], terms: list[str],
          categories: list[str], min_coverage: float = MIN_COVERAGE) -> list[tuple[int, float]]:
    """(doc index, relative score) in display order."""
    past = parsed.past
    # a facility for the asked audience (動物園 for 子ども連れ) ranks up; events were filtered by it already
    audience = {AUDIENCE_PREFIX + tag: 0.5 for tag in parsed.audiences
                if any(index.docs[i].kind == "facility" for i in allowed[:1] + allowed[-1:])}
    if not terms and not categories and not audience:
        # candidates come in start order already (events by start, then openings, then facilities)
        order = list(reversed(allowed)) if past else allowed
        if parsed.places and index.docs[allowed[0]].kind == "facility":
            order = _facilities_in_place_order(index, parsed, allowed)
        return [(i, 1.0) for i in order]
    extra = dict(audience)
    for category in categories:
        for term in terms_of(category):
            extra.setdefault(term, 0.5)
        if category in parsed.categories:
            extra[CATEGORY_PREFIX + category] = 0.5
    # a word that names a category (スポーツ, パソコン) is also met by rows of that category
    aliases = {t: {CATEGORY_PREFIX + t: 0.8} for t in terms if t in parsed.categories}
    # 直売 met by 「直接販売」 where no row writes 直売: the written-out form counts as the word
    aliases.update({t: {ABBREVIATION_PREFIX + t: 0.8} for t in terms if shortened_in(index, t)})
    scored = index.score_terms(terms, extra, allowed=set(allowed), aliases=aliases)
    if terms:
        scored = {i: v for i, v in scored.items() if v[1] >= min_coverage}
    if not scored:
        if terms:
            return []
        return [(i, 1.0) for i in sorted(allowed, key=lambda i: _order_key(index.docs[i], 0, past))]
    best = max(score for score, _share in scored.values())
    kept = [(i, score / best) for i, (score, _share) in scored.items() if score >= RELATIVE_CUTOFF * best]
    if terms and any(scored[i][1] >= FULL_SHARE and _titled_with(index, i, terms) for i, _relative in kept):
        # 「卓球ならいたい 初心者でも」: with a row titled with the words themselves, rows met by none of them (only
        # through a broader word, スポーツ) come after, however much the ranking words (初心者) add to those
        top = max(relative for i, relative in kept if scored[i][1] > SYNONYMS_ONLY)
        kept = [(i, min(relative, top) * scored[i][1] if scored[i][1] <= SYNONYMS_ONLY else relative)
                for i, relative in kept]
    if not terms:  # categories only boost: rows without the category still count
        kept_ids = {i for i, _ in kept}
        kept += [(i, 0.0) for i in allowed if i not in kept_ids]
    band = relevance_bands([relative for _i, relative in kept])
    kept.sort(key=lambda pair: _order_key(index.docs[pair[0]], band[pair[1]], past, pair[1]))
    return kept


def _name_words_apart(index: SearchIndex, parsed: ParsedQuery, allowed: list[int]) -> list[str]:
    """The resident's words found in some of the named places' names but not all: they tell the places apart
    (頼山陽 of 「頼山陽の資料館」 among seven 資料館), where the kind word they share does not."""
    titles = [normalize_text(index.docs[i].title) for i in allowed]
    # 体育館 (and its piece 体育) is the kind the places were matched by; 嵐山, in some names, tells them apart
    kinds = [word for word in (normalize_text(p.matched or "") for p in parsed.places) if word.endswith(PLACE_SUFFIXES)]
    return [t for t in dict.fromkeys(t.lower() for t in parsed.terms)
            if len(t) > 1 and not any(t in kind for kind in kinds)
            and 0 < sum(t in title for title in titles) < len(titles)]


def _titled_with(index: SearchIndex, i: int, terms: list[str]) -> bool:
    """True when a row's title holds every one of the words as written."""
    title = normalize_text(index.docs[i].title)
    return all(term in title for term in terms)


def named_by_kind(parsed: ParsedQuery) -> bool:
    """True when the facilities were matched only by a kind of place (公園, 美術館) shared by several names."""
    matched = [normalize_text(p.matched) for p in parsed.places if p.kind == "facility"]
    return len(matched) >= 2 and len(set(matched)) < len(matched)


UNMET = 0.5  # the relative score of a place of the asked kind that none of the other words meets


def _by_other_words(index: SearchIndex, order: list[int], terms: list[str],
                    extra: dict[str, float] | None = None) -> list[tuple[int, float]]:
    """Facilities of one kind with those whose text (description, address, hours) meets the words first, each
    with its score relative to the best (1.0 for all when no row meets them).

    The words only rank: a park whose description does not say 釣り is still a park, listed after those that do.
    """
    scored = index.score_terms(terms, extra or {}, allowed=set(order))
    position = {i: n for n, i in enumerate(order)}
    ranked = sorted(order, key=lambda i: (-scored.get(i, (0.0, 0.0))[0], position[i]))
    best = max((score for score, _share in scored.values()), default=0.0)
    if best <= 0:
        return [(i, 1.0) for i in ranked]
    # UNMET and up: a park that does not say 釣り is still a park, but not as relevant as one that does
    return [(i, UNMET + (1 - UNMET) * scored.get(i, (0.0, 0.0))[0] / best) for i in ranked]


def _facilities_in_place_order(index: SearchIndex, parsed: ParsedQuery, allowed: list[int],
                               words: list[str] | None = None) -> list[int]:
    """Facilities by match quality: in a named district, or named with the other words (東益津の交流センター),
    then the parser's score and order."""
    districts = set(parsed.district_names)
    best: dict[int, tuple] = {}
    for rank, place in enumerate(parsed.places):
        if place.kind == "facility" and place.id is not None:
            best.setdefault(place.id, (-place.score, rank))
    def key(i: int):
        """District named first, then the parser's score and order."""
        doc = index.docs[i]
        named = sum(1 for w in words or () if len(w) > 1 and w in normalize_text(doc.title))
        return (0 if doc.district in districts else 1, -named, best.get(doc.id, (0.0, len(best))), doc.title)
    return sorted(allowed, key=key)


NAME_NOTE = re.compile(r"\s*[（(【「\[].*$")  # 「（テニスコート）」 after a name names a part of it


def _kind_at_name_end_first(index: SearchIndex, ranked: list[tuple[int, float]],
                            terms: list[str]) -> list[tuple[int, float]]:
    """Within a relevance band, the facilities whose names end with a word asked for (or its synonym) first:
    「温泉」 finds ひょっこり温泉島の湯 before 和倉温泉運動公園, where 温泉 is the town's name."""
    words = tuple(sorted({w for t in terms for w in expand([t]) if not w.startswith(PHRASE_PREFIX)}))
    band = relevance_bands([score for _i, score in ranked])
    return sorted(ranked, key=lambda pair: (band[pair[1]], not _ends_with_kind(index.docs[pair[0]].title, words)))


def _ends_with_kind(name: str, kinds: tuple[str, ...]) -> bool:
    """True when a name ends with the asked kind (ひょっこり温泉島の湯 is baths): 温泉 of 和倉温泉運動公園 is the
    town's name in a sports ground's."""
    base = NAME_NOTE.sub("", normalize_text(name))
    return any(base.endswith(kind) for kind in kinds)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def nearby(session, latitude: float, longitude: float, *, now: datetime, facility_limit: int = 5,
           event_limit: int = 5, event_days: int = 14, max_km: float = 10.0,
           index: SearchIndex | None = None) -> tuple[list[Hit], list[Hit]]:
    """(nearest facilities, nearest upcoming events within event_days), each nearest first."""
    index = index or current_index(session)
    if now.tzinfo is None:
        now = now.replace(tzinfo=TOKYO)
    horizon = now + timedelta(days=event_days)
    facilities, events = [], []
    for doc in index.docs:
        if doc.latitude is None or doc.longitude is None:
            continue
        distance = haversine_m(latitude, longitude, doc.latitude, doc.longitude)
        if distance > max_km * 1000:
            continue
        if doc.kind == "facility":
            facilities.append(Hit("facility", doc.id, 1.0, distance))
        elif doc.kind == "event" and doc.starts is not None:
            last = doc.ends or doc.starts
            if last >= now and doc.starts < horizon:
                events.append(Hit("event", doc.id, 1.0, distance, starts=doc.starts))
    facilities.sort(key=lambda h: h.distance_m)
    events.sort(key=lambda h: (round(h.distance_m / 500), h.starts))  # same neighbourhood → soonest first
    return facilities[:facility_limit], events[:event_limit]
