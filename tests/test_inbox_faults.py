"""The inbox under faults: malformed events, dropped connections, failing replies, dead workers, order."""
from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlmodel import select

import tests.support_handlers  # noqa: F401  (registers test-only handlers)
from bot import dispatch, inbox
from bot.inbox import LANES, EVENTS, beat, claim_next, counts_by_state, finish, settle, store_events
from bot.messenger import TransientLineError
from bot.workers import drain
from content.menus import apology_messages
from models import InboxEvent, Resident, utcnow
from tests.conftest import SECRET
from tests.line_events import postback_event, signed_headers, text_event, webhook_body

USER = "U" + "1" * 32
OTHER = "U" + "2" * 32


def post(client, body: bytes):
    """POST a signed raw body to /callback."""
    return client.post("/callback", data=body, headers=signed_headers(SECRET, body))


def rows(engine) -> list[InboxEvent]:
    """Every inbox row, oldest first."""
    from sqlmodel import Session

    with Session(engine) as session:
        return list(session.exec(select(InboxEvent).order_by(InboxEvent.id)))


def marks(engine, user_id: str = USER) -> list:
    """How many times the counting handler ran for a resident."""
    from sqlmodel import Session

    with Session(engine) as session:
        resident = session.exec(select(Resident).where(Resident.line_user_id == user_id)).first()
        return resident.interests if resident else []


def drain_through_retries(engine, messenger, config, *, rounds: int) -> None:
    """Drain, and make every backed-off retry due at once, `rounds` times (a retry per round at most)."""
    for _ in range(rounds):
        drain(engine, messenger, config)
        make_everything_due(engine)


def make_everything_due(engine) -> None:
    """Skip the waits: every backoff and lease is over now (instead of sleeping in a test)."""
    past = utcnow() - timedelta(seconds=1)
    with engine.begin() as conn:
        conn.execute(update(LANES).where(LANES.c.state != "idle").values(due_at=past))


def age_events(engine, seconds: float) -> None:
    """Pretend every event arrived `seconds` earlier (its reply token has that much less time)."""
    with engine.begin() as conn:
        conn.execute(update(EVENTS).values(event_time=utcnow() - timedelta(seconds=seconds),
                                           received_at=utcnow() - timedelta(seconds=seconds)))


def raw_event_json(event: dict, replace: dict[str, str]) -> str:
    """An event's JSON with some values swapped for raw JSON text (things json.dumps would not write)."""
    text = json.dumps(event)
    for key, raw in replace.items():
        text = text.replace(json.dumps(key) + ": " + json.dumps(event[key]), json.dumps(key) + ": " + raw)
    return text


BAD_EVENTS = {
    "timestamp 1e20": lambda e: raw_event_json(e, {"timestamp": "1e20"}),
    "source a string": lambda e: json.dumps({**e, "source": "U" + "9" * 32}),
    "userId a number": lambda e: json.dumps({**e, "source": {"type": "user", "userId": 12345}}),
    "lone surrogate": lambda e: json.dumps({**e, "message": {**e["message"], "text": "\ud800"}}),
    "NUL in the text": lambda e: json.dumps({**e, "message": {**e["message"], "text": "a\u0000b"}}),
    "nested 5,000 deep": lambda e: json.dumps({**e, "extra": None}).replace("null", "[" * 5000 + "]" * 5000),
    "an integer of 5,000 digits": lambda e: raw_event_json(e, {"timestamp": "9" * 5000}),
    "NaN as a number": lambda e: raw_event_json(e, {"timestamp": "NaN"}),
    "type missing": lambda e: json.dumps({k: v for k, v in e.items() if k != "type"}),
    "message text a list": lambda e: json.dumps({**e, "message": {**e["message"], "text": ["a"]}}),
}


@pytest.mark.parametrize("problem", list(BAD_EVENTS))
def test_one_malformed_event_is_rejected_and_the_others_in_its_body_kept(client, engine, recording_messenger,
                                                                         config, problem):
    good_before, good_after = text_event(USER, "こんにちは"), postback_event(OTHER, "action=test_count")
    bad = BAD_EVENTS[problem](text_event(OTHER, "壊れた"))
    body = ('{"destination": "U0", "events": [' + json.dumps(good_before) + ", " + bad + ", "
            + json.dumps(good_after) + "]}").encode("utf-8", "surrogatepass")
    assert post(client, body).status_code == 200
    stored = rows(engine)
    assert [r.state for r in stored].count("rejected") == 1
    assert {r.webhook_event_id for r in stored if r.state == "pending"} == {good_before["webhookEventId"],
                                                                           good_after["webhookEventId"]}
    rejected = next(r for r in stored if r.state == "rejected")
    assert rejected.payload == "{}" and "壊れた" not in (rejected.last_error or "")
    assert post(client, body).status_code == 200, "a redelivery is answered the same way"
    assert len(rows(engine)) == 3, "and stored nothing twice"
    drain(engine, recording_messenger, config)
    assert marks(engine, OTHER) == ["handled"]


