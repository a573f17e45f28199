"""Helpers shared by the tests that use pages: sign in, and post a form with its CSRF token."""

from __future__ import annotations

import re

from survey.auth.identity import SESSION_STAMP, SESSION_USER, _stamp
from tests.factories import PASSWORD

_CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url="/login"):
    page = client.get(url)
    found = _CSRF.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {url} ({page.status_code})"
    return found.group(1)


def login(client, email="admin@example.gov.vn", password=PASSWORD, next_url=None):
    """Sign in through the sign-in form, as a person does."""
    token = csrf_token(client)
    url = "/login" if next_url is None else f"/login?next={next_url}"
    return client.post(url, data={"email": email, "password": password, "csrf_token": token})


def post_form(client, url, data=None, *, page=None):
    """POST with a CSRF token taken from `page` (default: the URL itself)."""
    token = csrf_token(client, page or url)
    return client.post(url, data={**(data or {}), "csrf_token": token})


def sign_in(client, user):
    """Put the user in the client's session directly, with the keys `survey.auth.identity.log_in` writes."""
    with client.session_transaction() as flask_session:
        flask_session[SESSION_USER] = user.id
        flask_session[SESSION_STAMP] = _stamp(user)
