"""Deploy the rich menu: create it, upload its image, make it the default, remove older copies.

Called by `tsunagari richmenu deploy` (and the demo, against the emulator). Uses the same SDK client
set-up, timeouts and retries as the Messenger.
"""
from __future__ import annotations

import logging
import random
import time

from linebot.v3.messaging import MessagingApi, MessagingApiBlob, RichMenuRequest

from bot.messenger import ApiOp, LineError, RetryingCaller, RetryPolicy, make_api_client
from content.richmenu import (RICHMENU_NAME, png_size, richmenu_definition, richmenu_image,
                              richmenu_size_problems)

logger = logging.getLogger(__name__)


class RichMenuProblem(ValueError):
    """The menu definition or image breaks LINE's rules (found before anything is sent)."""


def check_rich_menu(definition: dict, image: bytes) -> None:
    """Refuse a definition or image LINE would refuse: the shared validator, then the image's size rules."""
    from content.line_limits import validate_richmenu

    details = validate_richmenu(definition)
    if details:
        raise RichMenuProblem("; ".join(f"{d['property']}: {d['message']}" for d in details))
    width, height = png_size(image)
    problems = richmenu_size_problems(width, height, len(image))
    declared = (definition["size"]["width"], definition["size"]["height"])
    if (width, height) != declared:
        problems.append(f"image is {width}×{height} but the menu declares {declared[0]}×{declared[1]}")
    if problems:
        raise RichMenuProblem("; ".join(problems))


def deploy_rich_menu(config, *, lang: str = "ja", image: bytes | None = None,
                     policy: RetryPolicy | None = None, sleep=None) -> str:
    """Create the menu, upload the PNG, set it as everyone's default, delete older menus of the same name; its id."""
    definition = richmenu_definition(lang)
    image = richmenu_image() if image is None else image
    check_rich_menu(definition, image)
    client = make_api_client(config)
    api, blob = MessagingApi(client), MessagingApiBlob(client)
    caller = RetryingCaller(policy or RetryPolicy(), sleep or time.sleep, time.monotonic, random.random)
    timeout = config.http_timeout
    try:
        created = caller.call(ApiOp("richmenu.create", "/v2/bot/richmenu"), lambda: api.create_rich_menu_with_http_info(
            RichMenuRequest.from_dict(definition), _request_timeout=timeout)).data.rich_menu_id
        try:
            caller.call(ApiOp("richmenu.upload", "/v2/bot/richmenu/{richMenuId}/content"),
                        lambda: blob.set_rich_menu_image_with_http_info(
                            created, image, _headers={"Content-Type": "image/png"}, _request_timeout=timeout))
            caller.call(ApiOp("richmenu.default", "/v2/bot/user/all/richmenu/{richMenuId}"),
                        lambda: api.set_default_rich_menu_with_http_info(created, _request_timeout=timeout))
        except LineError:
            _delete(caller, api, timeout, created)  # don't leave a half-made menu behind
            raise
        # Older copies go only after the new one is the default, so residents never see no menu. Listing
        # now (not before creating) also catches a copy made by a create whose answer was lost and retried.
        older = [m for m in _menus_named(caller, api, timeout, RICHMENU_NAME) if m != created]
        for menu_id in older:
            _delete(caller, api, timeout, menu_id)
        logger.info("rich menu deployed (%d older removed)", len(older))
        return created
    finally:
        client.rest_client.pool_manager.clear()


def _menus_named(caller: RetryingCaller, api: MessagingApi, timeout, name: str) -> list[str]:
    """Ids of the existing menus with this name (the ones a new deploy replaces)."""
    listing = caller.call(ApiOp("richmenu.list", "/v2/bot/richmenu/list"),
                          lambda: api.get_rich_menu_list_with_http_info(_request_timeout=timeout)).data
    return [menu.rich_menu_id for menu in (listing.richmenus or []) if menu.name == name]


def _delete(caller: RetryingCaller, api: MessagingApi, timeout, menu_id: str) -> None:
    """Delete one menu; a failure is logged, not raised (the new default is already in place)."""
    try:
        caller.call(ApiOp("richmenu.delete", "/v2/bot/richmenu/{richMenuId}"), lambda: api.delete_rich_menu_with_http_info(
            menu_id, _request_timeout=timeout), accept=(404,))
    except LineError as exc:
        logger.warning("could not delete an older rich menu: %s", type(exc).__name__)
