"""The public page of a survey round's results (no login): the summary staff published, the indicators, breakdowns
and counts per question — with the same small-cell rule as the console and the exports."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from sqlmodel import Session

from content.surveys.exports import attribute_label
from content.surveys.results import local_day, public_results


def survey_pages_blueprint() -> Blueprint:
    """GET /surveys/<code>/<number>: a published round's results."""
    bp = Blueprint("survey_pages", __name__, template_folder="admin/templates")

    @bp.get("/surveys/<code>/<int:number>")
    def results_page(code: str, number: int):
        """A published round, or 404."""
        runtime = current_app.extensions["tsunagari"]
        with Session(runtime.engine) as session:
            found = public_results(session, code, number)
            if found is None:
                abort(404)
            page = render_template("admin/survey_public.html", r=found, attribute_label=attribute_label,
                                   published=local_day(found.round.summary_published_at, runtime.config.tz))
        response = current_app.make_response(page)
        response.headers.setdefault("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'none'")
        return response

    return bp
