"""Stable source names and row keys, so re-importing a file updates rows instead of duplicating them."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from content.importers.values import clean, is_excel_mangled


def source_name(layout: str, code: str, path: str) -> str:
    """'<layout>:<municipality code>:<file stem>', e.g. 'event-registry:132195:komae-events-2018-2020'."""
    stem = re.sub(r"\s+", "-", Path(path).stem.strip().lower()) or "file"
    code = clean(code)
    code = code if code.isdigit() else "-"
    return f"{layout}:{code}:{stem}"[:200]


def content_key(*parts: object) -> str:
    """A short hash of the parts that identify a row when the file has no ID column."""
    text = "\x1f".join(clean(str(p)) if p is not None else "" for p in parts)
    return "h:" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]


def usable_id(value: str) -> str:
    """The file's own ID when it is one (not empty, not an Excel-mangled float), else ''."""
    value = clean(value)
    if not value or is_excel_mangled(value):
        return ""
    return "id:" + value


class KeyMaker:
    """Hands out keys; a content hash seen twice in one file gets '#2', '#3' (same order → same keys)."""

    def __init__(self, file_ids: list[str] | None = None) -> None:
        """Note which of the file's IDs repeat: a repeated ID identifies nothing, so those rows are hashed."""
        self._counts: dict[str, int] = {}
        seen: set[str] = set()
        self._repeated: set[str] = set()
        for value in file_ids or []:
            own = usable_id(value)
            (self._repeated if own in seen else seen).add(own)

    def key(self, file_id: str, *parts: object) -> str:
        """The file's ID when usable and unique in the file, else a content hash made unique within the file."""
        own = usable_id(file_id)
        if own and own not in self._repeated:
            return own
        base = content_key(*parts)
        self._counts[base] = self._counts.get(base, 0) + 1
        count = self._counts[base]
        return base if count == 1 else f"{base}#{count}"
