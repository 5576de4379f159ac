"""Translation catalogs (Babel .po files) for resident-facing text: ja, en and やさしい日本語.

Source strings (msgids) are Japanese. Each language folder under content/locales/ may hold several
.po files (one per area: core, onboarding, search, ...); they are merged when first used.
"""
from __future__ import annotations

import io
from functools import lru_cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path
from typing import Callable

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("ja", "en", "ja-easy")
DEFAULT_LANGUAGE = "ja"
_FOLDERS = {"ja": "ja", "en": "en", "ja-easy": "ja_easy"}


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (module-level constants)."""
    return message


def normalize_language(tag: str | None) -> str:
    """Map a BCP 47 tag from a LINE profile (or our own code) to one of LANGUAGES."""
    if not tag:
        return DEFAULT_LANGUAGE
    tag = tag.strip().lower().replace("_", "-")
    if tag in ("ja-easy", "easy", "yasashii"):
        return "ja-easy"
    if tag.startswith("ja"):
        return "ja"
    if tag.startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


@lru_cache(maxsize=None)
def translations(lang: str) -> NullTranslations:
    """The merged catalog for one language (cached for the life of the process)."""
    folder = LOCALES_DIR / _FOLDERS.get(normalize_language(lang), "ja") / "LC_MESSAGES"
    merged = Catalog(locale="ja" if lang == "ja-easy" else normalize_language(lang))
    for po_path in sorted(folder.glob("*.po")):
        with po_path.open("rb") as fh:
            for message in read_po(fh):
                if message.id and message.string and not message.fuzzy:
                    merged[message.id] = message
    buffer = io.BytesIO()
    write_mo(buffer, merged)
    buffer.seek(0)
    return GNUTranslations(buffer)


def translator(lang: str | None) -> Callable[[str], str]:
    """A gettext function for the language; untranslated strings fall back to the Japanese msgid."""
    return translations(normalize_language(lang)).gettext
