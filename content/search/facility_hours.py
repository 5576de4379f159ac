"""Opening hours and closed days read from the free text cities publish (利用可能日時特記事項 and the like).

Hand-written rules (no library reads 「毎週月曜日（祝日の場合は翌平日）」): what is recognised gives today's
hours; whatever is not recognised is kept, and the answer then also shows the original text.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Optional

import jpholiday

from content.importers.clocktext import clock_time
from content.importers.freedates import WEEKDAYS
from content.search.seasons import SEASON_MONTHS, SPAN, YearSpan, find_span, span_of

_HOURS_LABEL = re.compile(r"【\s*(開館時間|利用時間|営業時間|開所時間|開園時間|利用可能時間|受付時間)\s*】")
_CLOSED_LABEL = re.compile(r"【\s*(休館日|休業日|休所日|休園日|定休日|休み)\s*】")
_CLOCK = r"(?:(午前|午後)\s*)?(\d{1,2})\s*(?::\s*(\d{2})|時\s*(?:(\d{1,2})\s*分|(半))?)"
_RANGE = re.compile(_CLOCK + r"\s*(?:～|~|〜|-|－|ー|から|―)\s*" + _CLOCK)
_MONTH_DAY = r"(\d{1,2})\s*(?:月|/)\s*(\d{1,2})\s*日?"
_SPAN = re.compile(r"(?:毎年)?" + _MONTH_DAY + r"\s*(?:～|~|〜|-|から)\s*(?:翌年|翌月)?\s*" + _MONTH_DAY + r"\s*(?:まで)?")
_SINGLE_DATE = re.compile(_MONTH_DAY)
_NTH = re.compile(r"(?:毎月|月の)?第\s*(\d(?:\s*(?:[・,、]|及び|と)\s*第?\s*\d)*)\s*([月火水木金土日])曜?日?")
_DAY_LIST_SEPARATOR = re.compile(r"(?<=[月火水木金土日])\s*[;；]\s*(?=[月火水木金土日](?:[;；)）]|$))")
_DAY_LIST = r"([月火水木金土日]{2,7})(?:祝日?)?"  # the open days as a list: （火水木金土日）, （月火水金土日祝）
_OPEN_DAYS = re.compile(r"(?:利用可能曜日\s*[:：]?\s*|[（(])" + _DAY_LIST + r"(?=[)）\s]|$)")
_END_OVERRIDE = re.compile(r"\s*[（(]([^（）()\d]*?)\s*(\d{1,2})\s*[:：]\s*(\d{2})\s*(?:まで)?\s*[)）]")
_TRAILING_QUALIFIER = re.compile(r"\s*[（(]([^（）()\d]*)[)）]")
_PAREN = re.compile(r"[（(]([^（）()]*)[)）]")
_FILLER = re.compile(r"毎週|毎月|及び|および|並びに|又は|または|ただし|等|など|休館|休み|とする|です|は|の|、|，|,|・|/|\s|。|\.|及")


@dataclass
class FacilityHours:
    """What was understood of a facility's hours and closed days."""

    # day kind ("default"|"weekday"|"sat"|"sun"|"holiday", or "wd0".."wd4" for one weekday) → [(time, time)]
    ranges: dict = field(default_factory=dict)
    open_24h: bool = False
    closed_weekdays: set = field(default_factory=set)  # 0 = Monday
    closed_nth: set = field(default_factory=set)  # (n, weekday)
    closed_holidays: bool = False
    closed_after_holiday: bool = False  # 祝日の翌日
    holiday_shift: bool = False  # a weekly closed day that is a holiday moves to the next weekday
    closed_spans: list = field(default_factory=list)  # ((month, day), (month, day)) inclusive, may wrap the year
    no_closed_days: bool = False
    irregular: bool = False  # 不定期
    hours_understood: bool = False
    closed_understood: bool = True  # False when some of the closed-day text was not recognised
    open_seasons: list = field(default_factory=list)  # [YearSpan]: open only then (7/1～8/31の間利用可)
    seasonal_hours: list = field(default_factory=list)  # [(YearSpan, ranges or None, end time or None)]
    seasonal_closed: list = field(default_factory=list)  # [(YearSpan, FacilityHours of closed rules)]
    notes: str = ""  # the published sentences beyond the plain hours (seasons, dated closures, a part's hours)
    kanji_clock: bool = False  # the file writes 9時～16時30分, not 9:00～16:30: answers say it the same way


