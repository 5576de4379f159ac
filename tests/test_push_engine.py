"""The shared push engine: a Delivery reaches its segment once each, in batches of ≤ 500, through LINE's failures."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select, update

from bot.messenger import LineRequestRejected, RecordingMessenger, TransientLineError
from content import deliveries as dl
from content.deliveries import DeliveryError, delivery_report, queue_delivery
from content.line_limits import LineLimitError
from content.quiet_hours import parse_quiet_hours
from content.segments import parse_segment
from jobs.delivery import DeliverySettings, MAX_ERRORS, quota_shortfall, send_batch, send_due_deliveries
from models import Resident, session_scope
from tests.delivery_support import (add_residents, batches, delivery, messages, received, user_id, utc)

NO_QUIET = DeliverySettings(quiet=None)


class FakeTime:
    """A clock that moves only when the job sleeps (backoffs and 429 waits without real waiting)."""

    def __init__(self, start=utc(2026, 12, 1, 3, 0)):  # 12:00 in Tokyo: outside quiet hours
        self.start, self.offset = start, 0.0

    def now(self):
        """Naive UTC now."""
        return self.start + timedelta(seconds=self.offset)

    def clock(self) -> float:
        """Monotonic seconds."""
        return self.offset

    def sleep(self, seconds: float) -> None:
        """Advance the clock."""
        self.offset += seconds


def run(engine, messenger, settings=NO_QUIET, fake=None, budget=3600.0) -> int:
    """One scheduler run of the delivery job on a fake clock."""
    fake = fake or FakeTime()
    return send_due_deliveries(engine, messenger, settings, budget=budget, sleep=fake.sleep, clock=fake.clock,
                               now=fake.now)


def queue(engine, *, segment=None, resident_ids=None, at=None, urgent=False, msgs=None, **kw) -> int:
    """Queue a delivery and commit; returns its id."""
    with session_scope(engine) as session:
        d = queue_delivery(session, kind="notice", ref_id=7, messages_by_lang=msgs or messages(),
                           segment=parse_segment(segment) if segment else None, resident_ids=resident_ids,
                           scheduled_for=at or utc(2026, 12, 1, 2, 0), urgent=urgent, **kw)
        return d.id


def test_every_resident_in_the_segment_gets_one_copy_in_batches_of_at_most_500(engine):
    north = add_residents(engine, 1203, district="北野地区", language=lambda n: "en" if n % 4 == 0 else "ja")
    add_residents(engine, 300, start=5000, district="中央地区")
    messenger = RecordingMessenger()
    delivery_id = queue(engine, segment=["district=北野地区"])
    run(engine, messenger)
    counts = received(messenger)
    assert set(counts) == set(north) and set(counts.values()) == {1}
    assert all(len(call["to"]) <= 500 for call in messenger.sent)
    english = {user_id(n) for n in range(1203) if n % 4 == 0}
    for call in messenger.sent:
        expected = "A notice" if set(call["to"]) <= english else "お知らせです"
        assert call["messages"][0]["text"] == expected and (set(call["to"]) <= english or not set(call["to"]) & english)
    report = delivery(engine, delivery_id)
    assert (report.state, report.recipients, report.sent, report.requests) == ("done", 1203, 1203, len(messenger.sent))


def test_languages_with_the_same_messages_share_batches(engine):
    add_residents(engine, 600, language=lambda n: ("ja", "ja-easy")[n % 2])
    messenger = RecordingMessenger()
    queue(engine, msgs={"ja": [{"type": "text", "text": "同じ"}]})
    run(engine, messenger)
    assert [len(call["to"]) for call in messenger.sent] == [500, 100]


def test_only_followers_with_notices_on_are_pushed(engine):
    add_residents(engine, 3, following=lambda n: n != 1, notifications=lambda n: n != 2)
    messenger = RecordingMessenger()
    queue(engine)
    run(engine, messenger)
    assert set(received(messenger)) == {user_id(0)}


def test_a_reply_style_push_may_reach_residents_with_notices_off(engine):
    add_residents(engine, 2, notifications=False)
    messenger = RecordingMessenger()
    with session_scope(engine) as session:
        ids = list(session.exec(select(Resident.id).order_by(Resident.id)).all())
    queue(engine, resident_ids=ids[:1], respect_notifications=False)
    run(engine, messenger)
    assert set(received(messenger)) == {user_id(0)}


def test_a_resident_who_unfollows_after_the_batches_were_made_is_skipped(engine):
    add_residents(engine, 3)
    messenger = RecordingMessenger()
    delivery_id = queue(engine)
    fake = FakeTime()
    with session_scope(engine) as session:
        d = session.get(dl.Delivery, delivery_id)
        dl.make_batches(session, d, now=fake.now())
        session.execute(update(Resident).where(Resident.line_user_id == user_id(1)).values(following=False))
    run(engine, messenger, fake=fake)
    assert set(received(messenger)) == {user_id(0), user_id(2)}
    stored = delivery(engine, delivery_id)
    assert (stored.sent, stored.skipped, stored.recipients) == (2, 1, 3)


def test_a_crash_after_linE_accepted_resends_the_same_key_and_nobody_gets_two(engine):
    add_residents(engine, 1200)
    messenger = RecordingMessenger()
    delivery_id = queue(engine)
    fake = FakeTime()
    from jobs.delivery import start_due
    start_due(engine, messenger, NO_QUIET, fake.now())
    first = batches(engine, delivery_id)[0]
    # The process prepared and sent the first batch, then died before recording LINE's answer.
    with session_scope(engine) as session:
        attempt = dl.prepare_attempt(session, first.id, fake.now())
    assert attempt.retry_key == first.retry_key and len(attempt.to) == 500
    messenger.multicast(attempt.to, attempt.messages, retry_key=attempt.retry_key)
    run(engine, messenger, fake=fake)
    assert set(received(messenger).values()) == {1} and len(received(messenger)) == 1200
    again = batches(engine, delivery_id)[0]
    assert again.duplicate and again.attempts == 2 and again.retry_key == first.retry_key
    assert delivery_report_of(engine, delivery_id)["duplicates"] == 1


def delivery_report_of(engine, delivery_id: int) -> dict:
    """delivery_report in its own session."""
    with session_scope(engine) as session:
        return delivery_report(session, delivery_id)


def test_server_errors_and_timeouts_are_retried_with_the_same_key_and_recipients(engine):
    add_residents(engine, 700)
    messenger = RecordingMessenger()
    messenger.fail_next(TransientLineError("500", status=500), via="multicast", times=2)
    messenger.fail_next(TransientLineError("timeout", status=None), via="multicast", times=1)
    keys: list[tuple[str, tuple]] = []
    real = messenger.multicast

    def spy(to, msgs, retry_key=None):
        keys.append((retry_key, tuple(to)))
        return real(to, msgs, retry_key=retry_key)

    messenger.multicast = spy
    fake = FakeTime()
    delivery_id = queue(engine)
    run(engine, messenger, fake=fake)
    assert len(received(messenger)) == 700 and set(received(messenger).values()) == {1}
    by_key: dict[str, set] = {}
    for key, to in keys:
        by_key.setdefault(key, set()).add(to)
    assert len(by_key) == 2 and all(len(tos) == 1 for tos in by_key.values())  # each retry: same key, same people
    assert len(keys) == 5  # two batches, three failed tries among them
    assert fake.offset > 0  # it backed off between tries
    report = delivery_report_of(engine, delivery_id)
    assert (report["state"], report["sent"], report["requests"]) == ("done", 700, 5)


def test_rate_limit_waits_as_line_asks_and_resumes(engine):
    add_residents(engine, 10)
    messenger = RecordingMessenger()
    messenger.fail_next(TransientLineError("429", status=429, retry_after=7.0), via="multicast")
    fake = FakeTime()
    queue(engine)
    run(engine, messenger, fake=fake)
    assert len(received(messenger)) == 10 and fake.offset >= 7.0


def test_a_request_line_refuses_fails_its_batch_and_is_not_retried(engine):
    add_residents(engine, 600)
    messenger = RecordingMessenger()
    messenger.fail_next(LineRequestRejected(400, '{"message": "bad"}'), via="multicast")
    delivery_id = queue(engine)
    run(engine, messenger)
    report = delivery_report_of(engine, delivery_id)
    assert (report["state"], report["sent"], report["failed"], report["requests"]) == ("done", 100, 500, 2)


def test_a_batch_that_keeps_failing_is_given_up(engine):
    add_residents(engine, 5)
    messenger = RecordingMessenger()
    messenger.fail_next(TransientLineError("503", status=503), via="multicast", times=MAX_ERRORS)
    delivery_id = queue(engine)
    run(engine, messenger)
    report = delivery_report_of(engine, delivery_id)
    assert (report["state"], report["failed"], report["requests"]) == ("failed", 5, MAX_ERRORS)


def test_an_uncertain_batch_older_than_the_retry_keys_memory_is_not_sent_again(engine):
    add_residents(engine, 5)
    messenger = RecordingMessenger()
    messenger.fail_next(TransientLineError("timeout", status=None), via="multicast")
    delivery_id = queue(engine)
    fake = FakeTime()
    run(engine, messenger, fake=fake, budget=0.0)  # one failed request, then the process stops
    fake.offset += 24 * 3600
    run(engine, messenger, fake=fake)
    assert not messenger.sent
    assert delivery_report_of(engine, delivery_id)["failed"] == 5


@pytest.mark.parametrize("quota, needed, in_flight, held", [
    ({"type": "none", "value": None, "used": 50}, 10_000, 0, False),
    ({"type": "limited", "value": 1000, "used": 400}, 600, 0, False),
    ({"type": "limited", "value": 1000, "used": 400}, 601, 0, True),
    ({"type": "limited", "value": 1000, "used": 0}, 600, 500, True),
])
def test_quota_shortfall(quota, needed, in_flight, held):
    problem = quota_shortfall(quota, needed, in_flight)
    assert bool(problem) is held
    if held:
        assert f"{needed:,}通" in problem and "保留" in problem


def test_a_send_that_would_not_fit_the_quota_is_held_and_says_so(engine):
    add_residents(engine, 30)
    messenger = RecordingMessenger(quota={"type": "limited", "value": 100, "used": 80})
    delivery_id = queue(engine)
    run(engine, messenger)
    stored = delivery(engine, delivery_id)
    assert not messenger.sent and stored.state == "held"
    assert "30通" in stored.held_reason and "残り20通" in stored.held_reason
    messenger.quota_state["value"] = 200  # staff bought more; it goes out at the next look
    fake = FakeTime()
    fake.offset = 16 * 60
    run(engine, messenger, fake=fake)
    assert delivery(engine, delivery_id).state == "done" and len(received(messenger)) == 30


def test_the_monthly_limit_reached_mid_send_holds_the_rest_without_duplicates(engine):
    add_residents(engine, 1100)
    messenger = RecordingMessenger()
    real = messenger.multicast
    calls = []

    def limited(to, msgs, retry_key=None):
        calls.append(retry_key)
        if len(calls) == 2:
            raise TransientLineError("monthly", status=429, quota_exhausted=True)
        return real(to, msgs, retry_key=retry_key)

    messenger.multicast = limited
    delivery_id = queue(engine)
    fake = FakeTime()
    run(engine, messenger, fake=fake)
    stored = delivery(engine, delivery_id)
    assert stored.state == "held" and "上限" in stored.held_reason and stored.sent == 500
    fake.offset += 16 * 60
    run(engine, messenger, fake=fake)
    assert delivery(engine, delivery_id).state == "done"
    assert len(received(messenger)) == 1100 and set(received(messenger).values()) == {1}


def test_quiet_hours_hold_a_notice_until_morning_and_let_an_urgent_one_through(engine):
    add_residents(engine, 4)
    night = FakeTime(utc(2026, 12, 1, 13, 30))  # 22:30 in Tokyo
    settings = DeliverySettings(tz="Asia/Tokyo", quiet=parse_quiet_hours("21:00-08:00"))
    messenger = RecordingMessenger()
    usual = queue(engine, msgs={"ja": [{"type": "text", "text": "ふつう"}]}, at=night.now())
    urgent = queue(engine, msgs={"ja": [{"type": "text", "text": "防災"}]}, at=night.now(), urgent=True)
    run(engine, messenger, settings, fake=night)
    assert [call["messages"][0]["text"] for call in messenger.sent] == ["防災"]
    held = delivery(engine, usual)
    assert held.state == "held" and "21:00〜8:00" in held.held_reason and "8:00 に配信" in held.held_reason
    assert held.scheduled_for == utc(2026, 12, 1, 23, 0)  # 08:00 Tokyo
    assert delivery(engine, urgent).state == "done"
    morning = FakeTime(utc(2026, 12, 1, 23, 0))
    run(engine, messenger, settings, fake=morning)
    assert delivery(engine, usual).state == "done" and len(messenger.sent) == 2


def test_a_delivery_waits_for_its_time(engine):
    add_residents(engine, 2)
    messenger = RecordingMessenger()
    fake = FakeTime()
    delivery_id = queue(engine, at=fake.now() + timedelta(hours=2))
    run(engine, messenger, fake=fake)
    assert not messenger.sent and delivery(engine, delivery_id).state == "queued"


def test_queueing_refuses_messages_line_would_refuse(session):
    with pytest.raises(LineLimitError, match="text"):
        queue_delivery(session, kind="notice", messages_by_lang={"ja": [{"type": "text", "text": "あ" * 5001}]})
    with pytest.raises(DeliveryError, match="ja"):
        queue_delivery(session, kind="notice", messages_by_lang={"en": [{"type": "text", "text": "hi"}]})
    with pytest.raises(DeliveryError, match="1 to 5"):
        queue_delivery(session, kind="notice", messages_by_lang={"ja": [{"type": "text", "text": "x"}] * 6})


def test_the_report_says_what_happened(engine):
    add_residents(engine, 501)
    messenger = RecordingMessenger()
    delivery_id = queue(engine)
    assert delivery_report_of(engine, delivery_id)["state"] == "queued"
    run(engine, messenger)
    report = delivery_report_of(engine, delivery_id)
    assert {k: report[k] for k in ("id", "notice", "state", "recipients", "sent", "skipped", "failed", "requests",
                                   "batches", "batches_done")} == {
        "id": delivery_id, "notice": 7, "state": "done", "recipients": 501, "sent": 501, "skipped": 0, "failed": 0,
        "requests": 2, "batches": 2, "batches_done": 2}
    assert report["started_at"] and report["finished_at"].endswith("+09:00")


def test_a_cancelled_delivery_sends_nothing_more(engine):
    add_residents(engine, 3)
    messenger = RecordingMessenger()
    delivery_id = queue(engine)
    with session_scope(engine) as session:
        assert dl.cancel_delivery(session, delivery_id)
    run(engine, messenger)
    assert not messenger.sent and delivery(engine, delivery_id).state == "cancelled"


def test_send_batch_of_a_finished_batch_makes_no_request(engine):
    add_residents(engine, 2)
    messenger = RecordingMessenger()
    delivery_id = queue(engine)
    run(engine, messenger)
    assert send_batch(engine, messenger, batches(engine, delivery_id)[0].id) == 0
    assert len(messenger.sent) == 1
