"""Postbacks of onboarding and settings: answers (ob_pick), opening a part, and deleting one's data."""
from __future__ import annotations

from content import onboarding
from content import residents as rs
from content.i18n import translator
from content.menus import main_menu_actions, main_menu_messages
from content.messages import text_message
from handlers.registry import Context, on_event


def _resident(ctx: Context):
    """The resident who tapped (the dispatcher's, else looked up by the event's user id)."""
    return ctx.resident or rs.resident_for_event(ctx.session, ctx.event)


@on_event("postback", onboarding.PICK_ACTION)
def on_pick(ctx: Context) -> list[dict]:
    """An answer tapped on a quick reply: the current step's, or an older question's as a settings change."""
    resident = _resident(ctx)
    if resident is None:
        return main_menu_messages(ctx.lang)
    step, value = ctx.postback.get("s", ""), ctx.postback.get("v", "")
    state = rs.get_conversation(ctx.session, resident)
    if state is not None and state.step == step:
        pos = onboarding.Position(state.flow, state.step, dict(state.data or {}))
        messages = onboarding.answer(ctx.session, resident, pos, value, now=ctx.now, lang=ctx.lang)
    else:
        messages = onboarding.answer_out_of_turn(ctx.session, resident, step, value, now=ctx.now, lang=ctx.lang)
    ctx.lang = resident.language or ctx.lang  # the language step may just have changed it
    return messages or main_menu_messages(ctx.lang)


@on_event("postback", "set_menu")
def on_settings_menu(ctx: Context) -> list[dict]:
    """The settings menu with the current values."""
    return onboarding.settings_menu_messages(ctx.session, _resident(ctx), ctx.lang)


@on_event("postback", onboarding.OPEN_ACTION)
def on_open_part(ctx: Context) -> list[dict]:
    """Reopen one part of the settings: language, district, interests or profile (age and gender)."""
    resident = _resident(ctx)
    part = ctx.postback.get("part", "")
    if resident is None or part not in onboarding.SETTINGS_PARTS:
        return onboarding.settings_menu_messages(ctx.session, resident, ctx.lang)
    return onboarding.start_settings_part(ctx.session, resident, part, now=ctx.now, lang=ctx.lang)


@on_event("postback", onboarding.NOTIFY_ACTION)
def on_notify(ctx: Context) -> list[dict]:
    """Switch notices (pushes) on or off, then show the settings."""
    resident = _resident(ctx)
    _ = translator(ctx.lang)
    if resident is None:
        return onboarding.settings_menu_messages(ctx.session, None, ctx.lang)
    on = ctx.postback.get("on") == "1"
    rs.set_notifications(ctx.session, resident, on, ctx.now)
    lead = _("お知らせを受け取ります。") if on else _("お知らせを止めました。質問にはいつでもお答えします。")
    return onboarding.settings_menu_messages(ctx.session, resident, ctx.lang, lead=lead)


@on_event("postback", onboarding.DELETE_ACTION)
def on_delete_asked(ctx: Context) -> list[dict]:
    """「データを削除」 tapped: confirm first."""
    return onboarding.delete_confirm_messages(ctx.lang)


@on_event("postback", "set_delete_yes")
def on_delete_confirmed(ctx: Context) -> list[dict]:
    """Delete the resident's personal data (DESIGN: Privacy) and say they can start again any time."""
    lang = ctx.lang
    resident = _resident(ctx)
    if resident is not None and not rs.is_transient(resident):
        rs.delete_personal_data(ctx.session, resident)
        ctx.resident = None  # the row is gone: nothing after this handler may write to it
        ctx.extra["resident_deleted"] = True
    _ = translator(lang)
    text = _("データを削除しました。またいつでも、話しかけるか「設定」から始められます。")
    return [text_message(text, main_menu_actions(lang))]


@on_event("postback", "set_delete_no")
def on_delete_declined(ctx: Context) -> list[dict]:
    """The resident changed their mind: nothing is deleted."""
    _ = translator(ctx.lang)
    return [text_message(_("削除しませんでした。"), main_menu_actions(ctx.lang))]
