"""`backup`: a copy taken while citizens' answers keep arriving restores to a working installation holding every
answer stored before the copy began, with its rollups in step; PostgreSQL is sent to pg_dump."""

from __future__ import annotations

import shutil
import threading

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import RatingRollup, Response
from tests.conftest import fresh_database_url, make_app
from tests.factories import load_catalog, make_response


def _keep_writing(app, written: list[int], stop: threading.Event, limit: int = 2000) -> None:
    """Store one response after another (each with its rollups, in its own transaction) until told to stop."""
    with app.app_context():
        for number in range(limit):
            if stop.is_set():
                break
            written.append(make_response(rating=1 + number % 5))
        db.session.remove()


def _restored(path, tmp_path):
    """The backup copied to a new file and opened the way an operator restores it: a new database URL."""
    restored = tmp_path / "restored" / "survey.db"
    restored.parent.mkdir()
    shutil.copyfile(path, restored)
    return make_app(f"sqlite:///{restored}", tmp_path / "restored")


def test_a_backup_during_writes_restores_every_response(app, runner, session, tmp_path):
    load_catalog()
    session.commit()
    written: list[int] = []
    stop = threading.Event()
    writer = threading.Thread(target=_keep_writing, args=(app, written, stop))
    writer.start()
    try:
        while len(written) < 50 and writer.is_alive():
            stop.wait(0.01)
        stored_before = list(written)
        result = runner.invoke(args=["backup", "--out", str(tmp_path / "backup.db")])
        stored_after = len(written)
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert stored_after > len(stored_before), "the writer kept writing while the copy was taken"
    restored = _restored(tmp_path / "backup.db", tmp_path)
    with restored.app_context():
        ids = set(db.session.scalars(select(Response.id)))
        assert set(stored_before) <= ids  # every answer stored before the backup began is in it
        assert ids <= set(written)  # and nothing that was never stored
        counted = db.session.scalar(
            select(func.sum(RatingRollup.rating_1 + RatingRollup.rating_2 + RatingRollup.rating_3
                            + RatingRollup.rating_4 + RatingRollup.rating_5))
        )  # fmt: skip
        assert counted == len(ids)  # one consistent moment: the rollups agree with the responses
        assert f"Backed up {len(ids)} responses" in result.output
        client = restored.test_client()
        assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
        report = restored.test_cli_runner().invoke(args=["report", "--format", "json", "--min-n", "1"])
        assert report.exit_code == 0 and '"n": ' in report.output
        db.session.remove()
        db.engine.dispose()


def test_a_backup_never_overwrites_a_file(runner, session, tmp_path):
    existing = tmp_path / "yesterday.db"
    existing.write_bytes(b"yesterday's backup")
    result = runner.invoke(args=["backup", "--out", str(existing)])
    assert result.exit_code != 0 and "already exists" in result.output
    assert existing.read_bytes() == b"yesterday's backup"
    missing_folder = runner.invoke(args=["backup", "--out", str(tmp_path / "no" / "such" / "x.db")])
    assert missing_folder.exit_code != 0 and "does not exist" in missing_folder.output


@pytest.mark.postgres
def test_postgresql_is_sent_to_pg_dump(request, tmp_path):
    app = make_app(fresh_database_url(request, "postgresql", tmp_path), tmp_path)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["backup", "--out", str(tmp_path / "x.db")])
        db.engine.dispose()
    assert result.exit_code != 0
    assert "pg_dump --format=custom" in result.output and "pg_restore" in result.output
    assert not (tmp_path / "x.db").exists()
