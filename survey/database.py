"""Database connection settings that SQLAlchemy does not set for us, and `flask db` wired on first use.

SQLite runs in write-ahead-log mode (readers never wait for the writer), with synchronous=NORMAL (a commit is
durable once the log is checkpointed; a power cut can lose the last commits but never corrupts the file) and a
busy timeout (a writer waits its turn instead of failing). The sqlite3 driver begins a transaction at its first
write, not at the first read, so a write transaction takes the write lock at its first statement, as BEGIN
IMMEDIATE would: it never holds a read snapshot that a concurrent commit could make stale ("database is locked"
at once, whatever the timeout), and the submission path keeps its write transactions to a few statements.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import click
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

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
