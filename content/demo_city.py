"""みどり市: a fictional city for the demo and the search benchmark, generated relative to a given day.

Everything is deterministic for a given `today` (random.Random seeded with it), and seeding twice updates
rather than duplicates (rows carry source "demo" and stable keys; events that fall out of the window retire).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlmodel import Session, select

from content.importers.audience import event_audience_tags, audience_tags_for
from content.importers.report import ImportReport
from content.importers.sync import Record, sync_records
from content.importers.values import fee_is_free, tokyo_to_utc
from models import District, Event, Facility, Opportunity, Organization

CITY = "みどり市"
SOURCE = "demo"
WEEKS = 8
_CENTER_LAT, _CENTER_LON = 35.9012, 139.4856  # a made-up spot; offsets below spread the districts

# (district, kana, town, lat offset, lon offset, closed weekday 0=Mon, hours, closed text)
DISTRICTS = (
    ("中央地区", "チュウオウチク", "本町二丁目", 0.000, 0.000, 0, "9:00～21:00", "毎週月曜日（祝日の場合は翌平日）、年末年始（12月29日～1月3日）"),
    ("北野地区", "キタノチク", "北野町一丁目", 0.021, -0.004, 0, "9:00～21:00", "毎週月曜日（祝日の場合は翌平日）、年末年始（12月29日～1月3日）"),
    ("南が丘地区", "ミナミガオカチク", "南が丘三丁目", -0.019, 0.006, 1, "9:00～21:30", "毎週火曜日、年末年始（12月28日～1月4日）"),
    ("東原地区", "ヒガシハラチク", "東原五丁目", 0.004, 0.024, 0, "8:30～21:00（日曜・祝日は17:00まで）", "毎週月曜日、第3日曜日、年末年始"),
    ("西山地区", "ニシヤマチク", "西山町四丁目", 0.002, -0.027, 2, "9:00～17:00（金曜日は21:00まで）", "毎週水曜日（祝日の場合は開館し翌日休館）、年末年始"),
    ("桜台地区", "サクラダイチク", "桜台一丁目", 0.016, 0.017, 0, "9:00～21:00", "毎週月曜日（祝日の場合は翌平日）、12月29日～1月3日"),
    ("川辺地区", "カワベチク", "川辺町二丁目", -0.015, -0.018, 3, "9:00～20:00", "毎週木曜日、年末年始（12月29日～1月3日）"),
    ("緑ヶ丘地区", "ミドリガオカチク", "緑ヶ丘六丁目", -0.024, 0.021, 0, "9:00～21:00", "毎週月曜日（祝日の場合は翌平日）、第2火曜日、年末年始"),
)

# (key, name, kana, aliases, category, district, address, lat offset, lon offset, phone, hours, closed, closed weekday, description)
CITY_FACILITIES = (
    ("civic", "みどり市民センター", "ミドリシミンセンター", "市民センター\nみどり市民会館", "市民センター", "中央地区",
     "みどり市本町一丁目1番1号", 0.002, 0.003, "0480-21-1101", "8:30～22:00",
     "毎月第4月曜日（祝日の場合は翌日）、年末年始（12月29日～1月3日）", None,
     "ホール（500席）、会議室、ギャラリー、調理実習室のある市の中心施設です。1階に市民活動サポートコーナーがあります。"),
    ("library", "みどり市立中央図書館", "ミドリシリツチュウオウトショカン", "中央図書館\n図書館\nとしょかん", "図書館", "中央地区",
     "みどり市本町三丁目5番10号", -0.003, 0.004, "0480-21-3456", "9:30～19:00（土曜・日曜・祝日は17:00まで）",
     "毎週月曜日（祝日の場合は開館）、毎月最終金曜日（館内整理日）、年末年始、特別整理期間", 0,
     "蔵書約35万冊。児童室、学習室、視聴覚室があり、おはなし会や講座も開いています。"),
    ("gym", "みどり市民体育館", "ミドリシミンタイイクカン", "市民体育館\n体育館\n総合体育館", "体育館", "東原地区",
     "みどり市東原二丁目8番1号", 0.008, 0.019, "0480-23-7788", "9:00～21:00",
     "毎月第2・第4火曜日、年末年始（12月28日～1月4日）", None,
     "アリーナ（バスケットボール2面）、卓球場、トレーニング室があります。個人開放日は予約なしで利用できます。"),
    ("kominkan", "みどり市中央公民館", "ミドリシチュウオウコウミンカン", "中央公民館\n公民館", "公民館", "中央地区",
     "みどり市本町二丁目3番5号", 0.001, -0.002, "0480-21-2020", "9:00～21:30",
     "毎週月曜日（祝日の場合は翌日）、年末年始（12月29日～1月3日）", 0,
     "学習室、和室、料理室、音楽室があり、サークル活動や市民講座の会場になっています。"),
    ("health", "みどり市保健センター", "ミドリシホケンセンター", "保健センター", "保健センター", "南が丘地区",
     "みどり市南が丘一丁目2番2号", -0.012, 0.003, "0480-22-5151", "8:30～17:15",
     "土曜日、日曜日、祝日、年末年始", 5,
     "乳幼児健診、健康相談、各種検診を行っています。"),
)


@dataclass
class Template:
    """One kind of event the city's centers hold, and when it usually takes place."""

    title: str
    facility: str  # facility key: a district name (its 地区交流センター) or a CITY_FACILITIES key
    category: str
    audience: str
    description: str
    start: time
    end: time | None
    weekdays: tuple[int, ...]  # preferred weekdays (0 = Monday)
    weeks: tuple[int, ...] | None = None  # fixed weeks (0 = the 7 days from today); None = drawn at random
    count: int = 1  # occurrences when weeks is None
    fee: str = "無料"
    capacity: int | None = None
    organizer: str = ""
    room: str = ""
    place: str = ""  # a place that is not a facility (校庭, 河川敷); the facility is then the contact point
    series: bool = False
    days: int = 1  # multi-day events (展示)
    extra: dict = field(default_factory=dict)


