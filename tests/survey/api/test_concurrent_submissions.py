"""Many submissions at once through a real gunicorn (two processes, four threads each), on SQLite and PostgreSQL:
nothing lost, nothing stored twice, and the rollups counted on the way in equal a recount from the responses.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import IdempotencyRecord, RatingRollup, Response, Rollup
from survey.services.responses.rollups import rebuild_rollups
from tests.conftest import make_app
from tests.factories import OFFICE, PROCEDURE, make_api_key, make_dossier_link
from tests.survey.citizen.server import SECRET, WebClient, free_port, gunicorn, hidden_fields

pytestmark = pytest.mark.slow


def prepare(database_url: str, tmp_path: Path, links: int = 0) -> tuple[str, list[str]]:
    """The catalog, an API key for the ward office and `links` one-time links (QR receipts) for birth registration."""
    from tests.factories import load_catalog

    app = make_app(database_url, tmp_path / "setup", SECRET_KEY=SECRET)
    with app.app_context():
        load_catalog()
        raw_key = make_api_key(office=OFFICE)
        tokens = [make_dossier_link(office=OFFICE, procedure=PROCEDURE).token for _ in range(links)]
        db.session.remove()
        db.engine.dispose()
    return raw_key, tokens


def at_once(count: int, send: Callable[[int], object]) -> list[object]:
    """`send(i)` from `count` threads released together; what each returned (or raised)."""
    barrier = threading.Barrier(count)
    outcomes: list[object] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = send(index)
        except Exception as exc:  # kept and asserted on below
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return outcomes


def read(database_url: str, tmp_path: Path, query: Callable[[], object]) -> object:
    app = make_app(database_url, tmp_path / "read", SECRET_KEY=SECRET)
    with app.app_context():
        try:
            return query()
        finally:
            db.session.remove()
            db.engine.dispose()


def test_fifty_simultaneous_repeats_of_one_idempotency_key_store_one_response(database_url, tmp_path, backend):
    raw_key, _tokens = prepare(database_url, tmp_path)
    body = json.dumps({"procedure_code": PROCEDURE, "office_code": OFFICE, "channel": "kiosk", "rating": 3})
    headers = {"Authorization": f"Bearer {raw_key}", "Content-Type": "application/json", "Idempotency-Key": "k-1"}
    with gunicorn(database_url, tmp_path, port=free_port(), workers=2, threads=4) as server:

        def send(_index: int) -> tuple[int, object]:
            reply = server.client().request("POST", "/api/v1/responses", body.encode(), headers)
            return reply.status, json.loads(reply.body)

        outcomes = at_once(50, send)
    assert all(isinstance(outcome, tuple) for outcome in outcomes), outcomes
    assert {outcome[0] for outcome in outcomes} == {201}, outcomes  # type: ignore[index]
    assert len({json.dumps(outcome[1]) for outcome in outcomes}) == 1  # type: ignore[index]

    def stored() -> tuple[int, int]:
        return (
            db.session.scalar(select(func.count()).select_from(Response)),
            db.session.scalar(select(func.count()).select_from(IdempotencyRecord)),
        )

    assert read(database_url, tmp_path, stored) == (1, 1)


def test_rollups_counted_under_concurrent_submissions_equal_a_recount(database_url, tmp_path, backend):
    """40 kiosks and phones submit at once, API and form (one-time links) mixed: every accepted answer is stored
    once, and the rollups kept in step equal a recount from the stored responses and the answers as sent."""
    raw_key, tokens = prepare(database_url, tmp_path, links=20)
    sent: Counter[tuple[str, str]] = Counter()
    lock = threading.Lock()
    with gunicorn(database_url, tmp_path, port=free_port(), workers=2, threads=4) as server:

        def send(index: int) -> int:
            rating, on_time = 1 + index % 5, ("early", "on_time", "late")[index % 3]
            if index % 2:
                body = {"procedure_code": PROCEDURE, "office_code": OFFICE, "channel": "kiosk", "rating": rating,
                        "on_time": on_time, "elements": {"staff": 1 + (index * 3) % 5}}  # fmt: skip
                headers = {"Authorization": f"Bearer {raw_key}", "Content-Type": "application/json",
                           "Idempotency-Key": f"kiosk-{index}"}  # fmt: skip
                status = server.client().request("POST", "/api/v1/responses", json.dumps(body).encode(), headers).status
                answers = {"rating": str(rating), "on_time": on_time, "element_staff": str(1 + (index * 3) % 5)}
            else:
                phone, token = WebClient(*server.host_port), tokens[index // 2]
                fields = {**hidden_fields(phone.get(f"/s/{token}").text), "rating": str(rating), "on_time": on_time}
                status = phone.post(f"/s/{token}", fields).status
                answers = {"rating": str(rating), "on_time": on_time}
            if status in (201, 303):
                with lock:
                    sent.update(answers.items())
            return status

        statuses = at_once(40, send)
    assert statuses == [303 if index % 2 == 0 else 201 for index in range(40)], statuses

    def rollup_state() -> tuple[int, Counter[tuple[str, str]], list[tuple[object, ...]], list[tuple[object, ...]]]:
        responses = int(db.session.scalar(select(func.count()).select_from(Response)) or 0)
        fine = sorted(tuple(row) for row in db.session.execute(select(Rollup.__table__)))
        compact = sorted(tuple(row) for row in db.session.execute(select(RatingRollup.__table__)))
        by_answer: Counter[tuple[str, str]] = Counter()
        for metric, value, count in db.session.execute(select(Rollup.metric, Rollup.value, Rollup.count)):
            if metric in ("rating", "on_time", "element_staff"):
                by_answer[(metric, value)] += count
        return responses, by_answer, fine, compact

    def rebuilt() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        rebuild_rollups(db.session)
        fine = sorted(tuple(row) for row in db.session.execute(select(Rollup.__table__)))
        compact = sorted(tuple(row) for row in db.session.execute(select(RatingRollup.__table__)))
        return fine, compact

    responses, by_answer, fine, compact = read(database_url, tmp_path, rollup_state)  # type: ignore[misc]
    assert responses == 40
    assert by_answer == sent  # each answer as sent, counted once
    assert (fine, compact) == read(database_url, tmp_path, rebuilt)
