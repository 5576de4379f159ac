"""Sign-ups without Flask or LINE: places, the waitlist, cancellation, closing, and the words residents read."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from content.signups import core
from content.signups.items import open_items, phone_number, signup_state
from models import Signup
from tests.signup_support import NOW, add_event, add_opening, add_resident


def test_two_places_three_residents_two_going_one_waitlisted_first(session):
    event = add_event(session, capacity=2)
    results = [core.join(session, add_resident(session, n), "e", event.id, NOW) for n in range(3)]
    assert [r.outcome for r in results] == ["going", "going", "waitlisted"]
    assert results[2].position == 1


def test_a_second_tap_changes_nothing(session):
    event = add_event(session, capacity=2)
    you = add_resident(session, 1)
    first = core.join(session, you, "e", event.id, NOW)
    again = core.join(session, you, "e", event.id, NOW)
    assert (first.outcome, again.outcome) == ("going", "already_going")
    assert again.signup.id == first.signup.id
    assert len(session.exec(select(Signup)).all()) == 1


def test_the_database_refuses_a_second_row_for_the_same_resident_and_item(session):
    from sqlalchemy.exc import IntegrityError

    event = add_event(session)
    you = add_resident(session, 1)
    core.join(session, you, "e", event.id, NOW)
    session.add(Signup(item_kind="event", item_id=event.id, resident_id=you.id, checkin_code="XXXXXX", qr_token="t"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_cancelling_promotes_the_first_in_line(session):
    event = add_event(session, capacity=1)
    first, second, third = (add_resident(session, n) for n in range(3))
    mine = core.join(session, first, "e", event.id, NOW).signup
    core.join(session, second, "e", event.id, NOW + timedelta(minutes=1))
    core.join(session, third, "e", event.id, NOW + timedelta(minutes=2))
    result = core.cancel(session, mine, NOW, notify=False)
    assert result.outcome == "cancelled"
    assert [s.resident_id for s in result.promoted] == [second.id]
    assert core.waitlist_position(session, core.find_signup(session, third.id, "event", event.id)) == 1
    assert core.cancel(session, mine, NOW, notify=False).outcome == "already_cancelled"


def test_signing_up_again_after_cancelling_goes_to_the_back_of_the_line(session):
    event = add_event(session, capacity=1)
    first, second = add_resident(session, 1), add_resident(session, 2)
    mine = core.join(session, first, "e", event.id, NOW).signup
    core.cancel(session, mine, NOW, notify=False)
    assert core.join(session, second, "e", event.id, NOW).outcome == "going"
    again = core.join(session, first, "e", event.id, NOW + timedelta(minutes=5))
    assert (again.outcome, again.position, again.signup.id) == ("waitlisted", 1, mine.id)


@pytest.mark.parametrize("change, outcome", [
    ({"deadline_days": -0.1}, "closed"),
    ({"days": -0.01}, "started"),
    ({"status": "withdrawn"}, "withdrawn"),
    ({"active": False}, "withdrawn"),
    ({"chat": False}, "not_chat"),
])
def test_a_tap_on_an_item_no_longer_open_says_why(session, change, outcome):
    event = add_event(session, **change)
    assert core.join(session, add_resident(session, 1), "e", event.id, NOW).outcome == outcome
    assert session.exec(select(Signup)).all() == []


def test_an_unknown_item_is_withdrawn(session):
    assert core.join(session, add_resident(session, 1), "e", "999", NOW).outcome == "withdrawn"
    assert core.join(session, add_resident(session, 2), "x", "abc", NOW).outcome == "withdrawn"


def test_an_opening_closes_at_its_deadline(session):
    opening = add_opening(session)
    assert signup_state(opening, NOW) == "open"
    assert signup_state(opening, NOW + timedelta(days=8)) == "closed"


def test_open_items_put_similar_ones_first_and_leave_out_closed_and_plain_ones(session):
    closed = add_event(session, title="closed", deadline_days=-1, category="料理", facility_id=None)
    add_event(session, title="plain", chat=False)
    later_same = add_event(session, title="same", days=9, category="料理")
    sooner_other = add_event(session, title="other", days=3, category="体操")
    opening = add_opening(session)
    found = open_items(session, NOW, like=closed)
    assert [i.title for i in found] == [later_same.title, sooner_other.title, opening.title]


@pytest.mark.parametrize("texts, expected", [
    (("電話（0480-21-1101）で中央公民館へ",), "0480211101"),
    (("", "生涯学習課 ０３－１２３４－５６７８"), "0312345678"),
    (("申込不要",), None),
    (("090 1234 5678",), "09012345678"),
    (("12月5日 10:00〜",), None),
])
def test_phone_number_for_the_call_button(texts, expected):
    assert phone_number(*texts) == expected


def test_the_last_place_goes_to_exactly_one_of_many_simultaneous_taps(engine):
    """Concurrency: 8 residents tap at once for 3 places, each in its own transaction."""
    with Session(engine, expire_on_commit=False) as session:
        event = add_event(session, capacity=3)
        residents = [add_resident(session, n) for n in range(8)]
        session.commit()
        event_id, ids = event.id, [r.id for r in residents]
    barrier = threading.Barrier(len(ids))
    outcomes, errors = [], []

    def tap(resident_id: int) -> None:
        from models import Resident

        try:
            with Session(engine, expire_on_commit=False) as s:
                resident = s.get(Resident, resident_id)
                barrier.wait(10)
                outcomes.append(core.join(s, resident, "e", event_id, NOW).outcome)
                s.commit()
        except Exception as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=tap, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(outcomes) == ["going"] * 3 + ["waitlisted"] * 5
    with Session(engine) as s:
        assert core.count_status(s, "event", event_id, "going") == 3
        positions = sorted(core.waitlist_position(s, x) for x in core.waitlist(s, "event", event_id))
        assert positions == [1, 2, 3, 4, 5]


def test_deleting_ones_data_frees_the_place_and_keeps_the_ledger_anonymous(session, monkeypatch):
    from content.residents import delete_personal_data
    from content.signups.checkin import check_in
    from models import Attendance

    promoted = []
    monkeypatch.setattr("content.signups.pushes.queue_promotion_pushes",
                        lambda session, item, rows, now: promoted.extend(rows))
    past = add_event(session, title="past", capacity=5, days=-3)
    coming = add_event(session, title="coming", capacity=1, days=3650)  # deletion takes the real clock's now
    you, next_in_line = add_resident(session, 1, district="北地区"), add_resident(session, 2)
    went = core.join(session, you, "e", past.id, NOW - timedelta(days=5)).signup
    check_in(session, type("Staff", (), {"id": 1, "role": "staff", "organization_id": None})(), went, via="list",
             now=NOW - timedelta(days=3))
    core.join(session, you, "e", coming.id, NOW)
    core.join(session, next_in_line, "e", coming.id, NOW)
    delete_personal_data(session, you)
    ledger = session.exec(select(Attendance)).one()
    assert (ledger.resident_id, ledger.district) == (None, "北地区")
    assert [s.resident_id for s in promoted] == [next_in_line.id]
    assert all(s.resident_id != you.id for s in session.exec(select(Signup)).all())


def test_attendance_per_resident_by_cell_for_the_per_capita_indicator(session):
    from datetime import date

    from content.signups.checkin import check_in
    from content.signups.ledger import attendance_per_resident

    staff = type("Staff", (), {"id": 1, "role": "staff", "organization_id": None})()
    events = [add_event(session, title=f"e{n}", capacity=None, days=-30 + n) for n in range(3)]
    people = [add_resident(session, n, district="北地区" if n < 10 else "南地区", age_group="70-79") for n in range(12)]
    for event in events:
        for person in people[:10] if event is not events[2] else people:
            signup = core.join(session, person, "e", event.id, NOW - timedelta(days=40)).signup
            check_in(session, staff, signup, via="code", now=NOW)
    cells = attendance_per_resident(session, date(2026, 1, 1), date(2027, 1, 1), by=("district",))
    assert cells == [
        {"district": "北地区", "visits": 30, "people": 10, "population": None, "value": 3.0, "suppressed": False},
        {"district": "南地区", "visits": None, "people": None, "population": None, "value": None, "suppressed": True}]
    city = attendance_per_resident(session, date(2026, 1, 1), date(2027, 1, 1), by=(),
                                   population={(): 1000})
    assert city == [{"visits": 32, "people": 12, "population": 1000, "value": 0.03, "suppressed": False}]
