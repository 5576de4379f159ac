"""Operations: Prometheus metrics (prometheus-client) and the health report behind /healthz and /metrics.

Counters and the ack histogram live in the process that counts them (web: webhook; workers: events, LINE
calls; scheduler: pushes). Set PROMETHEUS_MULTIPROC_DIR (the same empty folder for every process of one
machine, before they start) and any web process's /metrics adds them all up; without it each process shows
its own, and `tsunagari worker --metrics-port` serves a worker's. Whatever the database knows — backlog, oldest
waiting event, live workers, deliveries — is read at scrape time, so every process answers the same.
"""
from __future__ import annotations

import logging
import os
import threading
import time

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from models.delivery import SCHEDULER_STALE  # one threshold for the metrics, the CLI and the console

log = logging.getLogger(__name__)

LOCAL = CollectorRegistry(auto_describe=True)
ACK_SECONDS = Histogram("tsunagari_webhook_ack_seconds", "Time from receiving a webhook to answering it",
                        buckets=(.005, .01, .02, .03, .05, .075, .1, .2, .5, 1, 2, 5), registry=LOCAL)
WEBHOOK_EVENTS = Counter("tsunagari_webhook_events", "Webhook events received, by what became of them",
                         ["result"], registry=LOCAL)
WEBHOOK_BODIES = Counter("tsunagari_webhook_requests", "Webhook requests, by HTTP status answered",
                         ["status"], registry=LOCAL)
INBOX_EVENTS = Counter("tsunagari_inbox_events", "Inbox events worked on, by outcome "
                       "(handled, failed, retried, ignored)", ["outcome"], registry=LOCAL)
LINE_REQUESTS = Counter("tsunagari_line_api_requests", "LINE Messaging API requests, by operation and status",
                        ["operation", "status"], registry=LOCAL)
LINE_ERRORS = Counter("tsunagari_line_api_errors", "LINE Messaging API requests that failed, by status "
                      "(timeout: no answer)", ["operation", "status"], registry=LOCAL)

QUOTA_CACHE_SECONDS = 300.0


def count_event(outcome: str) -> None:
    """One inbox event reached an outcome: handled, failed, retried, ignored."""
    INBOX_EVENTS.labels(outcome).inc()


def count_webhook(status: int, stored: int = 0, duplicates: int = 0, rejected: int = 0, seconds: float = 0.0) -> None:
    """One webhook request answered: its status, what became of its events, and how long it took."""
    WEBHOOK_BODIES.labels(str(status)).inc()
    for result, n in (("stored", stored), ("duplicate", duplicates), ("rejected", rejected)):
        if n:
            WEBHOOK_EVENTS.labels(result).inc(n)
    ACK_SECONDS.observe(seconds)


def count_line_call(operation: str, status: int | None, error: str | None = None) -> None:
    """One attempt of a LINE API call; statuses ≥ 400 and timeouts also count as errors."""
    label = str(status) if status is not None else "timeout"
    LINE_REQUESTS.labels(operation, label).inc()
    if status is None or status >= 400:
        LINE_ERRORS.labels(operation, label).inc()


# --------------------------------------------------------------------------- read at scrape time

def scheduler_heartbeat(engine: Engine):
    """The acting scheduler's last heartbeat (naive UTC), or None when no scheduler ever ran."""
    from sqlmodel import Session

    from models import last_scheduler_heartbeat

    with Session(engine) as session:
        return last_scheduler_heartbeat(session)


def delivery_counts(engine: Engine) -> dict[str, int]:
    """Deliveries (scheduled pushes) by state, when the push engine's table exists."""
    if "delivery" not in inspect(engine).get_table_names():
        return {}
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT state, COUNT(*) FROM delivery GROUP BY state")).all())


def push_counts(engine: Engine) -> dict[str, int]:
    """Push recipients by outcome (sent, skipped, failed) summed over every delivery, when the table exists."""
    if "delivery" not in inspect(engine).get_table_names():
        return {}
    with engine.connect() as conn:
        row = conn.execute(text("SELECT COALESCE(SUM(sent), 0), COALESCE(SUM(skipped), 0), "
                                "COALESCE(SUM(failed), 0) FROM delivery")).one()
    return {"sent": int(row[0]), "skipped": int(row[1]), "failed": int(row[2])}


class QuotaCache:
    """LINE's monthly quota, asked at most every few minutes (a scrape must not call LINE each time)."""

    def __init__(self, messenger, seconds: float = QUOTA_CACHE_SECONDS):
        self.messenger, self.seconds = messenger, seconds
        self._value: dict | None = None
        self._at = -1e9
        self._lock = threading.Lock()

    def get(self) -> dict | None:
        """{"type", "value", "used"} or None when LINE could not be asked."""
        with self._lock:
            if time.monotonic() - self._at >= self.seconds:
                self._at = time.monotonic()
                try:
                    self._value = self.messenger.quota()
                except Exception as exc:  # a metric is not worth an error; the gauge is left out
                    log.warning("quota lookup failed: %s", type(exc).__name__)
                    self._value = None
            return self._value


