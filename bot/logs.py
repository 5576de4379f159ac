"""Process logs: plain lines by default, one JSON object per line with TSUNAGARI_LOG_FORMAT=json.

Callers log counts, ids of our own rows, types and statuses — never message text or LINE user ids (the
Messenger also scrubs ids from the libraries' logs). A JSON line carries the standard fields and whatever the
caller put in `extra=`. Written here rather than adding python-json-logger: the formatter is a dozen lines.
"""
from __future__ import annotations

import json
import logging
import os

_STANDARD = set(vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, extra fields, exception type."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        line = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
                "level": record.levelname, "logger": record.name, "message": record.getMessage(),
                "process": record.process}
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(environ=None) -> None:
    """Level from TSUNAGARI_LOG_LEVEL (default INFO), format from TSUNAGARI_LOG_FORMAT (plain or json), UTC."""
    import time

    env = os.environ if environ is None else environ
    handler = logging.StreamHandler()
    if (env.get("TSUNAGARI_LOG_FORMAT") or "").lower() == "json":
        formatter: logging.Formatter = JsonFormatter()
    else:
        formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    logging.basicConfig(level=(env.get("TSUNAGARI_LOG_LEVEL") or "INFO").upper(), handlers=[handler], force=True)
