"""Translations: every resident-facing msgid has English and やさしい日本語, and translated messages fit LINE.

NOTE: test_every_msgid_in_the_code_has_en_and_ja_easy covers ALL areas' strings (content/, handlers/, jobs/),
not only the residents area's: a failure names the file and line whose string lacks a translation; add it to
that area's own .po file (content/locales/{en,ja_easy}/LC_MESSAGES/<area>.po).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from content.i18n import LOCALES_DIR, translator
from content.i18n_tools import extract_msgids
from tests.residents_support import Resident_, add_districts, check

FOLDERS = {"en": "en", "ja-easy": "ja_easy"}
RESIDENTS_FILES = ("content/menus.py", "content/onboarding.py", "content/topics.py", "handlers/follow.py",
                   "handlers/text.py", "handlers/settings.py")
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def translated_ids(lang: str) -> dict[str, str]:
    """msgid → msgstr over every .po file of a language (an explicit msgstr equal to the msgid counts:
    in やさしい日本語 「イベント」 stays 「イベント」)."""
    found: dict[str, str] = {}
    for po_path in sorted((LOCALES_DIR / FOLDERS[lang] / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as fh:
            for message in read_po(fh):
                if message.id and message.string and not message.fuzzy:
                    found.setdefault(message.id, message.string)
    return found


def _missing(lang: str, only: tuple[str, ...] | None = None) -> list[str]:
    """`where  msgid` lines for msgids in the code without a translation in `lang`."""
    have = translated_ids(lang)
    return sorted(f"{where}  {msgid}" for msgid, where in extract_msgids().items()
                  if msgid not in have and (only is None or where.split(":")[0] in only))


@pytest.mark.parametrize("lang", ["en", "ja-easy"])
def test_every_residents_msgid_has_a_translation(lang):
    assert _missing(lang, RESIDENTS_FILES) == []


@pytest.mark.parametrize("lang", ["en", "ja-easy"])
def test_every_msgid_in_the_code_has_en_and_ja_easy(lang):
    """ALL AREAS: every _()/N_() string in content/, handlers/, jobs/ is translated."""
    missing = _missing(lang)
    assert not missing, f"{len(missing)} msgids lack a {lang} translation:\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", ["en", "ja-easy"])
def test_translations_keep_their_placeholders(lang):
    wrong = [msgid for msgid, msgstr in translated_ids(lang).items()
             if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr))]
    assert wrong == []


@pytest.mark.parametrize("lang, msgid, expected", [
    ("en", "設定", "Settings"),
    ("ja-easy", "設定", "せってい"),
    ("ja", "設定", "設定"),
    ("en", "まだ翻訳されていない文", "まだ翻訳されていない文"),  # falls back to the Japanese source
])
def test_translator_uses_the_catalogs(lang, msgid, expected):
    assert translator(lang)(msgid) == expected


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
def test_every_onboarding_and_settings_message_fits_line_in_each_language(session, lang):
    from content import onboarding
    from content.menus import apology_messages, help_messages, main_menu_messages, not_understood_messages
    from handlers.follow import welcome_back_messages
    from handlers.text import events_prompt, no_survey_messages

    add_districts(session)
    you = Resident_(session)
    you.follow()
    resident = you.row
    resident.district, resident.interests, resident.age_group, resident.gender = "北地区", ["sports"], "-19", "other"
    for step in onboarding.STEPS:
        chosen = {"chosen": ["children", "sports", "culture", "volunteer"]} if step == "interests" else {}
        check(onboarding.prompt(session, resident, onboarding.Position("onboarding", step, chosen), lang))
    for messages in (onboarding.settings_menu_messages(session, resident, lang, lead="x"),
                     onboarding.done_messages(lang),
                     onboarding.delete_confirm_messages(lang), apology_messages(lang), help_messages(lang),
                     main_menu_messages(lang), not_understood_messages(lang), welcome_back_messages(lang),
                     events_prompt(resident, lang), no_survey_messages(lang)):
        check(messages)


def test_quick_reply_labels_are_not_cut_in_any_language():
    """Labels shorter than 20 graphemes are shown whole: a cut label (…) would confuse residents."""
    import grapheme

    from content.onboarding import AGE_LABELS, GENDER_LABELS
    from content.topics import TOPICS

    labels = list(AGE_LABELS.values()) + list(GENDER_LABELS.values()) + [t.label for t in TOPICS]
    labels += ["わからない・スキップ", "答えない・スキップ", "ほかの地区", "データを削除", "参加・ボランティア"]
    for lang in ("ja", "en", "ja-easy"):
        _ = translator(lang)
        too_long = [_(label) for label in labels if grapheme.length("✓" + _(label)) > 20]
        assert too_long == [], lang


def test_po_files_of_this_area_exist_for_each_language():
    for folder in ("ja", "en", "ja_easy"):
        for domain in ("core", "onboarding"):
            assert (Path(LOCALES_DIR) / folder / "LC_MESSAGES" / f"{domain}.po").is_file()


@pytest.mark.parametrize("folder", ["en", "ja_easy"])
def test_no_msgid_is_translated_differently_in_two_catalogs(folder):
    """ALL AREAS: catalogs are merged, so one msgid with two translations would depend on file order."""
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for po_path in sorted((LOCALES_DIR / folder / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as fh:
            for message in read_po(fh):
                if not (message.id and message.string):
                    continue
                first = seen.setdefault(message.id, (po_path.name, message.string))
                if first[1] != message.string:
                    clashes.append(f"{message.id}: {first} vs ({po_path.name}, {message.string})")
    assert clashes == []
