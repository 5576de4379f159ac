"""Public sign-up addresses, outside the console: the QR image of a check-in code (LINE fetches it over HTTPS)
and the iCalendar feeds (a resident's own behind its secret, and per facility and organization)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request
from sqlmodel import Session, select

from content.signups import calendars
from content.signups.checkin import checkin_url, qr_png
from models import Facility, Organization, Signup, utcnow


def _engine():
    """The shared engine."""
    return current_app.extensions["tsunagari"].engine


def _base_url() -> str:
    """The public address (TSUNAGARI_PUBLIC_URL), else the address this request came to."""
    config = current_app.extensions["tsunagari"].config
    return (getattr(config, "public_url", None) or request.url_root).rstrip("/")


def _host() -> str:
    """The host name used in iCalendar UIDs."""
    return _base_url().split("://", 1)[-1].split("/", 1)[0] or "tsunagari"


def _ics(body: bytes, name: str) -> Response:
    """An iCalendar response that calendar apps subscribe to."""
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{name}.ics"'
    response.headers["Cache-Control"] = "private, max-age=900"
    return response


def qr_image(token: str):
    """The QR image of a going sign-up's check-in code; it holds the console's check-in address."""
    with Session(_engine()) as session:
        signup = session.exec(select(Signup).where(Signup.qr_token == token)).first()
        if signup is None or signup.status != "going":
            abort(404)
        png = qr_png(checkin_url(_base_url(), signup.checkin_code))
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def my_calendar(token: str):
    """A resident's own sign-ups (the secret in the URL is the only key; renewing it ends this URL)."""
    with Session(_engine()) as session:
        body = calendars.resident_calendar(session, token, _host(), utcnow())
    if body is None:
        abort(404)
    return _ics(body, "signups")


def facility_calendar(facility_id: int):
    """The events at one facility."""
    with Session(_engine()) as session:
        facility = session.get(Facility, facility_id)
        if facility is None or not facility.active:
            abort(404)
        events = calendars.public_events(session, utcnow(), facility_id=facility_id)
        body = calendars.public_calendar(session, facility.name, events, _host())
    return _ics(body, f"facility-{facility_id}")


def organization_calendar(org_id: int):
    """The events of one organization."""
    with Session(_engine()) as session:
        org = session.get(Organization, org_id)
        if org is None:
            abort(404)
        events = calendars.public_events(session, utcnow(), organization_id=org_id)
        body = calendars.public_calendar(session, org.name, events, _host())
    return _ics(body, f"organization-{org_id}")


def signup_public_blueprint() -> Blueprint:
    """The public routes (no login: each is either public data or behind an unguessable token)."""
    bp = Blueprint("signup_public", __name__)
    bp.add_url_rule("/signups/qr/<token>.png", "qr_image", qr_image)
    bp.add_url_rule("/calendar/me/<token>.ics", "my_calendar", my_calendar)
    bp.add_url_rule("/calendar/facility/<int:facility_id>.ics", "facility_calendar", facility_calendar)
    bp.add_url_rule("/calendar/organization/<int:org_id>.ics", "organization_calendar", organization_calendar)
    return bp
