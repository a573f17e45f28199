"""Backing up a running SQLite installation: SQLite's online backup API copies a consistent snapshot while the
service goes on writing (readers never wait for the writer in WAL mode). PostgreSQL is backed up with pg_dump.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path


class BackupError(Exception):
    """The backup cannot be made; the message says what to do instead."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    size: int
    responses: int
    schema_revision: str | None


def _summary(path: Path, connection: sqlite3.Connection) -> BackupSummary:
    def scalar(sql: str) -> object:
        try:
            row = connection.execute(sql).fetchone()
        except sqlite3.Error:
            return None
        return row[0] if row else None

    responses = scalar("SELECT count(*) FROM responses")
    revision = scalar("SELECT version_num FROM alembic_version")
    schema = None if revision is None else str(revision)
    return BackupSummary(path, path.stat().st_size, int(str(responses or 0)), schema)


def backup_sqlite(source: Path, target: Path) -> BackupSummary:
    """Copy the SQLite database at `source` into the new file `target`, checked and complete, or raise BackupError.

    The copy is made in one step of `sqlite3.Connection.backup` (a single read transaction, so one consistent
    moment of the database), written beside the target under a temporary name, checked with
    `PRAGMA integrity_check`, switched to a plain rollback journal so it is one self-contained file, flushed to
    disk, and only then renamed into place. An existing `target` is never overwritten.
    """
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    if target.exists():
        raise BackupError(f"{target} already exists: a backup never overwrites a file, choose a new name")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(source, timeout=30)) as origin, closing(sqlite3.connect(partial)) as copy:
            origin.backup(copy, pages=-1)
            copy.execute("PRAGMA journal_mode=DELETE")
            check = copy.execute("PRAGMA integrity_check").fetchone()
        if check is None or check[0] != "ok":
            raise BackupError(f"the copy failed its integrity check: {check}")
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except sqlite3.Error as error:
        raise BackupError(f"the backup failed: {error}") from error
    finally:
        partial.unlink(missing_ok=True)
    with closing(sqlite3.connect(f"file:{target}?mode=ro", uri=True)) as written:
        return _summary(target, written)