@dataclass
class DayHours:
    """The answer for one date: open (with ranges), closed, or unknown."""

    status: str  # "open" | "closed" | "unknown"
    ranges: list = field(default_factory=list)
    all_day: bool = False
    out_of_season: bool = False  # closed because the facility opens only in another part of the year


def split_hours_text(hours_text: Optional[str], closed_text: Optional[str]) -> tuple[str, str]:
    """Separate 【開館時間】… 【休館日】… when both sit in one field."""
    hours = unicodedata.normalize("NFKC", hours_text or "")
    closed = unicodedata.normalize("NFKC", closed_text or "")
    hours, closed = hours.replace("【", "【").replace("】", "】"), closed
    # 「（月;火;水;木;金;土）」: the 公共施設一覧 layouts separate the open days with ';'
    hours = _DAY_LIST_SEPARATOR.sub("", hours)
    match = _CLOSED_LABEL.search(hours)
    if match:
        closed = (hours[match.end():] + " " + closed).strip()
        hours = hours[:match.start()]
    match = _CLOSED_LABEL.search(closed)
    if match:
        closed = closed[:match.start()] + closed[match.end():]
    hours = _HOURS_LABEL.sub(" ", hours)
    return hours.strip(), closed.strip()


def _clock(ampm: Optional[str], hour: str, minute: Optional[str], minute2: Optional[str],
           half: Optional[str]) -> Optional[time]:
    """One clock reading from a regex match (午後 adds 12 hours, 半 is :30, 24:00 is end of day)."""
    return clock_time(int(hour), int(minute or minute2 or (30 if half else 0)), pm=ampm == "午後")


def _day_kinds(label: str) -> list[str]:
    """Which kinds of day a label before a time range names (平日, 土日祝 …); [] for none, ["special"] to ignore."""
    if re.search(r"長期休暇|夏休み|冬休み|春休み|休暇|外来|見舞|救急", label):
        return ["special"]
    text = label.replace("平日", "W").replace("曜日", "").replace("曜", "")
    for word in ("祝休日", "祝祭日", "祝日", "休日", "祭日"):
        text = text.replace(word, "祝")
    text = re.sub(r"\d+\s*月|毎月|[翌毎前当全]日", "", text)  # 4月, 翌日: no day of the week
    text = _WEEKDAY_RUN.sub(lambda m: _days_between(m.group(1), m.group(2)), text)
    kinds = []
    if "休" not in text and len(label.strip()) <= 12:  # 月曜日は13:00から; not 「休日:日曜日、月曜日… 10時～17時」
        kinds = [f"wd{WEEKDAYS.index(day)}" for day in "月火水木金" if day in text]
    if "W" in text:
        kinds.append("weekday")
    if "土" in text:
        kinds.append("sat")
    if "日" in text:
        kinds.append("sun")
    if "祝" in text:
        kinds.append("holiday")
    return kinds


def _days_between(first: str, last: str) -> str:
    """The weekday letters from first to last, across the week's end too (金～月 → 金土日月)."""
    a, b = WEEKDAYS.index(first), WEEKDAYS.index(last)
    return WEEKDAYS[a:b + 1] if a <= b else WEEKDAYS[a:] + WEEKDAYS[:b + 1]


_WEEKDAY_RUN = re.compile(r"([月火水木金土日])\s*(?:～|〜|~|-|－|から)\s*([月火水木金土日])")  # 月～金: every day between
_PARTS = re.compile(r"[;；]")
_OPEN_ONLY = re.compile(r"利用可|期間|のみ|開館|オープン")


def _open_season_parts(closed: str) -> tuple[str, list[str]]:
    """(the closed-day text, its parts saying when the place opens at all): 「7/中旬～8/31の間利用可能;月曜日は休み」
    filed as 休館日 names a summer-only pool's season, not days it closes."""
    kept, seasons = [], []
    for part in _PARTS.split(closed or ""):
        span, _rest = find_span(part)
        if span is not None and _OPEN_ONLY.search(part) and not _CLOSURE.search(part):
            seasons.append(part.strip())
        else:
            kept.append(part)
    return (";".join(kept) if seasons else closed), seasons


