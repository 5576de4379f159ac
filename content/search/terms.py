"""Text → search terms: Sudachi normalised words, kana readings and character bigrams, plus synonyms.

Index and query go through the same functions (and the same dictionary), so 子ども/子供/こども,
申込/申し込み and full/half-width forms meet on one term.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache

from sudachipy import SplitMode

from content.search.synonyms import synonyms_of

_SKIP_POS = {"助詞", "助動詞", "補助記号", "空白", "記号", "接頭辞"}
_local = threading.local()

# Words that say "search" but not what for: they must not rank one item above another (部 of 午後の部 is a session
# of the day, not a club; 中 of 「消防署の中を」 is inside; 「…ってきいた」 is hearsay; もう一回).
QUERY_STOPWORDS = frozenset("""
何 何か 何処 どこ 何時 いつ 今度 次回 有る 在る 居る 為る 成る 行く 来る 教える 知る 見る 出来る 欲しい 良い 無い
ある いる する なる 探す 調べる 今 今日 明日 明後日 今週 今週末 週末 来週 今月 来月 今夜 昨日 先週 先月 再来週
午前 午後 夜 朝 夕方 昼 時 日 月 年 件 ほか 他 こと 物 もの 所 ところ 方 です ます 下さる 下さい くださる
お願い 願う 教え 知りたい 思う 予定 情報 について 場合 イベント 催し 催し物 行事 催事 何か有る 向け 用 の 的 さん
開催 やる 遣る 時間 開館 閉館 休館 営業 住所 電話 番号 場所 日程 スケジュール 申し込み 申込 料金 無料 対象 施設 館 センター
入館料 入園料 入場料 利用料 使用料 観覧料 入館 入園 値段 費用 有料 見られる 見れる 行ける お金 金 掛かる かかる 参加費 受講料
お知らせ 紹介 集まり 集い つどい 会合 一覧 リスト 全部 色々 いろいろ 面白い 楽しい 良い 近い 遠い 方法 仕方 様 感じ 辺り 辺 程度 位 くらい ぐらい 頃 ごろ
とこ トコ 大丈夫 奴 やつ 只 以上 以下 未満 箇月 生後 開く 空く あく 回 ちゃん くん 様 人 子 いま 貰う 貰える もらう もらえる 今日は 今晩は 何曜 何曜日 何日 何歳 何人 何回 幾ら いくら 毎週 毎月 毎日 毎年 お勧め おすすめ 人気 土曜 日曜 土曜日 日曜日 平日 祝日 休日 連休 夏休み 冬休み 春休み 午前中 昼間 夜間 明後日 あさって 来月 再来月 有り 皆 みんな 皆さん 一緒 誰 可能 参加 出る 近く 近所 周辺 此の 其の 此処 其処 ここ そこ あそこ 部 中 聞く きく 一回 一度
電話番号 問い合わせ 問合せ 問い合わせ先 問合せ先 連絡先 申し込み先 申込先 申し込み方法 申込方法 申し込む 申込む
易い 難い 辛い 見て回る 見回る 一番 いちばん 材料費 教材費 いつ頃 何時頃
月謝 会費 年会費 本当 ほんと マジ みたい 過ぎ 呉れる くれる 休み 休み日 定休 定休日 休業 休業日 休館日 休園日 何ぼ なんぼ チケット
回覧板 回覧 広報誌 チラシ ポスター 載る 載って 書いてある 聞いた 入場 沢山 たくさん 一杯 いっぱい 余所 よそ 見頃 見ごろ みごろ 息子 娘 興味 関心 もん モン
""".split())

# Groups of words residents and cities use for the same thing (normalised forms are computed at load). Words after
# NARROWER are kinds of the words before it: 祭り reaches 盆踊り, but 盆踊り does not reach フェスティバル (a pet
# festival is no bon dance). The sports group stays symmetric: a gym for スポーツ is one for バドミントン, though 卓球
# then also meets rows saying only 運動.
NARROWER = ">"
SYNONYM_GROUPS = [
    ["催し", "イベント", "行事", "催事"],
    ["オーケストラ", "交響楽団", "管弦楽団", "交響", "管弦楽", "フィルハーモニー"],
    ["サッカー", "Jリーグ", "なでしこリーグ"],
    ["試合", "公式戦", "対戦", "ホームゲーム"],
    ["体操", "運動", "エクササイズ", "ストレッチ", "フィットネス", "体を動かす", "健康体操"],
    ["子供", "キッズ", "児童", "小学生", "幼児", "親子", "ちびっこ", "ジュニア"],
    ["高齢者", "シニア", "お年寄り", "老人", "長寿", "シルバー", "高齢", "定年", "退職"],
    ["ボランティア", "募集", "担い手", "協力者", "サポーター"],
    ["講座", "教室", "セミナー", "講習", "講習会", "ワークショップ", "学習会", "勉強会", "学級", "勉強"],
    ["怪我", "けが", "救急", "応急手当", "救命", "応急", "応急処置", "心肺蘇生", "AED", "心臓マッサージ"],
    ["男性", "男", "メンズ"],
    ["女性", "女", "レディース"],
    ["図書館", "図書室", "図書"],
    ["本", NARROWER, "図書館", "図書室", "図書"],  # 本を読める所 → 図書館, but a library is not every row saying 本
    ["公民館", "市民センター", "交流センター", "コミュニティセンター", "地区センター"],
    ["音楽", "コンサート", "演奏", "演奏会", "ライブ", "音楽会"],
    ["料理", "クッキング", "調理", "料理教室"],
    ["読み聞かせ", "おはなし会", "お話会", "絵本", "紙芝居"],
    ["映画", "上映", "上映会", "シネマ"],
    ["祭り", "まつり", "フェスティバル", "フェス", NARROWER, "盆踊り"],
    ["清掃", "掃除", "美化", "ごみ拾い", "ゴミ拾い", "クリーン", "ビーチクリーン", "クリーン作戦", "清掃活動", "プロギング",
     "ゴミを拾う"],
    ["防災", "避難", "防災訓練", "災害"],
    ["健康", "健診", "検診", "保健"],
    ["英語", "英会話", "国際交流", "外国"],
    ["外国人", "外国", "外国の方", "国際", "国際交流", "留学生"],
    ["マラソン", "ロードレース", "ランニング", "ジョギング", "駅伝", "マラソン大会", "クロスカントリー"],
    ["子育て", "育児", "赤ちゃん", "乳幼児", "ベビー", "子育て支援", "乳児"],
    ["スポーツ", "運動", "球技", "卓球", "バドミントン"],
    ["散歩", "ウォーキング", "歩く", "散策", "ウォーク"],
    # 体を動かす: any kind of exercise will do (a ウォーク class is one), but a walk is no yoga
    ["体を動かす", "運動", NARROWER, "ウォーキング", "ウォーク", "ヨガ", "ストレッチ", "エアロビクス", "筋トレ", "太極拳",
     "ピラティス", "ズンバ", "エアロビ"],
    ["星", "星空", "天体", "天体観測", "星座", "プラネタリウム", "天文"],
    ["絵", "絵画", "美術", "アート", "展示", "展覧会"],
    ["展示会", "展覧会", "展示", "作品展", "公募展", "写真展", "展"],
    ["花", "園芸", "ガーデニング", "植物"],
    ["工作", "ものづくり", "クラフト", "手作り"],
    ["手芸", "クラフト", "ハンドメイド", "手作り"],
    ["手芸", "編み物", "裁縫", "刺繍", "パッチワーク", "マクラメ", "ハンドメイド"],
    ["パソコン", "スマホ", "スマートフォン", "IT"],
    ["スマホ", "スマートフォン", "iPhone", "アイフォン", "Android", "アンドロイド", "携帯電話"],
    ["写真", "撮影", "撮る", "カメラ"],
    ["体育館", "運動場", "スポーツセンター", "アリーナ"],
    ["屋内", "屋根"],  # 雨でもできる屋根のあるコート → 屋内テニスコート (not 室内: a playroom is no 屋内ゲートボール場)
    ["飛行機", "航空", "航空機"],
    ["プール", "水泳", "スイミング"],
    ["囲碁", "碁"],  # 将棋 is another game: a 将棋 question is not answered with a 囲碁 course
    ["ヨガ", "ヨーガ", "ピラティス"],
    ["ダンス", "踊り", "体操"],
    ["歌", "合唱", "コーラス", "カラオケ"],
    ["自治会", "町内会", "町会"],
    ["意見", "パブリックコメント", "パブコメ"],
    ["相談", "相談会", "窓口"],
    ["古本", "古書", "リサイクル", "ブックリサイクル"],
    ["寄付", "寄贈", "寄附"],
    ["手伝い", "お手伝い", "ボランティア", "スタッフ"],
    ["お茶会", "茶話会", "サロン", "お茶"],
    ["講演会", "講演", "講話"],
    ["プール", "温水プール"],
    ["駐輪場", "自転車駐車場", "自転車置き場", "駐輪"],
    ["駐車場", "駐車", "パーキング", "駐車台数", "車を止める", "車をとめる", "車を停める"],  # 車とめるとこ
    ["パソコン", "PC", "パーソナルコンピューター"],  # PC starts no expansion in Sudachi's dictionary (展開制御 1)
    ["バーベキュー", "BBQ", "焼肉", "焼き肉"],
    ["温泉", "湯", "入浴", "浴場", "銭湯", "風呂", "お風呂"],
    ["保護者", "親", "父母", "両親", "親御さん"],  # 子どもの発達が気になる親 → 保護者サロン
    ["祖父母", "祖父", "祖母", "おじいちゃん", "おばあちゃん", "シニア世代"],
    ["水泳", "泳ぐ", "プール", "海水浴", "スイミング"],
    ["鉄道", "電車", "列車", "汽車", "機関車", "新幹線", "路面電車"],  # 電車好きの子 → 鉄道探検隊
    ["山小屋", "山荘", "ヒュッテ"],
    # The year's customs, as every city's events are named after them (節分 → 豆まき, 成人式 → 二十歳のつどい).
    ["節分", "豆まき", "まめまき"],
    ["ひな祭り", "ひなまつり", "雛祭り", "桃の節句", "ひな人形", "雛人形", "おひなさま", "お雛様"],
    ["こどもの日", "端午の節句", "こいのぼり", "鯉のぼり"],
    ["七夕", "たなばた", "笹飾り", "短冊"],
    ["夕日", "夕陽", "夕焼け", "サンセット", "日没", "入り日"],
    ["声", "ボイス", "発声", "ボーカル"],  # 「声出す練習」 is a ボイストレーニング
    ["松林", "松原", "松並木"],
    ["茶道", "お茶", "茶", "茶の湯", "茶会", "お点前"],  # 「お茶のおけいこ」 is a 茶道教室
    ["弓", "弓道", "アーチェリー", "洋弓", "弓矢"],
    ["植物園", "植物公園", "ボタニカルガーデン"],
    ["ビザ", "査証", "在留資格", "在留", "在留カード"],  # 「ビザの更新の相談」 is a 在留資格 consultation
    ["老後", "年金", "老後資金", "資産運用", "ライフプラン", "NISA", "iDeCo"],
    ["屋敷", "邸宅", "旧家", "お屋敷", NARROWER, "住宅"],
    ["演劇", "芝居", "お芝居", "劇", "舞台", "シアター"],  # 「お芝居に興味あって」 is an 演劇 workshop  # 豪商のお屋敷 is 旧尾藤家住宅; a 住宅 is seldom one
    ["成人式", "二十歳", "はたち"],
    ["花見", "お花見", "桜まつり", "観桜"],
    ["紅葉", "もみじ", "紅葉狩り"],
    ["クリスマス", "サンタ", "サンタクロース"],
    ["ハロウィン", "ハロウィーン", "仮装"],
    ["月見", "お月見", "十五夜"],
    ["敬老", "敬老の日", "敬老会"],
    ["正月", "お正月", "新年", "初詣", "書き初め", "門松"],
    ["餅つき", "もちつき"],
    # Words for taking part that titles put another way.
    ["初心者", "初めて", "はじめて", "入門", "ビギナー", "初級", "未経験"],
    ["工作", "制作", "製作", "創作"],
    ["キャンプ", "野営", "テント", "キャンプ場", "野営場"],
    ["託児", "預かり", "預かる", "保育", "預ける"],
    ["妊婦", "妊娠", "妊産婦", "プレママ", "マタニティ", "妊娠中"],  # いま妊娠中 → 妊婦さんフロア, プレママ広場
    ["救命", "AED"],  # one-word forms only (synonym_map drops longer ones)
    ["直売", "販売", "朝市", "マルシェ", "マーケット"],
    ["発掘", "掘り", "ほり", "掘る"],  # 化石ほり → 化石発掘体験
    ["歯磨き", "歯みがき", "虫歯", "むし歯", "歯科"],  # 歯みがきを教わる → むし歯予防教室, 歯科健診
    # The resident's word for a city service beside the word its page or title uses (粗大ごみ → リサイクルセンター).
    ["粗大ごみ", "リサイクル", "埋め立て"],
    ["宿題", "自習", "寺子屋", "学習支援", "予習", "復習", "学習補助"],
    ["不登校", "フリースクール"],
    ["養育費", "ひとり親", "母子家庭", "父子家庭", "シングルマザー", "シングルファーザー"],
    ["承継", "事業承継", "後継者", "跡継ぎ", "後継ぎ", "後継", "継ぐ"],  # 「店を息子に継がせたい」
    ["起業", "創業", "開業", "スタートアップ", "店を始める", "お店を始める", "商売を始める"],
    ["自転車", "サイクリング", "サイクル"],  # じてんしゃの大会 → サイクリング大会
    ["海岸", "海浜", "砂浜", "浜辺", "ビーチ"],  # 海岸のゴミ拾い → 海浜清掃
    ["狩り", "収穫", "摘み取り", "もぎ取り"],  # 梨狩り → 梨収穫体験
    ["言葉", "語学", "言語"],  # インドネシアのことば ならえる教室 → 語学講座 インドネシア語
    ["生け花", "いけばな", "華道", "花を生ける"],
    ["不動産", "売り買い", "売買"],  # 家や土地の売り買いのこと → 不動産相談
    ["野菜", "農産物", "青果"],  # 地元の野菜 → 地域農産物の販売
    ["土産", "お土産", "特産品", "名産", "名産品", "特産"],
    ["坐禅", "座禅", "瞑想", "禅"],  # Zen meditation, ざぜん → 〈坐禅〉毎月第2日曜日
    ["写真立て", "写真たて", "フォトフレーム"],
    ["婚活", "恋活", "出会い", "縁結び"],  # 出会いのイベント 婚活みたいなの → 恋活フェス
    ["宝探し", "宝さがし", "宝物", "宝もの", "お宝"],
    ["ジム", "フィットネス", "スポーツジム"],
    ["落語", "寄席", "噺家", "落語家", "落語会"],  # 噺家さんの話が聞けるとこ → 落語会
    ["自由研究", "課題研究"],
    ["蓮", "ハス", "蓮の花", "睡蓮"],
    ["酒蔵", "酒造", "蔵元", "日本酒"],
    ["藍染め", "藍染", "藍"],
    ["非常食", "備蓄", "保存食", "防災食", "ローリングストック"],
    ["減塩", "塩分", "薄味"],
    ["血糖値", "糖尿病", "血糖"],
    ["身体測定", "身長", "体重", "計測", "身体計測"],
    ["木登り", "ツリークライミング", "クライミング"],
    ["婚活", "縁結び", "出会い"],
    ["移住", "定住", "UIターン", "Uターン", "Iターン"],
    ["相続", "遺言", "終活", "エンディングノート"],
    ["詐欺", "特殊詐欺", "悪質商法"],
    ["太極拳", "気功"],
    ["日帰り", "デイキャンプ"],
    ["SNS", "インターネット", "ネット", "メディア"],  # 子どものスマホとかSNS → メディアとの付き合い方
    ["寺", "寺院", "菩提寺", "禅寺"],  # お寺 → 臨済宗寺院 (大照院, whose name says no 寺)
    ["神社", "お宮", "神宮", "八幡宮", "大社", "天満宮", "天神"],
    ["料理", NARROWER, "食事"],  # 減塩の料理 → 塩分控えめ…お食事講座; a 食事会 is no cooking class
    ["スパゲッティ", "パスタ", "イタリアン"],
    ["仕事", "就職", "再就職", "就労", "求職", "就活"],
    ["悩み", "相談", "お悩み"],
    ["オートキャンプ", "車中泊", "車ごと", "車の乗り入れ"],  # 車ごと入れるキャンプ場 → オートキャンプ場
    ["ヤングケアラー", "介護"],
    ["筋トレ", "筋力", "筋力トレーニング", "筋肉", "トレーニング", "ウエイトトレーニング"],
    ["脳トレ", "ボケ防止", "物忘れ", "認知症予防", "脳の健康", "頭の体操", "脳活"],
    ["測定", "テスト", "チェック"],
    ["防災", "地震", "震災", "台風", "水害"],
    ["犬", "愛犬", "ペット"],
    ["猫", "愛猫", "ペット"],
    # English museum, and a resident's 博物館, is any house of exhibits (青山剛昌ふるさと館, 郷土資料館)
    ["資料館", "博物館", "記念館", "郷土館", "歴史館", "ミュージアム", "文学館"],
    ["特産", "特産品", "物産", "名産", "名産品", "土産", "お土産", "直売所"],
    ["省エネ", "節電", "節約"],
    ["離乳食", "もぐもぐ", "ごっくん", "かみかみ"],
    # How to be with someone: 中学生の子への接し方 → 思春期の子どもへの触れ合い方; ぼけた親との接し方 → 認知症のケア
    ["接し方", "関わり方", "かかわり方", "触れ合い方", "ふれあい方", "付き合い方", "声掛け", "声かけ", "ケア"],
    ["認知症", "ぼけ", "ボケ", "ぼける", "痴呆"],
    ["思春期", "中学生", "反抗期", "ティーン", "十代"],
    ["粘土", "クレイ", "紙粘土", "樹脂粘土", "クレイクラフト"],
    ["表計算", "エクセル", "Excel"],
    # 離乳食はじめる頃 → 離乳食開始時期; 囲碁をはじめたい → 囲碁初心者講座 (a beginners' course is one way to start)
    ["始める", "開始", "スタート", NARROWER, "初心者", "入門", "初めて"],
    ["耳", "聴力", "難聴", "聞こえる", "補聴器"],  # 耳が聞こえにくい → 聴こえの相談会 (聴力が低下)
    ["授乳", "おっぱい", "母乳", "卒乳", "断乳"],  # おっぱいの相談 → 授乳相談
    ["弁護士", "法律相談", "法律", "司法書士"],  # 弁護士さんに相談 → 法律相談
    ["演歌", NARROWER, "歌謡", "歌謡曲", "歌", "うた"],  # 演歌の歌番組 → 日本のうた (not every 歌 row is 演歌's kind)
    ["史跡", "旧跡", "遺跡", "城跡", "史跡めぐり", "歴史散歩"],
    ["めぐり", "巡り", "巡る", "散策", "ウォーク", "ウォーキング", "歩く"],
    ["町並み", "街並み", "まちなみ", "古い町並み"],
    ["商家", "商人", "豪商", "海商"],
    ["眼病", "目の病気", "眼の病気", "目の病"],  # 目の病気にご利益 → 眼病平癒の薬師如来
    ["御利益", "ご利益", "霊験", "御神徳"],
    ["殿様", "藩主", "大名", "城主"],  # 殿様のお墓 → 小浜藩主 酒井家の菩提寺
    ["建物", "建造物", "建築物"],
    ["最古", "一番古い", "いちばん古い", "最も古い"],
    ["出土", "出土品", "出てきた", "発見", "発掘"],  # 古墳から出てきたもの → 出土品は郷土館に展示
    ["剣", "鉄剣", "刀", "鉄刀", "刀剣"],
    ["先生", "教師", "教員", "ティーチャー", "教諭"],  # 先生になる相談 → ペーパーティーチャー相談会
    ["商売", "ビジネス", "起業", "創業"],  # 自分で商売はじめる → 月3万円ビジネス, 女性創業
    # a martial art's own word reaches the hall for all of them (柔道の練習 → 武道館), not another art
    ["柔道", "武道"], ["剣道", "武道"], ["空手", "武道"], ["合気道", "武道"], ["弓道", "武道"],
]

_KATA_FROM_HIRA = {c: c + 0x60 for c in range(ord("ぁ"), ord("ゖ") + 1)}
_PLACEHOLDER = re.compile(r"[〇○◯]{2,}")


def normalize_text(text: str) -> str:
    """NFKC, placeholders (〇〇) removed, lower-cased ASCII."""
    from content.query.normalize import unify_small_ke

    text = unify_small_ke(unicodedata.normalize("NFKC", text or ""))
    return _PLACEHOLDER.sub(" ", text).lower().strip()


def to_katakana(text: str) -> str:
    """Hiragana → katakana (for matching kana-only questions against readings)."""
    return text.translate(_KATA_FROM_HIRA)


def _tokenizer():
    """One Sudachi tokenizer per thread, on the dictionary the query reader loaded (one load per process:
    index and questions must use the same dictionary, and each load costs ≈ 0.1 s)."""
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        from content.query.normalize import _get_dictionary

        tok = _get_dictionary().tokenizer(mode=SplitMode.C)
        _local.tokenizer = tok
    return tok


def _keep(pos: tuple) -> bool:
    """Content words only: particles, auxiliaries and punctuation carry no meaning for search."""
    return pos[0] not in _SKIP_POS


@lru_cache(maxsize=20000)
def analyse(text: str) -> tuple[tuple[str, ...], str, str]:
    """(normalised content terms incl. A-mode sub-words, katakana reading of it all, reading of content words)."""
    text = normalize_text(text)
    if not text:
        return (), "", ""
    terms: list[str] = []
    reading: list[str] = []
    content_reading: list[str] = []
    for m in _tokenizer().tokenize(text):
        pos = m.part_of_speech()
        read = to_katakana(m.reading_form() or m.surface())
        reading.append(read)
        if not _keep(pos):
            continue
        norm = m.normalized_form().lower()
        terms.append(norm)
        if norm not in QUERY_STOPWORDS:
            content_reading.append(read)
        if len(m.surface()) > 2 and pos[0] == "名詞" and norm not in QUERY_STOPWORDS:
            subs = m.split(SplitMode.A)
            if len(subs) > 1:
                terms.extend(s.normalized_form().lower() for s in subs if _keep(s.part_of_speech()))
            elif m.is_oov() and _KATAKANA_WORD.fullmatch(m.surface()):
                terms.extend(_katakana_parts(m.surface()))  # プロバスケットボールチーム: バスケットボール
            else:
                terms.extend(_noun_halves(norm))  # 桜祭り is one dictionary word: 桜 + 祭り still meet さくら祭
    return tuple(terms), "".join(reading), " ".join(content_reading)


_KANJI = re.compile(r"[一-龥々]")
_KATAKANA_WORD = re.compile(r"[ァ-ヺー]{5,24}")
_KATAKANA_ONLY = re.compile(r"[ァ-ヺー]+")


@lru_cache(maxsize=20000)
def _katakana_parts(word: str) -> tuple[str, ...]:
    """The dictionary's loanwords a katakana run Sudachi does not know is made of, longest first from the left
    (プロバスケットボールチーム → プロ, バスケットボール, チーム), or () when it holds none."""
    parts, start = [], 0
    while start < len(word) - 1:
        for end in range(len(word), start + 1, -1):
            morphemes = list(_tokenizer().tokenize(word[start:end]))
            # a loanword the dictionary writes in katakana too, or the head noun at the end (シバヤギ → 山羊);
            # ギン inside プロギング is no 銀
            if len(morphemes) == 1 and not morphemes[0].is_oov() and morphemes[0].part_of_speech()[0] == "名詞" \
                    and (_KATAKANA_ONLY.fullmatch(morphemes[0].normalized_form()) or end == len(word)):
                parts.append(morphemes[0].normalized_form().lower())
                start = end
                break
        else:
            start += 1
    return tuple(parts)


@lru_cache(maxsize=20000)
def _noun_halves(word: str) -> tuple[str, ...]:
    """The two nouns a compound that Sudachi keeps whole is made of (桜祭り → 桜, 祭), or () when none."""
    if not _KANJI.search(word) or len(word) > 8:
        return ()
    for cut in range(1, len(word)):
        halves = []
        for part in (word[:cut], word[cut:]):
            morphemes = list(_tokenizer().tokenize(part))
            if len(morphemes) != 1 or morphemes[0].part_of_speech()[0] != "名詞" or \
                    morphemes[0].part_of_speech()[1] == "数詞" or morphemes[0].part_of_speech()[2] == "人名":
                break
            halves.append(morphemes[0].normalized_form().lower())
        else:
            return tuple(halves)
    return ()


@dataclass(frozen=True)
class TypedForms:
    """What Sudachi's normalising hides in one question: the words as typed (お香, read 香り alone, is お香 inside
    「お香・香炉」) and the pieces of a normalised word (塵拾い holds ゴミ + 拾い, which its letters do not show)."""

    surfaces: dict[str, tuple[str, ...]] = field(default_factory=dict)
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)


# The question being answered: set by note_question, read by expand and is_part_of (one question per context)
_QUESTION_FORMS: ContextVar[TypedForms] = ContextVar("question_forms", default=TypedForms())


@lru_cache(maxsize=2000)
def typed_forms(text: str) -> TypedForms:
    """The forms as typed and the pieces of the words Sudachi normalises in a question."""
    surfaces: dict[str, list[str]] = {}
    parts: dict[str, tuple[str, ...]] = {}
    prefix = ""
    for m in _tokenizer().tokenize(normalize_text(text)):
        pos = m.part_of_speech()
        if not _keep(pos):
            prefix = m.surface() if pos[0] == "接頭辞" and m.surface() in ("お", "ご", "御") else ""
            continue
        norm, surface, prefix = m.normalized_form().lower(), prefix + m.surface().lower(), ""  # お + 香 is お香
        if surface != norm and len(surface) >= 2 and pos[0] == "名詞":
            surfaces.setdefault(norm, []).append(surface)
        subs = m.split(SplitMode.A)
        if len(subs) > 1 and norm != m.surface().lower():
            parts[norm] = tuple(s.normalized_form().lower() for s in subs if _keep(s.part_of_speech()))
    return TypedForms({k: tuple(v) for k, v in surfaces.items()}, parts)


def note_question(text: str) -> None:
    """Make the question's typed forms the ones expand and is_part_of use."""
    _QUESTION_FORMS.set(typed_forms(text or ""))


