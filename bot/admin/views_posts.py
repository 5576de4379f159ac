"""Console pages for posts: lists, forms with live preview, the approval queue, and each step of the flow."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import select
from werkzeug.datastructures import MultiDict

from bot.admin.auth import client_address, db, forbidden_to_403, staff_required
from bot.admin.forms import FORMS, ActionForm, RejectForm, choices
from bot.admin.preview import line_problems, preview_message
from bot.admin.uploads import ImageRejected, save_image
from content import posts
from content.paging import clamp_page
from content.post_exports import export_rows
from models import District, Facility, Organization, scheduler_running

KIND_PATH = "<any(events,opportunities,notices):kind>"


def tz() -> str:
    """The city's time zone from the app's Config."""
    return current_app.extensions["tsunagari"].config.tz


def build_form(kind: str, formdata=None, data: dict | None = None):
    """A post form with its choices filled (facilities, districts, organizations for staff)."""
    form = FORMS[kind](formdata=formdata, data=data)
    session = db()
    if hasattr(form, "facility_id"):
        rows = session.exec(select(Facility).where(Facility.active == True).order_by(Facility.name)).all()  # noqa: E712
        form.facility_id.choices = choices([("", "選択しない")] + [(f.id, f.name) for f in rows])
    if hasattr(form, "districts"):
        districts = session.exec(select(District).order_by(District.position, District.name)).all()
        form.districts.choices = choices((d.name, d.name) for d in districts)
    if current_user.is_staff:
        orgs = session.exec(select(Organization).order_by(Organization.name)).all()
        form.organization_id.choices = choices([("", "市（団体なし）")] + [(o.id, o.name) for o in orgs])
    else:
        del form.organization_id
    return form


def form_values(form) -> dict:
    """The parsed values of a post form, keyed as content.posts expects."""
    return {field.name: field.data for field in form if field.name not in ("csrf_token", "image")}


def attach_errors(form, errors: dict) -> None:
    """Show content.posts' problems next to their fields."""
    for name, message in errors.items():
        field = getattr(form, name, None) or getattr(form, "title")
        field.errors = list(field.errors or []) + [message]


def handle_image(form, values: dict) -> bool:
    """Save an uploaded image and point image_url at it; False (with the error shown) when it is refused."""
    if not hasattr(form, "image"):
        return True
    try:
        name = save_image(request.files.get("image"))
    except ImageRejected as exc:
        form.image.errors = list(form.image.errors or []) + [str(exc)]
        return False
    if name:
        # LINE fetches card images itself, over https: with TSUNAGARI_PUBLIC_URL the link is the public address.
        public = current_app.extensions["tsunagari"].config.public_url
        values["image_url"] = (public + url_for("admin.upload", name=name)) if public \
            else url_for("admin.upload", name=name, _external=True)
    return True


def validate_post_form(kind: str, form) -> dict | None:
    """Parse and check a submitted post form; the values when fine, else None with errors attached."""
    ok = form.validate()
    values = form_values(form)
    errors = posts.check(kind, values, tz=tz())
    attach_errors(form, errors)
    if not ok or errors:
        return None
    if not handle_image(form, values):
        return None
    return values


def dashboard():
    """Start page: what needs doing for this role."""
    session = db()
    context = {"kinds": posts.KIND_LABELS}
    if current_user.is_staff:
        context["pending"] = posts.count_pending(session)
    mine = {}
    for kind in posts.KINDS:
        page = posts.list_posts(session, current_user, kind, {"source": "console"} if kind != "notices" else {},
                                page=1, per_page=5)
        mine[kind] = page.items
    context["recent"] = mine
    return render_template("admin/dashboard.html", **context)


def list_filters(kind: str) -> dict:
    """Filters from the query string, parsed (bad dates are ignored, not errors)."""
    args = request.args
    filters = {k: args.get(k, "").strip() for k in ("q", "status", "organization_id", "facility_id", "source")}
    for name in ("date_from", "date_to"):
        try:
            filters[name] = date.fromisoformat(args.get(name, ""))
        except ValueError:
            filters[name] = None
    for name in ("organization_id", "facility_id"):
        if filters[name] and not filters[name].isdigit():
            filters[name] = ""
    if filters["status"] and filters["status"] not in posts.STATUS_LABELS:
        filters["status"] = ""
    return filters


def post_list(kind: str):
    """Posts of one kind with filters and pages."""
    session = db()
    filters = list_filters(kind)
    page, _ = clamp_page(request.args.get("page"))
    result = posts.list_posts(session, current_user, kind, filters, page=page, tz=tz())
    orgs = session.exec(select(Organization).order_by(Organization.name)).all() if current_user.is_staff else []
    facilities = []
    if kind != "notices":
        facilities = session.exec(select(Facility).where(Facility.active == True)  # noqa: E712
                                  .order_by(Facility.name)).all()
    args = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in filters.items() if v}
    return render_template("admin/post_list.html", kind=kind, page=result, filters=filters, args=args,
                           organizations=orgs, facilities=facilities)


