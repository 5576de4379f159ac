"""A postback naming a row by an impossible id gets a friendly answer with choices; the database never sees it."""
from __future__ import annotations

import pytest

from handlers.registry import is_valid_id
from tests.residents_support import Resident_, postback_event

HUGE = "99999999999999999999"


@pytest.mark.parametrize("value, valid", [("1", True), ("2147483647", True), ("2147483648", False), (HUGE, False),
                                          ("0", False), ("-3", False), ("１２", False), ("1e3", False), ("", False)])
def test_an_id_must_be_a_positive_integer_the_database_can_hold(value, valid):
    assert is_valid_id(value) is valid


@pytest.mark.parametrize("data", [
    f"action=search_detail&k=e&id={HUGE}",
    f"action=su_join&k=e&id={HUGE}",
    f"action=su_cancel&s={HUGE}",
    f"action=su_code&k=o&id={HUGE}",
    f"action=res_ask&f={HUGE}",
    f"action=sv&r={HUGE}&q=1&v=yes",
])
def test_an_out_of_range_id_gets_a_friendly_answer_with_choices(session, data, monkeypatch):
    you = Resident_(session)
    you.follow()
    queries = []
    from sqlalchemy import event

    listener = lambda *args: queries.append(args[2])  # noqa: E731  (every statement sent to the database)
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        reply = you.send(postback_event(data))
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listener)
    assert "見つかりませんでした" in reply[0]["text"]
    assert you.labels(), "choices to go on with"
    assert not any(HUGE in str(params) for params in queries)
