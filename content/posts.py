"""What organizations post through the console: validation, repeating events, drafts, approval, withdrawal, lists.

Everything here works on a plain Session and a console user (anything with .id, .email, .role,
.organization_id), so it is tested without Flask. Forms give local (Asia/Tokyo) naive datetimes;
rows store naive UTC.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import grapheme
from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday
from sqlmodel import func, or_, select

from content import audit, notices
from content.accounts import can_access_organization, is_staff
from content.messages import is_sendable_uri
from content.paging import MAX_PER_PAGE, Page, page_of, paginate
from content.signups.settings import after_item_saved, check_signup_values, deadline_for
from models import Event, Facility, Notice, Opportunity, Organization, utcnow

KINDS = {"events": Event, "opportunities": Opportunity, "notices": Notice}
RECORD_TYPES = {"events": "event", "opportunities": "opportunity", "notices": "notice"}
KIND_LABELS = {"events": "イベント", "opportunities": "参加・ボランティア募集", "notices": "お知らせ"}
STATUS_LABELS = {"draft": "下書き", "pending": "承認待ち", "approved": "承認済み", "rejected": "差し戻し",
                 "withdrawn": "取り下げ", "published": "公開中（取り込み）", "scheduled": "配信予約",
                 "sent": "配信済み"}
RECURRENCES = {"none": "1回のみ", "weekly": "毎週（同じ曜日）", "biweekly": "隔週（同じ曜日）",
               "monthly_day": "毎月（同じ日）", "monthly_nth": "毎月（第◯ ◯曜日）"}
OPPORTUNITY_KINDS = {"volunteer": "ボランティア", "workday": "自治会の作業日", "public_comment": "パブリックコメント",
                     "staff_bank": "人材バンク登録"}
NOTICE_CATEGORIES = {"general": "お知らせ", "disaster": "防災", "closure": "臨時休館"}
NOTICE_REPEATS = notices.FREQS
SEGMENT_LANGUAGES = {"ja": "日本語", "en": "英語", "ja-easy": "やさしい日本語"}
SEGMENT_AGES = {"-19": "19歳以下", "20-29": "20代", "30-39": "30代", "40-49": "40代", "50-59": "50代", "60-69": "60代",
                "70-79": "70代", "80-": "80歳以上"}
SEGMENT_GENDERS = {"female": "女性", "male": "男性", "other": "その他"}
# Form fields of a notice's segment → segment keys (content.segments)
NOTICE_SEGMENT_FIELDS = {"districts": "district", "topics": "interest", "languages": "lang", "age_groups": "age_group",
                         "genders": "gender"}

# What a Flex card shows without cutting (content.search.cards shortens beyond this; the form refuses instead).
TITLE_MAX = 40
DESCRIPTION_MAX = 500
SHORT_TEXT_MAX = 100
REASON_MAX = 500
URL_MAX = 1000
MAX_OCCURRENCES = 52
MAX_SERIES_DAYS = 366
EDITABLE_BY_ORG = ("draft", "rejected", "withdrawn")
SUBMITTABLE = ("draft", "rejected", "withdrawn")
WITHDRAWABLE = ("pending", "approved", "published")
DELETABLE = ("draft", "rejected", "withdrawn")


class Forbidden(PermissionError):
    """The console user may not see or do this (shown as 403)."""


class PostStateError(ValueError):
    """The post is not in a state that allows this step (message in Japanese)."""


# --- time ---------------------------------------------------------------------------------------

def to_utc(local: datetime | None, tz: str = "Asia/Tokyo") -> datetime | None:
    """A naive local wall-clock time as naive UTC (what the tables store)."""
    if local is None:
        return None
    aware = local.replace(tzinfo=ZoneInfo(tz)) if local.tzinfo is None else local
    return aware.astimezone(timezone.utc).replace(tzinfo=None)


def to_local(utc: datetime | None, tz: str = "Asia/Tokyo") -> datetime | None:
    """A naive UTC time as naive local wall-clock time (what the console shows)."""
    if utc is None:
        return None
    return utc.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(tz)).replace(tzinfo=None)


# --- validation ---------------------------------------------------------------------------------

def text_problem(value: str | None, limit: int, required: bool = False, label: str = "") -> str | None:
    """Why a text is missing or too long (counted in grapheme clusters, as a resident sees characters)."""
    value = (value or "").strip()
    if not value:
        return f"{label}を入力してください。" if required else None
    if grapheme.length(value) > limit:
        return f"{limit}文字以内にしてください（いま{grapheme.length(value)}文字）。"
    return None


def url_problem(value: str | None) -> str | None:
    """Why a link cannot be sent in LINE (only https/http, at most 1000 characters)."""
    if not value:
        return None
    if len(value) > URL_MAX:
        return f"URLは{URL_MAX}文字以内にしてください。"
    if not value.lower().startswith(("https://", "http://")):
        return "URLは https:// で始まるものにしてください。"
    if not is_sendable_uri(value):
        return "URLに空白や改行を入れないでください（日本語を含むURLはブラウザのアドレス欄からコピーしてください）。"
    return None


def _check_common(values: dict, errors: dict) -> None:
    """Title, description and the short free-text fields every kind shares."""
    if (p := text_problem(values.get("title"), TITLE_MAX, required=True, label="タイトル")):
        errors["title"] = p
    desc_field = "body" if "body" in values else "description"
    if (p := text_problem(values.get(desc_field), DESCRIPTION_MAX, required=desc_field == "body", label="本文")):
        errors[desc_field] = p
    for name in ("place_name", "audience", "fee", "contact", "category"):
        if (p := text_problem(values.get(name), SHORT_TEXT_MAX)):
            errors[name] = p
    for name in ("url", "image_url"):
        if (p := url_problem(values.get(name))):
            errors[name] = p


def _check_span(values: dict, errors: dict, now_local: datetime, required: bool) -> None:
    """Start in the future, end after start."""
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if starts is None:
        if required:
            errors["starts_at"] = "開始日時を入力してください。"
    elif starts <= now_local:
        errors["starts_at"] = "開始日時は今より後にしてください。"
    if ends is not None:
        if starts is None:
            errors.setdefault("starts_at", "終了日時を入れるときは開始日時も入力してください。")
        elif ends <= starts:
            errors["ends_at"] = "終了日時は開始日時より後にしてください。"
        elif ends - starts > timedelta(days=31):
            errors["ends_at"] = "開催期間は31日以内にしてください。"


def _check_capacity(values: dict, errors: dict) -> None:
    """Capacity, when given, is at least one person."""
    capacity = values.get("capacity")
    if capacity is not None and (capacity < 1 or capacity > 100000):
        errors["capacity"] = "定員は1以上の数にしてください。"


def check_event(values: dict, now: datetime | None = None, tz: str = "Asia/Tokyo") -> dict[str, str]:
    """Problems with an event form, by field (empty = fine). Datetimes in `values` are local."""
    errors: dict[str, str] = {}
    now_local = to_local(now or utcnow(), tz)
    _check_common(values, errors)
    _check_span(values, errors, now_local, required=True)
    _check_capacity(values, errors)
    check_signup_values("events", values, errors, now_local)
    rule = values.get("recurrence") or "none"
    if rule not in RECURRENCES:
        errors["recurrence"] = "繰り返しの指定が正しくありません。"
    elif rule != "none":
        until, count = values.get("repeat_until"), values.get("repeat_count")
        if until is None and count is None:
            errors["repeat_count"] = "繰り返す回数か、終わりの日を入力してください。"
        if count is not None and not 2 <= count <= MAX_OCCURRENCES:
            errors["repeat_count"] = f"回数は2〜{MAX_OCCURRENCES}回にしてください。"
        starts = values.get("starts_at")
        if until is not None and starts is not None:
            if until < starts.date():
                errors["repeat_until"] = "終わりの日は開始日より後にしてください。"
            elif (until - starts.date()).days > MAX_SERIES_DAYS:
                errors["repeat_until"] = "繰り返しは1年以内にしてください。"
    return errors


def check_opportunity(values: dict, now: datetime | None = None, tz: str = "Asia/Tokyo") -> dict[str, str]:
    """Problems with a volunteer-opening form, by field."""
    errors: dict[str, str] = {}
    now_local = to_local(now or utcnow(), tz)
    _check_common(values, errors)
    _check_span(values, errors, now_local, required=False)
    _check_capacity(values, errors)
    check_signup_values("opportunities", values, errors, now_local)
    if values.get("kind") and values["kind"] not in OPPORTUNITY_KINDS:
        errors["kind"] = "種類を選んでください。"
    deadline = values.get("deadline")
    if deadline is not None:
        if deadline <= now_local:
            errors["deadline"] = "締切は今より後にしてください。"
        elif values.get("ends_at") and deadline > values["ends_at"]:
            errors["deadline"] = "締切は終了日時より前にしてください。"
    return errors


def check_notice(values: dict, now: datetime | None = None, tz: str = "Asia/Tokyo") -> dict[str, str]:
    """Problems with a notice form, by field: texts, link, translations, schedule, repeat, closure."""
    errors: dict[str, str] = {}
    _check_common(values, errors)
    for name, limit in (("title_en", TITLE_MAX), ("title_easy", TITLE_MAX), ("body_en", DESCRIPTION_MAX),
                        ("body_easy", DESCRIPTION_MAX)):
        if (p := text_problem(values.get(name), limit)):
            errors[name] = p
    for lang in ("en", "easy"):
        if (values.get(f"body_{lang}") or "").strip() and not (values.get(f"title_{lang}") or "").strip():
            errors[f"title_{lang}"] = "訳した本文には、訳したタイトルも入れてください。"
    if values.get("category") and values["category"] not in NOTICE_CATEGORIES:
        errors["category"] = "種類を選んでください。"
    send_at = values.get("send_at")
    repeat = values.get("repeat") or "none"
    if send_at is not None and send_at <= to_local(now or utcnow(), tz):
        errors["send_at"] = "配信日時は今より後にしてください（空欄なら承認後すぐ）。"
    if repeat not in NOTICE_REPEATS:
        errors["repeat"] = "繰り返しの指定が正しくありません。"
    elif repeat != "none":
        _check_repeat(values, repeat, errors)
    if values.get("category") == "closure":
        if not values.get("facility_id"):
            errors["facility_id"] = "休館する施設を選んでください。"
        if not values.get("closed_from"):
            errors["closed_from"] = "休館する日を入力してください。"
        elif values.get("closed_until") and values["closed_until"] < values["closed_from"]:
            errors["closed_until"] = "最後の日は最初の日と同じか後にしてください。"
    return errors


def _check_repeat(values: dict, repeat: str, errors: dict) -> None:
    """A repeat needs its first send time and what it repeats on."""
    if values.get("send_at") is None:
        errors["send_at"] = "繰り返すときは、最初の配信日時を入力してください（その時刻に毎回送ります）。"
    if repeat == "weekly" and not values.get("weekdays"):
        errors["weekdays"] = "曜日を選んでください。"
    if repeat == "monthly_days":
        days, problem = parse_month_days(values.get("month_days"))
        if problem or not days:
            errors["month_days"] = problem or "日にちを入力してください（例：1,15）。"
    if repeat == "monthly_nth" and (not values.get("nths") or not values.get("weekdays")):
        errors["nths"] = "第何週と曜日を選んでください（例：第2・土曜日）。"
    _dates, problem = parse_dates(values.get("skip_dates"))
    if problem:
        errors["skip_dates"] = problem
    until = values.get("repeat_until")
    if until is not None and values.get("send_at") is not None and until < values["send_at"].date():
        errors["repeat_until"] = "終わりの日は最初の配信日より後にしてください。"


def parse_month_days(text: str | None) -> tuple[list[int], str | None]:
    """「1,15」 → [1, 15], or a message naming what is wrong."""
    days = []
    for part in (text or "").replace("、", ",").replace("，", ",").split(","):
        part = part.strip().removesuffix("日")
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= 31:
            return [], f"「{part}」は日にちではありません（1〜31の数をカンマで区切ってください）。"
        days.append(int(part))
    return sorted(set(days)), None


def parse_dates(text: str | None) -> tuple[list[date], str | None]:
    """「2026-12-29, 2027/1/5」 → dates, or a message naming what is wrong."""
    out = []
    for part in (text or "").replace("、", ",").replace("，", ",").split(","):
        part = part.strip().replace("/", "-")
        if not part:
            continue
        try:
            year, month, day = (int(x) for x in part.split("-"))
            out.append(date(year, month, day))
        except ValueError:
            return [], f"「{part}」は日付ではありません（例：2026-12-29）。"
    return sorted(set(out)), None


def notice_recurrence(values: dict) -> dict | None:
    """The Notice.recurrence JSON from form values (None for a one-off)."""
    repeat = values.get("repeat") or "none"
    if repeat == "none":
        return None
    return notices.Repeat(freq=repeat, weekdays=tuple(sorted(int(w) for w in values.get("weekdays") or ())),
                          days=tuple(parse_month_days(values.get("month_days"))[0]),
                          nths=tuple(sorted(int(n) for n in values.get("nths") or ())),
                          until=values.get("repeat_until"),
                          except_dates=tuple(parse_dates(values.get("skip_dates"))[0])).to_dict()


def notice_segment_values(values: dict) -> dict:
    """The Notice.segment JSON from the form's checkboxes."""
    return notices.Segment.of({key: list(values.get(name) or []) for name, key in NOTICE_SEGMENT_FIELDS.items()}
                              ).to_dict()


