"""Idempotency-Key for API writes: a retried request gets the first answer and stores nothing new.

The key's answer is inserted in the same transaction as the response it answers, so the two are stored together
or not at all, and no request ever waits on a "pending" key. Two requests with one key cannot both store: the
response carries a submission_key derived from the API key and the Idempotency-Key (unique), so the second
insert waits for the first transaction (PostgreSQL: on the unique index; SQLite: on the write lock) and then
fails; the loser then reads the winner's answer and replays it, or refuses a different body with 409.
Only successful answers are kept: a request that failed validation stores nothing, so the client may correct it
and send it again with the same key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session

from survey.models import IdempotencyRecord

KEY_MAX = 255
_RECORDS = cast(Table, IdempotencyRecord.__table__)
# Built once: a submission, a replay or a refused request only binds its values.
_RECORD = insert(_RECORDS)
_EARLIER = select(_RECORDS.c.request_hash, _RECORDS.c.status_code, _RECORDS.c.body).where(
    _RECORDS.c.api_key_id == bindparam("api_key_id"), _RECORDS.c.key == bindparam("key")
)


@dataclass(frozen=True)
class IdempotencyKey:
    """The client's Idempotency-Key for this API key, with a fingerprint of the request body it came with."""

    api_key_id: int
    key: str
    request_hash: str

    @property
    def submission_key(self) -> str:
        """The response's submission_key: the database-level guard against a second response for this key."""
        return submission_key_for(self.api_key_id, self.key)


@dataclass(frozen=True)
class Replay:
    """The answer the first request with this key got."""

    status_code: int
    body: dict[str, Any]


class IdempotencyConflict(Exception):
    """The key was used before with a different request body."""


def request_fingerprint(body: Any) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces): the same data hashes alike however it is spaced."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def submission_key_for(api_key_id: int, idempotency_key: str) -> str:
    """The response's submission_key for an API request: a second, database-level guard against doubles."""
    return hashlib.sha256(f"api:{api_key_id}\n{idempotency_key}".encode("utf-8", "surrogatepass")).hexdigest()


def record_answer(session: Session, key: IdempotencyKey, status_code: int, body: dict[str, Any], now: datetime) -> None:
    """Keep the answer in the caller's transaction (the response's own), so the two are stored together."""
    values = {"api_key_id": key.api_key_id, "key": key.key, "request_hash": key.request_hash}
    session.connection().execute(_RECORD, {**values, "status_code": status_code, "body": body, "created_at": now})


def earlier_answer(session: Session, key: IdempotencyKey) -> Replay | None:
    """The answer a request with this key already got, or None; raises IdempotencyConflict for another body."""
    record = session.connection().execute(_EARLIER, {"api_key_id": key.api_key_id, "key": key.key}).first()
    if record is None:
        return None
    if record.request_hash != key.request_hash:
        raise IdempotencyConflict()
    return Replay(record.status_code, dict(record.body))
