"""City questions beyond events: the FAQ (ゴミの出し方, 市役所の連絡先 …), greetings and thanks.

The FAQ is matched with the search's own words (Sudachi normalised terms and synonyms) weighted by how rare
they are among the entries: a question, its paraphrases and keywords weigh most, the answer a little.
"""
from __future__ import annotations

import math
import re
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from sqlalchemy import func
from sqlmodel import select

from content.i18n import translator
from content.messages import shorten_utf16, text_message
from content.search.terms import expand, normalize_text, terms_of
from models import FaqEntry

STRONG = 0.75  # share of the question's word weight an entry must meet to answer by itself
ANSWER_CHARS = 1200
# Words that only say "tell me" in a city question: they must not decide between entries. (何時, どこ, 電話,
# 場所 stay: they tell 開庁時間 from 場所 from 連絡先.)
_FAQ_STOPWORDS = frozenset("""知る 知りたい 教える 方法 仕方 やり方 出し方 手続き 必要 分かる わかる 良い 如何 どう 何 何か 有る
在る 居る 為る 成る 行く 来る 見る 出来る 欲しい 思う 下さる 下さい くださる お願い 願う こと 事 もの 物 方 です ます 様 さん
の 所 ところ とこ 今 今日 明日 ある いる する なる 場合 について 時 際 みどり 市""".split())
_GREETING = re.compile(
    r"^(?:こんにち[はわ]|こんばん[はわ]|おはよう(?:ございます)?|はじめまして|初めまして|やあ|もしもし|"
    r"hello|hi|hey|good (?:morning|afternoon|evening))(?:[ 　]*(?:です|よろしく(?:お願いします)?))?[ー〜~!！。.、\s]*$",
    re.I)
_THANKS = re.compile(
    r"^(?:どうも)?(?:ありがとう|有難う|有り難う)(?:ございます|ございました)?(?:ね|よ)?[ー〜~!！。.、\s]*$|"
    r"^(?:助かりました|助かる|サンキュー|thanks?(?: you)?(?: very much| so much)?|thank you|thx)[ー〜~!！。.、\s]*$",
    re.I)


def small_talk(text: str) -> Optional[str]:
    """"greeting" or "thanks" when the whole message is one, else None."""
    text = normalize_text(text)
    if _GREETING.match(text):
        return "greeting"
    if _THANKS.match(text):
        return "thanks"
    return None


def small_talk_text(kind: str, lang: str) -> str:
    """A short friendly reply that says what the bot can do."""
    _ = translator(lang)
    if kind == "thanks":
        return _("どういたしまして。ほかにも知りたいことがあれば、いつでも聞いてください。")
    return _("こんにちは。イベントや施設、市のよくある質問にお答えします。ことばで聞くか、下から選んでください。")


@dataclass
class FaqMatch:
    """The best entry for a question and how much of the question's word weight it met."""

    entry: FaqEntry
    coverage: float
    score: float
    precision: float = 0.0  # how nearly the question is one of the entry's own phrasings


@dataclass
class _Entry:
    """What the matcher keeps of one entry: its weighted words, and the words of each way it is asked."""

    id: int
    words: Counter
    phrasings: list


def _phrasings(entry: FaqEntry) -> list[frozenset]:
    """The content words of the question and of each paraphrase."""
    out = []
    for text in [entry.question] + (entry.paraphrases or "").split("\n"):
        words = frozenset(w for w in terms_of(text) if w not in _FAQ_STOPWORDS)
        if words:
            out.append(words)
    return out


