"""Console pages for sign-ups: items taking them, each item's list (sign-ups, waitlist, attendance) with
check-in by code or by hand and its CSV, the check-in page a scanned QR opens, and the numbers."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import select

from bot.admin.auth import client_address, db, forbidden_to_403, staff_required
from bot.admin.forms import ActionForm
from content import audit, posts
from content.signups import checkin, ledger
from content.signups.items import CODES, KIND_CODES, get_item, kind_of
from models import Event, Opportunity, Organization, Signup, SignupReminder, utcnow

KIND_PATH = "<any(e,o):code>"
OUTCOMES = {
    "marked": ("success", "出席にしました：受付番号{number}（受付コード {code}）"),
    "already": ("info", "すでに出席になっています（受付コード {code}）。"),
    "not_going": ("error", "受付コード {code} は、キャンセル待ちかキャンセル済みの申し込みです。"),
    "not_found": ("error", "受付コード「{code}」は見つかりませんでした。もう一度確かめてください。"),
    "other_item": ("error", "受付コード {code} は、別の催し（{title}）の申し込みです。"),
    "forbidden": ("error", "受付コード {code} は、ほかの団体の催しの申し込みです。"),
}


def tz() -> str:
    """The city's time zone."""
    return current_app.extensions["tsunagari"].config.tz


def local_text(value) -> str:
    """A naive UTC time as local 2026-12-05 10:00 ('' for none), for CSV."""
    return posts.to_local(value, tz()).strftime("%Y-%m-%d %H:%M") if value else ""


def item_or_404(code: str, item_id: int):
    """The item behind a URL, checked against the user's organization."""
    item = get_item(db(), code, item_id)
    if item is None:
        abort(404)
    posts.require_access(current_user, item)
    return item


def signup_items(session, actor, upcoming: bool) -> list:
    """Items taking sign-ups (or having some) that the user may see: coming ones soonest first, or past ones."""
    now = utcnow()
    found = []
    for model in (Event, Opportunity):
        stmt = select(model).where(model.chat_signup == True)  # noqa: E712
        if actor.role == "org":
            stmt = stmt.where(model.organization_id == actor.organization_id)
        if upcoming:
            stmt = stmt.where((model.starts_at.is_(None)) | (model.starts_at >= now))
        else:
            stmt = stmt.where(model.starts_at < now)
        found += session.exec(stmt.limit(500)).all()
    found.sort(key=lambda item: (item.starts_at is None, item.starts_at or now), reverse=not upcoming)
    return found


def counts_for(session, items: list) -> dict:
    """(kind, id) → status counts and attended, for the list of items."""
    from sqlmodel import func

    from models import Attendance

    out: dict = {}
    for kind in ("event", "opportunity"):
        ids = [i.id for i in items if kind_of(i) == kind]
        if not ids:
            continue
        for item_id, status, n in session.exec(select(Signup.item_id, Signup.status, func.count(Signup.id))
                                               .where(Signup.item_kind == kind, Signup.item_id.in_(ids))
                                               .group_by(Signup.item_id, Signup.status)).all():
            out.setdefault((kind, item_id), {})[status] = n
        for item_id, n in session.exec(select(Attendance.item_id, func.count(Attendance.id))
                                       .where(Attendance.item_kind == kind, Attendance.item_id.in_(ids))
                                       .group_by(Attendance.item_id)).all():
            out.setdefault((kind, item_id), {})["attended"] = n
    return out


def signups_index():
    """Items taking sign-ups, with how many are going, waiting and came."""
    upcoming = request.args.get("past") != "1"
    session = db()
    items = signup_items(session, current_user, upcoming)
    return render_template("admin/signups.html", items=items, counts=counts_for(session, items), upcoming=upcoming,
                           codes=CODES, kind_of=kind_of)