_SHORT_MONTH_SPAN = re.compile(r"(?<![\d/月.:：])(\d{1,2})\s*([～~〜])\s*(\d{1,2})月")  # 4～11月: 4月～11月


def parse_hours(hours_text: Optional[str], closed_text: Optional[str] = None) -> FacilityHours:
    """Read hours and closed days from the published free text."""
    hours, closed = split_hours_text(_SHORT_MONTH_SPAN.sub(r"\1月\2\3月", hours_text or ""),
                                     _SHORT_MONTH_SPAN.sub(r"\1月\2\3月", closed_text or ""))
    hours, notes = split_notes(_with_season_months(hours))
    if not re.search(r"\d\s*[:：時]", hours) and find_span(hours)[0] is not None:
        notes, hours = [hours] + notes, ""  # hours published as 「7月上旬～9月上旬」 alone: the season it opens at all
    closed, seasons = _open_season_parts(closed)
    notes += seasons
    result = FacilityHours()
    _read_hours(hours, result)
    _read_closed(closed, result)
    for note in notes:
        _read_note(note, result)
    result.notes = "。".join(notes)
    result.kanji_clock = bool(re.search(r"\d\s*時", hours_text or "")) and not re.search(r"\d\s*[:：]\s*\d", hours_text or "")
    return result


# ; separates the notes of 公共施設一覧 files; 「0:00～23:59 開館期間5/1～10/15」 gives its season after a space
# and 「3～11月 8:30～17:30 12～2月 8:30～16:30」 starts its second season after the first one's clock
_CHUNK = re.compile(r"。|[;；]|(?<=[)）])\s+|\s+(?=(?:開館|開設|営業|開園|利用|開放|開所)期間)"
                    r"|(?<=\d[:：]\d{2})\s+(?=\d{1,2}\s*(?:[～~〜]\s*\d{1,2}\s*)?月)"
                    r"|(?<=\d時)\s*(?=\d{1,2}\s*月\s*[～~〜]\s*\d{1,2}\s*月)|(?<=\d分)\s*(?=\d{1,2}\s*月\s*[～~〜]\s*\d{1,2}\s*月)")
_NOTE_MARK = re.compile(r"利用不可|利用可|終日|休館|休業|休み|曜日?休|閉館|年末年始|期間|第\s*\d|\d\s*(?:月|/)|は\s*[、,]?\s*(?:午前|午後)?\s*\d")
_CLOSURE = re.compile(r"(?:は|を)?\s*(?:終日)?\s*(?:利用不可|利用できません|休館日?|休業日?|休園日?|お休み|休み|閉館|"
                      r"(?<=曜)休|(?<=曜日)休)(?:です|とします|となります)?")
_PART_HOURS = re.compile(r"^\s*(?!開館|開所|開園|利用|営業|受付)[^\d、。:：]{1,8}時間は")
_SEASON_QUALIFIER = re.compile(r"\s*(?:の間)?\s*(?:は|まで)\s*[、,]?\s*")
_YEAR_END = re.compile(r"(?:および|及び|並びに|、|と)?\s*年末年始\s*(?:[（(][^（）()]*[)）])?")
_UNTIL = re.compile(_CLOCK + r"\s*まで")  # 21時まで
_FROM = re.compile(_CLOCK + r"\s*から")  # 10:00から
_LONE_CLOCK = re.compile(r"\s*(?:は|:|：)?\s*" + _CLOCK + r"\s*[)）]?\s*$")
_SEASON_BEFORE_CLOCK = re.compile(r"[（(]?\s*(冬|夏|春|秋)(?:季|期)?\s*(?:は|:|：)?\s*(?=(?:午前|午後)?\d{1,2}\s*[:：時])")


def _with_season_months(text: str) -> str:
    """「8:30～17:30 (冬21:30)」「冬季は9:00～16:00」: a season word before a time is a note on that season's months
    (。12月～2月は21:30), read like the dated notes."""
    def months(match: re.Match) -> str:
        """The season as a span of months."""
        first, *_middle, last = dict(SEASON_MONTHS)[match.group(1)]
        return f"。{first}月～{last}月は"
    return _SEASON_BEFORE_CLOCK.sub(months, text or "")


_MONTHS_IN_BRACKETS = re.compile(r"[（(]([^（）()]*\d{1,2}\s*月\s*[～~〜]\s*\d{1,2}\s*月[^（）()]*)[)）]")


