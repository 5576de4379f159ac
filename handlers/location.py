"""A shared location: the nearest facilities and upcoming events, with distances."""
from __future__ import annotations

from content.search.answers import answer_location
from content.menus import main_menu_messages
from handlers.registry import Context, on_event
from models import utcnow


@on_event("message", "location")
def on_location(ctx: Context) -> list[dict]:
    """Answer a location message; remember it for a stored resident (never for a transient one)."""
    ctx.extra.setdefault("items", [])
    message = ctx.event.get("message") or {}
    try:
        latitude, longitude = float(message["latitude"]), float(message["longitude"])
    except (KeyError, TypeError, ValueError):
        return main_menu_messages(ctx.lang)
    resident = ctx.resident
    if resident is not None and resident.id is not None:
        resident.last_location_lat, resident.last_location_lon = latitude, longitude
        resident.updated_at = utcnow()
        ctx.session.add(resident)
    answer = answer_location(ctx.session, latitude, longitude, now=ctx.now, lang=ctx.lang)
    ctx.extra["items"] = list(answer.items)
    return answer.messages or main_menu_messages(ctx.lang)