CHECKS = {"events": check_event, "opportunities": check_opportunity, "notices": check_notice}


def check(kind: str, values: dict, now: datetime | None = None, tz: str = "Asia/Tokyo") -> dict[str, str]:
    """Problems with a form of any kind, by field."""
    return CHECKS[kind](values, now, tz)


# --- repeating events ---------------------------------------------------------------------------

def expand_occurrences(starts: datetime, ends: datetime | None, rule: str = "none",
                       until: date | None = None, count: int | None = None) -> list[tuple[datetime, datetime | None]]:
    """Local (start, end) pairs for a rule: weekly, biweekly, monthly_day or monthly_nth (第N X曜日, 5th = last)."""
    if rule in (None, "", "none"):
        return [(starts, ends)]
    duration = ends - starts if ends else None
    limit = min(count or MAX_OCCURRENCES, MAX_OCCURRENCES)
    # RFC 5545: either an end date or a count, never both; without an end the count (≤ 52) bounds it.
    bound = {"until": datetime.combine(until, time(23, 59, 59))} if until else {"count": limit}
    if rule == "weekly":
        dates = rrule(WEEKLY, dtstart=starts, **bound)
    elif rule == "biweekly":
        dates = rrule(WEEKLY, interval=2, dtstart=starts, **bound)
    elif rule == "monthly_day":
        dates = rrule(MONTHLY, bymonthday=starts.day, dtstart=starts, **bound)
    elif rule == "monthly_nth":
        nth = (starts.day - 1) // 7 + 1
        wd = weekday(starts.weekday(), -1 if nth == 5 else nth)
        dates = rrule(MONTHLY, byweekday=wd, dtstart=starts, **bound)
    else:
        raise ValueError(f"unknown recurrence {rule!r}")
    out = [(d, d + duration if duration else None) for d in dates.xafter(starts - timedelta(seconds=1), limit, inc=True)]
    return out or [(starts, ends)]


