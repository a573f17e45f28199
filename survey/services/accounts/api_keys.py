"""API keys for one-stop systems, kiosks and partners: shown once, stored only as a hash, optionally office-bound.

Keys are 256 random bits, so a plain SHA-256 is a safe and fast hash (no password stretching needed) and a
lookup by hash costs one indexed read. `verified_key` keeps a key it has checked for VERIFIED_FOR seconds in the
process, so a kiosk sending a response a second reads its key once per window, not on every request: a revoked
key is refused at once by the process that revoked it, and by every other worker within VERIFIED_FOR seconds.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import ApiKey, Office
from survey.services import audit
from survey.services.transactions import rolls_back_on_error

KEY_PREFIX = "sk_"
NAME_MAX = 200
_TOUCH_EVERY = timedelta(hours=1)  # last_used_at is a hint for admins; don't write on every request
VERIFIED_FOR = 5.0  # seconds a checked key is trusted without a read (the longest a revocation takes to apply)


@dataclass(frozen=True)
class VerifiedKey:
    """What a request needs of its API key: plain values, safe to keep between requests."""

    id: int
    prefix: str
    office_id: int | None


_verified: dict[str, tuple[VerifiedKey, float]] = {}  # key hash -> (key, when it was read), valid keys only
_verified_lock = threading.Lock()


class ApiKeyError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8", "surrogatepass")).hexdigest()


@rolls_back_on_error
def create_api_key(
    session: Session, *, name: str, office_code: str | None = None, actor: str = "cli"
) -> tuple[str, ApiKey]:
    """A new key; the raw key is returned once and never stored."""
    name = " ".join(str(name).split())
    if not 1 <= len(name) <= NAME_MAX:
        raise ApiKeyError("name", f"must be 1 to {NAME_MAX} characters")
    office_id = None
    if office_code is not None:
        office = session.scalar(select(Office).where(Office.code == office_code.strip()))
        if office is None:
            raise ApiKeyError("office_code", f"no office has the code {office_code!r}")
        office_id = office.id
    raw_key = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name,
        prefix=raw_key[:10],
        key_hash=hash_key(raw_key),
        office_id=office_id,
        created_at=datetime.now(UTC),
    )
    session.add(key)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="api_key.create",
        target=f"api-key:{key.prefix}",
        details={"name": name, "office": office_code, "id": key.id},
    )
    session.commit()
    return raw_key, key


def revoke_api_key(session: Session, key_id: int, *, actor: str = "cli") -> None:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise ApiKeyError("key_id", f"no API key has the id {key_id}")
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        audit.record(session, actor=actor, action="api_key.revoke", target=f"api-key:{key.prefix}")
    session.commit()
    forget_verified_keys()


def forget_verified_keys() -> None:
    """Read every key again on its next use (after a revocation in this process)."""
    with _verified_lock:
        _verified.clear()


def verified_key(session: Session, raw_key: str) -> VerifiedKey | None:
    """The active key matching `raw_key`, read at most once every VERIFIED_FOR seconds; None for no valid key."""
    if not raw_key or len(raw_key) > 200:
        return None
    digest = hash_key(raw_key)
    now = time.monotonic()
    known = _verified.get(digest)
    if known is not None and now - known[1] < VERIFIED_FOR:
        return known[0]
    key = authenticate_key(session, raw_key)
    with _verified_lock:
        if key is None:
            _verified.pop(digest, None)
            return None
        verified = VerifiedKey(key.id, key.prefix, key.office_id)
        _verified[digest] = (verified, now)
    return verified


def authenticate_key(session: Session, raw_key: str) -> ApiKey | None:
    """The active key matching `raw_key`, or None. Notes when it was last used, at most hourly."""
    if not raw_key or len(raw_key) > 200:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(raw_key)))
    if key is None or key.revoked_at is not None:
        return None
    now = datetime.now(UTC)
    last = key.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    if last is None or now - last > _TOUCH_EVERY:
        key.last_used_at = now
        session.commit()
    return key
