"""`tsunagari import events PATH --signup chat`: a city's own imported items take sign-ups in the chat,
using the file's 定員 and 参加申込終了日 (read by the importers); `--signup none` switches them back off."""
from __future__ import annotations

from sqlmodel import select

from models import Event, Opportunity, utcnow

SIGNUP_MODES = ("chat", "none")
_MODELS = {"events": Event, "opportunities": Opportunity}


def signup_mode_problem(kind: str, mode: str | None) -> str | None:
    """Why `--signup mode` cannot apply to this kind (None when it can, or when no mode was given)."""
    if mode is None:
        return None
    if mode not in SIGNUP_MODES:
        return f"--signup は {' / '.join(SIGNUP_MODES)} のどれかを指定してください。"
    if kind not in _MODELS:
        return "--signup はイベント（events）と参加の機会（opportunities）にだけ使えます。"
    return None


def apply_signup_mode(session, kind: str, source: str, mode: str) -> int:
    """Set chat sign-ups on (chat) or off (none) for the source's current rows; returns how many changed."""
    model = _MODELS[kind]
    wanted = mode == "chat"
    rows = session.exec(select(model).where(model.source == source, model.active == True,  # noqa: E712
                                            model.chat_signup != wanted)).all()
    now = utcnow()
    for row in rows:
        row.chat_signup, row.updated_at = wanted, now
        session.add(row)
    session.flush()
    return len(rows)


def signup_mode_line(kind: str, mode: str, changed: int, total: int) -> str:
    """The line the import report gains."""
    if mode == "chat":
        return f"  LINEで参加を受け付ける: {total} 件（今回切り替え {changed} 件。定員・参加申込終了日はファイルの値）"
    return f"  LINEでの参加受付をやめた: {changed} 件"


def active_count(session, kind: str, source: str) -> int:
    """How many current rows the source has."""
    model = _MODELS[kind]
    return len(session.exec(select(model.id).where(model.source == source, model.active == True)).all())  # noqa: E712