def is_part_of(term: str, other: str) -> bool:
    """Whether a term is a piece of another word (防犯 of 防犯灯, ゴミ of ゴミ拾い normalised as 塵拾い)."""
    return term != other and (term in other or term in _QUESTION_FORMS.get().parts.get(other, ()))


def terms_of(text: str | None) -> list[str]:
    """Normalised content terms of a text."""
    return list(analyse(text or "")[0]) if text else []


def bigrams(text: str | None) -> list[str]:
    """Character bigrams of each space-separated word, punctuation dropped (typo- and kana-tolerant matching)."""
    out: list[str] = []
    for word in (text or "").split():
        chars = [c for c in word if c.isalnum()]
        if len(chars) == 1:
            out.append(chars[0])
        out.extend(chars[i] + chars[i + 1] for i in range(len(chars) - 1))
    return out


def reading_of(text: str | None) -> str:
    """Katakana reading of a text."""
    return analyse(text or "")[1] if text else ""


def content_reading_of(text: str | None) -> str:
    """Katakana reading of a question's content words (space-separated), for kana-only questions."""
    return analyse(text or "")[2] if text else ""


@lru_cache(maxsize=1)
def synonym_map() -> dict[str, frozenset[str]]:
    """term → the other normalised terms of its synonym groups."""
    out: dict[str, set[str]] = {}
    for group in SYNONYM_GROUPS:
        broad = _broad_words(group)
        normed, reaching = set(), set()
        for word in group:
            morphemes = _content_morphemes(word) if word != NARROWER else []
            if len(morphemes) == 1:  # several-word synonyms would only add noise as single words
                normed.add(morphemes[0].normalized_form().lower())
                if word in broad:
                    reaching.add(morphemes[0].normalized_form().lower())
        for term in reaching:
            out.setdefault(term, set()).update(normed - {term})
    return {k: frozenset(v) for k, v in out.items()}


