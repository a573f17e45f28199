"""Fixtures for the citizen page tests: an app with a generous submission limit, and survey links to answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from survey.extensions import db
from survey.services.catalog.imports import load_starter_catalog
from tests.conftest import make_app
from tests.factories import PROCEDURE, make_dossier_link, make_poster_link
from tests.survey.citizen.helpers import Links


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The usual test app, but submissions are not rate limited unless a test asks for it."""
    app = make_app(database_url, tmp_path, SUBMIT_RATE_LIMIT="100000/minute")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def links(app: Flask) -> Links:
    load_starter_catalog(db.session, demo_offices=True)
    db.session.commit()
    return Links(make_dossier_link().token, make_poster_link().token, make_poster_link(procedure=PROCEDURE).token)
