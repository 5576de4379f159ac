"""The rich menu: LINE's rules for the definition and the shipped image, and deploying it."""
from __future__ import annotations

import grapheme
import pytest

from bot.config import Config
from bot.messenger import LineRequestRejected, RetryPolicy
from bot.richmenu import RichMenuProblem, check_rich_menu, deploy_rich_menu
from content.menus import MAIN_MENU
from content.richmenu import (HEIGHT, IMAGE_PATH, RICHMENU_NAME, WIDTH, png_size, richmenu_definition,
                              richmenu_image, richmenu_size_problems)
from content.messages import utf16_len
from tests.fixtures.messenger.fake_line import FakeLine, Scripted

LANGS = ["ja", "en", "ja-easy"]


@pytest.fixture
def fake():
    """A fake LINE server on a free port."""
    server = FakeLine().start()
    yield server
    server.stop()


def fake_config(fake) -> Config:
    """Config pointing the SDK at the fake."""
    return Config(channel_access_token="test-token", line_api_host=fake.url, http_timeout=(1.0, 1.0))


@pytest.mark.parametrize("lang", LANGS)
def test_definition_follows_lines_rich_menu_rules(lang):
    menu = richmenu_definition(lang)
    width, height = menu["size"]["width"], menu["size"]["height"]
    assert 800 <= width <= 2500 and height >= 250 and width / height >= 1.45
    assert 1 <= len(menu["areas"]) <= 20
    assert 1 <= grapheme.length(menu["chatBarText"]) <= 14 and 1 <= grapheme.length(menu["name"]) <= 300
    for area in menu["areas"]:
        b = area["bounds"]
        assert 0 <= b["x"] and b["x"] + b["width"] <= width and 0 <= b["y"] and b["y"] + b["height"] <= height
        assert grapheme.length(area["action"]["label"]) <= 20 and utf16_len(area["action"]["text"]) <= 300


@pytest.mark.parametrize("lang", LANGS)
def test_definition_passes_the_shared_validator(lang):
    line_limits = pytest.importorskip("content.line_limits")
    assert line_limits.validate_richmenu(richmenu_definition(lang)) == []


def test_six_large_areas_tile_the_whole_menu_without_overlap():
    areas = [a["bounds"] for a in richmenu_definition()["areas"]]
    assert len(areas) == 6
    assert sum(b["width"] * b["height"] for b in areas) == WIDTH * HEIGHT
    assert min(b["width"] for b in areas) >= 800 and min(b["height"] for b in areas) >= 800


@pytest.mark.parametrize("lang", LANGS)
def test_each_area_sends_the_word_the_text_handler_routes(lang):
    sent = [a["action"] for a in richmenu_definition(lang)["areas"]]
    assert [a["type"] for a in sent] == ["message"] * 6
    assert [a["text"] for a in sent] == ["イベント", "施設", "参加・ボランティア", "アンケート", "設定", "ヘルプ"]
    assert [a["text"] for a in sent] == [word for _command, word in MAIN_MENU]


def test_each_area_word_is_a_menu_command():
    menus = pytest.importorskip("content.menus")
    if not hasattr(menus, "command_for"):
        pytest.skip("content.menus.command_for not there yet")
    commands = [menus.command_for(a["action"]["text"]) for a in richmenu_definition()["areas"]]
    assert commands == [command for command, _word in MAIN_MENU]


def test_shipped_image_matches_the_menu_and_lines_size_rules():
    data = richmenu_image()
    assert IMAGE_PATH.name == "richmenu.png"
    assert png_size(data) == (WIDTH, HEIGHT)
    assert len(data) <= 1024 * 1024
    assert richmenu_size_problems(WIDTH, HEIGHT, len(data)) == []


@pytest.mark.parametrize("width, height, size, problem", [
    (2500, 1686, 1024 * 1024, None),
    (800, 250, 1, None),
    (799, 250, 1, "width"),
    (2501, 1686, 1, "width"),
    (1200, 249, 1, "height"),
    (1200, 828, 1, "aspect"),
    (2500, 843, 1024 * 1024 + 1, "1 MB"),
])
def test_image_size_rules(width, height, size, problem):
    problems = richmenu_size_problems(width, height, size)
    assert (problems == []) if problem is None else any(problem in p for p in problems)


