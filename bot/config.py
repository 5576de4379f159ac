"""Configuration, read from the environment only when a process starts (never at import)."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

# Made-up credentials used with --emulator when none are set; never valid on real LINE.
EMULATOR_SECRET = "emulator-channel-secret"
EMULATOR_TOKEN = "emulator-access-token"


def public_base_url(host: str, port: int) -> str:
    """The URL this process can be reached at from itself (0.0.0.0 binds everywhere; talk to loopback)."""
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{port}"


class ConfigError(RuntimeError):
    """The environment lacks something a process needs."""


@dataclass(frozen=True)
class Config:
    """Everything a process needs to know about its environment."""

    database_url: str | None = None
    channel_secret: str | None = None
    channel_access_token: str | None = None
    line_api_host: str | None = None  # None = real LINE
    secret_key: str = field(default_factory=lambda: secrets.token_hex(32))
    tz: str = "Asia/Tokyo"
    emulator: bool = False
    inbox_threads: int = 2  # 0 = no workers in the web process (`tsunagari worker` runs them)
    web_threads: int = 8  # waitress threads serving requests in one web process
    db_pool_size: int | None = None  # connections kept per process (None: enough for its threads)
    max_body_bytes: int = 1024 * 1024
    http_timeout: tuple[float, float] = (3.0, 10.0)
    proxy_count: int = 0  # reverse proxies in front (X-Forwarded-For etc. are trusted only from these)
    quiet_hours: str = "21:00-08:00"  # city time when pushes that are not urgent wait; "" = none
    public_url: str | None = None  # the deployment's public address (https://…): LINE fetches card images there
    testing: bool = False
    session_cookie_secure: bool = True
    # The one folder for what a deployment keeps on disk: the default SQLite file, the secret key, uploads, caches.
    instance_dir: Path = Path("instance")
    extra: Mapping[str, object] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> "Config":
        """Build a Config from environment variables (DESIGN.md: Environment)."""
        env = os.environ if environ is None else environ
        instance_dir = Path(env.get("TSUNAGARI_INSTANCE_DIR") or "instance")
        values = dict(
            instance_dir=instance_dir,
            database_url=env.get("DATABASE_URL") or (f"sqlite:///{instance_dir / 'tsunagari.db'}"
                                                     if env.get("TSUNAGARI_INSTANCE_DIR") else None),
            channel_secret=env.get("LINE_CHANNEL_SECRET") or None,
            channel_access_token=env.get("LINE_CHANNEL_ACCESS_TOKEN") or None,
            line_api_host=env.get("LINE_API_HOST") or None,
            tz=env.get("TSUNAGARI_TZ") or "Asia/Tokyo",
        )
        if env.get("SECRET_KEY"):
            values["secret_key"] = env["SECRET_KEY"]
        if "TSUNAGARI_QUIET_HOURS" in env:  # set but empty means no quiet hours at all
            values["quiet_hours"] = env["TSUNAGARI_QUIET_HOURS"]
        if env.get("TSUNAGARI_PUBLIC_URL"):
            values["public_url"] = env["TSUNAGARI_PUBLIC_URL"].rstrip("/")
        if env.get("TSUNAGARI_HTTP_TIMEOUT"):  # seconds LINE may take to answer one request (default 10)
            values["http_timeout"] = (3.0, float(env["TSUNAGARI_HTTP_TIMEOUT"]))
        if env.get("TSUNAGARI_PROXY_COUNT"):
            values["proxy_count"] = int(env["TSUNAGARI_PROXY_COUNT"])
        if env.get("TSUNAGARI_INBOX_THREADS"):
            values["inbox_threads"] = int(env["TSUNAGARI_INBOX_THREADS"])
        if env.get("TSUNAGARI_WEB_THREADS"):
            values["web_threads"] = int(env["TSUNAGARI_WEB_THREADS"])
        if env.get("TSUNAGARI_DB_POOL_SIZE"):
            values["db_pool_size"] = int(env["TSUNAGARI_DB_POOL_SIZE"])
        values.update(overrides)
        return cls(**values)

    @property
    def upload_dir(self) -> Path:
        """Where console uploads (event and notice images) are kept."""
        return self.instance_dir / "uploads"

    @property
    def index_cache_dir(self) -> Path:
        """Where short-lived commands keep the built search index between runs."""
        return self.instance_dir / "search-cache"

    def pool_options(self, threads: int) -> dict:
        """Connection pool settings for a process running `threads` threads that use the database."""
        size = self.db_pool_size or threads
        return {"pool_size": size, "max_overflow": max(2, size // 2)}

    def with_persistent_secret_key(self, environ: Mapping[str, str] | None = None) -> "Config":
        """Without SECRET_KEY, keep one in the instance folder's secret_key so console sessions survive restarts."""
        env = os.environ if environ is None else environ
        if env.get("SECRET_KEY"):
            return self
        path = self.instance_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_hex(32))
        return replace(self, secret_key=path.read_text().strip())

    def with_emulator(self, base_url: str) -> "Config":
        """Fill in made-up secrets and point the Messenger at the built-in emulator."""
        return replace(
            self,
            emulator=True,
            channel_secret=self.channel_secret or EMULATOR_SECRET,
            channel_access_token=self.channel_access_token or EMULATOR_TOKEN,
            line_api_host=self.line_api_host or base_url.rstrip("/") + "/emulator",
            session_cookie_secure=False,
        )

    def with_emulator_token(self) -> "Config":
        """A process that only talks to an emulator (LINE_API_HOST …/emulator) may use its made-up token."""
        host = (self.line_api_host or "").rstrip("/")
        if self.channel_access_token or not host.endswith("/emulator"):
            return self
        return replace(self, channel_access_token=EMULATOR_TOKEN)

    def require_line_secrets(self) -> None:
        """Refuse to serve real LINE without the channel secret and access token."""
        missing = [name for name, value in (("LINE_CHANNEL_SECRET", self.channel_secret),
                                            ("LINE_CHANNEL_ACCESS_TOKEN", self.channel_access_token)) if not value]
        if missing:
            raise ConfigError(f"missing {', '.join(missing)} (or run with --emulator)")
