"""Shared fixtures: an app on a migrated database (SQLite by default, PostgreSQL where asked), clients, runner,
and `client_request` for pages. Each run also gets its own temporary folder (see `pytest_configure`)."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from hypothesis import settings

from survey import create_app
from tests.pages import ClientRequest
from tests.postgres_server import PostgresServer, start_server
from tests.redis_server import RedisServer
from tests.redis_server import start_server as start_redis

IN_CI = os.environ.get("CI", "").lower() == "true"

# Property tests: the same examples on every run (deterministic), and no per-example time limit, which a
# busy two-core CI machine would otherwise turn into failures that have nothing to do with correctness.
settings.register_profile("project", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("project")
_database_numbers = itertools.count()


os.environ["SURVEY_ENV"] = "testing"

_OWN_BASETEMP = pytest.StashKey[Path]()
_EXIT_STATUS = pytest.StashKey[int]()


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Give this run a fresh temporary folder of its own unless --basetemp names one.

    pytest's default keeps the last runs under one shared /tmp/pytest-of-<user> and prunes the old ones at the
    end of a run; with two runs at once (two worktrees, CI beside a developer) one prunes the other's folders,
    and under `filterwarnings = error` the warning that raises turns a green run into exit code 2.
    """
    if config.option.basetemp is None and not hasattr(config, "workerinput"):
        folder = Path(tempfile.mkdtemp(prefix="pytest-survey-"))
        config.option.basetemp = str(folder)
        config.stash[_OWN_BASETEMP] = folder


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    session.config.stash[_EXIT_STATUS] = int(exitstatus)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove this run's folder after a green run; keep it after a failure, to look at what the tests left."""
    folder = config.stash.get(_OWN_BASETEMP, None)
    if folder is not None and config.stash.get(_EXIT_STATUS, 1) == 0:
        shutil.rmtree(folder, ignore_errors=True)


def make_app(database_url: str, tmp_path: Path, **overrides: object) -> Flask:
    os.environ["SURVEY_INSTANCE_PATH"] = str(tmp_path / "instance")
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, **overrides})


def migrate(app: Flask) -> None:
    from flask_migrate import upgrade

    from survey.extensions import db

    with app.app_context():
        upgrade()
        db.engine.dispose()  # closes SQLite's write-ahead log into the file before it is copied


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.db"
    migrate(make_app(f"sqlite:///{path}", folder))
    return path


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = start_server()
    if server is None:
        message = "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """Debian's redis-server on a free loopback port; under CI a missing binary fails rather than skips."""
    server = start_redis()
    if server is None:
        message = "redis-server not found: apt-get install redis-server"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A PostgreSQL database migrated once; each test gets a copy made with CREATE DATABASE … TEMPLATE."""
    postgres_server.execute("CREATE DATABASE survey_template")
    migrate(make_app(postgres_server.url("survey_template"), tmp_path_factory.mktemp("pg-template")))
    return "survey_template"


def fresh_database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        copy = tmp_path / "survey.db"
        shutil.copyfile(template, copy)
        return f"sqlite:///{copy}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    template_name: str = request.getfixturevalue("postgres_template")
    name = f"survey_test_{next(_database_numbers)}"
    server.execute(f"CREATE DATABASE {name} TEMPLATE {template_name}")
    return server.url(name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Run the test once on SQLite and once on PostgreSQL."""
    return str(request.param)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A freshly migrated database: SQLite, unless the test also asks for `backend`."""
    backend = request.getfixturevalue("backend") if "backend" in request.fixturenames else "sqlite"
    return fresh_database_url(request, backend, tmp_path)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(database_url, tmp_path)
    with app.app_context():
        yield app
        from survey.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def client_request(client: FlaskClient) -> ClientRequest:
    """Pages through `client` (so its sign-in holds), parsed and checked: see `tests.pages.ClientRequest`."""
    return ClientRequest(client)


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask):  # type: ignore[no-untyped-def]
    from survey.extensions import db

    return db.session
