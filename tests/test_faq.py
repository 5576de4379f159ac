"""The city's FAQ: imported from its CSV, answering the questions it covers; greetings and thanks answered kindly."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from content.faq import DEMO_FAQ, seed_demo_faq, small_talk
from content.importers import import_path
from content.search.answers import answer_question
from models import FaqEntry

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
HEADER = "ID,質問,質問_別表現,回答,カテゴリー,キーワード,担当課,連絡先電話番号,URL,更新日\n"


def write(tmp_path, body: str, name: str = "faq.csv"):
    """An FAQ CSV in the documented layout."""
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8-sig")
    return str(path)


def test_an_faq_file_imports_with_paraphrases_and_keywords(session, tmp_path):
    report = import_path(session, "faq", write(tmp_path, "1,ゴミの出し方,ごみの分別;ゴミの日,月曜と木曜です。,ごみ,ゴミ;分別,環境課,0000-1,"
                                                        "https://city.example.jp/gomi,2026-04-01\n"))
    session.commit()
    entry = session.exec(select(FaqEntry)).one()
    assert (report.imported, entry.paraphrases, entry.keywords) == (1, "ごみの分別\nゴミの日", "ゴミ\n分別")


def test_a_row_without_an_answer_is_skipped_with_its_line_number_and_the_others_kept(session, tmp_path):
    report = import_path(session, "faq", write(tmp_path, "1,ゴミの出し方,,月曜です。,,,,,,\n2,住民票,,,,,,,,\n"))
    assert (report.imported, report.skipped) == (1, 1)
    assert report.problems == [(3, "回答がありません")]


def test_reimporting_retires_the_entries_gone_from_the_file(session, tmp_path):
    import_path(session, "faq", write(tmp_path, "1,ゴミの出し方,,月曜です。,,,,,,\n2,住民票,,市民課で。,,,,,,\n"))
    report = import_path(session, "faq", write(tmp_path, "1,ゴミの出し方,,月曜です。,,,,,,\n"))
    session.commit()
    assert (report.unchanged, report.retired) == (1, 1)


def test_a_file_without_question_and_answer_columns_is_refused_naming_them(session, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("名称,住所\nA,B\n", encoding="utf-8")
    report = import_path(session, "faq", str(path))
    assert report.refused and "質問" in report.refused and "回答" in report.refused


def test_the_demo_city_ships_about_thirty_entries(session):
    seed_demo_faq(session)
    session.commit()
    assert len(session.exec(select(FaqEntry)).all()) >= 30
    assert DEMO_FAQ.is_file()


@pytest.mark.parametrize("question, entry", [
    ("ゴミの出し方を知りたい", "ゴミの出し方を知りたい"),
    ("市役所の電話番号", "市役所の連絡先"),
    ("市役所は何時まで", "市役所の開庁時間"),
    ("住民票がほしい", "住民票の写しがほしい"),
    ("子育ての相談をしたい", "子育ての相談をしたい"),
    ("粗大ごみ", "粗大ごみを出したい"),
])
def test_city_questions_get_the_citys_answer(session, question, entry):
    seed_demo_faq(session)
    session.commit()
    answer = answer_question(session, question, now=NOW, lang="ja")
    assert [(i["kind"], i["title"]) for i in answer.items] == [("faq", entry)]
    assert answer.messages[0]["text"].startswith(f"よくある質問：{entry}")
    assert answer.messages[0]["quickReply"]["items"]  # never a dead end


@pytest.mark.parametrize("text, kind", [
    ("こんにちは", "greeting"), ("こんにちわ！", "greeting"), ("おはようございます", "greeting"), ("Hello", "greeting"),
    ("ありがとう", "thanks"), ("ありがとうございました！", "thanks"), ("thank you", "thanks"),
    ("こんにちは、今週末のイベントは？", None), ("ありがとう祭り", None),
])
def test_greetings_and_thanks_are_told_apart_from_questions(text, kind):
    assert small_talk(text) == kind


@pytest.mark.parametrize("text, lang, start", [
    ("こんにちは", "ja", "こんにちは。"), ("ありがとう", "ja", "どういたしまして。"), ("hello", "en", "Hello!"),
])
def test_greetings_get_a_short_friendly_reply_with_the_menu(session, text, lang, start):
    answer = answer_question(session, text, now=NOW, lang=lang)
    assert answer.understood and answer.items == []
    assert answer.messages[0]["text"].startswith(start)
    assert len(answer.messages[0]["quickReply"]["items"]) >= 3
