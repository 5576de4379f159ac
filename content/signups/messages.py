"""What residents read about their sign-ups: replies to 参加する / キャンセルする, 参加予定, codes, pushes.

Every reply has a way on (quick replies); nothing here is an error text. Words outside checks look for:
「参加する」 (the card's button), 「キャンセル待ち」 (a full item), 「参加予定」, 「キャンセルする」.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from content.i18n import N_, translator
from content.messages import alt_text, postback_action, text_message, uri_action, with_quick_replies
from content.search.cards import (_bubble, _button, _row, _text, carousel_message, event_bubble, event_when,
                                  format_day, format_when, opportunity_bubble)
from content.search.index import to_tokyo
from content.signups.items import CODES, Item, deadline_of, kind_of, phone_number, signup_state

JOIN_ACTION = "su_join"
CANCEL_ACTION = "su_cancel"
LIST_ACTION = "su_list"
CODE_ACTION = "su_code"
OPEN_ACTION = "su_open"
CALENDAR_ACTION = "su_cal"
RENEW_ACTION = "su_cal_new"
JOIN_LABEL = N_("参加する")
CANCEL_LABEL = N_("キャンセルする")
LIST_LABEL = N_("参加予定")
MAX_CARDS = 10


def _t(lang: str):
    """gettext for the language."""
    return translator(lang)


def item_title(item: Optional[Item]) -> str:
    """The item's title ('' when it is gone)."""
    return (item.title or "") if item is not None else ""


def item_when(item: Item, lang: str) -> str:
    """When the item is, as cards write it."""
    if kind_of(item) == "event":
        return event_when(item, lang)
    return format_when(item.starts_at, item.ends_at, False, lang)


def item_place(item: Item) -> str:
    """Where the item is ('' when not published)."""
    return item.place_name or getattr(item, "address", None) or ""


def item_lines(item: Item, lang: str) -> list[str]:
    """日時：… and 場所：… lines."""
    _ = _t(lang)
    lines = []
    when, place = item_when(item, lang), item_place(item)
    if when:
        lines.append(_("日時：{when}").format(when=when))
    if place:
        lines.append(_("場所：{place}").format(place=place))
    return lines


def deadline_text(item: Item, lang: str) -> str:
    """12月5日(金) 17:00 for the sign-up deadline ('' when none)."""
    deadline = deadline_of(item)
    if deadline is None:
        return ""
    local = to_tokyo(deadline)
    return f"{format_day(local.date(), lang)} {local.hour}:{local.minute:02d}"


# --- actions -------------------------------------------------------------------------------------------

def join_action(item: Item, lang: str, label_limit: int = 20) -> dict:
    """参加する: a postback naming the item (kind code and id)."""
    _ = _t(lang)
    return postback_action(_(JOIN_LABEL), JOIN_ACTION, label_limit=label_limit, k=CODES[kind_of(item)], id=item.id)


def cancel_action(signup=None, item: Optional[Item] = None, lang: str = "ja", label_limit: int = 20) -> dict:
    """キャンセルする: for one sign-up (its id), or for the resident's sign-up to an item (pushes)."""
    _ = _t(lang)
    if signup is not None:
        return postback_action(_(CANCEL_LABEL), CANCEL_ACTION, label_limit=label_limit, s=signup.id)
    return postback_action(_(CANCEL_LABEL), CANCEL_ACTION, label_limit=label_limit, k=CODES[kind_of(item)], id=item.id)


def list_action(lang: str) -> dict:
    """参加予定: the resident's coming sign-ups."""
    _ = _t(lang)
    return postback_action(_(LIST_LABEL), LIST_ACTION)


def open_items_action(lang: str) -> dict:
    """LINEで申し込めるもの: items taking sign-ups in the chat."""
    _ = _t(lang)
    return postback_action(_("申し込めるイベント"), OPEN_ACTION)


