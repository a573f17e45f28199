"""An official chooses on their account page which offices' alerts reach them: only offices of their own scope,
one procedure or all, and they can stop following."""

from __future__ import annotations

from sqlalchemy import select

from survey.models_alerts import AlertSubscription
from tests.factories import load_catalog, make_user
from tests.pages import post_form, sign_in


def subscriptions(session) -> list[tuple[str, str | None]]:
    session.expire_all()
    return sorted(
        (s.office.code, s.procedure.code if s.procedure else None) for s in session.scalars(select(AlertSubscription))
    )


def test_an_official_follows_an_office_of_their_scope_and_stops(client_request, client, session):
    load_catalog()
    sign_in(client, make_user(office="79.00"))
    page = client_request.get("/account/alerts")
    assert page.h1.get_text(strip=True) == "Nhận cảnh báo qua thư điện tử"
    offices = [option["value"] for option in page.select("#office option")]
    assert offices == ["79.00", "79.01", "79.02", "79.03", "79.04", "79.05"]  # their subtree, nothing else

    done = post_form(client, "/account/alerts", {"office": "79.01", "procedure": ""})
    assert done.status_code == 302
    post_form(client, "/account/alerts", {"office": "79.02", "procedure": "1.001193"})
    assert subscriptions(session) == [("79.01", None), ("79.02", "1.001193")]
    listed = client_request.get("/account/alerts").select_one("ul.subscriptions").get_text(" ", strip=True)
    assert "79.01" in listed and "tất cả thủ tục" in listed and "1.001193 Đăng ký khai sinh" in listed

    outside = post_form(client, "/account/alerts", {"office": "01.01", "procedure": ""})
    assert outside.status_code == 400
    assert subscriptions(session) == [("79.01", None), ("79.02", "1.001193")]

    first = session.scalars(select(AlertSubscription).order_by(AlertSubscription.id)).first()
    assert post_form(client, f"/account/alerts/{first.id}/delete", page="/account/alerts").status_code == 302
    assert subscriptions(session) == [("79.02", "1.001193")]


def test_an_official_cannot_remove_another_officials_subscription(client, session):
    load_catalog()
    other = make_user(office="79.01")
    sign_in(client, other)
    post_form(client, "/account/alerts", {"office": "79.01", "procedure": ""})
    theirs = session.scalars(select(AlertSubscription)).one()
    sign_in(client, make_user(office="79.01"))
    assert post_form(client, f"/account/alerts/{theirs.id}/delete", page="/account/alerts").status_code == 404
    assert subscriptions(session) == [("79.01", None)]


def test_strangers_are_sent_to_sign_in(client):
    response = client.get("/account/alerts")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
