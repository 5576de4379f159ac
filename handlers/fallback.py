"""What the bot says to anything it has no handler for: a sticker, a photo, an old button. Never silence."""
from __future__ import annotations

from content.i18n import translator
from content.menus import main_menu_actions, main_menu_messages
from content.messages import text_message
from handlers.registry import BAD_ID_ACTION, on_event


@on_event("message")
def on_other_message(ctx):
    """A sticker, photo, voice message or file: the bot reads only words and locations, so offer the menu."""
    return main_menu_messages(ctx.lang)


@on_event("postback")
def on_unknown_postback(ctx):
    """A button whose action no longer exists (an old message): offer the menu instead of nothing."""
    return main_menu_messages(ctx.lang)


@on_event("postback", BAD_ID_ACTION)
def on_postback_with_a_bad_id(ctx):
    """A button naming a row by an impossible id (garbled or forged): say it is not there, offer the menu."""
    _ = translator(ctx.lang)
    return [text_message(_("この情報は見つかりませんでした。終了したか、取り下げられた可能性があります。"),
                         main_menu_actions(ctx.lang))]
