"""Console pages for surveys (staff): the list, the editor (form or YAML), a survey's dashboard — rounds, indicators
charted from 現状値 through each round to 目標値, breakdowns raw or weighted, counts per question — opening and
closing rounds, answers uploaded from paper, results published, exports; the population table; the account."""
from __future__ import annotations

from datetime import datetime

from flask import Response as FlaskResponse, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from bot.admin.auth import client_address, db, staff_required
from content import audit
from content.posts import to_utc
from content.segments import SEGMENT_KEYS
from content.surveys import account as acct
from content.surveys import charts, exports, opening, results
from content.surveys import tally as tallies
from content.surveys.definition import (SurveyError, dump_yaml, find_survey, parse_definition, parse_yaml,
                                        save_survey, survey_definition)
from content.surveys.editor import definition_to_form, form_to_definition
from content.surveys.imports import import_answers
from content.surveys.population import RowsRefused, load_population
from content.surveys.rounds import get_round, is_open, latest_round, respondent_count
from content.topics import TOPICS
from models import AGE_GROUPS, GENDERS, District, PopulationCell, Survey, SurveyRound, utcnow
from sqlmodel import func, select

MAX_UPLOAD = 10 * 1024 * 1024
BREAKDOWN_DIMS = (("age_group", "世代別"), ("gender", "男女別"), ("district", "地区別"))


def config():
    """The app's Config."""
    return current_app.extensions["tsunagari"].config


def _audit(action: str, record_id: int | None, detail: str) -> None:
    """One audit entry for the current staff member."""
    audit.record(db(), current_user, action, "survey", record_id, detail=detail[:2000], address=client_address())


def _upload(field: str) -> bytes | None:
    """An uploaded file's bytes (None with a flash when missing or too large)."""
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        flash("ファイルを選んでください。", "error")
        return None
    data = upload.stream.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        flash("ファイルは10MBまでにしてください。", "error")
        return None
    return data


# --- the list and the editor ------------------------------------------------------------------------

@staff_required
def survey_list():
    """Every survey with its latest round; load a YAML file."""
    session = db()
    rows = []
    for survey in session.exec(select(Survey).order_by(Survey.updated_at.desc())).all():
        rnd = latest_round(session, survey)
        rows.append({"survey": survey, "round": rnd, "open": bool(rnd and is_open(rnd)),
                     "responses": respondent_count(session, rnd) if rnd else 0})
    return render_template("admin/surveys.html", rows=rows)


@staff_required
def survey_upload():
    """Load a survey YAML file (the same as `tsunagari survey load`)."""
    data = _upload("file")
    if data is None:
        return redirect(url_for("admin.surveys"))
    report, problems = _save_yaml(data.decode("utf-8-sig", errors="replace"))
    if report is None:
        flash("読み込めませんでした（何も変更していません）。", "error")
        for problem in problems[:30]:
            flash(problem, "error")
        return redirect(url_for("admin.surveys"))
    return redirect(url_for("admin.survey_show", code=report.survey))


def _save_yaml(text: str):
    """Parse and save YAML: (report, []) when saved, (None, problems) otherwise (nothing changed)."""
    session = db()
    try:
        report = save_survey(session, parse_yaml(text))
    except SurveyError as exc:
        session.rollback()
        return None, exc.problems
    _audit("edit", None, f"survey load {report.survey}: {report.as_dict()}")
    session.commit()
    flash(f"アンケート {report.survey} を保存しました（質問 {report.questions}、指標 {report.indicators}）。", "success")
    return report, []


@staff_required
def survey_edit(code: str | None = None):
    """The form editor: survey, questions and indicators; 「質問を追加」 adds a blank block without saving."""
    session = db()
    survey = find_survey(session, code) if code else None
    if code and survey is None:
        abort(404)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        form = request.form.to_dict()
        if request.form.get("action") in ("add_question", "add_indicator"):
            definition = form_to_definition(form)
            more_q = 2 if request.form["action"] == "add_question" else 1
            more_i = 2 if request.form["action"] == "add_indicator" else 1
            values = definition_to_form(definition, more_q, more_i)
        else:
            try:
                report = save_survey(session, parse_definition(form_to_definition(form)))
            except SurveyError as exc:
                session.rollback()
                problems, status, values = exc.problems, 400, form
            else:
                _audit("edit", None, f"survey edit {report.survey}: {report.as_dict()}")
                session.commit()
                flash(f"アンケート {report.survey} を保存しました。", "success")
                return redirect(url_for("admin.survey_show", code=report.survey))
    else:
        values = definition_to_form(survey_definition(session, survey) if survey else
                                    {"questions": [], "indicators": []}, 1 if survey else 3, 1)
    question_codes = [values.get(f"q-{i}-code") for i in range(int(values.get("q-count", 0)))]
    return render_template("admin/survey_form.html", survey=survey, v=values, problems=problems,
                           q_count=int(values.get("q-count", 0)), i_count=int(values.get("i-count", 0)),
                           question_codes=[c for c in question_codes if c]), status