def infer_recurrence(rows: list[Event], tz: str = "Asia/Tokyo") -> str:
    """The rule that produced a series (for the edit form), from the gap between its first two dates."""
    if len(rows) < 2:
        return "none"
    first, second = to_local(rows[0].starts_at, tz), to_local(rows[1].starts_at, tz)
    gap = (second - first).days
    if gap == 7:
        return "weekly"
    if gap == 14:
        return "biweekly"
    return "monthly_day" if first.day == second.day else "monthly_nth"


# --- access -------------------------------------------------------------------------------------

def require_access(actor, record) -> None:
    """Raise Forbidden unless the user may see this record (staff: all; org: its own)."""
    if not can_access_organization(actor, getattr(record, "organization_id", None)):
        raise Forbidden("not your organization's record")


def require_staff(actor) -> None:
    """Raise Forbidden unless the user is staff or admin."""
    if not is_staff(actor):
        raise Forbidden("staff only")


def get_post(session, actor, kind: str, record_id: int):
    """The record of that kind and id, checked against the user's organization."""
    record = session.get(KINDS[kind], record_id)
    if record is None:
        raise LookupError(f"{kind} {record_id}")
    require_access(actor, record)
    return record


def series_rows(session, record) -> list:
    """Every row a post consists of: all occurrences of a repeating event, else the record itself."""
    if isinstance(record, Event) and record.series_key:
        stmt = select(Event).where(Event.series_key == record.series_key).order_by(Event.starts_at, Event.id)
        return list(session.exec(stmt).all())
    return [record]


