"""Signing in and out: hashed passwords, generic errors, throttling, account lock, session end on password change."""

from __future__ import annotations

from sqlalchemy import select

from survey.models import AuditEntry, User
from survey.services.accounts.users import LOCK_MINUTES, MAX_FAILURES
from tests.factories import PASSWORD, make_user
from tests.pages import csrf_token, login, post_form

GENERIC_ERROR = "Địa chỉ e-mail hoặc mật khẩu không đúng."


def actions(session):
    return [entry.action for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_password_is_stored_as_an_argon2_hash(session, backend):
    user = make_user(email="admin@example.gov.vn", role="admin")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_login_succeeds_and_is_audited(client, session, backend):
    make_user(email="an@example.gov.vn", role="admin")
    response = login(client, " AN@Example.gov.vn ", PASSWORD)
    assert response.status_code == 302
    with client.session_transaction() as flask_session:
        assert flask_session["sid"]
        assert flask_session.permanent
    assert "login" in actions(session)
    assert session.scalar(select(User.last_login_at)) is not None


def test_login_returns_to_the_page_asked_for_but_never_to_another_site(client, session):
    make_user(email="admin@example.gov.vn", role="admin")
    assert login(client, next_url="/admin/users").headers["Location"] == "/admin/users"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    for hostile in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        location = login(client, next_url=hostile).headers["Location"]
        assert "evil" not in location
        client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/")})


def test_wrong_password_and_unknown_email_look_the_same(client, session, backend):
    make_user(email="an@example.gov.vn", role="admin")
    wrong_password = login(client, "an@example.gov.vn", "sai mật khẩu rồi đấy")
    unknown_email = login(client, "nobody@example.gov.vn", "sai mật khẩu rồi đấy")
    assert wrong_password.status_code == unknown_email.status_code == 200
    for response in (wrong_password, unknown_email):
        page = response.get_data(as_text=True)
        assert GENERIC_ERROR in page
        assert 'value="an@example.gov.vn"' in page or 'value="nobody@example.gov.vn"' in page
    failed = session.scalars(select(AuditEntry).where(AuditEntry.action == "login.failed")).all()
    assert [entry.details["reason"] for entry in failed] == ["wrong_password", "unknown_email"]
    with client.session_transaction() as flask_session:
        assert "sid" not in flask_session


def test_disabled_account_gets_the_same_generic_error(client, session):
    user = make_user(email="admin@example.gov.vn", role="admin")
    user.active = False
    session.commit()
    assert GENERIC_ERROR in login(client).get_data(as_text=True)


def test_account_locks_after_repeated_failures_even_with_the_right_password(client, session, backend):
    make_user(email="an@example.gov.vn", role="admin")
    for _ in range(MAX_FAILURES):
        assert GENERIC_ERROR in login(client, "an@example.gov.vn", "không phải mật khẩu").get_data(as_text=True)
    locked = login(client, "an@example.gov.vn", PASSWORD)
    assert f"{LOCK_MINUTES} phút" in locked.get_data(as_text=True)
    with client.session_transaction() as flask_session:
        assert "sid" not in flask_session
    assert actions(session)[-1] == "login.locked"


def test_lock_message_is_the_same_for_an_unknown_email(client, session):
    for _ in range(MAX_FAILURES):
        login(client, "ghost@example.gov.vn", "không phải mật khẩu")
    assert f"{LOCK_MINUTES} phút" in login(client, "ghost@example.gov.vn", "x" * 12).get_data(as_text=True)


def test_lock_ends_after_the_window_and_success_resets_the_count(app, client, session):
    from datetime import UTC, datetime, timedelta

    app.config["LOGIN_RATE_LIMIT"] = "100/minute"  # this test is about the account lock, not the address limit
    make_user(email="an@example.gov.vn", role="admin")
    for _ in range(MAX_FAILURES):
        login(client, "an@example.gov.vn", "không phải mật khẩu")
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.action == "login.failed")):
        entry.at = datetime.now(UTC) - timedelta(minutes=LOCK_MINUTES + 1)
    session.commit()
    assert login(client, "an@example.gov.vn", PASSWORD).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    for _ in range(MAX_FAILURES - 1):
        login(client, "an@example.gov.vn", "không phải mật khẩu")
    assert login(client, "an@example.gov.vn", PASSWORD).status_code == 302


