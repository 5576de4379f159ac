"""Answers to residents' questions: a short line, a carousel of what matched, and choices to narrow down.

Never a dead end: no result → say so plainly, offer the relaxed searches that do have results, and the menu.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable, Optional
from urllib.parse import parse_qsl

from sqlalchemy.orm import object_session
from sqlmodel import select

from content.search.event_days import first_run_day, is_long_running, last_day, next_run_days, repeat_of
from content.search.cards import (carousel_message, closed_days_line, event_bubble, event_when, facility_bubble, format_day,
                           opportunity_bubble, today_hours_line, usual_hours_line)
from content.closures import closure_line, closure_on
from content.search.facility_hours import closed_for_season, hours_on, parse_hours
from content.search.seasons import SEASON_MONTHS
from content.faq import (STRONG as FAQ_STRONG, FaqMatch, faq_item, faq_messages, match_faq, question_words,
                         small_talk, small_talk_text)
from content.i18n import N_, translator
from content.unanswered import record_unanswered
from content.messages import MAX_POSTBACK_DATA, message_action, shorten_graphemes, text_message, with_quick_replies
from content.query import parse_query
from content.query.model import ParsedQuery, PlaceMatch
from content.search.ranking import NAME_NOTE, FACILITY_INTENTS, GENERIC_SEARCH_WORDS, states_fees, MIN_COVERAGE, Hit, SearchResult, doc_has, is_city_word, named_by_kind, nearby, relevance_bands, search, word_by_reading, words_beyond_places, HIRAGANA_WORD
from content.search.terms import PHRASE_PREFIX, QUERY_STOPWORDS, expand, is_noun, normalize_text, note_question, terms_of
from content.query.normalize import tokenize
from content.search.index import TOKYO, current_index, to_tokyo
from models import Event, Facility, Opportunity

PAGE_SIZE = 10
FAQ_SURE = 0.9  # an FAQ entry meeting this share of the words answers even when events matched too,
FAQ_PHRASED = 0.67  # … when the question is nearly one of the entry's own phrasings
STRONG_COVERAGE = 0.75  # a facility found for an event question must match nearly every word
# 「…できるとこ」「…できる場所」「どこで…」: the resident wants a place, not necessarily an event
_WANTS_A_PLACE = re.compile(r"(?:できる|出来る|やれる|行ける|いける|入れる|使える|遊べる|楽しめる|泳げる|遊ばせ(?:られ)?る)"
                            r"(?:とこ|ところ|所|場所|施設|公園|センター|お?寺|神社|学校|[^\s]{0,6}館|[^\s]{0,6}場)|"
                            r"(?:れる|える|せる|べる|める|げる|ける|てる)(?:とこ|ところ|場所)|どこ(?:で|に|か|$|\?)|"
                            r"見どころ|見所|名所|観光地")  # 「班島のほうの見どころ」「無料で見られる名所」: places
_FEE_WORDS = re.compile(r"料金|入館料|入園料|入場料|利用料|使用料|いくら|値段|有料|無料|参加費|お金")
_ACCESS_WORDS = re.compile(r"どうやって(?:行|い)|行き方|いきかた|アクセス|交通手段|何で行|なにで行|最寄り|もより|how (?:do|can) i get"
                           # 「駅から近い？」「船でどのくらい？」: how far, by what
                           r"|(?:駅|港|バス停|インター|IC)から(?:近|遠|ちか|とお|何分|なんぷん|どの?くらい|どれくらい|歩)"
                           r"|(?:船|フェリー|車|くるま|バス|電車|徒歩|歩い|あるい)で(?:は)?(?:どの?くらい|どれくらい|何分|なんぷん)"
                           r"|(?:何分|なんぷん)(?:かか|で行|でい)", re.I)
# 「いつごろ作られたもの？」「何年前の建物？」: when the place (a statue, a temple) was made
_HISTORY_WORDS = re.compile(r"いつ(?:ごろ|頃)?[^。?？\s]{0,3}(?:作ら|つくら|造ら|建て|たて|建っ|たっ|でき|出来|建立|創建|始ま)"
                            r"|何年前|なんねんまえ|何時代|なに時代|いつの時代|何世紀")
_HISTORY_SENTENCE = re.compile(r"\d{3,4}\s*年|時代|世紀|創建|建立|開山|開基|築\d|(?:つく|作|造|建て)られ")
# 「何席あるん？」「300席ぐらいのホール」: how many a hall seats, in its description
_SEATS_WORDS = re.compile(r"何席|なんせき|席数|座席数|\d+\s*席|(?:何人|なんにん|何名)(?:入|はい|まで|乗)|収容")
_SEATS_SENTENCE = re.compile(r"\d[\d,]*\s*(?:席|人収容|名収容|人を収容|名を収容|名(?:まで|様|乗))|収容|定員")
# (what a question asks of one place, the description's sentence that says it)
_PLACE_DETAILS = ((_HISTORY_WORDS, _HISTORY_SENTENCE), (_SEATS_WORDS, _SEATS_SENTENCE))
# questions whose own answer (hours, address, phone) comes first, the way there after it
_OWN_ANSWER_INTENTS = ("facility_hours", "facility_closed", "facility_address", "facility_phone")
_ACCESS_NOTE = re.compile(r"^アクセス\s*[:：]\s*(.+(?:\n(?![^\n:：]{1,8}[:：]).+)*)", re.M)  # the importer's アクセス line
_PARKING_WORDS = re.compile(r"駐車|ちゅうしゃ|パーキング|parking", re.I)
_CONTACT_WORDS = re.compile(r"電話|連絡先|問い?合わせ|問合せ")
_TIME_WORDS = re.compile(r"何時|なんじ|何時間|開始時間|開始時刻|時間は")
_RAIN_WORDS = re.compile(r"雨|あめ(?:が|なら|の日|でも|ふ|降)|荒天")
# 「申込みいつまで？」「締め切りは？」: the last day to sign up
_DEADLINE_WORDS = re.compile(r"締め?切り?|〆切|期限|(?:申し?込み?|もうしこみ|予約|受付)[^。?？]{0,6}いつまで|いつまで[^。?？]{0,6}(?:申し?込|予約|受付)")
_DEADLINE_SENTENCE = re.compile(r"(?:申し?込|予約|受付|締め?切|締切)[^。\n]*まで|まで[^。\n]*(?:申し?込|予約|受付)")
_APPLY_WORDS = re.compile(r"(?:申し?込み?|もうしこみ|予約|よやく)(?:は|が|って)?(?:いる|要る|必要|いります|要ります|不要|いらない|"
                          r"要らない|しないと|なしで|せずに|制|方法|のしかた|の仕方|どうやって|どうすれば)|どうやって申し?込")
_CAPACITY_LINE = re.compile(r"^定員\s*[:：]\s*(.+)$", re.M)  # the importer's 定員 line
_CAPACITY_WORDS = re.compile(r"定員|何人|なんにん|何名|なんめい|人数|にんずう")
_BRING_WORDS = re.compile(r"持ち物|もちもの|持って(?:い|く|け|行)|もって(?:い|く|け)|持参")
_HOW_MUCH = re.compile(r"料金|月謝|会費|なんぼ|何ぼ|チケット代|入館料|入園料|入場料|利用料|使用料|参加費|受講料|材料費|教材費|費用|いくら|幾ら|値段|お金|安くなる|割引")
_FEE_LINE = re.compile(r"^[^\n]*(?:料金|入館料|入園料|入場料|利用料|使用料)[^\n]*$|^[^\n]*\d+円[^\n]*$", re.M)
# "is it open?" words; with 何か/イベント the question is about what is on instead
_EVENT_WORDS = re.compile(r"何か|なにか|なんか|イベント|催し|行事|教室|講座")
_OPEN_WORDS = re.compile(r"^(?!.*(?:何か|なにか|なんか|イベント|催し)).*(?:開いて|あいて|空いて|やって|休み|やすみ|使え|つかえ|営業|開館|閉館|何時|いける|行ける|入れる|借りられ|かりられ|借りれ|かりれ|見れる|見られる|みれる|みられる)")
# Words that only say "somewhere to go": with 無料, any free facility answers them
PLACE_ONLY_WORDS = frozenset("観光地 観光 観光スポット スポット 名所 見所 見どころ 施設 場所 所 ところ 処 地 とこ".split())
AUDIENCE_LABELS = {"seniors": N_("高齢者向け"), "disabled": N_("障がいのある方向け"), "anyone": N_("どなたでも")}
# Kinds of public place cities name differently (焼津 has 地域交流センター where 狛江 has 公民館).
PLACE_KIND_ALIASES = {
    "公民館": ("交流センター", "市民センター", "地区センター", "コミュニティセンター", "まちづくりセンター"),
    "市民センター": ("公民館", "交流センター"), "交流センター": ("公民館", "市民センター"),
    "地区センター": ("公民館", "交流センター"), "コミュニティセンター": ("公民館", "交流センター", "市民センター"),
    "図書室": ("図書館",), "体育館": ("スポーツセンター", "アリーナ"),
    "市役所": ("庁舎",), "役所": ("庁舎",), "児童館": ("こども館", "子育て支援センター"),
}
QUERY_CHARS = 120  # the question is carried in postback data (≤ 300 characters with the other keys)
QUESTION_INTENTS = ("events", "participate") + FACILITY_INTENTS
KIND_CODES = {"e": "event", "f": "facility", "o": "opportunity"}
MODELS = {"event": Event, "facility": Facility, "opportunity": Opportunity}
# Narrowing choices: (label msgid, postback key, value parsed with the query helper)
NARROW = ((N_("明日"), "w", "明日"), (N_("今週末"), "w", "今週末"), (N_("子ども向け"), "a", "子ども向け"))
RELAXATIONS = (("d", N_("ほかの日も見る")), ("p", N_("市内全体で見る")), ("a", N_("対象を広げる")),
               ("f", N_("有料も含める")), ("k", N_("条件をゆるめる")))


@dataclass
class Answer:
    """What the bot replies: LINE messages, the items shown (in order) and whether the text was understood."""

    messages: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    understood: bool = True
    nothing_found: bool = False  # said plainly that nothing matched (the question is counted for staff)
    unmatched: list[str] = field(default_factory=list)  # normalised words no row has (counted for staff)


@dataclass
class Request:
    """A question plus the choices tapped since: page offset, date/audience override, relaxed filters."""

    text: str
    offset: int = 0
    when: str = ""
    audience: str = ""
    relax: str = ""


# --- postback data ---------------------------------------------------------------------------------------

def _escape(value: str) -> str:
    """Escape only what parse_qsl would misread; Japanese stays as is (300 characters, not 300 bytes)."""
    return value.replace("%", "%25").replace("&", "%26").replace("=", "%3D").replace("+", "%2B").replace(" ", "+")


def request_postback_data(request: Request) -> str:
    """`action=search_q&q=…&o=10&w=明日&a=…&r=d` within LINE's 300 characters."""
    text = request.text.strip()[:QUERY_CHARS]
    parts = [("action", "search_q"), ("o", str(request.offset) if request.offset else ""), ("w", request.when),
             ("a", request.audience), ("r", request.relax)]
    head = "&".join(f"{k}={_escape(v)}" for k, v in parts if v)
    data = f"{head}&q={_escape(text)}"
    while len(data) > MAX_POSTBACK_DATA and text:
        text = text[:-1]
        data = f"{head}&q={_escape(text)}"
    return data


