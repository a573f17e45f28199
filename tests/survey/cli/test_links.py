"""`issue-link` and `create-api-key`: one line of output on success, a clear message and nothing stored on error."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from survey.models import ApiKey, AuditEntry, Invitation
from survey.services.accounts.api_keys import authenticate_key
from survey.services.responses.invitations import resolve_link


def invitations(session):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Invitation))


def test_issue_link_prints_one_absolute_url(app, runner, catalog):
    app.config["BASE_URL"] = "https://khaosat.example.vn"
    args = ["issue-link", "--office", "01.01", "--procedure", "1.001193", "--dossier", "000.00.31.H56-240115-0001"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    url = result.stdout.strip()
    assert "\n" not in url and re.fullmatch(r"https://khaosat\.example\.vn/s/[A-Za-z0-9]{22}", url)
    state = resolve_link(catalog, url.rsplit("/", 1)[1], secret=app.config["SECRET_KEY"])
    assert state.status == "valid" and state.invitation.channel == "qr" and not state.invitation.is_public
    second = runner.invoke(args=[*args, "--channel", "sms", "--expires-days", "7"])
    assert second.exit_code == 0 and second.stdout.strip() != url


def test_issue_public_link_is_stable(app, runner, catalog):
    first = runner.invoke(args=["issue-link", "--office", "01.01", "--public"])
    again = runner.invoke(args=["issue-link", "--office", "01.01", "--public"])
    chosen = runner.invoke(args=["issue-link", "--office", "01.01", "--public", "--procedure", "1.001193"])
    assert first.exit_code == again.exit_code == chosen.exit_code == 0
    assert first.stdout == again.stdout != chosen.stdout
    assert invitations(catalog) == 0  # a poster link is derived from its office, procedure and channel: no row
    state = resolve_link(catalog, chosen.stdout.strip().rsplit("/", 1)[1], secret=app.config["SECRET_KEY"])
    assert state.status == "valid" and state.invitation.is_public
    assert (state.invitation.office.code, state.invitation.procedure.code) == ("01.01", "1.001193")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--office", "99.99", "--public"], "--office"),
        (["--office", "01.01", "--procedure", "9.9", "--dossier", "AB-12"], "--procedure"),
        (["--office", "01.01", "--procedure", "1.001193", "--dossier", "!"], "--dossier"),
        (["--office", "01.01", "--public", "--dossier", "AB-12"], "exclude"),
        (["--office", "01.01", "--dossier", "AB-12"], "--procedure"),
        (["--office", "01.01"], "--public"),
        (["--office", "01.01", "--public", "--channel", "fax"], "fax"),
        (["--office", "01.01", "--procedure", "1.001193", "--dossier", "AB-12", "--expires-days", "0"], "0"),
        # a ward office does not issue driving licences (a province-level procedure)
        (["--office", "01.01", "--procedure", "3.000346", "--dossier", "AB-12"], "does not handle procedure 3.000346"),
        (["--office", "01.01", "--public", "--procedure", "3.000346"], "does not handle procedure 3.000346"),
    ],
)
def test_issue_link_with_bad_input_fails_clearly_and_stores_nothing(runner, catalog, args, message):
    result = runner.invoke(args=["issue-link", *args])
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output and invitations(catalog) == 0


def test_create_api_key_prints_the_key_once_and_stores_a_hash(runner, catalog):
    result = runner.invoke(args=["create-api-key", "Một cửa phường Hoàn Kiếm", "--office", "01.01"])
    assert result.exit_code == 0, result.output
    raw = result.stdout.strip()
    assert "\n" not in raw and len(raw) > 30
    key = catalog.scalar(select(ApiKey))
    assert key.name == "Một cửa phường Hoàn Kiếm" and key.office.code == "01.01" and key.key_hash != raw
    assert authenticate_key(catalog, raw).id == key.id
    entry = catalog.scalar(select(AuditEntry))
    assert entry.action == "api_key.create" and entry.actor == "cli" and raw not in str(entry.details)


@pytest.mark.parametrize(("args", "message"), [(["x", "--office", "99.99"], "--office"), (["  "], "NAME")])
def test_create_api_key_with_bad_input_fails_clearly(runner, catalog, args, message):
    result = runner.invoke(args=["create-api-key", *args])
    assert result.exit_code != 0 and message in result.output
    assert catalog.scalar(select(func.count()).select_from(ApiKey)) == 0
