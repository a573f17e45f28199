"""Rate limits that hold across workers and hosts: a `limits` storage on the service's own database.

`limits` offers memory, Redis, memcached and MongoDB storages but none on SQL, and `memory://` counts per
worker (two gunicorn workers let 20 sign-in attempts a minute through a 10/minute limit). `database://`, the
default, keeps each fixed window as one row of `rate_limits`, counted with one atomic upsert
(INSERT … ON CONFLICT DO UPDATE … RETURNING, on SQLite and PostgreSQL alike), so every worker of every host
shares it. `redis://…` (SURVEY_RATELIMIT_STORAGE_URL) remains the choice where a Redis is already run.

A limited request costs one statement: the upsert returns the window's count and end, and the request keeps them
(in its WSGI environ), so the X-RateLimit-* and Retry-After headers written after the view read no row. Outside a
request, or for a key this request did not count, the window is read from the table. On an SQLite file the upsert
takes its turn in the writers' queue (survey.database.writing_on) like a submission.

High limits are counted in blocks. Under a limit of 600/minute a busy API key would cost every request its own
write transaction, beside the submission's, yet one request more or less in the window matters little. For a limit
of L hits (L ≥ 200) a worker reserves a block of min(L // 100, 16) counts with one upsert and hands them out to its
next requests without touching the table (`_Leases`). Every hit still gets its own number in the window, so a
request is refused exactly when its number passes the limit; counts a worker reserved but did not use when the
window ends are simply lost, which can only make the limit stricter, by at most (workers × block − workers),
under 1 % of L per worker. Low limits (sign-in, 10/minute) stay exact, one upsert per hit.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, cast

from flask import has_request_context, request
from limits.storage import Storage
from sqlalchemy import Table, delete, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from survey.cleaning import whole_number
from survey.models import RateLimitCounter

SCHEME = "database"
_TABLE = cast(Table, RateLimitCounter.__table__)
# One statement for SQLite (3.35+) and PostgreSQL alike, prepared once: add to the running window, or start a new
# one when there is none or it has run out; the new count comes back in the same round trip.
_HIT = text(
    """
    INSERT INTO rate_limits ("key", count, expires_at) VALUES (:key, :amount, :expires)
    ON CONFLICT ("key") DO UPDATE SET
        count = CASE WHEN rate_limits.expires_at <= :now THEN :amount ELSE rate_limits.count + :amount END,
        expires_at = CASE WHEN rate_limits.expires_at <= :now THEN :expires ELSE rate_limits.expires_at END
    RETURNING count, expires_at
    """
)
_WINDOW = text('SELECT count, expires_at FROM rate_limits WHERE "key" = :key AND expires_at > :now')
_DIALECTS = ("sqlite", "postgresql")
_SEEN = "survey.rate_limit_windows"  # in the request's environ: {key: (count, expires_at)} as its upserts left them
LEASE_SHARE = 100  # a worker reserves at most this fraction (1/LEASE_SHARE) of a limit at a time…
LEASE_MAX = 16  # …and never more than this many counts


def lease_size(key: str, amount: int) -> int:
    """How many counts to reserve at once for a `limits` key ("LIMITER/…/<limit>/<multiples>/<granularity>")."""
    parts = key.rsplit("/", 3)
    limit = whole_number(parts[1], 12) if amount == 1 and len(parts) == 4 else None
    return 1 if limit is None else max(1, min(LEASE_MAX, limit // LEASE_SHARE))


@dataclass
class _Lease:
    next_count: int
    last_count: int
    expires_at: float


class _Leases:
    """This process's reserved blocks of counts, by key (gunicorn forks its workers: a child starts with none)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._blocks: dict[str, _Lease] = {}

    def take(self, key: str, now: float) -> tuple[int, float] | None:
        """The next reserved count of the key's running window, or None when a block must be reserved."""
        with self._lock:
            if self._pid != os.getpid():
                self._pid, self._blocks = os.getpid(), {}
            lease = self._blocks.get(key)
            if lease is None or lease.expires_at <= now or lease.next_count > lease.last_count:
                return None
            lease.next_count += 1
            return lease.next_count - 1, lease.expires_at

    def keep(self, key: str, first: int, last: int, expires_at: float) -> None:
        with self._lock:
            self._blocks[key] = _Lease(first, last, expires_at)

    def drop(self, key: str | None = None) -> None:
        with self._lock:
            if key is None:
                self._blocks.clear()
            else:
                self._blocks.pop(key, None)


