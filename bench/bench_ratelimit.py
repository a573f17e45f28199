"""Benchmark: what one rate-limited request pays to count itself, per storage, on a SQLite file.

A limited request (a sign-in, a citizen's submission, an API call) costs one `incr` (the hit) plus one `get`
and one `get_expiry` (the X-RateLimit headers). Prints microseconds per request for `memory://` (per worker,
so wrong with several workers) and `database://` (shared by every worker), and a full POST /login through the
test client with each, so the share of a request is visible. Not part of the tests:

    .venv/bin/python bench/bench_ratelimit.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from limits.storage import MemoryStorage, Storage

from survey import create_app
from survey.ratelimit import DatabaseStorage


def per_request(storage: Storage, requests: int) -> float:
    start = time.perf_counter()
    for number in range(requests):
        key = f"LIMITER/addr:10.0.{number % 50}.1/auth.login/10/1/minute"
        storage.incr(key, 60)
        storage.get(key)
        storage.get_expiry(key)
    return (time.perf_counter() - start) / requests * 1e6


def login_posts(app, requests: int) -> float:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    body = {"email": "x@example.gov.vn", "password": "y" * 12, "csrf_token": token}
    start = time.perf_counter()
    for number in range(requests):
        answer = client.post("/login", data=body, environ_base={"REMOTE_ADDR": f"10.1.{number // 250}.{number % 250}"})
        assert answer.status_code == 200, answer.status_code  # refused sign-in, counted by the limit
    return (time.perf_counter() - start) / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-ratelimit-"))
    os.environ["SURVEY_INSTANCE_PATH"] = str(folder)
    url = f"sqlite:///{folder / 'bench.db'}"
    results = {}
    for name in ("memory://", "database://"):
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_STORAGE_URI": name, "PASSWORD_HASH_COST": "test",
                          "LOGIN_RATE_LIMIT": "1000000/minute", "SECRET_KEY": "x" * 40})  # fmt: skip
        with app.app_context():
            upgrade()
            storage: Storage = MemoryStorage() if name == "memory://" else DatabaseStorage()
            results[name] = (per_request(storage, args.requests), login_posts(app, min(args.requests, 500)))
    print(f"{'storage':<14}{'count + headers (µs)':>24}{'POST /login, unknown e-mail (µs)':>34}")
    for name, (counting, login) in results.items():
        print(f"{name:<14}{counting:>24.0f}{login:>34.0f}")


if __name__ == "__main__":
    main()