TEMPLATES: tuple[Template, ...] = (
    Template("いきいき健康体操", "中央地区", "健康・福祉", "市内在住のおおむね60歳以上の方",
             "椅子に座ったままできるストレッチと筋力トレーニングで、転びにくい体づくりをしましょう。"
             "動きやすい服装で、タオルと飲み物をお持ちください。申込不要・当日参加できます。",
             time(10, 0), time(11, 0), (1,), weeks=tuple(range(8)), organizer="中央地区交流センター運営協議会",
             room="多目的ホール", series=True),
    Template("親子リトミック「おとあそび」", "北野地区", "子育て", "1歳～3歳のお子さんと保護者",
             "ピアノに合わせて体を動かしたり、手遊びや楽器遊びをしたりします。親子で一緒に音楽を楽しみましょう。",
             time(10, 30), time(11, 15), (3,), weeks=(0, 2, 4, 6), capacity=15, organizer="NPO法人みどり子育てネット",
             room="和室", series=True, extra={"capacity_unit": "組"}),
    Template("おはなし会", "library", "子育て・教育", "幼児～小学校低学年のお子さん（保護者の方もどうぞ）",
             "絵本の読み聞かせ、紙芝居、手遊びを楽しみます。途中からの参加もできます。",
             time(11, 0), time(11, 30), (5,), weeks=(0, 1, 3, 5), organizer="みどり市立中央図書館", room="児童室おはなしコーナー",
             series=True),
    Template("男の料理教室～はじめての和食～", "南が丘地区", "講座・教室", "料理初心者の男性（市内在住・在勤の方）",
             "だしのとり方から、肉じゃが・みそ汁・青菜のおひたしを作ります。エプロン、三角巾、ふきんをお持ちください。",
             time(10, 0), time(13, 0), (6,), count=1, fee="800", capacity=12, organizer="南が丘地区交流センター運営協議会",
             room="調理室", extra={"fee_detail": "材料費"}),
    Template("親子クッキング「旬の野菜でピザづくり」", "東原地区", "子育て・教育", "小学生とその保護者",
             "地元でとれた旬の野菜をたっぷりのせて、生地からピザを作ります。親子で協力して作って、みんなで試食します。",
             time(10, 0), time(12, 30), (5,), count=1, fee="1000", capacity=10, organizer="東原地区交流センター運営協議会",
             room="料理室", extra={"fee_detail": "1組あたり・材料費", "capacity_unit": "組"}),
    Template("西山地区合同防災訓練", "西山地区", "防災", "どなたでも（西山地区にお住まいの方はぜひご参加ください）",
             "地震を想定した避難訓練、消火器の使い方、起震車による揺れの体験、炊き出し訓練を行います。"
             "雨天の場合は体育館で規模を縮小して行います。",
             time(9, 0), time(11, 30), (6,), count=1, organizer="西山地区自治会連合会", place="西山小学校 校庭"),
    Template("避難所運営ゲーム（HUG）体験会", "civic", "防災", "中学生以上の方ならどなたでも",
             "避難所に次々とやってくる人や出来事にどう対応するか、カードを使ったゲームで体験します。グループで話し合いながら進めます。",
             time(13, 30), time(16, 0), (5,), count=1, capacity=30, organizer="みどり市危機管理課", room="第1会議室"),
    Template("川辺地区 河川敷クリーン作戦", "川辺地区", "環境・清掃", "どなたでも（小学生以下は保護者同伴）",
             "みどり川の河川敷のごみ拾いをします。軍手とごみ袋は用意します。帽子・飲み物をお持ちください。"
             "集合は川辺地区交流センター駐車場です。",
             time(8, 0), time(9, 30), (6,), count=2, organizer="川辺地区自治会連合会", place="みどり川河川敷（川辺橋付近）"),
    Template("花いっぱい運動 花壇の植え替え", "桜台地区", "環境・清掃", "どなたでも",
             "桜台中央公園の花壇に、季節の花の苗を植えます。スコップ・軍手は用意します。汚れてもよい服装でお越しください。",
             time(9, 0), time(10, 30), (5,), count=1, organizer="桜台自治会", place="桜台中央公園"),
    Template("子ども将棋教室", "桜台地区", "子育て・教育", "小学生（初心者歓迎）",
             "駒の動かし方から教えます。地域の将棋愛好会のみなさんが先生です。",
             time(14, 0), time(16, 0), (5,), weeks=(1, 3, 5, 7), capacity=16, organizer="桜台将棋愛好会", room="和室",
             series=True),
    Template("子ども科学教室「ストローでロケットをつくろう」", "civic", "子育て・教育", "小学3年生～6年生",
             "ストローと紙で小さなロケットを作り、どこまで飛ぶか競争します。飛ぶしくみも学べます。",
             time(10, 0), time(11, 30), (5,), count=1, fee="200", capacity=20, organizer="みどり市教育委員会生涯学習課",
             room="第2会議室", extra={"fee_detail": "材料費"}),
    Template("シニアのためのスマホ相談会", "緑ヶ丘地区", "講座・教室", "おおむね65歳以上の方",
             "電話のかけ方、写真の送り方、LINEの使い方など、スマートフォンの困りごとに学生ボランティアがお答えします。"
             "ご自分のスマートフォンをお持ちください。要予約（1人30分）。",
             time(13, 30), time(15, 30), (2,), count=2, capacity=10, organizer="緑ヶ丘地区交流センター運営協議会",
             room="会議室"),
    Template("はじめてのパソコン講座（全3回）", "kominkan", "講座・教室", "一般（パソコンを使ったことがない方）",
             "電源の入れ方、マウスと文字入力、インターネットの見方を3回で学びます。パソコンは会場のものを使います。",
             time(10, 0), time(12, 0), (4,), weeks=(2, 3, 4), fee="1500", capacity=15, organizer="みどり市中央公民館",
             room="学習室1", series=True, extra={"fee_detail": "全3回分"}),
    Template("認知症サポーター養成講座", "civic", "健康・福祉", "市内在住・在勤・在学の方",
             "認知症について正しく理解し、地域で見守るためのポイントを学びます。受講された方にはオレンジリングをお渡しします。",
             time(14, 0), time(15, 30), (1,), count=1, capacity=40, organizer="みどり市地域包括支援センター", room="第1会議室"),
    Template("手話で話そう！入門講座", "kominkan", "講座・教室", "高校生以上の方",
             "あいさつや自己紹介など、日常で使える簡単な手話を、聴覚障がいのある講師と一緒に学びます。",
             time(19, 0), time(20, 30), (3,), count=1, capacity=20, organizer="みどり市手話サークル「わかば」", room="学習室2"),
    Template("ボッチャ体験会", "gym", "スポーツ", "障がいのある方とそのご家族、どなたでも",
             "パラスポーツのボッチャを体験します。車いすの方も参加できます。ルールはその場で説明します。",
             time(13, 0), time(15, 0), (6,), count=1, organizer="みどり市障がい福祉課", room="サブアリーナ"),
    Template("バドミントン個人開放", "gym", "スポーツ", "中学生以上の方",
             "予約なしで利用できる個人開放日です。シャトルとラケットはお持ちください（ラケットの貸出あり）。",
             time(18, 0), time(21, 0), (2,), weeks=(1, 4), fee="200", organizer="みどり市民体育館", room="アリーナ",
             extra={"fee_detail": "1回・中学生は100円"}),
    Template("夜のリフレッシュヨガ", "南が丘地区", "健康・福祉", "18歳以上の方（初心者歓迎）",
             "1日の疲れをほぐすやさしいヨガです。ヨガマットかバスタオルをお持ちください。",
             time(19, 0), time(20, 15), (4,), count=2, fee="500", capacity=20, organizer="南が丘地区交流センター運営協議会",
             room="多目的室"),
    Template("子育てひろば「ぴよぴよ」", "北野地区", "子育て", "0歳～未就学のお子さんと保護者",
             "おもちゃで自由に遊んだり、保護者同士でおしゃべりしたりできる場です。保育士が子育ての相談にものります。申込不要。",
             time(10, 0), time(12, 0), (2,), weeks=(0, 1, 2, 3), organizer="NPO法人みどり子育てネット", room="和室",
             series=True),
    Template("お茶っこサロン", "東原地区", "健康・福祉", "おおむね65歳以上の方",
             "お茶を飲みながら、おしゃべりや脳トレ、歌を楽しむ集いです。ひとり暮らしの方もお気軽にどうぞ。",
             time(13, 30), time(15, 0), (4,), weeks=(1, 5), fee="100", organizer="東原地区民生委員・児童委員協議会",
             room="ロビー", extra={"fee_detail": "お茶代"}),
    Template("歴史講座「みどり市の古道をたどる」", "library", "講座・教室", "どなたでも",
             "市内に残る古い街道や道しるべを、古地図と写真で紹介します。講師は郷土史研究家の方です。",
             time(14, 0), time(15, 30), (5,), count=1, capacity=50, organizer="みどり市立中央図書館", room="視聴覚室"),
    Template("写真展「みどりの四季」", "civic", "文化・芸術", "どなたでも（入場無料）",
             "市内の写真愛好家が撮影した、四季折々のみどり市の風景写真約60点を展示します。",
             time(0, 0), None, (), weeks=(0,), organizer="みどり写真クラブ", room="1階ギャラリー", days=10),
    Template("緑ヶ丘地区文化祭", "緑ヶ丘地区", "文化・芸術", "どなたでも",
             "サークルの作品展示、踊りや合唱の発表、模擬店があります。子ども向けの工作コーナーもあります。",
             time(10, 0), time(15, 0), (5,), count=1, organizer="緑ヶ丘地区交流センター運営協議会", room="センター全館",
             days=2),
    Template("フードドライブ（食品の寄付受付）", "civic", "福祉・ボランティア", "どなたでも",
             "ご家庭で余っている食品（賞味期限が1か月以上ある未開封のもの）をお持ちください。子ども食堂などに届けます。",
             time(10, 0), time(12, 0), (5,), count=1, organizer="みどり市社会福祉協議会", room="正面玄関前"),
    Template("親子星空観察会", "西山地区", "子育て・教育", "小学生以下のお子さんと保護者",
             "天体望遠鏡で月や星を観察します。曇りや雨の場合は星のおはなしとプラネタリウム映像に変更します。",
             time(18, 30), time(20, 0), (4,), count=1, capacity=20, organizer="西山天文同好会", room="屋上・大会議室",
             extra={"capacity_unit": "組"}),
    Template("普通救命講習（AEDの使い方）", "civic", "防災", "中学生以上の方",
             "心肺蘇生法とAEDの使い方を実習で学びます。修了者には修了証を交付します。動きやすい服装でお越しください。",
             time(9, 0), time(12, 0), (6,), count=1, capacity=30, organizer="みどり市消防本部", room="第1会議室"),
    Template("介護予防教室「百歳体操」", "川辺地区", "健康・福祉", "65歳以上の方",
             "おもりを使ったゆっくりした体操で筋力をつけます。体力測定もあります。",
             time(10, 0), time(11, 0), (4,), weeks=(0, 1, 2, 3), organizer="みどり市地域包括支援センター", room="多目的室",
             series=True),
    Template("英会話サロン", "kominkan", "講座・教室", "中学生以上の方",
             "市内在住の外国人の方と、英語で気軽におしゃべりしましょう。初めての方も歓迎します。",
             time(19, 0), time(20, 30), (1,), weeks=(1, 3), fee="300", organizer="みどり国際交流協会", room="学習室1"),
    Template("ベビーマッサージ教室", "桜台地区", "子育て", "生後2か月～ハイハイ前の赤ちゃんと保護者",
             "助産師がベビーマッサージのやり方を教えます。バスタオルとおむつ、飲み物をお持ちください。",
             time(10, 30), time(11, 30), (3,), count=1, fee="500", capacity=8, organizer="NPO法人みどり子育てネット",
             room="和室", extra={"capacity_unit": "組", "fee_detail": "オイル代"}),
    Template("図書館ブックリサイクル市", "library", "文化・芸術", "どなたでも",
             "図書館で役目を終えた本や雑誌を無料でお譲りします。1人10冊まで。袋をお持ちください。",
             time(9, 30), time(16, 0), (6,), count=1, organizer="みどり市立中央図書館", room="視聴覚室"),
    Template("中央公民館まつり", "kominkan", "文化・芸術", "どなたでも",
             "公民館で活動するサークルの発表会と作品展、お茶席、バザーがあります。",
             time(10, 0), time(15, 0), (5,), count=1, organizer="中央公民館利用者連絡会", room="全館"),
    Template("防犯講座「特殊詐欺にだまされないために」", "南が丘地区", "防犯", "高齢者とそのご家族",
             "実際にあった電話の録音を聞きながら、だまされないためのポイントを警察署の方に教わります。",
             time(10, 0), time(11, 30), (4,), count=1, capacity=40, organizer="みどり警察署・南が丘地区防犯協会",
             room="多目的室"),
    Template("ファミリーバドミントン大会", "gym", "スポーツ", "小学生以上のお子さんと保護者のペア",
             "親子ペアで参加するバドミントン大会です。初心者の部と経験者の部に分かれます。",
             time(9, 0), time(15, 0), (6,), count=1, fee="500", capacity=32, organizer="みどり市バドミントン協会",
             room="アリーナ", extra={"fee_detail": "1ペア", "capacity_unit": "組"}),
    Template("北野地区 ふるさとまつり準備説明会", "北野地区", "地域活動", "北野地区の自治会役員・ボランティア希望の方",
             "地区のお祭りの役割分担と当日の流れを説明します。お手伝いいただける方はどなたでもご参加ください。",
             time(19, 0), time(20, 0), (2,), count=1, organizer="北野地区自治会連合会", room="会議室"),
    Template("みどり市民センター ロビーコンサート", "civic", "文化・芸術", "どなたでも（入場無料・申込不要）",
             "市内の音楽グループによるミニコンサートです。クラシックから映画音楽まで、気軽にお楽しみください。",
             time(12, 15), time(12, 45), (2,), weeks=(0, 4), organizer="みどり市文化振興課", room="1階ロビー",
             series=True),
)