def split_notes(text: str) -> tuple[str, list[str]]:
    """(the plain hours, the note sentences after them): 「9:30～18:30（火水木金土日） 毎月第4金曜日…は終日利用不可」.

    Only what follows the first sentence can be a note, so 「9:00～19:00 (土・日・祝休日は9:00～17:00)」 stays whole.
    """
    chunks = [c.strip() for c in _CHUNK.split(text or "") if c and c.strip()]
    # 「9:00～17:00 (12月～2月は予約のみ)」: a bracketed note on some months is a note, wherever it stands
    month_notes = [m.group(1).strip() for m in _MONTHS_IN_BRACKETS.finditer(chunks[0])] if chunks else []
    if month_notes:
        chunks[0] = _MONTHS_IN_BRACKETS.sub(" ", chunks[0]).strip()
    if len(chunks) < 2:
        return (chunks[0], month_notes) if month_notes else (text, [])
    plain, notes = [chunks[0]], month_notes
    for chunk in chunks[1:]:
        (notes if _NOTE_MARK.search(chunk) else plain).append(chunk)
    return " ".join(plain), notes


_HOURS_LABEL = re.compile(r"(?:営業|開館|利用|開園)時間")


def _read_note(note: str, result: FacilityHours) -> None:
    """One note sentence: a part's hours (shown only), an open season, seasonal hours, dated closures or
    other hours for some days (土日祝日は10:00から18:00まで)."""
    if _PART_HOURS.search(note):
        return  # 入浴時間は午前10時から午後4時まで: one part's hours, not the facility's
    closes = _CLOSURE.search(note) is not None
    if closes:
        _read_dated_closures(note, result)
        return
    span, rest = find_span(note)
    if span is not None:
        # 「営業時間:11月～2月は8時～18時」 gives that season's hours: 営業 of 営業時間 names no open season
        bare = not rest.strip(" 、,。:：()（）")
        if bare and span.days() < SEASON_DAYS:
            _merge_closed(note, result)  # a bare 「12/28～1/4」 among the closed days is days off, not a season
            return
        if re.search(r"利用可|期間|のみ|開館|営業|オープン", _HOURS_LABEL.sub("", note)) or bare:
            # a bare 「4/1～10/31」 after the hours is when the place opens at all (a summer-only campsite)
            result.open_seasons.append(span)
            return
        _read_seasonal_hours(span, rest, result)
        return
    _read_day_hours(note, result)


def _read_dated_closures(note: str, result: FacilityHours) -> None:
    """Closures, some only in part of the year: 「4月～11月は毎月第3木曜日、12月～3月は毎週木曜日（祝日の木曜日を
    除く）および年末年始は終日利用不可」."""
    text = _CLOSURE.sub(" ", note)
    year_end = _YEAR_END.search(text)
    if year_end:  # 年末年始 (with its stated days) closes every year, whatever season it is written beside
        _merge_closed(year_end.group(0).lstrip("および及び並びに、と"), result)
        text = text[:year_end.start()] + " " + text[year_end.end():]
    text = re.sub(r"と(?=\s*[毎第年祝日月火水木金土\d])", "、", text)
    matches = list(SPAN.finditer(text))
    general, position = [], 0
    for i, match in enumerate(matches):
        qualifier = _SEASON_QUALIFIER.match(text, match.end())
        span = span_of(match)
        if not qualifier or span is None:
            continue  # 7/1～7/3 on its own: the closed days themselves, read with the rest
        following = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        general.append(text[position:match.start()])
        sub = FacilityHours()
        _read_closed(text[qualifier.end():following].strip(" 、,"), sub)
        if _has_closed_rules(sub):
            result.seasonal_closed.append((span, sub))
        position = following
    general.append(text[position:])
    _merge_closed(" ".join(general), result)


def _has_closed_rules(info: FacilityHours) -> bool:
    """True when some closed-day rule was read."""
    return bool(info.closed_weekdays or info.closed_nth or info.closed_spans or info.closed_holidays
                or info.closed_after_holiday)


