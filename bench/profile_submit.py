"""Where the CPU of one API submission goes: a per-component table (ms per request), in-process or under gunicorn.

In-process (default): a few thousand `POST /api/v1/responses` (a new Idempotency-Key each) through Flask's test
client on a file database; measures CPU per request without a profiler, then runs the same requests under cProfile
and shares that CPU out by component (cumulative time of the functions that do each job, scaled to the unprofiled
CPU). Under gunicorn (--gunicorn): the project's gunicorn.conf.py with one worker, each request profiled in the
thread that serves it (pre_request/post_request hooks), driven by wrk for --duration seconds.

    .venv/bin/python bench/profile_submit.py [--count 3000] [--backend sqlite|postgresql] [--gunicorn]
        [--duration 10] [--top 25]

Components overlap nothing: each is the cumulative time of its entry points, and "rest" is what is left (Flask's
dispatch, the test client or gunicorn's HTTP parsing). Not part of the tests.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadkit import API_BODY, PROJECT, SECRET, UNLIMITED, api_sender, bench_database, prepare_database

# (component, [(file suffix, function name), …]): the entry points whose cumulative time is the component's.
COMPONENTS = [
    ("rate limit: count the hit", [("flask_limiter/_extension.py", "_check_request_limit")]),
    ("rate limit: response headers", [("flask_limiter/_extension.py", "__inject_headers")]),
    ("API key check (+ office scope)", [("survey/api/auth.py", "key_caller")]),
    ("JSON body parse + schema", [("survey/api/views.py", "_json_body"),
                                  ("survey/api/schemas.py", "parse_response_body")]),
    ("office scope check", [("survey/api/views.py", "_office_out_of_scope")]),
    ("idempotency fingerprint", [("survey/services/responses/idempotency.py", "request_fingerprint")]),
    ("checks, catalog, comment redaction", [("survey/services/responses/api_submission.py", "_office_and_procedure"),
                                             ("survey/services/responses/store.py", "prepare_comment")]),
    ("write transaction (insert, key, rollups, commit)", [("survey/services/responses/store.py", "_write")]),
    ("JSON answer", [("flask/json/__init__.py", "jsonify")]),
    ("access log (JSON line)", [("survey/logs.py", "_log_request")]),
    ("metrics", [("survey/metrics.py", "_count"), ("survey/metrics.py", "_start_timer")]),
    ("security headers", [("survey/security.py", "_defaults")]),
    ("language choice (i18n)", [("survey/i18n.py", "refresh"), ("survey/i18n.py", "_remember_choice")]),
    ("session guards", [("survey/auth/guards.py", "_forget_previous_request"),
                        ("survey/auth/guards.py", "_insist_on_password_change")]),
    ("session open/save", [("flask/sessions.py", "open_session"), ("flask/sessions.py", "save_session"),
                           ("survey/auth/sessions.py", "open_session"), ("survey/auth/sessions.py", "save_session")]),
    ("CSRF check", [("flask_wtf/csrf.py", "protect"), ("flask_wtf/csrf.py", "csrf_protect")]),
    ("SQLAlchemy session teardown", [("flask_sqlalchemy/session.py", "_app_ctx_id"),
                                     ("flask_sqlalchemy/extension.py", "_teardown_session")]),
]  # fmt: skip


def component_table(stats: pstats.Stats, requests: int, cpu_ms: float) -> list[tuple[str, float]]:
    """ms per request of each component, the profile's shares scaled to `cpu_ms` (CPU without the profiler)."""
    entries: dict[tuple[str, str], float] = {}
    for (filename, _line, name), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        entries[(filename, name)] = entries.get((filename, name), 0.0) + cumulative
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for label, points in COMPONENTS:
        seconds = sum(t for (f, n), t in entries.items() for suffix, name in points if f.endswith(suffix) and n == name)
        rows.append((label, seconds / total * cpu_ms if total else 0.0))
    rows.append(("rest (Flask dispatch, HTTP/test client, other)", cpu_ms - sum(ms for _label, ms in rows)))
    return rows


def print_table(title: str, rows: list[tuple[str, float]], cpu_ms: float) -> None:
    print(f"\n{title}")
    for label, ms in rows:
        print(f"  {label:<52}{ms:7.3f} ms {ms / cpu_ms * 100 if cpu_ms else 0:5.1f} %")
    print(f"  {'total CPU per request (no profiler)':<52}{cpu_ms:7.3f} ms")


