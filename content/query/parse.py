"""parse_query: the entry point of query understanding."""
from __future__ import annotations

import unicodedata
from datetime import datetime

from content.query.model import ParsedQuery


def parse_query(text: str, *, now: datetime, places=None) -> ParsedQuery:
    """Read a resident's question (rough first version: normalisation only)."""
    normalized = unicodedata.normalize("NFKC", text or "").strip()
    matched = places.match(normalized) if places is not None else []
    return ParsedQuery(text=text, normalized=normalized, places=matched)
