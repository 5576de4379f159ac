"""PlaceIndex finds facilities and districts by name, 通称, kana and near-miss spellings."""
from __future__ import annotations

import pytest

from content.query.places import PlaceIndex, place_kinds

FACILITIES = [
    (1, "中央公民館", "チュウオウコウミンカン", None),
    (2, "北公民館", "キタコウミンカン", None),
    (3, "市立中央図書館", "シリツチュウオウトショカン", "図書館本館"),
    (4, "みどり公園", "ミドリコウエン", None),
    (5, "市民会館", "シミンカイカン", "文化ホール\nしみんかいかん"),
    (6, "子育て支援センター", "コソダテシエンセンター", "ひよこ広場"),
    (7, "総合体育館", None, None),
    (8, "中央公民館分館", None, None),
]
DISTRICTS = [(1, "北部地区", "ホクブチク"), (2, "みなと地区", None)]


@pytest.fixture(scope="module")
def index():
    """A small city's places."""
    return PlaceIndex(facilities=FACILITIES, districts=DISTRICTS)


PLACE_ROWS = [
    # (question, names expected, best first; [] = nothing)
    ("明日中央公民館で何かある?", ["中央公民館"]),
    ("中央公民館の休館日", ["中央公民館"]),
    ("北公民館", ["北公民館"]),
    ("公民館の休みはいつ", ["北公民館", "中央公民館", "中央公民館分館"]),
    ("ちゅうおうこうみんかん", ["中央公民館"]),
    ("きたこうみんかんでなにかある", ["北公民館"]),
    ("としょかんは何時まで", ["市立中央図書館"]),
    ("図書館は何時まで?", ["市立中央図書館"]),
    ("中央図書館", ["市立中央図書館"]),
    ("みどりこうえん", ["みどり公園"]),
    ("みどり公園の住所", ["みどり公園"]),
    ("文化ホールの駐車場", ["市民会館"]),
    ("ひよこ広場", ["子育て支援センター"]),
    ("子育て支援センターの電話番号", ["子育て支援センター"]),
    ("体育館", ["総合体育館"]),
    ("中央公民舘", ["中央公民館", "中央公民館分館"]),  # typo 舘
    ("ちゅおうこうみんかん", ["中央公民館", "中央公民館分館"]),  # typo, kana
    ("北部地区の清掃", ["北部地区"]),
    ("北部でなにかある?", ["北部地区"]),
    ("みなとのお祭り", ["みなと地区"]),
    ("市民会議の傍聴", []),  # 市民会 is part of 市民会館, but not a word here
    ("講演会", []),  # こうえん is also 公園's reading; kanji typed, so no park
    ("センターの開館時間", []),  # センター alone names no facility
    ("今週末のイベント", []),
]


@pytest.mark.parametrize("text,names", PLACE_ROWS)
def test_place_names_in_questions(index, text, names):
    """Exact names win over the generic type word; kana and typos still land."""
    assert [m.name for m in index.match(text)] == names


def test_exact_match_scores_100_and_ids_are_kept(index):
    """An exact name is a sure match and carries the Facility id."""
    (m,) = index.match("中央公民館")
    assert (m.kind, m.id, m.score) == ("facility", 1, 100.0)


def test_generic_type_word_scores_below_exact(index):
    """「公民館」 alone matches the 公民館s with less than full confidence."""
    assert all(m.score < 100 for m in index.match("公民館"))


def test_districts_given_as_plain_names():
    """Districts may be plain strings (no ids)."""
    (m,) = PlaceIndex(districts=["東部地区"]).match("東部の防災訓練")
    assert (m.kind, m.id, m.name) == ("district", None, "東部地区")


def test_empty_index_matches_nothing():
    """No places, no matches, no error."""
    assert PlaceIndex().match("中央公民館") == []


def test_index_from_session(session):
    """from_session reads active facilities (name, kana, 通称) and districts from the database."""
    from models.places import District, Facility

    session.add(Facility(source="t", source_key="1", name="中央公民館", kana="チュウオウコウミンカン"))
    session.add(Facility(source="t", source_key="2", name="旧東公民館", active=False))
    session.add(Facility(source="t", source_key="3", name="あおば児童館", aliases="あおばキッズ"))
    session.add(District(name="北部地区", kana="ホクブチク"))
    session.commit()
    index = PlaceIndex.from_session(session)
    assert len(index) == 3
    assert [m.name for m in index.match("ちゅうおうこうみんかん")] == ["中央公民館"]
    assert [m.name for m in index.match("あおばキッズに行きたい")] == ["あおば児童館"]
    assert index.match("東公民館") == []
    assert [m.kind for m in index.match("北部")] == ["district"]


