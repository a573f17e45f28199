"""Security headers at their one home (survey/security.py): HSTS wherever cookies are HTTPS-only, and the same
headers on the last-resort 500 that answers when an error page itself cannot be drawn."""

from __future__ import annotations

import pytest

from survey.auth.identity import SESSION_ID
from tests.conftest import make_app

SECRET = "production-secret-production-secret-0123456789"
UNREACHABLE = "sqlite:////nonexistent-folder/for/this/test/survey.db"


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setenv("SURVEY_ENV", "production")
    monkeypatch.setenv("SURVEY_SECRET_KEY", SECRET)


def test_production_tells_browsers_to_use_https_only(production, database_url, tmp_path):
    client = make_app(database_url, tmp_path).test_client()
    for path in ("/", "/login", "/healthz", "/khong-co-trang-nay", "/api/v1/summary"):
        headers = client.get(path, base_url=HTTPS).headers
        assert headers["Strict-Transport-Security"] == "max-age=31536000", path


def test_plain_http_runs_send_no_hsts(client):
    """A local run over plain HTTP must not pin the browser to HTTPS for a year."""
    assert "Strict-Transport-Security" not in client.get("/").headers


HTTPS = "https://khaosat.example.gov.vn"


def _signed_in_browser(app):
    """A browser with a sign-in cookie: reading its user needs the database."""
    client = app.test_client()
    with client.session_transaction(base_url=HTTPS) as flask_session:
        flask_session[SESSION_ID] = "a-sign-in-id"
    return client


@pytest.fixture
def failing_error_pages(monkeypatch):
    """Error pages that cannot be drawn themselves (a broken template folder, a dead database in the layout)."""
    from survey import errors

    def unreadable(*_args, **_kwargs):
        raise RuntimeError("the error page could not be drawn")

    monkeypatch.setattr(errors, "render_template", unreadable)


def test_an_error_page_that_fails_still_answers_with_the_security_headers(
    production, failing_error_pages, database_url, tmp_path, caplog
):
    app = make_app(database_url, tmp_path)
    answer = app.test_client().get("/khong-co-trang-nay", base_url=HTTPS)
    assert answer.status_code == 500
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert answer.headers["X-Frame-Options"] == "DENY" and answer.headers["Cache-Control"] == "no-store"
    page = answer.get_data(as_text=True)
    assert "Đã có lỗi xảy ra" in page and "Something went wrong" in page and "<script" not in page
    assert "unhandled error outside the error pages: GET /khong-co-trang-nay" in caplog.text


def test_a_dead_database_still_gets_a_drawn_error_page_with_the_headers(production, tmp_path):
    app = make_app(UNREACHABLE, tmp_path)
    answer = _signed_in_browser(app).get("/dashboard/", base_url=HTTPS)
    assert answer.status_code == 503 and int(answer.headers["Retry-After"]) > 0  # the database is away: come back
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_the_api_answers_a_failure_in_json_with_the_same_headers(production, tmp_path):
    app = make_app(UNREACHABLE, tmp_path)
    answer = _signed_in_browser(app).get("/api/v1/summary", base_url=HTTPS)
    assert answer.status_code == 503 and int(answer.headers["Retry-After"]) > 0
    assert answer.get_json()["errors"][0]["field"] is None
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_under_testing_exceptions_still_reach_the_test(failing_error_pages, database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    with pytest.raises(RuntimeError, match="could not be drawn"):
        app.test_client().get("/khong-co-trang-nay")
