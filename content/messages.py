"""Small builders for LINE message objects (plain dicts in LINE's JSON shape).

Builders shorten what could break LINE's limits (labels by grapheme clusters, text by UTF-16 units),
so the validator in content/line_limits.py never has to refuse a resident's answer.
"""
from __future__ import annotations

from typing import Iterable, Sequence
from urllib.parse import urlencode

from content import graphemes

MAX_TEXT_UTF16 = 5000
MAX_QUICK_REPLY = 13
MAX_ACTION_LABEL = 20
MAX_FLEX_BUTTON_LABEL = 40
MAX_POSTBACK_DATA = 300
MAX_ALT_TEXT = 1500


def utf16_len(text: str) -> int:
    """Length as LINE counts text: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def shorten_graphemes(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut to at most `limit` grapheme clusters, ending with an ellipsis when cut."""
    if graphemes.length(text) <= limit:
        return text
    return graphemes.cut(text, limit - len(ellipsis)) + ellipsis


def shorten_utf16(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut to at most `limit` UTF-16 code units without splitting a grapheme cluster."""
    if utf16_len(text) <= limit:
        return text
    budget = limit - utf16_len(ellipsis)
    out, used = [], 0
    for cluster in graphemes.clusters(text):
        size = utf16_len(cluster)
        if used + size > budget:
            break
        out.append(cluster)
        used += size
    return "".join(out) + ellipsis


def postback_data(action: str, **params) -> str:
    """Encode a postback as `action=...&k=v`, the form handlers are registered on."""
    pairs = [("action", action)] + [(k, str(v)) for k, v in params.items() if v is not None]
    data = urlencode(pairs)
    if len(data) > MAX_POSTBACK_DATA:
        raise ValueError("postback data over 300 characters")  # a programming error, not resident input
    return data


def postback_action(label: str, action: str, display_text: str | None = None,
                    label_limit: int = MAX_ACTION_LABEL, **params) -> dict:
    """A postback action; the label is shortened to fit and shown as the resident's bubble."""
    short = shorten_graphemes(label, label_limit)
    result = {"type": "postback", "label": short, "data": postback_data(action, **params)}
    result["displayText"] = shorten_graphemes(display_text or label, 300)
    return result


def message_action(label: str, text: str | None = None, label_limit: int = MAX_ACTION_LABEL) -> dict:
    """An action that sends `text` (default: the label) as if the resident typed it."""
    return {"type": "message", "label": shorten_graphemes(label, label_limit),
            "text": shorten_graphemes(text or label, 300)}


def uri_action(label: str, uri: str, label_limit: int = MAX_ACTION_LABEL) -> dict:
    """An action that opens a URL (callers check the 1000-character limit with is_sendable_uri)."""
    return {"type": "uri", "label": shorten_graphemes(label, label_limit), "uri": uri}


def is_sendable_uri(uri: str | None) -> bool:
    """True for http(s)/tel/line URIs LINE accepts: ≤ 1000 characters, percent-encoded (no spaces or raw text)."""
    from content.line_limits import URI_CHARS

    return (bool(uri) and len(uri) <= 1000 and uri.split(":", 1)[0].lower() in ("http", "https", "tel", "line")
            and URI_CHARS.fullmatch(uri) is not None)


def quick_reply(actions: Iterable[dict]) -> dict:
    """A quickReply object with at most 13 items (extra ones are dropped: keep the important first)."""
    items = [{"type": "action", "action": a} for a in list(actions)[:MAX_QUICK_REPLY]]
    return {"items": items}


def text_message(text: str, quick_replies: Sequence[dict] | None = None) -> dict:
    """A text message, shortened to LINE's 5000 UTF-16 units, with optional quick replies."""
    message = {"type": "text", "text": shorten_utf16(text, MAX_TEXT_UTF16)}
    if quick_replies:
        message["quickReply"] = quick_reply(quick_replies)
    return message


def with_quick_replies(messages: list[dict], actions: Sequence[dict]) -> list[dict]:
    """Attach quick replies to the last message (LINE only shows the last one's)."""
    if messages and actions:
        messages[-1]["quickReply"] = quick_reply(actions)
    return messages


def alt_text(text: str) -> str:
    """An altText that fits LINE's 1500 characters."""
    return shorten_utf16(text, MAX_ALT_TEXT)


def confirm_template(text: str, yes: dict, no: dict, alt: str | None = None) -> dict:
    """A confirm template (exactly two actions; text ≤ 240 grapheme clusters)."""
    return {"type": "template", "altText": alt_text(alt or text),
            "template": {"type": "confirm", "text": shorten_graphemes(text, 240), "actions": [yes, no]}}
