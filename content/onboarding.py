"""Onboarding and settings as a TABLE of conversation steps; where a resident is lives in ConversationState.

A flow is a queue of step names (onboarding: all of them; settings: one part). Each Step in STEPS says
what to ask, which choices to offer (quick replies whose postback is `ob_pick&s=<step>&v=<value>`), and what
an answer does. Typed answers are matched against the choices' labels in every language and their words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from sqlmodel import Session

from content import residents as rs
from content.i18n import LANGUAGES, N_, translator
from content.menus import DELETE_LABEL, MENU_LABEL, main_menu_actions, normalize_words
from content.messages import confirm_template, message_action, postback_action, text_message
from content.topics import TOPICS, topic_labels
from models import AGE_GROUPS, Resident

FLOW_ONBOARDING = "onboarding"
FLOW_SETTINGS = "settings"
ONBOARDING_STEPS = ("language", "district", "interests", "consent", "age", "gender")
SETTINGS_PARTS: dict[str, tuple[str, ...]] = {
    "language": ("language",),
    "district": ("district",),
    "interests": ("interests",),
    "profile": ("consent", "age", "gender"),
}
PICK_ACTION = "ob_pick"
OPEN_ACTION = "set_open"
DELETE_ACTION = "set_delete"
NOTIFY_ACTION = "set_notify"
SKIP, DONE, PAGE = "skip", "done", "page"
DISTRICTS_PER_PAGE = 11  # + 「ほかの地区」 + 「わからない・スキップ」 = 13, LINE's quick-reply maximum
ADVANCE, STAY, END = "advance", "stay", "end"

# Endonyms: each language is named in itself, the same in every language, so they are not translated.
LANGUAGE_NAMES = {"ja": "日本語", "en": "English", "ja-easy": "やさしい にほんご"}
AGE_LABELS = {
    "-19": N_("19歳以下"), "20-29": N_("20代"), "30-39": N_("30代"), "40-49": N_("40代"),
    "50-59": N_("50代"), "60-69": N_("60代"), "70-79": N_("70代"), "80-": N_("80歳以上"),
}
GENDER_LABELS = {"female": N_("女性"), "male": N_("男性"), "other": N_("その他")}
SKIP_WORDS = ("スキップ", "すきっぷ", "skip", "わからない", "分からない", "とばす", "飛ばす", "パス", "pass",
              "次", "つぎ", "next", "あとで", "later", "なし", "none")


@dataclass(frozen=True)
class Choice:
    """One answer to a step: its stored value, its label (a msgid, or a literal name) and typed words."""

    value: str
    label: str
    words: tuple[str, ...] = ()
    literal: bool = False

    def shown(self, _: Callable[[str], str]) -> str:
        """The label in the resident's language."""
        return self.label if self.literal else _(self.label)


@dataclass
class Position:
    """Where a resident is: the flow, the current step, and the step's scratch data (queue, page, chosen)."""

    flow: str
    step: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One row of the conversation table."""

    name: str
    question: str  # msgid
    choices: Callable[[Session, Resident, dict], list[Choice]]
    apply: Callable[[Session, Resident, str, Position, datetime | None], str]  # → ADVANCE | STAY | END
    multi: bool = False


# --- choices ---------------------------------------------------------------------------------

def _language_choices(session, resident, data) -> list[Choice]:
    """日本語 / English / やさしい にほんご, and skip."""
    words = {"ja": ("日本語", "にほんご", "japanese", "ja", "nihongo"),
             "en": ("英語", "えいご", "english", "en"),
             "ja-easy": ("やさしい日本語", "やさしいにほんご", "easy japanese", "simple japanese", "easy")}
    return [Choice(code, LANGUAGE_NAMES[code], words[code], literal=True) for code in LANGUAGES] + [
        Choice(SKIP, N_("スキップ"))]


def _district_words(name: str, kana: str | None) -> tuple[str, ...]:
    """A district can be typed with or without 地区, or in kana."""
    base = name[:-2] if name.endswith("地区") and len(name) > 2 else name
    return tuple(w for w in (base, base + "地区", kana) if w)


def _district_choices(session, resident, data) -> list[Choice]:
    """The city's districts (all pages), and 「わからない・スキップ」."""
    from sqlmodel import select

    from models import District

    rows = session.exec(select(District).order_by(District.position, District.id)).all()
    # The value is the row id: a long name, URL-encoded, could pass LINE's 300-character postback data.
    return [Choice(f"#{d.id}", d.name, _district_words(d.name, d.kana), literal=True) for d in rows] + [
        Choice(SKIP, N_("わからない・スキップ"))]


