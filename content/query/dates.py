"""Japanese date and time expressions → a date range in Asia/Tokyo, relative to "now".

Hand-written on purpose: ja-timex drops 末 (今週末), does not combine 来週の土曜日, never rolls the year
(「1月5日」 in December) and its to_datetime() ignores 午後; dateparser fails 今週末/あさって/来週の土曜日.
Residents use a small closed set of expressions, so a rule table plus jpholiday is smaller and testable.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

import jpholiday

from content.query.normalize import Token, tokenize

JST = ZoneInfo("Asia/Tokyo")
WEEKDAYS = "月火水木金土日"
_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

# (name, [start hour, end hour)) — overlaps are deliberate. 夕方 is the Japan Meteorological Agency's 15–18 時
# (an hour more for what starts at 18:00), not the night: a 15:30 class is 「夕方」 to a resident.
TIME_OF_DAY_HOURS = {"morning": (0, 12), "afternoon": (12, 18), "dusk": (15, 19), "evening": (17, 24),
                     "daytime": (9, 17)}
_TIME_OF_DAY_LABEL = {"morning": "午前", "afternoon": "午後", "dusk": "夕方", "evening": "夜", "daytime": "昼間"}


@dataclass
class DateReading:
    """What the date words of a question say."""

    start: Optional[datetime] = None
    end: Optional[datetime] = None
    label: Optional[str] = None
    past: bool = False
    time_of_day: Optional[str] = None
    exact_time: Optional[tuple[int, int]] = None
    spans: tuple[tuple[int, int], ...] = ()  # character spans of the text that were date words
    weekdays: tuple[int, ...] = ()  # days of the week named (0 = Monday): 平日 → 0-4, 土日 → 5, 6
    recurring: bool = False  # 毎週土曜日, 毎月第2日曜: a repeating day, not one date

    @property
    def date_range(self) -> Optional[tuple[datetime, datetime]]:
        """[start, end) when a date was given."""
        return (self.start, self.end) if self.start is not None else None


@dataclass
class _Day:
    """One resolved date expression before merging: [first, last) days and a label."""

    first: date
    last: date  # exclusive
    label: str
    span: tuple[int, int]
    past: bool = False
    weekly: bool = False  # came from a weekday name (dropped when the question says 毎週)


def kanji_number(text: str) -> int:
    """Value of a kanji numeral up to 9999 (十二 → 12, 二十三 → 23, 二〇二六 → 2026)."""
    if all(c in _KANJI_DIGITS for c in text):
        return int("".join(str(_KANJI_DIGITS[c]) for c in text))
    total, current = 0, 0
    for ch in text:
        if ch in _KANJI_DIGITS:
            current = _KANJI_DIGITS[ch]
        else:
            unit = {"十": 10, "百": 100, "千": 1000}[ch]
            total += (current or 1) * unit
            current = 0
    return total + current


_KANJI_NUM_RE = re.compile(r"(?<=第)[一二三四五]|[〇零一二三四五六七八九十百千]+(?=[年月日時分週]|つ後|日後)")


def arabic_numerals(text: str) -> str:
    """Kanji numerals that precede 年/月/日/時/分 rewritten as digits (十二月三日 → 12月3日)."""
    return _KANJI_NUM_RE.sub(lambda m: str(kanji_number(m.group())), text)


# Words that say the resident asks about something that already happened.
_PAST_RE = re.compile(
    r"過去|前回|この前|こないだ|先日|去年|昨年|(?:終わった|おわった|あった|だった|行われた|やってた|開催された|済んだ)(?!ら|はず|ような|と思|よね|っけ)|ありました|でした"
)

_KANA_END = r"(?=[はのにもでとや、。?!~〜\s]|って|から|まで|なに|なん|どこ|いつ|だれ|[^ぁ-ゖ]|$)"


def _days(first: date, n: int = 1) -> tuple[date, date]:
    """[first, first+n)."""
    return first, first + timedelta(days=n)


def _monday(d: date) -> date:
    """The Monday of d's week (weeks start on Monday)."""
    return d - timedelta(days=d.weekday())


def _weekend_of_week(monday: date) -> tuple[date, date]:
    """Saturday 00:00 – Monday 00:00 of the week that starts on monday."""
    return monday + timedelta(days=5), monday + timedelta(days=7)


def _upcoming_weekend(today: date) -> tuple[date, date]:
    """This coming weekend; on a Saturday or Sunday it is today through Monday."""
    sat, mon = _weekend_of_week(_monday(today))
    return (max(sat, today), mon)


def _month_range(year: int, month: int) -> tuple[date, date]:
    """The whole of a month."""
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, 1), nxt


