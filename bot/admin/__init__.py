"""The web console at /admin: organizations post, staff approve, admins manage accounts; everything audited."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from bot.admin import (views_districts, views_manage, views_notices, views_posts, views_signups, views_surveys,
                       views_unanswered)
from bot.admin.auth import close_db, enforce_login, login_manager
from bot.admin.templating import register_filters
from bot.headers import add_protective_headers

csrf = CSRFProtect()
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
SESSION_LIFETIME = timedelta(hours=8)


def create_admin_blueprint() -> Blueprint:
    """The console's routes, templates and static files (mount at /admin)."""
    bp = Blueprint("admin", __name__, template_folder="templates", static_folder="static",
                   static_url_path="/static")
    bp.before_request(protect_against_csrf)
    bp.before_request(enforce_login)
    bp.after_request(add_security_headers)
    bp.teardown_request(close_db)
    views_posts.register(bp)
    views_manage.register(bp)
    views_notices.register(bp)
    views_surveys.register(bp)
    views_signups.register(bp)
    views_unanswered.register(bp)
    views_districts.register(bp)
    register_filters(bp)
    register_error_pages(bp)
    return bp


def protect_against_csrf():
    """Every state-changing console request needs a valid token (400 otherwise); /callback and /emulator are
    outside the blueprint and so never checked."""
    if request.method not in SAFE_METHODS:
        csrf.protect()


def add_security_headers(response):
    """No framing, no sniffing, no third-party anything, and no caching of console pages."""
    add_protective_headers(response)
    if request.endpoint not in ("admin.static", "admin.upload"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_admin(app: Flask, url_prefix: str = "/admin") -> None:
    """Register the console on an app: blueprint, Flask-Login, CSRF scoped to the console, cookie and session settings."""
    config = app.extensions["tsunagari"].config
    app.config.setdefault("SECRET_KEY", config.secret_key)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(config.session_cookie_secure),
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=bool(config.session_cookie_secure),
        REMEMBER_COOKIE_SAMESITE="Lax",
        # The automatic check would cover /callback and /emulator too; the blueprint calls csrf.protect() itself.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=int(SESSION_LIFETIME.total_seconds()),
        MAX_CONTENT_LENGTH=max(app.config.get("MAX_CONTENT_LENGTH") or 0, 12 * 1024 * 1024),
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    app.register_blueprint(create_admin_blueprint(), url_prefix=url_prefix)


def register_error_pages(bp: Blueprint) -> None:
    """Japanese error pages for console requests only (the webhook and emulator keep their own)."""

    @bp.errorhandler(CSRFError)
    def csrf_failed(error):
        """A missing or stale CSRF token: 400 with a way back."""
        return render_template("admin/error.html", code=400,
                               message="フォームの有効期限が切れたか、正しくない送信です。ページを読み込み直してください。"), 400

    for code, message in ((403, "このページを見る権限がありません。"), (404, "ページが見つかりません。"),
                          (413, "ファイルが大きすぎます。")):
        def handler(error, code=code, message=message):
            return render_template("admin/error.html", code=code, message=message), code
        bp.register_error_handler(code, handler)
