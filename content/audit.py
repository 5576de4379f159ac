"""The audit log: who did what to which record and when. The application only ever appends."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import select

from content.paging import Page, paginate
from models import AuditLog, utcnow

ACTION_LABELS = {
    "login": "ログイン", "login_failed": "ログイン失敗", "login_blocked": "ログイン制限", "logout": "ログアウト",
    "password_change": "パスワード変更", "post": "投稿", "edit": "編集", "submit": "承認申請", "approve": "承認",
    "reject": "差し戻し", "withdraw": "取り下げ", "delete": "削除", "import": "取り込み", "export": "書き出し",
    "user_add": "ユーザー追加", "user_reset": "パスワード再発行", "user_disable": "ユーザー無効化",
    "user_enable": "ユーザー有効化", "org_add": "団体追加", "org_edit": "団体編集",
    "survey_open": "アンケート開始", "survey_close": "アンケート締切", "survey_publish": "結果公開",
    "district_add": "地区追加", "district_edit": "地区編集",
}
ACTIONS = tuple(ACTION_LABELS)
DETAIL_MAX = 2000


class AuditLogImmutable(RuntimeError):
    """Raised when code tries to change or remove an audit entry."""


def record(session, actor, action: str, record_type: str | None = None, record_id: int | None = None,
           detail: str | None = None, address: str | None = None) -> AuditLog:
    """Append one entry; `actor` is a console user (or None for anonymous, e.g. a failed login)."""
    entry = AuditLog(
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_email=_actor_email(actor),
        action=action[:32],
        record_type=record_type[:32] if record_type else None,
        record_id=record_id,
        detail=detail[:DETAIL_MAX] if detail else None,
        address=address[:64] if address else None,
    )
    session.add(entry)
    return entry


def _actor_email(actor) -> str | None:
    """The e-mail to keep beside the id, so entries stay readable after an account is gone."""
    if actor is None:
        return None
    if isinstance(actor, str):
        return actor[:254]
    email = getattr(actor, "email", None)
    return email[:254] if email else None


def query_entries(session, *, action: str | None = None, actor: str | None = None,
                  record_type: str | None = None, since: datetime | None = None,
                  until: datetime | None = None, page=1, per_page=50) -> Page:
    """Entries newest first, filtered by action, actor e-mail (substring), record type and time (naive UTC)."""
    stmt = select(AuditLog)
    if action:
        stmt = stmt.where(AuditLog.action == action)
    if actor:
        stmt = stmt.where(AuditLog.actor_email.contains(actor.strip().lower(), autoescape=True))
    if record_type:
        stmt = stmt.where(AuditLog.record_type == record_type)
    if since:
        stmt = stmt.where(AuditLog.at >= since)
    if until:
        stmt = stmt.where(AuditLog.at < until)
    stmt = stmt.order_by(AuditLog.at.desc(), AuditLog.id.desc())
    return paginate(session, stmt, page, per_page)


RECORD_TYPE_LABELS = {
    "event": "イベント", "opportunity": "募集", "notice": "お知らせ", "console_user": "ユーザー",
    "organization": "団体", "district": "地区", "survey": "アンケート", "signup": "参加申込", "attendance": "出欠",
    "unanswered": "答えられなかった言葉", "events": "イベント（取り込み）", "facilities": "施設（取り込み）",
    "opportunities": "募集（取り込み）", "faq": "よくある質問（取り込み）",
}


@dataclass(frozen=True)
class Target:
    """What an entry was about, as a person reads it: a title, an e-mail address or a name."""

    record_type: str
    record_id: int
    name: str
    key: str | None = None  # what a link needs besides the id (a survey's code)


def _name_columns():
    """For each record type with a page of its own: the table and the column naming a row."""
    from models import ConsoleUser, District, Event, Notice, Opportunity, Organization, Survey

    return {"event": (Event, "title"), "opportunity": (Opportunity, "title"), "notice": (Notice, "title"),
            "console_user": (ConsoleUser, "email"), "organization": (Organization, "name"),
            "district": (District, "name"), "survey": (Survey, "title")}


def describe_targets(session, entries) -> dict[tuple[str, int], Target]:
    """The named targets of some entries, one query per record type (a deleted row simply has no name)."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.record_type and entry.record_id is not None:
            wanted.setdefault(entry.record_type, set()).add(entry.record_id)
    targets = {}
    for record_type, (model, column) in _name_columns().items():
        if not wanted.get(record_type):
            continue
        for row in session.exec(select(model).where(model.id.in_(wanted[record_type]))).all():
            targets[(record_type, row.id)] = Target(record_type, row.id, getattr(row, column) or "",
                                                    getattr(row, "code", None))
    return targets


def _refuse_row_change(_mapper, _connection, target) -> None:
    """An ORM update or delete of an audit entry is a programming error: refuse it."""
    raise AuditLogImmutable(f"audit entry {getattr(target, 'id', None)} is append-only")


def _refuse_bulk_change(state) -> None:
    """Refuse bulk UPDATE/DELETE statements aimed at the audit table (session.exec(delete(AuditLog)))."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) == AuditLog.__tablename__:
        raise AuditLogImmutable("audit_log is append-only")


event.listen(AuditLog, "before_update", _refuse_row_change)
event.listen(AuditLog, "before_delete", _refuse_row_change)
event.listen(OrmSession, "do_orm_execute", _refuse_bulk_change)