def request_from_postback(params: dict) -> Request:
    """The Request a search_q postback carries (already parsed into a dict by the registry)."""
    try:
        offset = max(0, int(params.get("o") or 0))
    except ValueError:
        offset = 0
    return Request(text=params.get("q", ""), offset=offset, when=params.get("w", ""),
                   audience=params.get("a", ""), relax=params.get("r", ""))


def parse_postback_data(data: str) -> dict:
    """Parse postback data the same way the handler registry does."""
    return dict(parse_qsl(data or "", keep_blank_values=True))


def _request_action(label: str, request: Request, display: Optional[str] = None) -> dict:
    """A quick-reply postback that re-runs a request."""
    action = {"type": "postback", "label": shorten_graphemes(label, 20), "data": request_postback_data(request)}
    action["displayText"] = shorten_graphemes(display or label, 300)
    return action


# --- understanding --------------------------------------------------------------------------------------

_KANJI_RUN = re.compile(r"[一-龥々]{3,6}")


def fix_place_word_slip(index, text: str) -> str:
    """A one-kanji slip in the word for a kind of place (図所館 → 図書館), when the facilities use that word."""
    words = index.__dict__.get("_place_words")
    if words is None:
        words = {w for doc in index.docs if doc.kind == "facility" for w in terms_of(doc.title)
                 if len(w) >= 3 and _KANJI_RUN.fullmatch(w)}
        index.__dict__["_place_words"] = words
        index.__dict__["_place_names"] = " ".join(normalize_text(d.title) for d in index.docs if d.kind == "facility")
    for run in _KANJI_RUN.findall(normalize_text(text)):
        if any(run in w for w in words) or any(w in run for w in words) or terms_of(run)[:1] == [run]:
            continue  # a word the dictionary knows (駐輪場) is no slip: only runs Sudachi reads char by char
        if run in index.__dict__["_place_names"]:
            continue  # 漢陽寺, written as a facility's name, is no slip for 大陽寺
        close = sorted(w for w in words if len(w) == len(run) and sum(a != b for a, b in zip(w, run)) == 1
                       and w[-1] == run[-1])
        if len(close) == 1:  # only when one word fits: 図所館 → 図書館, never a guess between two
            text = text.replace(run, close[0])
    return text


def _parse(session, request: Request, now: datetime, index) -> ParsedQuery:
    """Parse the text, then apply the tapped overrides (date, audience)."""
    parsed = parse_query(fix_place_word_slip(index, request.text), now=now, places=index.place_index)
    changes = {}
    places = [p for p in parsed.places if _plausible_place(p) and not _only_city_name(index, p)
              and not (parsed.intent == "facility_info" and _topic_inside_name(index, p))
              and not _kind_word_beside_other_topics(index, parsed, p)]
    places += _same_kind_places(parsed.places, places)
    # 「片添ヶ浜のキャンプ」: a facility holding both words is named, though 片添ヶ浜 alone was a weak match of its name
    places = _one_place_named_by_both(index, places + [p for p in parsed.places if p not in places
                                                        and _plausible_place(p, floor=60)]) or places
    if parsed.intent in FACILITY_INTENTS:
        places += _places_holding_the_kind(index, places)
    if parsed.places and not places and any(_only_city_name(index, p) for p in parsed.places):
        # 「焼津に動物園ある？」: the city's own name matched 勤労会館サンライフ焼津; read it as if no place was named
        parsed = parse_query(request.text, now=now)
    elif places != list(parsed.places):
        changes["places"] = places
    if request.when:
        other = parse_query(request.when, now=now)
        changes.update(date_range=other.date_range, date_label=other.date_label, past=False, time_of_day=None)
    if request.audience:
        changes["audiences"] = list(parse_query(request.audience, now=now).audiences)
    if changes and parsed.intent not in QUESTION_INTENTS:
        changes["intent"] = "events"
    return dataclasses.replace(parsed, **changes) if changes else parsed


def _one_place_named_by_both(index, places: list) -> list:
    """「熊川宿の道の駅」: 熊川宿 matched 熊川宿(鯖街道) and 道の駅 matched 道の駅 三方五湖, but 道の駅「若狭熊川宿」 holds
    both: the facilities whose names hold every matched word are the place named (none: [])."""
    words = {normalize_text(p.matched) for p in places if p.kind == "facility" and p.matched}
    if len(words) < 2:
        return []
    return [PlaceMatch("facility", d.id, d.title, " ".join(sorted(words)), 100.0) for d in index.docs
            if d.kind == "facility" and all(w in normalize_text(d.title) for w in words)]


def _same_kind_places(matches: list, kept: list) -> list:
    """The other facilities whose names hold the very word a kept match was read from (プール of 市民温水プール when
    町野水泳プール matched it better): a kind of place names all of its kind, however long their names."""
    def word(place) -> str:
        """The text the place was matched by."""
        return normalize_text(place.matched).strip()
    kinds = {word(p) for p in kept if p.kind == "facility" and len(word(p)) >= 2}
    return [p for p in matches if p not in kept and p.kind == "facility" and word(p) in kinds
            and word(p) in normalize_text(p.name)]


def _places_holding_the_kind(index, kept: list) -> list:
    """「温泉 夜遅くまでやってる所」: 温泉 ends one name (はくちょう温泉), and 香南楽湯's row says it has a 天然温泉 — a
    kind of place that ends only one name also names the facilities whose rows hold the word (after it)."""
    words = {normalize_text(p.matched or "") for p in kept if p.kind == "facility" and p.score < 95
             and normalize_text(p.name).endswith(normalize_text(p.matched or ""))}
    words = {w for w in words if terms_of(w) == [w]}
    if len(words) != 1 or len({p.id for p in kept if p.kind == "facility"}) != 1:
        return []
    word = words.pop()
    named = {p.id for p in kept}
    return [PlaceMatch("facility", index.docs[i].id, index.docs[i].title, word, kept[0].score - 10)
            for i in index.by_kind.get("facility", ()) if index.docs[i].id not in named and doc_has(index, i, word)]


def _day_word(label: str, _) -> str:
    """A bare day of the week or 週末 in the resident's language (「Nothing on the next Monday…」)."""
    words = {"月曜日": _("月曜日"), "火曜日": _("火曜日"), "水曜日": _("水曜日"), "木曜日": _("木曜日"),
             "金曜日": _("金曜日"), "土曜日": _("土曜日"), "日曜日": _("日曜日"), "週末": _("週末"), "土日": _("土日")}
    return words.get(label, label)


def _names_a_kind_of_place(index, words: list[str]) -> bool:
    """True when a word ends a facility's name (海水浴場 of 伊根町内の海水浴場【すべて閉鎖】): the question is about
    such a place, whatever span of days it names (「今年は泳げる？」)."""
    names = index.__dict__.get("_bare_facility_names")
    if names is None:  # once per index: asked of every question that finds no event
        names = [NAME_NOTE.sub("", normalize_text(index.docs[i].title)) for i in index.by_kind.get("facility", ())]
        index.__dict__["_bare_facility_names"] = names
    return any(len(w) > 1 and name.endswith(w) for w in words for name in names)


def _only_city_name(index, place) -> bool:
    """A facility matched only by the city's own name (焼津 in 勤労会館サンライフ焼津): not a place asked about."""
    matched = normalize_text(place.matched or "")
    # 伊根の of 「伊根の道の駅」 matched 伊根の舟屋: the particle is no part of the town's name
    word = matched[:-1] if matched.endswith("の") and len(matched) > 2 else matched
    return (place.kind == "facility" and matched != normalize_text(place.name) and len(matched) < len(place.name)
            and is_city_word(index, word))


def _topic_inside_name(index, place) -> bool:
    """「冬でもキャンプできるとこ」: キャンプ inside 輪島エコロジーキャンプ場 is what is wanted, not that place —
    a word from the middle of one facility's name that other facilities also offer is a topic."""
    matched = normalize_text(place.matched or "")
    name = normalize_text(place.name)
    if place.kind != "facility" or place.score >= 95 or not matched or name.endswith(matched) or matched not in name:
        return False  # (神社 matched 出雲大神宮 as its kind, not as a word of its name)
    words = terms_of(matched)
    words = [w for w in words if not any(w != other and w in other for other in words)]  # 山頭火, not 山頭 and 火
    if len(words) != 1:
        return False
    others = 0
    for i in index.words.postings.get(words[0], ()):
        doc = index.docs[i]
        if doc.kind != "facility" or doc.id == place.id:
            continue
        others += 1
        if others >= 2:
            return True
    return False