def _broad_words(group: list[str]) -> list[str]:
    """The words of a synonym group before NARROWER (all of them when it has none): those that reach the rest."""
    return group[:group.index(NARROWER)] if NARROWER in group else group


def _content_morphemes(word: str) -> list:
    """Sudachi's morphemes of a headword, content words only."""
    return [m for m in _tokenizer().tokenize(normalize_text(word)) if _keep(m.part_of_speech())]


@lru_cache(maxsize=1)
def readings_of_table_words() -> dict[str, str]:
    """The katakana reading of each one-word form in SYNONYM_GROUPS → that word, normalised (ジテンシャ → 自転車):
    a resident typing the word in kana (じてんしゃ) means it even where Sudachi cannot read the run."""
    out: dict[str, str] = {}
    for group in SYNONYM_GROUPS:
        for word in group:
            morphemes = _content_morphemes(word) if word != NARROWER else []
            if len(morphemes) == 1 and len(word) >= 2:
                out.setdefault(to_katakana(morphemes[0].reading_form()), morphemes[0].normalized_form().lower())
    return out


@lru_cache(maxsize=1)
def phrase_map() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """The several-word forms of SYNONYM_GROUPS as (their content words, the group's one-word forms): 体を動かす
    is (体, 動かす) → (体操, 運動, …), so 「体うごかせる」 is read as 運動 instead of two loose words."""
    out = []
    for group in SYNONYM_GROUPS:
        group = _broad_words(group)  # a narrower kind stands for none of the others
        singles = tuple(dict.fromkeys(t for t in (_single_term(word) for word in group) if t))
        for word in group:
            morphemes = _content_morphemes(word)
            if len(morphemes) >= 2 and singles:
                out.append((tuple(m.normalized_form().lower() for m in morphemes), singles))
    return tuple(out)


