"""`tsunagari demo`: a fresh database with a fictional city, served with the emulator."""
from __future__ import annotations

import logging
import threading
import time
import urllib.request
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import Config, public_base_url

log = logging.getLogger(__name__)

DEMO_ACCOUNTS = (("admin@demo.example.jp", "admin", None), ("staff@demo.example.jp", "staff", None),
                 ("center@demo.example.jp", "org", "中央地区交流センター運営協議会"))
DEMO_PASSWORD = "tsunagari-demo"


def fresh_demo_database(instance_dir: Path = Path("instance")) -> str:
    """Delete and recreate demo.db in the instance folder through the migrations; returns its URL."""
    from models.migrate import upgrade

    demo_db = instance_dir / "demo.db"
    demo_db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(demo_db) + suffix).unlink(missing_ok=True)
    url = f"sqlite:///{demo_db}"
    upgrade(url)
    return url


def seed_demo(url: str, today: date) -> None:
    """The demo city and console accounts (passwords printed: this is a local demo)."""
    from content.accounts import add_user
    from content.demo_city import seed_demo_city
    from models import make_engine, session_scope

    with session_scope(make_engine(url)) as session:
        seed_demo_city(session, today)
    with session_scope(make_engine(url)) as session:
        for email, role, org in DEMO_ACCOUNTS:
            add_user(session, email, role, org_name=org, password=DEMO_PASSWORD)


def prepare_demo(host: str, port: int):
    """Build the demo app: fresh seeded database, emulator on, workers in the web process."""
    from bot.app import create_app

    instance_dir = Config.from_env().instance_dir
    url = fresh_demo_database(instance_dir)
    config = Config.from_env(database_url=url).with_emulator(public_base_url(host, port))
    seed_demo(url, datetime.now(ZoneInfo(config.tz)).date())  # the city's today, not the machine's
    print("console accounts (password: %s): %s" % (DEMO_PASSWORD, ", ".join(a[0] for a in DEMO_ACCOUNTS)))
    return create_app(config), config


def start_demo_richmenu(config: Config) -> None:
    """Deploy the rich menu to the emulator once the server answers (in the background)."""
    def deploy() -> None:
        from bot.richmenu import deploy_rich_menu

        base = config.line_api_host.rsplit("/emulator", 1)[0]
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        try:
            deploy_rich_menu(config)
        except Exception:
            log.exception("rich menu deploy to the emulator failed")

    threading.Thread(target=deploy, name="demo-richmenu", daemon=True).start()
