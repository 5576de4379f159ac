"""PlaceIndex: find the city's facilities and districts named in a question.

Matching runs on two forms of the question: the normalised text (中央公民館) and its hiragana reading
(ちゅうおうこうみんかん), so kana-only questions find facilities through their 名称_カナ or Sudachi reading.
Exact and substring matches come first; rapidfuzz only runs when nothing matched and the question has a
place-like word (…館, …センター), so typos (中央公民舘, ちゅおうこうみんかん) still land.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

from rapidfuzz import fuzz, process

from content.query.model import PlaceMatch
from content.query.normalize import STOPWORDS, Token, is_kana, normalize_text, reading_of, to_hiragana, tokenize

# Prefixes that do not tell facilities apart (市立中央図書館 is also called 中央図書館).
_NAME_PREFIX_RE = re.compile(r"^(?:[^\s]{1,4}?[都道府県市町村区]立|市立|区立|町立|村立|県立|都立|府立|道立|国立|市民|公立)")
_DISTRICT_SUFFIX_RE = re.compile(r"(?:地区|地域|校区|学区|方面)$")
# Endings of facility names: a question word ending in one of these names a place.
PLACE_SUFFIXES = (
    "館", "センター", "ホール", "公園", "プール", "広場", "会館", "施設", "学校", "小学校", "中学校", "病院",
    "庁舎", "役所", "役場", "支所", "出張所", "体育館", "運動場", "グラウンド", "球場", "スタジアム", "アリーナ",
    "プラザ", "ひろば", "の森", "園", "室", "ハウス", "ステーション", "斎場", "市場", "文化会館", "交流館",
)
# How residents name a kind of place → how facility lists name it.
_TYPE_SYNONYMS = {"テニスコート": "テニス場", "グランド": "グラウンド", "図書室": "図書館", "市民プール": "プール",
                  "駐輪場": "自転車駐車場"}
_TYPE_SYNONYMS_RE = re.compile("|".join(_TYPE_SYNONYMS))
_PLACE_SUFFIX_KANA = ("かん", "せんたー", "ほーる", "こうえん", "ぷーる", "ひろば", "としょしつ", "ぷらざ")
# Names a city may give a kind of place beside the kind's own name (a スポーツセンター is a 体育館 too).
KIND_NAME_ENDINGS = {"体育館": ("スポーツセンター", "アリーナ", "体育センター"), "図書館": ("図書室",),
                     "プール": ("水泳場",), "運動場": ("グラウンド", "グランド", "競技場"),
                     "キャンプ場": ("キャンプ村", "旅行村", "野営場"),
                     "神社": ("神宮", "天神宮", "天満宮", "八幡宮", "大社")}  # わら天神宮 is a shrine too
# Type words too general to point at any facility on their own.
_TOO_GENERIC = frozenset({"センター", "施設", "ホール", "会館", "広場", "ひろば", "プラザ", "ハウス", "ルーム", "室", "館",
                          "せんたー", "しせつ", "ほーる", "かいかん", "ぷらざ", "はうす", "るーむ"})
_MIN_SURFACE_PARTIAL = 3  # 公民館, 図書館: shorter pieces (中央, 市民) name nothing on their own
_MIN_SURFACE_SUFFIX = 2  # 公園 at the end of a name
_MIN_KANA_PARTIAL = 5  # としょかん; 4-kana pieces collide with ordinary words (こうえん = 講演)
_FUZZY_CUTOFF = 82
_KIND_WEIGHT = 92.0  # a kind of place a row states (its 説明 is 老人福祉センター) scores like a name's ending (≈ 90)
_KIND_MAX_LEN = 15
_SENTENCE_MARKS = re.compile(r"[。、，,．.：:（(「!！?？\s]")


@dataclass(frozen=True)
class _Key:
    """One matchable form of a place name."""

    text: str
    kind: str  # "facility" | "district"
    id: Optional[int]
    name: str
    is_reading: bool
    variant: bool = False  # a shortened form (市立 dropped): weaker when another name word precedes it
    weight: float = 100.0  # score of an exact match (the part in brackets of 倉庫(大富小学校) names the school, not the 倉庫)


_PAREN_RE = re.compile(r"[(（\[［「【]([^)）\]］」】]*)[)）\]］」】]?")


_NO_BETWEEN_NAMES = re.compile(r"(?<=[一-龥々ァ-ヺー])の(?=[一-龥々ァ-ヺー])")  # 松任の総合運動公園: parts of one name


def _name_variants(name: str) -> list[str]:
    """A name, the same without a 市立/市民 prefix, and 総合体育館(シーガルドーム) split into both names."""
    name = normalize_text(name)
    out = [name]
    bare = _PAREN_RE.sub("", name).strip()
    inner = [p.strip() for p in _PAREN_RE.findall(name) if len(p.strip()) >= 2]
    for form in [bare] + inner:
        if form and form not in out:
            out.append(form)
    for form in list(out):
        short = _NAME_PREFIX_RE.sub("", form)
        if short != form and len(short) >= 2 and short not in _TOO_GENERIC and short not in PLACE_SUFFIXES:
            out.append(short)
    return out


def _without_shared_kind_variants(keys: list[_Key]) -> list[_Key]:
    """The keys less a shortened name that another facility's name ends with: 美術館 of 広島県立美術館 is the kind
    of ひろしま美術館 and 広島市現代美術館 too, so 「比治山の美術館」 names all three (the city's only 市立図書館 keeps
    図書館 as its name)."""
    names = {(k.id, k.name) for k in keys if k.kind == "facility"}
    def shared(key: _Key) -> bool:
        """True for a facility's shortened form that is one word (美術館, not 恐竜博物館) ending another's name."""
        return (key.kind == "facility" and key.variant and not key.is_reading and len(tokenize(key.text)) == 1
                and any(pid != key.id and name.endswith(key.text) for pid, name in names))
    return [k for k in keys if not shared(k)]


def _district_variants(name: str) -> list[str]:
    """A district name and the same without 地区/地域."""
    name = normalize_text(name)
    out = [name]
    short = _DISTRICT_SUFFIX_RE.sub("", name)
    if short != name and len(short) >= 2:
        out.append(short)
    return out


def _split_aliases(aliases: Optional[str | Iterable[str]]) -> list[str]:
    """通称 lines (newline, ;, 、 or / separated) as a list."""
    if not aliases:
        return []
    if isinstance(aliases, str):
        aliases = re.split(r"[\n;；、,/／]", aliases)
    return [a.strip() for a in aliases if a and a.strip()]


_SOUND_FOLD = str.maketrans("はをづぢ", "わおずじ")


def fold_sound(reading: str) -> str:
    """A hiragana reading as it sounds, letter for letter (西河原: Sudachi にしがはら, typed にしがわら)."""
    return reading.translate(_SOUND_FOLD)


_TOO_GENERIC = _TOO_GENERIC | {fold_sound(w) for w in _TOO_GENERIC}


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    """Whether span overlaps any of spans."""
    return any(span[0] < b and a < span[1] for a, b in spans)


class PlaceIndex:
    """Facility and district names (with kana and 通称) ready for matching in questions."""

    def __init__(self, facilities: Iterable = (), districts: Iterable = ()):
        """facilities: (id, name, kana, aliases[, kinds]) tuples; districts: names or (id, name[, kana]) tuples."""
        self._keys: list[_Key] = []
        self._names: dict[tuple[str, Optional[int]], str] = {}
        kind_keys: list[_Key] = []
        facilities = [f for f in facilities if f[1]]
        for fid, name, kana, aliases, *kinds in facilities:
            self._add_place("facility", fid, name, kana, _split_aliases(aliases), _name_variants)
            kind_keys += [_Key(kind, "facility", fid, normalize_text(name), False, variant=True,
                               weight=_KIND_WEIGHT) for kind in (kinds[0] if kinds else ())]
        kind_keys += _kinds_by_other_names([(f[0], normalize_text(f[1])) for f in facilities])
        for district in districts:
            if isinstance(district, str):
                did, name, kana = None, district, None
            else:
                did, name, kana = (tuple(district) + (None,))[:3]
            if name:
                self._add_place("district", did, name, kana, [], _district_variants)
        self._keys = _without_shared_kind_variants(self._keys)
        self._surface = {}
        self._reading = {}
        for key in self._keys:
            table = self._reading if key.is_reading else self._surface
            table.setdefault(key.text, []).append(key)
        self._surface_pieces = self._pieces(self._surface, _MIN_SURFACE_SUFFIX, is_reading=False)
        self._reading_pieces = self._pieces(self._reading, _MIN_KANA_PARTIAL, is_reading=True)
        for key in kind_keys:  # matched like the end of a name (老人福祉センター of 鳥越老人福祉センター), never exactly
            self._surface_pieces.setdefault(key.text, []).append((key, True))
        self._fuzzy_choices = [k.text for k in self._keys if k.kind == "facility"]
        self._fuzzy_keys = [k for k in self._keys if k.kind == "facility"]
        self._max_key = max((len(k.text) for k in self._keys + kind_keys), default=0)

    @classmethod
    def from_session(cls, session) -> "PlaceIndex":
        """Build from the active Facility rows and the District rows in the database."""
        from sqlmodel import select

        from models.places import District, Facility

        facilities = [
            (f.id, f.name, f.kana, f.aliases)
            for f in session.exec(select(Facility).where(Facility.active == True)).all()  # noqa: E712
        ]
        districts = [(d.id, d.name, d.kana) for d in session.exec(select(District).order_by(District.position)).all()]
        return cls(facilities=facilities, districts=districts)

    def __len__(self) -> int:
        """Number of places indexed."""
        return len(self._names)

    def _add_place(self, kind, pid, name, kana, aliases, variants) -> None:
        """Register every surface and reading form of one place."""
        name = normalize_text(name)
        self._names[(kind, pid if pid is not None else name)] = name
        surfaces: list[str] = []
        for form in [name] + [normalize_text(a) for a in aliases]:
            for v in variants(form):
                if len(v) >= 2 and v not in surfaces:
                    surfaces.append(v)
        readings: list[str] = []
        if kana:
            k = to_hiragana(re.sub(r"[\s・]", "", normalize_text(kana)))
            readings.append(k)
            short = _NAME_PREFIX_RE.sub("", name)
            if short != name:  # drop the reading of the prefix too (しりつとしょかん → としょかん)
                rp = reading_of(name[: len(name) - len(short)])
                if rp and k.startswith(rp):
                    readings.append(k[len(rp):])
        for s in surfaces:
            r = reading_of(s)
            if r and r not in readings:
                readings.append(r)
        full = {name} | {normalize_text(a) for a in aliases}
        full_readings = {readings[0]} if kana else set()
        full_readings |= {reading_of(f) for f in full}
        inner = {p.strip() for f in full for p in _PAREN_RE.findall(f)}
        inner_readings = {reading_of(p) for p in inner}
        for s in surfaces:
            self._keys.append(_Key(s, kind, pid, name, False, variant=s not in full,
                                   weight=95.0 if s in inner else 100.0))
        readings = [fold_sound(r) for r in readings]
        full_readings = {fold_sound(r) for r in full_readings}
        inner_readings = {fold_sound(r) for r in inner_readings}
        for r in readings:
            if len(r) >= 3 and r not in _TOO_GENERIC:
                self._keys.append(_Key(r, kind, pid, name, True,
                                       variant=r not in full_readings and kind == "facility",
                                       weight=95.0 if r in inner_readings else 100.0))

    @staticmethod
    def _pieces(table: dict[str, list[_Key]], min_len: int, *, is_reading: bool) -> dict[str, list[tuple[_Key, bool]]]:
        """Substrings of facility keys → (key, is_suffix): lets a question's 図書館 find 市立中央図書館."""
        pieces: dict[str, list[tuple[_Key, bool]]] = {}
        for text, keys in table.items():
            for key in keys:
                if key.kind != "facility":
                    continue
                n = len(text)
                for i in range(n):
                    for j in range(i + min_len, n + 1):
                        if i == 0 and j == n:
                            continue
                        piece = text[i:j]
                        # a kind before a space is as telling as one at the end (道の駅 京都新光悦村)
                        suffix = j == n or (i == 0 and text[j].isspace())
                        if not is_reading and not suffix and len(piece) < _MIN_SURFACE_PARTIAL:
                            continue
                        if is_reading and not suffix and len(piece) < _MIN_KANA_PARTIAL + 1:
                            continue
                        pieces.setdefault(piece, []).append((key, suffix))
        return pieces

    def match(self, text: str, tokens: Optional[list[Token]] = None) -> list[PlaceMatch]:
        """Places named in text (normalised or not), best first."""
        text = normalize_text(text)
        if not text or not self._keys:
            return []
        if _TYPE_SYNONYMS_RE.search(text) and not any(k in text for k in self._surface if _TYPE_SYNONYMS_RE.search(k)):
            text = _TYPE_SYNONYMS_RE.sub(lambda m: _TYPE_SYNONYMS[m.group()], text)
            tokens = None  # offsets changed
        tokens = tokens if tokens is not None else tokenize(text)
        found: dict[tuple[str, object], PlaceMatch] = {}
        self._match_form(text, self._surface, self._surface_pieces, found, allowed=None,
                         boundaries=_boundaries(tokens), qualified=_qualified_starts(tokens))
        joined = _NO_BETWEEN_NAMES.sub("", text)
        if joined != text:  # 「松任の総合運動公園の体育館」 names 松任総合運動公園体育館
            joined_tokens = tokenize(joined)
            self._match_form(joined, self._surface, self._surface_pieces, found, allowed=None,
                             boundaries=_boundaries(joined_tokens),
                             qualified=_qualified_starts(joined_tokens))
        reading, kana_positions = self._reading_with_kana(tokens)
        self._match_form(reading, self._reading, self._reading_pieces, found, allowed=kana_positions)
        if not any(m.kind == "facility" for m in found.values()):
            for m in self._fuzzy(tokens):
                found.setdefault((m.kind, m.id if m.id is not None else m.name), m)
        self._prefer_district_facilities(found)
        return _drop_contained(sorted(found.values(), key=lambda m: (-m.score, m.kind != "facility", m.name)))

    def _prefer_district_facilities(self, found: dict) -> None:
        """「緑ヶ丘の交流センター」: of the 交流センターs, the one whose name holds the district named ranks first."""
        districts = [m.name for m in found.values() if m.kind == "district"]
        if not districts:
            return
        forms = {f for d in districts for f in _district_variants(d)}
        for ident, m in list(found.items()):
            if m.kind == "facility" and m.score < 100 and any(f in m.name for f in forms):
                found[ident] = PlaceMatch(m.kind, m.id, m.name, m.matched, min(99.0, round(m.score + 15.0, 1)))

    @staticmethod
    def _reading_with_kana(tokens: list[Token]) -> tuple[str, set[int]]:
        """The question's hiragana reading and the positions in it that the resident typed in hiragana."""
        parts, kana_positions, pos = [], set(), 0
        for t in tokens:
            if t.pos in ("補助記号", "空白"):
                continue
            parts.append(t.reading)
            # typed in hiragana (katakana is spelled as in names); a particle is no part of a name (の of 「の体育館」
            # is not ノ of チヨノタイイクカン)
            if is_kana(t.surface) and re.search(r"[ぁ-ゖ]", t.surface) and t.pos != "助詞":
                kana_positions.update(range(pos, pos + len(t.reading)))
            pos += len(t.reading)
        return fold_sound("".join(parts)), kana_positions

    def _match_form(self, q, exact, pieces, found, allowed, boundaries=None, qualified=frozenset()) -> None:
        """Whole-key matches first, then key pieces; a span already claimed by a longer match is skipped."""
        candidates = []  # (length, start, key, score, matched)
        n = len(q)
        for i in range(n):
            for j in range(min(n, i + self._max_key), i + 1, -1):
                piece = q[i:j]
                keys = exact.get(piece)
                if keys:
                    for key in keys:
                        candidates.append((j - i, i, key, key.weight, piece))
                    continue
                hits = pieces.get(piece)
                # 「道の駅 」 with the space after it is no piece of a name: 道の駅 names both 道の駅 丹後王国 and
                # 道の駅てんきてんき丹後
                if hits and piece not in _TOO_GENERIC and piece == piece.strip():
                    for key, suffix in hits:
                        # A type word at the end (…プール) says what the place is; inside (…プール下) it does not.
                        score = (60.0 + 30.0 * (j - i) / len(key.text) + (8.0 if suffix else 0.0)) * key.weight / 100
                        candidates.append((j - i, i, key, round(score, 1), piece))
        claimed: list[tuple[int, int]] = []
        accepted_spans: set[tuple[int, int]] = set()
        exact_spans: set[tuple[int, int]] = set()
        for length, start, key, score, piece in sorted(candidates, key=lambda c: (-c[0], -c[3], c[1])):
            span = (start, start + length)
            if allowed is not None and 2 * sum(p in allowed for p in range(*span)) < length:
                # the reading matched kanji the resident wrote (the surface pass already judged it), or mostly:
                # るこうえん of 「できる公園」 is no piece of まいづるこうえん
                continue
            if boundaries is not None and (span[0] not in boundaries or span[1] not in boundaries):
                continue  # 市民会議 must not match 市民会館 through 市民会
            if span not in accepted_spans and _overlaps(span, claimed):
                continue
            if (score < 100 or key.variant) and span[0] in qualified:
                claimed.append(span)  # 東公民館 names one 公民館 the city does not have: not every 公民館
                continue
            if score < 95 and span in exact_spans:
                continue  # 中央公民館 named exactly: its 分館 and other 公民館 are not meant
            claimed.append(span)
            accepted_spans.add(span)
            if score >= 95:
                exact_spans.add(span)
            ident = (key.kind, key.id if key.id is not None else key.name)
            old = found.get(ident)
            if old is None or old.score < score:
                found[ident] = PlaceMatch(key.kind, key.id, key.name, piece, score)

    def _fuzzy(self, tokens: list[Token]) -> list[PlaceMatch]:
        """Typo-tolerant match of place-like phrases against facility names and readings."""
        phrases = place_phrases(tokens)
        out = []
        for phrase, reading in phrases:
            for query in {phrase, reading}:
                if len(query) < 3:
                    continue
                best = process.extractOne(query, self._fuzzy_choices, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
                if best:
                    key = self._fuzzy_keys[best[2]]
                    out.append(PlaceMatch(key.kind, key.id, key.name, phrase, round(min(best[1], 99.0) * 0.8, 1)))
        return out


def _kinds_by_other_names(facilities: list[tuple]) -> list[_Key]:
    """野々市市スポーツセンター is a 体育館 too, where the city also has facilities named …体育館: a question naming
    the kind finds both. (Where it has none, the answer says 「体育館」 is called otherwise here.)"""
    names = [name for _fid, name in facilities]
    present = [kind for kind in KIND_NAME_ENDINGS if any(name.endswith(kind) for name in names)]
    return [_Key(kind, "facility", fid, name, False, variant=True, weight=_KIND_WEIGHT)
            for kind in present for fid, name in facilities
            if not name.endswith(kind) and name.endswith(KIND_NAME_ENDINGS[kind])]


def place_kinds(description: Optional[str], category: Optional[str]) -> tuple[str, ...]:
    """The kind of place a facility's own row states, when its category or its description's first line is only
    that (千代野会館: 説明 「老人福祉センター」): a question naming the kind finds it as it finds 鳥越老人福祉センター."""
    out = []
    for text in (category, (description or "").split("\n", 1)[0]):
        text = normalize_text(text or "").strip()
        if (3 <= len(text) <= _KIND_MAX_LEN and not _SENTENCE_MARKS.search(text) and text not in _TOO_GENERIC
                and text.endswith(PLACE_SUFFIXES) and text not in out):
            out.append(text)
    return tuple(out)


def _drop_contained(matches: list[PlaceMatch]) -> list[PlaceMatch]:
    """Drop matches whose text lies inside a longer match's (さくら地区 inside さくらたいいくかん)."""
    return [m for m in matches
            if not any(len(o.matched) > len(m.matched) and fold_sound(m.matched) in fold_sound(o.matched)
                       for o in matches)]


def _qualified_starts(tokens: list[Token]) -> set[int]:
    """Offsets right after a naming noun (東|公民館, 第二|公民館) — a type word there is part of a longer name."""
    out = set()
    for t in tokens:
        if (t.pos == "名詞" and "副詞可能" not in t.pos_detail) or t.pos == "接頭辞":
            out.add(t.end)
    return out


def _boundaries(tokens: list[Token]) -> set[int]:
    """Offsets where a Sudachi word (mode C or its mode-A parts) starts or ends."""
    cuts = {0}
    for t in tokens:
        cuts.add(t.start)
        cuts.add(t.end)
        cuts.update(t.cuts)
    return cuts


def place_phrases(tokens: list[Token]) -> list[tuple[str, str]]:
    """Noun runs that end like a place name (…館, …センター, …こうみんかん), as (surface, reading)."""
    runs: list[list[Token]] = []
    current: list[Token] = []
    for t in tokens:
        dateish = "副詞可能" in t.pos_detail or t.normalized in STOPWORDS  # 明日, 今日, 近く
        kana_word = is_kana(t.surface) and t.pos not in ("助詞", "助動詞", "空白", "補助記号")  # a space ends a run
        if not dateish and (t.pos in ("名詞", "接尾辞", "接頭辞") or kana_word):
            current.append(t)
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    out = []
    for run in runs:
        # Trim trailing particles glued into kana runs (としょかんは → としょかん).
        surface = "".join(t.surface for t in run)
        reading = "".join(t.reading for t in run)
        for suffix in PLACE_SUFFIXES:
            idx = surface.rfind(suffix)
            if idx >= 0:
                surface = surface[: idx + len(suffix)]
                break
        else:
            for suffix in _PLACE_SUFFIX_KANA:
                idx = reading.rfind(suffix)
                if idx >= 0:
                    surface = reading = reading[: idx + len(suffix)]
                    break
            else:
                continue
        if re.search(r"(?:開|閉|休|入|来|本|別|分)館$", surface) and len(surface) <= 2:
            continue  # 開館, 休館: about opening, not a place
        if surface not in PLACE_SUFFIXES and surface not in _PLACE_SUFFIX_KANA and surface not in _TOO_GENERIC:
            out.append((surface, reading))
    return out
