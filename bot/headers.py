"""The protective headers every page a person opens carries (the console and the chat simulator alike)."""
from __future__ import annotations

# Nothing from other sites but pictures (event images live elsewhere), no inline script or style, never framed.
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' https: http: data:; style-src 'self'; "
                           "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


def add_protective_headers(response):
    """No framing, no sniffing, no third-party anything, no referrer leaving the site."""
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response
