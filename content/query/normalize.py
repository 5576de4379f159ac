"""Text normalisation for questions: NFKC, 〇〇 placeholders, Sudachi normalised forms and kana readings."""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from sudachipy import Dictionary, SplitMode

_local = threading.local()
_dictionary_lock = threading.Lock()
_dictionary = None

_SKIP_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}
# Runs of placeholder circles (〇〇センター); Sudachi would read them as the number 00.
# A 〇 between kanji numerals (二〇二六) is a digit and stays.
_PLACEHOLDER_RE = re.compile(r"(?<![一二三四五六七八九十〇])[〇○◯●◎□■×＊*]{2,}(?![一二三四五六七八九十])")
_SPACES_RE = re.compile(r"\s+")
_KATAKANA_TO_HIRAGANA = {c: c - 0x60 for c in range(ord("ァ"), ord("ヶ") + 1)}
_KANA_RE = re.compile(r"^[ぁ-ゖァ-ヺー・\s]+$")

# Words that carry no subject of their own (normalised forms): question words, light verbs, fillers.
STOPWORDS = frozenset("""
何 何か 何処 どこ 何時 いつ 何方 どなた 誰 有る 在る 居る 為る 成る 行く 来る 教える 知る 見る 出来る 欲しい
良い 無い ある いる する なる 探す 調べる 思う 下さる 下さい くださる お願い 願う 知りたい こと 事 物 もの
所 ところ 方 です ます 様 さん 的 用 向け 向き ため 為 其の 此の 其れ 此れ 此処 其処 ここ そこ あそこ どれ
なに なん 何て 如何 どう どの 色々 いろいろ 今 近い 近く 近所 周辺 辺り 頃 位 くらい ぐらい 等 など 他 ほか
今日は 今晩は お早う 有り難う ありがとう 宜しく よろしく はい いいえ すみません 済みません こんにちわ
御早う 済む すむ 恐れ入る 恐れる 入る 頂く 頂ける 戴く 申し訳 申し訳ない お疲れ様 御免 ごめん 失礼
月曜日 火曜日 水曜日 木曜日 金曜日 土曜日 日曜日 月曜 火曜 水曜 木曜 金曜 土曜 日曜 平日 土日 週末 毎週 毎月 毎日
時 日 月 年 分 頃 ごろ 暇 ひま 退屈 気 円
一緒 皆 みんな 皆さん 私 僕 俺 うち 家 自分 ちょっと 少し 是非 ぜひ 教え 件 予定 情報 やる 遣る 有り 可能
そう
""".split())


# Words residents often type in hiragana that Sudachi splits wrongly on their own (いべんと → い|弁当).
# Only unambiguous words; こうえん (公園/講演) and きょう (今日/教) are left to the readings.
KANA_WORDS = {
    "いべんと": "イベント", "ぼらんてぃあ": "ボランティア", "ぼらんてあ": "ボランティア", "ぼらんていあ": "ボランティア", "もよおし": "催し",
    "こうざ": "講座", "きょうしつ": "教室", "せみなー": "セミナー", "おまつり": "お祭り", "むりょう": "無料",
    "たいそう": "体操", "こそだて": "子育て", "としょかん": "図書館", "こうみんかん": "公民館", "たいいくかん": "体育館",
    "じどうかん": "児童館", "ぷーる": "プール", "しやくしょ": "市役所", "やくしょ": "役所", "でんわばんごう": "電話番号",
    "でんわ": "電話", "じゅうしょ": "住所", "きゅうかんび": "休館日", "なんじ": "何時", "かいかんじかん": "開館時間",
    "ぼうさい": "防災", "せいそう": "清掃", "じちかい": "自治会", "ちょうないかい": "町内会", "こうれいしゃ": "高齢者",
    "しょうがくせい": "小学生", "ちゅうがくせい": "中学生", "おやこ": "親子", "せってい": "設定", "へるぷ": "ヘルプ",
    "こどもむけ": "子ども向け", "おとなむけ": "大人向け", "かぞくむけ": "家族向け",
    "じいじ": "祖父", "ばあば": "祖母",  # じいじばあば: Sudachi reads じい|じ|ばあ|ば
}
_KANA_WORDS_RE = re.compile("|".join(sorted(KANA_WORDS, key=len, reverse=True)))


# Kana endings Sudachi misreads after a word: 小学生むけ → 小学|生む|け, 2さい → 2|さい (才 is read, 子 is not).
# Not むき: 皮むき is peeling, not 向き.
_KANA_SUFFIXES = ((re.compile(r"(?<=[一-龥々ァ-ヺー])むけ"), "向け"), (re.compile(r"(?<=\d)さい"), "歳"),
                  (re.compile(r"(?<=金)のこと"), "の事"))  # お金のこと: Sudachi reads 金のこ (金鋸) + と


# Everyday phrases for the one word rows use: 「古墳から出てきたもの」 is what the file calls 出土品.
_LAY_PHRASES = ((re.compile(r"から(?:出|で)(?:て(?:き|来))?た(?=もの|物|の|\s|$)"), "から出土した"),
                # 「子ども預けて受けられる講座」: a class with childcare (託児), not a children's event
                (re.compile(r"(?:子ども|子供|こども|子)を?(?:預け|あずけ)(?:て|られる|たい|る|れる)?"), "託児つきで"))