# --- create and edit ----------------------------------------------------------------------------

_EVENT_COPY = ("title", "description", "category", "place_name", "audience", "fee", "capacity", "contact",
               "url", "image_url", "facility_id", "chat_signup", "apply_method")
_OPPORTUNITY_COPY = ("title", "description", "kind", "place_name", "audience", "capacity", "contact", "url",
                     "facility_id", "chat_signup", "apply_method")
_NOTICE_COPY = ("title", "body", "topics", "districts", "image_url", "url", "title_en", "body_en", "title_easy",
                "body_easy", "category", "urgent", "facility_id", "closed_from", "closed_until")


def _clean(value):
    """Strip text and turn empty strings into None."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _owner_org(session, actor, values: dict) -> Organization | None:
    """The organization a post belongs to: the org user's own; staff may pick one (or none = the city)."""
    org_id = actor.organization_id if actor.role == "org" else values.get("organization_id")
    return session.get(Organization, org_id) if org_id else None


def _apply_place(session, row, values: dict) -> None:
    """Copy the chosen facility's name, district, address and location onto the row."""
    facility = session.get(Facility, values["facility_id"]) if values.get("facility_id") else None
    row.facility_id = facility.id if facility else None
    if facility:
        row.place_name = _clean(values.get("place_name")) or facility.name
        row.district = facility.district
        if isinstance(row, Event):
            row.address, row.latitude, row.longitude = facility.address, facility.latitude, facility.longitude


