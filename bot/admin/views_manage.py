"""Console pages around the posts: login, password, users, organizations, facilities, import, audit log."""
from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date, datetime, time, timedelta
from math import ceil
from pathlib import Path
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import select

from bot.admin.auth import (admin_required, client_address, db, end_session, staff_required, start_session)
from bot.admin.forms import (ActionForm, ImportForm, LoginForm, OrganizationForm, PasswordChangeForm, UserForm)
from bot.admin.uploads import serve_upload
from content import accounts, audit, posts
from content.paging import clamp_page, paginate
from models import ConsoleUser, Facility, Organization

MAX_IMPORT_BYTES = 10 * 1024 * 1024
IMPORT_SUFFIXES = (".csv", ".ics", ".txt")


def safe_next(target: str | None) -> str:
    """Only a path inside the console is a valid place to go after login (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/admin") and not target.startswith("//"):
            return target
    return url_for("admin.dashboard")


def login():
    """Sign in, rate-limited per account and per address; every attempt is audited."""
    if current_user.is_authenticated:
        return redirect(url_for("admin.dashboard"))
    form = LoginForm()
    status, retry_after = 200, None
    if form.validate_on_submit():
        session = db()
        result = accounts.authenticate(session, form.email.data, form.password.data, client_address())
        email = accounts.normalize_email(form.email.data)
        if result.ok:
            audit.record(session, result.user, "login", "console_user", result.user.id, address=client_address())
            session.commit()
            start_session(result.user)
            return redirect(safe_next(request.args.get("next")))
        action = "login_blocked" if result.outcome == "limited" else "login_failed"
        audit.record(session, email, action, "console_user", result.user.id if result.user else None,
                     address=client_address())
        session.commit()
        if result.outcome == "limited":
            flash(f"ログインの失敗が続いたため、しばらくログインできません。あと{wait_text(result.retry_after)}"
                  "待ってからお試しください。", "error")
            status = 429
            retry_after = max(1, ceil(result.retry_after.total_seconds()))
        else:
            flash("メールアドレスまたはパスワードが違います。", "error")
            status = 401  # the same answer whether or not the password was right: no hint for a guesser
    elif request.method == "POST":
        status = 400
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    return render_template("admin/login.html", form=form), status, headers


def wait_text(wait) -> str:
    """A wait in Japanese, rounded up: 「45秒」, 「3分」, 「2分30秒」."""
    seconds = max(1, ceil(wait.total_seconds()))
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest}秒"
    return f"{minutes}分{rest}秒" if rest else f"{minutes}分"


def logout():
    """Sign out (POST with a CSRF token, so another site cannot log a user out)."""
    if current_user.is_authenticated:
        session = db()
        audit.record(session, current_user, "logout", "console_user", current_user.id, address=client_address())
        session.commit()
    end_session()
    flash("ログアウトしました。", "info")
    return redirect(url_for("admin.login"))


def password():
    """Change one's own password (forced after an invitation or a reset)."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        session = db()
        user = session.get(ConsoleUser, current_user.id)
        if form.new.data != form.confirm.data:
            form.confirm.errors = list(form.confirm.errors) + ["確認用のパスワードが一致しません。"]
        else:
            try:
                accounts.change_password(session, user, form.current.data, form.new.data)
            except accounts.AccountError as exc:
                target = form.current if "現在" in str(exc) else form.new
                target.errors = list(target.errors) + [str(exc)]
            else:
                audit.record(session, current_user, "password_change", "console_user", user.id,
                             address=client_address())
                session.commit()
                start_session(user)  # the old session's stamp no longer matches the new hash
                flash("パスワードを変更しました。", "success")
                return redirect(url_for("admin.dashboard"))
    return render_template("admin/password.html", form=form)


@admin_required
def users():
    """Admins: list accounts and invite a new one (its one-time password is shown once)."""
    session = db()
    form = UserForm()
    created = None
    if form.validate_on_submit():
        try:
            user, one_time = accounts.add_user(session, form.email.data, form.role.data,
                                               org_name=form.org_name.data or None)
        except accounts.AccountError as exc:
            session.rollback()
            field = form.org_name if "団体" in str(exc) else form.email
            field.errors = list(field.errors) + [str(exc)]
        else:
            audit.record(session, current_user, "user_add", "console_user", user.id,
                         detail=f"{user.email} ({user.role})", address=client_address())
            session.commit()
            created = (user.email, one_time)
            form = UserForm(formdata=None)
    page, _ = clamp_page(request.args.get("page"))
    result = paginate(session, select(ConsoleUser).order_by(ConsoleUser.email), page, 50)
    orgs = {o.id: o.name for o in session.exec(select(Organization)).all()}
    return render_template("admin/users.html", form=form, page=result, orgs=orgs, created=created,
                           action_form=ActionForm())


