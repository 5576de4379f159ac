"""Linking a published place name to a Facility row by its (normalised) name or alias."""
from __future__ import annotations

from sqlmodel import Session, select

from content.importers.values import name_variants, normalize_name, split_places
from models import Facility

_MIN_CONTAINED = 4  # shorter names ("公民館", "公園") would swallow unrelated places


def source_code(source: str | None) -> str | None:
    """The municipality code inside an open-data source name ('event:132195:komae' → '13219'), else None.

    Only the first 5 digits count: some files carry the 6-digit code with its check digit, some not.
    """
    parts = (source or "").split(":")
    if len(parts) >= 3 and parts[1].isdigit():
        return parts[1][:5]
    return None


class FacilityMatcher:
    """Finds the facility a place text names: exact normalised match first, then the longest name it contains.

    A place is only linked to a facility of the same municipality when both sides carry a code, so Komae's
    保健センター is never linked to Yaizu's.
    """

    def __init__(self, session: Session) -> None:
        """Load the active facilities' names and aliases once per import."""
        self.by_name: dict[str, list[Facility]] = {}
        for facility in session.exec(select(Facility).where(Facility.active == True).order_by(Facility.id)):  # noqa: E712
            names = [facility.name, *name_variants(facility.name)] + (facility.aliases or "").splitlines()
            for name in names:
                key = normalize_name(name)
                if key and facility not in self.by_name.setdefault(key, []):
                    self.by_name[key].append(facility)

    def match(self, place: str | None, source: str | None = None) -> Facility | None:
        """The facility for a place text (several places → the first that matches), else None."""
        if not place or not self.by_name:
            return None
        code = source_code(source)
        candidates = [place] + split_places(place)
        for text in candidates:
            if found := self._same_city(self.by_name.get(normalize_name(text), []), code):
                return found
        for text in candidates:
            key = normalize_name(text)
            names = sorted((n for n in self.by_name if len(n) >= _MIN_CONTAINED and n in key), key=len, reverse=True)
            for name in names:
                if found := self._same_city(self.by_name[name], code):
                    return found
        return None

    @staticmethod
    def _same_city(facilities: list[Facility], code: str | None) -> Facility | None:
        """The first facility whose municipality code does not contradict the place's."""
        for facility in facilities:
            other = source_code(facility.source)
            if code is None or other is None or other == code:
                return facility
        return None
