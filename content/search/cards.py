"""Flex bubbles and carousels for events, facilities and ways to take part.

Every text is plain Flex text (LINE never renders HTML), shortened so a bubble stays far below 30 KB.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Optional
from urllib.parse import quote


from content.importers.freedates import WEEKDAYS as JA_WEEKDAYS
from content.search.event_days import Repeat, is_long_running, repeat_of
from content.closures import closure_line
from content.search.facility_hours import FacilityHours, closed_summary, hours_on, parse_hours
from content.easy_japanese import easy
from content.i18n import N_, normalize_language, translator
from content.messages import (alt_text, is_sendable_uri, postback_action, shorten_graphemes, shorten_utf16,
                              uri_action)
from content.search.index import to_tokyo

MAX_BUBBLES = 10
TITLE_CHARS = 80
LINE_CHARS = 120
SHORT_DESCRIPTION = 70
LONG_DESCRIPTION = 1200
MUTED = "#666666"
FAINT = "#888888"
ACCENT = "#1B7F5B"
WEEKDAY_NAMES = (N_("月曜日"), N_("火曜日"), N_("水曜日"), N_("木曜日"), N_("金曜日"), N_("土曜日"), N_("日曜日"))
NTH_NAMES = (N_("第1"), N_("第2"), N_("第3"), N_("第4"), N_("第5"))
OPPORTUNITY_KINDS = {"volunteer": N_("ボランティア"), "workday": N_("地域の作業日"),
                     "public_comment": N_("意見募集"), "staff_bank": N_("スタッフ登録")}


def _babel_locale(lang: str) -> str:
    """Babel locale for dates: English for en, Japanese otherwise."""
    return "en" if normalize_language(lang) == "en" else "ja"


@lru_cache(maxsize=4096)
def format_day(day: date, lang: str) -> str:
    """12月6日(土) / Sat, Dec 6."""
    if _babel_locale(lang) == "en":
        return f"{EN_WEEKDAYS[day.weekday()]}, {EN_MONTHS[day.month - 1]} {day.day}"
    return f"{day.month}月{day.day}日({JA_WEEKDAYS[day.weekday()]})"


# CLDR's short names for the two fixed patterns cards use (EEE, MMM d / M月d日(E)): written out because Babel
# unpickles its locale data in every process (≈ 0.2 s of a one-off `tsunagari ask`) for these 26 words.
EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month_day(day: date, english: bool) -> str:
    """Dec 6 / 12月6日."""
    return f"{EN_MONTHS[day.month - 1]} {day.day}" if english else f"{day.month}月{day.day}日"


def clock(value) -> str:
    """9:00 / 17:30 (hours unpadded, as Japanese notices write them)."""
    return f"{value.hour}:{value.minute:02d}"


def hours_clock(value, info: FacilityHours, lang: str) -> str:
    """A facility's clock time as its file writes them: 16時30分 where it writes 時 (in Japanese), else 16:30."""
    if not info.kanji_clock or _babel_locale(lang) == "en":
        return clock(value)
    if (value.hour, value.minute) == (23, 59):
        return "24時"  # 「14時～24時」 is kept as 23:59 (the day's end)
    return f"{value.hour}時{value.minute}分" if value.minute else f"{value.hour}時"


def format_when(starts: Optional[datetime], ends: Optional[datetime], all_day: bool, lang: str) -> str:
    """Date with weekday and time in the resident's style: 12月6日(土) 10:00〜12:00; all-day → date only."""
    if starts is None:
        return ""
    starts, ends = to_tokyo(starts), to_tokyo(ends)
    if all_day and ends is not None and ends > starts and (ends.hour, ends.minute) == (0, 0):
        ends -= timedelta(days=1)  # an all-day end at midnight is exclusive: the day before is the last day
    dash = "–" if _babel_locale(lang) == "en" else "〜"
    text = format_day(starts.date(), lang)
    if ends is not None and ends.date() != starts.date() and (all_day or (ends - starts).days >= 1):
        if all_day:
            return f"{text}{dash}{format_day(ends.date(), lang)}"
        return f"{text} {clock(starts)}{dash}{format_day(ends.date(), lang)} {clock(ends)}"
    if all_day:
        return text
    text += f" {clock(starts)}"
    if ends is not None and ends > starts:
        text += f"{dash}{clock(ends)}"
    return text