@staff_required
def survey_yaml(code: str):
    """The same survey as YAML text, edited and saved as `survey load` would."""
    session = db()
    survey = find_survey(session, code) or abort(404)
    if request.method == "POST":
        text = request.form.get("yaml", "")
        report, problems = _save_yaml(text)
        if report is not None:
            return redirect(url_for("admin.survey_show", code=report.survey))
        return render_template("admin/survey_yaml.html", survey=survey, problems=problems, yaml_text=text), 400
    return render_template("admin/survey_yaml.html", survey=survey, problems=[],
                           yaml_text=dump_yaml(survey_definition(session, survey)))


# --- a survey's dashboard ------------------------------------------------------------------------

def _chart_points(session, ind, rounds: list[SurveyRound], weighted: bool) -> list[charts.Point]:
    """現状値, each round's value (weighted when asked and possible) with its interval, 目標値."""
    points = []
    if ind.baseline_value is not None:
        points.append(charts.Point(f"現状値 {ind.baseline_year or ''}".strip(), ind.baseline_value, "baseline"))
    for rnd in rounds:
        o = tallies.tally(session, ind.code, rnd.number, (), weighted).overall
        if o.weighted_value is not None:
            points.append(charts.Point(f"第{rnd.number}回", o.weighted_value, "round",
                                       o.weighted_value - o.moe, o.weighted_value + o.moe))
        elif o.value is not None:
            points.append(charts.Point(f"第{rnd.number}回", o.value, "round", o.ci_low, o.ci_high))
    if ind.target_value is not None:
        points.append(charts.Point(f"目標値 {ind.target_year or ''}".strip(), ind.target_value, "target"))
    return points


def _open_form_choices(session) -> dict[str, list[tuple[str, str]]]:
    """Checkbox choices for the segment of a new round."""
    districts = session.exec(select(District.name).order_by(District.position, District.id)).all()
    return {
        "district": [(d, d) for d in districts],
        "age_group": [(a, exports.AGE_LABELS[a]) for a in AGE_GROUPS],
        "gender": [(g, exports.GENDER_LABELS[g]) for g in GENDERS],
        "lang": [("ja", "日本語"), ("en", "English"), ("ja-easy", "やさしい日本語")],
        "interest": [(t.code, t.label) for t in TOPICS],
    }


@staff_required
def survey_show(code: str):
    """Rounds, indicators (chart, value, breakdowns), counts per question, and the forms to act on a round."""
    session = db()
    survey = find_survey(session, code) or abort(404)
    rounds = list(session.exec(select(SurveyRound).where(SurveyRound.survey_id == survey.id)
                               .order_by(SurveyRound.number)).all())
    weighted = request.args.get("weighted") == "1"
    number = request.args.get("round", type=int)
    selected = next((r for r in rounds if r.number == number), rounds[-1] if rounds else None)
    indicators = []
    for ind in tallies.survey_indicators(session, code):
        entry = {"indicator": ind, "chart": charts.indicator_chart(_chart_points(session, ind, rounds, weighted),
                                                                   ind.unit, ind.name)}
        if selected is not None:
            entry["overall"] = tallies.tally(session, ind.code, selected.number, (), weighted)
            entry["breakdowns"] = [(label, tallies.tally(session, ind.code, selected.number, (dim,), weighted))
                                   for dim, label in BREAKDOWN_DIMS]
        indicators.append(entry)
    round_rows = [{"round": r, "open": is_open(r), "status": opening.round_status(session, r),
                   "responses": respondent_count(session, r), "completed": respondent_count(session, r, True),
                   "channels": _channels(session, r)} for r in rounds]
    return render_template(
        "admin/survey_show.html", survey=survey, rounds=round_rows, selected=selected, weighted=weighted,
        selected_open=bool(selected and is_open(selected)),
        indicators=indicators, counts=results.question_counts(session, selected) if selected else [],
        open_choices=_open_form_choices(session), segment_keys=SEGMENT_KEYS,
        population_as_of=session.exec(select(func.max(PopulationCell.as_of))).first(),
        attribute_label=exports.attribute_label, local_day=lambda m: results.local_day(m, config().tz))