def rewrite_kana_words(text: str) -> str:
    """Common hiragana words written the usual way (いべんと → イベント, 小学生むけ → 小学生向け) so Sudachi
    segments them, and everyday phrases as the word rows use (古墳から出たもの → 古墳から出土したもの)."""
    text = _KANA_WORDS_RE.sub(lambda m: KANA_WORDS[m.group()], text)
    for pattern, word in _KANA_SUFFIXES + _LAY_PHRASES:
        text = pattern.sub(word, text)
    return text


@dataclass(frozen=True)
class Token:
    """One Sudachi morpheme as the query layer needs it."""

    surface: str
    normalized: str
    reading: str  # hiragana
    pos: str
    start: int
    end: int
    sub: tuple[str, ...]  # normalised mode-A sub-words when the C word splits
    cuts: tuple[int, ...] = ()  # offsets inside the word where its mode-A parts meet
    pos_detail: str = ""  # Sudachi POS levels 2-3, e.g. "普通名詞/副詞可能"


def _get_dictionary():
    """The shared Sudachi dictionary (loaded once; memory-mapped)."""
    global _dictionary
    if _dictionary is None:
        with _dictionary_lock:
            if _dictionary is None:
                _dictionary = Dictionary(dict="core")
    return _dictionary


def tokenizer():
    """This thread's Sudachi tokenizer (Sudachi tokenizers are not thread-safe)."""
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        tok = _local.tokenizer = _get_dictionary().tokenizer(mode=SplitMode.C)
    return tok


def to_hiragana(text: str) -> str:
    """Katakana → hiragana (ー and other characters unchanged)."""
    return text.translate(_KATAKANA_TO_HIRAGANA)


def is_kana(text: str) -> bool:
    """Whether text is written only in kana."""
    return bool(text) and bool(_KANA_RE.match(text))


# 八ケ岳, 八ヶ岳, 八ヵ岳, 三ヶ月: between kanji (or a number and a kanji) the small ke is one letter however typed
_SMALL_KE_RE = re.compile(r"(?<=[一-龥々0-9])[ケヶヵカ](?=[一-龥々])")


def unify_small_ke(text: str) -> str:
    """ケ, ヵ and カ read as ヶ between kanji (八ケ岳 → 八ヶ岳), so the ways a place is written meet."""
    return _SMALL_KE_RE.sub(lambda m: "ヶ" if m.group(0) != "カ" or _counter_ka(text, m.start()) else "カ", text)


def _counter_ka(text: str, at: int) -> bool:
    """True for a カ that counts (3カ月, 5カ所): after a number, before 月, 所, 国 or 年."""
    return text[at - 1:at].isdigit() and text[at + 1:at + 2] in "月所国年"


def normalize_text(text: str | None) -> str:
    """NFKC, 〇〇 placeholders removed, whitespace collapsed (the form every other step reads)."""
    text = unify_small_ke(unicodedata.normalize("NFKC", text or ""))
    text = _PLACEHOLDER_RE.sub(" ", text)
    return _SPACES_RE.sub(" ", text).strip()


def tokenize(text: str) -> list[Token]:
    """Sudachi mode-C morphemes of already-normalised text, with readings and mode-A sub-words."""
    if not text:
        return []
    out = []
    for m in tokenizer().tokenize(text):
        subs = m.split(SplitMode.A)
        sub = tuple(s.normalized_form() for s in subs) if len(subs) > 1 else ()
        reading = m.reading_form()
        surface = m.surface()
        if is_kana(surface) or not reading or reading == "キゴウ":
            reading = surface
        cuts = tuple(subs[k].begin() for k in range(1, len(subs)))
        pos = m.part_of_speech()
        out.append(Token(surface, m.normalized_form(), to_hiragana(reading), pos[0],
                         m.begin(), m.end(), sub, cuts, f"{pos[1]}/{pos[2]}"))
    return out


def _term_form(word: str) -> str:
    """A term as stored: Latin letters lower-cased (ＬＩＮＥ/LINE/line meet)."""
    return word.lower() if word.isascii() else word


def content_terms(tokens: list[Token], skip_spans: tuple[tuple[int, int], ...] = ()) -> list[str]:
    """Normalised content words (C words plus A sub-words), no particles, symbols, numbers or stopwords."""
    terms: list[str] = []
    seen = set()
    for t in tokens:
        if t.pos in _SKIP_POS or t.normalized in STOPWORDS or t.surface in STOPWORDS:
            continue
        if any(a <= t.start < b for a, b in skip_spans):
            continue
        if t.normalized.isdigit() or (len(t.surface) == 1 and (is_kana(t.surface) or t.pos in ("接尾辞", "接頭辞"))):
            continue
        for word in (t.normalized,) + tuple(w for w in t.sub if len(w) > 1):
            word = _term_form(word)
            if word and word not in seen and word not in STOPWORDS and not word.isdigit():
                if len(word) == 1 and is_kana(word):
                    continue
                seen.add(word)
                terms.append(word)
    return terms


def terms_of(text: str | None) -> list[str]:
    """Normalised content words of any text (for an index built the same way as the query)."""
    return content_terms(tokenize(normalize_text(text)))


@lru_cache(maxsize=8192)
def reading_of(text: str | None) -> str:
    """Hiragana reading of a text (図書館 → としょかん), symbols and spaces dropped."""
    text = normalize_text(text)
    if not text:
        return ""
    out = []
    for m in tokenizer().tokenize(text):
        if m.part_of_speech()[0] in ("補助記号", "空白"):
            continue
        surface, reading = m.surface(), m.reading_form()
        out.append(to_hiragana(surface if is_kana(surface) or not reading else reading))
    return "".join(out)