def test_ids_sharing_a_long_prefix_are_two_events(client, engine):
    first, second = text_event(USER, "a"), text_event(USER, "b")
    first["webhookEventId"], second["webhookEventId"] = "01" + "X" * 100 + "A", "01" + "X" * 100 + "B"
    assert post(client, webhook_body(first, second)).status_code == 200
    assert sorted(r.webhook_event_id for r in rows(engine)) == [first["webhookEventId"], second["webhookEventId"]]


def test_an_id_longer_than_the_column_is_kept_apart_by_its_full_hash(client, engine):
    first, second = text_event(USER, "a"), text_event(USER, "b")
    first["webhookEventId"], second["webhookEventId"] = "Y" * 400 + "1", "Y" * 400 + "2"
    assert post(client, webhook_body(first, second)).status_code == 200
    assert len({r.webhook_event_id for r in rows(engine)}) == 2


def dropped_connection() -> OperationalError:
    """What SQLAlchemy raises when the server closed the connection under a statement."""
    return OperationalError("INSERT", {}, ConnectionError("server closed the connection unexpectedly"),
                            connection_invalidated=True)


def test_storing_is_tried_again_when_the_connection_drops(client, engine, monkeypatch):
    real, calls = inbox._store_once, []

    def flaky(*args):
        calls.append(1)
        if len(calls) == 1:
            raise dropped_connection()
        return real(*args)

    monkeypatch.setattr(inbox, "_store_once", flaky)
    assert post(client, webhook_body(text_event(USER, "a"))).status_code == 200
    assert len(calls) == 2 and [r.state for r in rows(engine)] == ["pending"]


def test_500_only_when_nothing_could_be_stored_so_line_redelivers(client, engine, monkeypatch):
    def down(*args):
        raise dropped_connection()

    monkeypatch.setattr(inbox, "_store_once", down)
    assert post(client, webhook_body(text_event(USER, "a"))).status_code == 500
    monkeypatch.undo()
    assert rows(engine) == []


def test_a_transient_reply_failure_is_retried_while_the_token_lives(client, engine, recording_messenger, config):
    recording_messenger.fail_next(TransientLineError("LINE 500", status=500), via="reply", times=3)
    post(client, webhook_body(postback_event(USER, "action=test_count")))
    drain_through_retries(engine, recording_messenger, config, rounds=4)
    assert counts_by_state(engine) == {"done": 1}
    assert recording_messenger.replies() == [[{"type": "text", "text": "counted"}]], "the answer, not the apology"
    assert marks(engine) == ["handled"], "the handler ran once"


def test_the_apology_goes_only_when_the_token_is_about_to_expire(client, engine, recording_messenger, config):
    recording_messenger.fail_next(TransientLineError("LINE 500", status=500), via="reply", times=1)
    post(client, webhook_body(postback_event(USER, "action=test_count")))
    drain(engine, recording_messenger, config)
    assert recording_messenger.replies() == [] and counts_by_state(engine) == {"replying": 1}
    age_events(engine, 45)  # five seconds of the token left
    make_everything_due(engine)
    drain(engine, recording_messenger, config)
    assert recording_messenger.replies() == [apology_messages("ja")]
    assert counts_by_state(engine) == {"done": 1} and marks(engine) == ["handled"]


