"""Landing page in Vietnamese, and the health check contract."""

from __future__ import annotations

from survey.services.demo.seed import seed_demo
from tests.conftest import make_app


def test_landing_page_is_vietnamese(client_request):
    page = client_request.get("/")
    assert page.html["lang"] == "vi"
    assert "hài lòng" in page.get_text()
    assert page.find("script") is None


def test_english_is_an_explicit_choice_only(client):
    assert '<html lang="vi">' in client.get("/", headers={"Accept-Language": "en-US,en"}).get_data(as_text=True)
    english = client.get("/?lang=en")
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)  # remembered


def test_landing_page_mentions_demo_data_only_in_demo_mode(client, session):
    assert "Demo" not in client.get("/?lang=en").get_data(as_text=True)
    seed_demo(session, responses=50)
    assert "Demo data" in client.get("/?lang=en").get_data(as_text=True)


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = make_app("postgresql+psycopg://nobody@127.0.0.1:1/missing?connect_timeout=1", tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}


def test_unknown_page_is_a_friendly_404(client_request):
    page = client_request.get("/khong-co-trang-nay", _expected_status=404)
    assert page.find("h1") is not None


def test_every_page_carries_the_strict_security_headers(client):
    for path in ("/", "/login", "/healthz", "/khong-co-trang-nay"):
        headers = client.get(path).headers
        assert "script-src" not in headers["Content-Security-Policy"]
        assert headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"


def test_query_names_that_url_for_reserves_or_the_route_uses_do_not_break_pages(client, session):
    """`?endpoint=x` once gave a 500 (and so did the error page): the language links are built from the query."""
    seed_demo(session, responses=50, seed=1)
    for path in ("/?endpoint=x", "/login?endpoint=x&_external=1", "/?lang=en&endpoint=x", "/nowhere?endpoint=x"):
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert "lang=en" in response.get_data(as_text=True) or "lang=vi" in response.get_data(as_text=True)
    token_page = client.get("/s/not-a-real-token?token=x")
    assert token_page.status_code in (200, 404, 410)


def test_the_landing_page_speaks_to_citizens_and_officials_without_shell_commands(client, session):
    seed_demo(session, responses=50, seed=1)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/login"' in page and "flask --app" not in page
    assert "(qr)" not in page and "(sms)" not in page  # channels by name, not by code
    assert "số điện thoại" in page  # the privacy promise, in Vietnamese


def test_the_favicon_is_served(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200 and response.mimetype == "image/x-icon"
        assert response.get_data()[:4] == b"\0\0\1\0"  # an ICO file's signature


def test_a_signed_in_official_keeps_the_menu_on_a_404(client, session):
    from tests.factories import load_catalog, make_user
    from tests.pages import sign_in

    load_catalog()
    sign_in(client, make_user(role="official", office="79.01"))
    page = client.get("/dashboard/offices/99.99")
    assert page.status_code == 404 and 'class="officials-nav"' in page.get_data(as_text=True)
    assert 'class="officials-nav"' not in client.application.test_client().get("/nowhere").get_data(as_text=True)
