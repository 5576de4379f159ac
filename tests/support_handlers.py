"""Handlers that exist only for tests: one that fails, one that is slow, one that counts its runs."""
from __future__ import annotations

import os
import time

from handlers.registry import on_event
from content.messages import text_message


@on_event("postback", "test_fail")
def fail(ctx):
    """Raise with resident text in the message, to prove it never reaches the logs."""
    raise ValueError(f"boom while handling {ctx.postback.get('secret')}")


@on_event("postback", "test_count")
def count(ctx):
    """Append a mark to the resident's interests: how many times this event was handled."""
    ctx.resident.interests = [*ctx.resident.interests, "handled"]
    ctx.session.add(ctx.resident)
    return [text_message("counted")]


@on_event("postback", "test_slow")
def slow(ctx):
    """Sleep (TEST_SLOW_SECONDS) before changing state: a window to kill the worker mid-event."""
    time.sleep(float(os.environ.get("TEST_SLOW_SECONDS", "0")))
    ctx.resident.interests = [*ctx.resident.interests, "slow-done"]
    ctx.session.add(ctx.resident)
    return [text_message("slow done")]


@on_event("postback", "test_mark")
def mark(ctx):
    """Append the event's tag to the resident's interests: load tests read back what ran, how often, in what order."""
    ctx.resident.interests = [*ctx.resident.interests, ctx.postback.get("n", "")]
    ctx.session.add(ctx.resident)
    return [text_message(f"marked {ctx.postback.get('n', '')}")]
