"""Outside examination: resident questions about the real open-data files, asked the way `tsunagari ask` does.

One SQLite database per city is built with the real CLI (`tsunagari db upgrade`, `tsunagari import KIND PATH`),
then every question in bench/real_questions.yaml goes through bot.asking.ask_as_resident (the code path of
`tsunagari ask --as-of … --lang … --json`). Prints top-1 / top-3 by category and every miss with what came back.
Skips cleanly (exit 0) when ../shared/opendata is absent.

    .venv/bin/python -m bench.real_eval [--keep] [--only ID,ID] [--city komae] [--json OUT]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

ROOT = Path(__file__).resolve().parents[1]
OPENDATA = Path(os.environ.get("TSUNAGARI_OPENDATA", ROOT.parent / "shared" / "opendata"))
QUESTIONS = Path(__file__).with_name("real_questions.yaml")
WORKDIR = Path(os.environ.get("REALEVAL_DIR", "/tmp/realeval"))
TZ = ZoneInfo("Asia/Tokyo")
NOT_FOUND = ("見つかりません", "みつかりません", "ありませんでした", "nothing found", "no events", "not found")


def norm(text: str) -> str:
    """NFKC and lower case, so full-width and half-width forms compare equal."""
    return unicodedata.normalize("NFKC", text or "").lower()


def cli_command() -> list[str]:
    """The installed `tsunagari` console script, or the same entry point through this interpreter."""
    script = Path(sys.executable).with_name("tsunagari")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from bot.cli import main; main()"]


def run_cli(args: list[str], database: Path) -> str:
    """Run one `tsunagari` command against a city's database; its output, or an exception when it failed."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}")
    done = subprocess.run(cli_command() + args, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"tsunagari {' '.join(args)} failed: {done.stdout}\n{done.stderr}")
    return done.stdout.strip()


def build_city(name: str, files: dict, keep: bool) -> Path:
    """A fresh SQLite database for one city, loaded with the CLI from its open-data files."""
    WORKDIR.mkdir(parents=True, exist_ok=True)
    database = WORKDIR / f"{name}.db"
    if keep and database.exists():
        return database
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    run_cli(["db", "upgrade"], database)
    for kind in ("events", "facilities", "opportunities"):
        for filename in files.get(kind) or []:
            report = run_cli(["import", kind, str(OPENDATA / filename)], database)
            print(f"  [{name}] import {kind} {filename}: {report.splitlines()[1].strip() if len(report.splitlines()) > 1 else report}")
    return database


@dataclass
class Expectation:
    """One acceptable item: a title substring, optionally a facility only, optionally a start-date range."""
    title: str
    facility_only: bool = False
    first: date | None = None
    last: date | None = None

    @classmethod
    def parse(cls, spec: str) -> "Expectation":
        """Read `TITLE`, `TITLE@YYYY-MM-DD`, `TITLE@D1..D2` or `facility:NAME`."""
        if spec.startswith("facility:"):
            return cls(title=spec.split(":", 1)[1], facility_only=True)
        title, _, when = spec.partition("@")
        if not when:
            return cls(title=title)
        first, _, last = when.partition("..")
        return cls(title=title, first=date.fromisoformat(first), last=date.fromisoformat(last or first))

    def matches(self, item: dict) -> bool:
        """Whether a returned item is this expected one."""
        if self.facility_only and item.get("kind") != "facility":
            return False
        if norm(self.title) not in norm(item.get("title", "")):
            return False
        if self.first is None:
            return True
        starts = item_date(item)
        return starts is not None and self.first <= starts <= self.last


def item_date(item: dict) -> date | None:
    """The day an item starts, in city time."""
    value = item.get("starts_at")
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return (moment.astimezone(TZ) if moment.tzinfo else moment).date()


