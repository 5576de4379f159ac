"""Audience words residents type (子ども, 親子, シニア…) → the importers' audience tags.

The tag vocabulary is the importers' (content/importers/audience.py AUDIENCE_TAGS); the words differ because a
question says 「子ども向け」 or 「おじいちゃんと行ける」 where a 対象者 column says 「小学生以下」.
"""
from __future__ import annotations

import re

try:  # one vocabulary for events and questions
    from content.importers.audience import AUDIENCE_TAGS
except ImportError:  # pragma: no cover - the importers' module is absent in a partial checkout
    AUDIENCE_TAGS = ("children", "parents", "elementary", "seniors", "disabled", "anyone")

# (tag, pattern) on NFKC text; order is the order tags are returned in.
AUDIENCE_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("children", re.compile(
        # 「子ども預けて受けられる講座」 asks for childcare beside a class for the parent, not a children's event
        r"(?:子ども|子供|こども)(?!達?を?(?:預け|あずけ))|コドモ|子ども達(?!を?(?:預け|あずけ))|キッズ|ちびっこ|チビッコ|"
        # 「店を息子に継がせたい」: a son or daughter something is passed to is grown up
        r"幼児|未就学|園児|赤ちゃん|あかちゃん|乳児|ベビー|"
        r"小学生|しょうがくせい|中学生|ちゅうがくせい|中高生|児童|孫|まご(?!ころ)|息子(?!に)|娘(?!に)|小さい子|ちいさい子|キッズ|ジュニア|"
        r"\d+歳(?:児|の子)|子連れ|こづれ|夏休みの宿題|自由研究|お子さん|お子様|"
        # 「電車好きの子が」「2歳の子と」: 子 on its own, followed by a particle, is a child (not 様子, 帽子)
        r"(?<![一-龥々ァ-ヺー])子(?=と|が|を|に|連れ|づれ)(?!を?(?:預け|あずけ))")),
    # Not 妊婦/妊娠/プレママ/マタニティ: an expectant mother's class is not for children (search widens parents to
    # children); those words stay ranking terms instead.
    ("parents", re.compile(r"親子|おやこ|保護者|(?<!プレ)ママ(?!さん学級)|パパ|子育て|こそだて|育児|家族|かぞく|ファミリー|子連れ|こづれ")),
    ("elementary", re.compile(r"小学生|しょうがくせい|小学校|小[1-6]|小学[1-6一二三四五六]年")),
    ("seniors", re.compile(
        r"高齢者|こうれいしゃ|シニア|お年寄り|おとしより|年寄り|老人|お年寄|年配|ご年配|祖父母|おじいちゃん|おばあちゃん|"
        r"じいちゃん|ばあちゃん|祖父|祖母|\d{2}歳以上|介護予防|長寿|敬老")),
    ("disabled", re.compile(
        r"障がい|障害|障碍|しょうがい|車いす|車椅子|くるまいす|手話|点字|視覚|聴覚|耳の不自由|目の不自由|耳が不自由|目が不自由|"
        r"聞こえ(?:ない|にくい)|聴こえ(?:ない|にくい)|見えない|見えにくい|バリアフリー")),
    ("anyone", re.compile(r"どなたでも|誰でも|だれでも|どなたも|一般|年齢問わず|年齢不問|大人も子ども")),
)


def audience_tags_in(text: str) -> list[str]:
    """Audience tags a question asks for (text: NFKC-normalised), in AUDIENCE_RULES order."""
    return [tag for tag, pattern in AUDIENCE_RULES if tag in AUDIENCE_TAGS and pattern.search(text)]


def without_audience_words(text: str) -> str:
    """The text with every audience word taken out (ベビーマッサージ → マッサージ, 発達障害 → 発達)."""
    for _tag, pattern in AUDIENCE_RULES:
        text = pattern.sub("", text)
    return text


# Words that only say who comes (「2歳の子と」 → 歳, 子): once an audience or an age is read they name no topic.
AUDIENCE_ONLY_TERMS = frozenset({"子", "歳", "才", "児", "お子さん", "お子様", "連れ", "づれ"})  # 赤ちゃん連れ
