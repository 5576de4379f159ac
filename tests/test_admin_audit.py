"""The audit log is append-only from the application's side, and its queries filter as the admin page needs."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, update
from sqlmodel import select

from content import audit
from content.audit import AuditLogImmutable
from models import AuditLog, utcnow


def test_record_appends_an_entry_with_actor_and_address(session):
    class Actor:
        id, email = 7, "staff@city.example.jp"
    entry = audit.record(session, Actor(), "approve", "event", 3, detail="ok", address="10.0.0.1")
    session.commit()
    stored = session.get(AuditLog, entry.id)
    assert (stored.actor_id, stored.actor_email, stored.action, stored.record_type, stored.record_id,
            stored.address) == (7, "staff@city.example.jp", "approve", "event", 3, "10.0.0.1")


def test_an_entry_cannot_be_changed(session):
    entry = audit.record(session, "x@example.jp", "login")
    session.commit()
    entry.action = "nothing happened"
    with pytest.raises(AuditLogImmutable):
        session.commit()


def test_an_entry_cannot_be_deleted(session):
    entry = audit.record(session, "x@example.jp", "login")
    session.commit()
    session.delete(entry)
    with pytest.raises(AuditLogImmutable):
        session.commit()


@pytest.mark.parametrize("statement", [delete(AuditLog), update(AuditLog).values(action="x")])
def test_bulk_statements_on_the_audit_table_are_refused(session, statement):
    audit.record(session, "x@example.jp", "login")
    session.commit()
    with pytest.raises(AuditLogImmutable):
        session.exec(statement)
    session.rollback()
    assert len(session.exec(select(AuditLog)).all()) == 1


def test_query_filters_by_action_actor_type_and_time(session):
    audit.record(session, "staff@city.example.jp", "approve", "event", 1)
    audit.record(session, "staff@city.example.jp", "reject", "notice", 2, detail="理由")
    audit.record(session, "south@example.jp", "post", "event", 1)
    session.commit()
    emails = lambda **f: [e.action for e in audit.query_entries(session, **f).items]  # noqa: E731
    assert emails() == ["post", "reject", "approve"]  # newest first
    assert emails(action="reject") == ["reject"]
    assert emails(actor="STAFF@city") == ["reject", "approve"]
    assert emails(record_type="event") == ["post", "approve"]
    assert emails(since=utcnow() + timedelta(minutes=1)) == []
    assert emails(actor="%") == []  # LIKE wildcards are matched literally


def test_long_detail_is_cut_not_refused(session):
    entry = audit.record(session, None, "import", detail="x" * 10_000)
    assert len(entry.detail) == audit.DETAIL_MAX and entry.actor_email is None


def test_entries_name_their_targets_by_title_email_and_name(session):
    from content.accounts import add_user
    from models import Event

    user, _ = add_user(session, "boss@city.example.jp", "admin", password="x" * 12)
    event = Event(source="console", source_key="k1", title="餅つき大会")
    session.add(event)
    session.flush()
    entries = [audit.record(session, user, "approve", "event", event.id),
               audit.record(session, user, "user_reset", "console_user", user.id),
               audit.record(session, user, "delete", "event", 99999, detail="消えた行事")]
    session.flush()
    targets = audit.describe_targets(session, entries)
    assert targets[("event", event.id)].name == "餅つき大会"
    assert targets[("console_user", user.id)].name == "boss@city.example.jp"
    assert ("event", 99999) not in targets  # a deleted row keeps its #id (and the title in its detail)
