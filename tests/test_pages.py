"""The page helpers of tests/pages.py do what the page tests rely on."""

from __future__ import annotations

from tests.pages import login, make_user


def test_helpers_sign_an_admin_in(client, session):
    make_user(session)
    response = login(client)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