ORGANIZATIONS = (
    *((f"{d[0]}自治会連合会", "自治会", d[0]) for d in DISTRICTS),
    *((f"{d[0]}交流センター運営協議会", "運営協議会", d[0]) for d in DISTRICTS),
    ("桜台自治会", "自治会", "桜台地区"),
    ("NPO法人みどり子育てネット", "NPO", "北野地区"),
    ("NPO法人みどりの森づくりの会", "NPO", "西山地区"),
    ("みどり市社会福祉協議会", "社会福祉協議会", "中央地区"),
    ("みどり国際交流協会", "NPO", "中央地区"),
    ("みどり市", "市", None),
)


def seed_demo_city(session: Session, today: date) -> None:
    """Districts, facilities, organizations, ~60 events over the next 8 weeks and opportunities for みどり市."""
    rng = random.Random(f"midori-{today.isoformat()}")
    seed_districts(session)
    seed_organizations(session)
    facilities = seed_facilities(session)
    report = ImportReport(kind="events", source=SOURCE)
    sync_records(session, Event, SOURCE, event_records(today, rng, facilities), report)
    sync_records(session, Opportunity, SOURCE, opportunity_records(today, facilities), ImportReport(kind="opportunities"))
    from content.faq import seed_demo_faq

    seed_demo_faq(session)  # ゴミの出し方, 市役所の連絡先, 各種証明書, 子育て相談 …
    session.flush()


