"""Places to try a shared location with (the chat simulator's presets): the city's own center and a few facilities."""
from __future__ import annotations

from sqlmodel import Session, select

from content.search.ranking import haversine_m
from models import Facility

CENTER_TITLE = "市の中心"


def location_presets(session: Session, facilities: int = 4) -> list[dict]:
    """The middle of the city's facilities, then the facilities nearest it: [{"title", "latitude", "longitude"}].
    Empty for a city without facility coordinates (the simulator then offers none rather than somewhere else)."""
    rows = [f for f in session.exec(select(Facility).where(Facility.active == True)).all()  # noqa: E712
            if f.latitude is not None and f.longitude is not None]
    if not rows:
        return []
    lat = sum(f.latitude for f in rows) / len(rows)
    lon = sum(f.longitude for f in rows) / len(rows)
    nearest = sorted(rows, key=lambda f: (haversine_m(lat, lon, f.latitude, f.longitude), f.name))
    presets = [{"title": CENTER_TITLE, "latitude": round(lat, 6), "longitude": round(lon, 6)}]
    presets += [{"title": f.name, "latitude": f.latitude, "longitude": f.longitude} for f in nearest[:facilities]]
    return presets