def test_finishing_that_fails_after_the_reply_never_runs_the_handler_again(client, engine, recording_messenger,
                                                                          config, monkeypatch):
    real, calls = dispatch.settle, []

    def settle_once_broken(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise dropped_connection()
        return real(*args, **kwargs)

    monkeypatch.setattr(dispatch, "settle", settle_once_broken)
    post(client, webhook_body(postback_event(USER, "action=test_count")))
    drain(engine, recording_messenger, config)
    make_everything_due(engine)
    drain(engine, recording_messenger, config)
    assert counts_by_state(engine) == {"done": 1}
    assert marks(engine) == ["handled"], "state changed once"
    assert len(recording_messenger.replies()) == 1, "the second try met a used token: nothing sent twice"


def statements_of_a_known_residents_text(client, engine, messenger, config, text: str) -> list[str]:
    """The SQL run for a resident's text once they are known (their first text creates them: a write)."""
    from sqlalchemy import event

    post(client, webhook_body(text_event(USER, "ヘルプ")))
    drain(engine, messenger, config)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, sql, *_rest: statements.append(sql))
    post(client, webhook_body(text_event(USER, text)))
    drain(engine, messenger, config)
    return statements


def test_an_answer_that_only_reads_is_sent_without_holding_it_first(client, engine, recording_messenger, config):
    statements = statements_of_a_known_residents_text(client, engine, recording_messenger, config, "ヘルプ")
    assert not [sql for sql in statements if "SET state = 'replying'" in sql], "nothing committed before the reply"
    assert counts_by_state(engine) == {"done": 2} and len(recording_messenger.replies()) == 2


def test_a_known_residents_text_reads_their_row_conversation_and_open_rounds_in_one_statement(
        client, engine, recording_messenger, config):
    statements = statements_of_a_known_residents_text(client, engine, recording_messenger, config, "こんにちは")
    reads = [sql for sql in statements if sql.lstrip().startswith("SELECT")]
    assert sum("FROM resident" in sql for sql in reads) == 1
    assert not [sql for sql in reads if sql.lstrip().startswith("SELECT conversation_state")]
    assert not [sql for sql in reads if "FROM survey_round" in sql and "EXISTS" not in sql]
    assert len(recording_messenger.replies()) == 2


def test_an_answer_that_only_reads_is_kept_and_sent_once_when_line_fails(client, engine, recording_messenger,
                                                                         config):
    post(client, webhook_body(text_event(USER, "ヘルプ")))
    drain(engine, recording_messenger, config)
    recording_messenger.fail_next(TransientLineError("LINE 500", status=500), via="reply", times=2)
    post(client, webhook_body(text_event(USER, "ヘルプ")))
    drain_through_retries(engine, recording_messenger, config, rounds=3)
    assert counts_by_state(engine) == {"done": 2}
    first, second = recording_messenger.replies()  # the answer once each, no apology
    assert second == first


def test_a_dead_workers_event_is_taken_over_once_its_lease_runs_out(engine, recording_messenger, config):
    store_events(engine, [postback_event(USER, "action=test_count")], SECRET)
    held = claim_next(engine, "worker-a")
    assert held is not None and claim_next(engine, "worker-b") is None, "the lease holds while worker a lives"
    beat(engine, "worker-a", 1)
    assert claim_next(engine, "worker-b") is None, "its heartbeat renews the lease"
    make_everything_due(engine)  # worker a died: no heartbeat, the lease ran out
    taken = claim_next(engine, "worker-b")
    assert taken is not None and taken.id == held.id and taken.attempts == held.attempts + 1
    assert finish(engine, held, state="done") is False, "the dead worker's claim cannot finish it"
    dispatch.process_event(engine, recording_messenger, config, taken)
    assert counts_by_state(engine) == {"done": 1} and marks(engine) == ["handled"]


def test_a_taken_over_event_whose_handler_committed_only_gets_its_reply(engine, recording_messenger, config):
    from handlers.registry import registry

    store_events(engine, [postback_event(USER, "action=test_count")], SECRET)
    row = claim_next(engine, "worker-a")
    event = json.loads(row.payload)
    dispatch.run_handler(engine, recording_messenger, config, event, registry.find(event), row)
    # worker a dies here, after its commit and before its reply
    make_everything_due(engine)
    drain(engine, recording_messenger, config)
    assert marks(engine) == ["handled"] and recording_messenger.replies() == [[{"type": "text", "text": "counted"}]]
    assert counts_by_state(engine) == {"done": 1}


def test_a_residents_events_run_in_order_while_others_run_beside_them(engine):
    store_events(engine, [postback_event(USER, "action=test_count") for _ in range(3)]
                 + [postback_event(OTHER, "action=test_count")], SECRET)
    first = claim_next(engine, "w")
    other = claim_next(engine, "w")
    assert claim_next(engine, "w") is None, "the first resident's next event waits for the one running"
    assert first.user_hash != other.user_hash
    assert finish(engine, first, state="done")
    second = claim_next(engine, "w")
    assert second is not None and second.user_hash == first.user_hash and second.id > first.id
    assert settle(engine, other, state="done")


