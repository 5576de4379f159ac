"""Interest topics a resident can choose (stored by code in Resident.interests)."""
from __future__ import annotations

from dataclasses import dataclass

from content.i18n import N_


@dataclass(frozen=True)
class Topic:
    """One interest topic: a stable code and its Japanese label (msgid)."""

    code: str
    label: str
    words: tuple[str, ...] = ()  # typed forms that also pick it (any language)


TOPICS: tuple[Topic, ...] = (
    Topic("children", N_("子育て・子ども"), ("子育て", "子ども", "子供", "こども", "kids", "children", "parenting")),
    Topic("elderly", N_("高齢者・健康"), ("高齢者", "健康", "けんこう", "シニア", "seniors", "health")),
    Topic("sports", N_("スポーツ"), ("運動", "うんどう", "sports", "sport")),
    Topic("culture", N_("文化・学び"), ("文化", "学び", "講座", "まなび", "culture", "learning")),
    Topic("volunteer", N_("ボランティア"), ("ぼらんてぃあ", "volunteer", "volunteering")),
    Topic("disaster", N_("防災・防犯"), ("防災", "防犯", "ぼうさい", "safety", "disaster")),
    Topic("environment", N_("環境・まちづくり"), ("環境", "まちづくり", "かんきょう", "environment", "town")),
    Topic("festival", N_("お祭り・交流"), ("お祭り", "祭り", "まつり", "交流", "festival", "festivals", "meetups")),
)

TOPIC_CODES = tuple(t.code for t in TOPICS)


def topic_by_code(code: str) -> Topic | None:
    """The topic with this code, or None for an unknown (retired) code."""
    return next((t for t in TOPICS if t.code == code), None)


def topic_labels(codes: list[str], gettext) -> list[str]:
    """Translated labels of the known codes, in the order of TOPICS."""
    return [gettext(t.label) for t in TOPICS if t.code in codes]