def _kind_word_beside_other_topics(index, parsed: ParsedQuery, place) -> bool:
    """「柔道とか剣道のけいこできる道場」: 道場 ends one facility's name (遠的弓道場), but what the resident wants
    (柔道, 剣道) is in another facility's row and not in that one's: the kind word only ranks, the topic decides."""
    matched = normalize_text(place.matched or "")
    if place.kind != "facility" or place.score >= 95:
        return False
    rows = index.by_kind.get("facility", ())
    # 「野崎島の古い教会」: 野崎島 begins two names, an area's name, and the church is another row (野崎郷); but
    # 金沢城 of 「金沢城講演」 names the one park: only a kind word at a name's end or an area's name gives way
    name = normalize_text(place.name)
    # (a kind matched by what the place is, not by its name — 神社 of 花岡八幡宮 — gives way like a name's end)
    if not name.endswith(matched) and matched in name and \
            sum(normalize_text(index.docs[i].title).startswith(matched) for i in rows) < 2 and \
            not _common_word_in_kana(index, matched, place, rows):
        return False
    place_words = set(terms_of(matched)) | set(terms_of(place.name))
    # the resident's nouns that some facility's row holds (けいこ, held by none, says nothing either way)
    # (a word typed in kana as the rows write it: つばき → 椿)
    topics = [t for t in dict.fromkeys(word_by_reading(index, t.lower()) or t.lower() for t in parsed.terms)
              if (len(t) > 1 or re.fullmatch(r"[一-龥]", t)) and is_noun(t) and t not in place_words
              and not any(t in w for w in place_words) and t not in QUERY_STOPWORDS
              and any(doc_has(index, i, t) for i in rows)]
    # a one-kanji noun (椿) is the topic only where no longer one is named (籠 of 籠神社 is part of a name)
    topics = [t for t in topics if len(t) > 1] or topics
    own = [i for i in rows if index.docs[i].id == place.id]
    if not topics or not own or any(doc_has(index, own[0], t) for t in topics):
        return False
    # another facility's row holds most of them (当尾 may be only in its address, not a word of its row)
    wanted = (len(topics) + 1) // 2
    return any(index.docs[i].id != place.id and sum(doc_has(index, i, t) for t in topics) >= wanted for i in rows)


def _common_word_in_kana(index, matched: str, place, rows) -> bool:
    """True for a hiragana piece of a name that other rows hold as an ordinary word: あじさい of あじさいホール, where
    a temple's row says 紫陽花 (「あじさいのきれいなお寺」 asks for the flowers, not the hall)."""
    if not HIRAGANA_WORD.fullmatch(matched):
        return False
    words = terms_of(matched) or [matched]
    return any(index.docs[i].id != place.id and all(doc_has(index, i, w) for w in words) for i in rows)


def as_typed(parsed: ParsedQuery, words: list[str]) -> list[str]:
    """Search words as the resident wrote them (ヨーガ → ヨガ), for saying what was not found."""
    text = parsed.normalized or parsed.text or ""
    tokens = tokenize(normalize_text(text)) if any(w not in text for w in words) else []
    # a verb as typed is cut off mid-word (払っ of 払って): its dictionary form says it better
    spelled = {t.normalized.lower(): t.surface for t in tokens if t.pos not in ("動詞", "形容詞")}
    return [w if w in text else spelled.get(w, w) for w in words]


def _plausible_place(place, floor: float = 70) -> bool:
    """A place match worth filtering on: not a fuzzy hit on digits alone (「12月13日」 → 「…12」)."""
    matched = place.matched or ""
    letters = [c for c in matched if not c.isdigit() and not c.isspace()]
    return len(letters) >= 2 and place.score >= floor


def _wordlike(term: str) -> bool:
    """A named thing worth saying "not found" about (プラネタリウム, 猪方), not ASCII noise."""
    return len(term) >= 2 and not term.isascii()


def _is_question(parsed: ParsedQuery) -> bool:
    """True when the text names something search can act on (not a greeting or gibberish)."""
    if parsed.intent in ("settings", "help"):
        return False
    return bool(parsed.intent in QUESTION_INTENTS or parsed.date_range or parsed.places or parsed.audiences
                or parsed.categories or parsed.free_only)


# --- entry points ---------------------------------------------------------------------------------------

def answer_question(session, text: str, *, now: datetime, lang: str, resident=None) -> Answer:
    """Answer a resident's free-text question (understood=False when it is not a question we search for)."""
    location = None
    if resident is not None and resident.last_location_lat is not None and resident.last_location_lon is not None:
        location = (resident.last_location_lat, resident.last_location_lon)
    answer = answer_request(session, Request(text=text or ""), now=now, lang=lang, location=location)
    if answer.understood and (answer.nothing_found or answer.unmatched):
        # what residents asked that found nothing: normalised words by week, never the text or who asked
        record_unanswered(session, question=text if answer.nothing_found else "", unmatched=answer.unmatched,
                          now=now)
    return answer


