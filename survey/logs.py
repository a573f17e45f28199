"""Structured logs without personal data: one JSON object per line, for the access log and the error log.

A request is logged by its route pattern (`/s/<token>`), never its path or query string, so survey tokens,
dossier codes and search terms stay out of the logs; bodies (comments, answers) are never logged, and SQL errors
carry no parameters (the engine runs with `hide_parameters`). The client's address is logged only when the
operator asks for it (`SURVEY_LOG_IPS=1`, e.g. to trace abuse). gunicorn.conf.py installs `logging_config()` for
gunicorn and the app; any other server can call `logging.config.dictConfig(logging_config())` the same way.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, request

ACCESS_LOGGER = "survey.access"
# Attributes every LogRecord has; anything else on a record was passed with `extra=` and is written as a field.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", …extra fields…, "error"?}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((key, value) for key, value in record.__dict__.items() if key not in _STANDARD)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` for gunicorn and the app: JSON lines on standard error."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": handler},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "WARNING", "handlers": ["stderr"], "propagate": False},  # the app logs them
            "survey": {"level": level, "handlers": ["stderr"], "propagate": False},
            "sqlalchemy": {"level": "WARNING"},
        },
    }


def _start_clock() -> None:
    g.request_started = time.perf_counter()


def _log_request(response: Response) -> Response:
    """One access-log line per request: route pattern, status, duration, size (and the address only if asked)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not logger.isEnabledFor(logging.INFO):
        return response
    started = g.get("request_started")
    fields: dict[str, Any] = {
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule is not None else None,
        "status": response.status_code,
        "ms": round((time.perf_counter() - started) * 1000, 1) if started is not None else None,
        "bytes": response.calculate_content_length(),
    }
    if current_app.config.get("LOG_IPS"):
        fields["ip"] = request.remote_addr
    logger.info("request", extra=fields)
    return response


def init_app(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, _start_clock)
    app.after_request(_log_request)
