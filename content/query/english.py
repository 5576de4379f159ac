"""English questions → the same Japanese wording the rest of query understanding reads.

Residents who chose English type 「What's on this weekend?」 or 「fireworks」. Rather than a second parser, the
English words for dates, intents, audiences and common topics are rewritten into the Japanese words the date
resolver, the intent rules and the city's (Japanese) index already know; other words are looked up among the
English headwords of Sudachi's synonym dictionary (marimba → マリンバ) and dropped when it has none. Hand-written:
a closed phrase table is smaller and more predictable than a translation model, and needs no network.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
           "oct": 10, "nov": 11, "dec": 12}
_MONTH_WORD = (r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
               r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAYS = {"mon": "月", "tue": "火", "wed": "水", "thu": "木", "fri": "金", "sat": "土", "sun": "日"}
_DAY_WORD = r"(mon|tue|wed|thu|fri|sat|sun)(?:day|s|nesday|sday|rsday|urday|\.)?s?"

# (pattern, Japanese) in order; each match is replaced so later rules do not read it again.
_DATE_RULES: tuple[tuple[re.Pattern, object], ...] = (
    (re.compile(r"\b(?:the )?day after tomorrow\b"), "あさって"),
    (re.compile(r"\btomorrow\b|\btmrw\b"), "明日"),
    (re.compile(r"\btonight\b|\bthis evening\b"), "今夜"),
    (re.compile(r"\btoday\b"), "今日"),
    (re.compile(r"\bthis morning\b"), "今朝"),
    (re.compile(r"\byesterday\b"), "昨日"),
    (re.compile(r"\bthis weekend\b"), "今週末"),
    (re.compile(r"\bnext weekend\b"), "来週末"),
    (re.compile(r"\b(?:on |at |over )?(?:the )?weekends?\b"), "週末"),
    (re.compile(r"\bthis week\b"), "今週"),
    (re.compile(r"\bnext week\b"), "来週"),
    (re.compile(r"\blast week\b"), "先週"),
    (re.compile(r"\bthis month\b"), "今月"),
    (re.compile(r"\bnext month\b"), "来月"),
    (re.compile(r"\bweekdays?\b"), "平日"),
    (re.compile(r"\bnext " + _DAY_WORD + r"\b"), lambda m: f"次の{_DAYS[m.group(1)]}曜日"),
    (re.compile(r"\b(?:this |on |coming )?" + _DAY_WORD + r"\b"), lambda m: f"{_DAYS[m.group(1)]}曜日"),
    (re.compile(r"\b" + _MONTH_WORD + r"\s+(\d{1,2})(?:st|nd|rd|th)?\b"),
     lambda m: f"{_MONTHS[m.group(1)[:3]]}月{int(m.group(2))}日"),
    (re.compile(r"\b(?:the )?(\d{1,2})(?:st|nd|rd|th)?(?: of)? " + _MONTH_WORD + r"\b"),
     lambda m: f"{_MONTHS[m.group(2)[:3]]}月{int(m.group(1))}日"),
    (re.compile(r"\b(?:on )?the (\d{1,2})(?:st|nd|rd|th)\b"), lambda m: f"{int(m.group(1))}日"),
    (re.compile(r"\bin " + _MONTH_WORD + r"\b(?! ?\d)"), lambda m: f"{_MONTHS[m.group(1)[:3]]}月"),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})\b"), lambda m: f"{int(m.group(1))}月{int(m.group(2))}日"),
    (re.compile(r"\bin (\d{1,3}) days?\b"), lambda m: f"{int(m.group(1))}日後"),
    (re.compile(r"\bin a week\b"), "1週間後"),
    (re.compile(r"\b(?:public |national |next )?holidays?\b"), "祝日"),
    (re.compile(r"\b(?:in the )?morning\b"), "午前"),
    (re.compile(r"\b(?:in the )?afternoon\b"), "午後"),
    (re.compile(r"\b(?:in the )?(?:evening|night)\b"), "夜"),
    (re.compile(r"\b(?:right )?now\b"), "今から"),
)

# Intent phrases → Japanese words the intent rules know (closed before hours: "what days is it closed").
_INTENT_RULES: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"^(?:settings?|language|change (?:the )?language|notifications?)\b|\bsettings\b"), "設定"),
    (re.compile(r"\bvolunteer\w*|\bhelp out\b|\bget involved\b|\bcommunity work\b"), "ボランティア"),
    (re.compile(r"\btake part\b|\bparticipat\w*|\bjoin\b"), "参加したい"),
    (re.compile(r"^help\b|\bhow (?:do i|to|can i) use\b|\bwhat can you do\b"), "ヘルプ"),
    (re.compile(r"\bclosed\b|\bdays? off\b|\bclosing days?\b|\bshut\b"), "休館日"),
    (re.compile(r"\bwhat time\b|\b(?:opening|open|business) hours\b|\bhours\b|\bwhen do(?:es)?\b(?=.*\b(?:open|close)\b)|"
                r"\buntil when\b|\bclos(?:e|es|ing)\b|\bopens\b"), "何時まで"),
    (re.compile(r"\bopen\b"), "開いてる"),
    (re.compile(r"\bphone\b|\btelephone\b|\bcall\b|\bcontact number\b|\btel\b"), "電話番号"),
    (re.compile(r"\baddress\b|\bhow (?:do i|to|can i) get\b|\bdirections?\b|\bmap\b|\baccess\b"), "住所"),
    (re.compile(r"\bwhere\b"), "どこ"),
    (re.compile(r"\bevents?\b|\bwhat'?s on\b|\bwhat is on\b|\bwhat'?s happening\b|\banything (?:happening|going on|on)\b|"
                r"\bthings to do\b|\bactivit(?:y|ies)\b|\bhappening\b|\bgoing on\b"), "イベント"),
)

_AUDIENCE_RULES: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"\bparents? and (?:kids|children|child)\b|\bparent-child\b|\bwith (?:my |our )?(?:kids|children|child|baby)\b"),
     "親子"),
    (re.compile(r"\bkids?\b|\bchild(?:ren)?\b|\btoddlers?\b|\bbab(?:y|ies)\b|\bboys?\b|\bgirls?\b"), "子ども"),
    (re.compile(r"\belementary\b|\bprimary school\b"), "小学生"),
    (re.compile(r"\bfamil(?:y|ies)\b"), "家族"),
    (re.compile(r"\bparents?\b"), "保護者"),
    (re.compile(r"\bseniors?\b|\belderly\b|\bolder (?:people|adults)\b|\bretired\b"), "高齢者"),
    (re.compile(r"\bdisabled\b|\bdisabilit(?:y|ies)\b|\bwheelchairs?\b|\bhandicapped\b"), "障がいのある方"),
    (re.compile(r"\banyone\b|\beveryone\b|\ball ages\b"), "どなたでも"),
    (re.compile(r"(?<!older )\badults?\b|\bgrown-?ups?\b"), "大人"),  # 「for adults」: the fee of 大人, no アダルト
    (re.compile(r"\bfree\b|\bno charge\b|\bfree of charge\b"), "無料"),
    (re.compile(r"\bnear(?:by| me| here)?\b|\bclose to me\b|\baround here\b"), "近く"),
)

# English topic → the word the city's Japanese titles use (one word: every extra word would also have to match).
_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("skateboard(?:ing|s)?|skate ?parks?", "スケボー"),
    ("japanese (?:class(?:es)?|lessons?|courses?|language class(?:es)?)|learn(?:ing)? japanese", "日本語教室"),
    ("job (?:fairs?|seminars?|hunting)|career fairs?|jobs?|employment", "就職"),
    ("foreigners?|foreign (?:residents?|nationals?)|international residents?", "外国人"),
    ("babies|infants?|toddlers?", "赤ちゃん"), ("swim(?:ming)?", "水泳"),
    ("health (?:check(?:-?ups?)?|screening)", "健診"), ("health consultation", "健康相談"), ("international exchange", "国際交流"), ("story ?time", "おはなし会"),
    ("story telling", "おはなし会"), ("storytelling", "おはなし会"), ("picture books?", "絵本"),
    ("community cent(?:er|re)s?", "公民館"), ("city hall", "市役所"), ("town hall", "役場"),
    ("tourist information(?: cent(?:er|re))?", "観光案内"), ("tourist info", "観光案内"),
    ("swimming pool", "プール"), ("disaster (?:drill|prevention|training)", "防災"), ("first aid", "救命"),
    ("bicycle parking", "駐輪場"), ("bike parking", "駐輪場"), ("parking", "駐車場"), ("evacuation (?:shelter|site)", "避難所"),
    ("children'?s hall", "児童館"), ("tea ceremony", "茶道"), ("flower arrangement", "華道"),
    ("fireworks?", "花火"), ("librar(?:y|ies)", "図書館"), ("art (?:museum|gallery)", "美術館"),
    ("science museum", "科学館"), ("memorial (?:museum|hall|house)s?", "記念館"), ("museums?", "資料館"),
    ("parks?", "公園"), ("pools?", "プール"), ("gym(?:nasium)?s?", "体育館"), ("sports? (?:center|centre|hall)", "体育館"),
    ("concert halls?|music halls?", "ホール"), ("concerts?", "コンサート"), ("festivals?", "祭り"), ("tennis", "テニス"), ("exercises?", "体操"),
    ("gymnastics", "体操"), ("yoga", "ヨガ"), ("dance|dancing", "ダンス"), ("cooking", "料理"), ("cook", "料理"),
    ("health", "健康"), ("consultations?", "相談"), ("lectures?", "講座"), ("seminars?", "講座"), ("courses?", "講座"),
    ("workshops?", "講座"), ("class(?:es)?", "教室"), ("lessons?", "教室"), ("flowers?", "花"),
    ("beach(?:es)?", "海水浴場"), ("planetarium", "プラネタリウム"), ("astronomy|stargazing|stars", "天文"),
    ("music", "音楽"), ("movies?|films?|cinema", "映画"), ("exhibitions?|exhibits?", "展示"),
    ("history", "歴史"), ("art", "美術"), ("crafts?", "工作"), ("pottery", "陶芸"), ("calligraphy", "書道"),
    ("kites?", "たこ"), ("christmas", "クリスマス"), ("halloween", "ハロウィン"), ("new year", "正月"),
    ("sports?", "スポーツ"), ("swimming", "水泳"), ("walking", "ウォーキング"), ("hiking", "ハイキング"),
    ("soccer|football", "サッカー"), ("match(?:es)?|games?", "試合"), ("baseball", "野球"), ("table tennis|ping ?pong", "卓球"),
    ("raft race|rafting|rafts?", "いかだ"), ("marathon|running", "マラソン"), ("races?", "レース"), ("clean[- ]?up|cleaning", "清掃"), ("recycling", "リサイクル"),
    ("computers?|pc", "パソコン"), ("smartphones?", "スマホ"), ("parenting|child ?care|childcare", "子育て"),
    ("nature", "自然"), ("science", "科学"),
    # an English-speaking driver or guide is a service in 英語, not an 英会話 class
    ("english[- ]speaking|english[- ]language|english guides?|english menus?|english staff", "英語"),
    ("english", "英会話"), ("reading and writing|literacy", "読み書き"), ("japanese (?:language )?(?:class(?:es)?|lessons?)|"
    "japanese language", "日本語教室"), ("reading", "読書"), ("books?", "本"), ("visas?", "ビザ"), ("haunted houses?", "おばけやしき"),
    ("flea markets?", "フリーマーケット"), ("markets?", "マーケット"), ("shrines?", "神社"), ("temples?", "寺"), ("station", "駅"),
    ("toilets?|restrooms?", "トイレ"), ("hot springs?|onsen", "温泉"), ("castle", "城"), ("river", "川"),
    ("sea|ocean", "海"), ("camp(?:ing|site)?", "キャンプ"), ("zoo", "動物園"), ("aquarium", "水族館"),
    ("dementia", "認知症"), ("child-rearing", "子育て"), ("baby", "赤ちゃん"), ("lanterns?", "ちょうちん"),
    ("jell(?:y|ies)", "ゼリー"), ("cookies?", "クッキー"), ("bread", "パン"), ("sweets|desserts?", "お菓子"),
    ("entrance fees?|entry fees?|admission(?: fees?)?|fees?|prices?|how much|costs?|charges?", "料金"),
    ("houses?|residences?", "住宅"),
    ("goldfish", "金魚"), ("rakugo", "落語"), ("karaoke", "カラオケ"), ("choir|chorus", "合唱"),
    # leisure, sports and everyday city words residents ask about (each the word Japanese titles use)
    ("ice rinks?|skating rinks?|ice skating|skating|skates?", "スケート"),
    ("skiing|ski", "スキー"), ("fishing", "釣り"), ("golf", "ゴルフ"), ("volleyball", "バレーボール"),
    ("basketball", "バスケットボール"), ("badminton", "バドミントン"), ("martial arts", "武道"), ("judo", "柔道"),
    ("kendo", "剣道"), ("karate", "空手"), ("sumo", "相撲"), ("cycling|bicycles?|bikes?", "自転車"),
    ("climbing|bouldering", "クライミング"), ("gardening", "園芸"), ("farming|farm", "農業"), ("vegetables?", "野菜"),
    ("garbage|trash|rubbish|waste", "ごみ"), ("certificates?", "証明書"), ("vaccinations?|vaccines?", "予防接種"),
("dental|dentists?|teeth", "歯"), ("nursery school|daycare", "保育園"),
    ("kindergarten", "幼稚園"), ("shogi", "将棋"), ("go game|igo", "囲碁"), ("knitting", "編み物"),
    ("sewing", "裁縫"), ("photograph(?:y|s)?|photos?|cameras?", "写真"), ("painting", "絵画"), ("drawing", "絵"),
    ("piano", "ピアノ"), ("guitar", "ギター"), ("orchestra", "オーケストラ"), ("theat(?:er|re)|drama", "演劇"),
    ("puppet shows?|puppets?", "人形劇"), ("magic shows?|magic", "マジック"), ("experiments?", "実験"),
    ("robots?", "ロボット"), ("programming|coding", "プログラミング"), ("insects?|bugs", "昆虫"),
    ("bird ?watching|birds?", "野鳥"), ("observatory", "天文台"), ("earthquakes?", "地震"),
    ("traffic safety", "交通安全"), ("crime prevention", "防犯"), ("nursing care|elderly care|caregiving", "介護"),
    ("welfare", "福祉"), ("pregnan(?:cy|t)|expectant mothers?", "妊娠"), ("baby massage", "ベビーマッサージ"),
    ("rhythmics?|eurhythmics", "リトミック"), ("tea party|tea", "お茶"), ("lunch", "ランチ"), ("cafe|café", "カフェ"),
    ("hiking trails?|trails?", "ハイキング"), ("picnic", "ピクニック"), ("barbecue|bbq", "バーベキュー"),
    ("playgrounds?|play areas?", "遊具"), ("dog ?runs?|dog parks?", "ドッグラン"), ("operas?", "オペラ"), ("zoo", "動物園"),
    # What community events and services are about, where Sudachi's dictionary has no headword or only a
    # transliteration titles never use (moon → ムーン, rice → ライス).
    ("salt", "塩"), ("low[- ]salt|less salt|salt reduction|reducing salt", "減塩"), ("roofs?|rooftops?", "屋上"),
    ("(?:saving|save|saves) energy|energy[- ]saving|energy conservation", "省エネ"), ("electricity", "電気"),
    ("tai ?chi", "太極拳"), ("kyudo|japanese archery", "弓道"), ("aikido", "合気道"),
    ("local (?:products?|produce|specialt(?:y|ies)|goods|foods?)|souvenirs?", "特産"),
    ("farmers'? markets?|morning markets?", "朝市"), ("bazaars?", "バザー"),
    ("baby sign(?: language)?", "ベビー手話"), ("sign language", "手話"),
    ("clay", "粘土"), ("safari(?: park)?", "サファリ"), ("pagodas?", "塔"), ("lions?", "ライオン"), ("ceramics", "陶芸"),
    ("origami|paper folding", "折り紙"), ("fossils?", "化石"),
    ("woodwork(?:ing)?|carpentry", "木工"), ("bamboo", "竹"), ("indigo dye(?:ing)?|indigo", "藍染"),
    ("dyeing", "染め"), ("weaving", "織り"), ("kimonos?", "着物"), ("pressed flowers?", "押し花"), ("wreaths?", "リース"),
    ("bonsai", "盆栽"), ("ikebana", "生け花"), ("haiku", "俳句"), ("poe(?:try|ms?)", "詩"), ("letters", "手紙"),
    ("sake", "日本酒"), ("noodles", "麺"), ("soba", "そば"), ("udon", "うどん"), ("ramen", "ラーメン"), ("sushi", "寿司"),
    ("mochi|rice cake pounding|rice cakes?", "餅つき"), ("rice planting", "田植え"), ("rice harvest(?:ing)?", "稲刈り"),
    ("harvest(?:ing)?|picking", "収穫"), ("strawberr(?:y|ies)", "いちご"), ("grapes?", "ぶどう"), ("apples?", "りんご"),
    ("mandarins?|mikan", "みかん"), ("chestnuts?", "栗"), ("sweet potato(?:es)?", "さつまいも"), ("potato(?:es)?", "じゃがいも"),
    ("pumpkins?", "かぼちゃ"), ("mushrooms?", "きのこ"),
    ("moon[- ]?viewing|full moon|moon", "月見"), ("fireflies|firefly", "ホタル"), ("light[- ]?ups?", "ライトアップ"),
    ("illuminations?|christmas lights", "イルミネーション"), ("taiko|japanese drums?", "太鼓"), ("shamisen", "三味線"),
    ("singing|sing-?alongs?|songs?", "歌"), ("manga|comics?", "漫画"), ("anime", "アニメ"), ("board games?", "ボードゲーム"),
    ("drones?", "ドローン"), ("bon ?odori|bon dances?", "盆踊り"), ("summer festivals?", "夏祭り"),
    ("stamp rall(?:y|ies)", "スタンプラリー"), ("quiz(?:zes)?", "クイズ"), ("escape games?|riddles?|mystery games?", "謎解き"),
    ("treasure hunts?", "宝探し"), ("kabuki", "歌舞伎"), ("ninjas?", "忍者"),
    ("ruins|archaeolog\\w*|excavations?", "遺跡"), ("castles", "城"), ("gardens?", "庭園"), ("botanical gardens?", "植物園"),
    ("observation decks?|lookouts?|viewpoints?", "展望台"), ("waterfalls?", "滝"), ("lakes?", "湖"), ("ponds?", "池"),
    ("rivers", "川"), ("islands?", "島"), ("caves?", "洞窟"), ("volcano(?:es)?|volcanic", "火山"), ("foot ?baths?", "足湯"),
    ("saunas?", "サウナ"), ("training rooms?|weight training|strength training|work ?outs?", "トレーニング"),
    ("track and field|athletics", "陸上"), ("futsal", "フットサル"), ("rugby", "ラグビー"), ("softball", "ソフトボール"),
    ("gateball", "ゲートボール"), ("ground golf", "グラウンド・ゴルフ"), ("park golf", "パークゴルフ"),
    ("driving ranges?|golf practice", "ゴルフ練習場"), ("bowling", "ボウリング"), ("aerobics", "エアロビクス"),
    ("aqua ?(?:aerobics|exercise|fitness|walking)|water (?:aerobics|exercise|walking)", "水中運動"),
    ("pilates", "ピラティス"), ("stretch(?:ing|es)?", "ストレッチ"), ("fall prevention", "転倒予防"),
    ("mountain climbing|mountaineering", "登山"), ("mountains?", "山"), ("tree climbing", "ツリークライミング"),
    ("snorkel(?:l?ing)?", "シュノーケル"), ("stand[- ]up paddle|sup", "SUP"),
    ("goats?", "ヤギ"), ("sheep", "羊"), ("rabbits?|bunn(?:y|ies)", "うさぎ"), ("horse ?riding|pony rides?", "乗馬"),
    ("horses?|ponies|pony", "馬"), ("cows?|cattle", "牛"), ("dairy", "酪農"), ("milking", "乳しぼり"),
    ("petting (?:zoos?|farms?)|(?:touch|pet) (?:the )?animals", "ふれあい"), ("animals?", "動物"),
    ("feed(?:ing)?", "えさやり"), ("pets?", "ペット"), ("dogs?", "犬"), ("cats?", "猫"),
    ("cancer", "がん"), ("blood donations?|donat(?:e|ing) blood", "献血"), ("diabetes|blood sugar", "糖尿病"),
    ("nutrition|healthy eating", "栄養"), ("check-?ups?", "健診"), ("mental health", "こころ"), ("stress", "ストレス"),
    ("food (?:hygiene|safety|sanitation)", "食品衛生"), ("hygiene|sanitation", "衛生"),
    ("restaurants?(?: owners?)?|eateries", "飲食店"), ("sleep", "睡眠"), ("quit(?:ting)? smoking|smoking", "禁煙"),
    ("breast-?feeding", "授乳"),
    ("baby food|weaning", "離乳食"), ("after[- ]school", "放課後"),
    ("homework|tutoring|study (?:support|help)", "学習支援"), ("truancy|school refusal", "不登校"),
    ("bullying", "いじめ"), ("child support", "養育費"), ("single (?:parents?|mothers?|fathers?)", "ひとり親"),
    ("divorce", "離婚"), ("tax(?:es)?", "税"), ("pensions?", "年金"), ("insurance", "保険"),
    ("legal|lawyers?|law", "法律"), ("counsel(?:l)?ing", "相談"), ("inheritance|wills?", "相続"),
    ("business succession|successors?|succession", "事業承継"),
    ("entrepreneurs?|start(?:ing)? a business|startups?", "起業"), ("job interviews?", "面接"),
    ("vacant (?:houses?|homes?)|empty (?:houses?|homes?)|akiya", "空き家"), ("relocat\\w+|migration", "移住"),
    ("marriage|matchmaking|dating|singles? (?:party|parties|events?)", "婚活"),
    ("women|ladies", "女性"), ("men", "男性"), ("dads?|fathers?", "パパ"), ("moms?|mums?|mothers?", "ママ"),
    ("grandparents?", "祖父母"), ("grandchild(?:ren)?|grandkids?", "孫"),
    ("bulky (?:garbage|waste|trash|items?)|large (?:garbage|trash|items?)", "粗大ごみ"),
    ("emergency (?:food|supplies|rations|kits?)|stockpil\\w*", "備蓄"), ("fire ?fight\\w*|fire (?:station|drill)s?", "消防"),
    ("police", "警察"), ("scams?|fraud", "詐欺"), ("human rights", "人権"), ("peace", "平和"), ("war", "戦争"),
    ("environment(?:al)?|eco(?:logy)?", "環境"), ("solar", "太陽光"), ("internet|online", "インターネット"),
    ("tablets?", "タブレット"), ("apps?", "アプリ"), ("essays?|composition", "作文"),
    ("meditation|mindfulness", "瞑想"), ("massages?", "マッサージ"), ("aroma(?:therapy)?", "アロマ"),
    ("make-?up|cosmetics", "メイク"), ("elections?|voting|vote", "選挙"),
    ("cherry blossoms?|hanami", "桜"), ("plum blossoms?", "梅"), ("autumn leaves|fall (?:leaves|foliage|colou?rs)|foliage",
                                                                  "紅葉"),
    ("hydrangeas?", "あじさい"), ("sunflowers?", "ひまわり"), ("tulips?", "チューリップ"), ("roses?", "バラ"),
    ("cosmos", "コスモス"), ("chrysanthemums?", "菊"), ("wisteria", "藤"), ("lotus(?:es)?", "蓮"), ("irises", "菖蒲"),
    ("world heritage(?: sites?)?", "世界遺産"), ("lighthouses?", "灯台"), ("towers?", "タワー"), ("suspension bridges?|bridges?", "橋"),
    ("ropeways?|cable cars?", "ロープウェイ"), ("ferr(?:y|ies)", "フェリー"), ("harbou?rs?|ports?", "港"),
    ("fish markets?", "市場"), ("historic (?:houses?|buildings?|sites?)|old (?:houses?|buildings?)", "史跡"),
    ("samurai (?:houses?|residences?)", "武家屋敷"), ("torii(?: gates?)?", "鳥居"), ("stat(?:ue|ues)", "像"),
    ("easy japanese|plain japanese", "やさしい日本語"), ("excel|spreadsheets?", "エクセル"),
    ("snow", "雪"), ("sandbox(?:es)?|sand ?pits?", "砂場"), ("water play", "水遊び"), ("bus tours?", "バスツアー"),
)
TOPIC_WORDS = frozenset(ja for _en, ja in _KEYWORDS)  # what English topics are read as (never a place's own name)
_KEYWORD_RES = tuple((re.compile(r"\b(?:" + en + r")\b"), ja) for en, ja in _KEYWORDS)
_AUDIENCE_WORD = re.compile(r"\b(?:bab(?:y|ies)|kids?|child(?:ren)?|parents?|famil(?:y|ies)|seniors?|elderly|women|men)\b")
_PHRASE_RES = tuple((re.compile(r"\b(?:" + en + r")\b"), ja) for en, ja in _KEYWORDS
                    if " " in en and _AUDIENCE_WORD.search(en.replace("(?:", "(").replace("?", "")))

_LATIN_RE = re.compile(r"[A-Za-z]")
_JAPANESE_RE = re.compile(r"[ぁ-ゖァ-ヺ一-龥々]")


def is_english(text: str) -> bool:
    """True when a question is written in English (Latin words and no Japanese script)."""
    return bool(text) and not _JAPANESE_RE.search(text) and len(_LATIN_RE.findall(text)) >= 2


def _take(text: str, rules, found: list[tuple[int, str]]) -> str:
    """Record every rule's Japanese at its position and blank what it read."""
    for pattern, japanese in rules:
        def replace(m: re.Match) -> str:
            found.append((m.start(), japanese(m) if callable(japanese) else japanese))
            return " " * (m.end() - m.start())
        text = pattern.sub(replace, text)
    return text


