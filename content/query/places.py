"""PlaceIndex: find facility and district names in a question."""
from __future__ import annotations

from content.query.model import PlaceMatch


class PlaceIndex:
    """Facility and district names (with kana and 通称) ready for matching."""

    def __init__(self, facilities=(), districts=()):
        """Build from (id, name, kana, aliases) facility tuples and district names or (id, name, kana) tuples."""
        self.facilities = list(facilities)
        self.districts = list(districts)

    def match(self, text: str) -> list[PlaceMatch]:
        """Places named in text, best first (rough first version)."""
        out = []
        for fid, name, _kana, _aliases in self.facilities:
            if name and name in text:
                out.append(PlaceMatch("facility", fid, name, name, 100.0))
        return out
