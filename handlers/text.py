"""Text messages: an active conversation first, then menu words, then the search's answer, never silence."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Callable, Optional

from sqlmodel import select

from content import onboarding
from content import residents as rs
from content.i18n import N_, translator
from content.menus import (command_for, help_messages, main_menu_actions, main_menu_messages,
                           not_understood_messages)
from content.messages import postback_action, text_message
from content.notices import notice_list_messages
from content.search.answers import answer_question
from handlers.signup import signup_text_reply, with_my_signups_choice
from handlers.registry import Context, on_event
from models import ConversationState, Facility, as_naive_utc

ASK_ACTION = "res_ask"
MAX_MESSAGES = 5
MAX_FACILITY_CHOICES = 12
STALE_AFTER = timedelta(days=1)
VOLUNTEER_QUERY = "ボランティア"  # the search's own (Japanese) words, not shown to the resident
# (label msgid, Japanese query sent to the search): the search understands Japanese whatever the language.
EVENT_QUESTIONS: tuple[tuple[str, str], ...] = (
    (N_("今日"), "今日のイベント"),
    (N_("明日"), "明日のイベント"),
    (N_("今週末"), "今週末のイベント"),
    (N_("来週"), "来週のイベント"),
    (N_("子ども向け"), "子ども向けのイベント"),
)


def _resident(ctx: Context):
    """The dispatcher's resident (possibly transient), else the stored one for the event's user id."""
    return ctx.resident or rs.resident_for_event(ctx.session, ctx.event)


@dataclass(frozen=True)
class TextFlow:
    """How a conversation takes typed text: `take` → reply or None (does not fit); `leave` → what to say on leaving."""

    take: Callable[[Context, object, ConversationState, str], Optional[list]]  # (ctx, resident, state, lang)
    leave: Callable[[Context, object, ConversationState, str], list]


# Conversations by ConversationState.flow. Later flows (a survey) add themselves with register_text_flow.
TEXT_FLOWS: dict[str, TextFlow] = {}


def register_text_flow(flow: str, text_flow: TextFlow) -> None:
    """Let a conversation (flow name) take typed texts while a resident is in it."""
    TEXT_FLOWS[flow] = text_flow


# Asked when no conversation took the text, before the menu words and the search: (ctx, resident, lang) →
# reply or None. A survey round's first answer typed under its push comes in this way.
TEXT_OPENERS: list[Callable[[Context, object, str], Optional[list]]] = []


def register_text_opener(opener: Callable[[Context, object, str], Optional[list]]) -> None:
    """Let a function take a text that starts a conversation (first answer wins)."""
    if opener not in TEXT_OPENERS:
        TEXT_OPENERS.append(opener)


def _is_stale(ctx: Context, state: ConversationState) -> bool:
    """A question left unanswered for a day no longer frames what the resident types."""
    return as_naive_utc(ctx.now) - state.updated_at > STALE_AFTER


def _take_settings_text(ctx: Context, resident, state: ConversationState, lang: str) -> Optional[list]:
    """Onboarding and settings: a typed answer to the current step, or None."""
    if _is_stale(ctx, state):
        return None
    pos = onboarding.Position(state.flow, state.step, dict(state.data or {}))
    value = onboarding.match_text(ctx.session, resident, pos, ctx.text)
    if value is None:
        return None
    messages = onboarding.answer(ctx.session, resident, pos, value, now=ctx.now, lang=lang)
    ctx.lang = resident.language or lang  # the language step may just have changed it
    return messages


def _leave_settings(ctx: Context, resident, state: ConversationState, lang: str) -> list:
    """Leave onboarding or settings politely: the resident typed something else."""
    stale = _is_stale(ctx, state)
    rs.clear_conversation(ctx.session, resident)
    if stale:
        return []  # long forgotten: no need to mention it
    _ = translator(lang)
    return [text_message(_("設定はいったん止めました。「設定」からいつでも続けられます。"))]


for _flow in (onboarding.FLOW_ONBOARDING, onboarding.FLOW_SETTINGS):
    register_text_flow(_flow, TextFlow(_take_settings_text, _leave_settings))


@on_event("message", "text")
def on_text(ctx: Context) -> list[dict]:
    """Route a typed text: conversation step → menu word → answer_question → a helpful fallback."""
    ctx.extra.setdefault("items", [])
    resident = _resident(ctx)
    lang = ctx.lang  # the dispatcher's choice: the resident's language, or --lang for a transient one
    lead: list[dict] = []
    state = rs.get_conversation(ctx.session, resident)
    flow = TEXT_FLOWS.get(state.flow) if state is not None else None
    if flow is not None:
        taken = flow.take(ctx, resident, state, lang)
        if taken is not None:
            return taken
        lead = flow.leave(ctx, resident, state, lang)  # the text is something else: leave politely
    else:
        for opener in TEXT_OPENERS:
            taken = opener(ctx, resident, lang)
            if taken is not None:
                return taken
    messages = route_text(ctx, resident, ctx.text, lang)
    return (lead + messages) if len(lead) + len(messages) <= MAX_MESSAGES else messages


def route_text(ctx: Context, resident, text: str, lang: str) -> list[dict]:
    """Menu words in any language, else the search's answer."""
    command = command_for(text)
    if command == "events":
        return events_prompt(resident, lang)
    if command == "facilities":
        return facilities_prompt(ctx, resident, lang)
    if command == "participate":
        return with_my_signups_choice(ask(ctx, resident, VOLUNTEER_QUERY, lang), lang)
    if command == "survey":
        from handlers.survey import survey_tile  # the survey handlers register on this module: import late

        return survey_tile(ctx, resident, lang)
    if command == "settings":
        return onboarding.settings_menu_messages(ctx.session, resident, lang)
    if command == "help":
        return help_messages(lang)
    if command == "delete":
        return onboarding.delete_confirm_messages(lang)
    if command == "menu":
        return main_menu_messages(lang)
    if command == "notices":
        return notice_list_messages(ctx.session, resident, as_naive_utc(ctx.now), lang)
    signups = signup_text_reply(ctx, resident, text, lang)  # 「参加予定」「申し込みたい」 before the search
    if signups is not None:
        return signups
    return ask(ctx, resident, text, lang)