def format_period(starts: Optional[datetime], ends: Optional[datetime], all_day: bool, lang: str) -> str:
    """A long row's period and daily time: 4月15日〜3月17日 13:30〜14:30 / Apr 15 – Mar 17, 13:30–14:30."""
    starts, ends = to_tokyo(starts), to_tokyo(ends)
    if starts is None or ends is None:
        return format_when(starts, ends, all_day, lang)
    last = ends - timedelta(minutes=1) if (ends.hour, ends.minute) == (0, 0) and ends > starts else ends
    english = _babel_locale(lang) == "en"
    text = f"{_month_day(starts.date(), english)}{' – ' if english else '〜'}{_month_day(last.date(), english)}"
    if not all_day and (starts.hour, starts.minute) != (0, 0):
        hours = clock(starts)
        if (ends.hour, ends.minute) > (starts.hour, starts.minute):
            hours += ("–" if english else "〜") + clock(ends)
        text += (", " if english else " ") + hours
    return text


def repeat_label(rule: Optional[Repeat], lang: str) -> str:
    """毎週木曜日 / 毎月第2・第4水曜日 / 平日 for a stated repeat ('' for none or a guess)."""
    if rule is None or not rule.stated or not rule.weekdays:
        return ""
    _ = translator(lang)
    if rule.weekdays == frozenset(range(5)) and not rule.nths:
        return _("平日")
    names = _("・").join(_(WEEKDAY_NAMES[d]) for d in sorted(rule.weekdays))
    if rule.nths:
        nths = _("・").join(_(NTH_NAMES[n - 1]) for n in sorted(rule.nths) if 1 <= n <= 5)
        return _("毎月{nths}{days}").format(nths=nths, days=names)
    return _("毎週{days}").format(days=names)


def event_when(event, lang: str) -> str:
    """When an event is, as a card shows it: the date and time, or for a long row its period and repeat."""
    if event.starts_at is None:
        return translator(lang)("日程は詳細のリンク先でご確認ください")  # a programme the file gives no date
    starts, ends = to_tokyo(event.starts_at), to_tokyo(event.ends_at)
    if not is_long_running(starts, ends):
        return format_when(event.starts_at, event.ends_at, event.all_day, lang)
    text = format_period(event.starts_at, event.ends_at, event.all_day, lang)
    label = repeat_label(repeat_of(starts, ends, event.all_day, event.time_note, event.title), lang)
    return f"{text} ({label})" if label and _babel_locale(lang) == "en" else (f"{text}（{label}）" if label else text)


def maps_uri(latitude: Optional[float], longitude: Optional[float], address: Optional[str],
             name: Optional[str] = None) -> Optional[str]:
    """A map search URL for coordinates or an address; None when neither is known or it would be too long."""
    if latitude is not None and longitude is not None:
        uri = f"https://www.google.com/maps/search/?api=1&query={latitude:.6f},{longitude:.6f}"
    elif address:
        uri = "https://www.google.com/maps/search/?api=1&query=" + quote(" ".join(filter(None, (address, name))))
    else:
        return None
    return uri if is_sendable_uri(uri) else None


def format_distance(metres: float, lang: str) -> str:
    """約350m / 約1.2km (about 1.2 km)."""
    _ = translator(lang)
    value = f"{round(metres / 10) * 10:.0f}m" if metres < 1000 else f"{metres / 1000:.1f}km"
    return _("約{distance}").format(distance=value)


def _text(text: str, *, size: str = "sm", color: Optional[str] = None, bold: bool = False,
          max_lines: int = 0, limit: int = LINE_CHARS) -> dict:
    """A wrapped Flex text component (text cut to `limit` UTF-16 units)."""
    comp = {"type": "text", "text": shorten_utf16(text or " ", limit) or " ", "size": size, "wrap": True}
    if color:
        comp["color"] = color
    if bold:
        comp["weight"] = "bold"
    if max_lines:
        comp["maxLines"] = max_lines
    return comp


