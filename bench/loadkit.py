"""Shared by the load benchmarks: a migrated database with the starter catalog, an API key and a poster link,
the request bodies a kiosk and a citizen send, and a count of what was stored. Not part of the tests.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

OFFICE = "79.01"  # a ward office of the starter catalog's demo offices
PROCEDURE = "1.001193"  # birth registration, offered by every demo office
# Limits far above what a benchmark sends, so the limiter is on (its cost is measured) but never refuses.
SECRET = "benchmark-secret-benchmark-secret-benchmark-secret"  # signs the poster link; the servers use it too
UNLIMITED = {"API_RATE_LIMIT": "100000000/minute", "SUBMIT_RATE_LIMIT": "100000000/minute"}
API_BODY = {
    "procedure_code": PROCEDURE,
    "office_code": OFFICE,
    "channel": "kiosk",
    "rating": 4,
    "elements": {"access": 5, "procedure": 4, "staff": 4, "result": 5, "feedback": 3},
    "on_time": "on_time",
    "returns": 0,
    "agencies": 1,
    "extra_payment": "no",
    "comment": "Cán bộ hướng dẫn tận tình, nhưng phải chờ lâu ở quầy.",
}
FORM_FIELDS = {
    "rating": "4",
    "element_access": "5",
    "element_procedure": "4",
    "element_staff": "4",
    "element_result": "5",
    "element_feedback": "3",
    "on_time": "on_time",
    "returns": "0",
    "agencies": "1",
    "extra_payment": "no",
    "service_mode": "in_person",
    "comment": "Cán bộ hướng dẫn tận tình, nhưng phải chờ lâu ở quầy.",
}


@dataclass(frozen=True)
class Prepared:
    database_url: str
    api_key: str
    token: str  # the office's poster link with the procedure chosen: any number of citizens may answer it


def prepare_database(database_url: str, folder: Path) -> Prepared:
    """Migrate, load the starter catalog with the demo offices, make an API key and a poster link."""
    os.environ.setdefault("SURVEY_ENV", "development")
    os.environ["SURVEY_INSTANCE_PATH"] = str(folder / "instance")
    from flask_migrate import upgrade

    from survey import create_app
    from survey.extensions import db
    from survey.services.accounts.api_keys import create_api_key
    from survey.services.catalog.imports import load_starter_catalog
    from survey.services.catalog.questionnaire import active_questionnaire
    from survey.services.responses.invitations import public_link

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET})
    with app.app_context():
        upgrade()
        load_starter_catalog(db.session, demo_offices=True)
        active_questionnaire(db.session)
        db.session.commit()
        raw_key, _ = create_api_key(db.session, name="load benchmark", office_code=OFFICE)
        link = public_link(
            db.session,
            secret=app.config["SECRET_KEY"],
            base_url=app.config["BASE_URL"],
            office_code=OFFICE,
            procedure_code=PROCEDURE,
            channel="kiosk",
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return Prepared(database_url, raw_key, link.token)


def count_stored(database_url: str) -> dict[str, int]:
    """Responses the survey stored, those of them counted (not held back as spam), the rating counts in the
    rollups (which must equal the counted ones), and the rows the floor app stored (their `floor:` keys)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    ours = "(submission_key IS NULL OR submission_key NOT LIKE 'floor:%')"
    with engine.connect() as connection:
        row = connection.execute(
            text(
                f"SELECT count(*) FILTER (WHERE {ours}), count(*) FILTER (WHERE {ours} AND NOT flagged),"
                f" count(*) FILTER (WHERE NOT {ours}) FROM responses"
            )
        ).one()
        rolled = connection.execute(text("SELECT coalesce(sum(count), 0) FROM rollups WHERE metric = 'rating'"))
        rollup_ratings = int(rolled.scalar_one())
    engine.dispose()
    return {"responses": row[0], "counted": row[1], "floor": row[2], "rollup_ratings": rollup_ratings}


def form_body(csrf_token: str, submission_key: str | None = None) -> str:
    """The citizen's answers, form-encoded; without a key, the caller appends `&submission_key=…` itself."""
    fields = {**FORM_FIELDS, "csrf_token": csrf_token}
    if submission_key is not None:
        fields["submission_key"] = submission_key
    return urllib.parse.urlencode(fields)


@contextmanager
def bench_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of an empty database for one benchmark: an SQLite file in `folder`, or a throwaway PostgreSQL."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'survey.db'}"
        return
    from tests.postgres_server import start_server

    server = start_server()
    if server is None:
        sys.exit("PostgreSQL binaries (initdb, pg_ctl) not found: apt-get install postgresql")
    try:
        server.execute("CREATE DATABASE bench")
        yield server.url("bench")
    finally:
        server.stop()


@dataclass
class ApiSender:
    """The survey app in-process on a prepared database, with every SQL statement it runs counted."""

    app: Any
    prepared: Prepared
    statements: list[int] = field(default_factory=list)
    _keys: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        from sqlalchemy import event

        from survey.extensions import db

        with self.app.app_context():
            event.listen(db.engine, "before_cursor_execute", lambda *args: self.statements.append(1))
        self.client = self.app.test_client()
        self.body = json.dumps(API_BODY)

    def api(self) -> int:
        """One `POST /api/v1/responses` with a new Idempotency-Key; its status code."""
        headers = {"Authorization": f"Bearer {self.prepared.api_key}", "Idempotency-Key": f"bench-{next(self._keys)}"}
        return int(self.client.post("/api/v1/responses", data=self.body, content_type="application/json",
                                    headers=headers).status_code)  # fmt: skip


def api_sender(database_url: str, folder: Path) -> ApiSender:
    """Prepare the database and create the survey app on it (rate limits raised, see UNLIMITED)."""
    from survey import create_app

    prepared = prepare_database(database_url, folder)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET, **UNLIMITED})
    return ApiSender(app, prepared)
