"""What the bot says to anything it has no handler for: a sticker, a photo, an old button. Never silence."""
from __future__ import annotations

from content.menus import main_menu_messages
from handlers.registry import on_event


@on_event("message")
def on_other_message(ctx):
    """A sticker, photo, voice message or file: the bot reads only words and locations, so offer the menu."""
    return main_menu_messages(ctx.lang)


@on_event("postback")
def on_unknown_postback(ctx):
    """A button whose action no longer exists (an old message): offer the menu instead of nothing."""
    return main_menu_messages(ctx.lang)