def way_on(lang: str) -> list[dict]:
    """参加予定 and the main menu: somewhere to go after every sign-up reply."""
    from content.menus import main_menu_actions

    return [list_action(lang)] + main_menu_actions(lang)


# --- replies to 参加する -------------------------------------------------------------------------------

def join_messages(result, lang: str, *, similar: Optional[list[dict]] = None) -> list[dict]:
    """The reply to 参加する: in, on the waitlist (with the position), already in, or why not (with similar items)."""
    _ = _t(lang)
    item, signup = result.item, result.signup
    title = item_title(item)
    if result.outcome in ("going", "already_going"):
        head = (_("「{title}」に参加で受け付けました。") if result.outcome == "going"
                else _("「{title}」には、すでに参加で受け付けています。")).format(title=title)
        lines = [head] + item_lines(item, lang) + [
            _("受付コード：{code}（当日、受付で見せてください）").format(code=signup.checkin_code),
            _("前日にお知らせします。行けなくなったら「参加予定」からキャンセルしてください。")]
        return [text_message("\n".join(lines), way_on(lang))]
    if result.outcome in ("waitlisted", "already_waitlisted"):
        head = (_("「{title}」は定員に達しているため、キャンセル待ち（{n}番目）で受け付けました。")
                if result.outcome == "waitlisted"
                else _("「{title}」は、すでにキャンセル待ち（{n}番目）で受け付けています。")).format(
            title=title, n=result.position)
        lines = [head, _("空きが出たら、すぐに参加に繰り上げてお知らせします。")] + item_lines(item, lang)
        return [text_message("\n".join(lines), way_on(lang))]
    if result.outcome == "not_chat":
        return how_to_apply_messages(item, lang)
    if result.outcome == "closed":
        head = _("「{title}」の申し込みは締め切りました（締切：{deadline}）。").format(
            title=title, deadline=deadline_text(item, lang))
    elif result.outcome == "started":
        head = _("「{title}」はもう始まっているため、申し込めません。").format(title=title)
    else:
        head = _("この催しは中止または取り下げになったため、申し込めません。")
    return _with_similar(head, similar, lang)


def _with_similar(head: str, similar: Optional[list[dict]], lang: str) -> list[dict]:
    """A polite no, then other items that do take sign-ups (or a way to look)."""
    _ = _t(lang)
    if similar:
        text = head + "\n" + _("ほかに、いま申し込めるものです。")
        return _quick([text_message(text), carousel_message(similar, text)], lang)
    return [text_message(head + "\n" + _("ほかのイベントは「イベント」から探せます。"), way_on(lang))]


def _quick(messages: list[dict], lang: str) -> list[dict]:
    """Put the way-on quick replies under the last message."""
    return with_quick_replies(messages, way_on(lang))


def how_to_apply_messages(item: Item, lang: str) -> list[dict]:
    """An item without sign-ups in the chat: how to apply, as published, and a call button when there is a phone."""
    _ = _t(lang)
    lines = [_("「{title}」はLINEでは申し込めません。").format(title=item_title(item))]
    if item.apply_method:
        lines.append(_("申込方法：{how}").format(how=item.apply_method))
    elif item.contact:
        lines.append(_("問合せ：{contact}").format(contact=item.contact))
    else:
        lines.append(_("申込が必要かどうかは、主催者にお問い合わせください。"))
    actions = []
    phone = phone_number(item.apply_method, item.contact)
    if phone:
        actions.append(uri_action(_("電話する"), f"tel:{phone}"))
    return [text_message("\n".join(lines), actions + way_on(lang))]


# --- replies to キャンセルする ----------------------------------------------------------------------------