def message_texts(node) -> list[str]:
    """Every text and altText string inside LINE message objects (bubbles included)."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("text", "altText", "label") and isinstance(value, str):
                found.append(value)
            else:
                found.extend(message_texts(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(message_texts(value))
    return found


def quick_reply_count(messages: list[dict]) -> int:
    """How many quick-reply buttons the answer offers."""
    return sum(len((m.get("quickReply") or {}).get("items") or []) for m in messages)


def describe(item: dict) -> str:
    """An item as `title@date (kind)` for the failure list."""
    when = item_date(item)
    kind = "" if item.get("kind") == "event" else f" ({item.get('kind')})"
    return f"{item.get('title')}{'@' + when.isoformat() if when else ''}{kind}"


@dataclass
class Outcome:
    """How one question fared."""
    question: dict
    top1: bool = False
    top3: bool = False
    mention_ok: bool = True
    missing: list[str] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    first_text: str = ""
    quick_replies: int = 0
    error: str = ""
    ms: float = 0.0

    @property
    def passed(self) -> bool:
        """Top-3 hit and every required mention present."""
        return self.top3 and self.mention_ok


def judge(question: dict, result: dict, outcome: Outcome) -> None:
    """Fill in top-1 / top-3 / mentions from the answer the bot gave."""
    messages = result.get("messages") or []
    items = result.get("items") or []
    texts = message_texts(messages)
    blob = norm("\n".join(texts))
    outcome.items = items
    outcome.first_text = next((t for t in texts if t.strip()), "")[:160]
    outcome.quick_replies = quick_reply_count(messages)
    if question["want"] == "nothing":
        # Plainly "not found" (alternatives may follow) with choices to go on; unrelated hits presented as answers fail.
        says_none = not items or any(phrase in norm(outcome.first_text) for phrase in NOT_FOUND)
        helpful = bool(messages) and outcome.quick_replies > 0 and "error" not in blob and "エラー" not in blob
        outcome.top1 = outcome.top3 = helpful and says_none
        return
    expected = [Expectation.parse(spec) for spec in question.get("expect") or []]
    hits = [any(e.matches(item) for e in expected) for item in items]
    outcome.top1 = bool(hits[:1]) and hits[0]
    outcome.top3 = any(hits[:3])
    outcome.missing = [m for m in question.get("mention") or [] if norm(str(m)) not in blob]
    outcome.mention_ok = not outcome.missing


def ask_question(engine, question: dict) -> Outcome:
    """Put one question to the bot exactly as `tsunagari ask --as-of AT --lang L --json` would."""
    from bot.asking import ask_as_resident

    outcome = Outcome(question=question)
    now = datetime.fromisoformat(question["at"]).replace(tzinfo=TZ)
    started = time.perf_counter()
    try:
        result = ask_as_resident(engine, question["q"], now=now, lang=question.get("lang", "ja"))
    except Exception as exc:  # an examiner records crashes as failures instead of stopping the run
        outcome.error = f"{type(exc).__name__}: {exc}"
        outcome.ms = (time.perf_counter() - started) * 1000
        return outcome
    outcome.ms = (time.perf_counter() - started) * 1000
    judge(question, result, outcome)
    return outcome


def group_keys(question: dict) -> list[str]:
    """The table rows a question counts in: its city, its answer kind, its language and its tags."""
    keys = [f"city:{question['city']}", f"want:{question['want']}", f"lang:{question.get('lang', 'ja')}"]
    return keys + [f"tag:{tag}" for tag in question.get("tags") or []]


def print_table(outcomes: list[Outcome]) -> None:
    """Top-1 / top-3 / mention / pass rates per group, then overall."""
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        for key in group_keys(outcome.question):
            groups[key].append(outcome)
    print(f"\n{'group':32} {'n':>4} {'top1':>6} {'top3':>6} {'text':>6} {'pass':>6}")
    order = sorted(groups, key=lambda k: (k.split(":")[0] != "city", k.split(":")[0] != "want", k.split(":")[0], k))
    for key in order:
        print(row(key, groups[key]))
    print(row("ALL", outcomes))
    times = sorted(o.ms for o in outcomes)
    if times:
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        print(f"latency per question: p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, max {times[-1]:.0f} ms")


def row(label: str, group: list[Outcome]) -> str:
    """One table line."""
    n = len(group)

    def pct(count: int) -> str:
        return f"{100 * count / n:5.1f}%" if n else "   -  "

    return (f"{label:32} {n:4d} {pct(sum(o.top1 for o in group)):>6} {pct(sum(o.top3 for o in group)):>6} "
            f"{pct(sum(o.mention_ok for o in group)):>6} {pct(sum(o.passed for o in group)):>6}")


def print_failures(outcomes: list[Outcome]) -> None:
    """Every question that missed: what was asked, what was wanted, what came back."""
    misses = [o for o in outcomes if not o.passed or (o.question["want"] != "nothing" and not o.top1)]
    print(f"\nMisses ({sum(not o.passed for o in outcomes)} failed top-3/mention; "
          f"{sum(o.passed and not o.top1 for o in outcomes if o.question['want'] != 'nothing')} top-3 but not top-1):")
    for o in misses:
        q = o.question
        flag = "FAIL" if not o.passed else "top3-only"
        print(f"- [{flag}] {q['id']} {q['city']} at {q['at']} lang={q.get('lang', 'ja')} want={q['want']}: 「{q['q']}」")
        if q.get("expect"):
            print(f"    expected any of: {', '.join(q['expect'][:6])}{' …' if len(q['expect']) > 6 else ''}")
        if o.error:
            print(f"    ERROR: {o.error}")
            continue
        got = ", ".join(describe(item) for item in o.items[:3]) or "(no items)"
        print(f"    got top-3: {got}   [{len(o.items)} items, {o.quick_replies} quick replies]")
        print(f"    first text: {o.first_text!r}")
        if o.missing:
            print(f"    missing in answer text: {o.missing}")


def main(argv: list[str] | None = None) -> int:
    """Build the city databases, ask every question, print the table and the misses."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="reuse databases already built under the work dir")
    parser.add_argument("--only", default="", help="comma-separated question ids")
    parser.add_argument("--city", default="", help="only this city")
    parser.add_argument("--json", dest="json_out", default="", help="write every outcome as JSON here")
    parser.add_argument("--questions", default=str(QUESTIONS), help="the YAML file of questions to ask")
    parser.add_argument("--opendata", default="", help="the folder of the set's data files (default: TSUNAGARI_OPENDATA "
                                                        "or ../shared/opendata)")
    args = parser.parse_args(argv)
    global OPENDATA, WORKDIR
    if args.opendata:
        OPENDATA = Path(args.opendata).resolve()
        WORKDIR = WORKDIR / OPENDATA.name  # its own databases: city names may repeat across sets
    if not OPENDATA.is_dir():
        print(f"real_eval: {OPENDATA} is absent; real-file questions skipped.")
        return 0
    sys.path.insert(0, str(ROOT))
    from models import make_engine

    spec = yaml.safe_load(Path(args.questions).read_text(encoding="utf-8"))
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    questions = [q for q in spec["questions"]
                 if (not only or q["id"] in only) and (not args.city or q["city"] == args.city)]
    cities = sorted({q["city"] for q in questions})
    print(f"real_eval: {len(questions)} questions over {', '.join(cities)} (opendata: {OPENDATA})")
    started = time.perf_counter()
    engines = {}
    for city in cities:
        database = build_city(city, spec["cities"][city], args.keep)
        engines[city] = make_engine(f"sqlite:///{database}")
    print(f"databases ready in {time.perf_counter() - started:.1f} s")
    outcomes = [ask_question(engines[q["city"]], q) for q in questions]
    print_table(outcomes)
    print_failures(outcomes)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(
            [{"id": o.question["id"], "q": o.question["q"], "top1": o.top1, "top3": o.top3, "mention_ok": o.mention_ok,
              "missing": o.missing, "items": o.items[:5], "first_text": o.first_text, "error": o.error, "ms": o.ms}
             for o in outcomes], ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
