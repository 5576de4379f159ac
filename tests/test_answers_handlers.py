"""The search's handlers: postbacks (次の10件, 詳細) and a shared location, through the handler registry."""
from __future__ import annotations

from content.search.answers import Request, request_postback_data
from content.line_limits import validate_messages
from content.search.index import clear_cache
from handlers.registry import Context, load_handlers
from models import Resident
from tests.search_support import NOW, seed_small_city


def run(session, event: dict, resident=None) -> tuple[list[dict], dict]:
    """Dispatch one event to its registered handler; (messages, ctx.extra)."""
    handler = load_handlers().find(event)
    ctx = Context(session=session, event=event, now=NOW, resident=resident, lang="ja", extra={})
    messages = handler(ctx)
    validate_messages(messages)
    return messages, ctx.extra


def postback(data: str) -> dict:
    """A postback event."""
    return {"type": "postback", "replyToken": "r", "source": {"type": "user", "userId": "U1"}, "postback": {"data": data}}


def test_next_page_postback_answers_with_the_following_items(session):
    clear_cache()
    seed_small_city(session)
    _messages, extra = run(session, postback(request_postback_data(Request(text="ウォーキング", offset=20))))
    assert len(extra["items"]) == 5


def test_detail_postback_shows_one_item(session):
    clear_cache()
    rows = seed_small_city(session)
    _messages, extra = run(session, postback(f"action=search_detail&k=f&id={rows['中央図書館'].id}"))
    assert [i["title"] for i in extra["items"]] == ["中央図書館"]


def test_location_message_answers_and_remembers_it_for_a_stored_resident(session):
    clear_cache()
    seed_small_city(session)
    resident = Resident(line_user_id="U" + "1" * 32)
    session.add(resident)
    session.commit()
    event = {"type": "message", "replyToken": "r", "source": {"type": "user", "userId": resident.line_user_id},
             "message": {"type": "location", "id": "1", "latitude": 35.6801, "longitude": 139.7601}}
    _messages, extra = run(session, event, resident)
    assert extra["items"][0]["title"] == "中央公民館"
    assert (resident.last_location_lat, resident.last_location_lon) == (35.6801, 139.7601)


def test_location_message_for_a_transient_resident_writes_nothing(session):
    clear_cache()
    seed_small_city(session)
    resident = Resident(line_user_id="U" + "2" * 32)  # never added: `tsunagari ask` style
    event = {"type": "message", "replyToken": "r", "source": {"type": "user", "userId": resident.line_user_id},
             "message": {"type": "location", "id": "1", "latitude": 35.6801, "longitude": 139.7601}}
    _messages, extra = run(session, event, resident)
    assert extra["items"] and resident not in session