def _fill(session, row, kind: str, values: dict, tz: str) -> None:
    """Copy form values onto a row (not its owner or status)."""
    fields = {"events": _EVENT_COPY, "opportunities": _OPPORTUNITY_COPY, "notices": _NOTICE_COPY}[kind]
    for name in fields:
        if name in values:
            value = _clean(values[name])
            if name in ("topics", "districts"):
                value = list(value or [])
            setattr(row, name, value)
    if kind == "notices":
        row.body = row.body or ""
        row.send_at = to_utc(values.get("send_at"), tz)
        row.category = row.category or "general"
        row.urgent = bool(row.urgent)
        row.segment = notice_segment_values(values)
        row.recurrence = notice_recurrence(values)
        if row.category != "closure":
            row.facility_id = row.closed_from = row.closed_until = None
    if kind == "opportunities":
        row.kind = row.kind or "volunteer"
        row.starts_at, row.ends_at = to_utc(values.get("starts_at"), tz), to_utc(values.get("ends_at"), tz)
        row.deadline = to_utc(values.get("deadline"), tz)
    if kind in ("events", "opportunities"):
        _apply_place(session, row, values)
    row.updated_at = utcnow()


def build_preview(session, kind: str, values: dict, actor=None, tz: str = "Asia/Tokyo"):
    """An unsaved record from form values, for the live preview (never added to the session)."""
    row = KINDS[kind](source_key="preview", title="") if kind != "notices" else Notice(title="", body="")
    _fill(session, row, kind, values, tz)
    if kind == "events":
        row.starts_at, row.ends_at = to_utc(values.get("starts_at"), tz), to_utc(values.get("ends_at"), tz)
        row.signup_deadline = deadline_for(values, values.get("starts_at"), tz)
    org = _owner_org(session, actor, values) if actor is not None else None
    row.organization_id = org.id if org else None
    if kind != "notices":
        row.organizer = org.name if org else getattr(row, "organizer", None)
    row.title = row.title or ""
    return row


def create_post(session, actor, kind: str, values: dict, *, tz: str = "Asia/Tokyo", address: str | None = None):
    """Save a new draft (a repeating event becomes one row per occurrence); returns the first row."""
    org = _owner_org(session, actor, values)
    if actor.role == "org" and org is None:
        raise Forbidden("org user without an organization")
    if kind == "events":
        rows = _new_event_rows(session, actor, values, org, tz)
        head = rows[0]
    else:
        head = KINDS[kind](source_key=uuid.uuid4().hex, title="") if kind == "opportunities" \
            else Notice(title="", body="")
        if kind == "opportunities":
            head.source = "console"
            head.organizer = org.name if org else None
        _fill(session, head, kind, values, tz)
        head.organization_id = org.id if org else None
        head.status = "draft"
        head.created_by = actor.id
        session.add(head)
        rows = [head]
    session.flush()
    audit.record(session, actor, "post", RECORD_TYPES[kind], head.id,
                 detail=f"{len(rows)}件" if len(rows) > 1 else None, address=address)
    return head


