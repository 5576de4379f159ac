"""Importing a city's published open data (CSV in the standard layouts, iCalendar) and our opportunities CSV.

Entry point: import_path(session, kind, path) → ImportReport. The caller commits (e.g. inside session_scope).
The names below load on first use (PEP 562): the search imports content.importers.audience alone, and a
one-off `tsunagari ask` should not pay for icalendar and every importer.
"""
from __future__ import annotations

from importlib import import_module

_WHERE = {"import_path": "content.importers.files", "KINDS": "content.importers.files",
          "ImportReport": "content.importers.report", "import_command_text": "content.importers.report",
          "audience_tags_for": "content.importers.audience"}
__all__ = list(_WHERE)


def __getattr__(name: str):
    """Load a public name from its module the first time it is asked for."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