def seed_districts(session: Session) -> None:
    """The 8 districts, in the city's order."""
    existing = {d.name for d in session.exec(select(District))}
    for position, (name, kana, *_rest) in enumerate(DISTRICTS):
        if name not in existing:
            session.add(District(name=name, kana=kana, position=position))
    session.flush()


def seed_organizations(session: Session) -> None:
    """自治会, 運営協議会, NPOs and the city."""
    existing = {o.name for o in session.exec(select(Organization))}
    for name, kind, district in ORGANIZATIONS:
        if name not in existing:
            session.add(Organization(name=name, kind=kind, district=district, contact=f"{CITY}市民協働課 0480-21-1111"))
    session.flush()


def seed_facilities(session: Session) -> dict[str, Facility]:
    """A 地区交流センター per district plus the city facilities; returns them by key."""
    records = []
    for index, (district, kana, town, dlat, dlon, _closed, hours, closed) in enumerate(DISTRICTS):
        short = district.removesuffix("地区")
        records.append(Record(0, f"center-{index}", {
            "name": f"{district}交流センター", "kana": f"{kana}コウリュウセンター",
            "aliases": f"{short}センター\n{short}交流センター\n{district}センター\n{short}公民館",
            "category": "地区交流センター", "district": district,
            "address": f"{CITY}{town}{index + 3}番{index * 2 + 1}号",
            "latitude": round(_CENTER_LAT + dlat, 6), "longitude": round(_CENTER_LON + dlon, 6),
            "phone": f"0480-2{index}-{3100 + index * 11}", "hours_text": hours, "closed_text": closed,
            "description": f"{district}の地域活動の拠点です。会議室、和室、調理室、多目的室を貸し出しています。"
                           f"地区の自治会や運営協議会の行事、子育てサロン、健康体操などが開かれています。",
            "url": f"https://www.city.midori.example.jp/shisetsu/center{index + 1}.html", "active": True,
        }))
    for key, name, kana, aliases, category, district, address, dlat, dlon, phone, hours, closed, _c, desc in CITY_FACILITIES:
        records.append(Record(0, key, {
            "name": name, "kana": kana, "aliases": aliases, "category": category, "district": district,
            "address": address, "latitude": round(_CENTER_LAT + dlat, 6), "longitude": round(_CENTER_LON + dlon, 6),
            "phone": phone, "hours_text": hours, "closed_text": closed, "description": desc,
            "url": f"https://www.city.midori.example.jp/shisetsu/{key}.html", "active": True,
        }))
    sync_records(session, Facility, SOURCE, records, ImportReport(kind="facilities"))
    rows = {f.source_key: f for f in session.exec(select(Facility).where(Facility.source == SOURCE))}
    by_key = {DISTRICTS[i][0]: rows[f"center-{i}"] for i in range(len(DISTRICTS))}
    by_key.update({key: rows[key] for key, *_ in CITY_FACILITIES})
    return by_key