def _take_longest(text: str, rules, found: list[tuple[int, str]]) -> str:
    """Like _take, but where matches overlap the longest wins whatever the rules' order (table tennis → 卓球,
    not tennis → テニス)."""
    matches = [(m.start(), m.end(), japanese) for pattern, japanese in rules for m in pattern.finditer(text)]
    taken: list[tuple[int, int]] = []
    for start, end, japanese in sorted(matches, key=lambda m: (m[0] - m[1], m[0])):
        if all(end <= a or start >= b for a, b in taken):
            taken.append((start, end))
            found.append((start, japanese))
            text = text[:start] + " " * (end - start) + text[end:]
    return text


# A romanised Japanese word: syllables of (double consonant) consonant (y) vowel, or a closing n.
_ROMAJI_RE = re.compile(r"^(?:(?:kk|ss|tt|pp|tch|cch)?(?:sh|ch|ts|[kgsztdnhbpmrjfwy])?y?[aiueo]|n(?![aiueoy]))+$")
_CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z]+(?:[ -](?:no[ -])?[A-Z][a-z]+)*\b")
# Capitalised English words that happen to read as romaji (Time → ティメ) or only start a sentence.
_NOT_NAMES = frozenset("""what where when who how which why is are do does did can could would will any anyone
the a an i me my we our you your please tell show find open close time take make name home game site area
nice note one none see so to too go no yes ok okay here there hi hello house hall center centre garden office
building square plaza tower bridge memorial""".split())
# Type words that end a facility name: "Koizumi Yakumo museum" → コイズミヤクモ資料館 (read as one name).
_PLACE_TYPE_END = re.compile(r"(?:館|公園|センター|プール|広場|ホール|場|園|所|役所|役場|住宅|寺|神社)$")