def _new_event_rows(session, actor, values: dict, org, tz: str) -> list[Event]:
    """Rows for a new event, one per occurrence, sharing a series key when it repeats."""
    spans = expand_occurrences(values["starts_at"], values.get("ends_at"), values.get("recurrence") or "none",
                               values.get("repeat_until"), values.get("repeat_count"))
    key = uuid.uuid4().hex
    series_key = f"console-{key}" if len(spans) > 1 else None
    rows = []
    for n, (starts, ends) in enumerate(spans):
        row = Event(source="console", source_key=f"{key}-{n}", series_key=series_key, title="",
                    organization_id=org.id if org else None, organizer=org.name if org else None,
                    status="draft", created_by=actor.id)
        _fill(session, row, "events", values, tz)
        row.starts_at, row.ends_at = to_utc(starts, tz), to_utc(ends, tz)
        row.signup_deadline = deadline_for(values, starts, tz)
        session.add(row)
        rows.append(row)
    return rows


def can_edit(actor, record) -> bool:
    """Org users edit drafts, rejected and withdrawn posts; staff edit anything not imported."""
    if getattr(record, "source", "console") != "console":
        return False  # imported rows are refreshed by the next import; edit the source instead
    if is_staff(actor):
        return record.status not in ("sent",)
    return can_access_organization(actor, record.organization_id) and record.status in EDITABLE_BY_ORG


def update_post(session, actor, kind: str, record, values: dict, *, tz: str = "Asia/Tokyo",
                address: str | None = None):
    """Save changes to a post (all occurrences of a repeating event); returns its first row."""
    require_access(actor, record)
    if not can_edit(actor, record):
        raise PostStateError("この状態の投稿は編集できません。")
    rows = series_rows(session, record)
    if kind == "events":
        rows = _reschedule(session, actor, rows, values, tz)
    org = _owner_org(session, actor, values) if is_staff(actor) else None
    for row in rows:
        _fill(session, row, kind, values, tz)
        if is_staff(actor) and "organization_id" in values:
            row.organization_id = org.id if org else None
            if kind != "notices":
                row.organizer = org.name if org else None
        session.add(row)
    session.flush()
    if kind == "notices" and rows[0].status == "approved":
        notices.requeue(session, rows[0], tz=tz)  # what was queued carried the old text or segment
    after_item_saved(session, rows, utcnow())
    audit.record(session, actor, "edit", RECORD_TYPES[kind], rows[0].id, address=address)
    return rows[0]


def _reschedule(session, actor, rows: list[Event], values: dict, tz: str) -> list[Event]:
    """Move a series onto new dates, reusing rows in order (ids stay stable), adding or removing the rest."""
    spans = expand_occurrences(values["starts_at"], values.get("ends_at"), values.get("recurrence") or "none",
                               values.get("repeat_until"), values.get("repeat_count"))
    head = rows[0]
    series_key = head.series_key or (f"console-{uuid.uuid4().hex}" if len(spans) > 1 else None)
    for extra in rows[len(spans):]:
        session.delete(extra)
    kept = rows[:len(spans)]
    for n, (starts, ends) in enumerate(spans):
        if n < len(kept):
            row = kept[n]
        else:
            row = Event(source="console", source_key=f"{uuid.uuid4().hex}-{n}", title="", status=head.status,
                        organization_id=head.organization_id, organizer=head.organizer, created_by=actor.id,
                        reject_reason=head.reject_reason)
            kept.append(row)
        row.series_key = series_key if len(spans) > 1 else None
        row.starts_at, row.ends_at = to_utc(starts, tz), to_utc(ends, tz)
        row.signup_deadline = deadline_for(values, starts, tz)
        session.add(row)
    return kept


def form_values(session, kind: str, record, tz: str = "Asia/Tokyo") -> dict:
    """A saved post as form values (local times; a series as its first date, rule and count)."""
    rows = series_rows(session, record)
    head = rows[0]
    fields = {"events": _EVENT_COPY, "opportunities": _OPPORTUNITY_COPY, "notices": _NOTICE_COPY}[kind]
    values = {name: getattr(head, name) for name in fields}
    values["organization_id"] = head.organization_id
    if kind in ("events", "opportunities"):
        values["starts_at"], values["ends_at"] = to_local(head.starts_at, tz), to_local(head.ends_at, tz)
    if kind == "opportunities":
        values["deadline"] = to_local(head.deadline, tz)
    if kind == "notices":
        values["send_at"] = to_local(head.send_at, tz)
        segment = notices.notice_segment(head)
        for name, key in NOTICE_SEGMENT_FIELDS.items():
            values[name] = list(segment.values(key))
        repeat = notices.Repeat.of(head.recurrence)
        values["repeat"] = repeat.freq if repeat else "none"
        if repeat:
            values["weekdays"], values["nths"] = list(repeat.weekdays), list(repeat.nths)
            values["month_days"] = ",".join(str(d) for d in repeat.days)
            values["repeat_until"] = repeat.until
            values["skip_dates"] = ", ".join(d.isoformat() for d in repeat.except_dates)
    if kind == "events":
        values["signup_deadline"] = to_local(head.signup_deadline, tz)
        values["recurrence"] = infer_recurrence(rows, tz)
        values["repeat_count"] = len(rows) if len(rows) > 1 else None
        values["repeat_until"] = None
    return values