def closed_weekday(facility_key: str) -> int | None:
    """The weekday a facility is closed every week (so no event is put on it)."""
    for district, *_rest, closed_day, _hours, _closed in DISTRICTS:
        if district == facility_key:
            return closed_day
    for key, *_rest in CITY_FACILITIES:
        if key == facility_key:
            return _rest[-2]
    return None


def event_days(template: Template, today: date, rng: random.Random) -> list[date]:
    """The dates a template's occurrences fall on within the 8 weeks from today."""
    weeks = template.weeks if template.weeks is not None else sorted(rng.sample(range(WEEKS), template.count))
    if not template.weekdays:  # exhibitions: start a couple of days ago so one is always on
        return [today - timedelta(days=2) + timedelta(weeks=w) for w in weeks]
    closed = closed_weekday(template.facility)
    days = []
    for week in weeks:
        choices = [w for w in template.weekdays if w != closed] or [template.weekdays[0]]
        weekday = rng.choice(choices)
        start = today + timedelta(weeks=week)
        day = start + timedelta(days=(weekday - start.weekday()) % 7)
        if is_year_end(day):  # the centers are closed 12/29–1/3: a series skips it, a one-off moves a week
            if template.series:
                continue
            day += timedelta(weeks=1)
        days.append(day)
    return days


