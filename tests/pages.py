"""Helpers shared by the tests that use pages: sign in, post a form with its CSRF token, and `ClientRequest`
(the `client_request` fixture), which fetches a page, checks its status and what every page must get right,
and returns it parsed by BeautifulSoup.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from bs4 import BeautifulSoup
from flask import url_for
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from survey.auth.identity import SESSION_ID
from survey.extensions import db
from survey.services.accounts.sessions import start_session
from tests.factories import PASSWORD

CITIZEN_PATHS = ("/s/", "/poster/")  # what a citizen opens from a QR code or a poster

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
    """Sign the user in without the form: a server-side sign-in, its id in the client's session as `log_in` does."""
    token = start_session(db.session(), user, lifetime=timedelta(hours=8))
    with client.session_transaction() as flask_session:
        flask_session[SESSION_ID] = token


def check_page(html: str, path: str) -> BeautifulSoup:
    """The page parsed, once it has what every page needs: a non-empty <title> (what a screen reader announces
    first), unique id attributes (labels, error links and aria references point at ids), and, on a citizen
    page, no inline <script> (their Content-Security-Policy blocks scripts, so one would only be dead weight)."""
    page = BeautifulSoup(html, "html.parser")
    title = page.find("title")
    assert title is not None and title.get_text(strip=True), f"{path}: no <title>, or an empty one"
    ids = Counter(str(tag["id"]) for tag in page.find_all(id=True))
    duplicates = sorted(name for name, count in ids.items() if count > 1)
    assert not duplicates, f"{path}: duplicate id attributes {duplicates}"
    if path.startswith(CITIZEN_PATHS):
        inline = [str(script)[:80] for script in page.find_all("script") if not script.get("src")]
        assert not inline, f"{path}: inline script on a citizen page {inline}"
    return page


class ClientRequest:
    """Requests through a test client that return the page parsed, after checking its status and `check_page`.

    The first argument is a path, whose keyword arguments become its query string (`get("/dashboard/",
    lang="en")`), or an endpoint name, whose keyword arguments go to `url_for` (`get("dashboard.overview")`).
    The response stays in `response`, for its headers.
    """

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.response: TestResponse | None = None

    def url(self, endpoint_or_path: str, **kwargs: Any) -> str:
        if not endpoint_or_path.startswith("/"):
            with self.client.application.test_request_context():
                return url_for(endpoint_or_path, **kwargs)
        if not kwargs:
            return endpoint_or_path
        return f"{endpoint_or_path}{'&' if '?' in endpoint_or_path else '?'}{urlencode(kwargs, doseq=True)}"

    def get(
        self,
        endpoint_or_path: str,
        _expected_status: int = 200,
        _expected_redirect: str | None = None,
        _headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> BeautifulSoup:
        response = self.client.get(self.url(endpoint_or_path, **kwargs), headers=_headers)
        return self._page(response, _expected_status, _expected_redirect)

    def post(
        self,
        endpoint_or_path: str,
        _data: dict[str, Any] | None = None,
        _expected_status: int = 200,
        _expected_redirect: str | None = None,
        **kwargs: Any,
    ) -> BeautifulSoup:
        response = self.client.post(self.url(endpoint_or_path, **kwargs), data=_data)
        return self._page(response, _expected_status, _expected_redirect)

    def _page(self, response: TestResponse, status: int, redirect: str | None) -> BeautifulSoup:
        self.response = response
        path = response.request.path
        body = response.get_data(as_text=True)
        assert response.status_code == status, f"{path}: status {response.status_code}, not {status}\n{body[:500]}"
        if redirect is not None:
            assert response.headers["Location"] == redirect, f"{path}: redirects to {response.headers['Location']}"
        assert response.mimetype == "text/html", f"{path}: {response.mimetype} is not a page; use client.get"
        return check_page(body, path)