def _interest_choices(session, resident, data) -> list[Choice]:
    """Every topic, 「決定」 and skip."""
    return [Choice(t.code, t.label, t.words) for t in TOPICS] + [
        Choice(DONE, N_("決定"), ("決定", "けってい", "done", "ok", "おわり", "終わり", "以上", "これで")),
        Choice(SKIP, N_("スキップ"))]


def _consent_choices(session, resident, data) -> list[Choice]:
    """Answer (consent) or not."""
    return [Choice("yes", N_("答える"), ("はい", "yes", "ok", "いいよ", "こたえる", "答えます", "同意", "同意する")),
            Choice("no", N_("答えない"), ("いいえ", "no", "こたえない", "答えません", "同意しない"))]


def _age_choices(session, resident, data) -> list[Choice]:
    """The eight age groups (DESIGN codes), and skip."""
    return [Choice(code, AGE_LABELS[code]) for code in AGE_GROUPS] + [Choice(SKIP, N_("答えない・スキップ"))]


def _gender_choices(session, resident, data) -> list[Choice]:
    """female / male / other (DESIGN codes), and skip."""
    words = {"female": ("女", "おんな", "じょせい", "female", "woman", "f"),
             "male": ("男", "おとこ", "だんせい", "male", "man", "m"),
             "other": ("そのた", "other", "x")}
    return [Choice(code, label, words[code]) for code, label in GENDER_LABELS.items()] + [
        Choice(SKIP, N_("答えない・スキップ"), ("答えない", "こたえない", "答えたくない", "prefer not to say"))]


# --- what an answer does ----------------------------------------------------------------------

def _apply_language(session, resident, value, pos, now) -> str:
    """Set the language unless skipped."""
    if value in LANGUAGES:
        rs.set_language(session, resident, value, now)
    return ADVANCE


def _apply_district(session, resident, value, pos, now) -> str:
    """Turn the page, or set the district unless skipped."""
    if value.startswith(PAGE + ":"):
        pos.data = {**pos.data, "page": int(value.split(":", 1)[1])}
        return STAY
    if value != SKIP:
        name = _district_name(session, value)
        if name is not None:
            rs.set_district(session, resident, name, now)
    return ADVANCE


def _district_name(session, value: str) -> str | None:
    """The district name behind a choice value ("#<id>")."""
    from models import District

    if not value.startswith("#") or not value[1:].isdigit():
        return None
    row = session.get(District, int(value[1:]))
    return row.name if row is not None else None


def _apply_interests(session, resident, value, pos, now) -> str:
    """Toggle a topic (stay), or save the chosen ones on 「決定」; skip keeps what was there."""
    chosen = list(pos.data.get("chosen", []))
    if value == DONE:
        rs.set_interests(session, resident, chosen, now)
        return ADVANCE
    if value == SKIP:
        return ADVANCE
    for code in value.split(","):  # a typed answer may name several topics at once
        if code in chosen and "," not in value:
            chosen.remove(code)
        elif code not in chosen:
            chosen.append(code)
    pos.data = {**pos.data, "chosen": chosen}
    return STAY


def _apply_consent(session, resident, value, pos, now) -> str:
    """Yes → consent recorded before anything is asked; no → age and gender stay (or become) empty."""
    if value == "yes":
        rs.record_consent(session, resident, now)
        return ADVANCE
    rs.withdraw_consent(session, resident, now)
    return END


def _apply_age(session, resident, value, pos, now) -> str:
    """Store the age group (only with consent) unless skipped."""
    if value in AGE_GROUPS:
        rs.set_age_group(session, resident, value, now)
    return ADVANCE


def _apply_gender(session, resident, value, pos, now) -> str:
    """Store the gender (only with consent) unless skipped."""
    if value in GENDER_LABELS:
        rs.set_gender(session, resident, value, now)
    return ADVANCE


STEPS: dict[str, Step] = {s.name: s for s in (
    Step("language", N_("使う言語を選んでください。"), _language_choices, _apply_language),
    Step("district", N_("お住まいの地区を選んでください。地区のお知らせやイベントをお届けしやすくなります。"),
         _district_choices, _apply_district),
    Step("interests", N_("関心のあることを選んでください（いくつでも）。選び終わったら「決定」を押してください。"),
         _interest_choices, _apply_interests, multi=True),
    Step("consent", N_("よければ年代と性別を教えてください。市の計画づくりのために年代・性別・地区ごとの人数を集計するだけに使い、ほかの人に見せることはなく、「データを削除」でいつでも消せます。答えますか？"),
         _consent_choices, _apply_consent),
    Step("age", N_("年代を選んでください。"), _age_choices, _apply_age),
    Step("gender", N_("性別を選んでください。"), _gender_choices, _apply_gender),
)}