def is_year_end(day: date) -> bool:
    """True from 12/29 to 1/3, when every facility is closed."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def event_records(today: date, rng: random.Random, facilities: dict[str, Facility]) -> list[Record]:
    """Every template's occurrences as Records (stable keys: template index + date)."""
    records = []
    for index, template in enumerate(TEMPLATES):
        facility = facilities[template.facility]
        for day in event_days(template, today, rng):
            records.append(Record(0, f"t{index}-{day.isoformat()}", event_values(template, index, day, facility)))
    return records


def event_values(template: Template, index: int, day: date, facility: Facility) -> dict:
    """The Event columns for one occurrence of a template."""
    all_day = template.end is None
    last_day = day + timedelta(days=template.days - 1)
    if all_day:
        starts_at, ends_at = tokyo_to_utc(day, None), tokyo_to_utc(last_day + timedelta(days=1), None)
    else:
        starts_at, ends_at = tokyo_to_utc(day, template.start), tokyo_to_utc(last_day, template.end)
    fee_detail = template.extra.get("fee_detail", "")
    fee = template.fee if not template.fee.isdigit() else f"{int(template.fee):,}円"
    if fee_detail:
        fee = f"{fee}（{fee_detail}）"
    place = template.place or (f"{facility.name} {template.room}".strip())
    unit = template.extra.get("capacity_unit", "人")
    description = template.description
    if template.capacity:
        description += f"\n定員: {template.capacity}{unit}（先着順）"
    return {
        "title": template.title,
        "description": description,
        "category": template.category,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "all_day": all_day,
        "time_note": "会期中は9:00～17:00（最終日は15:00まで）" if all_day else None,
        "place_name": place,
        "facility_id": facility.id,
        "district": facility.district,
        "address": facility.address,
        "latitude": facility.latitude,
        "longitude": facility.longitude,
        "audience": template.audience,
        "audience_tags": event_audience_tags(template.audience, template.title, template.description),
        "fee": fee,
        "is_free": fee_is_free(template.fee),
        "capacity": template.capacity,
        "chat_signup": bool(template.capacity),  # sign-ups (issue 9): first-come events take them in the chat
        "organizer": template.organizer or None,
        "contact": f"{facility.name} {facility.phone}",
        "url": f"https://www.city.midori.example.jp/event/{index + 1:03d}.html",
        "series_key": f"demo-t{index}" if template.series else None,
        "status": "published",
        "active": True,
    }