def push_costs(session, item) -> dict:
    """The pushes this item's sign-ups cost: the reminder (to be sent or sent) and the waitlist promotions."""
    kind = kind_of(item)
    reminder = session.exec(select(SignupReminder).where(SignupReminder.item_kind == kind,
                                                         SignupReminder.item_id == item.id)).first()
    delivery = None
    if reminder is not None and reminder.delivery_id:
        from models import Delivery

        delivery = session.get(Delivery, reminder.delivery_id)
    promoted = session.exec(select(Signup.id).where(Signup.item_kind == kind, Signup.item_id == item.id,
                                                    Signup.promoted_at.is_not(None))).all()
    return {"reminder": reminder, "delivery": delivery, "promotions": len(promoted)}


@forbidden_to_403
def signup_item(code: str, item_id: int):
    """One item: counts, the check-in box, the list with attendance toggles, the pushes it costs, and CSV."""
    item = item_or_404(code, item_id)
    session = db()
    lines = ledger.item_lines(session, item)
    return render_template("admin/signup_item.html", item=item, code=code, lines=lines,
                           counts=ledger.item_counts(lines), costs=push_costs(session, item),
                           action_form=ActionForm(), status_labels=ledger.STATUS_LABELS,
                           via_labels=ledger.VIA_LABELS, kind_label=posts.KIND_LABELS[
                               "events" if kind_of(item) == "event" else "opportunities"])


