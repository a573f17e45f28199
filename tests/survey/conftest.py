"""Fixtures shared by the survey tests in several folders."""

from __future__ import annotations

import pytest

from tests.factories import load_catalog


@pytest.fixture
def catalog(session):
    """The database session, with the starter catalog and its demo offices loaded."""
    load_catalog()
    return session
