"""Console accounts: argon2 hashes, creating users, one-time passwords, login rate limiting."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from content import accounts
from content.accounts import AccountError, add_user, authenticate
from models import LoginAttempt, Organization, utcnow


def test_password_hash_is_argon2id_and_verifies(session):
    user, _ = add_user(session, "Staff@City.example.jp ", "staff", password="a long enough secret")
    assert user.password_hash.startswith("$argon2id$")
    assert user.email == "staff@city.example.jp"
    assert accounts.verify_password(user.password_hash, "a long enough secret")
    assert not accounts.verify_password(user.password_hash, "a long enough secreT")


def test_user_without_password_gets_one_time_password_to_change(session):
    user, password = add_user(session, "a@example.jp", "admin")
    assert len(password) >= 16 and user.must_change_password
    assert accounts.verify_password(user.password_hash, password)


def test_org_user_creates_missing_organization_once(session):
    first, _ = add_user(session, "a@example.jp", "org", org_name="南地区交流センター運営協議会")
    second, _ = add_user(session, "b@example.jp", "org", org_name="南地区交流センター運営協議会")
    orgs = session.exec(select(Organization)).all()
    assert len(orgs) == 1 and first.organization_id == second.organization_id == orgs[0].id


@pytest.mark.parametrize("email, role, org, password, problem", [
    ("x@example.jp", "org", None, None, "団体名"),
    ("x@example.jp", "staff", "ある団体", None, "団体名"),
    ("x@example.jp", "root", None, None, "役割"),
    ("not-an-email", "staff", None, None, "メールアドレス"),
    ("x@example.jp", "staff", None, "short", "10文字"),
])
def test_add_user_refuses_bad_input(session, email, role, org, password, problem):
    with pytest.raises(AccountError, match=problem):
        add_user(session, email, role, org_name=org, password=password)


def test_duplicate_email_is_refused_case_insensitively(session):
    add_user(session, "dup@example.jp", "staff")
    with pytest.raises(AccountError, match="既に登録"):
        add_user(session, "DUP@example.jp", "staff")


def test_reset_password_replaces_hash_and_forces_change(session):
    user, old = add_user(session, "a@example.jp", "staff", password="first password!")
    new = accounts.reset_password(session, user)
    assert new != old and user.must_change_password
    assert accounts.verify_password(user.password_hash, new)
    assert not accounts.verify_password(user.password_hash, "first password!")


@pytest.mark.parametrize("email, password, outcome", [
    ("a@example.jp", "right password", "ok"),
    ("A@EXAMPLE.JP", "right password", "ok"),
    ("a@example.jp", "wrong password", "bad"),
    ("nobody@example.jp", "right password", "bad"),
])
def test_authenticate_outcomes(session, email, password, outcome):
    add_user(session, "a@example.jp", "staff", password="right password")
    assert authenticate(session, email, password, "10.0.0.1").outcome == outcome


def test_disabled_account_cannot_log_in(session):
    user, _ = add_user(session, "a@example.jp", "staff", password="right password")
    user.active = False
    assert authenticate(session, "a@example.jp", "right password", "10.0.0.1").outcome == "inactive"


def test_five_failures_make_that_address_wait_even_with_the_right_password(session):
    add_user(session, "a@example.jp", "staff", password="right password")
    for _ in range(accounts.ACCOUNT_FAILURE_LIMIT):
        assert authenticate(session, "a@example.jp", "guess", "10.0.0.1").outcome == "bad"
    limited = authenticate(session, "a@example.jp", "right password", "10.0.0.1")
    assert limited.outcome == "limited"
    assert timedelta(0) < limited.retry_after <= accounts.PAIR_FIRST_DELAY


def test_right_password_from_an_address_that_has_not_failed_gets_in(session):
    add_user(session, "admin@example.jp", "admin", password="right password")
    for _ in range(accounts.ACCOUNT_FAILURE_LIMIT * 3):
        authenticate(session, "admin@example.jp", "guess", "198.51.100.66")
    assert authenticate(session, "admin@example.jp", "right password", "10.0.0.2").ok
    # the guesser's wait is not reset by the admin's login elsewhere
    assert authenticate(session, "admin@example.jp", "guess", "198.51.100.66").outcome == "limited"


@pytest.mark.parametrize("failures, wait_seconds", [(4, 0), (5, 30), (6, 60), (7, 120), (9, 480), (10, 900), (30, 900)])
def test_the_wait_grows_with_each_failure_up_to_a_cap(session, failures, wait_seconds):
    now = utcnow()
    for _ in range(failures):
        session.add(LoginAttempt(email="a@example.jp", address="10.0.0.1", at=now))
    session.flush()
    assert accounts.login_wait(session, "a@example.jp", "10.0.0.1", now) == timedelta(seconds=wait_seconds)


def test_trying_again_during_the_wait_does_not_lengthen_it(session):
    add_user(session, "a@example.jp", "staff", password="right password")
    start = utcnow()
    for _ in range(accounts.ACCOUNT_FAILURE_LIMIT):
        authenticate(session, "a@example.jp", "guess", "10.0.0.1", now=start)
    for second in range(1, 29):
        assert authenticate(session, "a@example.jp", "guess", "10.0.0.1",
                            now=start + timedelta(seconds=second)).outcome == "limited"
    after = start + accounts.PAIR_FIRST_DELAY
    assert authenticate(session, "a@example.jp", "right password", "10.0.0.1", now=after).ok


def test_address_is_limited_across_accounts(session):
    add_user(session, "victim@example.jp", "staff", password="right password")
    for n in range(accounts.ADDRESS_FAILURE_LIMIT):
        authenticate(session, f"user{n}@example.jp", "guess", "203.0.113.7")
    assert authenticate(session, "victim@example.jp", "right password", "203.0.113.7").outcome == "limited"
    assert authenticate(session, "victim@example.jp", "right password", "198.51.100.1").outcome == "ok"


def test_a_shared_office_address_waits_briefly_not_a_quarter_hour(session):
    add_user(session, "colleague@example.jp", "staff", password="right password")
    start = utcnow()
    for n in range(accounts.ADDRESS_FAILURE_LIMIT):
        authenticate(session, f"user{n}@example.jp", "guess", "203.0.113.7", now=start)
    limited = authenticate(session, "colleague@example.jp", "right password", "203.0.113.7", now=start)
    assert limited.outcome == "limited" and limited.retry_after <= accounts.ADDRESS_MAX_DELAY <= timedelta(minutes=1)
    later = start + limited.retry_after
    assert authenticate(session, "colleague@example.jp", "right password", "203.0.113.7", now=later).ok


def test_failures_expire_after_the_window(session):
    add_user(session, "a@example.jp", "staff", password="right password")
    old = utcnow() - accounts.FAILURE_WINDOW - timedelta(minutes=1)
    for _ in range(accounts.ACCOUNT_FAILURE_LIMIT):
        session.add(LoginAttempt(email="a@example.jp", address="10.0.0.1", at=old))
    assert authenticate(session, "a@example.jp", "right password", "10.0.0.1").outcome == "ok"


def test_successful_login_clears_the_accounts_failures(session):
    add_user(session, "a@example.jp", "staff", password="right password")
    for _ in range(accounts.ACCOUNT_FAILURE_LIMIT - 1):
        authenticate(session, "a@example.jp", "guess", "10.0.0.1")
    assert authenticate(session, "a@example.jp", "right password", "10.0.0.1").ok
    assert accounts.count_failures(session, email="a@example.jp") == 0


@pytest.mark.parametrize("role, org_id, record_org, allowed", [
    ("admin", None, 7, True), ("staff", None, 7, True), ("staff", None, None, True),
    ("org", 7, 7, True), ("org", 7, 8, False), ("org", 7, None, False), ("org", None, None, False),
])
def test_can_access_organization(role, org_id, record_org, allowed):
    class User:
        pass
    user = User()
    user.role, user.organization_id = role, org_id
    assert accounts.can_access_organization(user, record_org) is allowed


def test_old_login_attempts_are_pruned_recent_ones_kept(session):
    session.add(LoginAttempt(email="a@example.jp", address="10.0.0.1", at=utcnow() - timedelta(days=2)))
    session.add(LoginAttempt(email="a@example.jp", address="10.0.0.1", at=utcnow()))
    session.flush()
    assert accounts.prune_login_attempts(session) == 1
    assert accounts.count_failures(session, email="a@example.jp") == 1
