"""Console accounts: argon2 password hashes, user creation, roles, and login rate limiting."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import delete, func, select

from models import ConsoleUser, LoginAttempt, Organization, utcnow
from models.console import CONSOLE_ROLES

# argon2id with argon2-cffi's defaults (RFC 9106 "low memory" profile: 64 MiB, t=3, p=4).
_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a miss costs as long as a hit (no account probing by timing).
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 10
# Failures slow the guesser down instead of walling the account off: after the free ones, each failure of the same
# account from the same address doubles the wait before that pair may try again. Another address that has not
# failed (the admin at their own desk) still gets in with the right password at once.
ACCOUNT_FAILURE_LIMIT = 5       # failures of one account from one address before the waits begin
PAIR_FIRST_DELAY = timedelta(seconds=30)
PAIR_MAX_DELAY = timedelta(minutes=15)
# One address failing across many accounts (password spraying) waits too, but briefly: an office shares its address.
ADDRESS_FAILURE_LIMIT = 20
ADDRESS_FIRST_DELAY = timedelta(seconds=2)
ADDRESS_MAX_DELAY = timedelta(minutes=1)
FAILURE_WINDOW = timedelta(hours=1)

STAFF_ROLES = ("admin", "staff")


class AccountError(ValueError):
    """A user could not be created or changed; the message is Japanese, for the console and CLI."""


@dataclass
class LoginResult:
    """What a login attempt came to: ok, bad (wrong e-mail or password), limited (with the wait left), inactive."""

    outcome: str
    user: ConsoleUser | None = None
    retry_after: timedelta = timedelta(0)

    @property
    def ok(self) -> bool:
        """True when the user may be logged in."""
        return self.outcome == "ok"


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches the stored hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    """A one-time password an admin hands over (about 96 bits, URL-safe)."""
    return secrets.token_urlsafe(12)


def normalize_email(email: str) -> str:
    """E-mail addresses compare case-insensitively and without surrounding spaces."""
    return (email or "").strip().lower()


def password_problem(password: str) -> str | None:
    """Why a chosen password is not acceptable (Japanese), or None."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return f"パスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください。"
    if len(password) > 200:
        return "パスワードが長すぎます（200文字まで）。"
    return None


def find_user(session, email: str) -> ConsoleUser | None:
    """The account with this e-mail, if any."""
    return session.exec(select(ConsoleUser).where(ConsoleUser.email == normalize_email(email))).first()


def find_or_create_organization(session, name: str) -> Organization:
    """The organization with this name, created when missing (so the first `users add --org` needs no other step)."""
    name = (name or "").strip()
    if not name:
        raise AccountError("団体名を入力してください。")
    org = session.exec(select(Organization).where(Organization.name == name)).first()
    if org is None:
        org = Organization(name=name[:200])
        session.add(org)
        session.flush()
    return org