@admin_required
def user_reset(user_id: int):
    """Admins: give an account a new one-time password (every session of that account ends)."""
    session = db()
    user = session.get(ConsoleUser, user_id) or abort(404)
    one_time = accounts.reset_password(session, user)
    audit.record(session, current_user, "user_reset", "console_user", user.id, detail=user.email,
                 address=client_address())
    session.commit()
    return render_template("admin/user_password.html", email=user.email, password=one_time)


@admin_required
def user_toggle(user_id: int):
    """Admins: disable or re-enable an account (never one's own)."""
    session = db()
    user = session.get(ConsoleUser, user_id) or abort(404)
    if user.id == current_user.id:
        flash("自分のアカウントは無効にできません。", "error")
        return redirect(url_for("admin.users"))
    user.active = not user.active
    session.add(user)
    audit.record(session, current_user, "user_enable" if user.active else "user_disable", "console_user",
                 user.id, detail=user.email, address=client_address())
    session.commit()
    flash("変更しました。", "success")
    return redirect(url_for("admin.users"))


@staff_required
def organizations():
    """Staff: organizations with their post counts; admins add them."""
    session = db()
    form = OrganizationForm()
    if request.method == "POST":
        if not current_user.is_admin:
            abort(403)
        if form.validate_on_submit():
            name = form.name.data.strip()
            if session.exec(select(Organization).where(Organization.name == name)).first():
                form.name.errors = list(form.name.errors) + ["同じ名前の団体があります。"]
            else:
                org = Organization(name=name, kind=form.kind.data or None, district=form.district.data or None,
                                   contact=form.contact.data or None)
                session.add(org)
                session.flush()
                audit.record(session, current_user, "org_add", "organization", org.id, detail=name,
                             address=client_address())
                session.commit()
                flash("団体を追加しました。", "success")
                return redirect(url_for("admin.organizations"))
    q = request.args.get("q", "").strip()
    stmt = select(Organization)
    if q:
        stmt = stmt.where(Organization.name.contains(q, autoescape=True))
    page, _ = clamp_page(request.args.get("page"))
    result = paginate(session, stmt.order_by(Organization.name), page, 50)
    return render_template("admin/organizations.html", page=result, form=form, q=q)


def facilities():
    """Facilities residents can ask about (read-only here; they come from open data)."""
    session = db()
    q, district = request.args.get("q", "").strip(), request.args.get("district", "").strip()
    stmt = select(Facility).where(Facility.active == True)  # noqa: E712
    if q:
        stmt = stmt.where(Facility.name.contains(q, autoescape=True))
    if district:
        stmt = stmt.where(Facility.district == district)
    page, _ = clamp_page(request.args.get("page"))
    result = paginate(session, stmt.order_by(Facility.name), page, 50)
    districts = sorted({d for d in session.exec(select(Facility.district).distinct()).all() if d})
    args = {k: v for k, v in (("q", q), ("district", district)) if v}
    return render_template("admin/facilities.html", page=result, q=q, district=district, districts=districts,
                           args=args)


@admin_required
def organization_edit(org_id: int):
    """Admins: change an organization's name and details (its posts keep pointing at it)."""
    session = db()
    org = session.get(Organization, org_id) or abort(404)
    form = OrganizationForm(obj=org)
    if form.validate_on_submit():
        name = form.name.data.strip()
        clash = session.exec(select(Organization).where(Organization.name == name, Organization.id != org.id)).first()
        if clash:
            form.name.errors = list(form.name.errors) + ["同じ名前の団体があります。"]
        else:
            before = org.name
            org.name, org.kind = name, form.kind.data or None
            org.district, org.contact = form.district.data or None, form.contact.data or None
            session.add(org)
            audit.record(session, current_user, "org_edit", "organization", org.id,
                         detail=f"{before} → {name}" if before != name else name, address=client_address())
            session.commit()
            flash("団体の情報を保存しました。", "success")
            return redirect(url_for("admin.organizations"))
    return render_template("admin/organization_form.html", form=form, org=org)


