"""gunicorn settings for the survey service: `gunicorn wsgi:app`, run from this folder, reads this file (`make
serve` does).

The defaults were measured with bench/bench_load.py (wrk, 16 connections, API and citizen-form submissions, on
SQLite and PostgreSQL, beside a bare Flask app on the same settings): see the README's production section.
In production put a buffering proxy in front (deploy/nginx/survey.conf): nginx reads a slow phone's request
and writes its answer, so a worker is busy only while the app works, never while a 3G upload trickles in.

Every worker writes its /metrics counts into one shared folder (prometheus_client's multiprocess mode), so a
scrape answered by any worker reports the whole server. PROMETHEUS_MULTIPROC_DIR names the folder; without it a
fresh one is made for this server. Counts of a previous run are wiped at start, and a worker's live gauges
are dropped when it exits.

Environment: PORT (8000) or SURVEY_BIND (host:port, or unix:/path.sock), WEB_CONCURRENCY (worker processes;
default two per CPU), SURVEY_THREADS (threads per worker; default 1), SURVEY_LOG_LEVEL (INFO).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # this project's `survey`, whatever else is installed

from gunicorn.glogging import Logger

from survey.logs import logging_config

bind = os.environ.get("SURVEY_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
# Measured on 2 CPUs (bench/bench_load.py, wrk, 16 connections, same run): two single-threaded workers per CPU
# serve 23-50 % more submissions than one worker of 4 threads per CPU (API on SQLite 1,064 -> 1,312 r/s, on
# PostgreSQL 637 -> 953; citizen form 371 -> 498), with lower p99: threads of one process wait for each other's
# turn at the interpreter lock while one of them holds the database's write turn. nginx in front (see above)
# keeps slow clients off the single thread. gthread (not sync) keeps the proxy's idle connections alive
# without holding that thread.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1))
worker_class = "gthread"
threads = int(os.environ.get("SURVEY_THREADS") or 1)
keepalive = 5  # seconds an idle keep-alive connection from the proxy is kept open
timeout = 30  # a worker silent this long is restarted
graceful_timeout = 20
max_requests = 20000  # recycle each worker now and then (with jitter, so they do not all restart at once)
max_requests_jitter = 2000
preload_app = True  # import the app once in the master: workers start in milliseconds and share its memory

accesslog = None  # the app writes one structured line per request (survey/logs.py): route, never path or token
logconfig_dict = logging_config(os.environ.get("SURVEY_LOG_LEVEL", "INFO").upper())


class AppWritesAccessLog(Logger):
    """gunicorn's own access line is off, but with logconfig_dict set gunicorn would still gather every request's
    log fields (headers, environ, times: about 5 % of a request's CPU in the profile) for a logger that writes
    nothing."""

    def access(self, resp: object, req: object, environ: object, request_time: object) -> None:
        return None


logger_class = AppWritesAccessLog

control_socket_disable = True  # nothing here uses gunicorn's control socket

_MADE_HERE = None
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _MADE_HERE = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="survey-metrics-")


def on_starting(server: object) -> None:
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


def when_ready(server: object) -> None:
    """With preload_app, build the redaction word lists once in the master: every worker inherits them."""
    from survey.services.responses.store import warm_up

    warm_up()


def post_worker_init(worker: object) -> None:
    """Without preload_app, each worker builds them before its first request (a no-op when inherited)."""
    from survey.services.responses.store import warm_up

    warm_up()


def child_exit(server: object, worker: object) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]


def on_exit(server: object) -> None:
    if _MADE_HERE:
        shutil.rmtree(_MADE_HERE, ignore_errors=True)