# --- the approval flow --------------------------------------------------------------------------

def _set_status(session, record, status: str, reason: str | None = None) -> list:
    """Move every row of a post to a status."""
    rows = series_rows(session, record)
    for row in rows:
        row.status = status
        row.reject_reason = reason
        row.updated_at = utcnow()
        session.add(row)
    return rows


def submit(session, actor, kind: str, record, *, address: str | None = None) -> None:
    """Send a draft (or a rejected or withdrawn post, after edits) to staff for approval."""
    require_access(actor, record)
    if record.status not in SUBMITTABLE:
        raise PostStateError("下書き・差し戻し・取り下げの投稿だけ承認申請できます。")
    _set_status(session, record, "pending")
    audit.record(session, actor, "submit", RECORD_TYPES[kind], record.id, address=address)


def approve(session, actor, kind: str, record, *, address: str | None = None, tz: str = "Asia/Tokyo") -> None:
    """Staff approve a pending post: residents can find it at once; a notice is queued for the scheduler."""
    require_staff(actor)
    if record.status != "pending":
        raise PostStateError("承認待ちの投稿だけ承認できます。")
    rows = _set_status(session, record, "approved")
    for row in rows:
        if isinstance(row, Notice):
            row.approved_by = actor.id
        else:
            row.active = True
    if isinstance(record, Notice):
        session.flush()
        notices.queue_notice(session, record, tz=tz)
    audit.record(session, actor, "approve", RECORD_TYPES[kind], record.id, address=address)


def reject(session, actor, kind: str, record, reason: str, *, address: str | None = None) -> None:
    """Staff send a pending post back with a reason the organization sees."""
    require_staff(actor)
    if record.status != "pending":
        raise PostStateError("承認待ちの投稿だけ差し戻せます。")
    reason = (reason or "").strip()
    if (problem := text_problem(reason, REASON_MAX, required=True, label="差し戻しの理由")):
        raise PostStateError(problem)
    _set_status(session, record, "rejected", reason)
    audit.record(session, actor, "reject", RECORD_TYPES[kind], record.id, detail=reason, address=address)


def withdraw(session, actor, kind: str, record, *, address: str | None = None) -> None:
    """Take a pending or approved post down (the owner organization or staff); residents no longer see it."""
    require_access(actor, record)
    if record.status not in WITHDRAWABLE or getattr(record, "source", "console") != "console":
        raise PostStateError("この投稿は取り下げできません。")
    _set_status(session, record, "withdrawn")
    if isinstance(record, Notice):
        notices.cancel_open(session, record.id)  # nothing more is pushed
    audit.record(session, actor, "withdraw", RECORD_TYPES[kind], record.id, address=address)


def delete_post(session, actor, kind: str, record, *, address: str | None = None) -> None:
    """Delete a draft, rejected or withdrawn post for good (all occurrences)."""
    require_access(actor, record)
    if record.status not in DELETABLE:
        raise PostStateError("公開中・承認待ちの投稿は削除できません（先に取り下げてください）。")
    rows = series_rows(session, record)
    audit.record(session, actor, "delete", RECORD_TYPES[kind], record.id,
                 detail=grapheme.slice(record.title or "", 0, 100), address=address)
    for row in rows:
        session.delete(row)


# --- what residents receive -------------------------------------------------------------------

def notice_message(notice, org_name: str | None = None, facility_name: str | None = None) -> dict:
    """The LINE message a notice is pushed as to Japanese readers (the console preview draws this same dict)."""
    return notices.notice_message(notice, "ja", org_name, facility_name)


# --- lists and the queue ------------------------------------------------------------------------