def test_login_posts_are_rate_limited_per_address(app, client, client_request, session):
    app.config["LOGIN_RATE_LIMIT"] = "3/minute"
    make_user(email="admin@example.gov.vn", role="admin")
    token = csrf_token(client)
    answers = [
        client.post("/login", data={"email": "x@example.gov.vn", "password": "y" * 12, "csrf_token": token}).status_code
        for _ in range(4)
    ]
    assert answers == [200, 200, 200, 429]
    client_request.get("/login")  # reading the page is not limited


def test_login_without_csrf_token_is_refused(client, session):
    make_user(email="admin@example.gov.vn", role="admin")
    response = client.post("/login", data={"email": "admin@example.gov.vn", "password": PASSWORD})
    assert response.status_code == 400
    with client.session_transaction() as flask_session:
        assert "sid" not in flask_session


def test_logout_needs_post_and_csrf(client, session, backend):
    make_user(email="admin@example.gov.vn", role="admin")
    login(client)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/admin/").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302
    assert actions(session)[-1] == "logout"


def test_session_is_fixed_against_fixation(client, session):
    make_user(email="admin@example.gov.vn", role="admin")
    with client.session_transaction() as flask_session:
        flask_session["planted"] = "by an attacker"
    login(client)
    with client.session_transaction() as flask_session:
        assert "planted" not in flask_session


def test_changing_the_password_ends_other_sessions(app, session, backend):
    make_user(email="admin@example.gov.vn", role="admin")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop)
    login(phone)
    new_password = "một mật khẩu mới hoàn toàn"
    response = post_form(
        laptop, "/account/password",
        {"current_password": PASSWORD, "new_password": new_password, "confirm_password": new_password},
    )  # fmt: skip
    assert response.status_code == 302
    assert laptop.get("/admin/").status_code == 200  # this session carries on
    assert phone.get("/admin/").status_code == 302  # the other one is signed out
    assert login(app.test_client(), password=new_password).status_code == 302
    assert "password.change" in actions(session)


def test_change_password_checks_current_and_confirmation_and_strength(client, session):
    make_user(email="admin@example.gov.vn", role="admin")
    login(client)
    cases = [
        ({"current_password": "sai rồi sai rồi", "new_password": "một mật khẩu mới khác",
          "confirm_password": "một mật khẩu mới khác"}, "Mật khẩu hiện tại không đúng."),
        ({"current_password": PASSWORD, "new_password": "một mật khẩu mới khác",
          "confirm_password": "một mật khẩu khác nữa"}, "Hai mật khẩu mới không giống nhau."),
        ({"current_password": PASSWORD, "new_password": "ngắn quá", "confirm_password": "ngắn quá"}, "12 ký tự"),
        ({"current_password": PASSWORD, "new_password": "Password1234", "confirm_password": "Password1234"},
         "phổ biến"),
        ({"current_password": PASSWORD, "new_password": PASSWORD, "confirm_password": PASSWORD}, "khác mật khẩu"),
    ]  # fmt: skip
    for data, message in cases:
        response = post_form(client, "/account/password", data)
        assert response.status_code == 200
        assert message in response.get_data(as_text=True), message
    assert login(client.application.test_client()).status_code == 302  # unchanged


def test_one_time_password_must_be_changed_before_anything_else(client, session, runner):
    from tests.factories import load_catalog

    load_catalog()
    result = runner.invoke(args=["create-user", "ward@example.gov.vn", "--role", "official", "--office", "79.01"])
    one_time = result.output.strip().rsplit(" ", 1)[-1]
    response = login(client, "ward@example.gov.vn", one_time, next_url="/admin/")
    assert response.headers["Location"] == "/account/password"
    for path in ("/", "/admin/", "/account/password?x=1"):
        followed = client.get(path)
        if path.startswith("/account"):
            assert followed.status_code == 200
        else:
            assert followed.status_code == 302 and followed.headers["Location"] == "/account/password"
    api = client.get("/api/v1/summary")
    assert api.status_code in (403, 404) and api.is_json
    new_password = "phường của tôi rất đẹp"
    response = post_form(
        client, "/account/password",
        {"current_password": one_time, "new_password": new_password, "confirm_password": new_password},
    )  # fmt: skip
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert session.scalar(select(User.must_change_password).where(User.email == "ward@example.gov.vn")) is False
