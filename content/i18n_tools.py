"""Catalog maintenance: extract msgids from the code and list what each language still lacks."""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("content", "handlers", "jobs")


def extract_msgids() -> dict[str, str]:
    """Every string passed to _() or N_() in resident-facing code, with where it was found."""
    found: dict[str, str] = {}
    for folder in CODE_DIRS:
        for filename, lineno, message, _comments, _ctx in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords={"_": None, "N_": None, "gettext": None}
        ):
            if isinstance(message, str) and message:
                found.setdefault(message, f"{folder}/{filename}:{lineno}")
    return found


def missing_translations(lang: str) -> dict[str, str]:
    """msgids with no msgstr in the language's catalogs (a msgstr equal to its msgid counts as translated)."""
    from content.i18n import translations

    catalog = translations(lang)._catalog  # the merged msgid → msgstr table of GNUTranslations
    return {m: where for m, where in extract_msgids().items() if m not in catalog}


def main(argv: list[str]) -> int:
    """`python -m content.i18n_tools`: list msgids without an en or ja-easy translation; exit 1 if any."""
    status = 0
    for lang in ("en", "ja-easy"):
        for message, where in sorted(missing_translations(lang).items(), key=lambda kv: kv[1]):
            print(f"{lang}\t{where}\t{message}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
