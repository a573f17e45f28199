"""The page helpers of tests/pages.py do what the page tests rely on."""

from __future__ import annotations

from tests.factories import make_user
from tests.pages import login


def test_helpers_sign_an_admin_in(client, session):
    make_user(email="admin@example.gov.vn", role="admin")
    response = login(client)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
