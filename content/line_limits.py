"""The one validator of LINE's Messaging API limits (schema conformity and the prose limits).

Two layers, because neither alone is enough:
- a walk over the message that checks every limit LINE documents in prose (lengths in UTF-16 units or
  grapheme clusters, counts, URI schemes, required fields) and reports LINE's own `property` paths;
- the line-bot-sdk models (generated from LINE's messaging-api.yml) as a backstop for shape errors the
  walk does not name (wrong types, unknown enum values, unknown discriminators).
Errors use LINE's 400 body shape: {"message": "The request body has N error(s)", "details": [...]}.
Hand-written (no library validates LINE's prose limits; the SDK enforces only the spec's maxLength/maxItems).
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable

from content import graphemes

# --- limits (see ../shared/reference/line-platform.md §1.1) -------------------------------------------
MAX_MESSAGES = 5
MAX_MULTICAST_TO = 500
MAX_TEXT = 5000
MAX_EMOJIS = 20
MAX_ALT_TEXT = 1500
MAX_QUICK_REPLY = 13
MAX_POSTBACK_DATA = 300
MAX_DISPLAY_TEXT = 300
MAX_MESSAGE_ACTION_TEXT = 300
MAX_URI = 1000
MAX_MEDIA_URL = 2000
MAX_CAROUSEL_BUBBLES = 12
# LINE says "30 KB" / "50 KB"; measured here on compact UTF-8 JSON and with 1 KB = 1000 bytes, the
# stricter reading, so nothing this validator passes can be refused by LINE for its size.
MAX_BUBBLE_BYTES = 30_000
MAX_CAROUSEL_BYTES = 50_000
MAX_TEMPLATE_COLUMNS = 10
URI_SCHEMES = ("http", "https", "line", "tel")
# RFC 3986 characters only (percent-encoded everything else): no spaces, line breaks or raw Japanese.
URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")

# Label limits by where the action sits: (maximum grapheme clusters, required?)
LABEL_RULES = {
    "quickReply": (20, True),
    "template": (20, True),
    "imageCarousel": (12, False),
    "flexButton": (40, True),
    "flex": (40, False),
    "richmenu": (20, False),
    "defaultAction": (20, False),
}
QUICK_REPLY_ONLY_ACTIONS = {"camera", "cameraRoll", "location"}
FLEX_TEXT_SIZES = {"xxs", "xs", "sm", "md", "lg", "xl", "xxl", "3xl", "4xl", "5xl"}
PIXELS = re.compile(r"^\d+(\.\d+)?px$")
DATE_FORMATS = {
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "time": re.compile(r"^\d{2}:\d{2}$"),
    "datetime": re.compile(r"^\d{4}-\d{2}-\d{2}[tT]\d{2}:\d{2}$"),
}
USER_ID = re.compile(r"^U[0-9a-f]{32}$")


class LineLimitError(ValueError):
    """A message or request LINE would refuse; `.details` is LINE's list of {"message", "property"}."""

    def __init__(self, details: list[dict]):
        self.details = details
        super().__init__(error_body(details)["message"] + ": " +
                         "; ".join(f"{d['property']}: {d['message']}" for d in details[:5]))

    def body(self) -> dict:
        """LINE's 400 response body for these details."""
        return error_body(self.details)


def error_body(details: list[dict]) -> dict:
    """LINE's 400 body: a count message plus the details."""
    return {"message": f"The request body has {len(details)} error(s)", "details": details}


