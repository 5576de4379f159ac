"""`tsunagari notice send` and `tsunagari delivery show` (DESIGN.md: CLI)."""
from __future__ import annotations

import json
import sys

import click

from bot.config import Config


def _engine_and_config():
    """The database named by DATABASE_URL and the process configuration."""
    from models import make_engine

    config = Config.from_env()
    return make_engine(config.database_url), config


@click.group("notice")
def notice() -> None:
    """Notices pushed to residents."""


@notice.command("send")
@click.option("--title", required=True, help="Title (40 characters at most).")
@click.option("--body", required=True, help="Text (500 characters at most).")
@click.option("--segment", "segments", multiple=True, metavar="KEY=V1,V2",
              help="district, interest, lang, age_group, gender; repeat for AND, commas for OR. None = every follower.")
@click.option("--at", "at", default=None, help="ISO date-time to send at (city time when no offset); default now.")
@click.option("--urgent", is_flag=True, help="Send even in quiet hours (防災, 臨時休館).")
def notice_send(title: str, body: str, segments: tuple[str, ...], at: str | None, urgent: bool) -> None:
    """A staff notice, approved and queued for the scheduler; prints {"notice", "delivery", "recipients", "scheduled_for"}."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from content.deliveries import local_iso
    from content.notices import NoticeInputError, send_staff_notice
    from content.quiet_hours import QuietHoursError, parse_quiet_hours
    from content.segments import SegmentError, parse_segment, resolve_segment
    from models import as_naive_utc, session_scope

    engine, config = _engine_and_config()
    try:
        quiet = parse_quiet_hours(config.quiet_hours)
        send_at = None
        if at:
            moment = datetime.fromisoformat(at)
            send_at = as_naive_utc(moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(config.tz)))
        with session_scope(engine) as session:
            segment = resolve_segment(session, parse_segment(segments))
            row, delivery = send_staff_notice(session, title=title, body=body, segment=segment, send_at=send_at,
                                              urgent=urgent, tz=config.tz, quiet=quiet)
            out = {"notice": row.id, "delivery": delivery.id, "recipients": delivery.recipients,
                   "scheduled_for": local_iso(delivery.scheduled_for, config.tz)}
            later = delivery.scheduled_for > as_naive_utc(None) and not send_at and not urgent
    except (SegmentError, NoticeInputError, QuietHoursError) as exc:
        raise click.UsageError(str(exc))
    except ValueError as exc:  # --at that is not ISO 8601
        raise click.UsageError(f"--at: {exc}")
    click.echo(json.dumps(out, ensure_ascii=False))
    if later:
        click.echo(f"quiet hours ({config.quiet_hours}): it will be sent at {out['scheduled_for']} "
                   "(--urgent sends now; TSUNAGARI_QUIET_HOURS= sets no quiet hours)", err=True)


@click.group("delivery")
def delivery() -> None:
    """Pushes the scheduler sends."""


@delivery.command("show")
@click.argument("delivery_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def delivery_show(delivery_id: int, as_json: bool) -> None:
    """State and counts of one delivery: recipients, batches, sent, skipped, failed, API requests, start and end."""
    from content.deliveries import delivery_report
    from models import session_scope

    engine, config = _engine_and_config()
    try:
        with session_scope(engine) as session:
            report = delivery_report(session, delivery_id, config.tz)
    except LookupError:
        click.echo(f"Error: no delivery {delivery_id}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    labels = (("state", "state"), ("held_reason", "held because"), ("recipients", "recipients"), ("sent", "sent"),
              ("skipped", "skipped"), ("failed", "failed"), ("requests", "API requests"), ("batches", "batches"),
              ("duplicates", "already accepted (409)"), ("scheduled_for", "scheduled for"),
              ("started_at", "started"), ("finished_at", "finished"))
    click.echo(f"delivery {report['id']} ({report['kind']}" + (f" {report['ref_id']}" if report["ref_id"] else "") + ")")
    for key, label in labels:
        if report.get(key) not in (None, ""):
            click.echo(f"  {label}: {report[key]}")
    if report["state"] in ("queued", "held", "sending") and not _scheduler_alive(engine):
        click.echo("  note: no scheduler is running on this database; `tsunagari scheduler` sends it")


def _scheduler_alive(engine) -> bool:
    """Whether a scheduler wrote its heartbeat within the last minute."""
    from models import scheduler_running, session_scope

    with session_scope(engine) as session:
        return scheduler_running(session)
