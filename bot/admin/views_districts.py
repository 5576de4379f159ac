"""Console pages for the city's 地区: the list with the facilities in each, adding one, changing one."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import select

from bot.admin.auth import client_address, db, staff_required
from bot.admin.forms import DistrictForm, choices
from content import audit, districts
from models import District, Facility


def facility_choices():
    """Every active facility, by name, with its current district shown beside it."""
    rows = db().exec(select(Facility).where(Facility.active == True).order_by(Facility.name)).all()  # noqa: E712
    return choices((f.id, f.name + (f"（{f.district}）" if f.district else "")) for f in rows)


def district_form(district: District | None = None) -> DistrictForm:
    """The form, filled from the request or from the district being changed."""
    form = DistrictForm(formdata=request.form if request.method == "POST" else None, obj=district)
    form.facilities.choices = facility_choices()
    if request.method != "POST" and district is not None:
        form.facilities.data = [f.id for f in db().exec(select(Facility).where(Facility.district == district.name))]
    return form


def save_from_form(form: DistrictForm, district: District | None):
    """Check the form against the rules; save, audit and redirect, or None to show the form again."""
    session = db()
    name, kana = districts.tidy(form.name.data), districts.tidy(form.kana.data)
    if not form.validate_on_submit():
        return None
    problems = {"name": districts.name_problem(session, name, district.id if district else None),
                "kana": districts.kana_problem(kana)}
    for field_name, problem in problems.items():
        if problem:
            getattr(form, field_name).errors = list(getattr(form, field_name).errors) + [problem]
    if any(problems.values()):
        return None
    old_name = district.name if district else None
    saved = districts.save_district(session, district, name, kana, form.facilities.data or [])
    action = "district_edit" if district else "district_add"
    detail = name if old_name in (None, name) else f"{old_name} → {name}"
    audit.record(session, current_user, action, "district", saved.id, detail=detail, address=client_address())
    session.commit()
    flash(f"地区「{name}」を保存しました。", "success")
    return redirect(url_for("admin.district_list"))


@staff_required
def district_list():
    """Staff: the districts with their facilities, and a form to add one."""
    form = district_form()
    if request.method == "POST":
        done = save_from_form(form, None)
        if done is not None:
            return done
    return render_template("admin/districts.html", rows=districts.list_districts(db()), form=form)


@staff_required
def district_edit(district_id: int):
    """Staff: change a district's name, reading or facilities."""
    district = db().get(District, district_id)
    if district is None:
        abort(404)
    form = district_form(district)
    if request.method == "POST":
        done = save_from_form(form, district)
        if done is not None:
            return done
    return render_template("admin/district_form.html", district=district, form=form)


def register(bp) -> None:
    """Add the district pages to the console blueprint."""
    bp.add_url_rule("/districts", "district_list", district_list, methods=["GET", "POST"])
    bp.add_url_rule("/districts/<int:district_id>", "district_edit", district_edit, methods=["GET", "POST"])