def _channels(session, rnd: SurveyRound) -> dict[str, int]:
    """Responses per channel (LINE, 紙, 電話, ウェブ)."""
    from models import Response

    rows = session.exec(select(Response.channel, func.count()).where(Response.round_id == rnd.id)
                        .group_by(Response.channel)).all()
    return {exports.CHANNEL_LABELS.get(channel, channel): count for channel, count in rows}


@staff_required
def survey_open(code: str):
    """Open a new round for the chosen segment until the close time; the intro push is queued."""
    session = db()
    find_survey(session, code) or abort(404)
    specs = [f"{key}={','.join(request.form.getlist(key))}" for key in SEGMENT_KEYS if request.form.getlist(key)]
    closes = None
    if request.form.get("closes"):
        try:
            closes = to_utc(datetime.fromisoformat(request.form["closes"]), config().tz)
        except ValueError:
            flash("締切は日付と時刻で入れてください。", "error")
            return redirect(url_for("admin.survey_show", code=code))
    try:
        result = opening.open_round(session, code, specs, closes_at=closes, tz=config().tz,
                                    quiet_hours=config().quiet_hours)
    except (opening.RoundError, ValueError) as exc:
        session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.survey_show", code=code))
    _audit("survey_open", result["delivery"], f"{code} 第{result['round']}回 {specs or ['友だち全員']}")
    session.commit()
    flash(f"第{result['round']}回を始めました。{result['recipients']}人に最初の質問を送ります。", "success")
    return redirect(url_for("admin.survey_show", code=code, round=result["round"]))


@staff_required
def survey_close(code: str, number: int):
    """Close a round now."""
    session = db()
    try:
        result = opening.close_survey_round(session, code, number)
    except opening.RoundError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.survey_show", code=code))
    _audit("survey_close", None, f"{code} 第{number}回")
    session.commit()
    flash(f"第{number}回を締め切りました（回答 {result['responses']}人、うち完了 {result['completed']}人）。", "success")
    return redirect(url_for("admin.survey_show", code=code, round=number))


@staff_required
def survey_import(code: str):
    """Paper, phone or web answers (CSV) into a round: all rows or none, with line numbers."""
    session = db()
    find_survey(session, code) or abort(404)
    data = _upload("file")
    if data is None:
        return redirect(url_for("admin.survey_show", code=code))
    number = request.form.get("round", type=int)
    try:
        report = import_answers(session, code, data, round_number=number, tz=config().tz)
    except RowsRefused as exc:
        session.rollback()
        flash("取り込めませんでした（1行も取り込んでいません）。直してからもう一度どうぞ。", "error")
        for line, message in exc.problems[:30]:
            flash(f"{line}行目：{message}", "error")
        return redirect(url_for("admin.survey_show", code=code))
    _audit("import", None, f"answers {code}: {report.as_dict()}")
    session.commit()
    flash(f"第{report.round}回に {report.new + report.replaced}人分の回答を取り込みました"
          f"（新規 {report.new}、置き換え {report.replaced}）。", "success")
    return redirect(url_for("admin.survey_show", code=code, round=report.round))


@staff_required
def survey_publish(code: str, number: int):
    """Publish a closed round's summary: pushed once to those who took part, and shown on the public page."""
    session = db()
    survey = find_survey(session, code) or abort(404)
    rnd = get_round(session, survey, number) or abort(404)
    page = url_for("survey_pages.results_page", code=code, number=number, _external=True)
    try:
        result = results.publish_results(session, rnd, request.form.get("summary", ""), page_url=page)
    except results.PublishError as exc:
        session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.survey_show", code=code, round=number))
    _audit("survey_publish", None, f"{code} 第{number}回 → {result['recipients']}人")
    session.commit()
    if result["pushed"]:
        flash(f"結果を公開しました。回答した{result['recipients']}人に送ります。", "success")
    else:
        flash("結果を公開しました。" if result["first"] else "公開ページの要約を更新しました。", "success")
    return redirect(url_for("admin.survey_show", code=code, round=number))