class DatabaseStorage(Storage):
    """Fixed-window counters in the `rate_limits` table of the running app's database.

    The engine is the current Flask app's (limits are checked inside requests and commands), each call runs in
    its own short transaction on its own pooled connection, so it never mixes with the request's work.
    Windows that have run out are reused in place; every PRUNE_EVERY calls a process deletes the stale ones.
    """

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012  (the base class declares it as a plain attribute)
    PRUNE_EVERY = 1000

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions, **options)
        self._calls = itertools.count(1)
        self._leases = _Leases()

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    @staticmethod
    def _engine() -> Engine:
        from survey.extensions import db

        return db.engine

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        """Add `amount` to the key's window (a new window of `expiry` seconds if none is running); the new count.

        Under a high limit the count comes from this worker's reserved block when one is running (see above)."""
        size = lease_size(key, amount)
        taken = self._leases.take(key, time.time()) if size > 1 else None
        if taken is None:
            count, expires_at = self._add(key, expiry, size if size > 1 else amount)
            if size > 1:  # this hit takes the block's first count, the next requests the others
                self._leases.keep(key, count - size + 2, count, expires_at)
                count = count - size + 1
        else:
            count, expires_at = taken
        if has_request_context():  # the headers after the view show this window without reading it again
            request.environ.setdefault(_SEEN, {})[key] = (count, expires_at)
        return count

    def _add(self, key: str, expiry: float, amount: int) -> tuple[int, float]:
        """One upsert: the key's window count after adding `amount`, and the window's end."""
        from survey.database import writing_on

        engine = self._engine()
        with writing_on(engine), engine.begin() as connection:  # SQLite: in the writers' queue, like a submission
            now = time.time()
            if connection.dialect.name not in _DIALECTS:
                name = connection.dialect.name
                raise SQLAlchemyError(f"rate limits in the database need SQLite or PostgreSQL, not {name}")
            values = {"key": key, "amount": amount, "expires": now + expiry, "now": now}
            count, expires_at = connection.execute(_HIT, values).one()
            if next(self._calls) % self.PRUNE_EVERY == 0:
                self._prune(connection, now)
        return int(count), float(expires_at)

    @staticmethod
    def _prune(connection: Connection, now: float) -> None:
        connection.execute(delete(_TABLE).where(_TABLE.c.expires_at <= now))

    def _window(self, key: str) -> tuple[int, float] | None:
        now = time.time()
        seen = request.environ.get(_SEEN, {}).get(key) if has_request_context() else None
        if seen is not None and seen[1] > now:
            return seen
        with self._engine().connect() as connection:
            row = connection.execute(_WINDOW, {"key": key, "now": now}).first()
        return None if row is None else (int(row[0]), float(row[1]))

    def get(self, key: str) -> int:
        window = self._window(key)
        return 0 if window is None else window[0]

    def get_expiry(self, key: str) -> float:
        window = self._window(key)
        return time.time() if window is None else window[1]

    def check(self) -> bool:
        try:
            with self._engine().connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        self._leases.drop()
        if has_request_context():
            request.environ.pop(_SEEN, None)
        with self._engine().begin() as connection:
            return int(connection.execute(delete(_TABLE)).rowcount)

    def clear(self, key: str) -> None:
        """Forget the key's window (in the table and this process's block; other workers' blocks run out alone)."""
        self._leases.drop(key)
        if has_request_context():
            request.environ.get(_SEEN, {}).pop(key, None)
        with self._engine().begin() as connection:
            connection.execute(delete(_TABLE).where(_TABLE.c.key == key))
