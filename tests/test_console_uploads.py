"""Console uploads live in the one configured instance folder, reading one creates nothing, and only pixels are kept."""
from __future__ import annotations

from dataclasses import replace
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import Session, select

from bot.config import Config
from models import Event
from tests.fixtures.console.support import event_form, fast_hashing, login, make_user, post_form  # noqa: F401

pytestmark = pytest.mark.usefixtures("fast_hashing")
PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def png_bytes(color=(200, 30, 30)) -> bytes:
    """A small real PNG."""
    out = BytesIO()
    Image.new("RGB", (8, 6), color).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def instance_app(config, engine, recording_messenger, tmp_path):
    """The app with its instance folder in tmp_path/instance (not yet created)."""
    from bot.app import create_app

    cfg = replace(config, instance_dir=tmp_path / "instance")
    return create_app(cfg, engine=engine, messenger=recording_messenger, start_workers=False)


def upload_event_image(app, engine, data: bytes) -> str:
    """Post an event with an image as an org user; the image's URL path."""
    make_user(engine, "south@example.jp", "org", org="南自治会")
    client = app.test_client()
    login(client, "south@example.jp")
    form = {**event_form("画像つき"), "image": (BytesIO(data), "poster.png")}
    response = post_form(client, "/admin/events/new", form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with Session(engine) as session:
        return session.exec(select(Event)).one().image_url.replace("http://localhost", "")


def test_uploads_are_written_to_the_configured_instance_folder_not_the_package(instance_app, engine, tmp_path):
    before = set(PACKAGE_ROOT.rglob("instance"))
    path = upload_event_image(instance_app, engine, png_bytes())
    stored = list((tmp_path / "instance" / "uploads").iterdir())
    assert [p.name for p in stored] == [path.rsplit("/", 1)[1]]
    assert set(PACKAGE_ROOT.rglob("instance")) == before


def test_an_unauthenticated_get_of_an_upload_creates_no_folder(instance_app, tmp_path):
    response = instance_app.test_client().get("/admin/uploads/" + "0" * 32 + ".png")
    assert response.status_code == 404
    assert not (tmp_path / "instance").exists()


def test_the_instance_folder_comes_from_the_environment_with_database_and_secret_key(tmp_path):
    folder = tmp_path / "city"
    config = Config.from_env({"TSUNAGARI_INSTANCE_DIR": str(folder)}).with_persistent_secret_key({})
    assert config.upload_dir == folder / "uploads"
    assert config.database_url == f"sqlite:///{folder / 'tsunagari.db'}"
    assert (folder / "secret_key").read_text().strip() == config.secret_key
    explicit = Config.from_env({"TSUNAGARI_INSTANCE_DIR": str(folder), "DATABASE_URL": "postgresql://db/city"})
    assert explicit.database_url == "postgresql://db/city"


def test_a_png_with_html_appended_is_stored_as_pixels_only(instance_app, engine, tmp_path):
    original = png_bytes()
    path = upload_event_image(instance_app, engine, original + b"<html><script>alert(1)</script></html>")
    served = instance_app.test_client().get(path)
    assert served.status_code == 200
    assert b"<script>" not in served.data and b"<html>" not in served.data
    with Image.open(BytesIO(served.data)) as img:
        assert img.format == "PNG" and img.size == (8, 6) and img.convert("RGB").getpixel((3, 3)) == (200, 30, 30)