# Names as a real 公共施設一覧 publishes them (焼津市: brackets, 通称 inside the name, kana of the whole).
REAL_NAMES = PlaceIndex(facilities=[
    (1, "総合体育館（シーガルドーム）", "ソウゴウタイイクカンシーガルドーム", None),
    (2, "大井川児童センター（とまとぴあ）", "オオイガワジドウセンタートマトピア", None),
    (3, "焼津中学校", "ヤイヅチュウガッコウ", None),
    (4, "避難地倉庫（焼津中学校）", "ヒナンチソウコヤイヅチュウガッコウ", None),
    (5, "焼津文化会館", "ヤイヅブンカカイカン", None),
    (6, "大井川文化会館", "オオイガワブンカカイカン", None),
    (7, "青峯プール", "アオミネプール", None),
    (8, "親子ふれあい広場", "オヤコフレアイヒロバ", None),
])


@pytest.mark.parametrize("text,names", [
    ("シーガルドームは何時まで", ["総合体育館(シーガルドーム)"]),
    ("しーがるどーむ", ["総合体育館(シーガルドーム)"]),
    ("とまとぴあ", ["大井川児童センター(とまとぴあ)"]),
    ("焼津中学校", ["焼津中学校", "避難地倉庫(焼津中学校)"]),  # the school itself first
    ("文化会館", ["焼津文化会館", "大井川文化会館"]),
    ("大井川文化会館の住所", ["大井川文化会館"]),
    ("あおみねぷーる", ["青峯プール"]),
    ("おやこふれあいひろば", ["親子ふれあい広場"]),
])
def test_names_as_cities_publish_them(text, names):
    """Bracketed 通称 match on their own; the named facility ranks above one that mentions it."""
    assert [m.name for m in REAL_NAMES.match(text)] == names


def test_district_named_with_a_type_word_prefers_that_districts_facility():
    """「緑ヶ丘の交流センター」: every 交流センター matches, 緑ヶ丘's first."""
    index = PlaceIndex(facilities=[(1, "北野地区交流センター", None, None), (2, "緑ヶ丘地区交流センター", None, None)],
                       districts=["北野地区", "緑ヶ丘地区"])
    facilities = [m.name for m in index.match("緑ヶ丘の交流センター") if m.kind == "facility"]
    assert facilities[0] == "緑ヶ丘地区交流センター"


@pytest.mark.parametrize("text,names", [
    ("テニスコート", ["総合グラウンドテニス場"]),
    ("グランドで遊べる?", ["総合グラウンドテニス場"]),
    ("ゴルフ", []),
    ("緑ヶ丘交流センター", ["緑ヶ丘地区交流センター"]),  # 地区 left out
])
def test_everyday_names_for_kinds_of_place(text, names):
    """Residents' words for a kind of place reach the published names."""
    index = PlaceIndex(facilities=[(1, "総合グラウンドテニス場", None, None), (2, "緑ヶ丘地区交流センター", None, None)])
    assert [m.name for m in index.match(text)] == names


@pytest.mark.parametrize("description, category, kinds", [
    ("老人福祉センター\n利用可能日時: 祝日は休業", None, ("老人福祉センター",)),  # the first line only
    ("市内の高齢者の方の健康増進に利用", None, ()),  # a sentence about the place names no kind
    ("公衆トイレ有り、海水浴場", None, ()),
    ("センター", None, ()),  # too general to be a kind
    (None, "図書館", ("図書館",)),
    (None, "スポーツ施設", ("スポーツ施設",)),
    (None, "観光", ()),  # a category that is no kind of place
])
def test_the_kind_of_place_a_row_states(description, category, kinds):
    """A category or a description that is only a kind of place (千代野会館: 「老人福祉センター」) is that kind."""
    assert place_kinds(description, category) == kinds


@pytest.mark.parametrize("names, question, found", [
    # another name cities give a gym is a gym too, where some facility is called 体育館
    (["市民体育館", "野々市市スポーツセンター"], "月曜の朝 体育館つかえるとこ", {"市民体育館", "野々市市スポーツセンター"}),
    (["市民プール", "総合水泳場"], "プールは何時まで？", {"市民プール", "総合水泳場"}),
    (["中央公民館", "東交流センター"], "公民館の電話番号", {"中央公民館"}),  # two kinds where a city has both
    # where none is, nothing is read as the kind (the answer says what the city calls it instead)
    (["野々市市スポーツセンター", "中央図書館"], "体育館あいてる？", set()),
    (["子育て支援センター", "中央公民館"], "公民館の電話番号", {"中央公民館"}),
])
def test_a_name_ending_in_another_name_for_a_kind_is_that_kind(names, question, found):
    """「月曜の朝 体育館つかえるとこ」 also finds 野々市市スポーツセンター."""
    index = PlaceIndex(facilities=[(n, name, None, None) for n, name in enumerate(names)])
    assert {m.name for m in index.match(question)} == found