def cancel_messages(result, lang: str) -> list[dict]:
    """The reply to キャンセルする."""
    _ = _t(lang)
    title = item_title(result.item)
    if result.outcome == "cancelled":
        text = _("「{title}」をキャンセルしました。").format(title=title) if title else _("キャンセルしました。")
        actions = [list_action(lang)]
        if result.item is not None and signup_state(result.item, _now()) == "open":
            actions.append(postback_action(_("もう一度申し込む"), JOIN_ACTION, k=CODES[kind_of(result.item)],
                                           id=result.item.id))
        from content.menus import main_menu_actions

        return [text_message(text, actions + main_menu_actions(lang))]
    if result.outcome == "already_cancelled":
        text = _("「{title}」は、すでにキャンセルしています。").format(title=title)
    elif result.outcome == "started":
        text = _("「{title}」はもう始まっているため、キャンセルできません。").format(title=title)
    else:
        text = _("キャンセルする申し込みが見つかりませんでした。")
    return [text_message(text, way_on(lang))]


def _now() -> datetime:
    """Now (naive UTC), for offering 「もう一度申し込む」 only while sign-ups are open."""
    from models import utcnow

    return utcnow()


# --- 参加予定 ------------------------------------------------------------------------------------------

def status_text(signup, position: int, item: Optional[Item], lang: str) -> str:
    """参加 / キャンセル待ち（2番目） / 中止."""
    _ = _t(lang)
    if item is None or signup_state(item, _now()) == "withdrawn":
        return _("中止・取り下げ")
    if signup.status == "going":
        return _("参加")
    return _("キャンセル待ち（{n}番目）").format(n=position)


def signup_bubble(signup, position: int, item: Optional[Item], lang: str, *, with_qr: bool) -> dict:
    """One coming sign-up: title, when, where, status and code, with キャンセルする."""
    _ = _t(lang)
    body = [_text(item_title(item) or _("（削除された催し）"), size="md", bold=True, limit=80)]
    if item is not None:
        when, place = item_when(item, lang), item_place(item)
        if when:
            body.append(_row(_("日時"), when))
        if place:
            body.append(_row(_("場所"), place))
    body.append(_row(_("状態"), status_text(signup, position, item, lang)))
    if signup.status == "going":
        body.append(_row(_("受付コード"), signup.checkin_code))
    buttons = []
    if signup.status == "going":
        label = _("受付コードとQR") if with_qr else _("受付コード")
        buttons.append(_button(postback_action(label, CODE_ACTION, label_limit=40, s=signup.id)))
    buttons.append(_button(cancel_action(signup, lang=lang, label_limit=40)))
    return _bubble(body, buttons)


def coming_messages(pairs: list, positions: dict, lang: str, *, with_qr: bool, has_calendar: bool) -> list[dict]:
    """「参加予定」: each coming sign-up with キャンセルする, or how to sign up when there is none."""
    _ = _t(lang)
    if not pairs:
        text = _("参加予定はありません。イベントのカードの「参加する」から申し込めます。")
        return [text_message(text, [open_items_action(lang)] + way_on(lang)[1:])]
    going = sum(1 for signup, _item in pairs if signup.status == "going")
    waiting = len(pairs) - going
    text = _("参加予定：{n}件").format(n=going)
    if waiting:
        text += _("（ほかにキャンセル待ち{n}件）").format(n=waiting)
    bubbles = [signup_bubble(signup, positions.get(signup.id, 0), item, lang, with_qr=with_qr)
               for signup, item in pairs[:MAX_CARDS]]
    lines = [f"・{item_title(item)} {item_when(item, lang) if item is not None else ''}".rstrip()
             for _signup, item in pairs[:MAX_CARDS]]
    messages = [text_message(text), carousel_message(bubbles, text + "\n" + "\n".join(lines))]
    actions = [postback_action(_("カレンダーに入れる"), CALENDAR_ACTION)] if has_calendar else []
    from content.menus import main_menu_actions

    return with_quick_replies(messages, actions + [open_items_action(lang)] + main_menu_actions(lang))


# --- check-in codes ------------------------------------------------------------------------------------

