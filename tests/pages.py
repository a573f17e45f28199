"""Helpers shared by the tests that use pages: accounts, sign-in, and forms posted with their CSRF token."""

from __future__ import annotations

import re

from survey.services.accounts.users import create_user
from survey.services.catalog.imports import load_starter_catalog

PASSWORD = "một câu dài đủ nhớ 2025"
_CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url="/login"):
    page = client.get(url)
    found = _CSRF.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {url} ({page.status_code})"
    return found.group(1)


def make_user(session, email="admin@example.gov.vn", *, role="admin", office_code=None, password=PASSWORD):
    user, _ = create_user(session, email=email, role=role, office_code=office_code, password=password)
    return user


def load_catalog(session):
    load_starter_catalog(session, demo_offices=True)


def login(client, email="admin@example.gov.vn", password=PASSWORD, next_url=None):
    token = csrf_token(client)
    url = "/login" if next_url is None else f"/login?next={next_url}"
    return client.post(url, data={"email": email, "password": password, "csrf_token": token})


def post_form(client, url, data=None, *, page=None):
    """POST with a CSRF token taken from `page` (default: the URL itself)."""
    token = csrf_token(client, page or url)
    return client.post(url, data={**(data or {}), "csrf_token": token})