class DatabaseCollector:
    """Gauges read from the database when scraped: the same answer from every process."""

    def __init__(self, engine: Engine, quota: QuotaCache | None = None):
        self.engine, self.quota = engine, quota

    def collect(self):
        """Yield the gauge families (nothing for a part the database cannot answer now)."""
        from bot.inbox import backlog, counts_by_state

        try:
            waiting = backlog(self.engine)
            states = counts_by_state(self.engine)
        except Exception as exc:  # the database is down: /healthz says so; scrape what the process knows
            log.warning("metrics: database not readable (%s)", type(exc).__name__)
            yield GaugeMetricFamily("tsunagari_database_up", "Whether the database answered", value=0)
            return
        yield GaugeMetricFamily("tsunagari_database_up", "Whether the database answered", value=1)
        yield GaugeMetricFamily("tsunagari_inbox_backlog", "Inbox events not finished yet", value=waiting.waiting)
        yield GaugeMetricFamily("tsunagari_inbox_oldest_age_seconds", "Seconds the oldest unfinished event has "
                                "waited", value=waiting.oldest_age_seconds())
        yield GaugeMetricFamily("tsunagari_inbox_busy_lanes", "Residents whose event a worker holds now",
                                value=waiting.busy_lanes)
        yield GaugeMetricFamily("tsunagari_inbox_live_workers", "Worker processes with a recent heartbeat",
                                value=waiting.live_workers)
        by_state = GaugeMetricFamily("tsunagari_inbox_rows", "Inbox rows kept, by state", labels=["state"])
        for state, n in sorted(states.items()):
            by_state.add_metric([state], n)
        yield by_state
        yield from self._deliveries()
        yield from self._quota()

    def _deliveries(self):
        """Deliveries by state and push recipients by outcome (the push engine's table)."""
        try:
            deliveries, pushes = delivery_counts(self.engine), push_counts(self.engine)
        except Exception as exc:
            log.warning("metrics: deliveries not readable (%s)", type(exc).__name__)
            return
        family = GaugeMetricFamily("tsunagari_deliveries", "Scheduled pushes, by state", labels=["state"])
        for state, n in sorted(deliveries.items()):
            family.add_metric([state], n)
        yield family
        family = GaugeMetricFamily("tsunagari_push_recipients", "Push recipients over every delivery, by status",
                                   labels=["status"])
        for status, n in sorted(pushes.items()):
            family.add_metric([status], n)
        yield family

    def _quota(self):
        """This month's quota left (LINE's figure; absent when LINE has no limit or could not be asked)."""
        value = self.quota.get() if self.quota else None
        if value and value.get("type") == "limited" and value.get("value") is not None:
            yield GaugeMetricFamily("tsunagari_line_quota_left", "Push messages left this month",
                                    value=max(0, int(value["value"]) - int(value.get("used") or 0)))


def process_registry() -> CollectorRegistry:
    """This process's counters, or every process's of this machine in prometheus-client's multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return LOCAL


def serve_metrics(port: int, host: str = "0.0.0.0") -> None:
    """Serve this process's counters over HTTP (a worker process has no web server of its own)."""
    from prometheus_client import start_http_server

    start_http_server(port, addr=host, registry=process_registry())


def metrics_text(engine: Engine, quota: QuotaCache | None = None) -> bytes:
    """The Prometheus text exposition: process counters, then the database's gauges."""
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector(engine, quota))
    return generate_latest(process_registry()) + generate_latest(database)


# --------------------------------------------------------------------------- health

def health_report(engine: Engine) -> tuple[dict, int]:
    """(report, HTTP status): 503 only when the database cannot be reached; a slow inbox is "degraded"."""
    from bot.inbox import backlog
    from models import utcnow

    started = time.perf_counter()
    try:
        waiting = backlog(engine)
    except Exception as exc:
        return {"status": "unavailable", "database": {"reachable": False, "error": type(exc).__name__}}, 503
    now = utcnow()
    report: dict = {
        "status": "ok",
        "database": {"reachable": True, "ms": round((time.perf_counter() - started) * 1000, 1)},
        "inbox": {"backlog": waiting.waiting, "oldest_age_seconds": round(waiting.oldest_age_seconds(now), 1),
                  "busy_lanes": waiting.busy_lanes, "live_workers": waiting.live_workers},
        "scheduler": _scheduler_report(engine, now),
    }
    problems = _problems(report)
    if problems:
        report["status"], report["problems"] = "degraded", problems
    return report, 200


def _scheduler_report(engine: Engine, now) -> dict:
    """The scheduler's last heartbeat and its age (None where the scheduler keeps none yet)."""
    try:
        beat = scheduler_heartbeat(engine)
    except Exception as exc:
        return {"last_heartbeat": None, "error": type(exc).__name__}
    if beat is None:
        return {"last_heartbeat": None}
    return {"last_heartbeat": beat.isoformat() + "Z", "age_seconds": round((now - beat).total_seconds(), 1)}


def _problems(report: dict) -> list[str]:
    """What makes a reachable service degraded: replies at risk, nobody working, the scheduler silent."""
    from bot.dispatch import REPLY_WINDOW

    inbox, problems = report["inbox"], []
    if inbox["oldest_age_seconds"] > REPLY_WINDOW.total_seconds():
        problems.append("inbox: the oldest event has waited longer than a reply token lives")
    if inbox["backlog"] and not inbox["live_workers"]:
        problems.append("inbox: events wait and no worker has a heartbeat")
    age = report["scheduler"].get("age_seconds")
    if age is not None and age > SCHEDULER_STALE.total_seconds():
        problems.append("scheduler: no heartbeat for over a minute")
    return problems
