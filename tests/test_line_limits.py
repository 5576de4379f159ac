"""The LINE limits validator refuses exactly what LINE's reference says LINE refuses."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from content.line_limits import (MESSAGE_TYPES, LineLimitError, error_body, grapheme_len, utf16_len,
                                 validate_message, validate_messages, validate_request, validate_richmenu)

APPLE = "🍎"  # one code point, two UTF-16 units
GA = "か\u3099"  # か + combining dakuten: two code points, one grapheme cluster
FAMILY = "👨\u200d👩\u200d👧"  # ZWJ sequence: one grapheme cluster, eight UTF-16 units
USER = "U" + "0" * 32


def text(t="こんにちは", **extra):
    """A text message."""
    return {"type": "text", "text": t, **extra}


def msg_action(label="はい", text_="はい"):
    """A message action."""
    return {"type": "message", "label": label, "text": text_}


def pb_action(label="申し込む", data="action=x", **extra):
    """A postback action."""
    return {"type": "postback", "label": label, "data": data, **extra}


def with_quick(*actions):
    """A text message with these quick-reply actions."""
    return text(quickReply={"items": [{"type": "action", "action": a} for a in actions]})


def confirm(actions=None, t="参加しますか？"):
    """A confirm template."""
    return {"type": "template", "altText": t,
            "template": {"type": "confirm", "text": t, "actions": actions or [msg_action("はい"), msg_action("いいえ")]}}


def buttons(actions=None, t="選んでください", **extra):
    """A buttons template."""
    return {"type": "template", "altText": "選択",
            "template": {"type": "buttons", "text": t, "actions": actions or [msg_action()], **extra}}


def bubble(body_contents=None, **blocks):
    """A Flex bubble with a vertical body."""
    body = {"type": "box", "layout": "vertical",
            "contents": body_contents if body_contents is not None else [{"type": "text", "text": "本文"}]}
    return {"type": "bubble", "body": body, **blocks}


def flex(contents, alt="お知らせ"):
    """A Flex message."""
    return {"type": "flex", "altText": alt, "contents": contents}


def carousel(n):
    """A Flex carousel of n bubbles."""
    return flex({"type": "carousel", "contents": [bubble() for _ in range(n)]})


def flex_button(label):
    """A bubble whose footer holds one button with this label."""
    return flex(bubble(footer={"type": "box", "layout": "vertical",
                               "contents": [{"type": "button", "action": msg_action(label, "x")}]}))


def carousel_template(columns):
    """A carousel template with these columns."""
    return {"type": "template", "altText": "一覧", "template": {"type": "carousel", "columns": columns}}


def column(n_actions=1, t="説明", **extra):
    """A carousel-template column."""
    return {"text": t, "actions": [msg_action(f"a{i}") for i in range(n_actions)], **extra}


def image_carousel(label):
    """An image carousel template with one column."""
    return {"type": "template", "altText": "画像", "template": {"type": "image_carousel", "columns": [
        {"imageUrl": "https://example.com/a.png", "action": msg_action(label, "x")}]}}


# (case name, message, expected property of the first detail or None when valid)
CASES = [
    ("plain text", text(), None),
    ("text at 5000 units", text("あ" * 5000), None),
    ("text over 5000 units", text("あ" * 5001), "messages[0].text"),
    ("emoji text at 5000 units", text(APPLE * 2500), None),
    ("emoji text counted in UTF-16 units", text(APPLE * 2501), "messages[0].text"),
    ("empty text", text(""), "messages[0].text"),
    ("missing text", {"type": "text"}, "messages[0].text"),
    ("text not a string", text(5), "messages[0].text"),
    ("21 emojis", text("$" * 21, emojis=[{"index": i, "productId": "p", "emojiId": "001"} for i in range(21)]),
     "messages[0].emojis"),
    ("unknown message type", {"type": "hologram", "text": "x"}, "messages[0].type"),
    ("not an object", "hello", "messages[0]"),
    # quick replies
    ("13 quick replies", with_quick(*[msg_action(f"選択{i}") for i in range(13)]), None),
    ("14 quick replies", with_quick(*[msg_action(f"選択{i}") for i in range(14)]), "messages[0].quickReply.items"),
    ("empty quick reply", text(quickReply={"items": []}), "messages[0].quickReply.items"),
    ("quick reply label 20", with_quick(msg_action("あ" * 20)), None),
    ("quick reply label 21", with_quick(msg_action("あ" * 21)), "messages[0].quickReply.items[0].action.label"),
    ("quick reply label 20 combining graphemes", with_quick(msg_action(GA * 20)), None),
    ("quick reply label 21 combining graphemes", with_quick(msg_action(GA * 21)),
     "messages[0].quickReply.items[0].action.label"),
    ("quick reply label 20 ZWJ emoji", with_quick(msg_action(FAMILY * 20)), None),
    ("quick reply label missing", with_quick({"type": "message", "text": "x"}),
     "messages[0].quickReply.items[0].action.label"),
    ("quick reply item type wrong", text(quickReply={"items": [{"type": "button", "action": msg_action()}]}),
     "messages[0].quickReply.items[0].type"),
    ("quick reply location action", with_quick({"type": "location", "label": "位置情報"}), None),
    ("quick reply camera action", with_quick({"type": "camera", "label": "カメラ"}), None),
    ("quick reply unknown action", with_quick({"type": "teleport", "label": "x"}),
     "messages[0].quickReply.items[0].action.type"),
    ("quick reply image over 2000", text(quickReply={"items": [
        {"type": "action", "imageUrl": "https://e.com/" + "a" * 2000, "action": msg_action()}]}),
     "messages[0].quickReply.items[0].imageUrl"),
    # actions
    ("message action text 300", with_quick(msg_action("x", "あ" * 300)), None),
    ("message action text 301", with_quick(msg_action("x", "あ" * 301)), "messages[0].quickReply.items[0].action.text"),
    ("message action without text", with_quick({"type": "message", "label": "x"}),
     "messages[0].quickReply.items[0].action.text"),
    ("postback data 300", with_quick(pb_action(data="d" * 300)), None),
    ("postback data 301", with_quick(pb_action(data="d" * 301)), "messages[0].quickReply.items[0].action.data"),
    ("postback data counted in UTF-16", with_quick(pb_action(data=APPLE * 151)),
     "messages[0].quickReply.items[0].action.data"),
    ("postback without data", with_quick({"type": "postback", "label": "x"}),
     "messages[0].quickReply.items[0].action.data"),
    ("postback displayText 300", with_quick(pb_action(displayText="あ" * 300)), None),
    ("postback displayText 301", with_quick(pb_action(displayText="あ" * 301)),
     "messages[0].quickReply.items[0].action.displayText"),
    ("postback displayText and text", with_quick(pb_action(displayText="a", text="b")),
     "messages[0].quickReply.items[0].action.text"),
    ("uri 1000", with_quick({"type": "uri", "label": "開く", "uri": "https://e.com/" + "a" * 986}), None),
    ("uri 1001", with_quick({"type": "uri", "label": "開く", "uri": "https://e.com/" + "a" * 987}),
     "messages[0].quickReply.items[0].action.uri"),
    ("uri tel", with_quick({"type": "uri", "label": "電話", "uri": "tel:0312345678"}), None),
    ("uri line", with_quick({"type": "uri", "label": "友だち", "uri": "line://nv/location"}), None),
    ("uri javascript", with_quick({"type": "uri", "label": "x", "uri": "javascript:alert(1)"}),
     "messages[0].quickReply.items[0].action.uri"),
    ("uri altUri desktop ftp", with_quick({"type": "uri", "label": "x", "uri": "https://a.jp",
                                            "altUri": {"desktop": "ftp://a.jp"}}),
     "messages[0].quickReply.items[0].action.altUri.desktop"),
    ("datetimepicker ok", with_quick({"type": "datetimepicker", "label": "日付", "data": "d", "mode": "date",
                                       "initial": "2026-12-01"}), None),
    ("datetimepicker bad initial", with_quick({"type": "datetimepicker", "label": "日付", "data": "d",
                                                "mode": "date", "initial": "12/01"}),
     "messages[0].quickReply.items[0].action.initial"),
    ("datetimepicker bad mode", with_quick({"type": "datetimepicker", "label": "日付", "data": "d", "mode": "week"}),
     "messages[0].quickReply.items[0].action.mode"),
    ("clipboard over 1000", with_quick({"type": "clipboard", "label": "コピー", "clipboardText": "a" * 1001}),
     "messages[0].quickReply.items[0].action.clipboardText"),
    # templates
    ("confirm ok", confirm(), None),
    ("confirm one action", confirm([msg_action()]), "messages[0].template.actions"),
    ("confirm three actions", confirm([msg_action()] * 3), "messages[0].template.actions"),
    ("confirm text 240", confirm(t="あ" * 240), None),
    ("confirm text 241", confirm(t="あ" * 241), "messages[0].template.text"),
    ("confirm text 240 combining graphemes", confirm(t=GA * 240), None),
    ("template label 21", confirm([msg_action("あ" * 21), msg_action()]), "messages[0].template.actions[0].label"),
    ("template label missing", confirm([{"type": "message", "text": "x"}, msg_action()]),
     "messages[0].template.actions[0].label"),
    ("template camera action", confirm([{"type": "camera", "label": "x"}, msg_action()]),
     "messages[0].template.actions[0].type"),
    ("altText 1500", {**confirm(), "altText": "あ" * 1500}, None),
    ("altText 1501", {**confirm(), "altText": "あ" * 1501}, "messages[0].altText"),
    ("altText missing", {k: v for k, v in confirm().items() if k != "altText"}, "messages[0].altText"),
    ("buttons 4 actions", buttons([msg_action(f"a{i}") for i in range(4)]), None),
    ("buttons 5 actions", buttons([msg_action(f"a{i}") for i in range(5)]), "messages[0].template.actions"),
    ("buttons text 160", buttons(t="あ" * 160), None),
    ("buttons text 161", buttons(t="あ" * 161), "messages[0].template.text"),
    ("buttons text 61 with title", buttons(t="あ" * 61, title="題"), "messages[0].template.text"),
    ("buttons text 60 with title", buttons(t="あ" * 60, title="題"), None),
    ("buttons text 61 with image", buttons(t="あ" * 61, thumbnailImageUrl="https://e.com/a.png"),
     "messages[0].template.text"),
    ("buttons title 41", buttons(title="あ" * 41, t="x"), "messages[0].template.title"),
    ("buttons http thumbnail", buttons(thumbnailImageUrl="http://e.com/a.png", t="x"),
     "messages[0].template.thumbnailImageUrl"),
    ("unknown template", {"type": "template", "altText": "x", "template": {"type": "wheel"}},
     "messages[0].template.type"),
    ("carousel template 10 columns", carousel_template([column() for _ in range(10)]), None),
    ("carousel template 11 columns", carousel_template([column() for _ in range(11)]), "messages[0].template.columns"),
    ("carousel column 4 actions", carousel_template([column(4)]), "messages[0].template.columns[0].actions"),
    ("carousel column text 121", carousel_template([column(t="あ" * 121)]), "messages[0].template.columns[0].text"),
    ("carousel column text 61 with title", carousel_template([column(t="あ" * 61, title="題")]),
     "messages[0].template.columns[0].text"),
    ("carousel columns mixed action counts", carousel_template([column(1), column(2)]),
     "messages[0].template.columns"),
    ("image carousel label 12", image_carousel("あ" * 12), None),
    ("image carousel label 13", image_carousel("あ" * 13), "messages[0].template.columns[0].action.label"),
    # flex
    ("flex bubble", flex(bubble()), None),
    ("flex carousel 12", carousel(12), None),
    ("flex carousel 13", carousel(13), "messages[0].contents.contents"),
    ("flex carousel of carousels", flex({"type": "carousel", "contents": [{"type": "carousel", "contents": []}]}),
     "messages[0].contents.contents[0].type"),
    ("flex button label 40", flex_button("あ" * 40), None),
    ("flex button label 41", flex_button("あ" * 41), "messages[0].contents.footer.contents[0].action.label"),
    ("flex button label 40 combining", flex_button(GA * 40), None),
    ("flex button without label", flex(bubble(footer={"type": "box", "layout": "vertical", "contents": [
        {"type": "button", "action": {"type": "message", "text": "x"}}]})),
     "messages[0].contents.footer.contents[0].action.label"),
    ("flex bubble over 30 KB", flex(bubble([{"type": "text", "text": "あ" * 3000, "wrap": True}] * 4)),
     "messages[0].contents"),
    ("flex carousel over 50 KB",
     flex({"type": "carousel", "contents": [bubble([{"type": "text", "text": "あ" * 2000}] * 3)] * 4}),
     "messages[0].contents"),
    ("flex unknown component", flex(bubble([{"type": "marquee", "text": "x"}])),
     "messages[0].contents.body.contents[0].type"),
    ("flex box without layout", flex(bubble([{"type": "box", "contents": []}])),
     "messages[0].contents.body.contents[0].layout"),
    ("flex text without text", flex(bubble([{"type": "text"}])), "messages[0].contents.body.contents[0].text"),
    ("flex text bad size", flex(bubble([{"type": "text", "text": "x", "size": "huge"}])),
     "messages[0].contents.body.contents[0].size"),
    ("flex span outside a text", flex(bubble([{"type": "span", "text": "x"}])),
     "messages[0].contents.body.contents[0].type"),
    ("flex icon outside a baseline box", flex(bubble([{"type": "icon", "url": "https://e.com/i.png"}])),
     "messages[0].contents.body.contents[0].type"),
    ("flex icon in a baseline box", flex(bubble([{"type": "box", "layout": "baseline", "contents": [
        {"type": "icon", "url": "https://e.com/i.png"}, {"type": "text", "text": "x"}]}])), None),
    ("flex button in a baseline box", flex(bubble([{"type": "box", "layout": "baseline", "contents": [
        {"type": "button", "action": msg_action()}]}])), "messages[0].contents.body.contents[0].contents[0].type"),
    ("flex text with spans", flex(bubble([{"type": "text", "contents": [{"type": "span", "text": "a"},
                                                                         {"type": "span", "text": "b"}]}])), None),
    ("flex text pixel size", flex(bubble([{"type": "text", "text": "x", "size": "18px"}])), None),
    ("flex image http", flex(bubble(hero={"type": "image", "url": "http://e.com/a.png"})),
     "messages[0].contents.hero.url"),
    ("flex body not a box", flex({"type": "bubble", "body": {"type": "text", "text": "x"}}),
     "messages[0].contents.body.type"),
    ("flex altText 1501", flex(bubble(), alt="あ" * 1501), "messages[0].altText"),
    ("flex bad button style (SDK schema)", flex(bubble(footer={"type": "box", "layout": "vertical", "contents": [
        {"type": "button", "style": "shiny", "action": msg_action()}]})), "messages[0]"),
    # other message types
    ("image https", {"type": "image", "originalContentUrl": "https://e.com/a.jpg",
                     "previewImageUrl": "https://e.com/p.jpg"}, None),
    ("image http", {"type": "image", "originalContentUrl": "http://e.com/a.jpg",
                    "previewImageUrl": "https://e.com/p.jpg"}, "messages[0].originalContentUrl"),
    ("location", {"type": "location", "title": "市役所", "address": "本町1", "latitude": 35.0, "longitude": 139.0}, None),
    ("location title 101", {"type": "location", "title": "あ" * 101, "address": "x", "latitude": 1, "longitude": 1},
     "messages[0].title"),
    ("location latitude not a number (SDK schema)",
     {"type": "location", "title": "t", "address": "a", "latitude": "north", "longitude": 1}, "messages[0]"),
    ("sticker", {"type": "sticker", "packageId": "446", "stickerId": "1988"}, None),
    ("sender name 21", text(sender={"name": "あ" * 21}), "messages[0].sender.name"),
]


@pytest.mark.parametrize("name,message,expected", CASES, ids=[c[0] for c in CASES])
def test_message_limit(name, message, expected):
    details = validate_message(copy.deepcopy(message))
    if expected is None:
        assert details == []
    else:
        assert details, f"{name}: accepted but LINE refuses it"
        assert details[0]["property"] == expected
        assert details[0]["message"]


@pytest.mark.parametrize("value,units,clusters", [
    ("abc", 3, 3), ("あいう", 3, 3), (APPLE, 2, 1), (GA, 2, 1), (FAMILY, 8, 1), ("🇯🇵", 4, 1), ("👍🏽", 4, 1),
])
def test_counting_units_and_graphemes(value, units, clusters):
    assert (utf16_len(value), grapheme_len(value)) == (units, clusters)


def test_text_length_error_uses_lines_wording():
    assert validate_message(text("a" * 5001)) == [
        {"message": "Length must be between 0 and 5000", "property": "messages[0].text"}]


@pytest.mark.parametrize("count,ok", [(0, False), (1, True), (5, True), (6, False)])
def test_message_count_per_request(count, ok):
    if ok:
        validate_messages([text()] * count)
    else:
        with pytest.raises(LineLimitError) as caught:
            validate_messages([text()] * count)
        assert caught.value.details == [{"message": "Size must be between 1 and 5", "property": "messages"}]


def test_error_body_counts_details_like_line():
    with pytest.raises(LineLimitError) as caught:
        validate_messages([text(""), text("a" * 5001)])
    assert caught.value.body() == {
        "message": "The request body has 2 error(s)",
        "details": [{"message": "must be non-empty text", "property": "messages[0].text"},
                    {"message": "Length must be between 0 and 5000", "property": "messages[1].text"}]}
    assert error_body([])["message"] == "The request body has 0 error(s)"


def test_error_is_a_value_error_with_details():
    with pytest.raises(ValueError):
        validate_messages([text("")])


@pytest.mark.parametrize("kind,body,expected", [
    ("reply", {"replyToken": "abc", "messages": [text()]}, []),
    ("reply", {"messages": [text()]}, ["replyToken"]),
    ("push", {"to": USER, "messages": [text()]}, []),
    ("push", {"messages": [text()]}, ["to"]),
    ("push", {"to": USER, "messages": []}, ["messages"]),
    ("multicast", {"to": [USER] * 500, "messages": [text()]}, []),
    ("multicast", {"to": [USER] * 501, "messages": [text()]}, ["to"]),
    ("multicast", {"to": [], "messages": [text()]}, ["to"]),
    ("multicast", {"to": ["not-a-user"], "messages": [text()]}, ["to[0]"]),
    ("broadcast", {"messages": [text()] * 5}, []),
    ("broadcast", {"messages": [text()] * 6}, ["messages"]),
    ("broadcast", {"messages": [text()], "notificationDisabled": "yes"}, ["notificationDisabled"]),
    ("validate", {"messages": [text("a" * 5001)]}, ["messages[0].text"]),
    ("push", ["not", "an", "object"], ["body"]),
])
def test_request_bodies(kind, body, expected):
    assert [d["property"] for d in validate_request(kind, body)] == expected


def test_unknown_request_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        validate_request("telepathy", {})


def richmenu(**changes):
    """A valid 2500×1686 rich menu with one area."""
    menu = {"size": {"width": 2500, "height": 1686}, "selected": True, "name": "main", "chatBarText": "メニュー",
            "areas": [{"bounds": {"x": 0, "y": 0, "width": 1250, "height": 843},
                       "action": {"type": "postback", "data": "action=menu", "label": "イベント"}}]}
    menu.update(changes)
    return menu


@pytest.mark.parametrize("menu,expected", [
    (richmenu(), []),
    (richmenu(size={"width": 799, "height": 250}), ["size"]),
    (richmenu(size={"width": 2501, "height": 843}), ["size"]),
    (richmenu(size={"width": 800, "height": 249}), ["size"]),
    (richmenu(size={"width": 1000, "height": 700}), ["size"]),  # ratio 1.43 < 1.45
    (richmenu(chatBarText="あ" * 15), ["chatBarText"]),
    (richmenu(chatBarText="あ" * 14), []),
    (richmenu(areas=[]), ["areas"]),
    (richmenu(areas=richmenu()["areas"] * 21), ["areas"]),
    (richmenu(areas=[{"bounds": {"x": 2000, "y": 0, "width": 1000, "height": 100},
                      "action": {"type": "message", "text": "x"}}]), ["areas[0].bounds"]),
    (richmenu(areas=[{"bounds": {"x": 0, "y": 0, "width": 100, "height": 100},
                      "action": {"type": "message", "label": "あ" * 21, "text": "x"}}]), ["areas[0].action.label"]),
    ({k: v for k, v in richmenu().items() if k != "selected"}, ["selected"]),
])
def test_richmenu_rules(menu, expected):
    assert [d["property"] for d in validate_richmenu(menu)][:1] == expected


SPEC = Path(__file__).resolve().parents[2] / "shared" / "line" / "messaging-api.yml"


def test_accepted_message_types_are_the_specs_message_discriminator():
    if not SPEC.exists():
        pytest.skip("../shared/line/messaging-api.yml is not available")
    import yaml
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    mapping = spec["components"]["schemas"]["Message"]["discriminator"]["mapping"]
    assert set(MESSAGE_TYPES) == set(mapping)


@pytest.mark.parametrize("uri, ok", [
    ("https://city.example.jp/event/1.html?a=1&b=2#top", True),
    ("https://city.example.jp/%E3%82%A4%E3%83%99%E3%83%B3%E3%83%88", True),
    ("tel:0312345678", True),
    ("https://city.example.jp/a.html\nhttps://b.example.jp", False),
    ("https://city.example.jp/a b", False),
    ("https://city.example.jp/イベント", False),
])
def test_action_uris_must_be_percent_encoded(uri, ok):
    message = {"type": "text", "text": "x", "quickReply": {"items": [
        {"type": "action", "action": {"type": "uri", "label": "開く", "uri": uri}}]}}
    assert (validate_message(message) == []) is ok