def _add_months(d: date, n: int) -> date:
    """The first day of the month n months after d's month."""
    idx = d.year * 12 + d.month - 1 + n
    return date(idx // 12, idx % 12 + 1, 1)


def _weekday_label(d: date) -> str:
    """12月3日(木)."""
    return f"{d.month}月{d.day}日({WEEKDAYS[d.weekday()]})"


def _safe_date(y: int, m: int, d: int) -> Optional[date]:
    """date(y, m, d) or None when it does not exist."""
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _roll_year(m: int, d: int, today: date, past: bool, year: Optional[int] = None) -> Optional[date]:
    """M月D日 in the year a resident means: next year once the date has passed, unless they ask about the past."""
    if year is not None:
        return _safe_date(year, m, d)
    candidate = _safe_date(today.year, m, d)
    if candidate is None:
        return _safe_date(today.year + 1, m, d)
    if candidate < today and not past:
        return _safe_date(today.year + 1, m, d) or candidate
    if candidate > today and past:
        return _safe_date(today.year - 1, m, d) or candidate
    return candidate


# --- simple relative days ------------------------------------------------------------------

_RELATIVE_DAYS = [
    (re.compile(r"今日|本日|(?:きょう)" + _KANA_END), 0, "今日"),
    (re.compile(r"明々後日|明明後日|しあさって"), 3, "しあさって"),
    (re.compile(r"明後日|あさって"), 2, "あさって"),
    (re.compile(r"明日|(?:あした|あす)" + _KANA_END), 1, "明日"),
    (re.compile(r"一昨日|おととい|おとつい"), -2, "おととい"),
    (re.compile(r"昨日|きのう"), -1, "昨日"),
]

_WD = r"([月火水木金土日])(?:曜日|曜|よう日|ようび)"
_WD_KANA = {"げつ": "月", "か": "火", "すい": "水", "もく": "木", "きん": "金", "ど": "土", "にち": "日"}
_WEEKDAY_RE = re.compile(
    r"(再来週|来週|今週|先週|次の|次回の|今度の|この)?の?\s*" + _WD + r"((?:\s*[とか・、や]\s*" + _WD + r")*)"
)
_WEEKDAY_KANA_RE = re.compile(r"(らいしゅう|こんしゅう|こんど)?の?(げつ|か|すい|もく|きん|ど|にち)ようび?")
_DONICHI_RE = re.compile(r"(再来週|来週|今週|先週|次の|今度の|この)?の?(土日|土・日|週末|しゅうまつ|どにち)")
_WEEKEND_WORD_RE = re.compile(r"(今週末|こんしゅうまつ|来週末|らいしゅうまつ|再来週末|先週末)")
_WEEK_RE = re.compile(r"(再来週|来週|今週|先週|らいしゅう|こんしゅう|せんしゅう)(?:中|いっぱい)?")
_MONTH_RE = re.compile(r"(再来月|来月|今月|先月|こんげつ|らいげつ|せんげつ)(?:中|いっぱい)?")
_YEAR_RE = re.compile(r"(今年|年内|来年|去年|昨年)")
_N_LATER_RE = re.compile(r"(\d{1,3})(日|週間|か月|ヶ月|カ月)(後|以内|間)")
_FULL_DATE_RE = re.compile(
    r"(?:(\d{4})[年/.-]|令和(\d{1,2}|元)年)?(\d{1,2})(?:月|/)(\d{1,2})日?(?:\s*[(（]?[月火水木金土日](?:曜日?)?[)）]?)?"
)
_MONTH_ONLY_RE = re.compile(r"(?<![\d/])(\d{1,2})月(?![\d日])")
# not 「1日いくら」「1日中」「1日あたり」「1日券」: a day's worth, not a date
_DAY_ONLY_RE = re.compile(r"(?<![\d月/])(\d{1,2})日(?![後間以]|\s*(?:いくら|幾ら|中|じゅう|あたり|当たり|券|料金|分|だけ))"
                          r"(?:\s*[(（]?[月火水木金土日](?:曜日?)?[)）]?)?")
_HOLIDAY_RE = re.compile(r"(次の|今度の|つぎの|今週の?|来週の?)?(祝日|祭日|しゅくじつ)")
# National holidays by name (jpholiday's names; 体育の日 and 子供の日 as residents still say them).
_HOLIDAY_ALIASES = {"体育の日": "スポーツの日", "子供の日": "こどもの日", "子どもの日": "こどもの日", "元旦": "元日",
                    "建国記念日": "建国記念の日"}
_HOLIDAY_NAMES = ("元日", "成人の日", "建国記念の日", "天皇誕生日", "春分の日", "昭和の日", "憲法記念日", "みどりの日",
                  "こどもの日", "海の日", "山の日", "敬老の日", "秋分の日", "スポーツの日", "文化の日", "勤労感謝の日")
# 「敬老の日にあげるもの」「母の日のプレゼント」: the day a gift is for is the topic, not the day asked about
_GIFT_FOR_THE_DAY = r"(?!に(?:あげ|贈|おく|渡|わた|プレゼント)|の(?:プレゼント|贈り物|おくりもの|ギフト))"
_NAMED_HOLIDAY_RE = re.compile("(?:" + "|".join(sorted(_HOLIDAY_NAMES + tuple(_HOLIDAY_ALIASES), key=len, reverse=True))
                               + ")" + _GIFT_FOR_THE_DAY)
# Season words → (label, first (month, day), last (month, day) exclusive). Approximate on purpose:
# school holidays differ by city; these windows only narrow a search.
_SEASONS = {
    r"GW|ゴールデンウィーク|ゴールデンウイーク": ("GW", (4, 29), (5, 7)),
    r"年末年始": ("年末年始", (12, 29), (1, 4)),
    r"冬休み": ("冬休み", (12, 25), (1, 8)),
    r"年末": ("年末", (12, 20), (1, 1)),
    r"お正月|正月|年始|三が日": ("お正月", (1, 1), (1, 8)),
    # A bare イブ only when no katakana precedes it: ライブ and ドライブ are not Christmas Eve.
    r"クリスマスイブ|クリスマス|(?<![ァ-ヺー])イブ": ("クリスマス", (12, 24), (12, 26)),
    r"夏休み": ("夏休み", (7, 20), (9, 1)),
    r"春休み": ("春休み", (3, 20), (4, 7)),  # schools close from the 20th (大阪) to the 26th (東京): the union
    r"お盆": ("お盆", (8, 13), (8, 17)),
    # the September holidays around 敬老の日 and 秋分の日 (their days move from year to year)
    r"シルバーウィーク|シルバーウイーク": ("シルバーウィーク", (9, 14), (9, 25)),
}
_SEASON_RE = re.compile("|".join(f"(?:{k})" for k in _SEASONS))
_TONIGHT_RE = re.compile(r"今夜|今晩|こんや|こんばん|今日の夜|今日の晩")
_GREETING_RE = re.compile(r"^(?:こんにちは|こんにちわ|こんばんは|こんばんわ|今晩は|今日は|おはよう(?:ございます)?)(?=[!！。、,.\s]|$)")
_NOW_RE = re.compile(r"(?:今|いま)(?=から|すぐ|やって|開いて|あいて|空いて|行ける|いける)|これから行ける|この後")
_NTH_WEEKDAY_RE = re.compile(r"(?:(\d{1,2})月|(今月|来月|再来月))?の?(?:第(\d)|(最後の|最終の?|さいごの|最初の|はじめの|初めの))\s*"
                             r"([月火水木金土日])(?:曜日|曜)?")
_THIS_MORNING_RE = re.compile(r"今朝|(?:けさ)" + _KANA_END)
_RANGE_JOIN_RE = re.compile(r"^\s*(?:から|~|〜|ー|-|－)\s*$")
_SINCE_RE = re.compile(r"^\s*(?:以降|から先|から後|から)")


def _resolve_relative_days(text: str, today: date) -> list[_Day]:
    """今日, 明日, あさって, 昨日 …."""
    out = []
    for pattern, offset, label in _RELATIVE_DAYS:
        for m in pattern.finditer(text):
            first, last = _days(today + timedelta(days=offset))
            out.append(_Day(first, last, label, m.span(), past=offset < 0))
    return out


def _week_prefix_monday(prefix: Optional[str], today: date) -> tuple[Optional[date], bool]:
    """The Monday a 来週/今週/先週 prefix points at (None = no week given), and whether it is past."""
    mon = _monday(today)
    if prefix in ("来週", "らいしゅう"):
        return mon + timedelta(days=7), False
    if prefix == "再来週":
        return mon + timedelta(days=14), False
    if prefix in ("今週", "こんしゅう"):
        return mon, False
    if prefix in ("先週", "せんしゅう"):
        return mon - timedelta(days=7), True
    return None, False


def _weekday_date(wd: int, prefix: Optional[str], today: date, past: bool) -> tuple[date, bool]:
    """The day a weekday name means with its prefix (来週の土曜, 今度の日曜, 土曜)."""
    monday, is_past = _week_prefix_monday(prefix, today)
    if monday is not None:
        return monday + timedelta(days=wd), is_past
    delta = (wd - today.weekday()) % 7
    # 「土曜日のイベントどうだった?」 → the last one; but 今度の / 次の always look ahead (「今度の土曜 訓練あるって
    # 回覧板にあった」: the notice came in the past, the drill is coming)
    if past and prefix not in ("次の", "次回の", "今度の", "こんど"):
        return today - timedelta(days=(today.weekday() - wd) % 7 or 7), True
    if prefix in ("次の", "次回の", "今度の", "こんど") and delta == 0:
        delta = 7
    return today + timedelta(days=delta), False


def _resolve_weekdays(text: str, today: date, past: bool) -> list[_Day]:
    """来週の土曜日, 今度の日曜, 土曜と日曜, どようび."""
    out = []
    for m in _WEEKDAY_RE.finditer(text):
        prefix = m.group(1)
        names = [m.group(2)] + re.findall(r"[月火水木金土日](?=曜|よう)", m.group(3) or "")
        resolved = [_weekday_date(WEEKDAYS.index(name), prefix, today, past) for name in names]
        first = min(d for d, _ in resolved)
        last = max(d for d, _ in resolved) + timedelta(days=1)
        label = (prefix.rstrip("の") + "の" if prefix else "") + "・".join(n + "曜日" for n in names)
        is_past = any(p for _, p in resolved) or last <= today
        out.append(_Day(first, last, label, m.span(), past=is_past, weekly=True))
    for m in _WEEKDAY_KANA_RE.finditer(text):
        if any(a <= m.start() < b for d in out for a, b in [d.span]):
            continue
        prefix = {"らいしゅう": "来週", "こんしゅう": "今週", "こんど": "今度の"}.get(m.group(1) or "", None)
        name = _WD_KANA[m.group(2)]
        d, is_past = _weekday_date(WEEKDAYS.index(name), prefix, today, past)
        out.append(_Day(d, d + timedelta(days=1), name + "曜日", m.span(), past=is_past or d < today, weekly=True))
    return out


_WEEKDAY_NAME_RE = re.compile(r"([月火水木金土日])(?=曜|よう)|(げつ|か|すい|もく|きん|ど|にち)(?=ようび)")
_WEEKDAY_GROUPS = [(re.compile(r"平日|へいじつ|ウィークデー"), (0, 1, 2, 3, 4)),
                   (re.compile(r"土日|土・日|週末|しゅうまつ|どにち|休日"), (5, 6))]
_RECURRING_RE = re.compile(r"毎週|毎月|まいしゅう|毎[月火水木金土日]曜|隔週|定期的|毎朝|毎晩|毎日")


def named_weekdays(text: str) -> tuple[int, ...]:
    """Days of the week a text names (0 = Monday), in order: 土曜 → (5,), 平日 → (0..4)."""
    days: set[int] = set()
    for pattern, group in _WEEKDAY_GROUPS:
        if pattern.search(text):
            days.update(group)
    for m in _WEEKDAY_NAME_RE.finditer(text):
        days.add(WEEKDAYS.index(m.group(1) or _WD_KANA[m.group(2)]))
    return tuple(sorted(days))


def _resolve_nth_weekdays(text: str, today: date, past: bool) -> list[_Day]:
    """12月の第2土曜日, 来月の第1土曜, 第3日曜, 3月最後の水曜 (this month, or next month once it has passed)."""
    out = []
    for m in _NTH_WEEKDAY_RE.finditer(text):
        first = (m.group(4) or "") in ("最初の", "はじめの", "初めの")  # 「10月の最初の日曜」 is the first
        n, wd = (int(m.group(3)) if m.group(3) else 1 if first else -1), WEEKDAYS.index(m.group(5))
        if not (1 <= n <= 5 or n == -1):
            continue
        if m.group(1):
            month = int(m.group(1))
            months = [(today.year + (month < today.month and not past), month)]
        elif m.group(2):
            first = _add_months(today, {"今月": 0, "来月": 1, "再来月": 2}[m.group(2)])
            months = [(first.year, first.month)]
        else:
            nxt = _add_months(today, 1)
            months = [(today.year, today.month), (nxt.year, nxt.month)]
        for year, month in months:
            first_day = date(year, month, 1)
            if n == -1:  # the month's last: back from its last day
                last_day = _month_range(year, month)[1] - timedelta(days=1)
                d = last_day - timedelta(days=(last_day.weekday() - wd) % 7)
            else:
                d = first_day + timedelta(days=(wd - first_day.weekday()) % 7 + 7 * (n - 1))
            if d.month != month or (d < today and not past and len(months) > 1 and (year, month) == months[0]):
                continue
            nth = f"第{n}" if n > 0 else "最後の"
            label = f"{month}月{nth}{m.group(5)}曜日({d.month}/{d.day})"
            out.append(_Day(d, d + timedelta(days=1), label, m.span(), past=d < today, weekly=True))
            break
    return out


def _resolve_weekends(text: str, today: date) -> list[_Day]:
    """今週末, 週末, 来週末, 土日, 来週の土日 — Saturday 00:00 to Monday 00:00."""
    out = []
    for m in _WEEKEND_WORD_RE.finditer(text):
        word = m.group(1)
        mon = _monday(today)
        if word in ("今週末", "こんしゅうまつ"):
            first, last = _upcoming_weekend(today)
            out.append(_Day(first, last, "今週末", m.span()))
        elif word in ("来週末", "らいしゅうまつ"):
            out.append(_Day(*_weekend_of_week(mon + timedelta(days=7)), "来週末", m.span()))
        elif word == "再来週末":
            out.append(_Day(*_weekend_of_week(mon + timedelta(days=14)), "再来週末", m.span()))
        else:
            out.append(_Day(*_weekend_of_week(mon - timedelta(days=7)), "先週末", m.span(), past=True))
    taken = [d.span for d in out]
    for m in _DONICHI_RE.finditer(text):
        if any(a <= m.start() < b or a < m.end() <= b for a, b in taken):
            continue
        prefix = m.group(1)
        monday, is_past = _week_prefix_monday(prefix, today)
        if monday is None:
            first, last = _upcoming_weekend(today)
            if prefix in ("次の", "今度の") and today.weekday() == 6:
                first, last = _weekend_of_week(_monday(today) + timedelta(days=7))
            label = "週末" if "週末" in m.group(2) or "しゅうまつ" in m.group(2) else "土日"
            out.append(_Day(first, last, label, m.span()))
        else:
            first, last = _weekend_of_week(monday)
            out.append(_Day(first, last, prefix + "の土日", m.span(), past=is_past))
    return out


_RENKYU_RE = re.compile(r"(次の|今度の|つぎの|こんどの|この)?の?([2-9２-９二三四五]|)\s*(?:連休|れんきゅう)")
_MONTH_PART_RE = re.compile(
    r"(今月|来月|再来月|こんげつ|らいげつ|(\d{1,2})月)の?(末|終わり|おわり|下旬|初め|はじめ|上旬|初旬|頭)"
    r"|(月末|月の?終わり|月のおわり|月初め|月初|月の?初め|月のはじめ|月の頭)")
_FISCAL_END_RE = re.compile(r"年度末|ねんどまつ")
_KANJI_SMALL = {"二": 2, "三": 3, "四": 4, "五": 5}


def _day_off(d: date) -> bool:
    """Saturday, Sunday or a national holiday (jpholiday)."""
    return d.weekday() >= 5 or jpholiday.is_holiday(d)


def next_days_off(today: date, min_days: int, need_holiday: bool) -> Optional[tuple[date, date]]:
    """The next run of ≥ min_days consecutive days off (weekends + holidays) not over before today: [first, last)."""
    d = today
    while _day_off(d - timedelta(days=1)) and _day_off(d):
        d -= timedelta(days=1)  # a run we are already in counts from its start (clipped to today below)
    horizon = today + timedelta(days=400)
    while d < horizon:
        if not _day_off(d):
            d += timedelta(days=1)
            continue
        first = d
        while _day_off(d):
            d += timedelta(days=1)
        days = [first + timedelta(days=i) for i in range((d - first).days)]
        if len(days) >= min_days and (not need_holiday or any(jpholiday.is_holiday(x) for x in days)):
            return max(first, today), d
    return None


def _resolve_days_off_and_month_parts(text: str, today: date) -> list[_Day]:
    """3連休 / 次の連休 (weekends + jpholiday), 月末 (last 7 days), 月初 / 来月のはじめ (1st–7th), 年度末 (March)."""
    out = []
    for m in _RENKYU_RE.finditer(text):
        raw = unicodedata.normalize("NFKC", m.group(2) or "")
        n = _KANJI_SMALL.get(raw) or (int(raw) if raw.isdigit() else 0)
        found = next_days_off(today, max(n, 3) if n else 2, need_holiday=not n)
        if found:
            first, last = found
            label = f"{'%d' % n if n else ''}連休({first.month}/{first.day}〜{(last - timedelta(days=1)).month}/{(last - timedelta(days=1)).day})"
            out.append(_Day(first, last, label, m.span()))
    for m in _MONTH_PART_RE.finditer(text):
        prefix, number, part = m.group(1), m.group(2), m.group(3) or m.group(4)
        offset = {"来月": 1, "らいげつ": 1, "再来月": 2}.get(prefix or "", 0)
        month_first = _add_months(date(today.year, today.month, 1), offset)
        if number:
            month = int(number)
            if not 1 <= month <= 12:
                continue
            month_first = date(today.year + (month < today.month), month, 1)
        next_first = _add_months(month_first, 1)
        if any(w in part for w in ("末", "終わり", "おわり", "下旬")):
            first = month_first.replace(day=21) if "下旬" in part else next_first - timedelta(days=7)
            last = next_first
            label = f"{month_first.month}月末" if "下旬" not in part else f"{month_first.month}月下旬"
        else:
            first, last = month_first, month_first + timedelta(days=7 if "旬" not in part else 10)
            if last <= today and not prefix:
                first, last = next_first, next_first + timedelta(days=last.day - 1)
            label = f"{first.month}月{'上旬' if '旬' in part else '初め'}"
        if last <= today:
            continue
        out.append(_Day(max(first, today), last, label, m.span()))
    for m in _FISCAL_END_RE.finditer(text):
        year = today.year + (today.month >= 4)
        out.append(_Day(max(date(year, 3, 1), today), date(year, 4, 1), "年度末", m.span()))
    return out


def _resolve_weeks_months_years(text: str, today: date) -> list[_Day]:
    """今週, 来週, 先週, 今月, 来月, 先月, 今年, 来年."""
    out = []
    canon = {"らいしゅう": "来週", "こんしゅう": "今週", "せんしゅう": "先週",
             "こんげつ": "今月", "らいげつ": "来月", "せんげつ": "先月"}
    mon = _monday(today)
    for m in _WEEK_RE.finditer(text):
        word = canon.get(m.group(1), m.group(1))
        start = {"今週": today, "来週": mon + timedelta(days=7), "再来週": mon + timedelta(days=14),
                 "先週": mon - timedelta(days=7)}[word]
        end = {"今週": mon + timedelta(days=7)}.get(word, _monday(start) + timedelta(days=7))
        out.append(_Day(start, end, word, m.span(), past=word == "先週"))
    for m in _MONTH_RE.finditer(text):
        word = canon.get(m.group(1), m.group(1))
        offset = {"今月": 0, "来月": 1, "再来月": 2, "先月": -1}[word]
        first = _add_months(today, offset)
        start = today if offset == 0 else first
        out.append(_Day(start, _add_months(first, 1), word, m.span(), past=offset < 0))
    for m in _YEAR_RE.finditer(text):
        word = m.group(1)
        if word in ("今年", "年内"):
            out.append(_Day(today, date(today.year + 1, 1, 1), word, m.span()))
        elif word == "来年":
            out.append(_Day(date(today.year + 1, 1, 1), date(today.year + 2, 1, 1), word, m.span()))
        else:
            out.append(_Day(date(today.year - 1, 1, 1), date(today.year, 1, 1), word, m.span(), past=True))
    return out


def _resolve_n_later(text: str, today: date) -> list[_Day]:
    """3日後, 2週間後, 1か月後, 3日以内, 1週間以内."""
    out = []
    for m in _N_LATER_RE.finditer(text):
        n, unit, kind = int(m.group(1)), m.group(2), m.group(3)
        days = n * {"日": 1, "週間": 7}.get(unit, 30)
        if kind == "後":
            first = today + timedelta(days=days)
            out.append(_Day(first, first + timedelta(days=1), m.group(), m.span()))
        else:  # 以内 / 間: from today through that day
            out.append(_Day(today, today + timedelta(days=days + 1), m.group(), m.span()))
    return out


def _resolve_absolute(text: str, today: date, past: bool) -> list[_Day]:
    """12月3日, 12/3, 2026年12月3日, 令和8年12月3日, 3日, 12月."""
    out = []
    for m in _FULL_DATE_RE.finditer(text):
        if m.group(3) is None:
            continue
        year = int(m.group(1)) if m.group(1) else None
        if m.group(2):
            year = 2018 + (1 if m.group(2) == "元" else int(m.group(2)))
        d = _roll_year(int(m.group(3)), int(m.group(4)), today, past, year)
        if d is not None:
            out.append(_Day(d, d + timedelta(days=1), _weekday_label(d), m.span(), past=d < today))
    taken = [x.span for x in out]
    for m in _DAY_ONLY_RE.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        day = int(m.group(1))
        month_first = date(today.year, today.month, 1)
        d = _safe_date(today.year, today.month, day)
        if d is None or (d < today and not past):
            nxt = _add_months(month_first, 1)
            d = _safe_date(nxt.year, nxt.month, day)
        if d is not None:
            out.append(_Day(d, d + timedelta(days=1), _weekday_label(d), m.span(), past=d < today))
    for m in _MONTH_ONLY_RE.finditer(text):
        month = int(m.group(1))
        if not 1 <= month <= 12:
            continue
        year = today.year
        if (month < today.month and not past) :
            year += 1
        elif month > today.month and past:
            year -= 1
        first, last = _month_range(year, month)
        start = today if first <= today < last and not past else first
        out.append(_Day(start, last, f"{month}月", m.span(), past=last <= today))
    return out


def _next_holiday(today: date) -> Optional[tuple[date, str]]:
    """The next national holiday on or after today."""
    for d, name in jpholiday.between(today, today + timedelta(days=400)):
        if d >= today:
            return d, name
    return None


def _holidays_of_week(word: str, today: date) -> Optional[_Day]:
    """「今週の祝日」「来週の祝日」: the first run of holidays in that week (シルバーウィーク's 9/21–9/23 together);
    asked on a Sunday, 今週 is the week ahead. None for other words or a week without a holiday."""
    if not word.startswith(("今週", "来週")):
        return None
    monday = today - timedelta(days=today.weekday())
    if word.startswith("来週") or today.weekday() == 6:
        monday += timedelta(days=7)
    first = max(today, monday)
    days = [(d, name) for d, name in jpholiday.between(first, monday + timedelta(days=6))]
    if not days:
        return None
    run = [days[0]]
    for d, name in days[1:]:
        if d != run[-1][0] + timedelta(days=1):
            break
        run.append((d, name))
    label = "・".join(f"{_weekday_label(d)} {name}" for d, name in run)
    return _Day(run[0][0], run[-1][0] + timedelta(days=1), label, (0, 0))


def _named_holiday(name: str, today: date, past: bool) -> Optional[date]:
    """The next (or, asked about the past, the last) day of a national holiday by name."""
    days = jpholiday.between(today - timedelta(days=400), today + timedelta(days=400))
    dates = [d for d, n in days if n == name and ((d < today) if past else (d >= today))]
    if not dates:
        return None
    return max(dates) if past else min(dates)


def _resolve_holidays_and_seasons(text: str, today: date, past: bool = False) -> list[_Day]:
    """祝日 / 次の祝日 / 敬老の日 (jpholiday), GW, 年末年始, 夏休み, 冬休み, 春休み."""
    out = []
    for m in _NAMED_HOLIDAY_RE.finditer(text):
        name = _HOLIDAY_ALIASES.get(m.group(), m.group())
        d = _named_holiday(name, today, past)
        if d is not None:
            out.append(_Day(d, d + timedelta(days=1), f"{_weekday_label(d)} {name}", m.span(), past=d < today))
    for m in _HOLIDAY_RE.finditer(text):
        week = _holidays_of_week(m.group(1) or "", today)
        if week is not None:
            out.append(replace(week, span=m.span()))
            continue
        found = _next_holiday(today)
        if found:
            d, name = found
            out.append(_Day(d, d + timedelta(days=1), f"{_weekday_label(d)} {name}", m.span()))
    for m in _SEASON_RE.finditer(text):
        word = m.group()
        label, (m1, d1), (m2, d2) = next(v for k, v in _SEASONS.items() if re.fullmatch(k, word))
        first = date(today.year, m1, d1)
        last = date(today.year + (m2 < m1), m2, d2)  # exclusive; 年末年始 runs into January
        if m2 < m1 and today.month <= m2:  # asked on 1/2: the 年末年始 we are in
            first, last = date(today.year - 1, m1, d1), date(today.year, m2, d2)
        if today >= last:
            first, last = date(first.year + 1, m1, d1), date(last.year + 1, m2, d2)
        out.append(_Day(max(first, today), last, label, m.span()))
    return out


# --- times of day ----------------------------------------------------------------------------

_CLOCK_RE = re.compile(r"(午前|午後|朝|昼|夕方|夜|ごご|ごぜん)?\s*(\d{1,2})(?:時|じ)(半|(\d{1,2})分)?|(\d{1,2}):(\d{2})")
_TOD_WORDS = [
    # not 朝市 (a market), 朝食, 朝顔, 朝日, 朝刊
    (re.compile(r"午前|ごぜん|朝(?!市|食|ご飯|ごはん|顔|日|刊|礼|霧|焼け)|あさ(?=[のにはか])|モーニング"), "morning"),
    # 平日の昼間: 10時の体操 too, not only after noon (日中 alone: 明日中央公民館 holds 日中 too)
    (re.compile(r"昼間|(?:^|(?<=[のは、\s]))日中|ひるま|にっちゅう|デイタイム"), "daytime"),
    (re.compile(r"午後|ごご|昼(?!食|ご飯|休|間)|ひる(?=[のにはか])"), "afternoon"),
    (re.compile(r"夕方|ゆうがた|夕刻"), "dusk"),
    (re.compile(r"今夜|今晩|夜|晩|ナイト|よる(?=[のにはか]|$)"), "evening"),
]
# 「仕事帰りに」: after work is the evening, and its words (仕事, 帰り) are no topic of the question (後 before a
# kanji starts a word: 会社の後継ぎ is the company's successor)
_AFTER_WORK = re.compile(r"(?:仕事|会社|勤め)(?:帰り|がえり|の(?:後(?![一-龥々])|あと))|退勤後|終業後")


def read_time(text: str) -> tuple[Optional[str], Optional[tuple[int, int]], list[tuple[int, int]]]:
    """Time of day ("morning"/"afternoon"/"dusk"/"evening"/"daytime"), a clock time (h, m) and the spans used."""
    exact, spans, tod = None, [], None
    m = _CLOCK_RE.search(text)
    if m and not (m.group(2) and re.match(r"\s*(?:間|以内)", text[m.end():])) and not re.search(r"何\s*時$", text[: m.start() + 1]):
        if m.group(5):
            h, mi = int(m.group(5)), int(m.group(6))
        else:
            h = int(m.group(2))
            mi = 30 if m.group(3) == "半" else int(m.group(4) or 0)
            prefix = m.group(1)
            if prefix in ("午後", "ごご", "夕方", "夜") and h < 12:
                h += 12
            elif prefix is None and 1 <= h <= 6:
                h += 12  # 「3時ごろ」 means the afternoon; nothing is on at 3 a.m.
            elif prefix == "昼" and h < 6:
                h += 12
        if 0 <= h <= 24 and 0 <= mi < 60:
            exact = (h % 24, mi)
            spans.append(m.span())
            tod = "morning" if exact[0] < 12 else ("afternoon" if exact[0] < 17 else "evening")
    if exact is None:
        for pattern, name in _TOD_WORDS:
            mm = pattern.search(text)
            if mm:
                tod = name
                spans.append(mm.span())
                break
    after_work = _AFTER_WORK.search(text)
    if after_work:
        tod = tod or "evening"
        spans.append(after_work.span())
    return tod, exact, spans


# --- putting it together -----------------------------------------------------------------------


def _at(d: date, hour: int = 0, minute: int = 0) -> datetime:
    """Aware JST datetime for a day and time (hour 24 = next day 00:00)."""
    return datetime.combine(d, time(0), JST) + timedelta(hours=hour, minutes=minute)


def asks_about_past(text: str) -> bool:
    """Whether the wording asks about something that already happened."""
    return bool(_PAST_RE.search(text))


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    """Whether span overlaps any of spans."""
    return any(span[0] < b and a < span[1] for a, b in spans)


def _collect_days(text: str, today: date, past: bool) -> list[_Day]:
    """All date expressions in text, longest (most specific) first, without overlaps."""
    found: list[_Day] = []
    found += _resolve_nth_weekdays(text, today, past)
    found += _resolve_weekends(text, today)
    found += _resolve_days_off_and_month_parts(text, today)
    found += _resolve_holidays_and_seasons(text, today, past)
    absolute = _resolve_absolute(text, today, past)
    found += absolute
    found += _resolve_n_later(text, today)
    if not any(a.last - a.first == timedelta(days=1) for a in absolute):
        found += _resolve_weekdays(text, today, past)  # 「12月20日の土曜日」: the date decides
    found += _resolve_relative_days(text, today)
    found += _resolve_weeks_months_years(text, today)
    chosen: list[_Day] = []
    for day in sorted(found, key=lambda d: (-(d.span[1] - d.span[0]), d.span[0])):
        if not _overlaps(day.span, [c.span for c in chosen]):
            chosen.append(day)
    return sorted(chosen, key=lambda d: d.span[0])


def _merge(days: list[_Day], text: str) -> tuple[date, date, str]:
    """One [first, last) range covering every expression (明日か明後日, 12月3日から5日)."""
    first = min(d.first for d in days)
    last = max(d.last for d in days)
    if len(days) == 1:
        label = days[0].label
        tail = text[days[0].span[1]:]
        if _SINCE_RE.match(tail) and not re.match(r"\s*から\s*\d", tail):
            last = max(last, first + timedelta(days=31))  # 明日以降 / 明日から: a month ahead
            label += "以降"
        return first, last, label
    joined = days[0].label
    if days[1].span[0] > days[0].span[1] and _RANGE_JOIN_RE.match(text[days[0].span[1]:days[1].span[0]]):
        joined = f"{days[0].label}〜{days[-1].label}"
    else:
        joined = "・".join(d.label for d in days)
    return first, last, joined


# --- words that look like dates but are not -----------------------------------------------------

# 一日 as "one day" (一日図書館員, 一日体験, 一日中) rather than "the 1st": a kanji 一日 counts as a date only after
# 月 (十二月一日) or before a weekday (一日(土)); N日 glued to these nouns is "an N-day …" (1日体験, 2日講座).
_ONE_DAY_RE = re.compile(r"(?<![月〇一二三四五六七八九十\d])一日(?![(（]?\s*[月火水木金土日](?:曜|[)）]))(?=[一-龥々ァ-ヺぁ-ゖ])")
_N_DAY_NOUN_RE = re.compile(
    r"(?<![月/\d])[\d〇一二三四五六七八九十]{1,3}日(?=体験|講座|教室|図書|限定|コース|入門|館長|駅長|署長|店長|先生|員|中|間|がかり|掛かり|で(?:でき|作|完成|学))")
# Kana date words are dates only as whole words: べんきょう (勉強) holds きょう, あすなろ holds あす.
_KANA_DATE_RE = re.compile(
    r"しあさって|あさって|こんしゅうまつ|らいしゅうまつ|こんしゅう|らいしゅう|せんしゅう|こんげつ|らいげつ|せんげつ|"
    r"しゅうまつ|きょう|あした|あす|きのう|おととい|こんや|こんばん|けさ")
# Seasons that are also topics: クリスマスコンサート / クリスマスの コンサート is an event's name, not 12/24-25.
_SEASON_TOPIC_RE = re.compile(r"クリスマス(?:イブ)?|お正月|正月|夏休み|冬休み|春休み|お盆|ゴールデンウィーク|ゴールデンウイーク|GW")
_FESTIVE = ("クリスマス", "正月")  # 「クリスマスの…」 names a kind of event; 「夏休みの…」 names a period
# What follows a season word when it is clearly the time asked about (クリスマスに, クリスマスの日, 夏休み中, 年末の休み).
_SEASON_AS_DATE_RE = re.compile(
    r"^(?:\s*(?:に|は|って|まで|から|中|ちゅう|期間|の間|の日|当日|前|明け|"
    r"の\s*(?:休|営業|開館|予定|時間|日程|期間|イベント|いべんと|催し|行事|何か|なにか)|"
    r"[?？!！。、,]|$))")


def _blank(text: str, start: int, end: int) -> str:
    """text with [start, end) replaced by spaces (offsets stay where they were)."""
    return text[:start] + " " * (end - start) + text[end:]


def _inside_longer_word(tokens: list[Token], start: int, end: int) -> bool:
    """True when one token strictly contains [start, end): the kana are part of a longer word."""
    return any(t.start <= start and end <= t.end and (t.end - t.start) > (end - start) for t in tokens)


def _starts_with_noun(text: str) -> bool:
    """True when hiragana text starts with a noun (あそび), not a particle or a question word (いつ, に)."""
    if not re.match(r"[ぁ-ゖ]", text):
        return False
    first = tokenize(text[:12])[:1]
    return bool(first) and first[0].pos == "名詞"


def _season_is_topic(text: str, start: int, end: int, word: str) -> bool:
    """True when a season word names an event (クリスマスコンサート, クリスマスの子どもイベント) rather than a time."""
    tail = text[end:]
    if _SEASON_AS_DATE_RE.match(tail):
        return False
    if re.match(r"[一-龥々ァ-ヺA-Za-z]", tail) or _starts_with_noun(tail):
        return True  # a compound: クリスマスコンサート, 夏休み子ども教室, お正月あそび
    return any(f in word for f in _FESTIVE) and re.match(r"の\s*[一-龥々ァ-ヺぁ-ゖ]", tail) is not None


def mask_non_dates(text: str, tokens: Optional[list[Token]] = None) -> str:
    """text with date-looking words that are not dates blanked (一日図書館員, べんきょう, クリスマスコンサート)."""
    for pattern in (_ONE_DAY_RE, _N_DAY_NOUN_RE):
        for m in pattern.finditer(text):
            text = _blank(text, *m.span())
    kana = [m.span() for m in _KANA_DATE_RE.finditer(text)]
    if kana:
        tokens = tokenize(text) if tokens is None else tokens
        for start, end in kana:
            # しゃきょう (写経), cut by Sudachi into しゃ + きょう: a small kana before the word ends no other word
            if _inside_longer_word(tokens, start, end) or (start and text[start - 1] in "ゃゅょぁぃぅぇぉっー"):
                text = _blank(text, start, end)
    for m in _SEASON_TOPIC_RE.finditer(text):
        if _season_is_topic(text, m.start(), m.end(), m.group()):
            text = _blank(text, *m.span())
    return text


_NEW_YEAR_DAY_RE = re.compile(r"(?:お?正月|新年|年始)の\s*([1-7])日")


def read_dates(text: str, now: datetime, tokens: Optional[list[Token]] = None) -> DateReading:
    """The date range, time of day and past flag a question's wording gives (text: NFKC-normalised).

    tokens: Sudachi tokens of text when the caller has them (kana date words count only as whole words).
    """
    text = arabic_numerals(mask_non_dates(text, tokens))
    # 「正月の2日」 is 1月2日 (padded to the same length: the spans found index the question's text)
    text = _NEW_YEAR_DAY_RE.sub(lambda m: f"1月{m.group(1)}日".ljust(len(m.group(0))), text)
    greeting = _GREETING_RE.match(text)
    if greeting:  # こんばんは is a greeting, not 今晩
        text = " " * greeting.end() + text[greeting.end():]
    now = now.astimezone(JST) if now.tzinfo else now.replace(tzinfo=JST)
    today = now.date()
    past = asks_about_past(text)
    reading = DateReading()
    tonight = _TONIGHT_RE.search(text)
    this_morning = _THIS_MORNING_RE.search(text)
    text_for_days = text
    if tonight:
        text_for_days = text[: tonight.start()] + "今日" + " " * (tonight.end() - tonight.start() - 2) + text[tonight.end():]
    elif this_morning:
        text_for_days = text[: this_morning.start()] + "今日" + text[this_morning.end():]
    days = _collect_days(text_for_days, today, past)
    tod, exact, time_spans = read_time(text)
    if tonight:
        tod = tod if exact else "evening"
    if this_morning and not exact:
        tod = "morning"
    reading.weekdays = named_weekdays(text)
    reading.recurring = bool(_RECURRING_RE.search(text))
    if reading.recurring:  # 毎週土曜日: the weekly day, not next Saturday only
        days = [d for d in days if not d.weekly]
    day_spans = [d.span for d in days]
    reading.spans = tuple(day_spans + time_spans)
    reading.time_of_day, reading.exact_time = tod, exact
    reading.past = past or any(d.past for d in days)
    if not days:
        right_now = _NOW_RE.search(text)
        if right_now:  # 今やってる / 今から行ける: from now to the end of today
            reading.start, reading.end, reading.label = now, _at(today, 24), "今から"
            reading.spans = reading.spans + (right_now.span(),)
        return reading
    first, last, label = _merge(days, text)
    if tonight and len(days) == 1 and days[0].label == "今日":
        label = "今夜"
    start, end = _at(first), _at(last)
    if last - first == timedelta(days=1) and (exact or tod):
        if exact:
            start = _at(first, *exact)
            end = start + timedelta(hours=1)
            label = f"{label} {exact[0]}:{exact[1]:02d}"
        else:
            lo, hi = TIME_OF_DAY_HOURS[tod]
            start, end = _at(first, lo), _at(first, hi)
            if label not in ("今夜",) and not label.endswith(_TIME_OF_DAY_LABEL[tod]):
                label = f"{label}の{_TIME_OF_DAY_LABEL[tod]}"
    reading.start, reading.end, reading.label = start, end, label
    if first > today and not any(d.past for d in days):
        reading.past = False  # 「あした …教室あったよね？」 recalls what was announced: days still to come are not past
    if end <= now:
        reading.past = True
    return reading
