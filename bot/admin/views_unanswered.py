"""Staff: what residents asked that found nothing — normalised words counted by week (no text, no resident)."""
from __future__ import annotations

import csv
import io

from flask import current_app, render_template, request

from flask_login import current_user

from bot.admin.auth import client_address, db, staff_required
from content import audit
from content.unanswered import KEEP_DAYS, totals, weekly_counts

KIND_LABELS = {"word": "見つからなかったことば", "question": "何も見つからなかった質問（ことばのみ）"}


@staff_required
def unanswered():
    """The last weeks' counts, the most asked first; ?format=csv downloads them for Excel."""
    session = db()
    rows = weekly_counts(session)
    if request.args.get("format") == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["週（月曜日）", "種類", "ことば", "回数"])
        for row in rows:
            writer.writerow([row["week"].isoformat(), KIND_LABELS[row["kind"]], row["words"], row["count"]])
        audit.record(session, current_user, "export", "unanswered", None, detail=f"{len(rows)}件",
                     address=client_address())
        session.commit()
        response = current_app.response_class("\ufeff" + buffer.getvalue(), mimetype="text/csv")
        response.headers["Content-Disposition"] = "attachment; filename=unanswered-words.csv"
        return response
    return render_template("admin/unanswered.html", rows=rows, totals=totals(session), kinds=KIND_LABELS,
                           keep_days=KEEP_DAYS)


def register(bp) -> None:
    """Attach the page to the console blueprint."""
    bp.add_url_rule("/unanswered", "unanswered", unanswered)
