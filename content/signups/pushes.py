"""The pushes sign-ups cost, sent as Deliveries by the one scheduler (content.deliveries, issue 7's engine):
the promotion of the first in line (kind waitlist) and the day-before reminder (kind signup_reminder)."""
from __future__ import annotations

from datetime import datetime

from content.signups.items import Item
from content.signups.messages import promotion_messages, reminder_messages
from models import RESIDENT_LANGUAGES

PROMOTION_KIND = "waitlist"
REMINDER_KIND = "signup_reminder"


def messages_by_language(build) -> dict:
    """{"ja": [...], "en": [...], "ja-easy": [...]} from a builder taking the language."""
    return {lang: build(lang) for lang in RESIDENT_LANGUAGES}


def queue_promotion_pushes(session, item: Item, promoted: list, now: datetime) -> list:
    """One push per resident who moved up (each carries its own check-in code); sent at once, quiet hours kept."""
    from content.deliveries import queue_delivery

    deliveries = []
    for signup in promoted:
        if signup.resident_id is None:
            continue  # the resident deleted their data: nobody to tell
        deliveries.append(queue_delivery(
            session, kind=PROMOTION_KIND, ref_id=signup.id, resident_ids=[signup.resident_id],
            messages_by_lang=messages_by_language(lambda lang: promotion_messages(signup, item, lang)),
            scheduled_for=now, respect_notifications=False))
    return deliveries


def queue_reminder(session, item: Item, resident_ids: list[int], scheduled_for: datetime):
    """The day-before reminder to everyone going (personal: sent even with notices switched off)."""
    from content.deliveries import queue_delivery

    return queue_delivery(session, kind=REMINDER_KIND, ref_id=item.id, resident_ids=resident_ids,
                          messages_by_lang=messages_by_language(lambda lang: reminder_messages(item, lang)),
                          scheduled_for=scheduled_for, respect_notifications=False)
