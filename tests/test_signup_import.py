"""`tsunagari import events PATH --signup chat`: the file's 定員 and 参加申込終了日 become the sign-up rules."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from bot.cli import main
from models import Event, make_engine

HEADER = ("都道府県コード又は市区町村コード,NO,都道府県名,市区町村名,イベント名,イベント名_カナ,イベント名_英語,開始日,終了日,"
          "開始時間,終了時間,開始日時特記事項,説明,料金(基本),料金(詳細),連絡先名称,連絡先電話番号,連絡先内線番号,主催者,場所名称,"
          "住所,方書,緯度,経度,アクセス方法,駐車場情報,定員,参加申込終了日,参加申込終了時間,参加申込方法,URL,備考")


def events_csv(path, day: date) -> None:
    """A small 推奨データセット イベント一覧 file: one event with 定員 2 and a deadline, one without either."""
    rows = [
        f"999999,1,架空県,みどり市,そば打ち体験,,,{day:%Y/%m/%d},{day:%Y/%m/%d},10:00,12:00,,そばを打ちます。,500,,"
        f"生涯学習課,0480-21-1101,,みどり市,中央公民館,,,,,,,2,{day - timedelta(days=3):%Y/%m/%d},17:00,電話で生涯学習課へ,,",
        f"999999,2,架空県,みどり市,星空観察会,,,{day:%Y/%m/%d},{day:%Y/%m/%d},19:00,20:30,,星を見ます。,0,,"
        f",,,みどり市,西山公民館,,,,,,,,{day - timedelta(days=1):%Y/%m/%d},,,,",
    ]
    path.write_text("\ufeff" + HEADER + "\r\n" + "\r\n".join(rows) + "\r\n", encoding="utf-8")


@pytest.fixture
def runner(monkeypatch, tmp_path):
    """A CLI runner on a fresh, migrated SQLite file."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    cli = CliRunner()
    assert cli.invoke(main, ["db", "upgrade"]).exit_code == 0
    return cli


def rows(tmp_path) -> dict[str, Event]:
    """The imported events by title."""
    with Session(make_engine(f"sqlite:///{tmp_path / 'cli.db'}")) as session:
        return {e.title: e for e in session.exec(select(Event)).all()}


def test_import_with_signup_chat_takes_capacity_and_deadline_from_the_file(runner, tmp_path):
    day = date.today() + timedelta(days=20)
    events_csv(tmp_path / "events.csv", day)
    result = runner.invoke(main, ["import", "events", str(tmp_path / "events.csv"), "--signup", "chat"])
    assert result.exit_code == 0, result.output
    assert "LINEで参加を受け付ける: 2 件" in result.output
    found = rows(tmp_path)
    soba, stars = found["そば打ち体験"], found["星空観察会"]
    assert (soba.chat_signup, soba.capacity, soba.apply_method) == (True, 2, "電話で生涯学習課へ")
    deadline = day - timedelta(days=3)
    assert soba.signup_deadline == datetime(deadline.year, deadline.month, deadline.day, 8, 0)  # 17:00 JST
    assert stars.chat_signup and stars.capacity is None
    end_of_day = day - timedelta(days=1)
    assert stars.signup_deadline == datetime(end_of_day.year, end_of_day.month, end_of_day.day, 15, 0)  # 24:00 JST


def test_reimport_without_the_option_keeps_signups_and_none_switches_them_off(runner, tmp_path):
    events_csv(tmp_path / "events.csv", date.today() + timedelta(days=20))
    runner.invoke(main, ["import", "events", str(tmp_path / "events.csv"), "--signup", "chat"])
    assert runner.invoke(main, ["import", "events", str(tmp_path / "events.csv")]).exit_code == 0
    assert all(e.chat_signup for e in rows(tmp_path).values())
    result = runner.invoke(main, ["import", "events", str(tmp_path / "events.csv"), "--signup", "none"])
    assert "LINEでの参加受付をやめた: 2 件" in result.output
    assert not any(e.chat_signup for e in rows(tmp_path).values())


def test_import_without_the_option_leaves_items_without_chat_signups(runner, tmp_path):
    events_csv(tmp_path / "events.csv", date.today() + timedelta(days=20))
    runner.invoke(main, ["import", "events", str(tmp_path / "events.csv")])
    assert not any(e.chat_signup for e in rows(tmp_path).values())


def test_signup_option_on_facilities_is_refused(runner, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("名称,住所\n中央公民館,本町1\n", encoding="utf-8")
    result = runner.invoke(main, ["import", "facilities", str(path), "--signup", "chat"])
    assert result.exit_code == 2 and "--signup" in result.output


@pytest.mark.parametrize("end, deadline", [("", "9999-12-31"), ("9999-12-31", ""), ("9999/12/31", "9999/12/31")])
def test_a_9999_12_31_placeholder_is_no_date_and_the_row_is_kept(runner, tmp_path, end, deadline):
    day = date.today() + timedelta(days=20)
    row = (f"999999,1,架空県,みどり市,森の実習隊,,,{day:%Y-%m-%d},{end},,,,森の手入れをします。,,,,,,みどり市,みどり公園,"
           f",,,,,,,{deadline},,,,")
    (tmp_path / "events.csv").write_text(HEADER + "\n" + row + "\n", encoding="utf-8")
    result = runner.invoke(main, ["import", "events", str(tmp_path / "events.csv"), "--signup", "chat"])
    assert result.exit_code == 0 and "スキップ 0 件" in result.output, result.output
    event = rows(tmp_path)["森の実習隊"]
    assert event.signup_deadline is None
    assert (event.starts_at.date(), event.ends_at.date()) == (day - timedelta(days=1), day)  # all day, JST in UTC
