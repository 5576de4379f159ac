"""Notices as residents see them, when they are sent, and which ones a resident can look back on.

A notice is pushed as one Flex card in the resident's language where the organization gave a translation
(English, やさしい日本語), else the Japanese card — whole, labels included, so that residents without a
translation share multicast batches with the Japanese ones. The card names the organization, carries the
link when given, the picture when the deployment has a public https address, and a quick reply to stop notices.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule, rruleset, weekday
from sqlalchemy import select

from content.deliveries import OPEN_STATES, deliveries_for, queue_delivery, rename_district_in_waiting
from content.i18n import N_, translator
from content.messages import (alt_text, is_sendable_uri, message_action, postback_action, quick_reply,
                              shorten_utf16, text_message, uri_action)
from content.segments import Segment, count_segment, rename_district
from models import Delivery, Facility, Notice, Organization, utcnow

CATEGORIES = {"general": N_("お知らせ"), "disaster": N_("防災"), "closure": N_("臨時休館")}
CATEGORY_COLORS = {"general": "#1B7F5B", "disaster": "#C62828", "closure": "#E65100"}
STOP_ACTION = "set_notify"  # content.onboarding.NOTIFY_ACTION: the settings handler switches notices off
LIST_DAYS = 30
LIST_MAX = 10  # bubbles in one carousel
LIST_BODY = 300
MAX_SCHEDULE = 366  # occurrences a repeating notice may plan ahead at most (one year of days)
WEEKDAY_CODES = ("月", "火", "水", "木", "金", "土", "日")
FREQS = {"none": "1回のみ", "weekly": "毎週（曜日を選ぶ）", "monthly_days": "毎月（日にちを選ぶ）",
         "monthly_nth": "毎月（第◯ ◯曜日）"}


# --- what a resident sees -----------------------------------------------------------------------------

def texts_for(notice, lang: str) -> tuple[str, str, str]:
    """(language of the card, title, body): the translation for the resident's language when given."""
    if lang == "en" and (notice.title_en or "").strip():
        return "en", notice.title_en.strip(), (notice.body_en or notice.body or "").strip()
    if lang == "ja-easy" and (notice.title_easy or "").strip():
        return "ja-easy", notice.title_easy.strip(), (notice.body_easy or notice.body or "").strip()
    return "ja", (notice.title or "").strip(), (notice.body or "").strip()


def public_image(url: str | None) -> str | None:
    """The picture for a card: only an https address LINE can fetch (TSUNAGARI_PUBLIC_URL makes uploads so)."""
    if url and url.lower().startswith("https://") and is_sendable_uri(url) and len(url) <= 2000:
        return url
    return None


def format_date_for(day: date, lang: str) -> str:
    """12月9日(火) / Tue, Dec 9."""
    from content.search.cards import format_day

    return format_day(day, lang)


def closure_text(notice, facility_name: str | None, lang: str) -> str | None:
    """「北野地区交流センター：12月9日(火)〜12月10日(水)」 for a closure notice."""
    if notice.category != "closure" or not notice.closed_from:
        return None
    _ = translator(lang)
    until = notice.closed_until or notice.closed_from
    days = format_date_for(notice.closed_from, lang)
    if until != notice.closed_from:
        days += ("–" if lang == "en" else "〜") + format_date_for(until, lang)
    return _("{place}：{days}").format(place=facility_name or _("施設"), days=days)