def ask(ctx: Context, resident, text: str, lang: str) -> list[dict]:
    """The search's answer (items kept in ctx.extra["items"]); a helpful reply when it did not understand."""
    answer = answer_question(ctx.session, text, now=ctx.now, lang=lang, resident=resident)
    ctx.extra["items"] = list(answer.items or [])
    if not answer.understood or not answer.messages:
        return not_understood_messages(lang)
    return _with_way_on(list(answer.messages)[:MAX_MESSAGES], lang)


def _with_way_on(messages: list[dict], lang: str) -> list[dict]:
    """No dead ends: when the answer brings no quick replies, the main menu goes on its last message."""
    if messages and "quickReply" not in messages[-1]:
        from content.messages import quick_reply

        messages[-1] = {**messages[-1], "quickReply": quick_reply(main_menu_actions(lang))}
    return messages


def events_prompt(resident, lang: str) -> list[dict]:
    """「イベント」: when? (quick replies), or ask in words."""
    _ = translator(lang)
    actions = [postback_action(_(label), ASK_ACTION, q=query) for label, query in EVENT_QUESTIONS]
    if resident is not None and resident.district:
        try:
            actions.append(postback_action(resident.district, ASK_ACTION, q=f"{resident.district}のイベント"))
        except ValueError:  # a very long name would pass LINE's 300-character data: leave the choice out
            pass
    text = _("いつのイベントを探しますか？ ことばでも聞けます（例：「土曜日の子ども向けイベント」）。")
    return [text_message(text, actions)]


def facilities_prompt(ctx: Context, resident, lang: str) -> list[dict]:
    """「施設」: the city's facilities as quick replies (the resident's district first), or ask in words."""
    _ = translator(lang)
    rows = ctx.session.exec(select(Facility.id, Facility.name, Facility.district)
                            .where(Facility.active == True)).all()  # noqa: E712 (SQL comparison)
    home = resident.district if resident is not None else None
    rows = sorted(rows, key=lambda row: (home is None or row[2] != home, row[1]))[:MAX_FACILITY_CHOICES]
    # The id, not the name, goes in the data: a long name could pass LINE's 300 characters once URL-encoded.
    actions = [postback_action(name, ASK_ACTION, display_text=name, f=fid) for fid, name, _district in rows]
    text = _("知りたい施設を選ぶか、名前で聞いてください（例：「図書館の開館時間は？」）。")
    return [text_message(text, actions or main_menu_actions(lang))]


def no_survey_messages(lang: str) -> list[dict]:
    """「アンケート」 while no survey is open."""
    _ = translator(lang)
    return [text_message(_("いま回答できるアンケートはありません。始まったらお知らせします。"), main_menu_actions(lang))]


@on_event("postback", ASK_ACTION, ids=("f",))
def on_ask(ctx: Context) -> list[dict]:
    """A tapped question (イベント・施設 quick replies): answered as if typed, in Japanese for the search."""
    ctx.extra.setdefault("items", [])
    resident = _resident(ctx)
    lang = ctx.lang  # the dispatcher's choice: the resident's language, or --lang for a transient one
    query = ctx.postback.get("q", "")
    if not query and ctx.postback.get("f", "").isdigit():
        facility = ctx.session.get(Facility, int(ctx.postback["f"]))
        query = facility.name if facility is not None else ""
    if not query:
        return main_menu_messages(lang)
    return ask(ctx, resident, query, lang)