def answer_request(session, request: Request, *, now: datetime, lang: str,
                   location: Optional[tuple[float, float]] = None) -> Answer:
    """Answer a question with its tapped refinements (nearest first when 近く was asked and a location is known)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=TOKYO)
    _ = translator(lang)
    note = ""
    talk = small_talk(request.text) if not (request.offset or request.relax) else None
    if talk is not None:  # 「こんにちは」「ありがとう」: a short friendly reply and the menu
        return Answer([text_message(small_talk_text(talk, lang), _fallback_actions(lang))], [])
    index = current_index(session)
    note_question(request.text)  # this question's typed forms, not the last one's
    parsed = _parse(session, request, now, index)
    if parsed.intent in ("settings", "help"):
        return Answer(understood=False)
    result = search(session, parsed, now=now, relax=request.relax, index=index)
    faq = _faq_for(session, request, parsed, result)
    if faq is not None:  # 「ゴミの出し方を知りたい」「市役所の電話番号」: the city's own answer
        return Answer(faq_messages(faq.entry, lang, _fallback_actions(lang)), [faq_item(faq.entry)])
    structured = _is_question(parsed)
    if ((not structured or not result.hits) and not result.keywords and not parsed.places
            and _HOW_MUCH.search(parsed.normalized or "")):
        # 「料金」「入館料はいくら？」 with no place named: the facilities whose fee is published, fee on each card
        fees = _facilities_with_fees(index)
        if fees.hits:
            result, structured = fees, True
            note = _("料金が公開されている施設です。")
    if not structured and not result.keywords and not result.unknown and not result.towns:
        return Answer(understood=False)
    if (parsed.intent == "unknown" and parsed.date_range and parsed.terms and not note
            and not (result.keywords or result.unknown or parsed.places or parsed.audiences or parsed.categories)):
        return Answer(understood=False)  # 「今日は寒いですね」: a day and words no row has, no question about them
    if (not result.hits and parsed.intent in ("events", "unknown") and parsed.facility_ids
            and (_OPEN_WORDS.search(parsed.normalized) or not _EVENT_WORDS.search(parsed.normalized))):
        # 「大井川図書館って明日あいてる？」「テニスコートある？」: no event there, the facility is the answer;
        # 「今度の日曜 骨董市ってある？」: the market listed as a place, said open or not that day
        parsed = dataclasses.replace(parsed, intent="facility_hours" if _OPEN_WORDS.search(parsed.normalized)
                                     else "facility_info")
        result = search(session, parsed, now=now, relax=request.relax, index=index)
    if (parsed.intent == "facility_info" and parsed.facility_ids and "k" not in request.relax
            and words_beyond_places(parsed, result.keywords)):
        # 「小泉八雲記念館のハロウィン」: a topic beside the facility's name asks for its events on that topic
        at_facility = dataclasses.replace(parsed, intent="events")
        events = search(session, at_facility, now=now, relax=request.relax, kinds=("event",), index=index)
        if events.hits:
            parsed, result = at_facility, events
    if (parsed.intent == "facility_closed" and parsed.weekdays and not parsed.facility_ids and len(result.hits) > 1
            and parsed.date_range):
        # 「水曜定休の温泉ってどこ？」: of the facilities of that kind, those closed on that day of the week
        day = _asked_day(parsed, now.date())
        open_then = set(map(id, _open_on(session, result.hits, [day])))  # the rows loaded once, not one by one
        closed = [hit for hit in result.hits if id(hit) not in open_then]
        if closed:
            result = dataclasses.replace(result, hits=closed)
            note = _("{day}が休みの施設です。").format(day=format_day(day, lang))
    if (len(result.hits) > 1 and parsed.intent in ("facility_hours", "facility_info") and set(result.kinds) == {"facility"}
            and parsed.date_range and (not parsed.places or named_by_kind(parsed))):
        # 「今日 月曜だけど開いてる美術館ある？」: of several places of a kind, those closed on the day named come last
        # (「運動公園のプールって冬もやってる？」 names no day: the pool is the answer, open or not)
        result = dataclasses.replace(result, hits=_open_first(session, result.hits, _asked_day(parsed, now.date()),
                                                              keep_bands=result.words_decide))
    if (len(result.hits) > 1 and parsed.intent in ("facility_info", "facility_hours") and not parsed.date_range
            and set(result.kinds) == {"facility"} and (not parsed.places or named_by_kind(parsed))):
        # 「冬でもキャンプできるとこ」: a campsite open only 4/1～10/31 comes after those open on the asked day
        season_day = _season_day(parsed, now.date())
        result = dataclasses.replace(result, hits=_in_season_first(session, result.hits, season_day,
                                                                   keep_bands=result.words_decide))
    if ((not result.hits or result.fee_unstated) and parsed.free_only and parsed.intent in ("events", "unknown")
            and not parsed.date_range):
        # 「無料で見られる観光地」: no free event, but facilities whose published fee says 無料 (before events that
        # merely state no fee)
        fallback = _free_facilities(session, parsed, request, now, index)
        if fallback.hits:
            result = fallback
            note = _("無料で入れる施設です。")
    wants_place = bool(_WANTS_A_PLACE.search(parsed.normalized or "")) or (
        parsed.audiences and bool(re.search(r"施設|しせつ", parsed.normalized or "")))
    # 「ボランティアの勉強できる学校」: taking part, but asked where (金沢ボランティア大学校)
    if (not result.hits and (parsed.intent in ("events", "unknown") or parsed.intent == "participate" and wants_place)
            and ((result.keywords and not result.unknown) or wants_place or (result.towns and not result.unknown))
            and (not parsed.date_range or len(_asked_days(parsed)) <= _MAX_OPEN_DAYS or wants_place
                 or _names_a_kind_of_place(index, result.keywords))):
        # 「金魚ちょうちんを作る体験」: no event, but a facility whose description has it all;
        # 「火曜日に入れる温泉ある？」: no event that day, but the facilities of that kind open that day
        # 「バーベキューできるとこ」 asks for a place: a facility met through a synonym (焼肉広場) answers it
        # 「植物園に行こうと思う」: a kind of place named (植物公園 through a synonym) asks for a place too
        # (「由良のほうの酒蔵」: a town named narrows the places enough for a synonym, 酒造, to do)
        # (a kind of place alone: with other words, マイセン of 「マイセンの焼き物 見れる美術館」, all must meet)
        kind_only = bool(parsed.place_text_unmatched) and all(k in parsed.place_text_unmatched for k in result.keywords)
        # (「駅前の日帰り温泉」: 温泉 ends facility names, a kind of place asked for; the other words only rank)
        coverage = MIN_COVERAGE if (wants_place or kind_only or result.towns
                                    or _names_a_kind_of_place(index, result.keywords[-1:])) else STRONG_COVERAGE
        # a word nothing has (室内) is named beside the places that fit the rest, not a reason for none
        unknown = result.unknown if wants_place else []
        fallback = search(session, dataclasses.replace(
            parsed, intent="facility_info", terms=[t for t in parsed.terms if t not in unknown]), now=now,
            relax=request.relax, kinds=("facility",), index=index, min_coverage=coverage)
        fallback.missing = fallback.missing or list(unknown)
        open_that_day = fallback.hits
        long_range = bool(parsed.date_range) and len(_asked_days(parsed)) > _MAX_OPEN_DAYS
        if parsed.date_range and not long_range:
            # 「土日だけ漫画よめる図書館」: open on one of the asked days (今週末, 土日) is open then
            open_that_day = _open_on(session, fallback.hits, _asked_days(parsed))
            if open_that_day and open_that_day[0] is not fallback.hits[0] \
                    and open_that_day[0].score < _CLEARLY_BETTER * fallback.hits[0].score:
                # 「お香のお店 きょう日曜やってる？」 on its closed Sunday: that shop, said closed, not a weaker
                # match that happens to be open
                open_that_day = []
        elif long_range:
            # 「夏休みにテント張れるとこ」: a place for the weeks asked, those open in the season at their middle first
            days = _asked_days(parsed)
            open_that_day = _in_season_first(session, fallback.hits, days[len(days) // 2])
            parsed = dataclasses.replace(parsed, date_range=None, date_label=None)
        if open_that_day:
            result = dataclasses.replace(fallback, hits=open_that_day)
            note = (_("{day}にあいている施設です。").format(day=_days_label(_asked_days(parsed), lang))
                    if parsed.date_range else _("イベントは見つかりませんでしたが、関係する施設があります。"))
        elif fallback.hits and parsed.date_range:
            # 「今日 都立図書館いける？」, 「蘭の花見られるとこ 今日やってる？」 on its closed day: the place itself is the
            # answer (its card says closed), not "nothing found"
            result = fallback
            parsed = dataclasses.replace(parsed, intent="facility_hours")
    result = _by_asked_hours(session, parsed, result, _asked_day(parsed, now.date()))
    if not result.hits and parsed.intent in FACILITY_INTENTS:
        # 「小手指公民館」 in a city whose facility list is not loaded: what happens there; 「こ文のおばけやしき 日曜も
        # やってる？」: words no place has, but an event has
        fallback = search(session, dataclasses.replace(parsed, intent="unknown"), now=now, relax=request.relax,
                          kinds=("event", "opportunity"), index=index)
        if fallback.hits and not (result.unknown and fallback.unknown):
            result = fallback
            note = _("その施設の情報はまだありませんが、関係するイベントがあります。")
    if not result.hits and parsed.intent == "participate" and "k" not in request.relax:
        result = search(session, dataclasses.replace(parsed, intent="unknown"), now=now, relax=request.relax,
                        kinds=("opportunity", "event"), index=index)
    if not result.hits and not request.relax and not parsed.places:
        # 「公民館はどこ？」 in a city of 地域交流センター: the same kind of place under the city's own name
        word = next((w for w in PLACE_KIND_ALIASES if w in request.text), None)
        alias = _place_kind_alias(session, request, word, now, lang, location) if word else None
        if alias is not None:
            return alias
    if not result.hits:
        if not structured and not result.keywords and not any(_wordlike(u) for u in result.unknown):
            return Answer(understood=False)
        return _no_result(session, parsed, request, result, now, lang, index)
    if parsed.wants_nearby:
        if location is None and not (result.keywords or parsed.places or parsed.audiences or parsed.date_range):
            return _ask_for_location(lang)
        if location is not None:
            _nearest_first(index, result, location)
    if result.audience_unstated or result.audience_other:
        # 「手話を習いたい」: nothing says 障がいのある方向け; the topic's rows for anyone are the answer.
        # 「家族が脳の後遺症で…」: the topic's rows are for another audience; shown and said so, not nothing
        label = _context_label(session, dataclasses.replace(parsed, date_range=None, places=[], free_only=False),
                               lang)
        said = (_("{audience}と書かれたものはありませんが、対象の書かれていないものがあります。")
                if result.audience_unstated else
                _("{audience}と書かれたものはありませんが、ほかの方向けのものがあります。"))
        note = said.format(audience=label) + ("\n" + note if note else "")
        parsed = dataclasses.replace(parsed, audiences=[])
    if result.weekday_later:
        note = _("次の{day}にはありませんが、そのあとの{day}にあります。").format(
            day=_day_word(result.weekday_later, _)) + (
            "\n" + note if note else "")
        parsed = dataclasses.replace(parsed, date_range=None, date_label=None)
    if result.span_instead:
        note = _("{label}のものは見つかりませんでしたが、これからの予定があります。").format(
            label=result.span_instead) + ("\n" + note if note else "")
        parsed = dataclasses.replace(parsed, date_range=None, date_label=None)
    if result.upcoming_instead:
        note = _("終わったものは見つかりませんでしたが、これからの予定があります。") + ("\n" + note if note else "")
        parsed = dataclasses.replace(parsed, past=False)
    if result.fee_unstated:
        # 「無料で聴けるコンサート」: nothing says 無料; the concerts whose fee is not stated are shown, and said so
        note = _("無料と書かれたものはありませんが、料金の書かれていないものがあります。") + ("\n" + note if note else "")
        parsed = dataclasses.replace(parsed, free_only=False)
    if result.missing:
        # 「ヨガと英会話」 with no yoga: say which word found nothing before showing what the other words found
        words = _("、").join(f"「{w}」" for w in as_typed(parsed, result.missing[:3]))
        missing = _("{words}に合うものは見つかりませんでした。").format(words=words) + "\n" + _("近いもの：")
        note = missing + ("\n" + note if note else "")
    answer = _results(session, parsed, request, result, now, lang, note)
    answer.unmatched = list(result.missing)
    return answer


def _faq_for(session, request: Request, parsed: ParsedQuery, result: SearchResult) -> Optional[FaqMatch]:
    """The FAQ entry that answers a typed question better than the search, or None.

    A question about dates or a named facility is the search's; otherwise an entry meeting most of the words
    answers when the search found nothing, or when it meets nearly all of them.
    """
    if request.offset or request.relax or parsed.date_range or parsed.facility_ids:
        return None
    match = match_faq(session, question_words(parsed.normalized or request.text))
    if match is None or match.coverage < FAQ_STRONG:
        return None
    if result.hits and (match.coverage < FAQ_SURE or match.precision < FAQ_PHRASED):
        return None  # 「手話」「詐欺」 with events to show: a keyword of an entry is not its question
    return match


def _place_kind_alias(session, request: Request, word: str, now: datetime, lang: str, location) -> Optional[Answer]:
    """The answer with an unknown kind of place replaced by another name for it (公民館 → 交流センター), or None."""
    _ = translator(lang)
    for other in PLACE_KIND_ALIASES.get(word, ()):
        retry = dataclasses.replace(request, text=request.text.replace(word, other, 1), relax="x")  # x: no second try
        answer = answer_request(session, retry, now=now, lang=lang, location=location)
        if answer.items and answer.messages and answer.messages[0].get("type") == "text":
            note = _("「{word}」はありませんが、「{other}」があります。").format(word=word, other=other)
            answer.messages[0]["text"] = shorten_graphemes(note + "\n" + answer.messages[0]["text"], 5000)
            return answer
    return None


def _facilities_with_fees(index) -> SearchResult:
    """Every facility with a published fee (free ones first), as search hits."""
    docs = [d for d in index.docs if d.kind == "facility" and d.is_free is not None]
    docs.sort(key=lambda d: (d.is_free is not True, d.title))
    return SearchResult(hits=[Hit("facility", d.id, 1.0) for d in docs], kinds=("facility",))


def _free_facilities(session, parsed: ParsedQuery, request: Request, now: datetime, index) -> SearchResult:
    """Facilities with a free published fee matching the words; all of them when the words only say "a place"."""
    as_facility = dataclasses.replace(parsed, intent="facility_info")
    found = search(session, as_facility, now=now, relax=request.relax, kinds=("facility",), index=index)
    if not all(word in PLACE_ONLY_WORDS for word in found.keywords + found.unknown):
        return found
    return search(session, as_facility, now=now, relax=request.relax + "k", kinds=("facility",), index=index)


def _ask_for_location(lang: str) -> Answer:
    """「近くで何かある？」 with no known location: ask for one (the location button is in the quick replies)."""
    _ = translator(lang)
    text = _("近くを探すには、下の「近くの施設」をタップして位置情報を送ってください。")
    return Answer([text_message(text, _fallback_actions(lang))], [])


def _nearest_first(index, result: SearchResult, location: tuple[float, float]) -> None:
    """Order hits by distance from the resident's last shared location (rows without coordinates last)."""
    from content.search.ranking import haversine_m

    docs = docs_by_key(index)
    for hit in result.hits:
        doc = docs.get((hit.kind, hit.id))
        if doc is not None and doc.latitude is not None and doc.longitude is not None:
            hit.distance_m = haversine_m(location[0], location[1], doc.latitude, doc.longitude)
    # By the distance itself: the cards show it, and 389.7 km above 389.4 km reads as a mistake.
    result.hits.sort(key=lambda h: (h.distance_m is None, h.distance_m or 0))


