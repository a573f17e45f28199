"""`GET /metrics` for Prometheus: requests and their latency, submissions by outcome, unhandled exceptions.

Only the addresses in SURVEY_METRICS_ALLOW (default: this machine) or a scraper sending
`Authorization: Bearer <SURVEY_METRICS_TOKEN>` may read it. A request that came through a reverse proxy (it
carries X-Forwarded-For, Forwarded or X-Real-IP) is never let in by address, since the proxy's own address
would otherwise open the page to everyone: it needs the token.

Several gunicorn workers share their counts through prometheus_client's multiprocess mode: gunicorn.conf.py
gives every worker one PROMETHEUS_MULTIPROC_DIR and cleans up after a worker exits, so a scrape answered by
any worker reports the whole server. Without that variable (flask run, one process) the process's own
registry is read. There are no classification or delivery queues in the service, so no queue gauges.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Iterable

from flask import Flask, Response, abort, current_app, g, request
from flask.signals import got_request_exception
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from survey.config import ConfigurationError

REQUESTS = Counter(
    "survey_http_requests", "HTTP requests answered, by endpoint, method and status", ["endpoint", "method", "status"]
)
LATENCY = Histogram(
    "survey_http_request_duration_seconds",
    "Time from the request reaching the application to its answer, by endpoint",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
SUBMISSIONS = Counter(
    "survey_submissions",
    "Citizens' submissions: route form|api, outcome stored|refused|failed (failed = the service could not store)",
    ["route", "outcome"],
)
EXCEPTIONS = Counter("survey_unhandled_exceptions", "Exceptions that reached the error handler (each one a 500)")

SUBMISSION_ENDPOINTS = {"citizen.survey": "form", "api.create_response": "api"}
FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")
_UNCOUNTED = {None, "static", "metrics"}


def parse_allowed(raw: str | Iterable[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Addresses or networks ("127.0.0.1, 10.0.0.0/8") as networks; a bad entry stops the service at start."""
    entries = raw.split(",") if isinstance(raw, str) else list(raw)
    networks = []
    for entry in (item.strip() for item in entries):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as error:
            raise ConfigurationError(f"SURVEY_METRICS_ALLOW: {entry!r} is not an address or network") from error
    return tuple(networks)


def _outcome(status: int) -> str:
    if status >= 500:
        return "failed"
    return "stored" if status in (201, 303) else "refused"


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _count(response: Response) -> Response:
    endpoint = request.endpoint
    if endpoint in _UNCOUNTED:
        return response
    started = g.pop("metrics_started", None)
    label = str(endpoint or "unknown")
    REQUESTS.labels(label, request.method, str(response.status_code)).inc()
    if started is not None:
        LATENCY.labels(label).observe(time.perf_counter() - started)
    route = SUBMISSION_ENDPOINTS.get(label)
    if route is not None and request.method == "POST":
        SUBMISSIONS.labels(route, _outcome(response.status_code)).inc()
    return response


def _count_exception(_sender: Flask, **_extra: object) -> None:
    EXCEPTIONS.inc()


def _may_read() -> bool:
    token = current_app.config.get("METRICS_TOKEN") or ""
    header = request.headers.get("Authorization", "")
    scheme, _, sent = header.partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(sent.strip().encode(), token.encode()):
        return True
    if any(name in request.headers for name in FORWARDING_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in current_app.config["METRICS_ALLOW"])


def metrics() -> Response:
    if not _may_read():
        abort(403)
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    answer = Response(body, mimetype=CONTENT_TYPE_LATEST.split(";")[0])
    answer.headers["Content-Type"] = CONTENT_TYPE_LATEST
    answer.headers["Cache-Control"] = "no-store"
    return answer


def init_app(app: Flask) -> None:
    app.config["METRICS_ALLOW"] = parse_allowed(app.config["METRICS_ALLOW"])
    app.before_request(_start_timer)
    app.after_request(_count)
    got_request_exception.connect(_count_exception)  # once per process: the same function connects only once
    app.add_url_rule("/metrics", "metrics", metrics, methods=["GET"])
