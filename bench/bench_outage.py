"""Benchmark: PostgreSQL stopped for 30 s under load. What clients were told, and what was stored.

Serves the survey with gunicorn (gunicorn.conf.py) on a throwaway PostgreSQL server; 8 kiosk clients send API
submissions, each with its own Idempotency-Key, and retry the same key after a 503 (waiting 1 s, not the
Retry-After of a real kiosk, to keep the run short) until it is accepted. After --before seconds the server is
stopped (pg_ctl stop -m fast: connections dropped), after --outage seconds started again, and the clients go on
for --after seconds, then finish the keys they hold. Prints, per phase, the answers by status, then the
submissions accepted against the responses stored (they must be equal: nothing lost, nothing twice).

    apt-get install -y postgresql
    .venv/bin/python bench/bench_outage.py [--clients 8] [--before 5] [--outage 30] [--after 10]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import BENCH, served, wrapped_config
from loadkit import API_BODY, PROJECT, SECRET, count_stored, prepare_database


class Clients:
    """Kiosks posting submissions, each retrying its own key until it is accepted."""

    def __init__(self, base_url: str, api_key: str, count: int) -> None:
        self.host, port = base_url.removeprefix("http://").split(":")
        self.port = int(port)
        self.api_key = api_key
        self.phase = "before"
        self.answers: Counter[tuple[str, str]] = Counter()  # (phase, status) -> count
        self.accepted: dict[str, int] = {}  # key -> response id
        self.conflicts: list[str] = []  # a key answered with two different ids
        self.first_accepted_after: float | None = None
        self.restarted_at: float | None = None
        self.lock = threading.Lock()
        self.stop_new = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(number,)) for number in range(count)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        """No new keys from now on; wait until every client's last key is accepted."""
        self.stop_new.set()
        for thread in self.threads:
            thread.join(60)

    def post(self, key: str) -> tuple[str, int | None]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        headers = {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json",
                   "Idempotency-Key": key}  # fmt: skip
        try:
            connection.request("POST", "/api/v1/responses", body=json.dumps(API_BODY).encode(), headers=headers)
            reply = connection.getresponse()
            body = reply.read()
            return str(reply.status), json.loads(body).get("id") if reply.status == 201 else None
        except (OSError, http.client.HTTPException) as error:  # dropped, or cut short (IncompleteRead): retry the key
            return type(error).__name__, None
        finally:
            connection.close()

    def run(self, number: int) -> None:
        sequence = 0
        while not self.stop_new.is_set():
            sequence += 1
            key = f"kiosk-{number}:{sequence:06d}"
            while True:  # this key until it is accepted, even after new keys have stopped
                status, response_id = self.post(key)
                with self.lock:
                    self.answers[(self.phase, status)] += 1
                    if response_id is not None:
                        if self.accepted.setdefault(key, response_id) != response_id:
                            self.conflicts.append(key)
                        if self.restarted_at is not None and self.first_accepted_after is None:
                            self.first_accepted_after = time.monotonic() - self.restarted_at
                if response_id is not None:
                    break
                time.sleep(1.0)


def survey_settings(options: argparse.Namespace, folder: Path, database_url: str) -> dict[str, str]:
    """Serve with the project's gunicorn.conf.py as it is (and the benchmark's readiness hook); the survey's
    environment for this database."""
    options.wrapped_config = folder / "bench.conf.py"
    options.wrapped_config.write_text(wrapped_config(PROJECT / "gunicorn.conf.py"), encoding="utf-8")
    options.workers = options.threads = options.worker_class = None
    return {**os.environ, "PYTHONPATH": f"{PROJECT}{os.pathsep}{BENCH}", "SURVEY_ENV": "production",
            "SURVEY_SECRET_KEY": SECRET, "SURVEY_DATABASE_URL": database_url,
            "SURVEY_INSTANCE_PATH": str(folder / "instance")}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--before", type=float, default=5)
    parser.add_argument("--outage", type=float, default=30)
    parser.add_argument("--after", type=float, default=10)
    options = parser.parse_args()
    from tests.postgres_server import start_server

    server = start_server()
    if server is None:
        sys.exit("PostgreSQL binaries (initdb, pg_ctl) not found: apt-get install -y postgresql")
    folder = Path(tempfile.mkdtemp(prefix="bench-outage-"))
    try:
        server.execute("CREATE DATABASE bench")
        prepared = prepare_database(server.url("bench"), folder)
        environment = survey_settings(options, folder, prepared.database_url)
        with served(options, "load_apps:survey_app()", environment, folder / "gunicorn.log") as (url, _master):
            clients = Clients(url, prepared.api_key, options.clients)
            clients.start()
            time.sleep(options.before)
            clients.phase = "outage"
            server.pause()
            time.sleep(options.outage)
            server.resume()
            clients.restarted_at = time.monotonic()
            clients.phase = "after"
            time.sleep(options.after)
            clients.finish()
        stored = count_stored(prepared.database_url)
        log = (folder / "gunicorn.log").read_text(errors="replace")
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    report(options, clients, stored, log)


def report(options: argparse.Namespace, clients: Clients, stored: dict[str, int], log: str) -> None:
    print(f"\n{options.clients} clients; PostgreSQL stopped after {options.before:.0f} s for {options.outage:.0f} s, "
          f"then {options.after:.0f} s more")  # fmt: skip
    statuses = sorted({status for _phase, status in clients.answers})
    print(f"{'phase':<8}" + "".join(f"{status:>18}" for status in statuses))
    for phase in ("before", "outage", "after"):
        print(f"{phase:<8}" + "".join(f"{clients.answers[(phase, status)]:>18}" for status in statuses))
    accepted = len(clients.accepted)
    print(f"accepted (distinct keys answered 201): {accepted}; stored responses: {stored['responses']}; "
          f"rating counts in the rollups: {stored['rollup_ratings']}")  # fmt: skip
    server_errors = log.count('"status": 500')
    print(
        f"a key answered with two different ids: {len(clients.conflicts)}; server errors (500) logged: {server_errors}"
    )
    if clients.first_accepted_after is not None:
        print(f"first submission accepted {clients.first_accepted_after:.1f} s after PostgreSQL was started again")
    verdict = (
        "nothing lost, nothing twice" if accepted == stored["responses"] == stored["rollup_ratings"] else "MISMATCH"
    )
    print(verdict)


if __name__ == "__main__":
    main()