def notice_bubble(notice, lang: str, org_name: str | None = None, facility_name: str | None = None,
                  body_limit: int = 2000) -> dict:
    """The card: category and organization, picture, title, body, closure days, and the link."""
    card_lang, title, body = texts_for(notice, lang)
    _ = translator(card_lang)
    category = notice.category if notice.category in CATEGORIES else "general"
    header = [{"type": "text", "text": _(CATEGORIES[category]), "size": "xs", "weight": "bold",
               "color": CATEGORY_COLORS[category]},
              {"type": "text", "text": shorten_utf16(org_name or _("市役所"), 60), "size": "xs", "color": "#666666",
               "wrap": True}]
    contents = [{"type": "text", "text": shorten_utf16(title or " ", 200), "weight": "bold", "size": "md",
                 "wrap": True}]
    closed = closure_text(notice, facility_name, card_lang)
    if closed:
        contents.append({"type": "text", "text": _("臨時休館 {days}").format(days=closed), "size": "sm",
                         "weight": "bold", "color": CATEGORY_COLORS["closure"], "wrap": True})
    if body:
        contents.append({"type": "text", "text": shorten_utf16(body, body_limit), "size": "sm", "wrap": True})
    bubble = {"type": "bubble", "size": "mega",
              "header": {"type": "box", "layout": "vertical", "spacing": "xs", "contents": header},
              "body": {"type": "box", "layout": "vertical", "spacing": "md", "contents": contents}}
    image = public_image(notice.image_url)
    if image:
        bubble["hero"] = {"type": "image", "url": image, "size": "full", "aspectRatio": "20:13",
                          "aspectMode": "cover"}
    if notice.url and is_sendable_uri(notice.url):
        bubble["footer"] = {"type": "box", "layout": "vertical", "contents": [
            {"type": "button", "style": "link", "height": "sm",
             "action": uri_action(_("詳しく見る"), notice.url, label_limit=40)}]}
    return bubble


def notice_alt_text(notice, lang: str, org_name: str | None = None) -> str:
    """What a phone's notification shows: 【防災】北野自治会：title — the start of the body."""
    card_lang, title, body = texts_for(notice, lang)
    _ = translator(card_lang)
    category = _(CATEGORIES.get(notice.category, CATEGORIES["general"]))
    lead = f"【{category}】" + (f"{org_name}：" if org_name else "") + title
    return alt_text(shorten_utf16(f"{lead}\n{body}" if body else lead, 400))


def stop_actions(lang: str) -> list[dict]:
    """Quick replies under a notice: stop notices, the notice list, the menu."""
    _ = translator(lang)
    return [postback_action(_("お知らせを止める"), STOP_ACTION, display_text=_("お知らせを止める"), on=0),
            message_action(_("お知らせ一覧"), _("お知らせ")), message_action(_("メニュー"))]


def notice_message(notice, lang: str, org_name: str | None = None, facility_name: str | None = None) -> dict:
    """The pushed message: the card with its altText and the quick replies."""
    card_lang = texts_for(notice, lang)[0]
    return {"type": "flex", "altText": notice_alt_text(notice, lang, org_name),
            "contents": notice_bubble(notice, lang, org_name, facility_name),
            "quickReply": quick_reply(stop_actions(card_lang))}


def names_for(session, notice) -> tuple[str | None, str | None]:
    """The organization's and the closed facility's names."""
    org = session.get(Organization, notice.organization_id) if notice.organization_id else None
    facility = session.get(Facility, notice.facility_id) if notice.facility_id else None
    return (org.name if org else None), (facility.name if facility else None)


def messages_by_language(session, notice) -> dict[str, list[dict]]:
    """What each language group receives: Japanese always, English and やさしい日本語 when translated."""
    org_name, facility_name = names_for(session, notice)
    out = {"ja": [notice_message(notice, "ja", org_name, facility_name)]}
    for lang in ("en", "ja-easy"):
        if texts_for(notice, lang)[0] == lang:
            out[lang] = [notice_message(notice, lang, org_name, facility_name)]
    return out


# --- who and when -------------------------------------------------------------------------------------

def notice_segment(notice) -> Segment:
    """The notice's segment (the stored one, else its districts and topics)."""
    if notice.segment:
        return Segment.of(notice.segment)
    return Segment.of({"district": notice.districts or [], "interest": notice.topics or []})


def reach(session, notice) -> int:
    """How many residents the notice reaches now (followers with notices on in its segment)."""
    return count_segment(session, notice_segment(notice))


