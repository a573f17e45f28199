"""Idempotency-Key for API writes: a retried request gets the first answer and stores nothing new.

A request claims its key by inserting a pending record (status 0) before it does any work; the unique
constraint on (api key, Idempotency-Key) lets exactly one request win, even when two arrive at once. The
loser waits for the winner's answer and replays it. A different body under the same key is a conflict.
Only successful answers are kept: a request that failed validation releases its key so it can be corrected.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.models import IdempotencyRecord

PENDING = 0
KEY_MAX = 255
ABANDONED_AFTER = timedelta(minutes=2)  # a claim older than this belonged to a worker that died


@dataclass(frozen=True)
class Replay:
    """The answer the first request with this key got."""

    status_code: int
    body: dict[str, Any]


class IdempotencyConflict(Exception):
    """The key was used before with a different request body."""


class StillProcessing(Exception):
    """Another request with this key is still being handled; the client should retry shortly."""


def request_fingerprint(body: Any) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces): the same data hashes alike however it is spaced."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def submission_key_for(api_key_id: int, idempotency_key: str) -> str:
    """The response's submission_key for an API request: a second, database-level guard against doubles."""
    return hashlib.sha256(f"api:{api_key_id}\n{idempotency_key}".encode("utf-8", "surrogatepass")).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def claim(
    session: Session, *, api_key_id: int, key: str, request_hash: str, wait_seconds: float = 10.0
) -> int | Replay:
    """The new record's id when this request may proceed, or the first request's answer to replay."""
    deadline = time.monotonic() + wait_seconds
    while True:
        record = IdempotencyRecord(
            api_key_id=api_key_id,
            key=key,
            request_hash=request_hash,
            status_code=PENDING,
            body={},
            created_at=datetime.now(UTC),
        )
        session.add(record)
        try:
            session.flush()
            record_id = record.id
            session.commit()
            return record_id
        except IntegrityError:
            session.rollback()
        existing = session.scalar(
            select(IdempotencyRecord)
            .where(IdempotencyRecord.api_key_id == api_key_id, IdempotencyRecord.key == key)
            .execution_options(populate_existing=True)
        )
        if existing is None:
            continue  # released meanwhile: try to claim again
        if existing.request_hash != request_hash:
            raise IdempotencyConflict()
        if existing.status_code != PENDING:
            return Replay(existing.status_code, dict(existing.body))
        if datetime.now(UTC) - _aware(existing.created_at) > ABANDONED_AFTER:
            release(session, existing.id)
            continue
        if time.monotonic() > deadline:
            raise StillProcessing()
        session.rollback()  # end the read so the next look sees the winner's commit
        time.sleep(0.02)


def record_answer(session: Session, record_id: int, status_code: int, body: dict[str, Any]) -> None:
    """Keep the answer in the caller's transaction (the response's own), so the two are stored together."""
    session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.id == record_id)
        .values(status_code=status_code, body=body)
        .execution_options(synchronize_session=False)
    )


def complete(session: Session, record_id: int, status_code: int, body: dict[str, Any]) -> None:
    """Keep the answer so later repeats replay it."""
    record_answer(session, record_id, status_code, body)
    session.commit()


def release(session: Session, record_id: int) -> None:
    """Forget a claim whose request did not succeed, so the client may send a corrected request.

    Whatever the failed request left in the session is discarded first: its work must not be kept anyway.
    """
    session.rollback()
    session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id).execution_options(synchronize_session=False)
    )
    session.commit()
