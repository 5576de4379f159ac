"""Which published layout a CSV is in, recognised by header names (never by position)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from content.importers.csvread import normalize_header
from content.importers.freedates import WEEKDAYS

# field → header spellings (after NFKC and space removal). A field may match several columns;
# the first non-empty one wins, so e.g. 場所名称 falls back to 集合場所 when a city left it empty.
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    # NO is only a row number in practice (Komae's file reuses NO for different events), so it is not a key.
    "id": ("ID", "イベントID", "識別子"),
    "code": ("全国地方公共団体コード", "都道府県コード又は市区町村コード", "市区町村コード", "地方公共団体コード"),
    "municipality": ("地方公共団体名", "市区町村名"),
    # Cities' own layouts name the title after what they publish: 行事 (Takamatsu), 催し物, 事業, 講座, 教室.
    "title": ("イベント名", "名称", "イベント名称", "催し名", "タイトル", "件名", "行事名", "行事名称", "催し物名",
              "催物名", "催し物", "事業名", "講座名", "教室名", "講演名", "大会名", "企画名", "行事", "催事名"),
    "title_en": ("イベント名_英語", "名称(英字)", "名称_英語", "イベント名(英語)"),
    "description_en": ("説明_英語", "概要_英語", "説明(英語)"),
    "subtitle": ("サブタイトル",),
    "kana": ("イベント名_カナ", "名称(カナ)", "名称_カナ", "イベント名(カナ)", "フリガナ", "ふりがな"),
    "summary": ("概要",),
    "description": ("説明", "内容", "詳細", "イベント内容", "行事内容", "事業内容", "講座内容", "催し内容", "事業概要"),
    "category": ("イベント種類", "イベントジャンル", "カテゴリー", "カテゴリ", "分類", "ジャンル"),
    # A date cell may be free text (「9月7日(土)～11月4日」, 「10月4日、11日」): see freedates.py.
    "start_date": ("開始日", "開催日", "開始年月日", "開催開始日", "日付", "開催日時", "開催年月日", "日時", "開催期間",
                   "期間", "開催日程", "日程", "実施日", "実施日時", "実施期間", "開催予定日", "行事日", "月日",
                   "開催月日", "日にち"),
    "end_date": ("終了日", "終了年月日", "開催終了日"),
    "start_time": ("開始時間", "開始時刻", "開催時間", "時間", "開演時間", "開演時刻", "実施時間", "開催時刻", "時間帯"),
    "end_time": ("終了時間", "終了時刻", "終演時間"),
    "time_note": ("開始日時特記事項", "日時備考", "開催日時備考", "日時特記事項", "所要時間", "時間備考"),
    "pattern": ("開催パターン", "開催頻度", "開催曜日"),  # 「毎月第2木曜日」: which days of a long period it is held
    "fiscal_year": ("年度",),
    "place": ("場所名称", "集合場所", "集合(受付)場所", "会場", "会場名", "開催場所", "場所", "会場名称", "場所名",
              "開催会場", "実施場所", "施設名", "施設名称", "開催地"),
    "address": ("住所", "所在地_連結表記", "所在地"),
    "address_parts": ("住所都道府県", "住所市区町村", "住所町名", "住所丁目以下",
                      "所在地_都道府県", "所在地_市区町村", "所在地_町字", "所在地_番地以下"),
    "building": ("方書", "建物名等", "建物名等(方書)"),
    "latitude": ("緯度", "latitude", "lat"),
    "longitude": ("経度", "longitude", "lng", "lon"),
    "fee": ("料金(基本)", "料金", "参加費", "費用", "受講料", "参加料", "入場料", "観覧料", "参加費用", "料金等"),
    "fee_detail": ("料金(詳細)",),
    "organizer": ("主催者", "主催団体", "主催"),
    "contact_name": ("連絡先名称", "問い合わせ先", "問合せ先", "お問い合わせ", "お問い合わせ先", "お問合せ先",
                     "問い合わせ先(市の担当課)", "問合せ", "問い合わせ", "連絡先", "担当課", "担当部署", "所管課"),
    "contact_phone": ("連絡先電話番号", "電話番号", "TEL", "電話", "問い合わせ電話番号", "問合せ電話番号",
                      "問合せ先電話番号", "問い合わせ先電話番号", "担当部署電話番号", "担当課電話番号"),
    "contact_ext": ("連絡先内線番号",),
    "contact_mail": ("連絡先メールアドレス",),
    "audience": ("対象者", "対象", "参加対象", "対象年齢", "受講対象"),
    "audience_note": ("対象者備考",),
    "capacity": ("定員", "募集人数", "募集人員"),
    "capacity_note": ("定員備考",),
    "apply": ("参加申込方法", "申込方法", "申込", "申し込み", "申込み方法", "申し込み方法"),
    "apply_until_date": ("参加申込終了日", "申込期限日", "申込締切日", "申込締切", "申込期限"),  # sign-ups (issue 9)
    "apply_until_time": ("参加申込終了時間", "申込期限時刻", "申込締切時間", "申込締切時刻"),
    "url": ("URL", "コンテンツURL", "ホームページ"),
    "apply_url": ("申込URL",),
    "image_url": ("画像URL", "画像"),
    "note": ("備考",),
    "access": ("アクセス方法", "アクセス"),
    "status": ("状態",),
}

FACILITY_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("ID", "施設ID", "識別子"),
    "code": ("全国地方公共団体コード", "都道府県コード又は市区町村コード", "市区町村コード", "地方公共団体コード"),
    # The 推奨データセット's English item names (name, address, telephoneNumber …) stand in some cities' headers.
    # 指定暑熱避難施設 (クーリングシェルター) lists, in the 環境省's layout, name the facility by what it is.
    "name": ("名称", "施設名", "施設名称", "施設の名称", "name", "指定暑熱避難施設の名称"),
    "kana": ("名称_カナ", "名称(カナ)", "施設名_カナ", "フリガナ", "ふりがな", "nameKana", "kana"),
    "alias": ("名称_通称", "名称(通称)", "通称"),
    "name_en": ("名称_英語", "名称(英語)", "名称(英字)", "施設名_英語", "nameEn"),  # another name residents may type
    "category": ("施設分類", "施設種別", "種別", "分類", "カテゴリー", "カテゴリ", "category", "施設の種類"),
    "address": ("住所", "所在地_連結表記", "所在地", "address"),
    "building": ("方書", "建物名等", "建物名等(方書)"),
    "latitude": ("緯度", "latitude", "lat"),
    "longitude": ("経度", "longitude", "lng", "lon"),
    "phone": ("電話番号", "連絡先電話番号", "TEL", "電話", "telephoneNumber"),
    "phone_ext": ("内線番号", "連絡先内線番号"),
    "weekdays": ("利用可能曜日", "availableDate", "開館日", "営業日"),
    "open_time": ("開始時間", "開館時間", "startTime"),
    "close_time": ("終了時間", "閉館時間", "endTime"),
    "hours_note": ("利用可能日時特記事項", "利用可能時間特記事項", "利用時間", "営業時間", "開館時間帯", "開所時間",
                   "利用可能時間", "受付時間", "availableDateNote",
                   "指定暑熱避難施設を開放することができる日及び時間帯特記事項"),
    "closed": ("休館日", "定休日", "休業日", "閉館日", "休園日", "休所日", "休場日"),
    "fee": ("料金(基本)", "料金", "入館料", "入園料", "入場料", "利用料金", "利用料", "使用料", "観覧料", "basicPrice"),
    "fee_detail": ("料金(詳細)", "料金備考", "detailPrice"),
    "summary": ("概要",),
    "description": ("説明", "概要", "description", "本文", "リード文", "紹介文", "PR文", "特徴", "内容", "詳細"),
    "access": ("アクセス方法", "access", "アクセス", "交通アクセス", "交通案内"),
    "parking": ("駐車場情報", "駐車場", "parkingInformation"),
    "barrier_free": ("バリアフリー情報", "バリアフリー", "barrierFreeInformation"),
    "url": ("URL", "ホームページ", "referenceObject", "ウェブサイト", "ホームページURL", "公式サイト"),
    "note": ("備考", "note"),
    **{f"open_{day}": (f"{day}曜開放開始時刻", f"{day}曜日開始時間", f"{day}曜開始時間", f"{day}曜日開館時間")
       for day in WEEKDAYS},
    **{f"close_{day}": (f"{day}曜開放終了時刻", f"{day}曜日終了時間", f"{day}曜終了時間", f"{day}曜日閉館時間")
       for day in WEEKDAYS},
}

OPPORTUNITY_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("ID", "識別子"),
    "kind": ("種別", "区分"),
    "title": ("タイトル", "名称", "件名"),
    "description": ("内容", "説明", "詳細"),
    "organizer": ("主催", "主催者", "募集団体", "団体名"),
    "place": ("場所", "場所名称", "会場"),
    "district": ("地区",),
    "starts": ("開始日時", "開始日", "活動日"),
    "ends": ("終了日時", "終了日"),
    "deadline": ("締切", "締切日", "申込締切", "募集締切"),
    "capacity": ("定員", "募集人数"),
    "audience": ("対象", "対象者"),
    "contact": ("連絡先", "問い合わせ先"),
    "apply": ("申込方法", "応募方法", "参加申込方法"),  # sign-ups (issue 9): shown as published
    "url": ("URL",),
}

# The city's FAQ, in a layout of our own following the standard's conventions (docs/faq-csv.md).
FAQ_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("ID", "識別子", "番号"),
    "question": ("質問", "よくある質問", "問い"),
    "paraphrases": ("質問_別表現", "別表現", "言い換え"),
    "answer": ("回答", "答え"),
    "category": ("カテゴリー", "カテゴリ", "分類"),
    "keywords": ("キーワード",),
    "department": ("担当課", "担当", "問い合わせ先"),
    "phone": ("連絡先電話番号", "電話番号"),
    "url": ("URL", "関連URL", "ホームページ"),
}

# What makes a header a layout of each kind: every group needs one of its names.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "events": (("イベント名", "名称", "イベント名称", "催し名", "行事名", "行事名称", "催し物名", "催物名", "催し物",
                "事業名", "講座名", "教室名", "講演名", "大会名", "企画名", "催事名"),
               ("開始日", "開催日", "開始年月日", "開催開始日", "開催日時", "開催年月日", "日時", "開催期間", "期間",
                "開催日程", "日程", "実施日", "実施日時", "実施期間", "開催予定日", "行事日", "開催月日", "日にち")),
    "facilities": (("名称", "施設名", "施設名称", "施設の名称", "name", "指定暑熱避難施設の名称"),
                   ("住所", "所在地_連結表記", "所在地", "緯度", "address", "latitude")),
    "opportunities": (("種別",), ("タイトル",)),
    "faq": (("質問", "よくある質問", "問い"), ("回答", "答え")),
}


@dataclass
class Layout:
    """A recognised layout: its kind, a short stable name and the column indexes of each field."""

    kind: str
    name: str
    columns: dict[str, list[int]]

    def value(self, cells: list[str], field: str) -> str:
        """The first non-empty cell among the columns the field maps to ('' when none)."""
        for index in self.columns.get(field, ()):
            if index < len(cells) and cells[index].strip():
                return cells[index].strip()
        return ""

    def values(self, cells: list[str], field: str) -> list[str]:
        """Every cell the field maps to, in alias order (for composite fields like address parts)."""
        return [cells[i].strip() if i < len(cells) else "" for i in self.columns.get(field, ())]


def header_key(name: str) -> str:
    """A header name as compared with the alias tables: normalised, and ASCII case ignored (URL, url, Url)."""
    return normalize_header(name).casefold()


_QUALIFIED = re.compile(r"^(.+?)[(\[]([^()\[\]]+)[)\]]$")  # 実施予定日(始期), 料金(円)
_JOINED = re.compile(r"[・/]")  # 行事・イベント名, 会場/場所
_END_WORDS = ("終期", "終了", "終わり", "まで", "至")
_START_WORDS = ("始期", "開始", "から", "自")
# 名称(英語), 名称(カナ): another rendering of the column, never the column itself
_RENDERING_WORDS = ("英", "english", "カナ", "かな", "ふりがな", "フリガナ", "ローマ", "中国", "韓国", "読み")
# 観光スポット名称, 公園名, 景勝地名: a list of one kind of place names its places by that kind
_PLACE_NAME = re.compile(r"^(?:観光)?(?:スポット|施設|公園|観光地|名所|景勝地|観光施設|遊び場|広場|史跡|文化財|温泉|避難所)"
                         r"(?:の)?名(?:称)?$")
_DATE_NAMES = {header_key(a) for a in EVENT_FIELDS["start_date"] + EVENT_FIELDS["end_date"]}
_TIME_NAMES = {header_key(a) for a in EVENT_FIELDS["start_time"] + EVENT_FIELDS["end_time"]}


def other_names(name: str) -> list[str]:
    """What a header cell in no table may still be, as names the tables know: a qualified name is its base, with
    a start or end qualifier read as such (実施予定日(終期) → 終了日), and names joined by ・ or / are each name
    (行事・イベント名 → 行事名, イベント名). Cities vary the spelling of the same column endlessly."""
    out: list[str] = []
    qualified = _QUALIFIED.match(name)
    if qualified:
        base, qualifier = qualified.group(1), qualified.group(2)
        kind = "日" if base in _DATE_NAMES or base.endswith(("日", "期間", "日程")) else (
            "時間" if base in _TIME_NAMES or base.endswith(("時間", "時刻")) else None)
        if kind and any(w in qualifier for w in _END_WORDS):
            out.append("終了" + kind)
        elif kind and any(w in qualifier for w in _START_WORDS):
            out.append("開始" + kind)
        elif not any(w in qualifier for w in _RENDERING_WORDS):
            out.append(base)
    if _PLACE_NAME.match(name):
        out.append("名称")
    elif "ホームページ" in name or name.endswith("url"):  # 八丈町ホームページ記載: the page about the row
        out.append("url")
    parts = [p for p in _JOINED.split(name) if p]
    if len(parts) > 1:
        out += parts
        last = parts[-1]
        if last.endswith("名"):  # 行事・イベント名: the 名 of the last name belongs to each
            out += [p + "名" for p in parts[:-1] if not p.endswith("名")]
    return [header_key(n) for n in out if header_key(n) != name]


def header_positions(header: list[str]) -> dict[str, int]:
    """Name (as compared) → column index: each cell's own name first, then the other names it may be read as."""
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        positions.setdefault(name.casefold(), index)
    known = known_names()
    for index, name in enumerate(header):
        if name.casefold() not in known:  # a column a table names is that column only
            for other in other_names(name.casefold()):
                positions.setdefault(other, index)
    return positions