def test_a_retry_waits_its_backoff_and_keeps_the_residents_order(engine):
    store_events(engine, [postback_event(USER, "action=test_count") for _ in range(2)], SECRET)
    first = claim_next(engine, "w")
    inbox.retry_later(engine, first, "OperationalError")
    assert claim_next(engine, "w") is None, "neither the retried event (backoff) nor the one behind it runs"
    make_everything_due(engine)
    again = claim_next(engine, "w")
    assert again.id == first.id and again.attempts == 2


def test_health_reports_the_database_and_the_backlog(client, engine):
    post(client, webhook_body(text_event(USER, "a"), text_event(OTHER, "b")))
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.get_json()
    assert report["database"]["reachable"] is True
    assert report["inbox"]["backlog"] == 2 and report["inbox"]["oldest_age_seconds"] >= 0
    assert "scheduler" in report
    assert report["status"] == "degraded" and any("no worker" in p for p in report["problems"])


def test_health_is_503_when_the_database_cannot_be_reached(config, recording_messenger):
    from bot.app import create_app
    from models import make_engine

    unreachable = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1})
    app = create_app(config, engine=unreachable, messenger=recording_messenger, start_workers=False)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"]["reachable"] is False


def test_metrics_are_prometheus_text_with_the_inbox_and_webhook_figures(client, engine, recording_messenger, config):
    from prometheus_client.parser import text_string_to_metric_families

    post(client, webhook_body(postback_event(USER, "action=test_count")))
    drain(engine, recording_messenger, config)
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    families = {f.name: f for f in text_string_to_metric_families(response.get_data(as_text=True))}
    for name in ("tsunagari_webhook_ack_seconds", "tsunagari_webhook_events", "tsunagari_inbox_events",
                 "tsunagari_line_api_requests", "tsunagari_inbox_backlog", "tsunagari_inbox_oldest_age_seconds",
                 "tsunagari_inbox_rows", "tsunagari_database_up"):
        assert name in families, name
    backlog = families["tsunagari_inbox_backlog"].samples[0].value
    assert backlog == 0
    handled = [s for s in families["tsunagari_inbox_events"].samples
               if s.labels.get("outcome") == "handled" and s.name.endswith("_total")]
    assert handled and handled[0].value >= 1
    assert USER not in response.get_data(as_text=True)


def test_the_claim_reads_two_indexes_not_the_backlog(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("the plan that matters is PostgreSQL's")
    from sqlalchemy import text

    from bench.claim_explain import claim_plans, fill_backlog

    fill_backlog(engine, pending=2000, residents=500)  # no ANALYZE: statistics are stale, as after a burst
    with engine.connect() as conn:
        plans = claim_plans(conn)
        conn.execute(text("ROLLBACK"))
    lane_plan, head_plan = plans
    assert "ix_inbox_lane_due" in lane_plan and "Seq Scan" not in lane_plan, lane_plan
    assert "ix_inbox_event_lane_unfinished" in head_plan and "Seq Scan" not in head_plan, head_plan


@pytest.mark.parametrize("age_seconds, degraded", [(3, False), (600, True)])
def test_health_reports_the_schedulers_heartbeat(client, session, age_seconds, degraded):
    from models import SchedulerHeartbeat

    session.add(SchedulerHeartbeat(id=1, holder="host:1", beat_at=utcnow() - timedelta(seconds=age_seconds)))
    session.commit()
    report = client.get("/healthz").get_json()
    assert report["scheduler"]["age_seconds"] >= age_seconds - 1
    assert any("scheduler" in p for p in report.get("problems", [])) is degraded


def test_metrics_count_deliveries_and_push_recipients(client, session):
    from prometheus_client.parser import text_string_to_metric_families

    from models import Delivery

    session.add(Delivery(kind="notice", messages={"ja": []}, state="done", recipients=3, sent=2, skipped=1))
    session.commit()
    families = {f.name: f for f in text_string_to_metric_families(client.get("/metrics").get_data(as_text=True))}
    assert {s.labels["state"]: s.value for s in families["tsunagari_deliveries"].samples} == {"done": 1}
    assert {s.labels["status"]: s.value for s in families["tsunagari_push_recipients"].samples} == \
        {"sent": 2, "skipped": 1, "failed": 0}
