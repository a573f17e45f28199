"""The page helpers of tests/pages.py do what the page tests rely on."""

from __future__ import annotations

import pytest

from tests.factories import make_user
from tests.pages import login


def test_helpers_sign_an_admin_in(client, session):
    make_user(email="admin@example.gov.vn", role="admin")
    response = login(client)
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def probe(app, path, html):
    """Serve `html` at `path`, a page made up for the test."""
    app.add_url_rule(path, path, lambda: html)


def test_client_request_parses_a_good_page_and_builds_urls(app, client_request):
    page = client_request.get("main.index", lang="en")
    assert client_request.response.request.full_path == "/?lang=en"
    assert page.html["lang"] == "en" and page.title.get_text(strip=True)
    assert client_request.url("/dashboard/?lang=vi", office="79.01") == "/dashboard/?lang=vi&office=79.01"
    client_request.get("/khong-co-trang-nay", _expected_status=404)


def test_client_request_refuses_a_duplicate_id(app, client_request):
    probe(app, "/probe/twins", '<!doctype html><title>Twins</title><p id="rating-1">a</p><p id="rating-1">b</p>')
    with pytest.raises(AssertionError, match=r"duplicate id attributes \['rating-1'\]"):
        client_request.get("/probe/twins")


def test_client_request_refuses_a_page_without_a_title(app, client_request):
    probe(app, "/probe/untitled", "<!doctype html><title> </title><h1>No title</h1>")
    with pytest.raises(AssertionError, match="no <title>"):
        client_request.get("/probe/untitled")


def test_client_request_refuses_inline_script_on_citizen_pages_only(app, client_request):
    page = "<!doctype html><title>Script</title><script>alert(1)</script><script src='/static/x.js'></script>"
    probe(app, "/s/probe/inline", page)
    probe(app, "/probe/inline", page)
    with pytest.raises(AssertionError, match="inline script on a citizen page"):
        client_request.get("/s/probe/inline")
    client_request.get("/probe/inline")  # an official's page may carry one (none does today)


def test_client_request_checks_the_status_and_the_kind_of_answer(client_request):
    with pytest.raises(AssertionError, match="status 404, not 200"):
        client_request.get("/khong-co-trang-nay")
    with pytest.raises(AssertionError, match="is not a page"):
        client_request.get("/healthz")
    client_request.get("/dashboard/", _expected_status=302, _expected_redirect="/login?next=/dashboard/")
