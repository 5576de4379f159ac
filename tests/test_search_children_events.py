"""Events filed as children's (category, story times, 親子) count as children's events without a 対象者."""
from __future__ import annotations

import pytest

from content.search.index import _with_children


@pytest.mark.parametrize("tags,category,title,children", [
    (frozenset(), "子育て・教育", "土曜日おはなし会", True),
    (frozenset(), "子ども向け", "工作教室", True),
    (frozenset(), "", "親子で楽しむリトミック", True),
    (frozenset(), "", "絵本の読み聞かせ", True),
    (frozenset(), "スポーツ", "ジュニア剣道教室", True),  # ジュニア, as キッズ: the young ones' session
    (frozenset(), "スポーツ", "一般剣道講習会", False),
    (frozenset(), "講座・講演", "歴史講座", False),
    (frozenset({"seniors"}), "子育て・教育", "孫育て講座", False),
])
def test_children_categories_and_story_times_are_children_events(tags, category, title, children):
    """Category 子育て・教育 / 子ども向け or a title with おはなし会・絵本・親子 adds the children tag."""
    assert ("children" in _with_children(tags, category, title)) is children
