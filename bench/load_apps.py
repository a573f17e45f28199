"""The two applications the load benchmarks serve with gunicorn: the survey, and a bare Flask app as the floor.

    gunicorn -c gunicorn.conf.py 'load_apps:survey_app()'     (run from bench/, project root on PYTHONPATH)
    gunicorn -c gunicorn.conf.py 'load_apps:bare_app()'
    gunicorn -c gunicorn.conf.py 'load_apps:floor_app()'

The survey app is the real one (settings from SURVEY_* variables) with rate limits raised far above what a
benchmark sends, so the limiter runs but never refuses. The bare app parses the same bodies and answers with the
same status codes, and does nothing else: what any Flask app costs on the same gunicorn settings. The floor app
does the least a submission must do: parse the body, check the rating, and store it with one INSERT and a commit
into the same database (the survey's `responses` table, SQLAlchemy Core, the same driver and pool), the framework's
floor for a write. On SQLite its writers queue for the write lock as the survey's do (survey.database.writing_on,
a file lock): without it SQLite's busy handler puts waiting writers to sleep for up to 100 ms, and the floor
measured about half the survey's rate, no floor at all. Its rows carry a `floor:` submission key, so the benchmark
counts them apart.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, jsonify, redirect, request

UNLIMITED = {"API_RATE_LIMIT": "100000000/minute", "SUBMIT_RATE_LIMIT": "100000000/minute"}


def survey_app() -> Flask:
    import os

    from survey import create_app

    settings: dict[str, Any] = dict(UNLIMITED)
    if os.environ.get("BENCH_NO_RATE_LIMITS"):  # to measure what the limiter itself costs
        settings["RATELIMIT_ENABLED"] = False
    return create_app(settings)


def bare_app() -> Flask:
    app = Flask("bare")

    @app.post("/api/v1/responses")
    def responses() -> Any:
        body = request.get_json()
        return jsonify({"id": len(body)}), 201

    @app.post("/s/<token>")
    def form(token: str) -> Any:
        return redirect(f"/s/{token}/thanks?n={len(request.form)}", 303)

    @app.get("/s/<token>")
    def page(token: str) -> Any:
        return f'<input type="hidden" name="csrf_token" value="{token}">'

    return app


FLOOR_KEY = "floor:"  # the floor app's rows: submission_key starts with it (the survey never makes such a key)


def floor_app() -> Flask:
    import os

    from loadkit import OFFICE, PROCEDURE
    from sqlalchemy import create_engine, event, text

    from survey.database import writing_on

    engine = create_engine(os.environ["SURVEY_DATABASE_URL"], pool_size=8)
    if engine.dialect.name == "sqlite":  # the survey's settings: WAL with synchronous=NORMAL, wait for the lock

        def pragmas(connection: Any, _record: Any) -> None:
            connection.execute("PRAGMA busy_timeout=10000")
            connection.execute("PRAGMA synchronous=NORMAL")

        event.listen(engine, "connect", pragmas)
    with engine.connect() as connection:
        ids = connection.execute(
            text(
                "SELECT (SELECT id FROM offices WHERE code = :office), (SELECT id FROM procedures WHERE code = :p),"
                " (SELECT max(id) FROM questionnaire_versions)"
            ),
            {"office": OFFICE, "p": PROCEDURE},
        ).one()
    insert = text(
        "INSERT INTO responses (created_at, month, procedure_id, office_id, channel, verified,"
        " questionnaire_version_id, rating, language, submission_key, is_demo, flagged)"
        " VALUES (:created_at, :month, :procedure_id, :office_id, :channel, false, :version, :rating, 'vi', :key,"
        " false, false) RETURNING id"
    )
    app = Flask("floor")

    def store(rating: Any) -> int | None:
        if isinstance(rating, str) and rating.isdigit():
            rating = int(rating)
        if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
            return None
        now = datetime.now(UTC)
        values = {"created_at": now, "month": now.strftime("%Y-%m"), "procedure_id": ids[1], "office_id": ids[0],
                  "channel": "kiosk", "version": ids[2], "rating": rating,
                  "key": FLOOR_KEY + uuid.uuid4().hex}  # fmt: skip
        with writing_on(engine), engine.begin() as connection:
            return int(connection.execute(insert, values).scalar_one())

    @app.post("/api/v1/responses")
    def responses() -> Any:
        body = request.get_json()
        stored = store(body.get("rating") if isinstance(body, dict) else None)
        return (jsonify({"id": stored}), 201) if stored else (jsonify({"errors": []}), 422)

    @app.post("/s/<token>")
    def form(token: str) -> Any:
        stored = store(request.form.get("rating"))
        return redirect(f"/s/{token}/thanks", 303) if stored else ("invalid", 422)

    @app.get("/s/<token>")
    def page(token: str) -> Any:
        return f'<input type="hidden" name="csrf_token" value="{token}">'

    return app
