"""Sign-ins are held on the server: a copied cookie dies with the sign-out, a password change or a reset,
the cookie carries nothing about the password, and a survey link cannot sign an official out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from survey.models import UserSession
from survey.services.accounts import users
from tests.factories import PASSWORD, load_catalog, make_poster_link, make_user
from tests.pages import csrf_token, login, post_form


def _copy_of_cookie(app, client):
    """A second browser holding a copy of `client`'s session cookie, as someone who copied it would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _signed_in(client) -> bool:
    return client.get("/dashboard/").status_code == 200


def test_a_cookie_saved_before_logout_no_longer_opens_the_dashboard(app, client, session, backend):
    make_user(email="admin@example.gov.vn", role="admin")
    login(client)
    saved = _copy_of_cookie(app, client)
    assert _signed_in(saved)  # the copy works while the sign-in lasts: it is the same sign-in
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/dashboard/")}).status_code == 302
    answer = saved.get("/dashboard/")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    assert session.scalar(select(UserSession.id)) is None


def test_signing_out_ends_only_this_browsers_sign_in(app, session):
    make_user(email="admin@example.gov.vn", role="admin")
    office, home = app.test_client(), app.test_client()
    login(office)
    login(home)
    office.post("/logout", data={"csrf_token": csrf_token(office, "/dashboard/")})
    assert not _signed_in(office)
    assert _signed_in(home)


def test_a_password_change_signs_out_other_sessions_and_copies_of_this_one(app, session, backend):
    make_user(email="admin@example.gov.vn", role="admin")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop)
    login(phone)
    copy_of_laptop = _copy_of_cookie(app, laptop)
    new_password = "một mật khẩu mới hoàn toàn"
    changed = post_form(
        laptop, "/account/password",
        {"current_password": PASSWORD, "new_password": new_password, "confirm_password": new_password},
    )  # fmt: skip
    assert changed.status_code == 302
    assert _signed_in(laptop)  # this browser carries on, with a new sign-in id
    assert not _signed_in(phone)
    assert not _signed_in(copy_of_laptop)
    assert len(session.scalars(select(UserSession)).all()) == 1


def test_a_reset_or_a_disable_by_an_admin_ends_every_sign_in(app, session):
    official = make_user(email="an@example.gov.vn", role="admin")
    other = make_user(email="binh@example.gov.vn", role="admin")
    first, second = app.test_client(), app.test_client()
    login(first, "an@example.gov.vn")
    login(second, "binh@example.gov.vn")
    users.reset_password(session, official.id)
    assert not _signed_in(first)
    users.set_active(session, other.id, False)
    assert not _signed_in(second)


def test_the_cookie_holds_a_random_id_and_nothing_about_the_password(app, client, session):
    user = make_user(email="admin@example.gov.vn", role="admin")
    login(client)
    raw = client.get_cookie("session").value
    content = app.session_interface.get_signing_serializer(app).loads(raw)
    assert set(content) <= {"sid", "_permanent", "csrf_token", "_flashes"}
    encoded = json.dumps(content)
    hash_part = user.password_hash.rsplit("$", 1)[-1]
    assert all(hash_part[i : i + 6] not in encoded for i in range(len(hash_part) - 5))
    assert user.password_changed_at.isoformat() not in encoded
    stored = session.scalar(select(UserSession.token_hash))
    assert content["sid"] not in stored and len(content["sid"]) >= 43  # 32 random bytes; only a hash is kept


def test_a_sign_in_ends_after_its_lifetime_even_with_a_fresh_cookie(app, client, session):
    make_user(email="admin@example.gov.vn", role="admin")
    login(client)
    assert _signed_in(client)
    session.execute(update(UserSession).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    session.commit()
    assert not _signed_in(client)


def test_a_made_up_kiosk_thanks_link_leaves_an_official_signed_in(client, session):
    make_user(email="admin@example.gov.vn", role="admin")
    login(client)
    client.get("/dashboard/?lang=en")
    for path in ("/s/not-a-real-token/thanks?kiosk=1", "/s/not-a-real-token/thanks"):
        page = client.get(path)
        assert page.status_code == 200
        assert 'http-equiv="refresh"' not in page.get_data(as_text=True)
    assert _signed_in(client)
    assert client.get_cookie("lang").value == "en"  # the official's language choice stays too


def test_a_real_kiosk_thanks_page_clears_only_the_kiosks_own_state(app, client, session):
    load_catalog()
    make_user(email="admin@example.gov.vn", role="admin")
    kiosk = make_poster_link(channel="kiosk").token
    login(client)
    csrf_token(client, f"/s/{kiosk}")  # the form gave this browser a form token
    with client.session_transaction() as flask_session:
        assert {"sid", "csrf_token"} <= set(flask_session)
    page = client.get(f"/s/{kiosk}/thanks?kiosk=1")
    assert f'content="15;url=/s/{kiosk}?kiosk=1"' in page.get_data(as_text=True)
    with client.session_transaction() as flask_session:
        assert "csrf_token" not in flask_session  # the next citizen gets a new form token
        assert "sid" in flask_session
    assert _signed_in(client)