def answer_location(session, latitude: float, longitude: float, *, now: datetime, lang: str) -> Answer:
    """The nearest facilities and upcoming events around a shared location, with distances."""
    _ = translator(lang)
    if now.tzinfo is None:
        now = now.replace(tzinfo=TOKYO)
    facilities, events = nearby(session, latitude, longitude, now=now)
    hits = facilities[:5] + events[:5]
    if not hits:
        text = _("近くに施設やイベントが見つかりませんでした。地区名やことばでも探せます。")
        return Answer([text_message(text, _fallback_actions(lang))], [])
    rows = _load(session, hits)
    today = now.date()
    bubbles = [_bubble_for(hit, row, lang, today) for hit, row in rows]
    parts = []
    if facilities:
        parts.append(_("近くの施設 {n}件").format(n=len(facilities)))
    if events:
        parts.append(_("2週間以内の近くのイベント {n}件").format(n=len(events)))
    summary = _("、").join(parts)
    messages = [text_message(summary), carousel_message(bubbles, summary + "\n" + _alt_lines(rows, lang))]
    with_quick_replies(messages, _fallback_actions(lang))
    return Answer(messages, [_item(hit, row) for hit, row in rows])


def answer_detail(session, kind_code: str, item_id: str, *, now: datetime, lang: str) -> Answer:
    """The whole item behind a 詳細 button."""
    _ = translator(lang)
    kind = KIND_CODES.get(kind_code, kind_code)
    model = MODELS.get(kind)
    row = None
    if model is not None and str(item_id).isdigit():
        row = session.get(model, int(item_id))
    if row is None or not getattr(row, "active", True) or getattr(row, "status", "published") not in ("approved", "published"):
        text = _("この情報は見つかりませんでした。終了したか、取り下げられた可能性があります。")
        return Answer([text_message(text, _fallback_actions(lang))], [])
    if now.tzinfo is None:
        now = now.replace(tzinfo=TOKYO)
    hit = Hit(kind, row.id)
    bubble = _bubble_for(hit, row, lang, now.date(), detailed=True)
    title = getattr(row, "title", None) or getattr(row, "name", "")
    actions = []
    if kind == "facility":
        actions.append(message_action(_("{name}のイベント").format(name=shorten_graphemes(row.name, 12)),
                                      f"{row.name}のイベント"))
    actions += _fallback_actions(lang)
    message = carousel_message([bubble], title + "\n" + _alt_lines([(hit, row)], lang))
    return Answer(with_quick_replies([message], actions), [_item(hit, row)])


# --- building answers -----------------------------------------------------------------------------------

def _load(session, hits: list[Hit]) -> list[tuple[Hit, object]]:
    """The rows behind the hits, in hit order, one query per kind (rows deleted since indexing are skipped)."""
    rows: dict[tuple[str, int], object] = {}
    for kind, model in MODELS.items():
        ids = [hit.id for hit in hits if hit.kind == kind]
        if ids:
            for row in session.exec(select(model).where(model.id.in_(ids))):
                rows[(kind, row.id)] = row
    return [(hit, rows[(hit.kind, hit.id)]) for hit in hits if (hit.kind, hit.id) in rows]


SERIES_DATES = 3  # next dates shown on a repeated event's card


def docs_by_key(index) -> dict:
    """(kind, id) → the index's Doc, built once per index."""
    docs = index.__dict__.get("_doc_by_key")
    if docs is None:
        docs = {(doc.kind, doc.id): doc for doc in index.docs}
        index.__dict__["_doc_by_key"] = docs
    return docs


def one_card_per_series(index, hits: list[Hit]) -> tuple[list[Hit], dict]:
    """Hits with a repeated event (same title, same place) kept once, where it first ranks, and
    (kind, id) → the next days it is held again (at most SERIES_DATES, in date order)."""
    docs = docs_by_key(index)
    first: dict[tuple, Hit] = {}
    later: dict[tuple, list] = {}
    kept: list[Hit] = []
    for hit in hits:
        doc = docs.get((hit.kind, hit.id))
        if hit.kind != "event" or doc is None or doc.long or doc.starts is None:
            kept.append(hit)
            continue
        series = (doc.title_text, doc.place)
        if series in first:
            later[series].append(doc.starts.date())
            continue
        first[series] = hit
        later[series] = []
        kept.append(hit)
    next_days = {}
    for series, days in later.items():
        hit = first[series]
        own = docs[(hit.kind, hit.id)].starts.date()
        upcoming = sorted({d for d in days if d != own})
        if upcoming:
            next_days[(hit.kind, hit.id)] = tuple(d for d in upcoming if d > own)[:SERIES_DATES] or tuple(upcoming[:SERIES_DATES])
    return kept, next_days


def _next_held_days(doc, start: date, now: datetime) -> tuple:
    """For a long row held on stated days (a weekly class from April to March): its next days from `start`,
    so the card says when to go rather than only the whole period. Today's session counts until it ends.
    The index read the row's days once (Doc.long, Doc.repeat)."""
    if doc is None or doc.kind != "event" or not doc.long or doc.repeat is None:
        return ()
    starts, ends = doc.starts, doc.ends
    today = now.astimezone(TOKYO)
    if start == today.date() and not doc.all_day and (ends.hour, ends.minute) != (0, 0) \
            and (today.hour, today.minute) >= (ends.hour, ends.minute):
        start += timedelta(days=1)
    return next_run_days(doc.repeat, starts.date(), last_day(starts, ends), start, SERIES_DATES)


def _bubble_for(hit: Hit, row, lang: str, today, detailed: bool = False, day=None, next_days: tuple = ()) -> dict:
    """The card for one row of any kind (a facility's hours for `day`, today by default)."""
    if hit.kind == "event":
        return event_bubble(row, lang, distance_m=hit.distance_m, detailed=detailed, next_days=next_days)
    if hit.kind == "facility":
        return facility_bubble(row, lang, today=today, distance_m=hit.distance_m, detailed=detailed, day=day)
    return opportunity_bubble(row, lang, detailed=detailed)


def _item(hit: Hit, row, window: Optional[tuple[date, date]] = None) -> dict:
    """The machine-readable item (`tsunagari ask --json`); a long repeating row starts on its first day in the
    window [first, end) the answer is for (「今週末」 gives the Saturday of 毎週土曜日, not the row's first day)."""
    starts = to_tokyo(getattr(row, "starts_at", None))
    if hit.kind == "event" and window is not None and starts is not None:
        starts = _first_run_in(row, starts, window)
    place = getattr(row, "place_name", None) if hit.kind != "facility" else (row.address or None)
    return {"kind": hit.kind, "id": row.id, "title": getattr(row, "title", None) or getattr(row, "name", ""),
            "starts_at": starts.isoformat() if starts else None, "place": place}


def _first_run_in(row, starts: datetime, window: tuple[date, date]) -> datetime:
    """When a long-running row next runs within the window, at its own start time; a row of a few days asked about
    after its first day, that day at its start time; else its start."""
    ends = to_tokyo(row.ends_at)
    if not is_long_running(starts, ends):
        # a two-day festival asked about on its second day runs then, from its own start time
        first = window[0]
        if ends is not None and starts.date() < first <= ends.date():
            return starts.replace(year=first.year, month=first.month, day=first.day)
        return starts
    rule = repeat_of(starts, ends, row.all_day, row.time_note, row.title)
    day = first_run_day(rule, starts.date(), last_day(starts, ends), *window)
    return starts if day is None else starts.replace(year=day.year, month=day.month, day=day.day)


def _answer_window(parsed: ParsedQuery, today: date) -> tuple[date, date]:
    """The days [first, end) an answer is for: the asked dates, else from today on."""
    if parsed.date_range:
        start, end = (value.astimezone(TOKYO) for value in parsed.date_range)
        return start.date(), (end - timedelta(microseconds=1)).date() + timedelta(days=1)
    return today, date.max


def _alt_lines(rows, lang: str) -> str:
    """altText body: one line per item (title and date), for notifications and old clients."""
    lines = []
    for hit, row in rows:
        title = getattr(row, "title", None) or getattr(row, "name", "")
        starts = to_tokyo(getattr(row, "starts_at", None))
        if hit.kind == "event":
            when = event_when(row, lang)
            lines.append(f"・{title}" + (f" {when}" if when else ""))
            continue
        lines.append(f"・{title}" + (f" {format_day(starts.date(), lang)}" if starts else ""))
    return "\n".join(lines)


def _english_range(date_range) -> str:
    """Sat, Jan 12 / Sat, Jan 12 – Sun, Jan 13 for an asked [start, end) window (the Japanese label is 今週末)."""
    start, end = (value.astimezone(TOKYO) if value.tzinfo else value for value in date_range)
    last = (end - timedelta(microseconds=1)).date()
    first = start.date()
    if last <= first:
        return format_day(first, "en")
    return f"{format_day(first, 'en')} – {format_day(last, 'en')}"


def _context_label(session, parsed: ParsedQuery, lang: str, towns: list[str] | tuple = ()) -> str:
    """What the results are for: 「今週末・中央公民館・子ども向け」."""
    _ = translator(lang)
    parts = []
    if parsed.date_label and parsed.date_range:
        parts.append(parsed.date_label if lang != "en" else _english_range(parsed.date_range))
    # a piece of a name (東益津 of 東益津小学校) is what the resident meant: show it, not the facilities it matched
    names = [p.matched if p.kind == "facility" and 2 <= len(p.matched) < len(p.name) and p.matched in p.name
             else p.name for p in parsed.places[:2]]
    parts += list(dict.fromkeys(names)) + list(towns)[:2]
    if parsed.audiences:
        if set(parsed.audiences) & {"children", "parents", "elementary"}:
            parts.append(_("子ども向け"))
        else:
            parts.append(_(AUDIENCE_LABELS.get(parsed.audiences[0], N_("対象あり"))))
    if parsed.free_only:
        parts.append(_("無料"))
    if parsed.max_price is not None:
        parts.append(_("{yen}円以下").format(yen=f"{parsed.max_price:,}"))
    return _("・").join(parts)