PHRASE_PREFIX = "phr:"  # a several-word synonym as a row writes it (おはなし会), posted beside the row's words


@lru_cache(maxsize=1)
def phrase_synonyms() -> dict[str, frozenset[str]]:
    """term → the several-word forms of its synonym groups as written (読み聞かせ → おはなし会, お話会). Sudachi
    splits them (おはなし会 → はなす + 会), so a row is found by holding the phrase itself."""
    out: dict[str, set[str]] = {}
    for group in SYNONYM_GROUPS:
        members = [w for w in group if w != NARROWER]
        phrases = {normalize_text(w) for w in members if len(_content_morphemes(w)) >= 2}
        for word in _broad_words(group) if phrases else ():
            term = _single_term(word)
            if term:
                out.setdefault(term, set()).update(phrases)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def all_phrases() -> tuple[str, ...]:
    """Every several-word synonym form, as written (what the index looks for in each row's text)."""
    return tuple(sorted({p for phrases in phrase_synonyms().values() for p in phrases}))


def phrase_stand_ins(terms: list[str]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The several-word synonym forms whose every content word is among the terms (see phrase_map)."""
    have = set(terms)
    return [(words, singles) for words, singles in phrase_map() if all(w in have for w in words)]


@lru_cache(maxsize=5000)
def is_noun(term: str) -> bool:
    """True for a content noun (not a number, pronoun or verb): the words a resident searches *for*."""
    morphemes = list(_tokenizer().tokenize(normalize_text(term)))
    return bool(morphemes) and all(m.part_of_speech()[0] == "名詞" and m.part_of_speech()[1] != "数詞"
                                   for m in morphemes)


def is_place_name(term: str) -> bool:
    """True for a noun with a place suffix Sudachi cuts off (班島 → 班 + 島, 野崎郷 → 野崎 + 郷)."""
    morphemes = list(_tokenizer().tokenize(normalize_text(term)))
    return len(morphemes) > 1 and morphemes[0].part_of_speech()[0] == "名詞" and all(
        m.part_of_speech()[0] in ("名詞", "接尾辞") and m.part_of_speech()[1] != "数詞" for m in morphemes)


_HIRAGANA_RUN = re.compile(r"(?<![ぁ-ゖー])[ぁ-ゖ][ぁ-ゖー]+")  # maximal hiragana runs
_KANA_BOUNDARY = re.compile(r"[\s、。，．,.!?！？「」『』（）()・]")
_LEADING_PARTICLES = re.compile(r"(?:とか|など|って|から|まで|より|だけ|ほど)(?:[のはがをにでともやへ])?")
_TRAILING_PARTICLE = re.compile(r"(?:って|では|には|での|から|まで|ってなに|は|が|を|に|で|と|の|も|や|か|へ|ね|よ)$")
_FUNCTION_RUNS = frozenset("""ある あります ありますか あるの ない ないか いる いつ どこ なに なん なんか なにか なんで
する したい します して できる できます やる やってる やってます ください おしえて おねがい です ます でしょう かな
こと もの ところ とき ため よう そう どう どんな いい よい ほしい たい""".split())


def _only_stopwords(run: str) -> bool:
    """True when Sudachi reads a hiragana run as words that only say "search" (きょう, あした, なにか)."""
    words = terms_of(run)
    return bool(words) and all(w in QUERY_STOPWORDS for w in words)


def kana_terms(text: str) -> list[tuple[str, str]]:
    """Katakana forms of the hiragana words in a question (ほしぞら → ホシゾラ), for kana-only questions.

    Sudachi often splits an unknown hiragana word into particles (よが → よ+が); matched against readings,
    the whole run still finds ヨガ. Returns (hiragana run as typed, katakana form without a trailing particle) pairs.
    """
    out = []
    text = normalize_text(text)
    for match in _HIRAGANA_RUN.finditer(text):
        run = match.group(0)
        if run in _FUNCTION_RUNS or any(run.startswith(w) for w in _FUNCTION_RUNS if len(w) >= 2):
            continue  # できるところ, あるの: no word in there
        if match.start() > 0 and not _KANA_BOUNDARY.match(text[match.start() - 1]):
            # after a kanji or katakana word: 明日のおはなし → a particle then a word; 聴きたい → okurigana
            if run[0] not in "のはがをにでともやへ" or len(run) < 3:
                continue
            lead = _LEADING_PARTICLES.match(run)
            run = run[lead.end():] if lead else run[1:]  # バイオリンとかの: とか, not と, is the particle
            if len(run) < 2:
                continue
        whole = run  # Sudachi read the particle too (あと → 後): its words go with the run
        for _ in range(2):
            shorter = _TRAILING_PARTICLE.sub("", run)
            if len(run) >= 3 and len(shorter) >= 2:  # よが stays よが; うたを → うた; ばどみんとんの → ばどみんとん
                run = shorter
        if len(run) < 2 or run in _FUNCTION_RUNS or _only_stopwords(run) or _only_stopwords(whole):
            continue
        out.append((whole, to_katakana(run)))
    return out


def query_terms(text: str) -> list[str]:
    """Content terms of a question with the words that only say "search" removed."""
    return [t for t in terms_of(text) if t not in QUERY_STOPWORDS and not t.isdigit()]


def expand(terms: list[str]) -> dict[str, float]:
    """Query terms with weights: 1.0 for what the resident typed, 0.6 for the city's own synonyms (SYNONYM_GROUPS),
    and Sudachi's synonym dictionary: 0.8 for another form of the same word (パソコン → PC), 0.5 for a near one."""
    weights: dict[str, float] = {}
    syn = synonym_map()
    for term in terms:
        weights[term] = 1.0
    phrases = phrase_synonyms()
    for term in terms:
        for surface in _QUESTION_FORMS.get().surfaces.get(term, ()):
            weights.setdefault(surface, 0.9)  # the word as the resident typed it (お香 read as 香り)
        for other in syn.get(term, ()):
            weights.setdefault(other, 0.6)
        for phrase in phrases.get(term, ()):
            weights.setdefault(PHRASE_PREFIX + phrase, 0.6)
        for other, weight in dictionary_synonyms(term).items():
            if weight > weights.get(other, 0.0):
                weights[other] = weight
            voiced = _voiced_kana(other)
            if voiced and weight > weights.get(voiced, 0.0):
                weights[voiced] = weight  # たき of 滝 is written だき at the end of a name (五両だき)
    return weights


_VOICED = dict(zip("かきくけこさしすせそたちつてとはひふへほ", "がぎぐげござじずぜぞだぢづでどばびぶべぼ"))


def _voiced_kana(word: str) -> str | None:
    """A hiragana word with its first sound voiced, as it is after another word (rendaku: たき → だき), or None."""
    if len(word) < 2 or not re.fullmatch(r"[ぁ-ゖー]+", word) or word[0] not in _VOICED:
        return None
    return _VOICED[word[0]] + word[1:]


@lru_cache(maxsize=20000)
def dictionary_synonyms(term: str) -> dict[str, float]:
    """A term's synonyms from Sudachi's synonym dictionary, as normalised terms with weights (see synonyms.py)."""
    morphemes = list(_tokenizer().tokenize(normalize_text(term)))
    if len(morphemes) != 1:
        return {}
    group_ids = tuple(morphemes[0].synonym_group_ids())
    if not group_ids:
        return {}
    out: dict[str, float] = {}
    for word, weight in synonyms_of(term, group_ids).items():
        normed = _single_term(word)
        if normed and normed != term and weight > out.get(normed, 0.0):
            out[normed] = weight
    return out


@lru_cache(maxsize=20000)
def _single_term(word: str) -> str | None:
    """The normalised term of a one-word headword (several-word synonyms would only add noise as single words)."""
    morphemes = _content_morphemes(word)
    if len(morphemes) != 1:
        return None
    return morphemes[0].normalized_form().lower()


_GODAN_STEM = {"う": "い", "く": "き", "ぐ": "ぎ", "す": "し", "つ": "ち", "ぬ": "に", "ぶ": "び", "む": "み", "る": "り"}


@lru_cache(maxsize=5000)
def verb_nouns(term: str) -> tuple[str, ...]:
    """Nouns a verb's meaning is usually listed under (歌う → 歌, 踊る → 踊り, 釣る → 釣り, 泳ぐ → 泳ぎ), as terms."""
    morphemes = list(_tokenizer().tokenize(normalize_text(term)))
    if len(morphemes) != 1 or morphemes[0].part_of_speech()[0] != "動詞" or len(term) < 2:
        return ()
    candidates = []
    stem = re.sub(r"[ぁ-ゖ]+$", "", term)
    if _KANJI.search(stem) and reading_of(term).startswith(reading_of(stem)):
        candidates.append(stem)  # 歌う → 歌 (ウタ of ウタウ), not 泳ぐ → 泳 (エイ)
    if term[-1] in _GODAN_STEM:
        candidates.append(term[:-1] + _GODAN_STEM[term[-1]])
    out = []
    for word in candidates:
        normed = _single_term(word) if word else None
        if normed and normed != term and normed not in out and normed not in QUERY_STOPWORDS and is_noun(normed):
            out.append(normed)
    return tuple(out)
