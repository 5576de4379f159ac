"""What a card adds for taking part: 「参加する」 when the item takes sign-ups in the chat, else how to apply
as published (申込方法) and, on 詳細, a call button for its phone number. Never a button that does nothing."""
from __future__ import annotations

from content.i18n import translator
from content.messages import shorten_graphemes, uri_action
from content.signups.items import Item, phone_number, signup_state
from models import utcnow

SHORT_APPLY = 40


def signup_card_parts(item: Item, lang: str, *, detailed: bool) -> tuple[list[tuple[str, str]], list[dict]]:
    """(label, value) rows and button actions (first is primary) the card of `item` gains."""
    from content.signups.messages import deadline_text, join_action

    _ = translator(lang)
    if getattr(item, "chat_signup", False):
        state = signup_state(item, utcnow())
        if state != "open":
            return [(_("申込"), _("受付は終了しました"))], []
        deadline = deadline_text(item, lang)
        value = _("LINEで受付中（締切 {deadline}）").format(deadline=deadline) if deadline else _("LINEで受付中")
        return [(_("申込"), value)], [join_action(item, lang, label_limit=40)]
    how = (getattr(item, "apply_method", None) or "").strip()
    rows, actions = [], []
    if how and not (detailed and how in (getattr(item, "description", None) or "")):
        rows.append((_("申込方法"), how if detailed else shorten_graphemes(how, SHORT_APPLY)))
    phone = phone_number(how, getattr(item, "contact", None))
    if detailed and phone:
        label = _("電話で申し込む") if how else _("電話で問い合わせる")
        actions.append(uri_action(label, f"tel:{phone}", label_limit=40))
    return rows, actions