def _merge_closed(text: str, result: FacilityHours) -> None:
    """Closed-day rules read from a note, added to the facility's (a note never makes the closed text 'not understood')."""
    sub = FacilityHours()
    _read_closed(text.strip(" 、,。"), sub)
    result.closed_weekdays |= sub.closed_weekdays
    result.closed_nth |= sub.closed_nth
    result.closed_spans += [span for span in sub.closed_spans if span not in result.closed_spans]
    result.closed_holidays = result.closed_holidays or sub.closed_holidays
    result.closed_after_holiday = result.closed_after_holiday or sub.closed_after_holiday
    result.holiday_shift = result.holiday_shift or sub.holiday_shift


def _read_seasonal_hours(span: YearSpan, rest: str, result: FacilityHours) -> None:
    """「10/16～2/末は、8時～17時」 (other hours then) or 「11月～4月まで21時まで」 (closing earlier then)."""
    match = _RANGE.search(rest)
    if match:
        start, end = _clock(*match.groups()[:5]), _clock(*match.groups()[5:])
        if start is not None and end is not None:
            if match.group(6) is None and match.group(1) == "午後" and end.hour < 12:
                end = time(end.hour + 12, end.minute)
            result.seasonal_hours.append((span, [(start, end)], None))
        return
    until = _UNTIL.search(rest) or _LONE_CLOCK.match(rest)  # 「(冬21:30)」: a lone time is when it closes then
    if until:
        end = _clock(*until.groups())
        if end is not None:
            result.seasonal_hours.append((span, None, end))


def _read_day_hours(note: str, result: FacilityHours) -> None:
    """「土日祝日は10:00から18:00まで」「土・日曜日、祝日は10:00から利用可」: other hours on some kinds of day."""
    # 月曜日（祝日にあたる場合はその翌日）は13:00から: the bracket qualifies the day, its は is not the label's
    label, _sep, rest = re.sub(r"[（(][^）)]*[）)]", "", note).partition("は")
    kinds = _day_kinds(label)
    if not rest or not kinds or "special" in kinds or len(label) > 14:
        return
    match = _RANGE.search(rest)
    if match:
        start, end = _clock(*match.groups()[:5]), _clock(*match.groups()[5:])
    else:
        begin, until = _FROM.search(rest), _UNTIL.search(rest)
        start = _clock(*begin.groups()) if begin else None
        end = _clock(*until.groups()) if until else None
    usual = result.ranges.get("default") or result.ranges.get("weekday") or []
    if start is None and end is None or not usual and (start is None or end is None):
        return
    start = start or usual[0][0]
    end = end or usual[-1][1]
    for kind in kinds:
        result.ranges[kind] = [(start, end)]


def _read_hours(text: str, result: FacilityHours) -> None:
    """Fill ranges from text like 「平日 9:00～17:00 土日祝 10:00～19:00」 or 「24時間」."""
    if not text:
        return
    if re.search(r"24\s*時間", text) and not _RANGE.search(text):
        result.open_24h = result.hours_understood = True
        return
    for days in _OPEN_DAYS.findall(text):
        if len(set(days)) < 7:  # 「9:00～17:00（火水木金土日）」: the days not listed are closed
            result.closed_weekdays |= {i for i, day in enumerate(WEEKDAYS) if day not in days}
    previous_end = 0
    for match in _RANGE.finditer(text):
        groups = match.groups()
        start = _clock(*groups[:5])
        end = _clock(*groups[5:])
        label = text[previous_end:match.start()]
        previous_end = match.end()
        override = _END_OVERRIDE.match(text, match.end())
        if override and start is not None and _day_kinds(override.group(1)) not in ([], ["special"]):
            # 10:00～16:00 (土日祝等17:00): those days close later
            for kind in _day_kinds(override.group(1)):
                result.ranges.setdefault(kind, []).append((start, time(int(override.group(2)), int(override.group(3)))))
            previous_end = override.end()
        after = _TRAILING_QUALIFIER.match(text, match.end())
        if after and re.fullmatch(_DAY_LIST, after.group(1).strip()):
            # an open-days list, read above: no label for this range, nor part of the next one's (土日 of
            # 「（火水木金土日） 平日10:00～19:00」 does not make 平日's hours Sunday's)
            previous_end = after.end()
            after = None
        if after and _day_kinds(after.group(1)):
            label = after.group(1)  # 9:00～17:00（土・日・祝休日）: the qualifier follows the range
            previous_end = after.end()
        if start is None or end is None:
            continue
        if groups[5] is None and groups[0] == "午後" and end.hour < 12:  # 午後1時から5時 → 17:00
            end = time(end.hour + 12, end.minute)
        kinds = _day_kinds(label) or ["default"]
        if "special" in kinds:
            continue
        for kind in kinds:
            result.ranges.setdefault(kind, []).append((start, end))
    result.hours_understood = bool(result.ranges)


