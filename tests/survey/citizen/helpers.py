"""Helpers for the citizen page tests: survey links at a demo office, the form's hidden fields, what was stored."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Response
from survey.services.responses.invitations import issue_dossier_link, public_link
from tests.survey.citizen.server import hidden_fields

OFFICE = "79.01"
PROCEDURE = "1.001193"
_dossier_numbers = itertools.count(1)


@dataclass(frozen=True)
class Links:
    dossier: str  # a one-time link for a birth registration at 79.01
    poster: str  # the office's poster link: the citizen picks the procedure
    poster_procedure: str  # the office's poster link for birth registration


def new_dossier_link(app: Flask, *, channel: str = "qr", expires_days: int = 30) -> str:
    number = next(_dossier_numbers)
    return issue_dossier_link(
        db.session,
        secret=app.config["SECRET_KEY"],
        base_url=app.config["BASE_URL"],
        office_code=OFFICE,
        procedure_code=PROCEDURE,
        dossier_code=f"000.00.31.H56-250115-{number:04d}",
        channel=channel,
        expires_days=expires_days,
    ).token


def poster_link(app: Flask, *, procedure: str | None = None, channel: str = "qr") -> str:
    settings = {"secret": app.config["SECRET_KEY"], "base_url": app.config["BASE_URL"]}
    return public_link(db.session, **settings, office_code=OFFICE, procedure_code=procedure, channel=channel).token


def open_form(client: FlaskClient, token: str, query: str = "") -> dict[str, str]:
    """GET the form and return its hidden fields (CSRF token and nonce)."""
    page = client.get(f"/s/{token}{query}")
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    return hidden_fields(page.get_data(as_text=True))


def response_count() -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(func.count()).select_from(Response)) or 0)


def latest_response() -> Response:
    db.session.expire_all()
    response = db.session.scalars(select(Response).order_by(Response.id.desc()).limit(1)).first()
    assert response is not None
    return response
