"""Fault script: gunicorn workers killed with SIGKILL under load. What clients were told, and what was stored.

Serves the survey with gunicorn (gunicorn.conf.py) on SQLite or a throwaway PostgreSQL server; kiosk clients send
API submissions, each with its own Idempotency-Key, and retry the same key after a dropped connection or a 503
until it is accepted (as bench_outage.py's clients do). After --before seconds one worker, chosen at random, is
killed with SIGKILL every --every seconds for --kills seconds: in the middle of a request, of a transaction or of a
commit, as the kernel's out-of-memory killer would. gunicorn's master starts a new worker each time. The clients go
on for --after seconds, then finish the keys they hold. Prints the answers by phase, the workers killed, and the
submissions accepted against the responses stored (they must be equal: nothing lost, nothing twice).

    apt-get install -y postgresql        # for --backend postgresql
    .venv/bin/python bench/bench_worker_kill.py [--backend sqlite|postgresql] [--clients 8] [--before 3]
        [--kills 20] [--every 0.5] [--after 5]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import served
from bench_outage import Clients, survey_settings
from loadkit import bench_database, count_stored, prepare_database

from tests.survey.citizen.server import worker_pids

PHASES = ("before", "kills", "after")


def kill_workers(master: int, seconds: float, every: float) -> list[int]:
    """SIGKILL a random worker every `every` seconds for `seconds`; the pids killed."""
    killed: list[int] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        workers = [pid for pid in worker_pids(master) if pid not in killed]
        if workers:
            victim = random.choice(workers)
            try:
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
            except ProcessLookupError:
                pass
        time.sleep(every)
    return killed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--before", type=float, default=3)
    parser.add_argument("--kills", type=float, default=20, help="seconds during which workers are killed")
    parser.add_argument("--every", type=float, default=0.5, help="seconds between two kills")
    parser.add_argument("--after", type=float, default=5)
    options = parser.parse_args()
    if options.clients < 1 or options.every <= 0 or min(options.before, options.kills, options.after) < 0:
        parser.error("--clients must be at least 1, --every above 0, and the phases 0 seconds or more")
    folder = Path(tempfile.mkdtemp(prefix="bench-worker-kill-"))
    try:
        clients, killed, stored, log = run(options, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report(options, clients, killed, stored, log)


def run(options: argparse.Namespace, folder: Path) -> tuple[Clients, list[int], dict[str, int], str]:
    """Serve, load, kill; then what the database holds and what gunicorn logged."""
    with bench_database(options.backend, folder) as database_url:
        prepared = prepare_database(database_url, folder)
        environment = survey_settings(options, folder, prepared.database_url)
        log_path = folder / "gunicorn.log"
        with served(options, "load_apps:survey_app()", environment, log_path) as (url, master):
            clients = Clients(url, prepared.api_key, options.clients)
            clients.start()
            time.sleep(options.before)
            clients.phase = "kills"
            killed = kill_workers(master, options.kills, options.every)
            clients.phase = "after"
            time.sleep(options.after)
            clients.finish()
        stored = count_stored(prepared.database_url)
        log = log_path.read_text(errors="replace")
    return clients, killed, stored, log


def report(options: argparse.Namespace, clients: Clients, killed: list[int], stored: dict[str, int], log: str) -> None:
    print(f"\n{options.backend}, {options.clients} clients; a worker killed with SIGKILL every {options.every:g} s "
          f"for {options.kills:g} s ({len(killed)} killed), between {options.before:g} s and {options.after:g} s "
          "of calm")  # fmt: skip
    statuses = sorted({status for _phase, status in clients.answers})
    print(f"{'phase':<8}" + "".join(f"{status:>22}" for status in statuses))
    for phase in PHASES:
        print(f"{phase:<8}" + "".join(f"{clients.answers[(phase, status)]:>22}" for status in statuses))
    accepted = len(clients.accepted)
    print(f"accepted (distinct keys answered 201): {accepted}; stored responses: {stored['responses']}; "
          f"rating counts in the rollups: {stored['rollup_ratings']}")  # fmt: skip
    server_errors = log.count('"status": 500')
    print(f"a key answered with two different ids: {len(clients.conflicts)}; "
          f"server errors (500) logged: {server_errors}")  # fmt: skip
    sound = accepted == stored["responses"] == stored["rollup_ratings"] and not clients.conflicts
    print("nothing lost, nothing twice" if sound else "MISMATCH")


if __name__ == "__main__":
    main()