# --- counting ------------------------------------------------------------------------------------------
def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as LINE counts most strings (🍎 = 2)."""
    return len(text.encode("utf-16-le")) // 2


def grapheme_len(text: str) -> int:
    """Length in grapheme clusters, as LINE counts labels and template texts (が with a combining mark = 1)."""
    return graphemes.length(text)


def json_bytes(obj: Any) -> int:
    """Size of an object as compact UTF-8 JSON."""
    return len(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


# --- the detail collector ------------------------------------------------------------------------------
class _Checker:
    """Collects details while walking one object; small helpers keep each rule a line."""

    def __init__(self) -> None:
        self.details: list[dict] = []

    def add(self, prop: str, message: str) -> None:
        """Record one problem."""
        self.details.append({"message": message, "property": prop})

    def required(self, obj: dict, key: str, prop: str) -> bool:
        """Record a missing property; True when present."""
        if obj.get(key) is None:
            self.add(f"{prop}.{key}", "must be specified")
            return False
        return True

    def string(self, obj: dict, key: str, prop: str, limit: int, *, required: bool = False,
               count: Callable[[str], int] = utf16_len, minimum: int = 0) -> None:
        """Check a string property's presence, type and length."""
        value = obj.get(key)
        if value is None:
            if required:
                self.add(f"{prop}.{key}", "must be specified")
            return
        if not isinstance(value, str):
            self.add(f"{prop}.{key}", "must be a string")
            return
        if minimum and value == "":
            self.add(f"{prop}.{key}", "must be non-empty text")
            return
        if count(value) > limit:
            self.add(f"{prop}.{key}", f"Length must be between 0 and {limit}")  # LINE's wording, even for required text

    def array(self, obj: dict, key: str, prop: str, low: int, high: int, *, required: bool = True) -> list:
        """Check an array property's presence and size; returns it (or [])."""
        value = obj.get(key)
        if value is None:
            if required:
                self.add(f"{prop}.{key}", "must be specified")
            return []
        if not isinstance(value, list):
            self.add(f"{prop}.{key}", "must be an array")
            return []
        if not low <= len(value) <= high:
            self.add(f"{prop}.{key}", f"Size must be between {low} and {high}")
        return value

    def _bounded_string(self, obj: dict, key: str, prop: str, *, required: bool, limit: int) -> str | None:
        """The value when it is a string within `limit` UTF-16 units; otherwise record why and return None."""
        value = obj.get(key)
        if value is None:
            if required:
                self.add(f"{prop}.{key}", "must be specified")
            return None
        if not isinstance(value, str):
            self.add(f"{prop}.{key}", "must be a string")
            return None
        if utf16_len(value) > limit:
            self.add(f"{prop}.{key}", f"Length must be between 0 and {limit}")
            return None
        return value

    def url(self, obj: dict, key: str, prop: str, *, required: bool = True, limit: int = MAX_MEDIA_URL) -> None:
        """Check an image/video URL: HTTPS and at most 2000 characters."""
        value = self._bounded_string(obj, key, prop, required=required, limit=limit)
        if value is not None and not value.lower().startswith("https://"):
            self.add(f"{prop}.{key}", "must be an HTTPS URL")

    def uri(self, obj: dict, key: str, prop: str, *, required: bool = True) -> None:
        """Check an action URI: at most 1000 characters, scheme http/https/line/tel, percent-encoded."""
        value = self._bounded_string(obj, key, prop, required=required, limit=MAX_URI)
        if value is None:
            return
        if value.split(":", 1)[0].lower() not in URI_SCHEMES or ":" not in value:
            self.add(f"{prop}.{key}", "invalid uri scheme")
        elif not URI_CHARS.fullmatch(value):
            # LINE wants URIs percent-encoded: spaces, line breaks and raw non-ASCII text are refused.
            self.add(f"{prop}.{key}", "invalid uri")

    def is_object(self, value: Any, prop: str) -> bool:
        """Record a value that should be a JSON object but is not."""
        if not isinstance(value, dict):
            self.add(prop, "must be an object")
            return False
        return True


# --- actions ---------------------------------------------------------------------------------------------
ACTION_TYPES = ("postback", "message", "uri", "datetimepicker", "camera", "cameraRoll", "location",
                "richmenuswitch", "clipboard")