def in_process(database_url: str, folder: Path, count: int, top: int) -> None:
    import logging.config

    from survey.logs import logging_config

    os.environ["SURVEY_ENV"] = "production"
    os.environ["SURVEY_SECRET_KEY"] = SECRET
    logging.config.dictConfig(logging_config("INFO"))  # as gunicorn.conf.py: the access log is written (to stderr)
    sender = api_sender(database_url, folder)

    def send() -> None:
        status = sender.api()
        assert status == 201, status

    for _ in range(50):
        send()
    started = time.process_time()
    for _ in range(count):
        send()
    cpu_ms = (time.process_time() - started) / count * 1000
    profiler = cProfile.Profile()

    def send_all() -> None:
        for _ in range(count):
            send()

    profiler.runcall(send_all)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    print_table(f"in-process, {count} API submissions, {database_url.split(':')[0]}", component_table(
        stats, count, cpu_ms), cpu_ms)  # fmt: skip
    if top:
        stats.sort_stats("tottime").print_stats(top)


HOOKS = r"""
import cProfile, os, threading, time
_profiles = {}

def pre_request(worker, req):
    profile = _profiles.setdefault(threading.get_ident(), cProfile.Profile(time.thread_time))  # CPU, not waits
    profile.enable()

def post_request(worker, req, environ, resp):
    _profiles[threading.get_ident()].disable()

def worker_exit(server, worker):
    import pstats
    found = [p for p in _profiles.values()]
    if found:
        stats = pstats.Stats(found[0])
        for other in found[1:]:
            stats.add(other)
        stats.dump_stats(os.environ["PROFILE_OUT"])
"""


def under_gunicorn(database_url: str, folder: Path, duration: int, top: int) -> None:
    from bench_load import LUA, family_cpu, free_port

    prepared = prepare_database(database_url, folder)
    config = folder / "profile.conf.py"
    chosen = str(PROJECT / "gunicorn.conf.py")
    source = f"__file__ = {chosen!r}\nexec(compile(open(__file__).read(), __file__, 'exec'))\n"
    config.write_text(f"{source}\nworkers = 1\n{HOOKS}")
    port = free_port()
    out = folder / "gunicorn.prof"
    environment = {**os.environ, "PYTHONPATH": f"{PROJECT}{os.pathsep}{PROJECT / 'bench'}", "SURVEY_ENV": "production",
                   "SURVEY_SECRET_KEY": SECRET, "SURVEY_DATABASE_URL": database_url, "PROFILE_OUT": str(out),
                   "SURVEY_API_RATE_LIMIT": UNLIMITED["API_RATE_LIMIT"]}  # fmt: skip
    log = (folder / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(config), "--bind", f"127.0.0.1:{port}", "--chdir",
         str(PROJECT / "bench"), "load_apps:survey_app()"],
        env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120  # until the worker answers (the app is preloaded in the master)
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit(f"gunicorn did not start: see {folder / 'gunicorn.log'}")
            time.sleep(0.5)
    script = folder / "post.lua"
    script.write_text(LUA, encoding="utf-8")
    cpu_before = family_cpu(server.pid)
    wrk = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{duration}s", "-s", str(script), "-H", f"Authorization: Bearer {prepared.api_key}",
         "-H", "Content-Type: application/json", f"http://127.0.0.1:{port}/api/v1/responses", "--", "api",
         "profile", "/api/v1/responses", json.dumps(API_BODY, ensure_ascii=False)],
        capture_output=True, text=True, timeout=duration + 60, check=True,
    )  # fmt: skip
    cpu = family_cpu(server.pid) - cpu_before
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=60)
    result = json.loads(next(line for line in wrk.stdout.splitlines() if line.startswith("RESULT ")).split(" ", 1)[1])
    requests = result["requests"]
    stats = pstats.Stats(str(out), stream=sys.stdout)
    cpu_ms = cpu * 1000 / requests  # profiled: the worker's CPU includes the profiler's own overhead
    print_table(f"gunicorn (1 worker, profiled), {requests} API submissions in {duration}s, "
                f"{database_url.split(':')[0]}; shares of the profiled CPU", component_table(stats, requests, cpu_ms),
                cpu_ms)  # fmt: skip
    if top:
        stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--gunicorn", action="store_true")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--top", type=int, default=0, help="also print the N functions with the most own time")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="profile-submit-") as name:
        folder = Path(name)

        with bench_database(options.backend, folder) as database_url:
            if options.gunicorn:
                under_gunicorn(database_url, folder, options.duration, options.top)
            else:
                in_process(database_url, folder, options.count, options.top)


if __name__ == "__main__":
    main()