@dataclass(frozen=True)
class Repeat:
    """A repeating schedule read from Notice.recurrence."""

    freq: str
    weekdays: tuple[int, ...] = ()  # 0 = Monday
    days: tuple[int, ...] = ()  # days of the month
    nths: tuple[int, ...] = ()  # 1..5 (5 = last) with weekdays: 第N X曜日
    until: date | None = None
    except_dates: tuple[date, ...] = ()

    @classmethod
    def of(cls, data: dict | None) -> "Repeat | None":
        """From the stored JSON (None for a one-off notice)."""
        if not data or data.get("freq") in (None, "", "none"):
            return None
        return cls(freq=data["freq"], weekdays=tuple(data.get("weekdays") or ()), days=tuple(data.get("days") or ()),
                   nths=tuple(data.get("nths") or ()),
                   until=date.fromisoformat(data["until"]) if data.get("until") else None,
                   except_dates=tuple(date.fromisoformat(d) for d in data.get("except") or ()))

    def to_dict(self) -> dict:
        """The stored JSON."""
        return {"freq": self.freq, "weekdays": list(self.weekdays), "days": list(self.days), "nths": list(self.nths),
                "until": self.until.isoformat() if self.until else None,
                "except": [d.isoformat() for d in self.except_dates]}

    def rule(self, first: datetime) -> rruleset:
        """The dateutil rule set from the first local send time, with the left-out dates removed."""
        bound = {"until": datetime.combine(self.until, time(23, 59, 59))} if self.until else {}
        if self.freq == "weekly":
            base = rrule(WEEKLY, dtstart=first, byweekday=self.weekdays or (first.weekday(),), **bound)
        elif self.freq == "monthly_days":
            base = rrule(MONTHLY, dtstart=first, bymonthday=self.days or (first.day,), **bound)
        elif self.freq == "monthly_nth":
            days = self.weekdays or (first.weekday(),)
            nths = self.nths or ((first.day - 1) // 7 + 1,)
            base = rrule(MONTHLY, dtstart=first, byweekday=[weekday(d, -1 if n == 5 else n) for d in days for n in nths],
                         **bound)
        else:
            raise ValueError(f"unknown repeat {self.freq!r}")
        rules = rruleset()
        rules.rrule(base)
        for day in self.except_dates:
            rules.exdate(datetime.combine(day, first.time()))
        return rules

    def describe(self) -> str:
        """Staff-facing Japanese: 「毎週 月・木」「毎月 第2土曜日」…, with the end and the left-out dates."""
        names = "・".join(WEEKDAY_CODES[d] for d in sorted(self.weekdays))
        if self.freq == "weekly":
            text = f"毎週 {names or '同じ曜日'}"
        elif self.freq == "monthly_days":
            text = "毎月 " + "・".join(f"{d}日" for d in sorted(self.days))
        else:
            nth = "・".join("最終" if n == 5 else f"第{n}" for n in sorted(self.nths))
            text = f"毎月 {nth} {names}曜日"
        if self.until:
            text += f"（{self.until.month}月{self.until.day}日まで）"
        if self.except_dates:
            text += "、除く " + "・".join(f"{d.month}/{d.day}" for d in self.except_dates)
        return text


def next_send_times(notice, after: datetime, tz: str = "Asia/Tokyo", limit: int = 1) -> list[datetime]:
    """The next send times (naive UTC) strictly after `after` (naive UTC): one-off or repeating."""
    zone = ZoneInfo(tz)
    first_utc = notice.send_at or after
    repeat = Repeat.of(notice.recurrence)
    if repeat is None:
        return [first_utc] if notice.send_at and first_utc > after else []
    first_local = first_utc.replace(tzinfo=timezone.utc).astimezone(zone).replace(tzinfo=None)
    after_local = after.replace(tzinfo=timezone.utc).astimezone(zone).replace(tzinfo=None)
    out = []
    for moment in repeat.rule(first_local).xafter(after_local, count=limit):
        out.append(moment.replace(tzinfo=zone).astimezone(timezone.utc).replace(tzinfo=None))
    return out


def queue_notice(session, notice, now: datetime | None = None, tz: str = "Asia/Tokyo") -> Delivery | None:
    """Queue the notice's next send (now when it has no time; the next occurrence when it repeats).

    Called on approval inside the caller's transaction, and by the scheduler for the following occurrences.
    Returns None when nothing is left to send (a one-off already queued, a repeat past its end).
    """
    now = now or utcnow()
    if open_delivery(session, notice.id) is not None:
        return None
    latest = [d for d in deliveries_for(session, "notice", notice.id) if d.state != "cancelled"]
    if Repeat.of(notice.recurrence) is None:
        if latest:
            return None
        when = notice.send_at if notice.send_at and notice.send_at > now else now
    else:
        after = max([d.scheduled_for for d in latest] + [now - timedelta(seconds=1)])
        upcoming = next_send_times(notice, after, tz)
        if not upcoming:
            return None
        when = upcoming[0]
    return queue_delivery(session, kind="notice", ref_id=notice.id, messages_by_lang=messages_by_language(session, notice),
                          segment=notice_segment(notice), scheduled_for=when, urgent=bool(notice.urgent))


def open_delivery(session, notice_id: int) -> Delivery | None:
    """The notice's delivery that is queued, held or sending, if any."""
    return next((d for d in deliveries_for(session, "notice", notice_id) if d.state in OPEN_STATES), None)


def cancel_open(session, notice_id: int) -> int:
    """Stop the notice's unfinished deliveries (withdrawn, or edited and to be queued again)."""
    from content.deliveries import cancel_delivery

    return sum(cancel_delivery(session, d.id) for d in deliveries_for(session, "notice", notice_id)
               if d.state in OPEN_STATES)


def requeue(session, notice, now: datetime | None = None, tz: str = "Asia/Tokyo") -> Delivery | None:
    """After staff edit an approved notice: what waits to be sent is queued again with the new text and segment
    (a send already under way finishes as it began)."""
    from content.deliveries import cancel_delivery

    for delivery in deliveries_for(session, "notice", notice.id):
        if delivery.state in ("queued", "held"):
            cancel_delivery(session, delivery.id)
    return queue_notice(session, notice, now, tz)


def repeating_notices_due(session, now: datetime, tz: str = "Asia/Tokyo") -> list[Delivery]:
    """Queue the next occurrence of every approved repeating notice that has nothing queued (scheduler job)."""
    queued = []
    rows = session.execute(select(Notice).where(Notice.status == "approved", Notice.recurrence.is_not(None))).scalars()
    for notice in rows:
        if Repeat.of(notice.recurrence) is None:
            continue
        delivery = queue_notice(session, notice, now, tz)
        if delivery is not None:
            queued.append(delivery)
    return queued


def is_still_to_send(session, notice) -> bool:
    """True unless the notice is a one-off whose send has started (a repeating one has sends to come)."""
    if Repeat.of(notice.recurrence) is not None:
        return True
    return not any(d.state in ("sending", "done", "failed") for d in deliveries_for(session, "notice", notice.id))


def rename_district_in_notices(session, old: str, new: str) -> int:
    """Carry a district's new name into notices still to be sent and their waiting deliveries; a notice that
    went out keeps the name it went out with. Returns how many notices changed."""
    changed = 0
    for notice in session.execute(select(Notice)).scalars():  # a rename is rare: reading every notice is fine
        named = old in (notice.districts or []) or old in ((notice.segment or {}).get("district") or [])
        if not named or not is_still_to_send(session, notice):
            continue
        notice.segment = rename_district(notice.segment, old, new)
        notice.districts = [new if d == old else d for d in notice.districts or []]
        notice.updated_at = utcnow()
        session.add(notice)
        changed += 1
    rename_district_in_waiting(session, old, new)
    return changed


# --- looking back ----------------------------------------------------------------------------------------

def recent_notices_for(session, resident, now: datetime, days: int = LIST_DAYS) -> list[Notice]:
    """Notices of the last `days` days meant for the resident (its segment holds them), newest first."""
    since = now - timedelta(days=days)
    rows = session.execute(
        select(Notice, Delivery.started_at).join(Delivery, (Delivery.kind == "notice") & (Delivery.ref_id == Notice.id))
        .where(Notice.status == "approved", Delivery.state.in_(("sending", "done")), Delivery.started_at >= since)
        .order_by(Delivery.started_at.desc(), Notice.id.desc())).all()
    seen, out = set(), []
    for notice, _started in rows:
        if notice.id in seen:
            continue
        seen.add(notice.id)
        if resident is None or notice_segment(notice).matches(resident):
            out.append(notice)
    return out


def notice_list_messages(session, resident, now: datetime, lang: str) -> list[dict]:
    """「お知らせ」: the last 30 days' notices for the resident as cards, newest first (or a plain "none")."""
    from content.menus import main_menu_actions

    _ = translator(lang)
    notices = recent_notices_for(session, resident, now)
    if not notices:
        return [text_message(_("この30日間に、あなたあてのお知らせはありません。"), main_menu_actions(lang))]
    shown = notices[:LIST_MAX]
    # Ten cards share a carousel's 50 KB: each shows the start of its body (the push had it whole).
    bubbles = [notice_bubble(n, lang, *names_for(session, n), body_limit=LIST_BODY) for n in shown]
    lead = _("この30日間のお知らせ（{n}件、新しい順）").format(n=len(notices))
    alt = lead + "\n" + "\n".join("・" + texts_for(n, lang)[1] for n in shown)
    contents = bubbles[0] if len(bubbles) == 1 else {"type": "carousel", "contents": bubbles}
    return [text_message(lead), {"type": "flex", "altText": alt_text(alt), "contents": contents,
                                 "quickReply": quick_reply(main_menu_actions(lang))}]


# --- a staff notice from the command line -----------------------------------------------------------------

class NoticeInputError(ValueError):
    """A notice that cannot be sent as given (the message says why)."""


def send_staff_notice(session, *, title: str, body: str, segment: Segment, send_at: datetime | None = None,
                      urgent: bool = False, now: datetime | None = None, tz: str = "Asia/Tokyo",
                      quiet=None) -> tuple[Notice, Delivery]:
    """A city notice, approved and queued at once (`tsunagari notice send`).

    `send_at` is naive UTC (None = now). Outside quiet hours nothing changes; inside them a notice that is
    not urgent is queued for the end of quiet hours, and the delivery's scheduled_for says so.
    """
    from content.posts import DESCRIPTION_MAX, TITLE_MAX, text_problem
    from content.quiet_hours import next_allowed_time

    now = now or utcnow()
    for label, value, limit in (("title", title, TITLE_MAX), ("body", body, DESCRIPTION_MAX)):
        problem = text_problem(value, limit, required=True, label=label)
        if problem:
            raise NoticeInputError(f"--{label}: {problem}")
    if send_at is not None and send_at < now - timedelta(minutes=1):
        raise NoticeInputError("--at is in the past")
    when = send_at if send_at and send_at > now else now
    if not urgent:
        when = next_allowed_time(when, quiet, tz)
    notice = Notice(title=title.strip(), body=body.strip(), status="approved", urgent=bool(urgent),
                    category="general", segment=segment.to_dict(), districts=list(segment.values("district")),
                    topics=list(segment.values("interest")), send_at=when if when > now else None)
    session.add(notice)
    session.flush()
    delivery = queue_delivery(session, kind="notice", ref_id=notice.id,
                              messages_by_lang=messages_by_language(session, notice), segment=segment,
                              scheduled_for=when, urgent=bool(urgent))
    return notice, delivery