def _check_action(c: _Checker, action: Any, prop: str, context: str) -> None:
    """Check one action object in its context (quickReply, template, imageCarousel, flexButton, flex, richmenu)."""
    if not c.is_object(action, prop):
        return
    kind = action.get("type")
    if kind not in ACTION_TYPES:
        c.add(f"{prop}.type", "must be one of " + ", ".join(ACTION_TYPES))
        return
    limit, label_required = LABEL_RULES[context]
    if kind in QUICK_REPLY_ONLY_ACTIONS and context != "quickReply":
        c.add(f"{prop}.type", f"{kind} action can only be used in quick reply")
    if kind == "richmenuswitch" and context != "richmenu":
        c.add(f"{prop}.type", "richmenuswitch action can only be used in rich menus")
    c.string(action, "label", prop, limit, required=label_required, count=grapheme_len,
             minimum=1 if label_required else 0)
    if kind == "message":
        c.string(action, "text", prop, MAX_MESSAGE_ACTION_TEXT, required=True, count=grapheme_len, minimum=1)
    elif kind == "postback":
        c.string(action, "data", prop, MAX_POSTBACK_DATA, required=True)
        for key in ("displayText", "text", "fillInText"):
            c.string(action, key, prop, MAX_DISPLAY_TEXT, count=grapheme_len)
        if action.get("displayText") is not None and action.get("text") is not None:
            c.add(f"{prop}.text", "displayText and text cannot both be specified")
        if action.get("inputOption") not in (None, "closeRichMenu", "openRichMenu", "openKeyboard", "openVoice"):
            c.add(f"{prop}.inputOption", "invalid inputOption")
    elif kind == "uri":
        c.uri(action, "uri", prop)
        alt = action.get("altUri")
        if alt is not None and c.is_object(alt, f"{prop}.altUri"):
            c.uri(alt, "desktop", f"{prop}.altUri")
    elif kind == "datetimepicker":
        _check_datetimepicker(c, action, prop)
    elif kind == "clipboard":
        c.string(action, "clipboardText", prop, 1000, required=True, minimum=1)
    elif kind == "richmenuswitch":
        c.string(action, "data", prop, MAX_POSTBACK_DATA, required=True)
        c.string(action, "richMenuAliasId", prop, 32, required=True, minimum=1)


def _check_datetimepicker(c: _Checker, action: dict, prop: str) -> None:
    """Check a datetime picker: data ≤ 300, mode, and the initial/max/min formats for that mode."""
    c.string(action, "data", prop, MAX_POSTBACK_DATA, required=True)
    mode = action.get("mode")
    if mode not in DATE_FORMATS:
        c.add(f"{prop}.mode", "must be one of date, time, datetime")
        return
    for key in ("initial", "max", "min"):
        value = action.get(key)
        if value is not None and not (isinstance(value, str) and DATE_FORMATS[mode].match(value)):
            c.add(f"{prop}.{key}", f"invalid {mode} format")


# --- quick reply, sender ---------------------------------------------------------------------------------
def _check_quick_reply(c: _Checker, quick: Any, prop: str) -> None:
    """Check a quickReply object: 1–13 items, each an action item with a labelled action."""
    if not c.is_object(quick, prop):
        return
    for i, item in enumerate(c.array(quick, "items", prop, 1, MAX_QUICK_REPLY)):
        item_prop = f"{prop}.items[{i}]"
        if not c.is_object(item, item_prop):
            continue
        if item.get("type", "action") != "action":
            c.add(f"{item_prop}.type", "must be action")
        c.url(item, "imageUrl", item_prop, required=False)
        if c.required(item, "action", item_prop):
            _check_action(c, item["action"], f"{item_prop}.action", "quickReply")


def _check_sender(c: _Checker, sender: Any, prop: str) -> None:
    """Check a sender: name ≤ 20, iconUrl HTTPS ≤ 2000."""
    if c.is_object(sender, prop):
        c.string(sender, "name", prop, 20)
        c.url(sender, "iconUrl", prop, required=False)