# --- prompts ----------------------------------------------------------------------------------

def _pick(step: str, choice: Choice, _: Callable[[str], str], prefix: str = "") -> dict:
    """A quick-reply postback answering a step; the label is also what the resident's bubble shows."""
    label = prefix + choice.shown(_)
    return postback_action(label, PICK_ACTION, display_text=choice.shown(_), s=step, v=choice.value)


def _district_page(choices: list[Choice], page: int) -> tuple[list[Choice], int | None]:
    """The districts of one page and the next page number (None on the last page; it wraps to 0)."""
    names = [c for c in choices if c.value != SKIP]
    if len(names) <= DISTRICTS_PER_PAGE + 1:  # 12 fit with skip: no paging needed
        return names, None
    pages = (len(names) + DISTRICTS_PER_PAGE - 1) // DISTRICTS_PER_PAGE
    page = page % pages
    start = page * DISTRICTS_PER_PAGE
    return names[start:start + DISTRICTS_PER_PAGE], (page + 1) % pages


def prompt(session: Session, resident: Resident, pos: Position, lang: str) -> list[dict]:
    """The question of the current step, with its choices as quick replies."""
    _ = translator(lang)
    step = STEPS[pos.step]
    choices = step.choices(session, resident, pos.data)
    text = _(step.question)
    if step.name == "district":
        page_choices, next_page = _district_page(choices, int(pos.data.get("page", 0)))
        actions = [_pick("district", c, _) for c in page_choices]
        if next_page is not None:
            more = Choice(f"{PAGE}:{next_page}", N_("ほかの地区"))
            actions.append(_pick("district", more, _))
        actions.append(_pick("district", choices[-1], _))
        return [text_message(text, actions)]
    if step.multi:
        chosen = pos.data.get("chosen", [])
        labels = topic_labels(chosen, _)
        status = _("いま選んでいるもの：{items}").format(items="、".join(labels)) if labels else _("まだ何も選んでいません。")
        actions = [_pick(step.name, c, _, "✓" if c.value in chosen else "") for c in choices]
        return [text_message(text + "\n" + status, actions)]
    return [text_message(text, [_pick(step.name, c, _) for c in choices])]


def _has_choices(session: Session, resident: Resident, step: str) -> bool:
    """False for a step with nothing to choose (a city without districts): it is passed over."""
    return step != "district" or bool(rs.district_names(session))


def _save(session: Session, resident: Resident, pos: Position, now: datetime | None) -> None:
    """Store the position (nothing for a transient resident)."""
    rs.save_conversation(session, resident, pos.flow, pos.step, pos.data, now)


def _enter(session: Session, resident: Resident, flow: str, queue: list[str], now, lang: str) -> list[dict]:
    """Move to the first askable step of the queue, or finish the flow."""
    while queue:
        step, queue = queue[0], queue[1:]
        if not _has_choices(session, resident, step):
            continue
        data = {"queue": queue}
        if step == "interests":
            data["chosen"] = list(resident.interests or [])
        pos = Position(flow, step, data)
        _save(session, resident, pos, now)
        return prompt(session, resident, pos, lang)
    return finish(session, resident, flow, now, lang)


def start(session: Session, resident: Resident, flow: str, steps: tuple[str, ...] | list[str],
          *, now: datetime | None, lang: str) -> list[dict]:
    """Start a flow (onboarding, or one settings part) and return its first question."""
    return _enter(session, resident, flow, list(steps), now, lang)


def start_onboarding(session: Session, resident: Resident, *, now: datetime | None, lang: str) -> list[dict]:
    """Start onboarding at the language step."""
    return start(session, resident, FLOW_ONBOARDING, ONBOARDING_STEPS, now=now, lang=lang)


def start_settings_part(session: Session, resident: Resident, part: str, *, now: datetime | None,
                        lang: str) -> list[dict]:
    """Reopen one part of the settings (language, district, interests, profile)."""
    steps = SETTINGS_PARTS.get(part, ())
    if not any(_has_choices(session, resident, step) for step in steps):
        # An old 地区 button in a city without districts: nothing was asked, so nothing was "saved".
        return settings_menu_messages(session, resident, lang)
    return start(session, resident, FLOW_SETTINGS, steps, now=now, lang=lang)