class FaqIndex:
    """Weighted words of every active entry, with their rarity among the entries."""

    def __init__(self, entries: list[FaqEntry]) -> None:
        """Index the entries (question and paraphrases ×3, keywords ×2, category ×1, the answer's start ×1)."""
        self.entries = [_Entry(e.id, _entry_words(e), _phrasings(e)) for e in entries]
        df: Counter = Counter()
        for entry in self.entries:
            df.update(set(entry.words))
        total = len(self.entries) or 1
        self.idf = {word: math.log(1 + (total - n + 0.5) / (n + 0.5)) for word, n in df.items()}
        self.unseen_idf = math.log(1 + (total + 0.5) / 0.5)

    def best(self, words: list[str]) -> Optional[tuple[int, float, float, float]]:
        """(entry id, coverage, score, precision) of the best entry for the question's words, or None.

        precision: the largest share of one phrasing's words (question or paraphrase) the question has."""
        words = [w for w in dict.fromkeys(words) if w not in _FAQ_STOPWORDS]
        if not words or not self.entries:
            return None
        weights = {w: self.idf.get(w, self.unseen_idf) for w in words}
        mass = sum(weights.values())
        asked = set(expand(words))
        best, best_key = None, None
        for entry in self.entries:
            met = score = 0.0
            for word in words:
                strength = max((weight * min(entry.words.get(other, 0), 3) / 3
                                for other, weight in expand([word]).items()), default=0.0)
                if strength:
                    met += weights[word] * min(1.0, strength * 1.5)
                    score += weights[word] * strength
            if not score:
                continue
            # of two entries meeting the question alike, the one asked most nearly this way (住民票の写しがほしい,
            # not コンビニで証明書を取るには whose paraphrase mentions 住民票)
            precision = max((len(p & asked) / len(p) for p in entry.phrasings), default=0.0)
            key = (round(met / mass, 2), round(precision, 2), score)
            if best_key is None or key > best_key:
                best, best_key = (entry.id, met / mass, score, precision), key
        return best


def _entry_words(entry: FaqEntry) -> Counter:
    """An entry's words with field weights (a word counts at most 3)."""
    words: Counter = Counter()
    fields = ((entry.question, 3), (entry.paraphrases, 3), (entry.keywords, 2), (entry.category, 1),
              ((entry.answer or "")[:200], 1))
    for text, weight in fields:
        for term in set(terms_of(text)):
            words[term] = min(3, max(words[term], weight))
    return words


_cache: dict = {}
_lock = threading.Lock()


def faq_index(session) -> FaqIndex:
    """The FAQ index of this database, rebuilt when an entry is added, changed or retired."""
    version = tuple(session.exec(select(func.count(FaqEntry.id), func.max(FaqEntry.id),
                                        func.max(FaqEntry.updated_at))).one())
    key = str(session.get_bind().url)
    cached = _cache.get(key)
    if cached and cached[0] == version:
        return cached[1]
    with _lock:
        entries = list(session.exec(select(FaqEntry).where(FaqEntry.active == True)))  # noqa: E712
        index = FaqIndex(entries)
        _cache[key] = (version, index)
        return index


def match_faq(session, words: list[str]) -> Optional[FaqMatch]:
    """The entry that answers a question's words, with its coverage, or None."""
    if not words:
        return None
    found = faq_index(session).best(words)
    if found is None:
        return None
    entry = session.get(FaqEntry, found[0])
    return FaqMatch(entry, *found[1:]) if entry is not None else None


def faq_text(entry: FaqEntry, lang: str) -> str:
    """The answer as one message: the question, the answer, who to ask and the page."""
    _ = translator(lang)
    lines = [_("よくある質問：{question}").format(question=entry.question), entry.answer.strip()]
    contact = " ".join(filter(None, (entry.department, entry.phone)))
    if contact:
        lines.append(_("問い合わせ：{contact}").format(contact=contact))
    if entry.url:
        lines.append(_("くわしく：{url}").format(url=entry.url))
    return shorten_utf16("\n".join(lines), ANSWER_CHARS + 300)


def faq_messages(entry: FaqEntry, lang: str, actions: list[dict]) -> list[dict]:
    """The LINE messages of an FAQ answer, with the given quick replies."""
    return [text_message(faq_text(entry, lang), actions)]


def faq_item(entry: FaqEntry) -> dict:
    """The machine-readable item (`tsunagari ask --json`)."""
    return {"kind": "faq", "id": entry.id, "title": entry.question, "starts_at": None, "place": entry.url}


def question_words(text: str) -> list[str]:
    """A question's content words as the FAQ compares them."""
    return [t for t in terms_of(text) if not t.isdigit()]


DEMO_FAQ = Path(__file__).with_name("data") / "demo-faq.csv"


def seed_demo_faq(session) -> None:
    """The demo city's FAQ (content/data/demo-faq.csv), through the same importer as `tsunagari import faq`."""
    from content.importers import import_path

    import_path(session, "faq", str(DEMO_FAQ))