def add_user(session, email: str, role: str, org_name: str | None = None,
             password: str | None = None) -> tuple[ConsoleUser, str]:
    """Create an account; returns it and its password (generated and one-time when none was given)."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise AccountError("メールアドレスの形式が正しくありません。")
    if role not in CONSOLE_ROLES:
        raise AccountError(f"役割は {', '.join(CONSOLE_ROLES)} のいずれかです。")
    if role == "org" and not (org_name or "").strip():
        raise AccountError("団体ユーザー（org）には団体名（--org）が必要です。")
    if role != "org" and org_name:
        raise AccountError("団体名は団体ユーザー（org）にだけ指定できます。")
    if find_user(session, email) is not None:
        raise AccountError("このメールアドレスは既に登録されています。")
    one_time = password is None
    if one_time:
        password = generate_password()
    elif (problem := password_problem(password)):
        raise AccountError(problem)
    org = find_or_create_organization(session, org_name) if role == "org" else None
    user = ConsoleUser(email=email, password_hash=hash_password(password), role=role,
                       organization_id=org.id if org else None, must_change_password=one_time)
    session.add(user)
    session.flush()
    return user, password


def reset_password(session, user: ConsoleUser) -> str:
    """Give the account a new one-time password (to be changed at next login) and return it."""
    password = generate_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    session.add(user)
    clear_failures(session, user.email)
    return password


def change_password(session, user: ConsoleUser, current: str, new: str) -> None:
    """Set a password the user chose, after checking the current one."""
    if not verify_password(user.password_hash, current):
        raise AccountError("現在のパスワードが正しくありません。")
    if (problem := password_problem(new)):
        raise AccountError(problem)
    if new == current:
        raise AccountError("新しいパスワードは現在のものと別にしてください。")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    session.add(user)


def count_failures(session, *, email: str | None = None, address: str | None = None,
                   now: datetime | None = None) -> int:
    """Failed logins in the window for an e-mail, an address, or the two together."""
    since = (now or utcnow()) - FAILURE_WINDOW
    stmt = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.at >= since)
    if email is not None:
        stmt = stmt.where(LoginAttempt.email == normalize_email(email)[:254])
    if address is not None:
        stmt = stmt.where(LoginAttempt.address == address[:64])
    return int(session.exec(stmt).one())


def growing_delay(failures: int, limit: int, first: timedelta, most: timedelta) -> timedelta:
    """The wait after `failures` failures: none below the limit, then first, doubling each time, capped."""
    if failures < limit:
        return timedelta(0)
    return min(most, first * 2 ** min(failures - limit, 20))


def last_failure_at(session, *, since: datetime, email: str | None = None, address: str | None = None):
    """When the latest failure in the window happened for an e-mail and/or an address (None: none)."""
    stmt = select(func.max(LoginAttempt.at)).where(LoginAttempt.at >= since)
    if email is not None:
        stmt = stmt.where(LoginAttempt.email == normalize_email(email)[:254])
    if address is not None:
        stmt = stmt.where(LoginAttempt.address == address[:64])
    return session.exec(stmt).one()


def login_wait(session, email: str, address: str, now: datetime | None = None) -> timedelta:
    """How long this account must wait before trying again from this address (zero: it may try now)."""
    now = now or utcnow()
    since = now - FAILURE_WINDOW
    waits = [timedelta(0)]
    pair = count_failures(session, email=email, address=address, now=now)
    if (delay := growing_delay(pair, ACCOUNT_FAILURE_LIMIT, PAIR_FIRST_DELAY, PAIR_MAX_DELAY)):
        waits.append(last_failure_at(session, since=since, email=email, address=address) + delay - now)
    spread = count_failures(session, address=address, now=now)
    if (delay := growing_delay(spread, ADDRESS_FAILURE_LIMIT, ADDRESS_FIRST_DELAY, ADDRESS_MAX_DELAY)):
        waits.append(last_failure_at(session, since=since, address=address) + delay - now)
    return max(waits)


def is_rate_limited(session, email: str, address: str, now: datetime | None = None) -> bool:
    """True when this account from this address (or this address at all) must wait before trying again."""
    return login_wait(session, email, address, now) > timedelta(0)


def note_failure(session, email: str, address: str, now: datetime | None = None) -> None:
    """Remember one failed login."""
    session.add(LoginAttempt(email=normalize_email(email)[:254], address=(address or "")[:64], at=now or utcnow()))


def clear_failures(session, email: str, address: str | None = None) -> None:
    """Forget an account's failures (only those from `address` when given: a login elsewhere must not reset a
    guesser's wait)."""
    stmt = delete(LoginAttempt).where(LoginAttempt.email == normalize_email(email)[:254])
    if address is not None:
        stmt = stmt.where(LoginAttempt.address == address[:64])
    session.exec(stmt)


def prune_login_attempts(session, now: datetime | None = None, keep: timedelta = timedelta(days=1)) -> int:
    """Delete failed-login rows older than `keep` (for the retention job); returns how many went."""
    result = session.exec(delete(LoginAttempt).where(LoginAttempt.at < (now or utcnow()) - keep))
    return int(result.rowcount or 0)


def authenticate(session, email: str, password: str, address: str, now: datetime | None = None) -> LoginResult:
    """Check a login, counting failures per account and per address; the caller commits."""
    now = now or utcnow()
    if (wait := login_wait(session, email, address, now)) > timedelta(0):
        # Not checked and not counted: trying again during the wait neither tests a password nor lengthens it.
        return LoginResult("limited", retry_after=wait)
    user = find_user(session, email)
    if user is None:
        verify_password(_DUMMY_HASH, password or "")
        note_failure(session, email, address, now)
        return LoginResult("bad")
    if not verify_password(user.password_hash, password or ""):
        note_failure(session, email, address, now)
        return LoginResult("bad", user)
    if not user.active:
        return LoginResult("inactive", user)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    session.add(user)
    clear_failures(session, user.email, address)
    return LoginResult("ok", user)


def is_staff(user) -> bool:
    """City staff and admins: approve, import, see every organization's posts."""
    return getattr(user, "role", None) in STAFF_ROLES


def is_admin(user) -> bool:
    """Admins manage users and organizations and read the audit log."""
    return getattr(user, "role", None) == "admin"


def can_access_organization(user, organization_id: int | None) -> bool:
    """Staff reach every record; an org user only its own organization's."""
    if is_staff(user):
        return True
    return (getattr(user, "role", None) == "org" and user.organization_id is not None
            and organization_id == user.organization_id)
