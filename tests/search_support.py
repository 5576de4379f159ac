"""A tiny hand-made city for the search, answers and cards tests (no ../shared needed)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from models import District, Event, Facility, Opportunity

TOKYO = ZoneInfo("Asia/Tokyo")
TODAY = date(2026, 11, 26)  # a Thursday
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=TOKYO)


def utc(day: date, hour: int = 0, minute: int = 0) -> datetime:
    """Tokyo wall-clock time as the naive UTC the tables store."""
    return datetime.combine(day, time(hour, minute), TOKYO).astimezone(timezone.utc).replace(tzinfo=None)


def day(offset: int) -> date:
    """TODAY + offset days."""
    return TODAY + timedelta(days=offset)


def seed_small_city(session) -> dict:
    """Facilities, events and openings covering the table tests; returns name → row."""
    rows: dict = {}
    for i, name in enumerate(("中央", "東", "西")):
        session.add(District(name=f"{name}地区", position=i))
    facilities = [
        dict(name="中央公民館", kana="チュウオウコウミンカン", category="公民館", district="中央地区",
             address="つながり市本町1-1", latitude=35.6800, longitude=139.7600, phone="012-345-6789",
             hours_text="9:00～21:30", closed_text="月曜日（祝日の場合は翌平日）、年末年始"),
        dict(name="中央図書館", kana="チュウオウトショカン", category="図書館", district="中央地区",
             address="つながり市本町2-5", latitude=35.6810, longitude=139.7620,
             hours_text="平日 9:00～19:00 土日祝 9:00～17:00", closed_text="月曜日、第3木曜日、年末年始"),
        dict(name="東地区交流センター", kana="ヒガシチクコウリュウセンター", category="交流センター", district="東地区",
             address="つながり市東町3-2", latitude=35.7000, longitude=139.8000,
             hours_text="8:30～17:15", closed_text="土・日、祝日"),
        dict(name="市民体育館", kana="シミンタイイクカン", category="体育館", district="西地区",
             address="つながり市西町5-1", latitude=35.6600, longitude=139.7000,
             hours_text="不定期", closed_text=None),
    ]
    for i, data in enumerate(facilities):
        row = Facility(source="test", source_key=f"f{i}", **data)
        session.add(row)
        rows[data["name"]] = row
    session.flush()
    sat, sun = day(2), day(3)  # this weekend: 11/28 (Sat), 11/29 (Sun)
    events = [
        dict(title="子ども工作教室", description="牛乳パックでおもちゃを作ります。", category="子育て・教育",
             starts_at=utc(sat, 10), ends_at=utc(sat, 12), facility="中央公民館", audience="小学生とその保護者",
             audience_tags=["children", "elementary", "parents"], is_free=True, fee="無料"),
        dict(title="シニア健康体操", description="椅子に座ってできる体操です。", category="健康・福祉",
             starts_at=utc(sat, 14), ends_at=utc(sat, 15), facility="東地区交流センター", audience="65歳以上の方",
             audience_tags=["seniors"]),
        dict(title="おはなし会", description="絵本の読み聞かせ", category="子育て・教育",
             starts_at=utc(sun, 11), ends_at=utc(sun, 11, 30), facility="中央図書館", audience="幼児",
             audience_tags=["children"], is_free=True),
        dict(title="ヨガ教室", description="初心者向けのヨガ", category="スポーツ",
             starts_at=utc(day(1), 19), ends_at=utc(day(1), 20, 30), facility="中央公民館", audience="どなたでも",
             audience_tags=["anyone"], fee="500円", is_free=False),
        dict(title="囲碁将棋の会", description="どなたでも参加できます", category="文化",
             starts_at=utc(day(1), 13), ends_at=utc(day(1), 16), facility="中央公民館"),
        dict(title="市民まつり", description="ステージと模擬店", category="催事・観光", all_day=True,
             starts_at=utc(day(10)), ends_at=utc(day(10)), place_name="中央公園", latitude=35.6790, longitude=139.7590),
        dict(title="昨年の講演会", description="終わったイベント", category="セミナー",
             starts_at=utc(day(-7), 10), ends_at=utc(day(-7), 12), facility="中央公民館"),
        dict(title="審査中の音楽会", description="まだ公開されていない", starts_at=utc(sat, 15),
             facility="中央公民館", status="pending"),
        dict(title="取り下げたコンサート", description="終了", starts_at=utc(sat, 15),
             facility="中央公民館", active=False),
        dict(title="<script>alert(1)</script>クリスマス会", description="<b>楽しい</b>会", starts_at=utc(day(20), 13),
             facility="東地区交流センター"),
    ]
    for i, data in enumerate(events):
        facility = rows.get(data.pop("facility", None))
        if facility is not None:
            data.setdefault("place_name", facility.name)
            data.update(facility_id=facility.id, district=facility.district, address=facility.address,
                        latitude=facility.latitude, longitude=facility.longitude)
        row = Event(source="test", source_key=f"e{i}", **data)
        session.add(row)
        rows[data["title"]] = row
    for i in range(25):  # many occurrences to page through
        row = Event(source="test", source_key=f"walk{i}", title=f"朝のウォーキング 第{i + 1}回", category="スポーツ",
                    starts_at=utc(day(i + 1), 7), ends_at=utc(day(i + 1), 8), place_name="中央公園",
                    latitude=35.6790, longitude=139.7590)
        session.add(row)
    opportunities = [
        dict(title="公園清掃ボランティア", kind="volunteer", description="中央公園の清掃", starts_at=utc(day(5), 9),
             place_name="中央公園", organizer="中央地区自治会"),
        dict(title="市民まつり運営スタッフ募集", kind="volunteer", description="受付や案内", deadline=utc(day(7), 17),
             organizer="市民まつり実行委員会"),
        dict(title="総合計画への意見募集", kind="public_comment", description="パブリックコメント",
             deadline=utc(day(30), 17), organizer="企画課"),
    ]
    for i, data in enumerate(opportunities):
        row = Opportunity(source="test", source_key=f"o{i}", **data)
        session.add(row)
        rows[data["title"]] = row
    session.commit()
    return rows
