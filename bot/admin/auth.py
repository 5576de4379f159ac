"""Console sign-in: Flask-Login identities, login/logout, idle timeout, role guards, per-request DB session."""
from __future__ import annotations

import time
from functools import wraps

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlmodel import Session

from content import accounts
from content.posts import Forbidden
from models import ConsoleUser, Organization

IDLE_TIMEOUT_SECONDS = 30 * 60
ABSOLUTE_TIMEOUT_SECONDS = 8 * 3600  # matches PERMANENT_SESSION_LIFETIME; the cookie alone is refreshed on use
PUBLIC_ENDPOINTS = {"admin.login", "admin.static", "admin.upload"}

login_manager = LoginManager()
login_manager.login_view = "admin.login"
login_manager.login_message = "ログインしてください。"
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


class Identity(UserMixin):
    """The logged-in console user for one request (a plain snapshot, never a live row)."""

    def __init__(self, user: ConsoleUser, org_name: str | None = None):
        self.id = user.id
        self.email = user.email
        self.role = user.role
        self.organization_id = user.organization_id
        self.organization_name = org_name
        self.must_change_password = user.must_change_password
        self._stamp = session_stamp(user)

    def get_id(self) -> str:
        """Id plus a stamp of the password hash: a password reset ends every older session."""
        return f"{self.id}:{self._stamp}"

    @property
    def is_staff(self) -> bool:
        """Staff or admin."""
        return accounts.is_staff(self)

    @property
    def is_admin(self) -> bool:
        """Admin."""
        return accounts.is_admin(self)

    @property
    def role_label(self) -> str:
        """The role in Japanese."""
        return {"admin": "管理者", "staff": "市職員", "org": "団体"}.get(self.role, self.role)


def session_stamp(user: ConsoleUser) -> str:
    """A short fingerprint of the password hash (its salt/hash tail changes on every new password)."""
    return user.password_hash[-12:]


def engine():
    """The shared engine set up by the app factory."""
    return current_app.extensions["tsunagari"].engine


def db() -> Session:
    """This request's database session (opened on first use, closed at teardown)."""
    if "admin_db" not in g:
        g.admin_db = Session(engine(), expire_on_commit=False)
    return g.admin_db


def close_db(_exc=None) -> None:
    """Close the request's session, rolling back anything uncommitted."""
    sess = g.pop("admin_db", None)
    if sess is not None:
        sess.close()


@login_manager.user_loader
def load_identity(user_id: str):
    """The Identity for a session cookie, or None when the account is gone, disabled or its password changed."""
    try:
        raw_id, stamp = user_id.split(":", 1)
        user = db().get(ConsoleUser, int(raw_id))
    except (ValueError, AttributeError):
        return None
    if user is None or not user.active or session_stamp(user) != stamp:
        return None
    org = db().get(Organization, user.organization_id) if user.organization_id else None
    return Identity(user, org.name if org else None)


def client_address() -> str:
    """The caller's address (the lead's ProxyFix, when configured, makes this the real client)."""
    return (request.remote_addr or "unknown")[:64]


def start_session(user: ConsoleUser) -> None:
    """Log the user in on a fresh session (no fixation), with the absolute and idle timeouts armed."""
    session.clear()
    session.permanent = True
    login_user(Identity(user))
    session["seen"] = session["started"] = int(time.time())


def end_session() -> None:
    """Log out and forget everything in the session cookie."""
    logout_user()
    session.clear()


def enforce_login() -> object | None:
    """before_request: login for every console page but the public ones; idle timeout; forced password change."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    now = int(time.time())
    seen, started = session.get("seen", 0), session.get("started", 0)
    if now - seen > IDLE_TIMEOUT_SECONDS or now - started > ABSOLUTE_TIMEOUT_SECONDS:
        end_session()
        flash("しばらく操作がなかったため、ログアウトしました。もう一度ログインしてください。", "info")
        return redirect(url_for("admin.login", next=request.full_path if request.method == "GET" else None))
    session["seen"] = now
    if current_user.must_change_password and request.endpoint not in ("admin.password", "admin.logout"):
        return redirect(url_for("admin.password"))
    return None


def staff_required(view):
    """Only staff and admins (others get 403)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated or not current_user.is_staff:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def admin_required(view):
    """Only admins (others get 403)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def forbidden_to_403(view):
    """Turn content.posts.Forbidden and LookupError into 403 and 404."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except Forbidden:
            abort(403)
        except LookupError:
            abort(404)
    return wrapped