def _row(label: str, value: str, limit: int = LINE_CHARS) -> dict:
    """A label/value line (日時 / 12月6日(土) 10:00)."""
    return {"type": "box", "layout": "baseline", "spacing": "sm", "contents": [
        {"type": "text", "text": shorten_utf16(label, 20) or " ", "size": "xs", "color": FAINT, "flex": 2},
        {"type": "text", "text": shorten_utf16(value or " ", limit), "size": "sm", "wrap": True, "flex": 7},
    ]}


def _button(action: dict, primary: bool = False) -> dict:
    """A Flex button."""
    button = {"type": "button", "action": action, "height": "sm", "style": "primary" if primary else "secondary"}
    if primary:
        button["color"] = ACCENT
    return button


def _bubble(body: list[dict], buttons: list[dict], size: str = "kilo") -> dict:
    """A bubble with a body and a footer of buttons."""
    bubble = {"type": "bubble", "size": size,
              "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": body}}
    if buttons:
        bubble["footer"] = {"type": "box", "layout": "vertical", "spacing": "sm", "contents": buttons}
    return bubble


def _detail_button(kind: str, item_id: int, title: str, lang: str) -> dict:
    """詳細: a postback that shows the whole item."""
    _ = translator(lang)
    return _button(postback_action(_("詳細"), "search_detail", display_text=shorten_graphemes(title, 60),
                                   label_limit=40, k=kind[0], id=item_id), primary=True)


def _map_button(uri: Optional[str], lang: str) -> list[dict]:
    """地図: only when there is somewhere to point at."""
    _ = translator(lang)
    return [_button(uri_action(_("地図"), uri, label_limit=40))] if uri else []


def _add_signup_parts(item, lang: str, detailed: bool, body: list[dict], buttons: list[dict]) -> None:
    """Sign-ups (issue 9): 「参加する」 first when the item takes them in the chat, else how to apply."""
    from content.signups.card_parts import signup_card_parts

    rows, actions = signup_card_parts(item, lang, detailed=detailed)
    body.extend(_row(label, value, 300 if detailed else 60) for label, value in rows)
    buttons[:0] = [_button(action, primary=n == 0) for n, action in enumerate(actions)]


def event_bubble(event, lang: str, *, distance_m: Optional[float] = None, detailed: bool = False,
                 next_days: tuple = ()) -> dict:
    """An event: title, when (and the next dates of the same event repeated), where, a short description, 詳細, 地図."""
    _ = translator(lang)
    english = _babel_locale(lang) == "en"
    # the file's English columns (イベント名_英語, 説明_英語) where the city published them
    title = (getattr(event, "title_en", None) if english else None) or event.title
    description = (getattr(event, "description_en", None) if english else None) or event.description
    if normalize_language(lang) == "ja-easy":  # the city's words with readings, one sentence a line
        title, description = easy(title), easy(description) or None
    body = [_text(title, size="md", bold=True, max_lines=0 if detailed else 3, limit=TITLE_CHARS * (2 if detailed else 1))]
    when = event_when(event, lang)
    if when:
        body.append(_row(_("日時"), when))
    if next_days:  # one card for an event held again and again, its next dates beside it
        body.append(_row(_("次の日程"), _("、").join(format_day(d, lang) for d in next_days)))
    if detailed and event.time_note:
        body.append(_row("", event.time_note, 200))
    place = event.place_name or event.address or ""
    if place:
        body.append(_row(_("場所"), easy(place) if normalize_language(lang) == "ja-easy" else place))
    if distance_m is not None:
        body.append(_row(_("距離"), format_distance(distance_m, lang)))
    fee = event.fee or (_("無料") if event.is_free else None)
    if fee and not detailed:
        body.append(_row(_("料金"), fee, 40))  # 「参加費は？」 is answered on the card itself
    buttons: list[dict] = []
    if detailed:
        for label, value in ((_("住所"), event.address if event.address != place else None), (_("対象"), event.audience),
                             (_("料金"), event.fee or (_("無料") if event.is_free else None)),
                             (_("主催"), event.organizer), (_("問合せ"), event.contact)):
            if value:
                body.append(_row(label, value, 200))
        if description:
            body.append(_text(description, size="sm", color=MUTED, limit=LONG_DESCRIPTION))
        if event.url and is_sendable_uri(event.url):
            buttons.append(_button(uri_action(_("ウェブサイト"), event.url, label_limit=40)))
    elif description:
        body.append(_text(description, size="xs", color=FAINT, max_lines=3, limit=SHORT_DESCRIPTION))
    if not detailed:
        buttons.append(_detail_button("event", event.id, event.title, lang))
    buttons += _map_button(maps_uri(event.latitude, event.longitude, event.address, event.place_name), lang)
    _add_signup_parts(event, lang, detailed, body, buttons)
    return _bubble(body, buttons, "mega" if detailed else "kilo")


