"""Linking a published place name to a Facility row by its (normalised) name or alias."""
from __future__ import annotations

from sqlmodel import Session, select

from content.importers.values import name_variants, normalize_name, split_places
from models import Facility

_MIN_CONTAINED = 4  # shorter names ("公民館", "公園") would swallow unrelated places


class FacilityMatcher:
    """Finds the facility a place text names: exact normalised match first, then the longest name it contains."""

    def __init__(self, session: Session) -> None:
        """Load the active facilities' names and aliases once per import."""
        self.by_name: dict[str, Facility] = {}
        for facility in session.exec(select(Facility).where(Facility.active == True)):  # noqa: E712
            names = [facility.name, *name_variants(facility.name)] + (facility.aliases or "").splitlines()
            for name in names:
                key = normalize_name(name)
                if key:
                    self.by_name.setdefault(key, facility)

    def match(self, place: str | None) -> Facility | None:
        """The facility for a place text (several places → the first one that matches), else None."""
        if not place or not self.by_name:
            return None
        candidates = [place] + split_places(place)
        for text in candidates:
            if found := self.by_name.get(normalize_name(text)):
                return found
        for text in candidates:
            key = normalize_name(text)
            best = max((n for n in self.by_name if len(n) >= _MIN_CONTAINED and n in key), key=len, default=None)
            if best:
                return self.by_name[best]
        return None