# --- message types ---------------------------------------------------------------------------------------
def _check_text(c: _Checker, m: dict, prop: str) -> None:
    """Text: non-empty, ≤ 5000 UTF-16 units, ≤ 20 LINE emoji."""
    c.string(m, "text", prop, MAX_TEXT, required=True, minimum=1)
    c.array(m, "emojis", prop, 0, MAX_EMOJIS, required=False)


def _check_sticker(c: _Checker, m: dict, prop: str) -> None:
    """Sticker: package and sticker ids."""
    c.string(m, "packageId", prop, 100, required=True, minimum=1)
    c.string(m, "stickerId", prop, 100, required=True, minimum=1)


def _check_image(c: _Checker, m: dict, prop: str) -> None:
    """Image: HTTPS original and preview URLs."""
    c.url(m, "originalContentUrl", prop)
    c.url(m, "previewImageUrl", prop)


def _check_video(c: _Checker, m: dict, prop: str) -> None:
    """Video: HTTPS video and preview URLs, trackingId ≤ 100."""
    _check_image(c, m, prop)
    c.string(m, "trackingId", prop, 100)


def _check_audio(c: _Checker, m: dict, prop: str) -> None:
    """Audio: HTTPS URL and a duration."""
    c.url(m, "originalContentUrl", prop)
    c.required(m, "duration", prop)


def _check_location(c: _Checker, m: dict, prop: str) -> None:
    """Location: title and address ≤ 100, coordinates."""
    c.string(m, "title", prop, 100, required=True, minimum=1)
    c.string(m, "address", prop, 100, required=True, minimum=1)
    c.required(m, "latitude", prop)
    c.required(m, "longitude", prop)


def _check_imagemap(c: _Checker, m: dict, prop: str) -> None:
    """Imagemap: base URL, altText ≤ 1500, ≤ 50 actions with labels ≤ 100 and texts ≤ 400."""
    c.url(m, "baseUrl", prop)
    c.string(m, "altText", prop, MAX_ALT_TEXT, required=True, minimum=1)
    c.required(m, "baseSize", prop)
    for i, action in enumerate(c.array(m, "actions", prop, 1, 50)):
        a_prop = f"{prop}.actions[{i}]"
        if not c.is_object(action, a_prop):
            continue
        c.string(action, "label", a_prop, 100, count=grapheme_len)
        c.required(action, "area", a_prop)
        if action.get("type") == "message":
            c.string(action, "text", a_prop, 400, required=True, minimum=1)
        elif action.get("type") == "uri":
            c.uri(action, "linkUri", a_prop)
        elif action.get("type") == "clipboard":
            c.string(action, "clipboardText", a_prop, 1000, required=True, minimum=1)


def _check_template_message(c: _Checker, m: dict, prop: str) -> None:
    """Template: altText ≤ 1500 and the template's own limits."""
    c.string(m, "altText", prop, MAX_ALT_TEXT, required=True, minimum=1)
    if not c.required(m, "template", prop) or not c.is_object(m["template"], f"{prop}.template"):
        return
    template, t_prop = m["template"], f"{prop}.template"
    check = TEMPLATE_CHECKS.get(template.get("type"))
    if check is None:
        c.add(f"{t_prop}.type", "must be one of " + ", ".join(TEMPLATE_CHECKS))
    else:
        check(c, template, t_prop)


def _check_buttons(c: _Checker, t: dict, prop: str) -> None:
    """Buttons: ≤ 4 actions; text ≤ 160, or ≤ 60 with an image or title; title ≤ 40."""
    decorated = t.get("thumbnailImageUrl") is not None or t.get("title") is not None
    c.string(t, "text", prop, 60 if decorated else 160, required=True, count=grapheme_len, minimum=1)
    c.string(t, "title", prop, 40, count=grapheme_len)
    c.url(t, "thumbnailImageUrl", prop, required=False)
    if t.get("defaultAction") is not None:
        _check_action(c, t["defaultAction"], f"{prop}.defaultAction", "defaultAction")
    for i, action in enumerate(c.array(t, "actions", prop, 1, 4)):
        _check_action(c, action, f"{prop}.actions[{i}]", "template")


