"""`tsunagari ask` starts fast without weakening the validator: the SDK's models load without its API clients,
content.importers loads without icalendar, and a built index is kept between short-lived commands."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from content.line_limits import LineLimitError, validate_messages

ROOT = Path(__file__).resolve().parents[1]


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running code."""
    done = subprocess.run([sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_validating_a_reply_does_not_import_the_sdk_api_clients():
    loaded = _modules_after("from content.line_limits import validate_messages\n"
                            "validate_messages([{'type': 'text', 'text': 'こんにちは'}])")
    assert "linebot.v3.messaging.models.text_message" in loaded
    assert "linebot.v3.messaging.api.messaging_api" not in loaded
    assert "aiohttp" not in loaded


def test_the_search_does_not_import_icalendar():
    loaded = _modules_after("import content.search.answers")
    assert "icalendar" not in loaded


def test_the_lazily_loaded_models_still_reject_what_line_would():
    bad = {"type": "flex", "altText": "a", "contents": {"type": "bubble", "body": {
        "type": "box", "layout": "vertical", "contents": [{"type": "text", "text": "x", "size": "huge"}]}}}
    with pytest.raises(LineLimitError):
        validate_messages([bad])


def test_the_sdk_api_clients_still_import_after_the_models():
    loaded = _modules_after("from content.line_limits import validate_messages\n"
                            "validate_messages([{'type': 'text', 'text': 'x'}])\n"
                            "from linebot.v3.messaging import ApiClient, MessagingApi, TextMessage\n"
                            "import linebot.v3.messaging.models as m\n"
                            "assert m.TextMessage is TextMessage and ApiClient and MessagingApi")
    assert "linebot.v3.messaging.api.messaging_api" in loaded


@pytest.fixture
def kept_index(tmp_path):
    """A city database whose index `tsunagari import` built and kept in a folder, as a new process finds it."""
    from content.search import index as search_index
    from models import Event, create_schema, make_engine, session_scope

    engine = make_engine(f"sqlite:///{tmp_path / 'city.db'}")
    create_schema(engine)
    with session_scope(engine) as session:
        session.add(Event(source="t", source_key="1", title="将棋教室"))
    search_index.warm_index(engine, tmp_path / "cache")
    search_index.clear_cache()  # as a new process would start
    try:
        yield engine
    finally:
        search_index.keep_indexes_in(None)
        search_index.clear_cache()


def test_a_built_index_is_kept_for_the_next_command(kept_index, tmp_path, monkeypatch):
    from sqlmodel import Session

    from content.search import index as search_index

    assert len(list((tmp_path / "cache").glob("index-*.pickle"))) == 1
    monkeypatch.setattr(search_index, "build_index", lambda s: pytest.fail("the stored index should have been loaded"))
    with Session(kept_index) as session:
        assert [d.title for d in search_index.current_index(session).docs] == ["将棋教室"]


def test_an_index_kept_by_another_release_is_built_again(kept_index, monkeypatch):
    """A new release reads rows differently (ages, kinds of place): its code digest differs, so the kept file of the
    old one is not used."""
    from sqlmodel import Session

    from content.search import index as search_index

    monkeypatch.setattr(search_index, "_code_version", lambda: "another-release")
    rebuilt = []
    built = search_index.build_index
    monkeypatch.setattr(search_index, "build_index", lambda s: rebuilt.append(1) or built(s))
    with Session(kept_index) as session:
        assert [d.title for d in search_index.current_index(session).docs] == ["将棋教室"]
    assert rebuilt == [1]
