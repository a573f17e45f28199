"""Database connection settings that SQLAlchemy does not set for us, and `flask db` wired on first use.

SQLite runs in write-ahead-log mode (readers never wait for the writer), with synchronous=NORMAL (a commit is
durable once the log is checkpointed; a power cut can lose the last commits but never corrupts the file) and a
busy timeout (a writer waits its turn instead of failing). The sqlite3 driver begins a transaction at its first
write, not at the first read, so a write transaction takes the write lock at its first statement, as BEGIN
IMMEDIATE would: it never holds a read snapshot that a concurrent commit could make stale ("database is locked"
at once, whatever the timeout), and the submission path keeps its write transactions to a few statements.

Writers that find the lock taken are put to sleep by SQLite's busy handler in growing steps (1, 2, 5 … 100 ms),
so with eight threads submitting at once an unlucky one sleeps far longer than the lock was held. `writing()`
makes the submission path's writers queue instead: a thread lock within the process and an flock(2) on a file
beside the database across processes, both woken the moment the previous writer commits.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import click
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

_configured = False


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: write-ahead log (readers never wait for the writer), foreign keys on, wait instead of failing."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def configure_engines() -> None:
    global _configured
    if not _configured:
        event.listen(Engine, "connect", _sqlite_pragmas)
        _configured = True


# --- One SQLite writer at a time, queued ---------------------------------------------------------------------


class _WriteTurns:
    """Turns at writing one SQLite file, for the threads of this process and the other processes alike."""

    def __init__(self, database: str) -> None:
        self.path = database + ".write-lock"
        self._setting_up = threading.Lock()
        self._pid = 0
        self._thread_lock = threading.Lock()
        self._fd = -1

    def _ready(self) -> tuple[threading.Lock, int]:
        """This process's lock and lock file (gunicorn forks its workers: each opens its own, on first use)."""
        if self._pid != os.getpid():
            with self._setting_up:
                if self._pid != os.getpid():
                    self._thread_lock = threading.Lock()
                    self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                    self._pid = os.getpid()  # last: another thread sees all of it or none
        return self._thread_lock, self._fd

    @contextmanager
    def turn(self) -> Iterator[None]:
        thread_lock, fd = self._ready()
        with thread_lock:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)


_turns: weakref.WeakKeyDictionary[Engine, _WriteTurns | None] = weakref.WeakKeyDictionary()
_turns_lock = threading.Lock()


def writing(session: Session) -> Any:
    """A context to hold around a short write transaction: on an SQLite file, writers take turns; else nothing."""
    bind: Any = session.get_bind()
    return writing_on(getattr(bind, "engine", bind))


def writing_on(engine: Engine) -> Any:
    """`writing` for a transaction on the engine's own connection (the rate-limit counters' upsert)."""
    if engine not in _turns:
        with _turns_lock:
            database = engine.url.database if engine.dialect.name == "sqlite" else None
            on_disk = bool(database) and database != ":memory:" and not str(database).startswith("file:")
            _turns.setdefault(engine, _WriteTurns(str(database)) if on_disk else None)
    turns = _turns[engine]
    return nullcontext() if turns is None else turns.turn()


# --- `flask db …` (Flask-Migrate) ---------------------------------------------------------------------------
# Flask-Migrate imports alembic, a tenth of a second at every start of every process (each gunicorn worker, each
# `flask` command): it is wired when a migration is asked for, by `flask db …` or by `flask_migrate.upgrade()`.


def init_migrations(app: Flask, *, directory: str) -> None:
    app.extensions["migrate"] = _MigrationsOnFirstUse(app, directory)
    app.cli.add_command(_MigrationCommands(app, directory))


def _wire_migrations(app: Flask, directory: str) -> Any:
    """Flask-Migrate's own wiring (it replaces both placeholders below); returns its `app.extensions` entry."""
    current = app.extensions.get("migrate")
    if isinstance(current, _MigrationsOnFirstUse):
        from flask_migrate import Migrate

        from survey.extensions import db

        Migrate().init_app(app, db, directory=directory, render_as_batch=True)
    return app.extensions["migrate"]


class _MigrationsOnFirstUse:
    """Stands in `app.extensions["migrate"]` until something reads it, then wires Flask-Migrate."""

    def __init__(self, app: Flask, directory: str) -> None:
        self._app = app
        self._directory = directory

    def __getattr__(self, name: str) -> Any:
        return getattr(_wire_migrations(self._app, self._directory), name)


class _MigrationCommands(click.Group):
    """`flask db`: listed by `flask --help` for free; running it hands over to Flask-Migrate's own group."""

    def __init__(self, app: Flask, directory: str) -> None:
        super().__init__("db", help="Perform database migrations.")
        self._app = app
        self._directory = directory

    def _real(self) -> click.Group:
        _wire_migrations(self._app, self._directory)
        from flask_migrate.cli import db

        return db

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:  # fmt: skip
        return self._real().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._real().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._real().get_command(ctx, name)
