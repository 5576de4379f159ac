"""Console pages for pushing notices: the approval confirmation (count and quota), and the delivery reports."""
from __future__ import annotations

import logging

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import select

from bot.admin.auth import db, forbidden_to_403, staff_required
from bot.admin.forms import ActionForm
from content import deliveries, notices, posts
from content.quiet_hours import next_allowed_time, parse_quiet_hours
from models import Delivery, Notice, utcnow

log = logging.getLogger(__name__)
STATE_LABELS = {"queued": "配信待ち", "held": "保留中", "sending": "配信中", "done": "配信済み", "failed": "失敗",
                "cancelled": "中止"}


def runtime():
    """The app's config and messenger."""
    return current_app.extensions["tsunagari"]


def quota_info(needed: int) -> dict:
    """This month's quota as LINE reports it, and whether `needed` pushes fit (never an error page)."""
    try:
        quota = runtime().messenger.quota()
    except Exception as exc:  # the page still works without LINE's figures; the scheduler checks again
        log.warning("quota lookup failed: %s", type(exc).__name__)
        return {"known": False}
    limited = quota.get("type") == "limited" and quota.get("value") is not None
    left = max(0, int(quota["value"]) - int(quota.get("used") or 0)) if limited else None
    return {"known": True, "limited": limited, "value": quota.get("value"), "used": quota.get("used") or 0,
            "left": left, "problem": deliveries.quota_shortfall(quota, needed)}


def schedule_text(notice: Notice, tz: str) -> str:
    """When the notice goes out, in words: 承認後すぐ / a date / a repeat."""
    repeat = notices.Repeat.of(notice.recurrence)
    when = "承認後すぐ" if notice.send_at is None else _local(notice.send_at, tz)
    return f"{repeat.describe()}（初回 {when}）" if repeat else when


def _local(moment, tz: str) -> str:
    """Naive UTC as 2026年12月5日(土) 10:00."""
    from bot.admin.templating import local_time

    return local_time(moment)


def quiet_note(notice: Notice) -> str | None:
    """A warning when a notice that is not urgent would be sent inside quiet hours."""
    config = runtime().config
    quiet = parse_quiet_hours(config.quiet_hours)
    if quiet is None or notice.urgent:
        return None
    when = notice.send_at or utcnow()
    if next_allowed_time(when, quiet, config.tz) != when:
        return f"配信停止時間（{quiet.label()}）にかかるため、終わりしだい配信します。急ぐときは「緊急」にしてください。"
    return None


@staff_required
@forbidden_to_403
def notice_confirm(post_id: int):
    """Before staff approve a notice: who and how many it reaches, when, and the quota it uses."""
    session = db()
    notice = posts.get_post(session, current_user, "notices", post_id)
    if notice.status != "pending":
        flash("承認待ちのお知らせではありません。", "error")
        return redirect(url_for("admin.post_show", kind="notices", post_id=post_id))
    count = notices.reach(session, notice)
    return render_template("admin/notice_confirm.html", record=notice, count=count,
                           segment=notices.notice_segment(notice).describe(),
                           schedule=schedule_text(notice, runtime().config.tz), quota=quota_info(count),
                           quiet=quiet_note(notice), action_form=ActionForm(), next=request.args.get("next", ""))


def confirmed_count_matches(session, notice: Notice) -> bool:
    """True when the approval form carries the count staff saw and it is still the count now."""
    return request.form.get("confirm_count", "") == str(notices.reach(session, notice))


@staff_required
def delivery_list():
    """The latest deliveries of every kind, with their state and counts."""
    session = db()
    rows = deliveries.recent_deliveries(session, 100)
    ids = [d.ref_id for d in rows if d.kind == "notice" and d.ref_id]
    titles = dict(session.exec(select(Notice.id, Notice.title).where(Notice.id.in_(ids))).all()) if ids else {}
    return render_template("admin/deliveries.html", rows=rows, titles=titles, labels=STATE_LABELS)


@forbidden_to_403
def delivery_show(delivery_id: int):
    """One delivery's report: recipients, batches, sent, skipped, failed, API requests, start and end."""
    session = db()
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        abort(404)
    notice = session.get(Notice, delivery.ref_id) if delivery.kind == "notice" and delivery.ref_id else None
    if notice is not None:
        posts.require_access(current_user, notice)  # an organization sees its own notices' reports
    elif not current_user.is_staff:
        abort(403)
    report = deliveries.delivery_report(session, delivery_id, runtime().config.tz)
    return render_template("admin/delivery.html", report=report, notice=notice, labels=STATE_LABELS,
                           action_form=ActionForm())


def notice_deliveries(session, notice: Notice) -> list[Delivery]:
    """A notice's deliveries for its page (newest first)."""
    return deliveries.deliveries_for(session, "notice", notice.id)


def register(bp) -> None:
    """Add the notice delivery pages to the console blueprint."""
    bp.add_url_rule("/notices/<int:post_id>/confirm", "notice_confirm", notice_confirm)
    bp.add_url_rule("/deliveries/", "delivery_list", delivery_list)
    bp.add_url_rule("/deliveries/<int:delivery_id>", "delivery_show", delivery_show)