def _series_heads(stmt):
    """Keep one row per repeating event (its first id) so a weekly class is listed once."""
    firsts = select(func.min(Event.id)).where(Event.series_key.is_not(None)).group_by(Event.series_key)
    return stmt.where(or_(Event.series_key.is_(None), Event.id.in_(firsts)))


def list_posts(session, actor, kind: str, filters: dict | None = None, page=1, per_page=20,
               tz: str = "Asia/Tokyo") -> Page:
    """Posts of one kind the user may see, filtered (q, status, organization_id, facility_id, date_from,
    date_to, source) and paged; events newest date first, others newest change first."""
    model, filters = KINDS[kind], filters or {}
    stmt = select(model)
    if actor.role == "org":
        stmt = stmt.where(model.organization_id == actor.organization_id)
    elif filters.get("organization_id"):
        stmt = stmt.where(model.organization_id == int(filters["organization_id"]))
    if filters.get("q"):
        stmt = stmt.where(model.title.contains(filters["q"].strip(), autoescape=True))
    if filters.get("status"):
        stmt = stmt.where(model.status == filters["status"])
    if kind != "notices":
        if filters.get("facility_id"):
            stmt = stmt.where(model.facility_id == int(filters["facility_id"]))
        if filters.get("source") == "console":
            stmt = stmt.where(model.source == "console")
        elif filters.get("source") == "import":
            stmt = stmt.where(model.source != "console")
    date_column = model.send_at if kind == "notices" else model.starts_at
    if filters.get("date_from"):
        stmt = stmt.where(date_column >= to_utc(datetime.combine(filters["date_from"], time()), tz))
    if filters.get("date_to"):
        stmt = stmt.where(date_column < to_utc(datetime.combine(filters["date_to"] + timedelta(days=1), time()), tz))
    if kind == "events":
        stmt = _series_heads(stmt).order_by(Event.starts_at.desc(), Event.id.desc())
    else:
        stmt = stmt.order_by(model.updated_at.desc(), model.id.desc())
    # per_page comes from code (20 for a page, the export's limit for a CSV), never from a query string.
    return paginate(session, stmt, page, per_page, most=max(per_page, MAX_PER_PAGE))


@dataclass
class QueueItem:
    """One pending post in the staff queue."""

    kind: str
    record: object
    occurrences: int = 1

    @property
    def kind_label(self) -> str:
        """The kind in Japanese."""
        return KIND_LABELS[self.kind]

    @property
    def due_at(self) -> datetime | None:
        """When the item happens or goes out: an event's start, an opening's deadline or start (the earlier), a
        notice's send time; None for a notice sent on approval (the most urgent of all)."""
        record = self.record
        if self.kind == "notices":
            return record.send_at
        dates = [d for d in (getattr(record, "deadline", None), record.starts_at) if d is not None]
        return min(dates) if dates else None

    @property
    def due_label(self) -> str:
        """What due_at is, in Japanese."""
        if self.kind == "notices":
            return "配信"
        record = self.record
        deadline = getattr(record, "deadline", None)
        return "締切" if deadline is not None and (record.starts_at is None or deadline <= record.starts_at) else "開催"

    def urgency(self) -> tuple:
        """Sort key: notices sent on approval first, then the soonest date, then undated items; within each, the
        longest waiting first."""
        due = self.due_at
        rank = 1 if due is not None else (0 if self.kind == "notices" else 2)
        return (rank, due or datetime.min, self.record.updated_at, self.record.id)


def pending_queue(session, actor, page=1, per_page=20) -> Page:
    """Pending posts of every kind, most urgent first: by the item's own date, then the longest waiting (staff only)."""
    require_staff(actor)
    items: list[QueueItem] = []
    for kind, model in KINDS.items():
        stmt = select(model).where(model.status == "pending")
        if kind == "events":
            stmt = _series_heads(stmt)
        for row in session.exec(stmt).all():
            count = len(series_rows(session, row)) if kind == "events" and row.series_key else 1
            items.append(QueueItem(kind, row, count))
    items.sort(key=QueueItem.urgency)
    return page_of(items, page, per_page)


def count_pending(session) -> int:
    """How many posts wait for approval (for the dashboard)."""
    total = 0
    for kind, model in KINDS.items():
        stmt = select(func.count()).select_from(model).where(model.status == "pending")
        if kind == "events":
            stmt = select(func.count()).select_from(_series_heads(select(Event.id).where(Event.status == "pending"))
                                                    .subquery())
        total += int(session.exec(stmt).one())
    return total
