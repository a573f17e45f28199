"""The logs hold no personal data: no survey token, no comment, no API key, no address unless the operator asks.

Every record the app logs while a citizen and a kiosk submit is written through the JSON formatter gunicorn uses,
and the lines are searched for what a citizen or a partner sent.
"""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import text

from survey.extensions import db
from survey.logs import JsonFormatter
from tests.factories import OFFICE, PROCEDURE, bearer, make_api_key, make_dossier_link, make_poster_link
from tests.survey.citizen.helpers import open_form

COMMENT = "Phòng chờ quá nóng, quạt trần hỏng cả tuần"
API_COMMENT = "Máy lấy số thứ tự kẹt giấy suốt buổi sáng"


def log_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    formatter = JsonFormatter()
    return [formatter.format(record) for record in caplog.records]


def submit_everything(client, catalog) -> tuple[str, str]:
    """A citizen answers a one-time link and sees the thanks page; a kiosk posts through the API."""
    token = make_dossier_link().token
    raw_key = make_api_key(office=OFFICE)
    sent = {**open_form(client, token), "rating": "2", "comment": COMMENT}
    assert client.post(f"/s/{token}", data=sent).status_code == 303
    assert client.get(f"/s/{token}/thanks").status_code == 200
    body = {"procedure_code": PROCEDURE, "office_code": OFFICE, "channel": "kiosk", "rating": 1, "comment": API_COMMENT}
    headers = {**bearer(raw_key), "Idempotency-Key": "kiosk-1:0001"}
    assert client.post("/api/v1/responses", json=body, headers=headers).status_code == 201
    return token, raw_key


def test_a_submission_is_logged_by_route_without_token_comment_key_or_address(client, catalog, caplog):
    caplog.set_level(logging.INFO)
    token, raw_key = submit_everything(client, catalog)
    lines = log_lines(caplog)
    for line in lines:
        for secret in (token, raw_key, COMMENT, API_COMMENT, "quạt trần", "kẹt giấy", "127.0.0.1"):
            assert secret not in line, line
    entries = [json.loads(line) for line in lines if json.loads(line)["logger"] == "survey.access"]
    seen = {(entry["method"], entry["route"], entry["status"]) for entry in entries}
    assert {("POST", "/s/<token>", 303), ("GET", "/s/<token>/thanks", 200), ("POST", "/api/v1/responses", 201)} <= seen
    assert all(entry["ms"] >= 0 and "ip" not in entry for entry in entries)


def test_the_address_is_logged_only_when_the_operator_asks(app, client, catalog, caplog):
    app.config["LOG_IPS"] = True
    caplog.set_level(logging.INFO)
    client.get("/healthz")
    entries = [json.loads(line) for line in log_lines(caplog) if '"survey.access"' in line]
    assert entries and entries[-1]["route"] == "/healthz" and entries[-1]["ip"] == "127.0.0.1"


def test_a_failed_save_is_logged_without_the_answers(client, catalog, caplog):
    """The database refuses the insert: the error is logged with its SQL but not the values bound to it."""
    token = make_poster_link(procedure=PROCEDURE).token
    db.session.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON responses BEGIN SELECT RAISE(ABORT, 'full'); END"))
    db.session.commit()
    caplog.set_level(logging.INFO)
    sent = {**open_form(client, token), "rating": "2", "comment": COMMENT}
    page = client.post(f"/s/{token}", data=sent)
    assert page.status_code == 503 and COMMENT in page.get_data(as_text=True)  # the citizen keeps the answers
    lines = log_lines(caplog)
    errors = [line for line in lines if '"level": "ERROR"' in line]
    assert errors and "INSERT INTO responses" in errors[0] and "parameters hidden" in errors[0]
    assert not any(COMMENT in line or token in line for line in lines)
