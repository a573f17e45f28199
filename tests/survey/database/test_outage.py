"""The database goes away and comes back: clients are told when to retry (503 with Retry-After), nothing a citizen
typed is lost, nothing is stored twice, and the service recovers by itself, without a restart.

On SQLite the database folder disappears (the engine cannot open the file); on PostgreSQL a real server is stopped
and started again under the running app, which must replace its dropped pooled connections (pool_pre_ping).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import IdempotencyRecord, Response
from tests.conftest import IN_CI, make_app, migrate
from tests.factories import OFFICE, PROCEDURE, bearer, load_catalog, make_api_key, make_poster_link
from tests.postgres_server import start_server
from tests.survey.citizen.server import hidden_fields, parse_html

BODY = {"procedure_code": PROCEDURE, "office_code": OFFICE, "channel": "kiosk", "rating": 2, "comment": "Chờ lâu"}


def stored(app: Flask) -> tuple[int, int]:
    """Responses and Idempotency-Key answers in the database, read afresh."""
    with app.app_context():
        responses = db.session.scalar(select(func.count()).select_from(Response))
        keys = db.session.scalar(select(func.count()).select_from(IdempotencyRecord))
        db.session.remove()
    return int(responses or 0), int(keys or 0)


def prepared(app: Flask) -> tuple[dict[str, str], str]:
    with app.app_context():
        load_catalog()
        headers = {**bearer(make_api_key(office=OFFICE)), "Idempotency-Key": "kiosk-9:000042"}
        token = make_poster_link(procedure=PROCEDURE).token
        db.session.remove()
    return headers, token


def check_outage_and_recovery(app: Flask, take_down: Callable[[], None], bring_back: Callable[[], None]) -> None:
    client: FlaskClient = app.test_client()
    headers, token = prepared(app)
    assert (
        client.post("/api/v1/responses", json=BODY, headers={**headers, "Idempotency-Key": "warm"}).status_code == 201
    )
    page = client.get(f"/s/{token}")  # the citizen opens the form while all is well
    sent = {**hidden_fields(page.get_data(as_text=True)), "rating": "2", "comment": "Xếp hàng hai tiếng"}

    take_down()
    api = client.post("/api/v1/responses", json=BODY, headers=headers)
    assert api.status_code == 503 and int(api.headers["Retry-After"]) > 0
    body = api.get_json()
    assert set(body) == {"errors"} and body["errors"][0]["field"] is None and "retry" in body["errors"][0]["message"]
    form = client.post(f"/s/{token}", data=sent)
    assert form.status_code == 503 and int(form.headers["Retry-After"]) > 0
    html = form.get_data(as_text=True)
    assert "Chưa lưu được câu trả lời" in html and "Xếp hàng hai tiếng" in html  # "not saved yet", answers kept
    assert parse_html(html).find("input", name="rating", value="2").attrs.get("checked") is not None

    bring_back()
    first = client.post("/api/v1/responses", json=BODY, headers=headers)
    again = client.post("/api/v1/responses", json=BODY, headers=headers)
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    assert client.post(f"/s/{token}", data=sent).status_code == 303
    assert client.post(f"/s/{token}", data=sent).status_code == 303  # the same form again: the same thanks
    assert stored(app) == (3, 2)  # warm-up, the API retry, the form: each once; two keys answered


def test_a_sqlite_file_that_cannot_be_opened_gives_503_and_the_service_recovers(
    sqlite_template: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copyfile(sqlite_template, folder / "survey.db")
    app = make_app(f"sqlite:///{folder / 'survey.db'}", tmp_path)

    def take_down() -> None:
        with app.app_context():
            db.engine.dispose()  # close the open connections, as a restart of the file server would
        folder.rename(tmp_path / "away")

    try:
        check_outage_and_recovery(app, take_down, lambda: (tmp_path / "away").rename(folder))
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.mark.postgres
def test_a_stopped_postgresql_gives_503_and_the_pool_reconnects_by_itself(tmp_path: Path) -> None:
    server = start_server()
    if server is None:
        message = "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
        pytest.fail(message) if IN_CI else pytest.skip(message)
    try:
        server.execute("CREATE DATABASE outage")
        migrate(make_app(server.url("outage"), tmp_path / "migrate"))
        app = make_app(server.url("outage") + "?connect_timeout=2", tmp_path)
        check_outage_and_recovery(app, server.pause, server.resume)
        with app.app_context():
            db.engine.dispose()
    finally:
        server.stop()