@forbidden_to_403
def signup_export(code: str, item_id: int):
    """The item's list as CSV (UTF-8 with BOM, Japanese header row); the export is audited."""
    item = item_or_404(code, item_id)
    session = db()
    body = ledger.export_csv(ledger.item_lines(session, item), local_text)
    audit.record(session, current_user, "export", kind_of(item), item.id, detail="申込一覧", address=client_address())
    session.commit()
    response = current_app.response_class(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename=signups-{code}{item_id}.csv"
    return response


def flash_outcome(result, typed: str) -> None:
    """Say what a check-in came to, in words an organizer at the door understands."""
    category, message = OUTCOMES[result.outcome]
    number = ""
    if result.outcome == "marked" and result.item is not None:
        numbers = {line.signup.id: line.number for line in ledger.item_lines(db(), result.item)}
        number = numbers.get(result.signup.id, "")
    code = result.signup.checkin_code if result.signup is not None else checkin.normalize_code(typed) or typed[:20]
    flash(message.format(code=code, number=number, title=result.item.title if result.item else ""), category)


@forbidden_to_403
def signup_mark(code: str, item_id: int, signup_id: int):
    """Mark (or, with undo, unmark) one sign-up's attendance by hand from the list."""
    item = item_or_404(code, item_id)
    session = db()
    signup = session.get(Signup, signup_id)
    if signup is None or (signup.item_kind, signup.item_id) != (kind_of(item), item.id):
        abort(404)
    if request.form.get("undo"):
        if checkin.undo_check_in(session, current_user, signup, address=client_address()):
            flash(f"受付コード {signup.checkin_code} の出席を取り消しました。", "info")
    else:
        flash_outcome(checkin.check_in(session, current_user, signup, via="list", now=utcnow(), tz=tz(),
                                       address=client_address()), signup.checkin_code)
    session.commit()
    return redirect(url_for("admin.signup_item", code=code, item_id=item_id) + f"#s{signup_id}")


def checkin_page():
    """Check in by code: typed (POST), or opened from a scanned QR (GET ?code=…, confirmed with one tap)."""
    session = db()
    item_ref = request.values.get("item", "")
    item = None
    if item_ref[:1] in KIND_CODES and item_ref[1:].isdigit():
        item = get_item(session, item_ref[:1], item_ref[1:])
        if item is not None and not posts.can_access_organization(current_user, item.organization_id):
            item = None
    if request.method == "POST":
        typed = request.form.get("code", "")
        signup = checkin.find_by_code(session, typed)
        result = checkin.check_in(session, current_user, signup, via="code", now=utcnow(), tz=tz(),
                                  item_kind=kind_of(item) if item is not None else None,
                                  item_id=item.id if item is not None else None, address=client_address())
        flash_outcome(result, typed)
        session.commit()
        if item is not None:
            return redirect(url_for("admin.signup_item", code=CODES[kind_of(item)], item_id=item.id) + "#checkin")
        return redirect(url_for("admin.checkin_page"))
    scanned = request.args.get("code", "")
    pending = checkin.find_by_code(session, scanned) if scanned else None
    pending_item = get_item(session, pending.item_kind, pending.item_id) if pending is not None else None
    if pending_item is not None and not posts.can_access_organization(current_user, pending_item.organization_id):
        pending, pending_item = None, None
    if scanned and pending is None:
        flash(OUTCOMES["not_found"][1].format(code=checkin.normalize_code(scanned) or scanned[:20]), "error")
    return render_template("admin/checkin.html", action_form=ActionForm(), item=item, pending=pending,
                           pending_item=pending_item, codes=CODES, kind_of=kind_of,
                           already=checkin.attendance_of(session, pending) if pending is not None else None)


def parse_day(value: str | None) -> date | None:
    """A yyyy-mm-dd query value, or None."""
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


@staff_required
def signup_numbers():
    """Counts per event, organization, district and month, for the plan (CSV with ?format=csv)."""
    session = db()
    start, end = parse_day(request.args.get("from")), parse_day(request.args.get("to"))
    orgs = {o.id: o.name for o in session.exec(select(Organization)).all()}
    tables = {"items": ledger.signups_by_item(session, start, end),
              "organizations": ledger.attendance_by(session, "organization", start, end),
              "districts": ledger.attendance_by(session, "district", start, end),
              "months": ledger.attendance_by(session, "month", start, end)}
    if request.args.get("format") == "csv":
        return numbers_csv(tables, orgs)
    period = {name: day.isoformat() for name, day in (("from", start), ("to", end)) if day}
    return render_template("admin/signup_numbers.html", tables=tables, orgs=orgs, start=start, end=end, period=period)


def numbers_csv(tables: dict, orgs: dict):
    """The numbers as one CSV (UTF-8 with BOM), a block per table."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["表", "項目", "日時", "団体", "定員", "参加", "キャンセル待ち", "キャンセル", "出席（延べ）", "出席者数"])
    for row in tables["items"]:
        writer.writerow(["催し別", row["title"], local_text(row["starts_at"]), row["organization"], row["capacity"] or "",
                         row["going"], row["waitlisted"], row["cancelled"], row["attended"], ""])
    for name, label in (("organizations", "団体別"), ("districts", "地区別"), ("months", "月別")):
        for row in tables[name]:
            key = orgs.get(row["key"], "") if name == "organizations" else (row["key"] or "（未回答）")
            shown = ("非表示（1〜9人）", "非表示（1〜9人）") if row["suppressed"] else (row["visits"], row["people"])
            writer.writerow([label, key, "", "", "", "", "", "", *shown])
    audit.record(db(), current_user, "export", "attendance", None, detail="参加・出席の集計", address=client_address())
    db().commit()
    response = current_app.response_class("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=attendance-numbers.csv"
    return response


def register(bp) -> None:
    """Add the sign-up pages to the console blueprint."""
    bp.add_url_rule("/signups/", "signups_index", signups_index)
    bp.add_url_rule("/signups/numbers", "signup_numbers", signup_numbers)
    bp.add_url_rule(f"/signups/{KIND_PATH}<int:item_id>", "signup_item", signup_item)
    bp.add_url_rule(f"/signups/{KIND_PATH}<int:item_id>/export.csv", "signup_export", signup_export)
    bp.add_url_rule(f"/signups/{KIND_PATH}<int:item_id>/mark/<int:signup_id>", "signup_mark", signup_mark,
                    methods=["POST"])
    bp.add_url_rule("/checkin", "checkin_page", checkin_page, methods=["GET", "POST"])
