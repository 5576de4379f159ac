"""What residents asked that found nothing: normalised words by week, no text or resident, kept 90 days."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from content.search.answers import answer_question
from content.unanswered import purge_unanswered, record_unanswered, week_of, weekly_counts
from models import UnansweredWord
from tests.fixtures.console.support import fast_hashing, login, make_user  # noqa: F401

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=TOKYO)  # a Thursday


def test_a_question_that_found_nothing_is_counted_by_its_words_only(session):
    for _ in range(2):
        answer_question(session, "プラネタリウムの電話 090-1234-5678 を教えて", now=NOW, lang="ja")
    session.commit()
    rows = {(r.kind, r.words): r.count for r in session.exec(select(UnansweredWord))}
    assert rows[("word", "プラネタリウム")] == 2
    question = next(words for kind, words in rows if kind == "question")
    assert "090" not in question and "1234" not in question and "教えて" not in question
    assert all(r.week == week_of(NOW) == NOW.date() - timedelta(days=3) for r in session.exec(select(UnansweredWord)))


def test_greetings_and_answered_questions_are_not_counted(session):
    answer_question(session, "こんにちは", now=NOW, lang="ja")
    session.commit()
    assert session.exec(select(UnansweredWord)).all() == []


def test_weeks_older_than_ninety_days_are_deleted(session):
    record_unanswered(session, question="ヨガ教室", unmatched=["ヨガ"], now=NOW - timedelta(days=120))
    record_unanswered(session, question="ヨガ教室", unmatched=["ヨガ"], now=NOW)
    session.commit()
    assert purge_unanswered(session, now=NOW) == 2
    session.commit()
    assert {r["week"] for r in weekly_counts(session, now=NOW)} == {week_of(NOW)}


def test_the_retention_job_runs_in_the_scheduler():
    from jobs.scheduler import JOB_MODULES

    assert "jobs.unanswered" in JOB_MODULES


def test_staff_see_the_words_by_week_and_can_download_them(app, engine, fast_hashing):  # noqa: F811
    from sqlmodel import Session

    with Session(engine) as session:
        record_unanswered(session, question="プラネタリウム", unmatched=["プラネタリウム"], now=datetime.now(TOKYO))
        session.commit()
    make_user(engine, "staff@city.example.jp", "staff")
    client = app.test_client()
    login(client, "staff@city.example.jp")
    page = client.get("/admin/unanswered").get_data(as_text=True)
    assert "プラネタリウム" in page and "見つからなかったことば" in page
    download = client.get("/admin/unanswered?format=csv")
    assert download.mimetype == "text/csv" and "プラネタリウム" in download.get_data(as_text=True)


def test_organizations_do_not_see_the_page(app, engine, fast_hashing):  # noqa: F811
    make_user(engine, "org@city.example.jp", "org", org="自治会")
    client = app.test_client()
    login(client, "org@city.example.jp")
    assert client.get("/admin/unanswered").status_code in (302, 403)
