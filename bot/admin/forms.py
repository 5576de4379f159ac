"""WTForms for the console: they parse and re-render; content.posts holds the rules that matter."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, DateTimeLocalField, EmailField, IntegerField, PasswordField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from content.posts import (NOTICE_CATEGORIES, NOTICE_REPEATS, OPPORTUNITY_KINDS, RECURRENCES, REASON_MAX,
                           SEGMENT_AGES, SEGMENT_GENDERS, SEGMENT_LANGUAGES)
from content.topics import TOPICS

try:  # WTForms ≥ 3.3 wants SelectChoice objects; older versions take (value, label) pairs
    from wtforms import SelectChoice
except ImportError:  # pragma: no cover
    SelectChoice = None

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
SIGNUP_LABEL = "LINEで参加を受け付ける（住民がカードの「参加する」で申し込み、定員を超えるとキャンセル待ち）"
APPLY_LABEL = "申込方法（LINEで受け付けないとき。例：電話で中央公民館 0480-21-2020 へ）"


def choices(pairs) -> list:
    """Select options from (value, label) pairs, in whatever shape the installed WTForms wants."""
    if SelectChoice is None:
        return list(pairs)
    return [SelectChoice(value, label) for value, label in pairs]


def int_or_none(value):
    """Coerce a select's value to int, with '' meaning none."""
    if value in (None, "", "None"):
        return None
    return int(value)


class JapaneseForm(FlaskForm):
    """A form whose built-in messages (not a number, not a date…) come out in Japanese."""

    class Meta:
        locales = ["ja_JP", "ja"]


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes for one list value."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(JapaneseForm):
    """E-mail and password."""

    email = EmailField("メールアドレス", validators=[DataRequired("メールアドレスを入力してください。"), Length(max=254)])
    password = PasswordField("パスワード", validators=[DataRequired("パスワードを入力してください。"), Length(max=200)])


class PasswordChangeForm(JapaneseForm):
    """Change one's own password."""

    current = PasswordField("現在のパスワード", validators=[DataRequired("入力してください。")])
    new = PasswordField("新しいパスワード（10文字以上）", validators=[DataRequired("入力してください。")])
    confirm = PasswordField("新しいパスワード（確認）", validators=[DataRequired("入力してください。")])



class EventForm(JapaneseForm):
    """An event, one-off or repeating."""

    title = StringField("タイトル（40文字まで）")
    description = TextAreaField("内容（500文字まで）")
    category = StringField("分類（例：講座、祭り）", validators=[Optional()])
    starts_at = DateTimeLocalField("開始日時", format=DATETIME_FORMATS, validators=[Optional()])
    ends_at = DateTimeLocalField("終了日時", format=DATETIME_FORMATS, validators=[Optional()])
    recurrence = SelectField("繰り返し", choices=choices(RECURRENCES.items()), default="none")
    repeat_count = IntegerField("回数", validators=[Optional()])
    repeat_until = DateField("終わりの日", validators=[Optional()])
    facility_id = SelectField("会場（施設）", coerce=int_or_none, validators=[Optional()], validate_choice=True)
    place_name = StringField("会場名（施設一覧にないとき）", validators=[Optional()])
    audience = StringField("対象（例：小学生と保護者）", validators=[Optional()])
    fee = StringField("参加費（例：無料、300円）", validators=[Optional()])
    capacity = IntegerField("定員（人）", validators=[Optional()])
    chat_signup = BooleanField(SIGNUP_LABEL)
    signup_deadline = DateTimeLocalField("申込締切（空欄なら開始まで）", format=DATETIME_FORMATS, validators=[Optional()])
    apply_method = StringField(APPLY_LABEL, validators=[Optional()])
    contact = StringField("問い合わせ先", validators=[Optional()])
    url = StringField("詳しい案内のURL", validators=[Optional()])
    image = FileField("画像（JPEGかPNG、2MBまで）")
    image_url = StringField("または画像のURL", validators=[Optional()])
    organization_id = SelectField("団体", coerce=int_or_none, validators=[Optional()])


class OpportunityForm(JapaneseForm):
    """A volunteer opening or other way to take part."""

    title = StringField("タイトル（40文字まで）")
    kind = SelectField("種類", choices=choices(OPPORTUNITY_KINDS.items()), default="volunteer")
    description = TextAreaField("内容（500文字まで）")
    starts_at = DateTimeLocalField("活動の開始日時", format=DATETIME_FORMATS, validators=[Optional()])
    ends_at = DateTimeLocalField("活動の終了日時", format=DATETIME_FORMATS, validators=[Optional()])
    deadline = DateTimeLocalField("応募の締切", format=DATETIME_FORMATS, validators=[Optional()])
    facility_id = SelectField("場所（施設）", coerce=int_or_none, validators=[Optional()])
    place_name = StringField("場所の名前（施設一覧にないとき）", validators=[Optional()])
    audience = StringField("対象（例：どなたでも）", validators=[Optional()])
    capacity = IntegerField("募集人数", validators=[Optional()])
    chat_signup = BooleanField(SIGNUP_LABEL)
    apply_method = StringField(APPLY_LABEL, validators=[Optional()])
    contact = StringField("問い合わせ先", validators=[Optional()])
    url = StringField("詳しい案内のURL", validators=[Optional()])
    organization_id = SelectField("団体", coerce=int_or_none, validators=[Optional()])