def _results(session, parsed: ParsedQuery, request: Request, result: SearchResult, now: datetime,
             lang: str, note: str = "") -> Answer:
    """A summary line (or a facility's hours), the carousel, and choices to narrow or page."""
    _ = translator(lang)
    index = current_index(session)
    hits, next_days = one_card_per_series(index, result.hits)
    total = len(hits)
    offset = request.offset if request.offset < total else 0
    page = hits[offset:offset + PAGE_SIZE]
    rows = _load(session, page)
    today = now.date()
    day = _asked_day(parsed, today)
    place_day = _season_day(parsed, today)  # 「スキー場って冬は夜何時まで？」 asked in June: a winter day's hours
    window_start = _answer_window(parsed, today)[0]
    bubbles = [_bubble_for(hit, row, lang, today, day=place_day if hit.kind == "facility" else day,
                           next_days=next_days.get((hit.kind, hit.id))
                           or _next_held_days(docs_by_key(index).get((hit.kind, hit.id)), window_start, now))
               for hit, row in rows]
    if parsed.free_only and not any(states_fees(index, kind) for kind in result.kinds):
        parsed = dataclasses.replace(parsed, free_only=False)  # the file states no fees: not called 無料 here
    context = _context_label(session, parsed, lang, result.towns)
    summary = _("{n}件見つかりました。").format(n=total)
    if context:
        summary = _("{context}：{n}件見つかりました。").format(context=context, n=total)
    if offset or total > PAGE_SIZE:
        summary += "\n" + _("{start}〜{end}件目").format(start=offset + 1, end=offset + len(page))
    if note:
        summary = note + "\n" + summary
    messages = []
    first_facility = rows[0][1] if rows and rows[0][0].kind == "facility" else None
    asks_fee = bool(_HOW_MUCH.search(parsed.normalized or ""))
    one_fee = asks_fee and (bool(parsed.places) or total == 1)  # the fee of one place, not a list of fees
    fee_list = asks_fee and not one_fee
    question = parsed.normalized or ""
    # how to get to the one place found, when it was made, how many it seats, its hours or phone: asked of that place
    # whatever the rest of the question (「下鴨神社の森 朝は何時から入れる？」 found where an event was looked for)
    one_place = bool(parsed.places) or total == 1
    asks_of_one = one_place and bool(_asks_place_detail(question) or _CONTACT_WORDS.search(question)
                                      or _TIME_WORDS.search(question))
    intent = parsed.intent
    if asks_of_one and intent not in FACILITY_INTENTS:
        intent = "facility_phone" if _CONTACT_WORDS.search(question) else (
            "facility_hours" if _TIME_WORDS.search(question) else "facility_info")
    if first_facility is not None and offset == 0 and (one_fee or asks_of_one or (
            parsed.intent in FACILITY_INTENTS and not note and not fee_list)):
        text = _facility_answer_text(first_facility, intent, place_day, today, lang, result.keywords)
        if _PARKING_WORDS.search(parsed.normalized or ""):
            name, _sep, rest = text.partition("\n")  # the parking asked about comes right after the name
            text = "\n".join(filter(None, (name, parking_line(first_facility, lang), rest)))
        elif _asks_place_detail(question):
            detail = place_detail_line(first_facility, question, lang)
            if detail and intent not in _OWN_ANSWER_INTENTS:
                text = first_facility.name  # 「駅から近い？」 asks no hours: the way there is the whole answer
            text = "\n".join(filter(None, (text, detail)))
        if asks_fee or _FEE_WORDS.search(parsed.normalized or ""):
            name, _sep, rest = text.partition("\n")  # the fee asked for comes right after the name
            text = "\n".join(filter(None, (name, fee_line(first_facility, lang), rest)))
        if one_place:
            text = "\n".join(filter(None, (text, _topic_line(first_facility, result.keywords, text, lang))))
        messages.append(text_message(text))
    else:
        first_event = rows[0][1] if rows and rows[0][0].kind == "event" and offset == 0 else None
        if first_event is not None:
            first_event = _same_event_stating(session, result.hits, first_event, parsed.normalized or "", asks_fee)
        if first_event is not None and asks_fee and not parsed.free_only:
            # 「ロードレースの参加費は？」: the fee of the best match, said first
            # no fee column filled: the description's sentence on the fee (「受講料 3万円（材料費込み）」)
            fee = (first_event.fee or (_("無料") if first_event.is_free else None)
                   or _sentence_matching(first_event, _FEE_SENTENCE))
            summary = (_("{title}の料金：{fee}").format(title=first_event.title, fee=fee) if fee
                       else _("料金の情報は公開されていません。")) + "\n" + summary
        elif first_event is not None and _CONTACT_WORDS.search(parsed.normalized or ""):
            # 「お食事講座 申込みの電話番号おしえて」: the published contact of the best match, said first
            contact = shorten_graphemes(first_event.contact, 120) if first_event.contact else None
            summary = (_("{title}のお問い合わせ先：{contact}").format(title=first_event.title, contact=contact)
                       if contact else _("お問い合わせ先の情報は公開されていません。")) + "\n" + summary
        elif first_event is not None:
            detail = _event_detail_line(first_event, parsed.normalized or "", lang)
            summary = detail + "\n" + summary if detail else summary
        elif first_facility is not None and offset == 0 and one_place:
            # 「湯涌の朝市って 何曜日？」: no event, one place whose description says it (毎週水・日曜日には湯涌朝市)
            said = _topic_line(first_facility, result.keywords, "", lang)
            if said:
                summary = "\n".join((first_facility.name, said, summary))
        messages.append(text_message(summary))
    messages.append(carousel_message(bubbles, summary + "\n" + _alt_lines(rows, lang)))
    actions = _narrow_actions(parsed, request, result, offset, total, lang, first_facility)
    window = _answer_window(parsed, today)
    return Answer(with_quick_replies(messages, actions), [_item(hit, row, window) for hit, row in rows])


def _same_event_stating(session, hits: list[Hit], first, question: str, asks_fee: bool):
    """The best match, or the first other row of the same title (one card shows them all) that states what is
    asked where the best match does not (墨田区 files 少年サッカー大会 once with its dates and again per day with the
    fee and time)."""
    def states(event) -> bool:
        """True when the row has the detail the question asks for."""
        if asks_fee:
            return bool(event.fee or event.is_free)
        if _DEADLINE_WORDS.search(question):
            return bool(event.signup_deadline or event.apply_method)
        if _CAPACITY_WORDS.search(question):
            return bool(event.capacity)
        if _TIME_WORDS.search(question):
            return not event.all_day
        return True
    if states(first):
        return first
    title = normalize_text(first.title)
    rows = _load(session, [hit for hit in hits[:30] if hit.kind == "event" and hit.id != first.id])
    return next((row for _hit, row in rows if normalize_text(row.title) == title and states(row)), first)


def _event_detail_line(event, question: str, lang: str) -> Optional[str]:
    """The details of the best match a question asks for, said first, one per line (at most two: 「申し込みいる？
    何人まで？」): see _EVENT_DETAILS."""
    lines = [say(event, lang) for words, say in _EVENT_DETAILS if words.search(question)]
    return "\n".join(lines[:_MAX_DETAILS]) or None


def _deadline_line(event, lang: str) -> str:
    """The last day to apply (「申込みいつまで？」): the published deadline, else the sentence saying it."""
    _ = translator(lang)
    if event.signup_deadline is not None:
        deadline = to_tokyo(event.signup_deadline)
        # a date alone is kept as the next midnight (the end of that day)
        text = (format_day(deadline.date() - timedelta(days=1), lang) if (deadline.hour, deadline.minute) == (0, 0)
                else f"{format_day(deadline.date(), lang)} {deadline:%H:%M}")
    else:
        text = next((shorten_graphemes(sentence.strip(" 　・※"), 120)
                     for field in (event.apply_method, event.time_note, event.description)
                     for sentence in re.split(r"[。\n]", field or "") if _DEADLINE_SENTENCE.search(sentence)), None)
    return (_("{title}の申込み期限：{text}").format(title=event.title, text=text) if text
            else _("申込みの期限は公開されていません。"))


def _apply_line(event, lang: str) -> str:
    """How to apply, or that no one need (「申し込みいる？」 → 「入場無料　申込不要　３００名」 in the description)."""
    _ = translator(lang)
    text = (shorten_graphemes(event.apply_method.strip(), 120) if event.apply_method
            else _sentence_with(event, ("申込", "申し込", "予約", "当日", "直接会場")))
    return (_("{title}の申込み：{text}").format(title=event.title, text=text) if text
            else _("申込みの情報は公開されていません。"))


def _capacity_line(event, lang: str) -> str:
    """How many can come (「定員なんにん？」), in the file's own words where it wrote some (「10名/回」)."""
    _ = translator(lang)
    stated = _CAPACITY_LINE.search(event.description or "")
    if stated and re.search(r"\d", stated.group(1)):
        return _("{title}の定員：{text}").format(title=event.title, text=shorten_graphemes(stated.group(1), 80))
    if event.capacity:
        return _("{title}の定員：{n}人").format(title=event.title, n=event.capacity)
    sentence = _sentence_with(event, ("定員", "先着"))
    return (_("{title}：{text}").format(title=event.title, text=sentence) if sentence
            else _("定員の情報は公開されていません。"))


def _rain_line(event, lang: str) -> str:
    """What the row says about rain (「雨ふったらどうなるの？」)."""
    _ = translator(lang)
    sentence = _sentence_with(event, ("雨", "荒天", "天候"))
    return (_("{title}：{text}").format(title=event.title, text=sentence) if sentence
            else _("雨の日の情報は公開されていません。"))


def _bring_line(event, lang: str) -> str:
    """What to bring (「なに持ってけばいい？」)."""
    _ = translator(lang)
    sentence = _sentence_with(event, ("持ち物", "持参", "お持ち", "持って"))
    return (_("{title}：{text}").format(title=event.title, text=sentence) if sentence
            else _("持ち物の情報は公開されていません。"))


def _time_line(event, lang: str) -> str:
    """Its time with the file's time note (「競技は何時から？」 → 「10:15競技開始」)."""
    _ = translator(lang)
    when = event_when(event, lang)
    note = shorten_graphemes(event.time_note.strip(), 120) if event.time_note else ""
    return _("{title}：{text}").format(title=event.title, text=when + (f"（{note}）" if note else ""))


# What a question asks of an event, and the line that says it, in the order they are said.
_EVENT_DETAILS = ((_DEADLINE_WORDS, _deadline_line), (_APPLY_WORDS, _apply_line), (_CAPACITY_WORDS, _capacity_line),
                  (_RAIN_WORDS, _rain_line), (_BRING_WORDS, _bring_line), (_TIME_WORDS, _time_line))
_MAX_DETAILS = 2  # a small screen: the first two details asked


