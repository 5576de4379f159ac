"""Handler registration and lookup by event type, message type and postback action."""
from __future__ import annotations

import pytest

from handlers.registry import DuplicateHandler, Registry, load_handlers, parse_postback


def handler(ctx):
    """A handler that answers nothing."""
    return []


@pytest.mark.parametrize("data, expected", [
    ("action=ob_pick&s=lang&v=en", {"action": "ob_pick", "s": "lang", "v": "en"}),
    ("action=search_more&q=%E5%9B%B3%E6%9B%B8%E9%A4%A8", {"action": "search_more", "q": "図書館"}),
    ("legacy-data", {"action": "legacy-data"}),
    ("", {"action": ""}),
])
def test_postback_data_is_parsed(data, expected):
    assert parse_postback(data) == expected


def test_a_second_registration_of_the_same_key_raises():
    registry = Registry()
    registry.on("postback", "x")(handler)
    with pytest.raises(DuplicateHandler):
        registry.on("postback", "x")(handler)


@pytest.mark.parametrize("event, key", [
    ({"type": "message", "message": {"type": "text"}}, ("message", "text")),
    ({"type": "message", "message": {"type": "location"}}, ("message", "location")),
    ({"type": "postback", "postback": {"data": "action=b&x=1"}}, ("postback", "b")),
    ({"type": "follow"}, ("follow", None)),
])
def test_events_find_their_handler(event, key):
    registry = Registry()
    registry.on(*key)(handler)
    assert registry.find(event) is handler


@pytest.mark.parametrize("event", [
    {"type": "message", "message": {"type": "sticker"}},
    {"type": "postback", "postback": {"data": "action=nobody"}},
    {"type": "somethingNew"},
    {},
])
def test_unregistered_events_find_nothing(event):
    registry = Registry()
    registry.on("message", "text")(handler)
    registry.on("postback", "b")(handler)
    assert registry.find(event) is None


def test_the_bot_handles_what_a_resident_can_send():
    keys = set(load_handlers().keys())
    assert {("follow", None), ("unfollow", None), ("message", "text"), ("message", "location")} <= keys
