"""The main menu, help and apology messages, and recognition of menu words in every language."""
from __future__ import annotations

import functools
import re
import unicodedata

from content.i18n import LANGUAGES, N_, translator
from content.messages import message_action, text_message

# (command, label msgid): the order of the rich menu and of the quick replies.
MAIN_MENU: tuple[tuple[str, str], ...] = (
    ("events", N_("イベント")),
    ("facilities", N_("施設")),
    ("participate", N_("参加・ボランティア")),
    ("survey", N_("アンケート")),
    ("settings", N_("設定")),
    ("help", N_("ヘルプ")),
)
DELETE_LABEL = N_("データを削除")
MENU_LABEL = N_("メニュー")
NOTICES_LABEL = N_("お知らせ")

# Typed forms that the translated labels do not cover (kana spellings, English variants).
COMMAND_ALIASES: dict[str, tuple[str, ...]] = {
    "events": ("イベント", "いべんと", "event", "events", "催し", "もよおし"),
    "facilities": ("施設", "しせつ", "facility", "facilities", "施設一覧"),
    "participate": ("参加・ボランティア", "参加", "さんか", "participate", "volunteer", "volunteering"),
    "survey": ("アンケート", "あんけーと", "survey", "surveys", "questionnaire"),
    "settings": ("設定", "せってい", "settings", "setting", "設定変更"),
    "help": ("ヘルプ", "へるぷ", "help", "使い方", "つかいかた", "how to use"),
    "delete": ("データを削除", "データ削除", "データを消す", "でーたをさくじょ", "delete my data", "delete data"),
    "menu": ("メニュー", "めにゅー", "menu", "main menu"),
    "notices": ("お知らせ", "おしらせ", "お知らせ一覧", "知らせ", "notices", "notice", "news"),
}

_TRAILING = re.compile(r"[\s。．.!！?？〜~ー]+$")


def normalize_words(text: str) -> str:
    """Fold width and case, drop spaces and trailing punctuation, so typed words compare equal."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    folded = _TRAILING.sub("", folded.strip())
    return re.sub(r"\s+", "", folded)  # やさしい日本語 puts spaces between words; typed text may not


@functools.cache  # built once per process: rebuilding it for every typed text cost 5 % of a worker's CPU
def _command_words() -> dict[str, str]:
    """Normalized word → command, from the labels in every language and the aliases."""
    words: dict[str, str] = {}
    labels = dict(MAIN_MENU) | {"delete": DELETE_LABEL, "menu": MENU_LABEL, "notices": NOTICES_LABEL}
    for lang in LANGUAGES:
        _ = translator(lang)
        for command, label in labels.items():
            words.setdefault(normalize_words(_(label)), command)
    for command, aliases in COMMAND_ALIASES.items():
        for alias in aliases:
            words.setdefault(normalize_words(alias), command)
    return words


def command_for(text: str) -> str | None:
    """The menu command a typed text names (events, facilities, participate, survey, settings, help, delete, menu,
    notices)."""
    return _command_words().get(normalize_words(text))


def main_menu_actions(lang: str) -> list[dict]:
    """Quick-reply actions for イベント, 施設, 参加・ボランティア, アンケート, 設定, ヘルプ (they send the label)."""
    _ = translator(lang)
    return [message_action(_(label)) for _command, label in MAIN_MENU]


def main_menu_messages(lang: str) -> list[dict]:
    """A short "what would you like?" with the main menu."""
    _ = translator(lang)
    return [text_message(_("何をしますか？ 下から選ぶか、ことばで聞いてください。"), main_menu_actions(lang))]


def apology_messages(lang: str) -> list[dict]:
    """A short apology with the main menu (sent by the dispatcher when a handler fails)."""
    _ = translator(lang)
    return [text_message(_("すみません、うまくお答えできませんでした。もう一度お試しいただくか、下から選んでください。"),
                         main_menu_actions(lang))]


def help_messages(lang: str) -> list[dict]:
    """What the bot can do, with examples to type, and the main menu."""
    _ = translator(lang)
    text = "\n".join([
        _("こんなふうに聞いてください："),
        _("・「今週末、子ども向けのイベントある？」"),
        _("・「中央公民館の開館時間は？」"),
        _("・「ボランティアしたい」"),
        _("・「参加予定」（申し込んだイベントの確認・キャンセル）"),
        _("地区や関心、言語は「設定」で変えられます。データは「データを削除」でいつでも消せます。"),
    ])
    return [text_message(text, main_menu_actions(lang))]


def not_understood_messages(lang: str) -> list[dict]:
    """The reply to a text the bot did not understand: an example and the main choices, never silence."""
    _ = translator(lang)
    text = _("すみません、よくわかりませんでした。「今週末のイベント」「図書館の開館時間」のように聞くか、下から選んでください。")
    return [text_message(text, main_menu_actions(lang))]