def opportunity_records(today: date, facilities: dict[str, Facility]) -> list[Record]:
    """Volunteer openings, 自治会 work days, public comments and the staff bank, dated from today."""
    def at(days: int, clock: time | None = None):
        """Naive UTC for today + days at a Tokyo clock time."""
        return tokyo_to_utc(today + timedelta(days=days), clock)

    def saturday_after(days: int) -> int:
        """Days from today to the first Saturday at least `days` ahead."""
        start = today + timedelta(days=days)
        return days + (5 - start.weekday()) % 7

    items = [
        ("volunteer", "子ども食堂の調理ボランティア募集", "NPO法人みどり子育てネット", "中央地区",
         "毎月第2・第4土曜日に開く「みどり子ども食堂」で、調理や配膳、片付けをお手伝いいただける方を募集します。"
         "1回だけの参加も歓迎です。", at(saturday_after(7), time(9, 0)), at(saturday_after(7), time(14, 0)),
         at(saturday_after(7) - 5, time(17, 0)), 6, "高校生以上の方（調理経験は問いません）", "中央地区"),
        ("volunteer", "図書館おはなし会 読み聞かせボランティア", "みどり市立中央図書館", "library",
         "土曜日のおはなし会で絵本の読み聞かせをしてくださる方を募集します。事前に2回の研修があります。",
         at(14, time(10, 0)), at(14, time(12, 0)), at(10), 10, "18歳以上の方", None),
        ("volunteer", "ファミリーバドミントン大会 運営スタッフ", "みどり市バドミントン協会", "gym",
         "受付、得点係、会場設営をお手伝いいただける方を募集します。昼食をご用意します。",
         at(saturday_after(21), time(8, 0)), at(saturday_after(21), time(16, 0)), at(14), 15, "中学生以上の方", None),
        ("volunteer", "シニアのスマホ相談会 学生ボランティア", "緑ヶ丘地区交流センター運営協議会", "緑ヶ丘地区",
         "高齢者のスマートフォンの困りごとに一緒に答えてくださる高校生・大学生を募集します。ボランティア証明書を発行します。",
         at(9, time(13, 0)), at(9, time(16, 0)), at(5), 5, "高校生・大学生", None),
        ("workday", "北野地区 公園の草刈り作業日", "北野地区自治会連合会", "北野地区",
         "北野ふれあい公園の草刈りと清掃を行います。草刈り機は自治会で用意します。軍手・帽子・飲み物をお持ちください。"
         "雨天の場合は翌週に延期します。", at(saturday_after(3) + 1, time(8, 0)), at(saturday_after(3) + 1, time(10, 0)),
         None, None, "北野地区にお住まいの方（どなたでも）", "北野地区"),
        ("workday", "桜台自治会 防犯灯の点検とごみ集積所の清掃", "桜台自治会", "桜台地区",
         "夕方に防犯灯の点灯を確認し、あわせてごみ集積所の清掃を行います。班ごとに担当を決めます。",
         at(saturday_after(10), time(16, 0)), at(saturday_after(10), time(18, 0)), None, None, "桜台自治会の会員", "桜台地区"),
        ("public_comment", "「みどり市地域福祉計画（案）」への意見募集（パブリックコメント）", "みどり市福祉政策課", None,
         "次期地域福祉計画の案について、市民の皆さんのご意見を募集します。案は市ホームページ、市役所、各地区交流センターで"
         "ご覧いただけます。郵送、FAX、メール、持参で提出できます。", at(-3), at(27, time(23, 59)), at(27, time(23, 59)),
         None, "市内在住・在勤・在学の方、市内に事業所のある方", None),
        ("public_comment", "「公共施設の使い方に関する計画（案）」パブリックコメント", "みどり市資産経営課", None,
         "地区交流センターや公民館など公共施設の今後のあり方についての計画案に、ご意見をお寄せください。",
         at(5), at(35, time(23, 59)), at(35, time(23, 59)), None, "どなたでも", None),
        ("staff_bank", "みどり市まちづくりスタッフバンク 登録者募集", "みどり市市民協働課", None,
         "イベントの運営や地域の行事を手伝ってくださる方を登録し、募集があるときにお知らせします。"
         "得意なことや都合のよい日時を登録できます。いつでも登録・解除できます。", None, None, None, None,
         "市内在住・在勤・在学の中学生以上の方", None),
    ]
    records = []
    for index, (kind, title, organizer, facility_key, description, starts, ends, deadline, capacity, audience,
                district) in enumerate(items):
        facility = facilities.get(facility_key) if facility_key else None
        records.append(Record(0, f"o{index}", {
            "kind": kind, "title": title, "description": description, "organizer": organizer,
            "place_name": facility.name if facility else None, "facility_id": facility.id if facility else None,
            "district": district or (facility.district if facility else None),
            "starts_at": starts, "ends_at": ends, "deadline": deadline, "capacity": capacity,
            "audience": audience, "audience_tags": audience_tags_for(" ".join((audience, title, description))),
            "contact": f"{organizer} 0480-21-1111", "url": f"https://www.city.midori.example.jp/sanka/{index + 1:02d}.html",
            "status": "published", "active": True,
        }))
    return records