class NoticeForm(JapaneseForm):
    """A notice pushed to the residents of a segment, now, at a time, or repeating."""

    title = StringField("タイトル（40文字まで）")
    body = TextAreaField("本文（500文字まで）")
    category = SelectField("種類", choices=choices(NOTICE_CATEGORIES.items()), default="general")
    urgent = BooleanField("緊急（夜間の配信停止時間でもすぐ送る。防災・臨時休館のとき）")
    url = StringField("詳しい案内のURL", validators=[Optional()])
    title_en = StringField("英語のタイトル（任意）", validators=[Optional()])
    body_en = TextAreaField("英語の本文（任意）", validators=[Optional()])
    title_easy = StringField("やさしい日本語のタイトル（任意）", validators=[Optional()])
    body_easy = TextAreaField("やさしい日本語の本文（任意）", validators=[Optional()])
    districts = MultiCheckboxField("配信する地区（選ばなければ全地区）", choices=[])
    topics = MultiCheckboxField("関心のある話題（選ばなければ全員）", choices=choices((t.code, t.label) for t in TOPICS))
    languages = MultiCheckboxField("言語（選ばなければ全員）", choices=choices(SEGMENT_LANGUAGES.items()))
    age_groups = MultiCheckboxField("年代（選ばなければ全員。答えた人だけが対象になります）",
                                    choices=choices(SEGMENT_AGES.items()))
    genders = MultiCheckboxField("性別（選ばなければ全員。答えた人だけが対象になります）",
                                 choices=choices(SEGMENT_GENDERS.items()))
    send_at = DateTimeLocalField("配信日時（空欄なら承認後すぐ）", format=DATETIME_FORMATS, validators=[Optional()])
    repeat = SelectField("繰り返し", choices=choices(NOTICE_REPEATS.items()), default="none")
    weekdays = MultiCheckboxField("曜日", choices=choices((str(i), f"{d}曜日") for i, d in enumerate("月火水木金土日")),
                                  coerce=int)
    month_days = StringField("日にち（例：1,15）", validators=[Optional()])
    nths = MultiCheckboxField("第何週", choices=choices([("1", "第1"), ("2", "第2"), ("3", "第3"), ("4", "第4"),
                                                       ("5", "最終")]), coerce=int)
    repeat_until = DateField("繰り返しの終わりの日（空欄なら取り下げるまで）", validators=[Optional()])
    skip_dates = StringField("配信しない日（例：2026-12-29, 2027-01-05）", validators=[Optional()])
    facility_id = SelectField("休館する施設", coerce=int_or_none, validators=[Optional()])
    closed_from = DateField("休館する最初の日", validators=[Optional()])
    closed_until = DateField("休館する最後の日（1日だけなら空欄）", validators=[Optional()])
    image = FileField("画像（JPEGかPNG、2MBまで）")
    image_url = StringField("または画像のURL", validators=[Optional()])
    organization_id = SelectField("団体", coerce=int_or_none, validators=[Optional()])


FORMS = {"events": EventForm, "opportunities": OpportunityForm, "notices": NoticeForm}


class RejectForm(JapaneseForm):
    """Why staff send a post back."""

    reason = TextAreaField("差し戻しの理由（団体に表示されます）",
                           validators=[DataRequired("理由を入力してください。"), Length(max=REASON_MAX)])


class ActionForm(JapaneseForm):
    """A button that only needs its CSRF token (submit, approve, withdraw, delete, logout)."""


class UserForm(JapaneseForm):
    """An admin invites a console user."""

    email = EmailField("メールアドレス", validators=[DataRequired("入力してください。"), Length(max=254)])
    role = SelectField("役割", choices=choices([("org", "団体"), ("staff", "市職員"), ("admin", "管理者")]), default="org")
    org_name = StringField("団体名（団体ユーザーのとき。なければ作成します）", validators=[Optional(), Length(max=200)])


class OrganizationForm(JapaneseForm):
    """An organization's name and details."""

    name = StringField("団体名", validators=[DataRequired("団体名を入力してください。"), Length(max=200)])
    kind = StringField("種別（例：自治会、NPO）", validators=[Optional(), Length(max=64)])
    district = StringField("地区", validators=[Optional(), Length(max=64)])
    contact = StringField("連絡先", validators=[Optional(), Length(max=300)])


class DistrictForm(JapaneseForm):
    """One of the city's 地区: its name, its reading and the facilities in it."""

    name = StringField("地区名（例：中央地区）", validators=[DataRequired("地区名を入力してください。"), Length(max=64)])
    kana = StringField("ふりがな（例：ちゅうおうちく。住民が、かなで入力しても見つかります）",
                       validators=[Optional(), Length(max=128)])
    facilities = MultiCheckboxField("この地区の施設", choices=[], coerce=int, validate_choice=False)


class ImportForm(JapaneseForm):
    """An open-data CSV or an .ics file to import."""

    kind = SelectField("種類", choices=choices([("events", "イベント"), ("facilities", "施設"),
                                               ("opportunities", "参加・ボランティア募集")]))
    file = FileField("ファイル（CSV または .ics、10MBまで）")