def today_hours_line(info: FacilityHours, day: date, lang: str, today: Optional[date] = None) -> Optional[str]:
    """「今日 9:00〜17:00」 / 「12月1日(火)は休館日です」, or None when the published text could not be read."""
    _ = translator(lang)
    hours = hours_on(info, day)
    is_today = today is None or day == today
    if hours.status == "closed" and hours.out_of_season:
        return _("今日は利用期間外です") if is_today else _("{day}は利用期間外です").format(day=format_day(day, lang))
    if hours.status == "closed":
        return _("今日は休館日です") if is_today else _("{day}は休館日です").format(day=format_day(day, lang))
    if hours.status == "open":
        if hours.all_day:
            return _("今日は24時間あいています") if is_today else _("{day}は24時間あいています").format(
                day=format_day(day, lang))
        dash = "–" if _babel_locale(lang) == "en" else "〜"
        spans = ", ".join(f"{hours_clock(a, info, lang)}{dash}{hours_clock(b, info, lang)}" for a, b in hours.ranges)
        return _("今日 {hours}").format(hours=spans) if is_today else _("{day} {hours}").format(
            day=format_day(day, lang), hours=spans)
    return None


def usual_hours_line(info: FacilityHours, lang: str) -> Optional[str]:
    """The usual opening hours (default or weekday ranges), for a day the facility is closed."""
    ranges = (info.ranges.get("default") or info.ranges.get("weekday")
              or next((info.ranges[key] for key in sorted(info.ranges) if key.startswith("wd")), None))
    if not ranges:
        return None
    dash = "–" if _babel_locale(lang) == "en" else "〜"
    return ", ".join(f"{hours_clock(a, info, lang)}{dash}{hours_clock(b, info, lang)}" for a, b in ranges)


def closed_days_line(info: FacilityHours, lang: str) -> Optional[str]:
    """Closed days from the recognised rules (月曜日、祝日、年末年始), or None."""
    _ = translator(lang)
    if info.no_closed_days:
        return _("なし")
    names = [_(name) for name in WEEKDAY_NAMES]
    text = closed_summary(info, names, _("祝日"), _("年末年始"), _("第{n}{day}"), joiner=_("、"),
                          span_format=_("{m1}月{d1}日〜{m2}月{d2}日"), day_format=_("{m}月{d}日"),
                          year_end_format=_("{word}（{dates}）"))
    if info.closed_after_holiday:
        text = _("、").join(filter(None, (text, _("祝日の翌日"))))
    return text or None


