"""Taking part from the chat: 参加する, キャンセルする, 参加予定, the check-in code, and the calendar URL."""
from __future__ import annotations

from typing import Optional

from content import residents as rs
from content.i18n import translator
from content.menus import main_menu_actions, main_menu_messages
from content.messages import postback_action, text_message
from content.signups import calendars, core
from content.signups import messages as sm
from content.signups.items import get_item, kind_of, open_items
from content.signups.words import signup_intent
from handlers.registry import Context, on_event


def _resident(ctx: Context):
    """The stored resident who tapped, or None (a transient `ask` resident cannot sign up)."""
    resident = ctx.resident or rs.resident_for_event(ctx.session, ctx.event)
    return None if rs.is_transient(resident) else resident


def public_url(ctx: Context) -> Optional[str]:
    """The service's public HTTPS address (TSUNAGARI_PUBLIC_URL), when LINE can fetch images from it."""
    url = ctx.extra.get("public_url") or ""
    return url.rstrip("/") if url.lower().startswith("https://") else None


def qr_url(ctx: Context, signup) -> Optional[str]:
    """The QR image of a sign-up's check-in code, or None without a public HTTPS address."""
    base = public_url(ctx)
    return f"{base}/signups/qr/{signup.qr_token}.png" if base else None


@on_event("postback", sm.JOIN_ACTION, ids=("id",))
def on_join(ctx: Context) -> list[dict]:
    """参加する: in, on the waitlist with the position, or a polite no with similar items."""
    resident = _resident(ctx)
    if resident is None:
        return main_menu_messages(ctx.lang)
    data = ctx.postback
    result = core.join(ctx.session, resident, data.get("k", ""), data.get("id", ""), ctx.now)
    similar = None
    if result.outcome in ("closed", "started", "withdrawn"):
        similar = sm.item_bubbles(open_items(ctx.session, ctx.now, like=result.item), ctx.lang)
    return sm.join_messages(result, ctx.lang, similar=similar)


def _tapped_signup(ctx: Context, resident):
    """The sign-up a button names: by its id (s=), or the resident's for an item (k=, id=; from pushes)."""
    data = ctx.postback
    if data.get("s"):
        return core.resident_signup(ctx.session, resident, data["s"])
    item = get_item(ctx.session, data.get("k", ""), data.get("id", ""))
    return core.find_signup(ctx.session, resident.id, kind_of(item), item.id) if item is not None else None


@on_event("postback", sm.CANCEL_ACTION, ids=("id", "s"))
def on_cancel(ctx: Context) -> list[dict]:
    """キャンセルする: the place is freed and the first in line moves up at once (and is told by push)."""
    resident = _resident(ctx)
    if resident is None:
        return main_menu_messages(ctx.lang)
    return sm.cancel_messages(core.cancel(ctx.session, _tapped_signup(ctx, resident), ctx.now), ctx.lang)


@on_event("postback", sm.LIST_ACTION)
def on_list(ctx: Context) -> list[dict]:
    """参加予定 tapped."""
    return coming(ctx, _resident(ctx))


def coming(ctx: Context, resident, lead: Optional[str] = None) -> list[dict]:
    """The resident's coming sign-ups, each with キャンセルする."""
    pairs = core.coming_signups(ctx.session, resident, ctx.now) if resident is not None else []
    positions = {signup.id: core.waitlist_position(ctx.session, signup) for signup, _item in pairs}
    messages = sm.coming_messages(pairs, positions, ctx.lang, with_qr=public_url(ctx) is not None,
                                  has_calendar=resident is not None and public_url(ctx) is not None)
    if lead:
        messages[0] = {**messages[0], "text": lead + "\n" + messages[0]["text"]}
    return messages


@on_event("postback", sm.CODE_ACTION, ids=("id", "s"))
def on_code(ctx: Context) -> list[dict]:
    """The check-in code (and its QR image) of one sign-up."""
    resident = _resident(ctx)
    signup = _tapped_signup(ctx, resident) if resident is not None else None
    if signup is None or signup.status == "cancelled":
        return coming(ctx, resident)
    item = get_item(ctx.session, signup.item_kind, signup.item_id)
    return sm.code_messages(signup, item, ctx.lang, qr_url(ctx, signup))


@on_event("postback", sm.OPEN_ACTION)
def on_open_items(ctx: Context) -> list[dict]:
    """Items taking sign-ups in the chat."""
    return sm.open_items_messages(open_items(ctx.session, ctx.now), ctx.lang)


@on_event("postback", sm.CALENDAR_ACTION)
def on_calendar(ctx: Context) -> list[dict]:
    """The resident's secret calendar URL (made on first use)."""
    return calendar_messages(ctx, renew=False)


@on_event("postback", sm.RENEW_ACTION)
def on_calendar_renew(ctx: Context) -> list[dict]:
    """A new calendar URL; the old one stops working."""
    return calendar_messages(ctx, renew=True)


def calendar_messages(ctx: Context, *, renew: bool) -> list[dict]:
    """The calendar URL with how to use it, or why there is none."""
    _ = translator(ctx.lang)
    resident = _resident(ctx)
    base = public_url(ctx)
    if resident is None or base is None:
        return [text_message(_("カレンダーへの登録は、いまは使えません。"), sm.way_on(ctx.lang))]
    url = calendars.calendar_url(base, calendars.calendar_token(ctx.session, resident, renew=renew))
    lines = [_("新しいURLを作りました。前のURLはもう使えません。") if renew else "",
             _("参加予定をカレンダーアプリに入れるURLです（カレンダーの「URLで購読」に貼り付けてください）："), url,
             _("このURLはほかの人に教えないでください。")]
    actions = [postback_action(_("URLを作り直す"), sm.RENEW_ACTION), sm.list_action(ctx.lang)]
    return [text_message("\n".join(filter(None, lines)), actions + main_menu_actions(ctx.lang))]


def signup_text_reply(ctx: Context, resident, text: str, lang: str) -> Optional[list[dict]]:
    """Typed words about sign-ups (「参加予定」「予約したイベントを見たい」「申し込みたい」…), else None."""
    intent = signup_intent(text)
    if intent is None:
        return None
    _ = translator(lang)
    stored = None if rs.is_transient(resident) else resident
    if intent == "apply":
        lead = _("申し込みたいイベントのカードで「参加する」を押してください。")
        return sm.open_items_messages(open_items(ctx.session, ctx.now), lang, lead=lead)
    if intent == "remind":
        return coming(ctx, stored, lead=_("申し込んだイベントは、前日にお知らせします。"))
    if intent == "code" and stored is not None:
        pairs = [(s, i) for s, i in core.coming_signups(ctx.session, stored, ctx.now) if s.status == "going"]
        if pairs:
            signup, item = pairs[0]
            return sm.code_messages(signup, item, lang, qr_url(ctx, signup))
    return coming(ctx, stored)


def with_my_signups_choice(messages: list[dict], lang: str) -> list[dict]:
    """「参加・ボランティア」's answer with 参加予定 as the first quick reply (LINE shows at most 13)."""
    if not messages:
        return messages
    last = dict(messages[-1])
    items = [{"type": "action", "action": sm.list_action(lang)}] + list((last.get("quickReply") or {}).get("items", []))
    last["quickReply"] = {"items": items[:13]}
    return messages[:-1] + [last]