def test_a_kind_of_place_finds_the_rows_stating_it_beside_the_name_ending_with_it():
    """「老人福祉センター」 names 鳥越老人福祉センター by its name and 千代野会館 by what its row says it is."""
    index = PlaceIndex(facilities=[(1, "鳥越老人福祉センター", None, None, ()),
                                   (2, "千代野会館", None, None, ("老人福祉センター",)),
                                   (3, "中央公民館", None, None, ("公民館",))])
    assert {m.name for m in index.match("日曜にあいてる老人福祉センター")} == {"鳥越老人福祉センター", "千代野会館"}
    assert [m.name for m in index.match("千代野会館の電話番号")] == ["千代野会館"]


@pytest.mark.parametrize("question", ["にしがわらこうみんかん", "にしがわら公民館 あした"])
def test_kana_name_found_by_sound_without_published_kana(question):
    """No 名称_カナ: Sudachi reads 西河原 にしがはら; a resident types にしがわら and still finds it."""
    from content.query.places import PlaceIndex
    index = PlaceIndex(facilities=[(1, "西河原公民館", None, None), (2, "中央図書館", None, None)])
    assert [m.name for m in index.match(question)][:1] == ["西河原公民館"]


def test_folded_reading_still_covers_a_shorter_name_inside_it():
    """やいづぶんかかいかん names 焼津文化会館, not also アクアスやいづ through its やいづ."""
    from content.query.places import PlaceIndex
    index = PlaceIndex(facilities=[(1, "焼津文化会館", None, None), (2, "アクアスやいづ", None, None)])
    assert [m.name for m in index.match("やいづぶんかかいかん")] == ["焼津文化会館"]


@pytest.mark.parametrize("question, named", [
    ("Is Hidechan open tonight?", ["ひでちゃん"]),  # the place's romaji name, as its file publishes it
    ("Where is Toramasa?", ["寅政"]),
    ("Is the shop open tonight?", []),  # an everyday English word names no place, not even a piece of one
    ("Any ramen stalls open?", []),
])
def test_an_english_question_finds_a_place_by_its_published_latin_name(question, named):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from content.query import parse_query

    index = PlaceIndex(facilities=[(1, "ひでちゃん", "ヒデチャン", "Hidechan"), (2, "寅政", None, "Toramasa"),
                                   (3, "ラーメンショップ天神", None, None)])
    parsed = parse_query(question, now=datetime(2025, 6, 17, 19, tzinfo=ZoneInfo("Asia/Tokyo")), places=index)
    assert [p.name for p in parsed.places if p.kind == "facility"] == named


@pytest.mark.parametrize("question, first", [
    ("恐竜博物館 何時まで？", "福井県立恐竜博物館"),  # 県立 with the prefecture's name before it, as 福井市立 is
    ("野外恐竜博物館の時間", "野外恐竜博物館"),
])
def test_a_prefectures_own_place_is_named_without_its_prefix(question, first):
    """「恐竜博物館」 names 福井県立恐竜博物館 exactly; 野外恐竜博物館 only contains the words."""
    index = PlaceIndex(facilities=[(1, "福井県立恐竜博物館", None, None), (2, "野外恐竜博物館", None, None)])
    assert [m.name for m in index.match(question)][:1] == [first]


@pytest.mark.parametrize("question, first", [
    ("今夜 松任の総合運動公園の体育館であいてる？", "松任総合運動公園体育館"),  # の between the parts of one name
    ("中央の公民館", "中央公民館"),
])
def test_a_name_written_with_no_between_its_parts_is_that_place(question, first):
    index = PlaceIndex(facilities=[(1, "松任総合運動公園体育館", None, None), (2, "千代野体育館", None, None),
                                   (3, "中央公民館", None, None), (4, "東公民館", None, None)])
    assert [m.name for m in index.match(question)][:1] == [first]


def test_a_particle_is_no_part_of_a_name_read_by_its_sound():
    """の of 「公園の体育館」 is not ノ of チヨノタイイクカン: 千代野体育館 is not named more than any other 体育館."""
    index = PlaceIndex(facilities=[(1, "千代野体育館", "チヨノタイイクカン", None), (2, "日輪体育館", None, None)])
    scores = {m.name: m.score for m in index.match("公園の体育館あいてる？")}
    assert scores.get("千代野体育館", 0) <= scores.get("日輪体育館", 0)
