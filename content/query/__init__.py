"""Query understanding: turn a resident's Japanese question into a ParsedQuery."""
from content.query.model import INTENTS, ParsedQuery, PlaceMatch
from content.query.parse import parse_query
from content.query.places import PlaceIndex

__all__ = ["INTENTS", "ParsedQuery", "PlaceMatch", "PlaceIndex", "parse_query"]
