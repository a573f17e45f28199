"""Survey links: one-time dossier links and stable poster links; the dossier code never stored in clear."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from survey.models import Invitation, Office, Procedure, RatedDossier
from survey.services.responses.invitations import (
    TOKEN_LENGTH,
    LinkError,
    dossier_hash,
    issue_dossier_link,
    normalise_dossier_code,
    public_link,
    resolve_link,
)
from survey.services.responses.store import AlreadyRated, Answers, store_response

SECRET = "a-test-secret-a-test-secret-a-test-secret"
DOSSIER = "000.00.31.H56-240115-0001"


def issue(session, dossier=DOSSIER, **overrides):
    values = {"office_code": "01.01", "procedure_code": "1.001193", "dossier_code": dossier}
    values.update(overrides)
    return issue_dossier_link(session, secret=SECRET, base_url="https://khaosat.example.vn/", **values)


def rate(session, invitation, rating=5, key=None):
    return store_response(
        session,
        answers=Answers(rating=rating),
        office_id=invitation.office_id,
        procedure_id=invitation.procedure_id,
        channel=invitation.channel,
        verified=True,
        invitation=invitation,
        submission_key=key,
    )


def test_issued_link_is_short_absolute_and_resolves_valid(catalog):
    link = issue(catalog)
    assert link.url == f"https://khaosat.example.vn/s/{link.token}"
    assert len(link.token) == TOKEN_LENGTH and link.token.isascii() and link.token.isalnum()
    assert link.expires_at is not None
    assert timedelta(days=29, hours=23) < link.expires_at - datetime.now(UTC) <= timedelta(days=30)
    state = resolve_link(catalog, link.token, secret=SECRET)
    assert state.status == "valid" and state.invitation is not None
    assert state.invitation.id == link.invitation_id and not state.invitation.is_public


def test_tampered_foreign_and_malformed_tokens_are_invalid(catalog):
    token = issue(catalog).token
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    other_id = ("A" if token[0] != "A" else "B") + token[1:]
    for bad in (flipped, other_id, token[:-1], token + "x", "", "../../etc/passwd", "ä" * TOKEN_LENGTH):
        assert resolve_link(catalog, bad, secret=SECRET).status == "invalid", bad
    assert resolve_link(catalog, token, secret="another-secret").status == "invalid"


def test_a_correctly_signed_token_without_a_row_is_invalid(catalog):
    link = issue(catalog)
    catalog.execute(text("DELETE FROM invitations"))
    catalog.commit()
    assert resolve_link(catalog, link.token, secret=SECRET).status == "invalid"


def test_expired_and_used_links(catalog):
    link = issue(catalog, expires_days=1)
    later = datetime.now(UTC) + timedelta(days=1, seconds=1)
    assert resolve_link(catalog, link.token, secret=SECRET, now=later).status == "expired"
    invitation = resolve_link(catalog, link.token, secret=SECRET).invitation
    assert rate(catalog, invitation).created
    assert resolve_link(catalog, link.token, secret=SECRET).status == "used"


def test_a_dossier_is_rated_once_across_two_links(catalog, backend):
    first, second = issue(catalog), issue(catalog, dossier=" 000.00.31.h56-240115-0001\n")
    assert first.token != second.token
    invitation = resolve_link(catalog, first.token, secret=SECRET).invitation
    rate(catalog, invitation)
    state = resolve_link(catalog, second.token, secret=SECRET)
    assert state.status == "used"
    with pytest.raises(AlreadyRated):
        rate(catalog, state.invitation, key="another-device")
    assert catalog.scalar(select(RatedDossier.dossier_hash)) == dossier_hash(SECRET, DOSSIER)


def test_no_dossier_code_in_clear_anywhere_in_the_database(catalog, backend):
    codes = ["000.00.31.H56-240115-0001", "H56.22-250101-7777"]
    for code in codes:
        link = issue(catalog, dossier=code)
        rate(catalog, resolve_link(catalog, link.token, secret=SECRET).invitation)
    tables = [name for (name,) in catalog.execute(text(_TABLES[backend]))]
    assert "invitations" in tables and "rated_dossiers" in tables
    dumped = []
    for table in tables:
        for row in catalog.execute(text(f'SELECT * FROM "{table}"')):
            dumped.extend(str(value).upper() for value in row)
    blob = "\n".join(dumped)
    for code in codes:
        assert code.upper() not in blob
        assert code.replace(".", "").replace("-", "") not in blob.replace(".", "").replace("-", "")


_TABLES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
}


def test_dossier_codes_are_normalised_and_bad_ones_refused():
    assert normalise_dossier_code(" 000.00.31.h56 - 240115-0001 ") == "000.00.31.H56-240115-0001"
    assert dossier_hash(SECRET, "abc-123") == dossier_hash(SECRET, "ABC-123 ")
    assert dossier_hash(SECRET, "abc-123") != dossier_hash("other", "abc-123")
    for bad in ("", "ab", "ABC-DEF", "12<script>", "12..34", "12'; DROP TABLE x;--", "9" * 81):
        with pytest.raises(LinkError) as caught:
            normalise_dossier_code(bad)
        assert caught.value.field == "dossier_code"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"office_code": "99.99"}, "office_code"),
        ({"procedure_code": "9.999999"}, "procedure_code"),
        ({"channel": "fax"}, "channel"),
        ({"expires_days": 0}, "expires_days"),
        ({"expires_days": 366}, "expires_days"),
        ({"dossier": "x"}, "dossier_code"),
    ],
)
def test_issuing_with_bad_input_stores_nothing(catalog, overrides, field):
    with pytest.raises(LinkError) as caught:
        issue(catalog, **overrides)
    assert caught.value.field == field and caught.value.message
    catalog.rollback()
    assert catalog.scalar(select(Invitation.id)) is None


def test_inactive_office_gets_no_link(catalog):
    catalog.scalar(select(Office).where(Office.code == "01.01")).active = False
    catalog.commit()
    with pytest.raises(LinkError):
        issue(catalog)


def test_public_link_is_stable_unverified_and_reusable(catalog):
    first = public_link(catalog, secret=SECRET, base_url="http://x", office_code="01.01")
    again = public_link(catalog, secret=SECRET, base_url="http://x", office_code="01.01")
    with_procedure = public_link(
        catalog, secret=SECRET, base_url="http://x", office_code="01.01", procedure_code="1.001193"
    )
    assert first == again and first.expires_at is None
    assert with_procedure.token != first.token
    state = resolve_link(catalog, first.token, secret=SECRET)
    assert state.status == "valid" and state.invitation.is_public and state.invitation.procedure_id is None
    procedure_id = catalog.scalar(select(Procedure.id).where(Procedure.code == "1.001193"))
    for _ in range(2):
        store_response(
            catalog,
            answers=Answers(rating=4),
            office_id=state.invitation.office_id,
            procedure_id=procedure_id,
            channel="qr",
            verified=False,
            invitation=state.invitation,
        )
    assert resolve_link(catalog, first.token, secret=SECRET).status == "valid"
    assert first.invitation_id is None and catalog.scalar(select(Invitation.id)) is None  # a poster link has no row