EXPORT_LIMIT = 10000


@staff_required
def post_export(kind: str):
    """Staff: the filtered list as CSV (UTF-8 with BOM so Excel in Japan opens it); the export is audited."""
    import csv
    import io

    from content import audit

    session = db()
    filters = list_filters(kind)
    result = posts.list_posts(session, current_user, kind, filters, page=1, per_page=EXPORT_LIMIT, tz=tz())
    buffer = io.StringIO()
    csv.writer(buffer).writerows(export_rows(kind, result.items, tz()))
    audit.record(session, current_user, "export", posts.RECORD_TYPES[kind], None,
                 detail=f"{len(result.items)}件 {request.query_string.decode()[:200]}", address=client_address())
    session.commit()
    response = current_app.response_class("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={kind}.csv"
    return response


def post_new(kind: str):
    """Form for a new post; saving makes a draft."""
    form = build_form(kind, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST":
        values = validate_post_form(kind, form)
        if values is not None:
            session = db()
            try:
                record = posts.create_post(session, current_user, kind, values, tz=tz(), address=client_address())
            except posts.Forbidden:
                abort(403)
            session.commit()
            flash("下書きを保存しました。内容を確かめて「承認を申請」を押してください。", "success")
            return redirect(url_for("admin.post_show", kind=kind, post_id=record.id))
        flash("入力に問題があります。赤字の項目を直してください。", "error")
    return render_template("admin/post_form.html", kind=kind, form=form, record=None)


@forbidden_to_403
def post_show(kind: str, post_id: int):
    """One post: its content, status, rejection reason, occurrences and the steps this user may take."""
    session = db()
    record = posts.get_post(session, current_user, kind, post_id)
    rows = posts.series_rows(session, record)
    org = session.get(Organization, record.organization_id) if record.organization_id else None
    facility = session.get(Facility, record.facility_id) if getattr(record, "facility_id", None) else None
    message = preview_message(kind, record, session=session)
    extra = notice_page_extras(session, record) if kind == "notices" else {}
    return render_template("admin/post_show.html", kind=kind, record=record, rows=rows, org=org,
                           facility=facility, action_form=ActionForm(), reject_form=RejectForm(),
                           message=message, can_edit=posts.can_edit(current_user, record), **extra)


def notice_page_extras(session, notice) -> dict:
    """A notice page's segment, reach, schedule and deliveries."""
    from bot.admin import views_notices
    from content import notices

    closed = session.get(Facility, notice.facility_id) if notice.facility_id else None
    return {"segment_text": notices.notice_segment(notice).describe(), "reach": notices.reach(session, notice),
            "schedule": views_notices.schedule_text(notice, tz()), "closed_facility": closed,
            "deliveries": views_notices.notice_deliveries(session, notice), "delivery_labels": views_notices.STATE_LABELS,
            "category_label": posts.NOTICE_CATEGORIES.get(notice.category, "お知らせ")}


def scheduler_warning(session) -> str:
    """Said after a push is queued while no scheduler runs: approval alone sends nothing ('' when one runs)."""
    if scheduler_running(session):
        return ""
    return "ただし、配信を行うスケジューラーが動いていません。「tsunagari scheduler」を起動するまで送信されません。"


@forbidden_to_403
def post_edit(kind: str, post_id: int):
    """Edit a post (all its occurrences); staff may save and approve in one step."""
    session = db()
    record = posts.get_post(session, current_user, kind, post_id)
    if not posts.can_edit(current_user, record):
        abort(403)
    if request.method == "POST":
        form = build_form(kind, formdata=request.form)
        values = validate_post_form(kind, form)
        if values is not None:
            try:
                head = posts.update_post(session, current_user, kind, record, values, tz=tz(),
                                         address=client_address())
                if request.form.get("and_approve") and current_user.is_staff and head.status == "pending":
                    if kind == "notices":  # approving a push asks for confirmation with the count
                        session.commit()
                        flash("保存しました。配信する人数を確かめて承認してください。", "success")
                        return redirect(url_for("admin.notice_confirm", post_id=head.id))
                    posts.approve(session, current_user, kind, head, address=client_address())
                    flash("保存して承認しました。", "success")
                elif kind == "notices" and head.status == "approved":  # its delivery was queued again
                    flash("保存しました。配信を予約し直しました。" + scheduler_warning(session), "success")
                else:
                    flash("保存しました。", "success")
            except posts.PostStateError as exc:
                session.rollback()
                flash(str(exc), "error")
                return redirect(url_for("admin.post_show", kind=kind, post_id=post_id))
            session.commit()
            return redirect(url_for("admin.post_show", kind=kind, post_id=head.id))
        flash("入力に問題があります。赤字の項目を直してください。", "error")
    else:
        form = build_form(kind, data=posts.form_values(session, kind, record, tz()))
    return render_template("admin/post_form.html", kind=kind, form=form, record=record)


STEPS = {"submit": (posts.submit, "承認を申請しました。市の担当者の確認をお待ちください。"),
         "approve": (posts.approve, "承認しました。住民がすぐに検索できます。"),
         "withdraw": (posts.withdraw, "取り下げました。住民には表示されません。"),
         "delete": (posts.delete_post, "削除しました。")}


@forbidden_to_403
def post_step(kind: str, post_id: int, step: str):
    """One step of the flow (submit, approve, withdraw, delete) from a button on the post's page."""
    session = db()
    record = posts.get_post(session, current_user, kind, post_id)
    if step == "approve" and not current_user.is_staff:
        abort(403)
    if step == "approve" and kind == "notices" and record.status == "pending":
        from bot.admin.views_notices import confirmed_count_matches

        if not confirmed_count_matches(session, record):  # staff must see and confirm the count first
            if request.form.get("confirm_count"):
                flash("配信する人数が変わりました。もう一度確かめてください。", "error")
            return redirect(url_for("admin.notice_confirm", post_id=post_id, next=request.form.get("next", "")))
    function, done = STEPS[step]
    try:
        if step == "approve":
            function(session, current_user, kind, record, address=client_address(), tz=tz())
        else:
            function(session, current_user, kind, record, address=client_address())
    except posts.PostStateError as exc:
        session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.post_show", kind=kind, post_id=post_id))
    session.commit()
    if step == "approve" and kind == "notices":  # notices are pushed, not searched
        done = f"承認しました。{request.form.get('confirm_count', '')}人への配信を予約しました。配信の状況はこのページで見られます。"
        done += scheduler_warning(session)
    flash(done, "success")
    if step == "delete":
        return redirect(url_for("admin.post_list", kind=kind))
    if step == "approve" and request.form.get("next") == "queue":
        return redirect(url_for("admin.queue"))
    return redirect(url_for("admin.post_show", kind=kind, post_id=post_id))


@staff_required
@forbidden_to_403
def post_reject(kind: str, post_id: int):
    """Staff send a post back with a reason the organization sees."""
    session = db()
    record = posts.get_post(session, current_user, kind, post_id)
    form = RejectForm()
    if not form.validate():
        flash("差し戻しの理由を入力してください（500文字まで）。", "error")
        return redirect(url_for("admin.post_show", kind=kind, post_id=post_id) + "#reject")
    try:
        posts.reject(session, current_user, kind, record, form.reason.data, address=client_address())
    except posts.PostStateError as exc:
        session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.post_show", kind=kind, post_id=post_id))
    session.commit()
    flash("差し戻しました。団体に理由が表示されます。", "success")
    return redirect(url_for("admin.queue") if request.form.get("next") == "queue"
                    else url_for("admin.post_show", kind=kind, post_id=post_id))


@staff_required
def queue():
    """Pending posts of every kind, newest first."""
    page, _ = clamp_page(request.args.get("page"))
    result = posts.pending_queue(db(), current_user, page=page)
    orgs = {o.id: o.name for o in db().exec(select(Organization)).all()}
    return render_template("admin/queue.html", page=result, orgs=orgs, action_form=ActionForm(),
                           reject_form=RejectForm())


def preview(kind: str):
    """JSON for the live preview: the message residents would get from the form as typed, and its problems."""
    form = build_form(kind, formdata=MultiDict(request.form))
    form.validate()
    values = form_values(form)
    errors = posts.check(kind, values, tz=tz())
    record = posts.build_preview(db(), kind, values, current_user, tz())
    message = preview_message(kind, record, session=db())
    field_errors = {f.name: list(f.errors) for f in form if f.errors and f.name != "csrf_token"}
    for name, problem in errors.items():
        field_errors.setdefault(name, []).append(problem)
    result = {"message": message, "errors": field_errors, "line_problems": line_problems(message)}
    if kind == "notices":
        from content.notices import reach

        result["reach"] = reach(db(), record)  # how many residents the segment reaches now
    return jsonify(result)


def register(bp) -> None:
    """Add the post pages to the console blueprint."""
    bp.add_url_rule("/", "dashboard", dashboard)
    bp.add_url_rule("/queue", "queue", queue)
    bp.add_url_rule(f"/{KIND_PATH}/", "post_list", post_list)
    bp.add_url_rule(f"/{KIND_PATH}/new", "post_new", post_new, methods=["GET", "POST"])
    bp.add_url_rule(f"/{KIND_PATH}/export.csv", "post_export", post_export)
    bp.add_url_rule(f"/{KIND_PATH}/<int:post_id>", "post_show", post_show)
    bp.add_url_rule(f"/{KIND_PATH}/<int:post_id>/edit", "post_edit", post_edit, methods=["GET", "POST"])
    bp.add_url_rule(f"/{KIND_PATH}/<int:post_id>/<any(submit,approve,withdraw,delete):step>", "post_step",
                    post_step, methods=["POST"])
    bp.add_url_rule(f"/{KIND_PATH}/<int:post_id>/reject", "post_reject", post_reject, methods=["POST"])
    bp.add_url_rule(f"/preview/{KIND_PATH}", "preview", preview, methods=["POST"])
