"""Benchmark: the CPU one submission costs inside the process, and the SQL statements it sends.

Posts through Flask's test client (no server, no network) to a file database: API responses with an
Idempotency-Key, and citizen forms on an office's poster link, each with a fresh form nonce. Prints CPU
milliseconds per submission (this process's user + system time), statements per submission, and the same for
a bare Flask app that parses the body and answers, as the floor. Not part of the tests:

    .venv/bin/python bench/bench_submit.py [--count 300] [--backend sqlite|postgresql] [--profile api|form]
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import pstats
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadkit import FORM_FIELDS, api_sender, bench_database

_keys = itertools.count(1)


def bare_app() -> Any:
    from flask import Flask, jsonify, redirect, request

    app = Flask("bare")

    @app.post("/api/v1/responses")
    def responses() -> Any:
        body = request.get_json()
        return jsonify({"id": len(body)}), 201

    @app.post("/s/<token>")
    def form(token: str) -> Any:
        return redirect(f"/s/{token}/thanks?n={len(request.form)}", 303)

    return app


def timed(label: str, count: int, send: Callable[[], int], expected: int, statements: list[int]) -> float:
    for _ in range(20):  # warm-up: caches, compiled statements, the pool
        assert send() == expected
    before = len(statements)
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    for _ in range(count):
        status = send()
        assert status == expected, status
    cpu = (time.process_time() - start_cpu) / count * 1000
    wall = (time.perf_counter() - start_wall) / count * 1000
    per = (len(statements) - before) / count
    print(f"{label:<34} {cpu:8.2f} ms CPU {wall:8.2f} ms wall {per:6.1f} statements")
    return cpu


def run(database_url: str, folder: Path, count: int, profile: str | None) -> None:
    sender = api_sender(database_url, folder)
    prepared, client, statements, body, api = sender.prepared, sender.client, sender.statements, sender.body, sender.api
    headers = {"Authorization": f"Bearer {prepared.api_key}"}

    page = client.get(f"/s/{prepared.token}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None

    def form() -> int:
        fields = {**FORM_FIELDS, "csrf_token": csrf.group(1), "submission_key": f"benchmark-nonce-{next(_keys):08d}"}
        return client.post(f"/s/{prepared.token}", data=fields).status_code

    bare = bare_app().test_client()

    def bare_api() -> int:
        return bare.post("/api/v1/responses", data=body, content_type="application/json", headers=headers).status_code

    def bare_form() -> int:
        return bare.post(f"/s/{prepared.token}", data={**FORM_FIELDS, "csrf_token": "x"}).status_code

    print(f"== {database_url.split(':')[0]}: {count} submissions each")
    floor_api = timed("bare Flask, JSON post", count, bare_api, 201, [])
    api_cpu = timed("POST /api/v1/responses", count, api, 201, statements)
    floor_form = timed("bare Flask, form post", count, bare_form, 303, [])
    form_cpu = timed("POST /s/<token> (citizen form)", count, form, 303, statements)
    print(f"API over its floor: {api_cpu / floor_api:.1f}x; form over its floor: {form_cpu / floor_form:.1f}x")
    if profile:
        profiler = cProfile.Profile()
        send = api if profile == "api" else form
        profiler.runcall(lambda: [send() for _ in range(count)])
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--profile", choices=("api", "form"))
    options = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="bench-submit-") as name,
        bench_database(options.backend, Path(name)) as url,
    ):
        run(url, Path(name), options.count, options.profile)


if __name__ == "__main__":
    main()
