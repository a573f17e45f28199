"""Helpers for the citizen page tests: survey links at a demo office, the form's hidden fields, what was stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Response
from survey.services.responses.spam import render_stamp
from tests.pages import ClientRequest
from tests.survey.citizen.server import hidden_fields


@dataclass(frozen=True)
class Links:
    dossier: str  # a one-time link for a birth registration at 79.01
    poster: str  # the office's poster link: the citizen picks the procedure
    poster_procedure: str  # the office's poster link for birth registration


def open_form(client: FlaskClient, token: str, query: str = "") -> dict[str, str]:
    """GET the form and return its hidden fields (CSRF token and nonce)."""
    client_request = ClientRequest(client)
    client_request.get(f"/s/{token}{query}")  # a 200 page with a title, unique ids and no inline script
    return hidden_fields(client_request.response.get_data(as_text=True))


def response_count() -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count()).select_from(Response)) or 0)


def latest_response() -> Response:
    db.session.expire_all()
    response = db.session.scalars(select(Response).order_by(Response.id.desc()).limit(1)).first()
    assert response is not None
    return response


def opened_seconds_ago(app: Flask, hidden: dict[str, str], seconds: int) -> dict[str, str]:
    """The form as a person sends it: the same fields, but rendered `seconds` before now (not held as too fast)."""
    started = datetime.now(UTC) - timedelta(seconds=seconds)
    return {**hidden, "started": render_stamp(app.config["SECRET_KEY"], hidden["submission_key"], started)}