def _lang_after(resident: Resident, lang: str) -> str:
    """The language to answer in: the resident's own once they have one (it may just have changed)."""
    return resident.language if resident is not None and resident.language in LANGUAGES else lang


def answer(session: Session, resident: Resident, pos: Position, value: str, *, now: datetime | None,
           lang: str) -> list[dict]:
    """Apply an answer to the current step, then ask the next question (or finish)."""
    step = STEPS[pos.step]
    valid = {c.value for c in step.choices(session, resident, pos.data)}
    is_page = step.name == "district" and re.fullmatch(PAGE + r":\d{1,3}", value) is not None
    if value not in valid and not is_page and not (step.multi and _all_valid(value, valid)):
        return prompt(session, resident, pos, lang)  # an unknown value: ask again rather than fail
    outcome = step.apply(session, resident, value, pos, now)
    lang = _lang_after(resident, lang)
    if outcome == STAY:
        _save(session, resident, pos, now)
        return prompt(session, resident, pos, lang)
    queue = [] if outcome == END else list(pos.data.get("queue", []))
    return _enter(session, resident, pos.flow, queue, now, lang)


def _all_valid(value: str, valid: set[str]) -> bool:
    """True when a comma-joined multi answer names only valid choices."""
    return all(v in valid for v in value.split(","))


def answer_out_of_turn(session: Session, resident: Resident, step: str, value: str, *, now: datetime | None,
                       lang: str) -> list[dict]:
    """A tap on an older question (the conversation moved on or ended): treat it as that settings part."""
    if step not in STEPS:
        return []
    if step in ("age", "gender") and resident.consent_at is None:
        return start_settings_part(session, resident, "profile", now=now, lang=lang)  # consent comes first
    part = next(p for p, steps in SETTINGS_PARTS.items() if step in steps)
    steps = SETTINGS_PARTS[part]
    queue = list(steps[steps.index(step) + 1:])
    data = {"queue": queue}
    if step == "interests":
        data["chosen"] = list(resident.interests or [])
    return answer(session, resident, Position(FLOW_SETTINGS, step, data), value, now=now, lang=lang)


def finish(session: Session, resident: Resident, flow: str, now: datetime | None, lang: str) -> list[dict]:
    """End a flow: onboarding says what the bot can do; settings shows the settings again."""
    rs.clear_conversation(session, resident)
    lang = _lang_after(resident, lang)
    _ = translator(lang)
    if flow == FLOW_ONBOARDING:
        rs.mark_onboarded(session, resident, now)
        return done_messages(lang)
    return settings_menu_messages(session, resident, lang, lead=_("保存しました。"))


def done_messages(lang: str) -> list[dict]:
    """The end of onboarding: what you can do, and the main menu."""
    _ = translator(lang)
    text = "\n".join([
        _("ありがとうございました。これで準備ができました。"),
        _("できること："),
        _("・イベントを探す（例：「今週末のイベント」）"),
        _("・施設の開館時間を調べる（例：「図書館は何時まで？」）"),
        _("・ボランティアや地域の活動に参加する"),
        _("・アンケートに答える"),
        _("下のメニューから選ぶか、ことばで聞いてください。「設定」でいつでも変えられます。"),
    ])
    return [text_message(text, main_menu_actions(lang))]


# --- typed answers ----------------------------------------------------------------------------

# Whole answers only: 「30代向けのイベント」 is a question, not an age.
_AGE_DECADE = re.compile(r"(\d{1,3})(?:代|だい|'?s)(?:です)?")
_AGE_NUMBER = re.compile(r"(\d{1,3})(?:歳|さい|才|yearsold)?(?:です)?")
# What may join several typed topics: 「子育てとスポーツ」「sports, culture」.
_CONNECTORS = re.compile(r"(?:と|や|、|,|・|&|and|です|も)")


def _age_from_text(norm: str) -> str | None:
    """「30代」「35歳」「35」「30s」 → an age-group code; 「19歳以下」「80歳以上」 come from the labels."""
    match = _AGE_DECADE.fullmatch(norm) or _AGE_NUMBER.fullmatch(norm)
    if not match:
        return None
    years = int(match.group(1))
    if years < 20:
        return "-19"
    if years >= 80:
        return "80-"
    return f"{years // 10 * 10}-{years // 10 * 10 + 9}"