def facility_bubble(facility, lang: str, *, today: date, distance_m: Optional[float] = None,
                    detailed: bool = False, day: Optional[date] = None) -> dict:
    """A facility: name, today's hours, closed days (or the published text), address, phone, 詳細 / 地図 / 電話."""
    _ = translator(lang)
    info = parse_hours(facility.hours_text, facility.closed_text)
    name = easy(facility.name) if normalize_language(lang) == "ja-easy" else facility.name
    body = [_text(name, size="md", bold=True, limit=TITLE_CHARS)]
    if distance_m is not None:
        body.append(_row(_("距離"), format_distance(distance_m, lang)))
    day = day or today
    today_line = closure_line(facility, day, lang, today) or today_hours_line(info, day, lang, today)
    if today_line:
        body.append(_row(_("今日") if day == today else format_day(day, lang), today_line))
        if hours_on(info, day).status == "closed" and usual_hours_line(info, lang):
            body.append(_row(_("開館時間"), usual_hours_line(info, lang)))
    closed_line = closed_days_line(info, lang) if info.closed_understood else None
    if closed_line:
        body.append(_row(_("休館日"), closed_line))
    # What we could not read fully is shown as published, so the resident never gets a wrong guess alone.
    if facility.hours_text and (detailed or not info.hours_understood or not today_line):
        body.append(_row(_("開館時間"), facility.hours_text, 300 if detailed else LINE_CHARS))
    if facility.closed_text and (detailed or not info.closed_understood):
        body.append(_row(_("休館日"), facility.closed_text, 300 if detailed else LINE_CHARS))
    if facility.address:
        body.append(_row(_("住所"), facility.address))
    if facility.phone:
        body.append(_row(_("電話"), facility.phone))
    if getattr(facility, "fee", None):
        body.append(_row(_("料金"), facility.fee, 200 if detailed else 60))
    if detailed and facility.description:
        body.append(_text(facility.description, size="sm", color=MUTED, limit=LONG_DESCRIPTION))
    buttons: list[dict] = []
    if not detailed:
        buttons.append(_detail_button("facility", facility.id, facility.name, lang))
    buttons += _map_button(maps_uri(facility.latitude, facility.longitude, facility.address, facility.name), lang)
    phone = "".join(ch for ch in (facility.phone or "") if ch.isdigit() or ch == "+")
    if detailed and len(phone) >= 6:
        buttons.append(_button(uri_action(_("電話する"), f"tel:{phone}", label_limit=40)))
    if detailed and facility.url and is_sendable_uri(facility.url):
        buttons.append(_button(uri_action(_("ウェブサイト"), facility.url, label_limit=40)))
    return _bubble(body, buttons, "mega" if detailed else "kilo")


def opportunity_bubble(opportunity, lang: str, *, detailed: bool = False) -> dict:
    """A way to take part: title, kind, when / deadline, where, organizer, 詳細."""
    _ = translator(lang)
    body = [_text(opportunity.title, size="md", bold=True, limit=TITLE_CHARS)]
    kind = OPPORTUNITY_KINDS.get(opportunity.kind or "")
    if kind:
        body.append(_text(_(kind), size="xs", color=ACCENT))
    when = format_when(opportunity.starts_at, opportunity.ends_at, False, lang)
    if when:
        body.append(_row(_("日時"), when))
    if opportunity.deadline:
        body.append(_row(_("締切"), format_day(to_tokyo(opportunity.deadline).date(), lang)))
    if opportunity.place_name:
        body.append(_row(_("場所"), opportunity.place_name))
    if opportunity.organizer:
        body.append(_row(_("主催"), opportunity.organizer))
    buttons: list[dict] = []
    if detailed:
        for label, value in ((_("対象"), opportunity.audience), (_("問合せ"), opportunity.contact)):
            if value:
                body.append(_row(label, value, 200))
        if opportunity.description:
            body.append(_text(opportunity.description, size="sm", color=MUTED, limit=LONG_DESCRIPTION))
        if opportunity.url and is_sendable_uri(opportunity.url):
            buttons.append(_button(uri_action(_("ウェブサイト"), opportunity.url, label_limit=40)))
    else:
        if opportunity.description:
            body.append(_text(opportunity.description, size="xs", color=FAINT, max_lines=3, limit=SHORT_DESCRIPTION))
        buttons.append(_detail_button("opportunity", opportunity.id, opportunity.title, lang))
    _add_signup_parts(opportunity, lang, detailed, body, buttons)
    return _bubble(body, buttons, "mega" if detailed else "kilo")


def carousel_message(bubbles: list[dict], alt: str) -> dict:
    """A Flex carousel of at most 10 bubbles (a single bubble is sent as a bubble)."""
    bubbles = bubbles[:MAX_BUBBLES]
    contents = bubbles[0] if len(bubbles) == 1 else {"type": "carousel", "contents": bubbles}
    return {"type": "flex", "altText": alt_text(alt or "…"), "contents": contents}