def _sentence_with(row, words: tuple[str, ...]) -> Optional[str]:
    """The first sentence of an event's time note or description holding one of the words, shortened."""
    return _sentence_matching(row, re.compile("|".join(map(re.escape, words))))


def _sentence_matching(row, pattern: re.Pattern) -> Optional[str]:
    """The first sentence of an event's time note or description the pattern finds something in, shortened."""
    for text in (row.time_note, row.description):
        for sentence in re.split(r"[。\n]", text or ""):
            if pattern.search(sentence):
                return shorten_graphemes(sentence.strip(" 　・※"), 120)
    return None


_FEE_SENTENCE = re.compile(r"参加費|受講料|料金|材料費|入場料|\d[\d,]*\s*円|\d\s*万円|無料")


def parking_line(facility, lang: str) -> str:
    """What the facility's published text says about parking (駐車場), or that nothing is published."""
    _ = translator(lang)
    for text in (facility.description, facility.hours_text, facility.closed_text, facility.fee, facility.aliases):
        for sentence in re.split(r"[。\n]|(?<=\S)\s{2,}", text or ""):
            if "駐車" in sentence:
                return _("駐車場：{text}").format(text=shorten_graphemes(sentence.strip(" 　・"), 120))
    return _("駐車場の情報は公開されていません。")


def access_line(facility, lang: str) -> str:
    """How the facility's published text says to get there (アクセス方法: 「徳山港から船で40分」), or ''."""
    _ = translator(lang)
    found = _ACCESS_NOTE.search(facility.description or "")
    return _("アクセス：{text}").format(text=shorten_graphemes(found.group(1).strip(" 　・"), 120)) if found else ""


def _asks_place_detail(question: str) -> bool:
    """Whether a question asks how to get to a place, when it was made or how many it seats."""
    return any(words.search(question) for words, _sentence in _PLACE_DETAILS) or bool(_ACCESS_WORDS.search(question))


def place_detail_line(facility, question: str, lang: str) -> str:
    """The line answering the detail asked of a place (「どうやって行くの」 → its アクセス, 「いつごろ作られた」 → the
    description's sentence with the year, 「何席ある」 → the one with the seats), or ''."""
    if _ACCESS_WORDS.search(question):
        return access_line(facility, lang)
    _ = translator(lang)
    pattern = next((sentences for words, sentences in _PLACE_DETAILS if words.search(question)), None)
    found = opening_sentence(facility.description, pattern) if pattern is not None else None
    return _("説明より：{text}").format(text=found) if found else ""


def fee_line(facility, lang: str) -> str:
    """「料金：200円（…）」 from the published fee (or the description's fee line), or a plain "not published"."""
    _ = translator(lang)
    fee = (facility.fee or "").strip()
    if not fee:
        lines = _FEE_LINE.findall(facility.description or "")
        fee = re.sub(r"^\s*料金\s*[:：]\s*", "", lines[0]).strip() if lines else ""
    return _("料金：{fee}").format(fee=fee) if fee else _("料金の情報は公開されていません。")


_MAX_OPEN_DAYS = 7  # a week at most: 「今月あいてる温泉」 asks nothing of any one day


def _asked_days(parsed: ParsedQuery) -> list:
    """The days of the asked dates (明日: one; 今週末: two), the days a facility may be open on."""
    start, end = (d.astimezone(TOKYO) if d.tzinfo else d for d in parsed.date_range)
    first, last = start.date(), (end - timedelta(microseconds=1)).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _days_label(days: list, lang: str) -> str:
    """12月6日(土) for one day, 12月6日(土)〜12月7日(日) for several."""
    return format_day(days[0], lang) + ("" if len(days) == 1 else "〜" + format_day(days[-1], lang))


_SHORT_CLOSED_TEXT = 30  # closed days a file writes in fewer letters are said its way
_CLEARLY_BETTER = 0.8  # a match scoring below this share of the best is a weaker one


def _open_on(session, hits: list[Hit], days: list) -> list[Hit]:
    """The facility hits not closed on at least one of the days by their published hours (unknown hours are kept),
    in their order: each row is loaded and its hours read once, whatever the number of days."""
    rows = dict(((hit.kind, hit.id), row) for hit, row in _load(session, hits))
    kept = []
    for hit in hits:
        row = rows.get((hit.kind, hit.id))
        if row is None:
            continue
        info = parse_hours(row.hours_text, row.closed_text)
        if any(hours_on(info, day).status != "closed" for day in days):
            kept.append(hit)
    return kept


def _open_first(session, hits: list[Hit], day, keep_bands: bool = False) -> list[Hit]:
    """The facility hits with those closed on that day (by their published hours) moved last, order otherwise kept
    (within each relevance band when the resident's words told the places apart)."""
    head = hits[:30]
    open_ones = set(map(id, _open_on(session, head, [day])))
    # 「牛田の水道の資料館 12月に行けますか」: the one named by its words stays first, closed or not
    return _within_bands(head, lambda group: sorted(group, key=lambda hit: id(hit) not in open_ones),
                         keep_bands) + hits[30:]


def _within_bands(hits: list[Hit], reorder: Callable[[list[Hit]], list[Hit]], keep_bands: bool) -> list[Hit]:
    """The hits reordered by `reorder`: all together, or within each relevance band when the resident's words told
    the places apart (SearchResult.words_decide), the bands in their order."""
    if not keep_bands:
        return reorder(hits)
    band = relevance_bands([hit.score for hit in hits])
    return [hit for n in sorted(set(band.values())) for hit in reorder([h for h in hits if band[h.score] == n])]


def _open_late_first(session, hits: list[Hit], day, until: Optional[tuple[int, int]]) -> list[Hit]:
    """Facility hits open that day until the asked time (or any evening hour) first, the latest closing first;
    the others after, in their order."""
    wanted = until[0] * 60 + until[1] if until else 18 * 60
    if wanted < _NIGHT_ENDS:
        wanted += _DAY  # 「夜中の3時まで」: 3:00 after midnight
    def latest(ranges) -> Optional[int]:
        """Minus the closing minute (past midnight counted on: 18:00～1:30 closes at 25:30), for a place open until
        the asked time."""
        closing = max(_minute(end) + (_DAY if _minute(end) <= _minute(start) else 0) for start, end in ranges)
        return -closing if closing >= wanted else None
    return _qualifying_first(session, hits, day, latest)


_DAY = 24 * 60
_NIGHT_ENDS = 5 * 60  # a closing time asked before 5:00 is that night's, not the morning's


def _minute(moment) -> int:
    """Minutes since midnight of a time."""
    return moment.hour * 60 + moment.minute


def _qualifying_first(session, hits: list[Hit], day, rank: Callable) -> list[Hit]:
    """The first 30 facility hits with those open that day whose hours `rank` gives a value first, lowest first;
    the others after, in their order."""
    head = hits[:30]
    rows = dict(((hit.kind, hit.id), row) for hit, row in _load(session, head))
    def key(hit: Hit):
        """(does not qualify, the rank)."""
        row = rows.get((hit.kind, hit.id))
        hours = hours_on(parse_hours(row.hours_text, row.closed_text), day) if row is not None else None
        value = rank(hours.ranges) if hours is not None and hours.status == "open" and hours.ranges else None
        return (1, 0) if value is None else (0, value)
    return sorted(head, key=key) + hits[30:]


# 「朝8時から入れる」: open at that time (the clock followed by から), not open until it
_FROM_CLOCK = re.compile(r"\d{1,2}\s*(?:時|:)\s*(?:\d{1,2}\s*分?|半)?\s*(?:から|~|〜|以降)")
_UNTIL_CLOCK = re.compile(r"\d{1,2}\s*(?:時|:)\s*(?:\d{1,2}\s*分?|半)?\s*(?:過ぎ|すぎ)?\s*(?:まで|以降も)")


def _open_at_first(session, hits: list[Hit], day, at: tuple[int, int]) -> list[Hit]:
    """Facility hits open that day at the asked time first, the earliest opening first; the others after."""
    wanted = at[0] * 60 + at[1]
    def opening(ranges) -> Optional[int]:
        """The opening minute of the range open at the asked time, or None."""
        return min((_minute(start) for start, end in ranges
                    if _minute(start) <= wanted < (_minute(end) or _DAY)), default=None)
    return _qualifying_first(session, hits, day, opening)


def _by_asked_hours(session, parsed: ParsedQuery, result: SearchResult, day) -> SearchResult:
    """Several places of a kind with the asked hours first: 「夜9時まで開いてる公園」「夜遅くまでやってる温泉」 the latest
    closing first, 「朝早くからやってる温泉」 the earliest opening first (also where an events question was answered
    with places)."""
    if (len(result.hits) < 2 or set(result.kinds) != {"facility"} or (parsed.places and not named_by_kind(parsed))
            or parsed.intent not in ("facility_hours", "facility_info", "events", "unknown")):
        return result
    text = parsed.normalized or ""
    if parsed.exact_time and _FROM_CLOCK.search(text) and not _UNTIL_CLOCK.search(text):
        reorder = functools.partial(_open_at_first, session, day=day, at=parsed.exact_time)
    elif parsed.exact_time or parsed.time_of_day == "evening":
        reorder = functools.partial(_open_late_first, session, day=day, until=parsed.exact_time)
    elif parsed.time_of_day == "morning":
        reorder = functools.partial(_open_early_first, session, day=day)
    else:
        return result
    # 「千歳のほうで海釣りできる公園 朝何時から？」: the park the words single out first, the hours within each band
    return dataclasses.replace(result, hits=_within_bands(result.hits, reorder, result.words_decide))


def _open_early_first(session, hits: list[Hit], day) -> list[Hit]:
    """Facility hits open that day before noon first, the earliest opening first; the others after, in their order."""
    def earliest(ranges) -> Optional[int]:
        """The opening minute, for a place open before noon; a place open all day (0:00～23:59, often a lodging's
        placeholder) after those stating a morning opening."""
        if any(_minute(start) == 0 and _minute(end) >= _DAY - 1 for start, end in ranges):
            return 12 * 60 - 1
        opening = min(_minute(start) for start, _end in ranges)
        return opening if opening < 12 * 60 else None
    return _qualifying_first(session, hits, day, earliest)


