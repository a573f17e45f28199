"""gunicorn workers killed with SIGKILL while kiosks submit, on SQLite and PostgreSQL (issue #13, Faults): a kiosk
whose connection drops retries the same Idempotency-Key, and in the end every key accepted is stored exactly once,
with its idempotency answer and its rollup count. bench/bench_worker_kill.py is the longer version of this test.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import threading
import time

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import IdempotencyRecord, Response, Rollup
from tests.factories import OFFICE, PROCEDURE
from tests.survey.api.test_concurrent_submissions import prepare, read
from tests.survey.citizen.server import LiveServer, free_port, gunicorn, worker_pids

pytestmark = pytest.mark.slow

KIOSKS = 4
KILLS = 5


class Kiosks:
    """Kiosks posting submissions, each retrying its own key until it is accepted, as a real kiosk does."""

    def __init__(self, server: LiveServer, raw_key: str) -> None:
        self.server = server
        self.raw_key = raw_key
        self.accepted: dict[str, list[int]] = {}  # key -> the ids it was answered with
        self.dropped = 0  # connections that broke before an answer
        self.other: list[int] = []  # any status but 201 and 503
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(number,)) for number in range(KIOSKS)]

    def post(self, key: str, rating: int) -> tuple[int | None, int | None]:
        body = {"procedure_code": PROCEDURE, "office_code": OFFICE, "channel": "kiosk", "rating": rating}
        headers = {"Authorization": f"Bearer {self.raw_key}", "Content-Type": "application/json",
                   "Idempotency-Key": key}  # fmt: skip
        try:
            reply = self.server.client().request("POST", "/api/v1/responses", json.dumps(body).encode(), headers)
        except (OSError, http.client.HTTPException):
            return None, None
        return reply.status, json.loads(reply.body).get("id") if reply.status == 201 else None

    def run(self, number: int) -> None:
        sequence = 0
        while not self.stop.is_set():
            sequence += 1
            key = f"kiosk-{number}:{sequence:05d}"
            for _attempt in range(100):  # this key until it is accepted, even once new keys have stopped
                status, response_id = self.post(key, 1 + sequence % 5)
                with self.lock:
                    if status is None:
                        self.dropped += 1
                    elif status == 201:
                        self.accepted.setdefault(key, []).append(int(response_id or 0))
                    elif status != 503:
                        self.other.append(status)
                if status == 201:
                    break
                time.sleep(0.1)


def test_workers_killed_under_load_lose_nothing_accepted_and_store_nothing_twice(database_url, tmp_path, backend):
    raw_key, _token = prepare(database_url, tmp_path)
    unlimited = {"SURVEY_API_RATE_LIMIT": "1000000/minute"}  # four kiosks send far more than a real one
    with gunicorn(database_url, tmp_path, port=free_port(), workers=2, threads=2, environment=unlimited) as server:
        kiosks = Kiosks(server, raw_key)
        for thread in kiosks.threads:
            thread.start()
        time.sleep(1.0)
        killed = []
        for _ in range(KILLS):
            before = len(kiosks.accepted)
            victim = random.choice(worker_pids(server.process.pid))
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)
            deadline = time.monotonic() + 20
            while len(kiosks.accepted) < before + 20 and time.monotonic() < deadline:
                time.sleep(0.05)  # until the service has taken new submissions again
        time.sleep(0.5)
        kiosks.stop.set()
        for thread in kiosks.threads:
            thread.join(60)
        assert server.client().get("/healthz").status == 200
        log = server.log.read_text(errors="replace")
    assert len(set(killed)) == KILLS and not any(thread.is_alive() for thread in kiosks.threads)
    assert kiosks.dropped >= 1  # kills caught requests in flight (4 kiosks keep both workers busy: 6-9 a run)
    assert kiosks.other == [] and '"status": 500' not in log
    twice = {key: ids for key, ids in kiosks.accepted.items() if len(set(ids)) != 1}
    assert twice == {}  # a retried key is answered with the response it stored, never a second one

    def stored() -> tuple[int, int, int]:
        responses = db.session.scalar(select(func.count()).select_from(Response))
        records = db.session.scalar(select(func.count()).select_from(IdempotencyRecord))
        rated = db.session.scalar(select(func.coalesce(func.sum(Rollup.count), 0)).where(Rollup.metric == "rating"))
        return int(responses or 0), int(records or 0), int(rated or 0)

    accepted = len(kiosks.accepted)
    assert accepted > KILLS * 20
    assert read(database_url, tmp_path, stored) == (accepted, accepted, accepted)
