"""Helpers for the residents tests: a database session, events as LINE sends them, and message checks."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.registry import Context, load_handlers, parse_postback
from models import District, Facility, Resident

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=TOKYO)
USER = "U" + "0" * 31 + "1"
DISTRICTS = ["中央地区", "北地区", "南地区", "東地区", "西地区", "山の手地区", "川辺地区", "緑ヶ丘地区"]


def add_districts(session, names=DISTRICTS) -> None:
    """The city's districts, in order."""
    for position, name in enumerate(names):
        session.add(District(name=name, position=position))
    session.flush()


def add_facilities(session, names=("中央公民館", "市立図書館", "総合体育館")) -> None:
    """A few active facilities."""
    for i, name in enumerate(names):
        session.add(Facility(source="test", source_key=str(i), name=name))
    session.flush()


def follow_event(user: str = USER) -> dict:
    """A follow event."""
    return {"type": "follow", "source": {"type": "user", "userId": user}, "replyToken": "r", "mode": "active"}


def unfollow_event(user: str = USER) -> dict:
    """An unfollow event (no reply token)."""
    return {"type": "unfollow", "source": {"type": "user", "userId": user}, "mode": "active"}


def text_event(text: str, user: str = USER) -> dict:
    """A text message event."""
    return {"type": "message", "source": {"type": "user", "userId": user}, "replyToken": "r",
            "message": {"type": "text", "id": "1", "text": text}}


def postback_event(data: str, user: str = USER) -> dict:
    """A postback event."""
    return {"type": "postback", "source": {"type": "user", "userId": user}, "replyToken": "r",
            "postback": {"data": data}}


def find_resident(session, user: str = USER) -> Resident | None:
    """The stored resident for the test user."""
    from sqlmodel import select

    return session.exec(select(Resident).where(Resident.line_user_id == user)).first()


def check(messages: list[dict]) -> list[dict]:
    """Every message must pass LINE's limits (the shared validator when present, else the basic limits)."""
    assert 1 <= len(messages) <= 5, messages
    try:
        from content.line_limits import validate_messages
    except ImportError:
        validate_messages = _basic_limits
    validate_messages(messages)
    return messages


def _basic_limits(messages: list[dict]) -> None:
    """A stand-in for content.line_limits until it exists: quick replies, labels, postback data."""
    import grapheme

    for message in messages:
        items = (message.get("quickReply") or {}).get("items", [])
        assert len(items) <= 13
        actions = [i["action"] for i in items] + (message.get("template") or {}).get("actions", [])
        for action in actions:
            assert 1 <= grapheme.length(action["label"]) <= 20, action
            assert len(action.get("data", "")) <= 300


class Resident_:
    """A pretend resident who sends events straight to the handlers, as the dispatcher would."""

    def __init__(self, session, user: str = USER, profile: dict | None = None):
        """Talk to the bot through `session` as LINE user `user`."""
        self.session = session
        self.user = user
        self.profile = profile
        self.registry = load_handlers()
        self.last: list[dict] = []
        self.extra: dict = {}

    @property
    def row(self) -> Resident | None:
        """The stored resident (None before follow or after deletion)."""
        return find_resident(self.session, self.user)

    def send(self, event: dict) -> list[dict]:
        """Dispatch one event and return the (checked) reply."""
        resident = self.row
        lang = resident.language if resident else "ja"
        extra = {"profile": self.profile} if self.profile is not None else {}
        ctx = Context(session=self.session, event=event, now=NOW, resident=resident, lang=lang, extra=extra)
        handler = self.registry.find(event)
        assert handler is not None, event
        self.last = handler(ctx)
        self.extra = ctx.extra
        self.session.flush()
        if event["type"] != "unfollow":
            check(self.last)
        return self.last

    def follow(self) -> list[dict]:
        """Add the account as a friend."""
        return self.send(follow_event(self.user))

    def unfollow(self) -> list[dict]:
        """Block the account."""
        return self.send(unfollow_event(self.user))

    def say(self, text: str) -> list[dict]:
        """Type a text."""
        return self.send(text_event(text, self.user))

    def tap(self, label: str) -> list[dict]:
        """Tap the quick reply (or template button) labelled `label` on the last reply."""
        action = self.action(label)
        if action["type"] == "message":
            return self.say(action["text"])
        return self.send(postback_event(action["data"], self.user))

    def actions(self) -> list[dict]:
        """The actions offered by the last reply: quick replies and template buttons."""
        found = []
        for message in self.last:
            found += [i["action"] for i in (message.get("quickReply") or {}).get("items", [])]
            found += (message.get("template") or {}).get("actions", [])
        return found

    def labels(self) -> list[str]:
        """The labels of the actions offered by the last reply."""
        return [a["label"] for a in self.actions()]

    def action(self, label: str) -> dict:
        """The offered action with this label (with or without a ✓ mark)."""
        for action in self.actions():
            if action["label"] in (label, "✓" + label):
                return action
        raise AssertionError(f"no {label!r} among {self.labels()}")

    def text(self) -> str:
        """All text of the last reply, joined."""
        parts = []
        for message in self.last:
            parts.append(message.get("text") or (message.get("template") or {}).get("text", ""))
        return "\n".join(parts)


def pick_data(action: dict) -> dict:
    """The parsed postback data of an action."""
    return parse_postback(action["data"])


def fake_answers(monkeypatch, understood: bool = True, items: list[dict] | None = None,
                 quick_replies: bool = False) -> list[dict]:
    """Replace the text handler's answer_question with a stand-in that echoes the question; returns its calls."""
    from dataclasses import dataclass, field

    @dataclass
    class Answer:
        """The shape of content.search.answers.Answer."""

        messages: list = field(default_factory=list)
        items: list = field(default_factory=list)
        understood: bool = True

    calls: list[dict] = []

    def answer_question(session, text, *, now, lang, resident=None):
        """Echo the question; record the call."""
        calls.append({"text": text, "lang": lang, "resident": resident, "now": now})
        message = {"type": "text", "text": f"answer to {text}"}
        if quick_replies:
            message["quickReply"] = {"items": [{"type": "action", "action": {
                "type": "message", "label": "もっと", "text": "もっと"}}]}
        return Answer(messages=[message] if understood else [], items=list(items or []), understood=understood)

    monkeypatch.setattr("handlers.text.answer_question", answer_question)
    return calls