def test_image_can_be_regenerated_when_a_cjk_font_is_installed(tmp_path):
    from content.richmenu import find_cjk_font, render_richmenu_image

    try:
        find_cjk_font()
    except FileNotFoundError:
        pytest.skip("no CJK font here (install fonts-noto-cjk to regenerate)")
    data = render_richmenu_image(tmp_path / "menu.png").read_bytes()
    assert png_size(data) == (WIDTH, HEIGHT) and len(data) <= 1024 * 1024


def test_deploy_creates_uploads_and_sets_default(fake):
    menu_id = deploy_rich_menu(fake_config(fake))
    assert fake.default_richmenu == menu_id
    assert fake.richmenu_images[menu_id] == richmenu_image()
    assert fake.richmenus[menu_id]["name"] == RICHMENU_NAME
    upload = fake.calls(f"/v2/bot/richmenu/{menu_id}/content")[0]
    assert upload.headers["content-type"] == "image/png"
    assert [(r.method, r.path.replace(menu_id, "ID")) for r in fake.requests] == [
        ("POST", "/v2/bot/richmenu"), ("POST", "/v2/bot/richmenu/ID/content"),
        ("POST", "/v2/bot/user/all/richmenu/ID"), ("GET", "/v2/bot/richmenu/list")]


def test_deploying_again_replaces_the_older_menu_of_the_same_name(fake):
    fake.richmenus["richmenu-someone-else"] = dict(richmenu_definition(), name="another menu",
                                                    richMenuId="richmenu-someone-else")
    first = deploy_rich_menu(fake_config(fake))
    second = deploy_rich_menu(fake_config(fake))
    assert first != second and fake.default_richmenu == second
    assert set(fake.richmenus) == {second, "richmenu-someone-else"}


def test_deploy_retries_a_5xx_and_removes_a_copy_made_by_a_lost_answer(fake):
    # The first create is made but its answer is a 503: the retry makes a second copy; only one must stay.
    fake.then("/v2/bot/richmenu", Scripted(503, process=True))
    menu_id = deploy_rich_menu(fake_config(fake), sleep=lambda s: None)
    assert fake.default_richmenu == menu_id and len(fake.calls("/v2/bot/richmenu")) == 2
    assert list(fake.richmenus) == [menu_id]


def test_deploy_removes_its_half_made_menu_when_the_upload_is_refused(fake):
    original = fake._handle_richmenu

    def refuse_upload(record):
        if record.path.endswith("/content"):
            return 400, {"message": "Invalid image"}, {}
        return original(record)

    fake._handle_richmenu = refuse_upload
    with pytest.raises(LineRequestRejected):
        deploy_rich_menu(fake_config(fake), policy=RetryPolicy(attempts=1))
    assert fake.richmenus == {} and fake.default_richmenu is None


def test_a_wrong_image_is_refused_before_any_request(fake):
    with pytest.raises(RichMenuProblem):
        deploy_rich_menu(fake_config(fake), image=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (799).to_bytes(4, "big")
                         + (250).to_bytes(4, "big"))
    assert fake.requests == []


def test_check_rich_menu_refuses_a_menu_with_too_many_areas():
    menu = richmenu_definition()
    menu["areas"] = menu["areas"] * 4  # 24 areas
    with pytest.raises(RichMenuProblem):
        check_rich_menu(menu, richmenu_image())


def test_deploy_against_the_built_in_emulator_makes_the_menu_everyones_default(live_server):
    import json
    import urllib.request

    config = live_server.app.extensions["tsunagari"].config
    menu_id = deploy_rich_menu(config)
    with urllib.request.urlopen(live_server.base_url + "/emulator/richmenu", timeout=5) as response:
        shown = json.loads(response.read())
    assert shown["richMenu"]["richMenuId"] == menu_id
    assert [a["action"]["text"] for a in shown["richMenu"]["areas"]][0] == "イベント"
    with urllib.request.urlopen(live_server.base_url + "/emulator/" + shown["imageUrl"], timeout=5) as response:
        assert response.read() == richmenu_image()