def _check_confirm(c: _Checker, t: dict, prop: str) -> None:
    """Confirm: text ≤ 240, exactly 2 actions."""
    c.string(t, "text", prop, 240, required=True, count=grapheme_len, minimum=1)
    for i, action in enumerate(c.array(t, "actions", prop, 2, 2)):
        _check_action(c, action, f"{prop}.actions[{i}]", "template")


def _check_carousel_template(c: _Checker, t: dict, prop: str) -> None:
    """Carousel template: ≤ 10 columns, each ≤ 3 actions, text ≤ 120 (60 with image/title), same action count."""
    columns = c.array(t, "columns", prop, 1, MAX_TEMPLATE_COLUMNS)
    counts = set()
    for i, column in enumerate(columns):
        col_prop = f"{prop}.columns[{i}]"
        if not c.is_object(column, col_prop):
            continue
        decorated = column.get("thumbnailImageUrl") is not None or column.get("title") is not None
        c.string(column, "text", col_prop, 60 if decorated else 120, required=True, count=grapheme_len, minimum=1)
        c.string(column, "title", col_prop, 40, count=grapheme_len)
        c.url(column, "thumbnailImageUrl", col_prop, required=False)
        if column.get("defaultAction") is not None:
            _check_action(c, column["defaultAction"], f"{col_prop}.defaultAction", "defaultAction")
        actions = c.array(column, "actions", col_prop, 1, 3)
        counts.add(len(actions))
        for j, action in enumerate(actions):
            _check_action(c, action, f"{col_prop}.actions[{j}]", "template")
    if len(counts) > 1:
        c.add(f"{prop}.columns", "all columns must have the same number of actions")


def _check_image_carousel(c: _Checker, t: dict, prop: str) -> None:
    """Image carousel: ≤ 10 columns, each an HTTPS image and one action (label ≤ 12)."""
    for i, column in enumerate(c.array(t, "columns", prop, 1, MAX_TEMPLATE_COLUMNS)):
        col_prop = f"{prop}.columns[{i}]"
        if not c.is_object(column, col_prop):
            continue
        c.url(column, "imageUrl", col_prop)
        if c.required(column, "action", col_prop):
            _check_action(c, column["action"], f"{col_prop}.action", "imageCarousel")


TEMPLATE_CHECKS = {"buttons": _check_buttons, "confirm": _check_confirm,
                   "carousel": _check_carousel_template, "image_carousel": _check_image_carousel}


# --- flex ------------------------------------------------------------------------------------------------
FLEX_COMPONENTS = ("box", "button", "image", "video", "icon", "text", "span", "separator", "filler")


def _check_flex_message(c: _Checker, m: dict, prop: str) -> None:
    """Flex: altText ≤ 1500; a bubble (≤ 30 KB) or a carousel of 1–12 bubbles (≤ 50 KB)."""
    c.string(m, "altText", prop, MAX_ALT_TEXT, required=True, minimum=1)
    if not c.required(m, "contents", prop) or not c.is_object(m["contents"], f"{prop}.contents"):
        return
    container, c_prop = m["contents"], f"{prop}.contents"
    if container.get("type") == "bubble":
        _check_bubble(c, container, c_prop)
    elif container.get("type") == "carousel":
        for i, bubble in enumerate(c.array(container, "contents", c_prop, 1, MAX_CAROUSEL_BUBBLES)):
            b_prop = f"{c_prop}.contents[{i}]"
            if not c.is_object(bubble, b_prop):
                continue
            if bubble.get("type") != "bubble":
                c.add(f"{b_prop}.type", "must be bubble")
            else:
                _check_bubble(c, bubble, b_prop)
        if json_bytes(container) > MAX_CAROUSEL_BYTES:
            c.add(c_prop, f"carousel JSON must be at most {MAX_CAROUSEL_BYTES} bytes")
    else:
        c.add(f"{c_prop}.type", "must be one of bubble, carousel")


