"""Accounts: `create-user` (contract), e-mail normalisation, password rules, reset and disable."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy import func, select

from survey.models import AuditEntry, User
from survey.services.accounts import users
from survey.services.accounts.passwords import one_time_password, verify_password, weakness
from tests.factories import PASSWORD, load_catalog, make_user
from tests.pages import login


def user_count(session):
    return session.scalar(select(func.count()).select_from(User))


def test_create_user_with_password_on_stdin_is_final(runner, session, client, backend):
    load_catalog()
    result = runner.invoke(
        args=["create-user", "  Cán.Bộ@Example.GOV.vn ", "--role", "official", "--office", "79.01", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    user = session.scalars(select(User)).one()
    assert user.email == unicodedata.normalize("NFC", "cán.bộ@example.gov.vn")
    assert (user.role, user.office.code, user.must_change_password) == ("official", "79.01", False)
    assert verify_password(user.password_hash, PASSWORD)
    assert login(client, "cán.bộ@example.gov.vn").headers["Location"] != "/account/password"


def test_create_user_without_password_prints_a_one_time_password(runner, session):
    result = runner.invoke(args=["create-user", "research@example.org", "--role", "researcher"])
    assert result.exit_code == 0, result.output
    one_time = result.output.strip().rsplit(" ", 1)[-1]
    user = session.scalars(select(User)).one()
    assert user.must_change_password
    assert verify_password(user.password_hash, one_time)
    assert len(one_time) >= 16


def test_email_written_in_decomposed_unicode_matches(session):
    make_user(email=unicodedata.normalize("NFD", "Hòa@Example.vn"), role="admin")
    assert session.scalar(select(User.email)) == unicodedata.normalize("NFC", "hòa@example.vn")
    with pytest.raises(users.UserError) as error:
        make_user(email="HÒA@example.vn", role="admin")
    assert error.value.code == "duplicate"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["not-an-email", "--role", "admin"], None, "not an e-mail address"),
        (["a@b", "--role", "admin"], None, "not an e-mail address"),
        (["ward@example.gov.vn", "--role", "official"], None, "needs an office"),
        (["typist@example.gov.vn", "--role", "clerk"], None, "a clerk needs an office"),
        (["ward@example.gov.vn", "--role", "official", "--office", "99.99"], None, "unknown office"),
        (
            ["boss@example.gov.vn", "--role", "admin", "--office", "79.01"],
            None,
            "only officials and clerks have an office",
        ),
        (["ward@example.gov.vn", "--role", "mayor"], None, "Invalid value for '--role'"),
        (["ward@example.gov.vn"], None, "Missing option '--role'"),
        (["boss@example.gov.vn", "--role", "admin", "--password-stdin"], "short\n", "at least 12 characters"),
        (["boss@example.gov.vn", "--role", "admin", "--password-stdin"], "password1234\n", "most often used"),
        (["boss@example.gov.vn", "--role", "admin", "--password-stdin"], "", "no password on standard input"),
        (["dup@example.gov.vn", "--role", "admin"], None, "already an account"),
    ],
)
def test_create_user_refuses_bad_input_and_stores_nothing(runner, session, args, stdin, message):
    load_catalog()
    make_user(email="dup@example.gov.vn", role="admin")
    before = (user_count(session), session.scalar(select(func.count()).select_from(AuditEntry)))
    result = runner.invoke(args=["create-user", *args], input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert (user_count(session), session.scalar(select(func.count()).select_from(AuditEntry))) == before


def test_password_rules():
    assert weakness("ngắn") == "too_short"
    assert weakness("x" * 129 + "y") == "too_long"
    assert weakness("Password1234") == "common"
    assert weakness("MatKhau 123456") == "common"
    assert weakness("aaaaaaaaaaaaaaa") == "common"
    assert weakness("nguyenvanan2025", email="nguyenvanan@example.gov.vn") == "like_email"
    assert weakness("một câu dài đủ nhớ 2025") is None
    assert weakness(one_time_password()) is None


def test_reset_password_forces_a_change_and_ends_sessions(app, session, backend):
    user = make_user(email="an@example.gov.vn", role="admin")
    client = app.test_client()
    login(client, "an@example.gov.vn")
    one_time = users.reset_password(session, user.id)
    assert client.get("/account/password").status_code == 302  # signed out by the reset
    assert login(app.test_client(), "an@example.gov.vn").status_code == 200  # old password gone
    fresh = app.test_client()
    assert login(fresh, "an@example.gov.vn", one_time).headers["Location"] == "/account/password"
    assert session.get(User, user.id).must_change_password


def test_disable_ends_sessions_and_cannot_be_done_to_oneself(app, session, backend):
    admin = make_user(email="boss@example.gov.vn", role="admin")
    other = make_user(email="an@example.gov.vn", role="admin")
    client = app.test_client()
    login(client, "an@example.gov.vn")
    users.set_active(session, other.id, False, actor=users.Actor(admin.email, admin.id))
    assert client.get("/account/password").status_code == 302
    with pytest.raises(users.UserError):
        users.set_active(session, admin.id, False, actor=users.Actor(admin.email, admin.id))
    actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "boss@example.gov.vn")))
    assert actions == ["user.disable"]


def test_create_user_makes_a_clerk_bound_to_an_office(runner, session):
    load_catalog()
    result = runner.invoke(args=["create-user", "typist@example.gov.vn", "--role", "clerk", "--office", "79.01"])
    assert result.exit_code == 0, result.output
    assert "Created clerk typist@example.gov.vn for office 79.01." in result.output
    clerk = session.scalars(select(User).where(User.email == "typist@example.gov.vn")).one()
    assert (clerk.role, clerk.office.code, clerk.must_change_password) == ("clerk", "79.01", True)