@staff_required
def import_page():
    """Staff: import an open-data CSV or .ics with the CLI's importers and show the report."""
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = request.files.get("file")
        suffix = os.path.splitext(upload.filename or "")[1].lower() if upload else ""
        if not upload or not upload.filename:
            form.file.errors = list(form.file.errors) + ["ファイルを選んでください。"]
        elif suffix not in IMPORT_SUFFIXES:
            form.file.errors = list(form.file.errors) + ["CSV（.csv）か iCalendar（.ics）のファイルにしてください。"]
        else:
            data = upload.stream.read(MAX_IMPORT_BYTES + 1)
            if len(data) > MAX_IMPORT_BYTES:
                form.file.errors = list(form.file.errors) + ["ファイルは10MBまでにしてください。"]
            else:
                report = run_import(form.kind.data, data, suffix, upload.filename)
    return render_template("admin/import.html", form=form, report=report), 200


def run_import(kind: str, data: bytes, suffix: str, filename: str):
    """Write the upload under its own name in a temporary folder, import it, audit it; returns the ImportReport.

    The importers name a source after its file, so the same file uploaded again updates and retires rows instead
    of importing a second copy."""
    from werkzeug.utils import secure_filename

    from content.importers import import_path

    session = db()
    folder = tempfile.mkdtemp(prefix="tsunagari-import-")
    stem = secure_filename(Path(filename or "").stem) or "upload"
    path = os.path.join(folder, stem + suffix)
    try:
        with open(path, "wb") as fh:
            fh.write(data)
        report = import_path(session, kind, path)
        audit.record(session, current_user, "import", kind, None,
                     detail=f"{filename[:100]}: {report.format()}"[:2000], address=client_address())
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return report


@admin_required
def audit_log():
    """Admins: the audit log, filtered by action, actor, record type and dates (Asia/Tokyo)."""
    from flask import current_app

    tz = current_app.extensions["tsunagari"].config.tz
    args = request.args
    since = until = None
    try:
        if args.get("date_from"):
            since = posts.to_utc(datetime.combine(date.fromisoformat(args["date_from"]), time()), tz)
        if args.get("date_to"):
            until = posts.to_utc(datetime.combine(date.fromisoformat(args["date_to"]) + timedelta(days=1), time()), tz)
    except ValueError:
        flash("日付は YYYY-MM-DD の形で入力してください。", "error")
    page, _ = clamp_page(args.get("page"))
    result = audit.query_entries(db(), action=args.get("action") or None, actor=args.get("actor") or None,
                                 record_type=args.get("record_type") or None, since=since, until=until,
                                 page=page, per_page=50)
    filters = {k: args.get(k, "") for k in ("action", "actor", "record_type", "date_from", "date_to")}
    targets = {key: (target.name, target_url(target)) for key, target in
               audit.describe_targets(db(), result.items).items()}
    return render_template("admin/audit.html", page=result, filters=filters, actions=audit.ACTION_LABELS,
                           record_types=audit.RECORD_TYPE_LABELS, targets=targets,
                           args={k: v for k, v in filters.items() if v})


def target_url(target) -> str | None:
    """The console page of an audit entry's target, where it has one."""
    kinds = {"event": "events", "opportunity": "opportunities", "notice": "notices"}
    if target.record_type in kinds:
        return url_for("admin.post_show", kind=kinds[target.record_type], post_id=target.record_id)
    if target.record_type == "organization":
        return url_for("admin.organization_edit", org_id=target.record_id)
    if target.record_type == "district":
        return url_for("admin.district_edit", district_id=target.record_id)
    if target.record_type == "survey" and target.key:
        return url_for("admin.survey_show", code=target.key)
    if target.record_type == "console_user":
        return url_for("admin.users")
    return None


def upload(name: str):
    """A stored image (public: LINE fetches it without a session)."""
    return serve_upload(name)


def register(bp) -> None:
    """Add these pages to the console blueprint."""
    bp.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    bp.add_url_rule("/logout", "logout", logout, methods=["POST"])
    bp.add_url_rule("/password", "password", password, methods=["GET", "POST"])
    bp.add_url_rule("/users", "users", users, methods=["GET", "POST"])
    bp.add_url_rule("/users/<int:user_id>/reset", "user_reset", user_reset, methods=["POST"])
    bp.add_url_rule("/users/<int:user_id>/toggle", "user_toggle", user_toggle, methods=["POST"])
    bp.add_url_rule("/organizations", "organizations", organizations, methods=["GET", "POST"])
    bp.add_url_rule("/organizations/<int:org_id>", "organization_edit", organization_edit, methods=["GET", "POST"])
    bp.add_url_rule("/facilities", "facilities", facilities)
    bp.add_url_rule("/import", "import_page", import_page, methods=["GET", "POST"])
    bp.add_url_rule("/audit", "audit_log", audit_log)
    bp.add_url_rule("/uploads/<name>", "upload", upload)