def _check_bubble(c: _Checker, bubble: dict, prop: str) -> None:
    """A bubble: ≤ 30 KB; header/body/footer are boxes, hero a box, image or video."""
    if json_bytes(bubble) > MAX_BUBBLE_BYTES:
        c.add(prop, f"bubble JSON must be at most {MAX_BUBBLE_BYTES} bytes")
    for block in ("header", "hero", "body", "footer"):
        part = bubble.get(block)
        if part is None:
            continue
        b_prop = f"{prop}.{block}"
        if not c.is_object(part, b_prop):
            continue
        allowed = ("box", "image", "video") if block == "hero" else ("box",)
        if part.get("type") not in allowed:
            c.add(f"{b_prop}.type", "must be one of " + ", ".join(allowed))
        else:
            _check_component(c, part, b_prop)
    if bubble.get("action") is not None:
        _check_action(c, bubble["action"], f"{prop}.action", "flex")


# Where each component may sit: "block" = directly in a bubble block, "box" = a horizontal/vertical box,
# "baseline" = a baseline box, "text" = a text's contents (spans only).
PLACES = {
    "box": {"block", "box"}, "button": {"box"}, "image": {"block", "box"}, "video": {"block", "box"},
    "separator": {"box"}, "filler": {"box", "baseline"}, "text": {"box", "baseline"}, "icon": {"baseline"},
    "span": {"text"},
}


def _check_component(c: _Checker, comp: Any, prop: str, parent: str = "block") -> None:
    """One Flex component (in its place) and, for boxes and texts, its children."""
    if not c.is_object(comp, prop):
        return
    kind = comp.get("type")
    if kind not in FLEX_COMPONENTS:
        c.add(f"{prop}.type", "must be one of " + ", ".join(FLEX_COMPONENTS))
        return
    if parent not in PLACES[kind]:
        c.add(f"{prop}.type", f"a {kind} cannot be placed in a {parent}")
        return
    if kind == "box":
        layout = comp.get("layout")
        if layout not in ("horizontal", "vertical", "baseline"):
            c.add(f"{prop}.layout", "must be one of horizontal, vertical, baseline")
        for i, child in enumerate(c.array(comp, "contents", prop, 0, 10_000)):
            _check_component(c, child, f"{prop}.contents[{i}]", "baseline" if layout == "baseline" else "box")
    elif kind == "text":
        if comp.get("text") is None and not comp.get("contents"):
            c.add(f"{prop}.text", "must be specified")
        c.string(comp, "text", prop, MAX_TEXT)
        for i, span in enumerate(c.array(comp, "contents", prop, 0, 10_000, required=False)):
            _check_component(c, span, f"{prop}.contents[{i}]", "text")
        _check_size(c, comp, prop)
    elif kind == "span":
        c.string(comp, "text", prop, MAX_TEXT, required=True)
        _check_size(c, comp, prop)
    elif kind == "button":
        if c.required(comp, "action", prop):
            _check_action(c, comp["action"], f"{prop}.action", "flexButton")
        return
    elif kind in ("image", "icon"):
        c.url(comp, "url", prop)
    elif kind == "video":
        c.url(comp, "url", prop)
        c.url(comp, "previewUrl", prop)
        c.required(comp, "altContent", prop)
    if comp.get("action") is not None:
        _check_action(c, comp["action"], f"{prop}.action", "flex")


def _check_size(c: _Checker, comp: dict, prop: str) -> None:
    """A text/span size is a keyword (xxs … 5xl) or pixels."""
    size = comp.get("size")
    if size is not None and not (isinstance(size, str) and (size in FLEX_TEXT_SIZES or PIXELS.match(size))):
        c.add(f"{prop}.size", "invalid size")