@cache
def known_names() -> frozenset:
    """Every header name the tables know, as compared."""
    tables = (EVENT_FIELDS, FACILITY_FIELDS, OPPORTUNITY_FIELDS, FAQ_FIELDS)
    return frozenset(header_key(a) for table in tables for aliases in table.values() for a in aliases)


def map_columns(header: list[str], fields: dict[str, tuple[str, ...]]) -> dict[str, list[int]]:
    """field → column indexes, ordered by the alias table's preference."""
    positions = header_positions(header)
    columns: dict[str, list[int]] = {}
    for field_name, aliases in fields.items():
        found = list(dict.fromkeys(positions[header_key(a)] for a in aliases if header_key(a) in positions))
        if found:
            columns[field_name] = found
    return columns


def has_required(header: list[str], kind: str) -> bool:
    """True when the header carries every column group the kind needs."""
    names = set(header_positions(header))
    return all(any(header_key(a) in names for a in group) for group in REQUIRED[kind])


def layout_name(header: list[str], kind: str) -> str:
    """A short stable name for the layout variant (used in the source name)."""
    names = {name.casefold() for name in header}
    if kind == "events":
        if "全国地方公共団体コード" in names or "所在地_連結表記" in names:
            return "event-standard"  # 自治体標準オープンデータセット (80 columns)
        if "名称" in names and "イベント名" not in names:
            return "event-registry"  # base-registry イベント情報 (50 columns)
        if names & {"イベント名", "開始日"}:
            return "event"  # 推奨データセット イベント一覧 (32 columns)
        return "event-city"  # a city's own layout (行事名 / 催し物名 …, often free-text dates)
    if kind == "facilities":
        if "指定暑熱避難施設の名称" in names:
            return "cooling-shelter"  # 指定暑熱避難施設 (クーリングシェルター), 環境省's layout
        if names & {"料金(基本)", "名称_英語", "basicprice"}:
            return "tourism"  # 観光施設一覧
        return "facility"
    if kind == "faq":
        return "faq"
    return "opportunity"