@staff_required
def survey_export(kind: str, fmt: str):
    """Answers or tallies as CSV (UTF-8 with BOM) or XLSX, for one survey or all."""
    session = db()
    code = request.args.get("survey") or None
    try:
        data = (exports.export_answers(session, fmt, code, request.args.get("round", type=int), config().tz)
                if kind == "answers" else exports.export_tallies(session, fmt, code))
    except LookupError:
        abort(404)
    audit.record(session, current_user, "export", "survey", None, detail=f"{kind}.{fmt} {code or 'all'}",
                 address=client_address())
    session.commit()
    name = exports.export_filename(kind, fmt, utcnow())
    mime = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return FlaskResponse(data, mimetype=mime, headers={"Content-Disposition": f"attachment; filename={name}"})


# --- population and the account ---------------------------------------------------------------------

@staff_required
def population():
    """The population table tallies are weighted to: upload (all rows or none) and what is loaded."""
    session = db()
    if request.method == "POST":
        data = _upload("file")
        if data is not None:
            try:
                report = load_population(session, data)
            except RowsRefused as exc:
                session.rollback()
                flash("読み込めませんでした（何も変更していません）。", "error")
                for line, message in exc.problems[:30]:
                    flash(f"{line}行目：{message}", "error")
            else:
                _audit("import", None, f"population: {report.as_dict()}")
                session.commit()
                flash(f"人口表（基準日 {', '.join(report.as_of)}）を読み込みました：{report.cells}区分、"
                      f"計{report.total}人。", "success")
        return redirect(url_for("admin.population"))
    as_of = session.exec(select(func.max(PopulationCell.as_of))).first()
    cells = session.exec(select(PopulationCell).where(PopulationCell.as_of == as_of)
                         .order_by(PopulationCell.district, PopulationCell.age_group, PopulationCell.gender)).all() \
        if as_of else []
    return render_template("admin/population.html", as_of=as_of, cells=cells, total=sum(c.population for c in cells),
                           attribute_label=exports.attribute_label)


@staff_required
def account():
    """Followers over time, followers by district / age group / gender (small groups hidden), messages per day."""
    session = db()
    tz = config().tz
    followers = acct.followers_by_day(session, tz)
    messages = acct.messages_by_day(session, tz)
    return render_template(
        "admin/account.html",
        followers_chart=charts.line_chart([(f"{d.month}/{d.day}", n) for d, n in followers], "友だちの数（90日）"),
        followers_now=followers[-1][1] if followers else 0,
        messages_chart=charts.bar_chart([(f"{d.month}/{d.day}", n) for d, n in messages], "1日に届いたメッセージ（30日）"),
        messages_total=sum(n for _d, n in messages), groups=acct.follower_groups(session))


def register(bp) -> None:
    """Add the survey pages to the console blueprint."""
    bp.add_url_rule("/surveys", "surveys", survey_list)
    bp.add_url_rule("/surveys/upload", "survey_upload", survey_upload, methods=["POST"])
    bp.add_url_rule("/surveys/new", "survey_new", survey_edit, methods=["GET", "POST"])
    bp.add_url_rule("/surveys/<code>/edit", "survey_edit", survey_edit, methods=["GET", "POST"])
    bp.add_url_rule("/surveys/<code>/yaml", "survey_yaml", survey_yaml, methods=["GET", "POST"])
    bp.add_url_rule("/surveys/<code>", "survey_show", survey_show)
    bp.add_url_rule("/surveys/<code>/open", "survey_open", survey_open, methods=["POST"])
    bp.add_url_rule("/surveys/<code>/rounds/<int:number>/close", "survey_close", survey_close, methods=["POST"])
    bp.add_url_rule("/surveys/<code>/rounds/<int:number>/publish", "survey_publish", survey_publish,
                    methods=["POST"])
    bp.add_url_rule("/surveys/<code>/import", "survey_import", survey_import, methods=["POST"])
    bp.add_url_rule("/surveys/export/<any(answers,tallies):kind>.<any(csv,xlsx):fmt>", "survey_export",
                    survey_export)
    bp.add_url_rule("/population", "population", population, methods=["GET", "POST"])
    bp.add_url_rule("/account", "account", account)
