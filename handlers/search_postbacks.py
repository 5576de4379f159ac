"""Postbacks from search answers: 次の10件 and the narrowing choices (search_q), and 詳細 (search_detail)."""
from __future__ import annotations

from content.search.answers import answer_detail, answer_request, request_from_postback
from content.menus import main_menu_messages
from handlers.registry import Context, on_event


@on_event("postback", "search_q")
def on_search_request(ctx: Context) -> list[dict]:
    """Re-run a question with the tapped page, date, audience or relaxation."""
    ctx.extra.setdefault("items", [])
    request = request_from_postback(ctx.postback)
    if not request.text.strip():
        return main_menu_messages(ctx.lang)
    answer = answer_request(ctx.session, request, now=ctx.now, lang=ctx.lang)
    ctx.extra["items"] = list(answer.items)
    return answer.messages or main_menu_messages(ctx.lang)


@on_event("postback", "search_detail", ids=("id",))
def on_search_detail(ctx: Context) -> list[dict]:
    """Show the whole event, facility or opening behind a 詳細 button."""
    ctx.extra.setdefault("items", [])
    data = ctx.postback
    answer = answer_detail(ctx.session, data.get("k", ""), data.get("id", ""), now=ctx.now, lang=ctx.lang)
    ctx.extra["items"] = list(answer.items)
    return answer.messages or main_menu_messages(ctx.lang)
