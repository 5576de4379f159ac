"""Follow and unfollow: greet and start onboarding; stop pushes when the resident leaves."""
from __future__ import annotations

from content import onboarding
from content import residents as rs
from content.i18n import normalize_language, translator
from content.menus import main_menu_actions
from content.messages import postback_action, text_message
from handlers.registry import Context, on_event


def _profile_language(ctx: Context) -> str | None:
    """The language of the LINE profile the dispatcher fetched (ctx.extra["profile"]), if any."""
    language = (ctx.extra.get("profile") or {}).get("language")
    return normalize_language(language) if language else None


@on_event("follow")
def on_follow(ctx: Context) -> list[dict]:
    """A greeting, then onboarding; a returning resident who finished it is offered the settings instead."""
    profile_lang = _profile_language(ctx)
    resident = ctx.resident or rs.resident_for_event(ctx.session, ctx.event, create=True,
                                                     language=profile_lang, now=ctx.now)
    if resident is None:  # no user id (a group): a greeting with the menu is all we can do
        _ = translator(ctx.lang)
        return [text_message(_("友だち追加ありがとうございます。"), main_menu_actions(ctx.lang))]
    rs.mark_followed(ctx.session, resident, ctx.now)
    if resident.onboarded_at is not None:
        return welcome_back_messages(resident.language)
    if profile_lang and resident.language == "ja":  # the profile's language is the default until they choose
        rs.set_language(ctx.session, resident, profile_lang, ctx.now)
    lang = ctx.lang = resident.language
    _ = translator(lang)
    greeting = text_message(_("友だち追加ありがとうございます！ まちのイベント・施設・地域活動の情報をお伝えします。"
                              "はじめに少しだけ質問します（どれもスキップできます）。"))
    return [greeting] + onboarding.start_onboarding(ctx.session, resident, now=ctx.now, lang=lang)


def welcome_back_messages(lang: str) -> list[dict]:
    """For a resident who comes back: their settings are kept; offer to change them."""
    _ = translator(lang)
    actions = [postback_action(_("設定を見る"), "set_menu", display_text=_("設定"))] + main_menu_actions(lang)
    return [text_message(_("おかえりなさい！ 前の設定のまま使えます。変えるときは「設定」を選んでください。"), actions)]


@on_event("unfollow")
def on_unfollow(ctx: Context) -> list[dict]:
    """The resident blocked the account: no more pushes, conversation dropped (no reply is possible)."""
    resident = ctx.resident or rs.resident_for_event(ctx.session, ctx.event)
    if resident is not None and not rs.is_transient(resident):
        rs.unfollow(ctx.session, resident, ctx.now)
    return []