def _choice_words(choice: Choice) -> set[str]:
    """Every normalized form that picks a choice: its label in each language and its words."""
    forms = {choice.label} if choice.literal else {translator(lang)(choice.label) for lang in LANGUAGES}
    return {normalize_words(w) for w in forms | set(choice.words)} - {""}


def match_text(session: Session, resident: Resident, pos: Position, text: str) -> str | None:
    """The value a typed text picks in the current step, or None when it does not fit the step."""
    step = STEPS.get(pos.step)
    if step is None:
        return None
    norm = normalize_words(text)
    choices = step.choices(session, resident, pos.data)
    for choice in choices:
        if norm in _choice_words(choice):
            return choice.value
    if norm in {normalize_words(w) for w in SKIP_WORDS}:
        return "no" if step.name == "consent" else SKIP
    if step.name == "age":
        return _age_from_text(norm)
    if step.multi:
        return _topics_from_text(norm, choices)
    return None


def _topics_from_text(norm: str, choices: list[Choice]) -> str | None:
    """Several topics typed at once (「子育てとスポーツ」) → "children,sports"; None when anything else is said."""
    named, rest = [], norm
    for choice in choices:
        if choice.value in (DONE, SKIP):
            continue
        for word in sorted(_choice_words(choice), key=len, reverse=True):
            if len(word) >= 2 and word in rest:
                named.append(choice.value)
                rest = rest.replace(word, " ")
                break
    if not named or _CONNECTORS.sub("", rest).strip():
        return None  # something besides topics: a question, which the router answers instead
    return ",".join(named)


# --- settings menu ----------------------------------------------------------------------------

def _profile_summary(resident: Resident, _: Callable[[str], str]) -> str:
    """「30代・女性」, or that they have not answered."""
    parts = [_(AGE_LABELS[resident.age_group]) if resident.age_group in AGE_LABELS else "",
             _(GENDER_LABELS[resident.gender]) if resident.gender in GENDER_LABELS else ""]
    parts = [p for p in parts if p]
    return "・".join(parts) if parts else _("答えていません")


def _settings_parts(session: Session) -> list[tuple[str, str]]:
    """The settings parts to offer (part, label): 地区 only where the city has districts to choose from."""
    parts = [("language", N_("言語")), ("district", N_("地区")), ("interests", N_("関心")), ("profile", N_("年代・性別"))]
    if rs.district_names(session):
        return parts
    return [(part, label) for part, label in parts if part != "district"]


def settings_menu_messages(session: Session, resident: Resident | None, lang: str, lead: str = "") -> list[dict]:
    """The current settings and a quick reply for each part, データを削除 and the menu."""
    _ = translator(lang)
    unset = _("未設定")
    parts = _settings_parts(session)
    lines = [lead] if lead else []
    if resident is not None:
        # No 地区 to choose and none kept: 「地区：未設定」 would only puzzle.
        show_district = "district" in dict(parts) or bool(resident.district)
        lines += [
            _("いまの設定："),
            _("・言語：{value}").format(value=LANGUAGE_NAMES.get(resident.language, resident.language)),
            *([_("・地区：{value}").format(value=resident.district or unset)] if show_district else []),
            _("・関心：{value}").format(value="、".join(topic_labels(resident.interests or [], _)) or unset),
            _("・年代・性別：{value}").format(value=_profile_summary(resident, _)),
            _("・お知らせ：{value}").format(value=_("受け取る") if resident.notifications is not False else _("止めている")),
        ]
    lines.append(_("変えたいものを選んでください。"))
    actions = [postback_action(_(label), OPEN_ACTION, part=part) for part, label in parts]
    if resident is not None and resident.notifications is False:
        actions.append(postback_action(_("お知らせを受け取る"), NOTIFY_ACTION, on=1))
    else:
        actions.append(postback_action(_("お知らせを止める"), NOTIFY_ACTION, on=0))
    actions.append(postback_action(_(DELETE_LABEL), DELETE_ACTION))
    actions.append(message_action(_(MENU_LABEL)))
    return [text_message("\n".join(lines), actions)]


def delete_confirm_messages(lang: str) -> list[dict]:
    """「データを削除」: ask once more, with はい / いいえ."""
    _ = translator(lang)
    text = _("登録した言語・地区・関心・年代・性別を削除します。よろしいですか？")
    return [confirm_template(text, postback_action(_("はい"), "set_delete_yes", display_text=_("はい、削除します")),
                             postback_action(_("いいえ"), "set_delete_no", display_text=_("いいえ")))]
