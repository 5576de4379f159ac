"""Typed words about one's sign-ups (「参加予定」「予約したイベントを見たい」「申し込みたい」「リマインドして」),
recognised before the search, which would otherwise answer them with every event it knows."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from content.i18n import LANGUAGES, translator
from content.menus import normalize_words

LIST_WORDS = ("参加予定", "さんかよてい", "参加予定一覧", "予約一覧", "申込一覧", "申し込み一覧", "予約確認", "申込確認",
              "申し込み確認", "予約の確認", "申込の確認", "申し込みの確認", "my sign-ups", "my signups", "my bookings")
# 「予約したイベントを見たい」「申し込んだイベントは？」「参加予定を教えて」
_LIST = re.compile(r"^(?:私の|わたしの|自分の)?(?:予約|申込|申し込|申込み|参加申込|参加登録|参加予定)"
                   r"(?:した|んだ|済み|済|中|している|してる)?(?:の)?(?:イベント|もの|催し|予定|講座|教室)?"
                   r"(?:を|は|が)?(?:確認|見たい|見せて|みせて|一覧|教えて|おしえて|どれ|知りたい|見る)")
# 「申し込んだイベント」「予約したもの」 on their own
_DONE = re.compile(r"^(?:私が|わたしが|自分が)?(?:予約|申込|申し込|申込み|参加申込)(?:した|んだ|済みの|済の)"
                   r"(?:イベント|もの|催し|講座|教室|やつ)(?:は|って|を)?$")
_APPLY = re.compile(r"^(?:イベントに|イベントを|講座に|教室に)?(?:申し込み|申込み|申込|予約|参加申込|参加申し込み)"
                    r"(?:を)?(?:したい|したいです|する|方法|のしかた|の仕方|のやり方|できる|できますか|は)$"
                    r"|^(?:イベントに|イベントを)?(?:申し込み|申込み|申し込|参加申し込み)たい(?:です)?$")
_REMIND = re.compile(r"^(?:リマインド|リマインダー|前日に(?:教えて|知らせて|お知らせ)|忘れないように|通知して)")
_CODE = re.compile(r"^(?:受付コード|うけつけこーど|受付番号|qrコード|checkincode|check-incode)")


@lru_cache(maxsize=1)
def _list_words() -> frozenset[str]:
    """参加予定 in every language plus the typed variants."""
    words = {normalize_words(w) for w in LIST_WORDS}
    for lang in LANGUAGES:
        words.add(normalize_words(translator(lang)("参加予定")))
    return frozenset(words)


def signup_intent(text: str) -> Optional[str]:
    """list | apply | remind | code for words about sign-ups; None for anything else (the search answers)."""
    word = normalize_words(text)
    if not word or len(word) > 30:
        return None
    if word in _list_words() or _LIST.match(word) or _DONE.match(word):
        return "list"
    if _APPLY.match(word):
        return "apply"
    if _REMIND.match(word):
        return "remind"
    if _CODE.match(word):
        return "code"
    return None
