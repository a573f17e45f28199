"""Rate limits hold across workers and hosts: the database storage counts atomically, and two servers sharing it
(or a Redis) let through the configured number of attempts in total, not that number each."""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask
from sqlalchemy import select, update

from survey.extensions import limiter
from survey.models import RateLimitCounter
from survey.ratelimit import DatabaseStorage
from tests.factories import load_catalog, make_api_key
from tests.survey.citizen.server import gunicorn, hidden_fields


def test_the_default_storage_is_the_database(app: Flask):
    assert app.config["RATELIMIT_STORAGE_URI"] == "database://"
    assert isinstance(limiter.storage, DatabaseStorage)


def test_a_window_counts_hits_then_starts_afresh_when_it_runs_out(app, session, backend):
    storage = DatabaseStorage()
    before = time.time()
    assert [storage.incr("login/addr:10.0.0.1", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("login/addr:10.0.0.2", 60) == 1  # another key, another count
    assert storage.get("login/addr:10.0.0.1") == 3
    assert before + 60 <= storage.get_expiry("login/addr:10.0.0.1") <= time.time() + 60
    session.execute(update(RateLimitCounter).values(expires_at=time.time() - 1))  # the minute is over
    session.commit()
    assert storage.get("login/addr:10.0.0.1") == 0
    assert storage.incr("login/addr:10.0.0.1", 60, amount=2) == 2
    storage.clear("login/addr:10.0.0.1")
    assert storage.get("login/addr:10.0.0.1") == 0
    assert storage.check()
    assert storage.reset() == 1  # the other key's row
    assert session.scalars(select(RateLimitCounter)).all() == []


def test_stale_windows_are_pruned(app, session):
    storage = DatabaseStorage()
    storage.PRUNE_EVERY = 5
    for number in range(4):
        storage.incr(f"old/{number}", 60)
    session.execute(update(RateLimitCounter).values(expires_at=time.time() - 1))
    session.commit()
    storage.incr("fresh", 60)  # the fifth call prunes
    assert session.scalars(select(RateLimitCounter.key)).all() == ["fresh"]


def test_concurrent_hits_are_each_counted_once(app, backend):
    """Four threads, each with its own connection, hit one key 25 times: every count from 1 to 100 comes back once."""
    storage = DatabaseStorage()
    seen: list[int] = []
    lock = threading.Lock()

    def hit() -> None:
        with app.app_context():
            for _ in range(25):
                count = storage.incr("api/key:shared", 60)
                with lock:
                    seen.append(count)

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(1, 101))
    assert storage.get("api/key:shared") == 100


def _login_attempts(clients, attempts: int) -> list[int]:
    """Failed sign-ins sent in turn to each server (each client keeps its own cookie and form token)."""
    tokens = [hidden_fields(client.get("/login").text)["csrf_token"] for client in clients]
    statuses = []
    for number in range(attempts):
        index = number % len(clients)
        email = f"nobody{number}@example.gov.vn"
        fields = {"email": email, "password": "không phải mật khẩu", "csrf_token": tokens[index]}
        statuses.append(clients[index].post("/login", fields).status)
    return statuses


def _api_reads(clients, key: str, reads: int) -> list[int]:
    headers = {"Authorization": f"Bearer {key}"}
    return [clients[n % len(clients)].request("GET", "/api/v1/summary", headers=headers).status for n in range(reads)]


def _two_servers_enforce_limits_in_total(database_url, tmp_path, storage_url: str | None) -> None:
    from survey.extensions import db

    load_catalog()
    key = make_api_key()
    db.session.remove()
    environment = {"SURVEY_API_RATE_LIMIT": "5/minute"}
    if storage_url:
        environment["SURVEY_RATELIMIT_STORAGE_URL"] = storage_url
    with (
        gunicorn(database_url, tmp_path, workers=1, threads=2, environment=environment) as first,
        gunicorn(database_url, tmp_path, workers=1, threads=2, environment=environment) as second,
    ):
        clients = [first.client(), second.client()]
        statuses = _login_attempts(clients, 14)
        assert statuses.count(200) == 10, statuses  # the 10/minute sign-in limit, across both servers
        assert statuses[10:] == [429] * 4
        reads = _api_reads(clients, key, 8)
        assert reads == [200] * 5 + [429] * 3


@pytest.mark.slow
def test_two_servers_sharing_the_database_enforce_the_limits_in_total(app, database_url, tmp_path):
    _two_servers_enforce_limits_in_total(database_url, tmp_path, None)


@pytest.mark.slow
def test_two_servers_sharing_a_redis_enforce_the_limits_in_total(app, database_url, tmp_path, redis_server):
    redis_server.command("FLUSHALL")
    _two_servers_enforce_limits_in_total(database_url, tmp_path, redis_server.url)
    keys = redis_server.command("DBSIZE")
    assert keys.startswith(b":") and int(keys[1:]) > 0  # the counts were kept in Redis


def test_a_limited_request_counts_its_hit_with_one_statement_and_its_headers_show_that_count(app, client, session):
    """The upsert returns the window's count and end; the X-RateLimit-* headers written after the view show them
    without reading the table again, and they are the numbers the table holds."""
    from sqlalchemy import event

    from survey.extensions import db

    load_catalog()
    headers = {"Authorization": f"Bearer {make_api_key(name='kiosk')}"}
    app.config["API_RATE_LIMIT"] = "5/minute"
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if "rate_limits" in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        answers = [client.get("/api/v1/summary", headers=headers) for _ in range(3)]
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len(statements) == 3 and all(s.lstrip().startswith("INSERT") for s in statements)
    assert [answer.headers["X-RateLimit-Remaining"] for answer in answers] == ["4", "3", "2"]
    stored = session.execute(select(RateLimitCounter.count, RateLimitCounter.expires_at)).one()
    assert stored.count == 3 and 0 <= int(answers[-1].headers["X-RateLimit-Reset"]) - stored.expires_at < 1


def test_a_high_limit_is_counted_in_blocks_each_hit_keeping_its_own_number(app, session):
    """Under 1000/minute a worker reserves 10 counts per upsert: 25 hits read the table 3 times, get 1…25 in turn,
    and the table holds the 30 reserved; a 150/minute limit stays exact."""
    storage = DatabaseStorage()
    key = "LIMITER/api/key:kiosk/1000/1/minute"
    assert [storage.incr(key, 60) for _ in range(25)] == list(range(1, 26))
    assert session.execute(select(RateLimitCounter.count).where(RateLimitCounter.key == key)).scalar_one() == 30
    exact = "LIMITER/api/key:kiosk/150/1/minute"
    assert [storage.incr(exact, 60) for _ in range(3)] == [1, 2, 3]
    assert session.execute(select(RateLimitCounter.count).where(RateLimitCounter.key == exact)).scalar_one() == 3


def test_two_workers_counting_in_blocks_never_share_a_number_and_never_exceed_the_limit(app, session):
    """Two storages stand for two workers sharing the table: under a 200/minute limit (blocks of 2) they take turns
    until refused; every number is handed out once, and no more than 200 hits are let through."""
    workers = [DatabaseStorage(), DatabaseStorage()]
    key = "LIMITER/api/key:shared/200/1/minute"
    numbers = [workers[turn % 2].incr(key, 60) for turn in range(260)]
    allowed = [n for n in numbers if n <= 200]
    assert len(set(numbers)) == len(numbers)  # each hit its own number
    assert 198 <= len(allowed) <= 200  # at most one unused count per worker is lost
    assert max(numbers) == session.execute(select(RateLimitCounter.count)).scalar_one()


def test_an_expired_block_is_not_used_in_the_next_window(app, session, monkeypatch):
    """A block reserved in one minute is worth nothing in the next: the next hit starts a new window at 1."""
    import survey.ratelimit

    clock = [time.time()]
    monkeypatch.setattr(survey.ratelimit, "time", type("Clock", (), {"time": staticmethod(lambda: clock[0])}))
    storage = DatabaseStorage()
    key = "LIMITER/api/key:kiosk/1000/1/minute"
    assert [storage.incr(key, 60) for _ in range(2)] == [1, 2]
    clock[0] += 61  # the minute is over, with 8 reserved counts unused
    assert storage.incr(key, 60) == 1
    assert session.execute(select(RateLimitCounter.count)).scalar_one() == 10
