"""Survey answers in the chat: quick-reply taps (postback `sv`), typed answers while a question is on screen,
a first answer typed after a round's push, and the アンケート tile; deleting a resident unlinks their answers."""
from __future__ import annotations

from content import residents as rs
from content.menus import main_menu_messages
from content.surveys import chat
from handlers.registry import Context, on_event
from handlers.text import STALE_AFTER, TextFlow, no_survey_messages, register_text_flow, register_text_opener
from models import ConversationState, as_naive_utc


def _resident(ctx: Context):
    """The resident who acted (None for a transient one: `tsunagari ask` answers no survey)."""
    resident = ctx.resident or rs.resident_for_event(ctx.session, ctx.event)
    return None if rs.is_transient(resident) else resident


def _stale(ctx: Context, state: ConversationState) -> bool:
    """A question left a day ago no longer frames what the resident types."""
    return as_naive_utc(ctx.now) - state.updated_at > STALE_AFTER


@on_event("postback", chat.ACTION, ids=("r",))
def on_survey_answer(ctx: Context) -> list[dict]:
    """A tapped choice, 決定, 答えない, 戻る or あとで."""
    resident = _resident(ctx)
    if resident is None:
        return main_menu_messages(ctx.lang)
    return chat.on_answer_postback(ctx.session, resident, ctx.postback, ctx.lang, ctx.now)


def _take(ctx: Context, resident, state: ConversationState, lang: str):
    """A typed answer to the question on screen, or None when the text is something else."""
    if resident is None or _stale(ctx, state):
        return None
    return chat.take_text(ctx.session, resident, state.step, dict(state.data or {}), ctx.text, lang, ctx.now)


def _leave(ctx: Context, resident, state: ConversationState, lang: str) -> list:
    """The resident typed something else: the answers so far are kept."""
    stale = _stale(ctx, state)
    rs.clear_conversation(ctx.session, resident)
    return [] if stale else chat.leave_messages(lang)


def _first_answer(ctx: Context, resident, lang: str):
    """「はい」 typed under a round's first question, before any tap."""
    if resident is None or rs.is_transient(resident):
        return None
    return chat.first_answer_typed(ctx.session, resident, ctx.text, lang, ctx.now)


def survey_tile(ctx: Context, resident, lang: str) -> list[dict]:
    """「アンケート」: resume or start an open round, else 「いま回答できるアンケートはありません」."""
    if resident is None or rs.is_transient(resident):
        return no_survey_messages(lang)
    return chat.survey_entry(ctx.session, resident, lang, ctx.now, no_survey_messages)


register_text_flow(chat.FLOW, TextFlow(_take, _leave))
register_text_opener(_first_answer)
rs.register_unlink_hook(chat.unlink_resident)