def _read_closed(text: str, result: FacilityHours) -> None:
    """Fill the closed-day rules from text like 「毎週月曜日（祝日の場合は翌平日）、年末年始」."""
    if not text:
        return
    if re.fullmatch(r"\s*(なし|無し|無休|年中無休|なし。)\s*", text):
        result.no_closed_days = True
        return
    if "不定期" in text or "不定休" in text:
        result.irregular = True
        text = text.replace("不定期", " ").replace("不定休", " ")
    stated = re.search(r"年末年始\s*[（(]([^（）()]*)[)）]", text)
    if stated and _SPAN.search(stated.group(1)):  # 年末年始（12月28日～1月4日）: the stated days
        a, b, c, d = (int(x) for x in _SPAN.search(stated.group(1)).groups())
        result.closed_spans.append(((a, b), (c, d)))
        text = text[:stated.start()] + " " + text[stated.end():]
    if "年末年始" in text:
        result.closed_spans.append(((12, 29), (1, 3)))
        text = text.replace("年末年始", " ")
    for paren in _PAREN.findall(text):
        if "祝" in paren or "休日" in paren:
            if "翌" in paren:
                result.holiday_shift = True
    text = _PAREN.sub(" ", text)
    for match in _SPAN.finditer(text):
        a, b, c, d = (int(x) for x in match.groups())
        result.closed_spans.append(((a, b), (c, d)))
    text = _SPAN.sub(" ", text)
    for match in _NTH.finditer(text):
        for n in re.findall(r"\d", match.group(1)):
            result.closed_nth.add((int(n), WEEKDAYS.index(match.group(2))))
    text = _NTH.sub(" ", text)
    for match in _SINGLE_DATE.finditer(text):
        month, day = int(match.group(1)), int(match.group(2))
        result.closed_spans.append(((month, day), (month, day)))
    text = _SINGLE_DATE.sub(" ", text)
    if re.search(r"祝日の翌日|祝日の翌平日", text):
        result.closed_after_holiday = True
        text = re.sub(r"祝日の翌(平)?日", " ", text)
    holiday = re.compile(r"国民の祝日に関する法律に規定する休日|祝日法による休日|祝祭日|祝休日|振替休日|祝日|祭日|休日|祝")
    if holiday.search(text):
        result.closed_holidays = True
        text = holiday.sub(" ", text)
    # a lone 日/月 is a weekday only between separators (not 月末日, 休館日)
    for match in re.finditer(r"([月火水木金土日])曜日?|(?:(?<=^)|(?<=[\s、，,・月火水木金土日]))([月火水木金土日])(?=[、，,・日土祝\s]|$)", text):
        result.closed_weekdays.add(WEEKDAYS.index(match.group(1) or match.group(2)))
    text = re.sub(r"[月火水木金土日]曜日?|(?:(?<=^)|(?<=[\s、，,・月火水木金土日]))[月火水木金土日](?=[、，,・日土祝\s]|$)", " ", text)
    leftover = _FILLER.sub("", text)
    result.closed_understood = not leftover and not result.irregular