def code_messages(signup, item: Optional[Item], lang: str, qr_url: Optional[str]) -> list[dict]:
    """The check-in code in large type, and its QR image when the service has a public HTTPS address."""
    _ = _t(lang)
    if signup.status != "going":
        text = _("受付コードは、参加が決まると表示されます（いまはキャンセル待ちです）。")
        return [text_message(text, way_on(lang))]
    lines = [item_title(item), _("受付コード：{code}").format(code=signup.checkin_code),
             _("当日、受付でこの画面を見せてください。")]
    messages = [text_message("\n".join(filter(None, lines)))]
    if qr_url:
        messages.append({"type": "image", "originalContentUrl": qr_url, "previewImageUrl": qr_url})
    return _quick(messages, lang)


# --- pushes --------------------------------------------------------------------------------------------

def promotion_messages(signup, item: Item, lang: str) -> list[dict]:
    """The push to the first in line who moved up: they are in, with the code and a cancel button."""
    _ = _t(lang)
    text = _("キャンセル待ちだった「{title}」に空きが出たので、参加で受け付けました。").format(title=item_title(item))
    body = [_text(item_title(item), size="md", bold=True, limit=80)]
    for label, value in ((_("日時"), item_when(item, lang)), (_("場所"), item_place(item)),
                         (_("受付コード"), signup.checkin_code)):
        if value:
            body.append(_row(label, value))
    buttons = [_button(postback_action(_(LIST_LABEL), LIST_ACTION, label_limit=40)),
               _button(cancel_action(signup, lang=lang, label_limit=40))]
    bubble = {"type": "flex", "altText": alt_text(text), "contents": _bubble(body, buttons)}
    return [text_message(text + "\n" + _("行けなくなったら「キャンセルする」を押してください。")), bubble]


def reminder_messages(item: Item, lang: str) -> list[dict]:
    """The day-before reminder: time, place, and buttons for the code and for cancelling."""
    _ = _t(lang)
    text = _("明日は「{title}」です。").format(title=item_title(item))
    body = [_text(item_title(item), size="md", bold=True, limit=80)]
    for label, value in ((_("日時"), item_when(item, lang)), (_("場所"), item_place(item))):
        if value:
            body.append(_row(label, value))
    buttons = [_button(postback_action(_("受付コード"), CODE_ACTION, label_limit=40, k=CODES[kind_of(item)],
                                       id=item.id)),
               _button(cancel_action(item=item, lang=lang, label_limit=40))]
    lines = [text] + item_lines(item, lang) + [_("行けなくなったら「キャンセルする」を押してください。")]
    bubble = {"type": "flex", "altText": alt_text("\n".join(lines)), "contents": _bubble(body, buttons)}
    return [text_message("\n".join(lines)), bubble]


# --- other items taking sign-ups ----------------------------------------------------------------------------

def item_bubbles(items: list[Item], lang: str) -> list[dict]:
    """Cards (with 参加する) for items taking sign-ups."""
    return [event_bubble(item, lang) if kind_of(item) == "event" else opportunity_bubble(item, lang)
            for item in items[:MAX_CARDS]]


def open_items_messages(items: list[Item], lang: str, lead: Optional[str] = None) -> list[dict]:
    """Items residents can sign up for in the chat, soonest first (「申し込みたい」)."""
    _ = _t(lang)
    if not items:
        text = _("いまLINEで申し込めるイベントはありません。ほかのイベントは「イベント」から探せます。")
        return [text_message("\n".join(filter(None, (lead, text))), way_on(lang))]
    text = _("LINEで申し込めるもの：{n}件。カードの「参加する」を押すと申し込めます。").format(n=len(items))
    text = "\n".join(filter(None, (lead, text)))
    lines = [f"・{item.title} {item_when(item, lang)}".rstrip() for item in items[:MAX_CARDS]]
    return _quick([text_message(text), carousel_message(item_bubbles(items, lang), text + "\n" + "\n".join(lines))],
                  lang)

