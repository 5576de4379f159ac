"""Audience tags derived from free text (対象者, the title, the description)."""
from __future__ import annotations

import re
import unicodedata

AUDIENCE_TAGS = ("children", "parents", "elementary", "seniors", "disabled", "anyone")

# (tag, pattern) — patterns run on NFKC text; order is the order tags are returned in.
_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("children", re.compile(r"子ども|子供|こども|児童|幼児|乳幼児|乳児|未就学|キッズ|ちびっこ|お子さん|お子様|小学生|中学生|園児|赤ちゃん|ベビー|(?<!\d)(?:[0-9]|1[0-2])歳児?(?!以上)")),
    ("parents", re.compile(r"親子|保護者|ママ|パパ|父母|子育て|妊婦|妊娠|プレママ|ファミリー")),
    ("elementary", re.compile(r"小学生|小学校|小[1-6１-６]|小学[1-6１-６一二三四五六]年|児童")),
    # 祖父母世代向けの孫育て講座: grandparents are asked for as seniors (じいじばあば向け, 祖父母向け)
    ("seniors", re.compile(r"高齢者|シニア|お年寄り|65歳以上|60歳以上|70歳以上|75歳以上|長寿|介護予防|老人|敬老|祖父母|孫育て")),
    ("disabled", re.compile(r"障がい|障害|障碍|手話|点字|車いす|車椅子|聴覚|視覚")),
    ("anyone", re.compile(r"どなたでも|誰でも|だれでも|どなたも|一般(?!社団|財団|質問|会計|廃棄)|制限なし|不問|全年齢|年齢問わず|どなた様でも")),
)
# Phrases that mention a group without being for it: "中学生以上" is for teens and adults, "子ども食堂" is a place.
_NOT_AUDIENCE = re.compile(r"対象者?検索対象外|(中学生|高校生|大学生|18歳|20歳)以上|[^、。\s（(]*以下は保護者(の)?同伴|子ども食堂|こども食堂")


def audience_tags_for(text: str | None) -> list[str]:
    """Tags like ["children", "parents"] for the people a text says an event is for; [] when it says nothing."""
    if not text:
        return []
    text = _NOT_AUDIENCE.sub("", unicodedata.normalize("NFKC", text))
    tags = [tag for tag, pattern in _RULES if pattern.search(text)]
    if "elementary" in tags and "children" not in tags:
        tags.insert(0, "children")  # 小学3年生 is a child even where no word for "child" appears
    return tags


def event_audience_tags(audience: str | None, title: str | None, description: str | None) -> list[str]:
    """Tags from 対象者 first, topped up with those the title and description imply."""
    tags = audience_tags_for(audience)
    for tag in audience_tags_for(" ".join(t for t in (title, description) if t)):
        if tag == "anyone" and audience:
            continue  # 一般/市民 in a description is weaker than a published 対象者
        if tag not in tags:
            tags.append(tag)
    return tags
