"""The pushes sign-ups cost: one promotion push per resident who moves up, and one day-before reminder per
item from the configured hour, never twice (a unique claim beside the Delivery)."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session, select

from content.signups import core
from content.signups.reminders import due_items, queue_due_reminders, reminder_hour
from models import Delivery, SignupReminder, as_naive_utc
from tests.signup_support import TOKYO, add_event, add_resident

EVE = datetime(2026, 12, 4, 9, 59, tzinfo=TOKYO)  # the day before an event on 12月5日, just before 10:00


def event_on_the_5th(session, **values):
    """An event on 2026-12-05 at 14:00 (city time) taking sign-ups."""
    return add_event(session, starts_at=as_naive_utc(datetime(2026, 12, 5, 14, 0, tzinfo=TOKYO)), **values)


def test_a_cancellation_queues_one_push_for_the_resident_who_moves_up(session):
    event = event_on_the_5th(session, capacity=1)
    first, second = add_resident(session, 1), add_resident(session, 2)
    mine = core.join(session, first, "e", event.id, EVE).signup
    core.join(session, second, "e", event.id, EVE)
    core.cancel(session, mine, EVE)
    delivery = session.exec(select(Delivery)).one()
    assert (delivery.kind, delivery.resident_ids, delivery.respect_notifications) == ("waitlist", [second.id], False)
    assert "空きが出た" in delivery.messages["ja"][0]["text"]


@pytest.mark.parametrize("moment, due", [
    (EVE, False),                                      # 9:59 the day before
    (EVE + timedelta(minutes=1), True),                # 10:00 the day before
    (EVE + timedelta(hours=14), True),                 # 23:59 the day before
    (EVE + timedelta(hours=14, minutes=1), False),     # 0:00 on the day: too late for "明日は"
    (EVE - timedelta(days=1, minutes=-1), False),      # 10:00 two days before
])
def test_the_reminder_is_due_from_the_hour_of_the_day_before(session, moment, due):
    event = event_on_the_5th(session)
    assert (event in due_items(session, moment, 10)) is due


def test_the_reminder_goes_once_to_everyone_going_even_when_run_again(engine):
    with Session(engine, expire_on_commit=False) as session:
        event = event_on_the_5th(session, capacity=2)
        residents = [add_resident(session, n) for n in range(3)]
        for resident in residents:
            core.join(session, resident, "e", event.id, EVE - timedelta(days=2))
        gone = add_resident(session, 9, following=False)
        core.join(session, gone, "e", event.id, EVE - timedelta(days=2))  # waitlisted anyway; and blocked
        session.commit()
    later = EVE + timedelta(minutes=5)
    assert queue_due_reminders(engine, later, 10) == 1
    assert queue_due_reminders(engine, later + timedelta(minutes=5), 10) == 0  # the next run, or a restart
    with Session(engine) as session:
        claim = session.exec(select(SignupReminder)).one()
        delivery = session.get(Delivery, claim.delivery_id)
        assert delivery.kind == "signup_reminder"
        assert delivery.resident_ids == [residents[0].id, residents[1].id]
        assert claim.recipients == 2
        texts = [m.get("text", "") for m in delivery.messages["ja"]]
        assert "明日は「ふれあい料理教室」です。" in texts[0] and "14:00" in texts[0]


@pytest.mark.parametrize("value, hour", [(None, 10), ("", 10), ("7", 7), ("0", 0)])
def test_reminder_hour_setting(value, hour):
    assert reminder_hour(value) == hour


def test_a_bad_reminder_hour_is_refused():
    with pytest.raises(ValueError):
        reminder_hour("25")