def detect_layout(header: list[str], kind: str) -> Layout | None:
    """The layout of this header for the kind asked, or None when it is not one we know."""
    if not has_required(header, kind):
        return None
    if kind == "facilities" and has_required(header, "events"):
        return None  # an event file has 名称 and 住所 too
    fields = {"events": EVENT_FIELDS, "facilities": FACILITY_FIELDS, "opportunities": OPPORTUNITY_FIELDS,
              "faq": FAQ_FIELDS}[kind]
    return Layout(kind=kind, name=layout_name(header, kind), columns=map_columns(header, fields))


def expected_headers(kind: str, header: list[str] | None = None) -> str:
    """The header names a kind needs, for the refusal message: only the groups the header lacks, when given."""
    names = set(header_positions(header or []))
    groups = [g for g in REQUIRED[kind] if not any(header_key(a) in names for a in g)] if header else REQUIRED[kind]
    return "、".join("「" + "」または「".join(group) + "」" for group in groups or REQUIRED[kind])


def found_required(header: list[str], kind: str) -> list[str]:
    """The header cells that satisfy one of the kind's column groups (what a near-miss file did have)."""
    wanted = {header_key(a) for group in REQUIRED[kind] for a in group}
    return [name for name in header if name.casefold() in wanted or wanted & set(other_names(name.casefold()))]
