"""What an HTTPS request earns: HSTS on its response and Secure cookies, whatever the configuration says (demo too)."""
from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

HSTS = "max-age=31536000"


class SchemeAwareSessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure when configured so, and always when the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure by configuration or by the request's scheme (behind a proxy: X-Forwarded-Proto via ProxyFix)."""
        return bool(super().get_cookie_secure(app) or request.is_secure)


def add_hsts(response):
    """Tell browsers to use HTTPS from now on, but only on a response that came over HTTPS (RFC 6797 §7.2)."""
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_https(app: Flask) -> None:
    """Install the scheme-aware session cookie and the HSTS header on every response."""
    app.session_interface = SchemeAwareSessionInterface()
    app.after_request(add_hsts)
