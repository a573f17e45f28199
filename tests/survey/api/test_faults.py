"""The database fails between the response's insert and the end of the request, then the client retries with the
same Idempotency-Key: exactly one response is stored, and the retry is answered with it (issue #13, Done when)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from survey.models import IdempotencyRecord, Rollup
from survey.models import Response as StoredResponse
from survey.services.responses import store
from tests.factories import bearer, make_api_key

BODY = {"procedure_code": "1.001193", "office_code": "01.01", "channel": "kiosk", "rating": 2}


def stored(session) -> tuple[list[int], int, int]:  # type: ignore[no-untyped-def]
    """The responses' ids, the idempotency answers kept, and the rating counts in the rollups."""
    session.rollback()
    session.expire_all()
    ids = list(session.scalars(select(StoredResponse.id)))
    records = session.scalar(select(func.count()).select_from(IdempotencyRecord))
    rolled = session.scalar(select(func.coalesce(func.sum(Rollup.count), 0)).where(Rollup.metric == "rating"))
    return ids, int(records or 0), int(rolled or 0)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
def test_the_connection_killed_after_the_insert_stores_nothing_and_the_retry_stores_once(
    client, catalog, monkeypatch, postgres_server, backend
):
    """pg_terminate_backend from another connection kills the request's own connection after the response row
    was inserted: the transaction dies with it, the client is told to come back (503), and its retry stores the
    response once; a further repeat replays that answer."""
    headers = {**bearer(make_api_key(office="01.00")), "Idempotency-Key": "kiosk-7:000042"}
    real_record = store.record_answer
    killed: list[int] = []

    def kill_then_record(session, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not killed:
            connection = session.connection()
            inserted = connection.execute(text("SELECT count(*) FROM responses")).scalar_one()
            assert inserted == 1  # the response row is in, uncommitted
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
            postgres_server.execute(f"SELECT pg_terminate_backend({int(pid)})")  # another connection, as an admin
            killed.append(pid)
        return real_record(session, *args, **kwargs)

    monkeypatch.setattr(store, "record_answer", kill_then_record)
    refused = client.post("/api/v1/responses", json=BODY, headers=headers)
    assert killed and refused.status_code == 503 and int(refused.headers["Retry-After"]) > 0
    assert stored(catalog) == ([], 0, 0)
    retried = client.post("/api/v1/responses", json=BODY, headers=headers)
    repeated = client.post("/api/v1/responses", json=BODY, headers=headers)
    assert retried.status_code == repeated.status_code == 201
    ids, records, rolled = stored(catalog)
    assert ids == [retried.get_json()["id"]] == [repeated.get_json()["id"]] and records == 1 and rolled == 1


def test_a_fault_after_the_commit_is_answered_503_and_the_retry_replays_the_stored_response(
    client, catalog, monkeypatch, backend
):
    """The transaction commits, then the request fails before its answer is sent (the connection drops as the
    commit's acknowledgement travels back): the client sees 503 and retries. The response was stored once with
    its key's answer, so the retry stores nothing new and is answered with that response's id."""
    headers = {**bearer(make_api_key(office="01.00")), "Idempotency-Key": "kiosk-7:000043"}
    real_write = store._write
    failed: list[bool] = []

    def write_then_fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        real_write(*args, **kwargs)
        if not failed:
            failed.append(True)
            raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(store, "_write", write_then_fail)
    refused = client.post("/api/v1/responses", json=BODY, headers=headers)
    assert refused.status_code == 503 and int(refused.headers["Retry-After"]) > 0
    ids, records, rolled = stored(catalog)
    assert len(ids) == 1 and records == 1 and rolled == 1  # it was stored, with its answer and its count
    retried = client.post("/api/v1/responses", json=BODY, headers=headers)
    assert retried.status_code == 201 and retried.get_json() == {"id": ids[0]}
    assert stored(catalog) == (ids, 1, 1)
    other_body = client.post("/api/v1/responses", json={**BODY, "rating": 5}, headers=headers)
    assert other_body.status_code == 409 and stored(catalog) == (ids, 1, 1)