def _in_season_first(session, hits: list[Hit], day, keep_bands: bool = False) -> list[Hit]:
    """The facility hits with those closed for the season on that day moved last (order otherwise kept)."""
    rows = dict(((hit.kind, hit.id), row) for hit, row in _load(session, hits[:30]))
    def out_of_season(hit: Hit) -> bool:
        """Closed on that day because it opens only in another part of the year."""
        row = rows.get((hit.kind, hit.id))
        return row is not None and closed_for_season(parse_hours(row.hours_text, row.closed_text), day)
    return _within_bands(hits, lambda group: sorted(group, key=out_of_season), keep_bands)


# 「冬でも泳げる」「夏に行ける」: a season named without a date is asked about in that season (Japan's months).
_SEASON_WORD = re.compile(r"(冬|夏|春|秋)(?:でも|に|も|は|の間|場|季|期)")


def _season_day(parsed: ParsedQuery, today):
    """The day a season question is about: the asked day, or in a named season (冬でも) its next middle day."""
    day = _asked_day(parsed, today)
    named = _SEASON_WORD.search(parsed.normalized or "")
    if parsed.date_range or named is None:
        return day
    months = dict(SEASON_MONTHS)[named.group(1)]
    if day.month in months:
        return day
    middle = months[1]
    year = day.year if (middle, 15) > (day.month, day.day) else day.year + 1
    return date(year, middle, 15)


def _asked_day(parsed: ParsedQuery, today):
    """The day a facility question is about: the asked date (明日, 木曜日), else today."""
    if parsed.date_range:
        start = parsed.date_range[0]
        return (start.astimezone(TOKYO) if start.tzinfo else start).date()
    return today


def _facility_answer_text(facility, intent: str, day, today, lang: str, words: list[str] = ()) -> str:
    """The direct answer for a facility question: the day's hours, closed days, address or phone; for a place
    whose file gives no hours, the description's sentence on visiting or on what was asked (words)."""
    _ = translator(lang)
    if intent == "facility_address" and facility.address:
        return _("{name}の住所：{address}").format(name=facility.name, address=facility.address)
    if intent == "facility_phone" and facility.phone:
        return _("{name}の電話番号：{phone}").format(name=facility.name, phone=facility.phone)
    info = parse_hours(facility.hours_text, facility.closed_text)
    lines = [facility.name]
    if intent == "facility_phone":
        lines.append(_("電話番号は公開されていません。"))
    if intent == "facility_address":
        lines.append(_("住所は公開されていません。"))
    today_line = closure_line(facility, day, lang, today) or today_hours_line(info, day, lang, today)
    if today_line and day == today:
        lines.append(f"{today_line}（{format_day(today, lang)}）" if lang != "en" else f"{today_line} ({format_day(today, lang)})")
    elif today_line:
        lines.append(today_line)
    if today_line and hours_on(info, day).status == "closed":
        following = _next_open_day(facility, info, day)
        if following is not None:  # 「今日やってる？」 on a closed day: when it does open is the next thing asked
            lines.append(_("次に開いている日：{day}").format(day=format_day(following, lang)))
        if usual_hours_line(info, lang):
            lines.append(_("開館時間：{hours}").format(hours=usual_hours_line(info, lang)))
    closed = closed_days_line(info, lang) if info.closed_understood else None
    if closed and lang == "ja" and facility.closed_text and len(facility.closed_text) <= _SHORT_CLOSED_TEXT:
        closed = facility.closed_text.strip()  # 「第1・第3日曜日、年末年始」 read well as the file writes it
    if closed:
        lines.append(_("休館日：{days}").format(days=closed))
    if info.notes and today_line and info.closed_understood:
        # seasons, dated closures, other hours on weekends: the published words, so nothing read is hidden
        lines.append(_("お知らせ：{text}").format(text=shorten_graphemes(info.notes, 200)))
    if not today_line or not info.closed_understood:
        if facility.hours_text:
            lines.append(_("開館時間（公開情報）：{text}").format(text=facility.hours_text))
        if facility.closed_text and not closed:
            lines.append(_("休館日（公開情報）：{text}").format(text=facility.closed_text))
    if len(lines) == 1 or (len(lines) == 2 and intent in ("facility_phone", "facility_address")):
        # 「古墳から出てきたもの 見られるとこ」: 「出土品は郷土館に展示されています」 says where
        opening = opening_sentence(facility.description) or sentence_holding(facility.description, words)
        lines.append(_("説明より：{text}").format(text=opening) if opening
                     else _("開館時間の情報はまだありません。下の「詳細」からお問い合わせ先をご覧ください。"))
    return "\n".join(lines)


_LOOK_AHEAD_DAYS = 14


def _next_open_day(facility, info, day) -> Optional[date]:
    """The first day after `day` the published hours (and the city's closures) say the place is open, within two
    weeks; None when they do not say."""
    for n in range(1, _LOOK_AHEAD_DAYS + 1):
        following = day + timedelta(days=n)
        if hours_on(info, following).status == "open" and closure_on(object_session(facility), facility.id,
                                                                      following) is None:
            return following
    return None


# 「毎年11月ころに開催される…特別展「国宝」で見ることができます」: a time of year to see it says when, too
_OPENING_WORDS = re.compile(r"公開|開館|開園|営業|見学|拝観|入館|入園|入場|開放"
                            r"|(?:\d{1,2}\s*月|[春夏秋冬]|期間)[^。]*(?:見ることができ|見られ|ご覧いただけ)")


def opening_sentence(description: str | None, pattern: re.Pattern = _OPENING_WORDS) -> str | None:
    """The description's first sentence the pattern finds something in, shortened: by default the one about when or
    how the place can be visited (「…一般公開時のみ（11月上旬）」), for a place whose file gives no hours."""
    for sentence in re.split(r"(?<=。)|\n", description or ""):
        if pattern.search(sentence):
            return shorten_graphemes(sentence.strip(" 　・"), 120)
    return None


def _topic_line(facility, keywords: list[str], said: str, lang: str) -> str:
    """The description's sentences on what the question asked of one place beyond its name (「声明をきく会」,
    「絵付け体験」), when the answer does not hold them yet, or ''."""
    _ = translator(lang)
    name = normalize_text(facility.name)
    words = [k for k in keywords if k not in name and k not in GENERIC_SEARCH_WORDS]
    found = sentence_holding(facility.description, words) if words else None
    return _("説明より：{text}").format(text=found) if found and found not in said else ""


def sentence_holding(description: str | None, words) -> str | None:
    """The description's sentences holding one of the question's words (or their synonyms), shortened."""
    forms = [w for w in expand(list(words)) if len(w) > 1 and not w.startswith(PHRASE_PREFIX)]
    found = [sentence.strip(" 　・") for sentence in re.split(r"(?<=。)|\n", description or "")
             if any(form in normalize_text(sentence) for form in forms)]
    return shorten_graphemes("".join(found), 120) if found else None


def _narrow_actions(parsed: ParsedQuery, request: Request, result: SearchResult, offset: int, total: int,
                    lang: str, facility) -> list[dict]:
    """Quick replies: next page, 明日, 今週末, 子ども向け, 近くの施設, menu."""
    _ = translator(lang)
    actions = []
    if offset + PAGE_SIZE < total:
        actions.append(_request_action(_("次の10件"), dataclasses.replace(request, offset=offset + PAGE_SIZE)))
    if "event" in result.kinds:
        for label, key, value in NARROW:
            if key == "w" and request.when == value:
                continue
            if key == "a" and (request.audience or parsed.audiences):
                continue
            changed = dataclasses.replace(request, offset=0, **({"when": value} if key == "w" else {"audience": value}))
            actions.append(_request_action(_(label), changed))
    if facility is not None:
        actions.append(message_action(_("{name}のイベント").format(name=shorten_graphemes(facility.name, 12)),
                                      f"{facility.name}のイベント"))
    actions += _fallback_actions(lang)
    return actions


def _fallback_actions(lang: str) -> list[dict]:
    """近くの施設 (send location) and the main menu: always somewhere to go."""
    _ = translator(lang)
    actions = [{"type": "location", "label": shorten_graphemes(_("近くの施設"), 20)}]
    try:
        from content.menus import main_menu_actions

        actions += main_menu_actions(lang)
    except ImportError:  # pragma: no cover - menus are written by another area
        actions.append(message_action(_("メニュー")))
    return actions


def _no_result(session, parsed: ParsedQuery, request: Request, result: SearchResult, now: datetime,
               lang: str, index=None) -> Answer:
    """Say plainly nothing matched, and offer the relaxed searches that do find something."""
    _ = translator(lang)
    context = _context_label(session, parsed, lang, result.towns)
    actions = []
    found_without: dict[str, int] = {}  # relaxation flag → how many it finds
    active = {"d": bool(parsed.date_range or parsed.past or parsed.time_of_day),
              "p": bool(parsed.places or result.towns),
              "a": bool(parsed.audiences), "f": bool(parsed.free_only), "k": True}
    for flag, label in RELAXATIONS:
        if not active[flag] or flag in request.relax:
            continue
        relax = request.relax + flag
        found = search(session, parsed, now=now, relax=relax, index=index)
        found_without[flag] = len(found.hits)
        if found.hits and len(actions) < 3:
            n = len(found.hits)
            actions.append(_request_action(f"{_(label)}({n})", dataclasses.replace(request, relax=relax, offset=0),
                                           display=_(label)))
    # 「日曜の図書館のイベント」 where nothing is about 図書館 on any day: the word failed, not the day
    words_failed = (result.keywords or ([parsed.place_text_unmatched] if parsed.place_text_unmatched else [])) \
        if not found_without.get("d") else []
    words_failed = [w for w in words_failed if w not in context]  # 北公民館 already named as the place asked
    if result.unknown or words_failed:
        words = _("、").join(f"「{w}」" for w in as_typed(parsed, (result.unknown or words_failed)[:3]))
        text = _("{words}に合うものは見つかりませんでした。").format(words=words)
    elif context:
        text = _("{context}に合うものは見つかりませんでした。").format(context=context)
    else:
        text = _("お探しのものは見つかりませんでした。")
    if actions:
        text += "\n" + _("条件を変えると見つかります。下から選んでください。")
    else:
        text += "\n" + _("ほかのことばや日にちでも聞いてみてください。")
        actions.append(_request_action(_("今週末のイベント"), Request(text="今週末のイベント")))
    return Answer([text_message(text, actions + _fallback_actions(lang))], [], nothing_found=True,
                  unmatched=list(result.unknown))