def romaji_names(text: str) -> list[tuple[int, int, str]]:
    """Capitalised romaji words read as katakana names: 「Koizumi Yakumo」 → コイズミヤクモ (start, end, kana)."""
    import jaconv

    out = []
    for match in _CAPITALISED_RUN.finditer(text):
        words, start = [], None
        for word in re.finditer(r"[A-Za-z]+", match.group(0)):
            lowered = word.group(0).lower()
            if lowered == "no" and words and word.group(0) == "no":
                words.append("ノ")  # Muroya no Sono → ムロヤノソノ
                continue
            if lowered in _NOT_NAMES or len(lowered) < 3 or not _ROMAJI_RE.match(lowered) \
                    or any(p.search(lowered) for p, _ in _KEYWORD_RES):
                if words:
                    out.append((start, match.start() + word.start(), "".join(words)))
                words, start = [], None
                continue
            start = match.start() + word.start() if start is None else start
            words.append(jaconv.alphabet2kata(lowered))
        if words:
            out.append((start, match.end(), "".join(words)))
    return [(a, b, kana) for a, b, kana in out if all("ァ" <= c <= "ヺ" or c == "ー" for c in kana)]


def _hiragana(katakana: str) -> str:
    """Katakana → hiragana."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in katakana)


def _with_names(keywords: list[tuple[int, str]], names: list[tuple[int, int, str]],
                original: str) -> list[tuple[int, str]]:
    """Keywords with romaji facility names: a name right before a place type joins it (コイズミヤクモ資料館)."""
    out = list(keywords)
    for start, end, kana in names:
        follower = min(((pos, ja) for pos, ja in out if end <= pos <= end + 2 and _PLACE_TYPE_END.search(ja)),
                       default=None)
        if follower is not None:
            out.remove(follower)
            out.append((start, kana + follower[1]))
        elif len(re.findall(r"[A-Za-z]+", original[start:end])) >= 2:
            out.append((start, kana))  # Muroya no Sono: a name of several words is a place's name
        elif re.match(r"[ -]?[A-Z][a-z]", original[end:]):
            # Yamaguchi Flower Land: the romaji part of a longer capitalised name, in hiragana so that it is
            # matched against the names' readings (やまぐちフラワーランド, 山口…) like a name typed in kana
            out.append((start, _hiragana(kana)))
        # a bare one-word name (Tokorozawa, Komae) is most often the city itself: no word to match
    return out


# Words of how a question is put, never its topic (Sudachi's dictionary would read try as トライ, time as タイム).
_NOT_TOPICS = frozenset("""any anything something everything there here this that these those what which who whom
whose when where why how with without for from into onto about near around some many much more most very really
also just only please can could would should will shall may might must have has had want wants like likes need
needs try trying tried go going get getting see look looking find know learn take make makes made give let put
come comes say tell show shows thing things place places kind kinds sort lot lots good nice best great new old big
small little time times day days week weeks month months year years today people person someone anyone local city
town area japanese english other another same next last first one two three our your their his her its they them
are is was were been being does did doing done the and but not all each every both either able happen happens
going on off out over under again still yet ever even way ways use using used watch watching visit visiting attend
attending enjoy enjoying meet meeting eat eating drink buy sell bring borrow rent hear listen study practice start
starts begin begins end ends stay wait held hold holds free making home""".split())


def _dictionary_words(rest: str, names: list[tuple[int, int, str]]) -> list[tuple[int, str]]:
    """Topic words outside the table read through Sudachi's synonym dictionary (marimba → マリンバ): the English
    headwords it lists beside their Japanese forms (lazy import: the dictionary is the search area's data)."""
    from content.search.synonyms import japanese_for_english

    out = []
    for match in re.finditer(r"[a-z][a-z'-]{2,}", rest):
        word = match.group(0)
        if word in _NOT_TOPICS or any(start <= match.start() < end for start, end, _kana in names):
            continue
        singular = re.sub(r"ies$", "y", word) if word.endswith("ies") else word[:-1] if word.endswith("s") else word
        japanese = japanese_for_english(word) or (japanese_for_english(singular) if singular != word else None)
        if japanese:
            out.append((match.start(), japanese))
    return out


def english_to_japanese(text: str) -> Optional[str]:
    """The Japanese wording of an English question (「library events next week」 → 「来週 図書館 イベント」), or None."""
    return _translate(text)[0]


def dictionary_topics(text: str) -> tuple[str, ...]:
    """The words of an English question's translation that came from Sudachi's dictionary (ショップ of shop):
    topics, never a piece of a place's name."""
    return _translate(text)[1]


def untranslated_words(text: str) -> tuple[str, ...]:
    """The words of an English question that nothing translated and that may name its topic (zumba): a row
    writing them in Latin letters (ZUMBA) is about them."""
    return _translate(text)[2]


@lru_cache(maxsize=256)
def _translate(text: str) -> tuple[Optional[str], tuple[str, ...], tuple[str, ...]]:
    """(the Japanese wording or None, the dictionary's words in it, the words left untranslated)."""
    if not is_english(text):
        return None, (), ()
    lowered = text.lower().replace("’", "'")
    dates: list[tuple[int, str]] = []
    lowered = _take(lowered, _DATE_RULES, dates)
    intents: list[tuple[int, str]] = []
    lowered = _take(lowered, _INTENT_RULES, intents)
    keywords: list[tuple[int, str]] = []
    # A topic phrase holding an audience word is the topic (baby sign language → ベビーサイン, not babies + 手話).
    lowered = _take_longest(lowered, _PHRASE_RES, keywords)
    audiences: list[tuple[int, str]] = []
    lowered = _take(lowered, _AUDIENCE_RULES, audiences)
    rest = _take_longest(lowered, _KEYWORD_RES, keywords)
    names = romaji_names(text.replace("’", "'"))
    looked_up = _dictionary_words(rest, names)
    read = {start for start, _ja in looked_up}
    left = tuple(dict.fromkeys(
        m.group(0) for m in re.finditer(r"[a-z][a-z0-9]{2,}", rest)
        if m.group(0) not in _NOT_TOPICS and m.group(0) not in _NOT_NAMES and m.start() not in read))
    keywords += looked_up
    keywords = _with_names(keywords, names, text.replace("’", "'"))
    parts = [ja for _, ja in sorted(dates)] + [ja for _, ja in sorted(keywords)] + [ja for _, ja in sorted(audiences)]
    words = [ja for _, ja in sorted(intents)]
    if not words and (keywords or audiences or dates) and "?" in text:
        words = ["ある?"]
    return " ".join(dict.fromkeys(parts + words)).strip(), tuple(ja for _, ja in looked_up), left