def _check_coupon(c: _Checker, m: dict, prop: str) -> None:
    """Coupon: a coupon id."""
    c.string(m, "couponId", prop, 100, required=True, minimum=1)


def _check_text_v2(c: _Checker, m: dict, prop: str) -> None:
    """Text v2: non-empty text ≤ 5000 UTF-16 units."""
    c.string(m, "text", prop, MAX_TEXT, required=True, minimum=1)


MESSAGE_CHECKS: dict[str, Callable[[_Checker, dict, str], None]] = {
    "text": _check_text, "textV2": _check_text_v2, "sticker": _check_sticker, "image": _check_image,
    "video": _check_video, "audio": _check_audio, "location": _check_location, "imagemap": _check_imagemap,
    "template": _check_template_message, "flex": _check_flex_message, "coupon": _check_coupon,
}
MESSAGE_TYPES = tuple(MESSAGE_CHECKS)


# --- the SDK backstop ------------------------------------------------------------------------------------
def _sdk_problems(factory: Callable[[dict], Any], obj: dict, prop: str) -> list[dict]:
    """Build the object with the SDK (schema from messaging-api.yml); its refusals as details."""
    try:
        factory(obj)
    except Exception as exc:  # pydantic.v1 ValidationError or the SDK's ValueError for unknown discriminators
        return [{"message": _describe_sdk_error(exc), "property": prop}]
    return []


def _describe_sdk_error(exc: Exception) -> str:
    """A short message from an SDK/pydantic error (its first problem)."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        try:
            first = errors()[0]
            where = ".".join(str(part) for part in first.get("loc", ()))
            return f"invalid value at {where}: {first.get('msg')}" if where else str(first.get("msg"))
        except Exception:  # an error object without the pydantic shape: fall back to its text
            pass
    return str(exc).split("\n")[0][:200]


def _sdk_message(obj: dict) -> Any:
    """The SDK's Message.from_dict (its models loaded without the API clients: content/line_sdk_models.py)."""
    from content.line_sdk_models import model
    return model("Message").from_dict(obj)


# --- public API ------------------------------------------------------------------------------------------
def validate_message(message: dict, path: str = "messages[0]") -> list[dict]:
    """Every problem LINE would report for one message object (empty list = LINE accepts it)."""
    c = _Checker()
    if not c.is_object(message, path):
        return c.details
    kind = message.get("type")
    check = MESSAGE_CHECKS.get(kind)
    if check is None:
        c.add(f"{path}.type", "must be one of " + ", ".join(MESSAGE_TYPES))
        return c.details
    check(c, message, path)
    if message.get("quickReply") is not None:
        _check_quick_reply(c, message["quickReply"], f"{path}.quickReply")
    if message.get("sender") is not None:
        _check_sender(c, message["sender"], f"{path}.sender")
    if not c.details:
        c.details.extend(_sdk_problems(_sdk_message, message, path))
    return c.details


def validate_message_list(messages: Any, prop: str = "messages") -> list[dict]:
    """Problems with a request's `messages`: 1–5 message objects, each valid."""
    if messages is None:
        return [{"message": "must be specified", "property": prop}]
    if not isinstance(messages, list):
        return [{"message": "must be an array", "property": prop}]
    details = []
    if not 1 <= len(messages) <= MAX_MESSAGES:
        details.append({"message": f"Size must be between 1 and {MAX_MESSAGES}", "property": prop})
    for i, message in enumerate(messages):
        details.extend(validate_message(message, f"{prop}[{i}]"))
    return details


def validate_messages(messages: list[dict]) -> None:
    """Raise LineLimitError unless LINE would accept these 1–5 messages in one request."""
    details = validate_message_list(messages)
    if details:
        raise LineLimitError(details)


REQUEST_KINDS = ("reply", "push", "multicast", "broadcast", "narrowcast", "validate")