def _closed_by_rule(info: FacilityHours, day: date) -> bool:
    """True when a recognised rule closes the facility on that date."""
    for (m1, d1), (m2, d2) in info.closed_spans:
        start, end, key = (m1, d1), (m2, d2), (day.month, day.day)
        if (start <= end and start <= key <= end) or (start > end and (key >= start or key <= end)):
            return True
    is_holiday = jpholiday.is_holiday(day)
    if info.closed_holidays and is_holiday:
        return True
    if day.weekday() in info.closed_weekdays and not (info.holiday_shift and is_holiday):
        return True
    if (1 + (day.day - 1) // 7, day.weekday()) in info.closed_nth:
        return True
    yesterday = day - timedelta(days=1)
    if info.closed_after_holiday and jpholiday.is_holiday(yesterday) and not is_holiday:
        return True
    if info.holiday_shift and not is_holiday:
        # the closed day fell on a holiday: closed on the first following non-holiday instead
        back = yesterday
        while jpholiday.is_holiday(back):
            if back.weekday() in info.closed_weekdays:
                return True
            back -= timedelta(days=1)
    return False


SEASON_DAYS = 28  # a closure this long (12/1～4/28まで休業) is a season the place is shut, not a day off


def closed_for_season(info: FacilityHours, day: date) -> bool:
    """True when the facility opens only in another part of the year, or a closure of weeks covers the day."""
    if info.open_seasons and not any(span.contains(day) for span in info.open_seasons):
        return True
    for (m1, d1), (m2, d2) in info.closed_spans:
        try:
            first, last = date(2001, m1, d1), date(2001 if (m2, d2) >= (m1, d1) else 2002, m2, d2)
        except ValueError:
            continue
        key = (day.month, day.day)
        inside = (m1, d1) <= key <= (m2, d2) if (m1, d1) <= (m2, d2) else (key >= (m1, d1) or key <= (m2, d2))
        if inside and (last - first).days + 1 >= SEASON_DAYS:
            return True
    return False


def hours_on(info: FacilityHours, day: date) -> DayHours:
    """Open with which hours, closed, or unknown on a given date (seasons and dated notes included)."""
    if info.open_seasons and not any(span.contains(day) for span in info.open_seasons):
        return DayHours("closed", out_of_season=True)
    hours = _usual_hours_on(info, day)
    if hours.status == "open" and hours.ranges:
        for span, ranges, end in info.seasonal_hours:
            if span.contains(day):
                hours = DayHours("open", ranges=ranges or [(a, end) for a, _b in hours.ranges])
    elif hours.status == "unknown" and not info.irregular:
        # 「3～11月 8:30～17:30 12～2月 8:30～16:30」: hours given only by season are the hours of that season
        for span, ranges, _end in info.seasonal_hours:
            if span.contains(day) and ranges:
                hours = DayHours("open", ranges=ranges)
    return hours


def _usual_hours_on(info: FacilityHours, day: date) -> DayHours:
    """Open with which hours, closed, or unknown on a date, from the weekly rules and closures."""
    if info.irregular and not info.hours_understood:
        return DayHours("unknown")
    if _closed_by_rule(info, day) or any(span.contains(day) and _closed_by_rule(sub, day)
                                         for span, sub in info.seasonal_closed):
        return DayHours("closed")
    if info.open_24h:
        return DayHours("open", all_day=True)
    if not info.hours_understood:
        return DayHours("unknown")
    kind = "holiday" if jpholiday.is_holiday(day) else ("sat", "sun")[day.weekday() - 5] if day.weekday() >= 5 else "weekday"
    order = {"holiday": ["holiday", "sun", "default"], "sun": ["sun", "holiday", "default"],
             "sat": ["sat", "default"], "weekday": [f"wd{day.weekday()}", "weekday", "default"]}[kind]
    for key in order:
        if key in info.ranges:
            return DayHours("open", ranges=info.ranges[key])
    if "default" not in info.ranges and kind != "weekday" and "weekday" in info.ranges:
        return DayHours("unknown")
    return DayHours("unknown")


def closed_summary(info: FacilityHours, weekday_names: list[str], holiday_word: str, year_end_word: str,
                   nth_format: str, joiner: str = "、", span_format: str = "{m1}月{d1}日〜{m2}月{d2}日",
                   day_format: str = "{m}月{d}日", year_end_format: str = "{word}（{dates}）") -> str:
    """A short closed-days line from the recognised rules (words are passed in already translated)."""
    parts = [weekday_names[w] for w in sorted(info.closed_weekdays)]
    parts += [nth_format.format(n=n, day=weekday_names[w]) for n, w in sorted(info.closed_nth)]
    if info.closed_holidays:
        parts.append(holiday_word)
    for (m1, d1), (m2, d2) in dict.fromkeys(info.closed_spans):
        dates = (day_format.format(m=m1, d=d1) if (m1, d1) == (m2, d2)
                 else span_format.format(m1=m1, d1=d1, m2=m2, d2=d2))
        parts.append(year_end_format.format(word=year_end_word, dates=dates) if m1 == 12 and m2 == 1 else dates)
    return joiner.join(parts)