def validate_request(kind: str, body: Any) -> list[dict]:
    """Problems with a whole request body for reply/push/multicast/broadcast/narrowcast/validate."""
    if kind not in REQUEST_KINDS:
        raise ValueError(f"unknown request kind {kind!r}")
    if not isinstance(body, dict):
        return [{"message": "must be an object", "property": "body"}]
    c = _Checker()
    if kind == "reply":
        c.string(body, "replyToken", "body", 1000, required=True, minimum=1)
    elif kind == "push":
        c.string(body, "to", "body", 100, required=True, minimum=1)
    elif kind == "multicast":
        for i, user_id in enumerate(c.array(body, "to", "body", 1, MAX_MULTICAST_TO)):
            if not isinstance(user_id, str) or not USER_ID.match(user_id):
                c.add(f"to[{i}]", "invalid user ID")
    if body.get("notificationDisabled") not in (None, True, False):
        c.add("notificationDisabled", "must be a boolean")
    # LINE names top-level properties without a prefix ("messages", "to"); the helper adds "body."
    details = [{**d, "property": d["property"].removeprefix("body.")} for d in c.details]
    return details + validate_message_list(body.get("messages"))


def validate_richmenu(obj: dict) -> list[dict]:
    """Problems with a rich menu object (size rules, name/chatBarText, 1–20 areas inside the menu)."""
    c = _Checker()
    if not c.is_object(obj, "richmenu"):
        return c.details
    size = obj.get("size")
    width = height = None
    if c.required(obj, "size", "richmenu") and c.is_object(size, "size"):
        width, height = size.get("width"), size.get("height")
        problem = richmenu_size_problem(width, height)
        if problem:
            c.add("size", problem)
    if not isinstance(obj.get("selected"), bool):
        c.add("selected", "must be specified")
    c.string(obj, "name", "richmenu", 300, required=True, count=grapheme_len, minimum=1)
    c.string(obj, "chatBarText", "richmenu", 14, required=True, count=grapheme_len, minimum=1)
    for i, area in enumerate(c.array(obj, "areas", "richmenu", 1, 20)):
        a_prop = f"areas[{i}]"
        if not c.is_object(area, a_prop):
            continue
        bounds = area.get("bounds")
        if c.required(area, "bounds", a_prop) and c.is_object(bounds, f"{a_prop}.bounds"):
            _check_bounds(c, bounds, f"{a_prop}.bounds", width, height)
        if c.required(area, "action", a_prop):
            _check_action(c, area["action"], f"{a_prop}.action", "richmenu")
    details = [{**d, "property": d["property"].removeprefix("richmenu.")} for d in c.details]
    if not details:
        from content.line_sdk_models import model
        details = _sdk_problems(model("RichMenuRequest").from_dict, obj, "richmenu")
    return details


def _check_bounds(c: _Checker, bounds: dict, prop: str, width: Any, height: Any) -> None:
    """An area's bounds are non-negative integers that lie inside the menu."""
    values = {k: bounds.get(k) for k in ("x", "y", "width", "height")}
    for key, value in values.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            c.add(f"{prop}.{key}", "must be a non-negative integer")
            return
    if isinstance(width, int) and isinstance(height, int):
        if values["x"] + values["width"] > width or values["y"] + values["height"] > height:
            c.add(prop, "area must be inside the rich menu")


def richmenu_size_problem(width: Any, height: Any) -> str | None:
    """Why a rich menu (or its image) size breaks LINE's rules, or None: width 800–2500, height ≥ 250, w/h ≥ 1.45."""
    if not isinstance(width, int) or not isinstance(height, int):
        return "width and height must be integers"
    if not 800 <= width <= 2500:
        return "width must be between 800 and 2500"
    if height < 250:
        return "height must be at least 250"
    if width / height < 1.45:
        return "aspect ratio (width / height) must be at least 1.45"
    return None
