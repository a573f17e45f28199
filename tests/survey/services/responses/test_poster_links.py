"""Poster links are derived, never stored: opening a poster writes nothing, and a procedure the office does not
handle gets no link, no form and no stored answer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select

from survey.models import CHANNELS, Invitation, Office, OfficeProcedure, Procedure
from survey.services.responses import invitations
from survey.services.responses.invitations import LinkError, issue_dossier_link, public_link, resolve_link

SECRET = "a-test-secret-a-test-secret-a-test-secret"
OFFERED = ("1.001193", "2.000815", "1.004222")  # birth registration, certified copies, permanent residence
PROVINCE_ONLY = "3.000346"  # a driving licence: a province's procedure, not a ward's


def link(session, procedure=None, channel="qr", office="01.01"):
    return public_link(
        session, secret=SECRET, base_url="http://x", office_code=office, procedure_code=procedure, channel=channel
    )


def rows(session) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(Invitation)) or 0)


def office_id(session, code="01.01") -> int:
    return int(session.scalar(select(Office.id).where(Office.code == code)))


def procedure_id(session, code) -> int:
    return int(session.scalar(select(Procedure.id).where(Procedure.code == code)))


def test_poster_links_are_stable_distinct_and_write_nothing(catalog, backend):
    tokens = {}
    for _ in range(5):
        for procedure in (None, *OFFERED):
            for channel in ("qr", "kiosk"):
                token = link(catalog, procedure, channel).token
                assert tokens.setdefault((procedure, channel), token) == token
    assert len(set(tokens.values())) == 8
    assert rows(catalog) == 0
    for (procedure, channel), token in tokens.items():
        state = resolve_link(catalog, token, secret=SECRET)
        assert state.status == "valid" and state.invitation.is_public and state.invitation.channel == channel
        assert state.invitation.office.code == "01.01"
        assert (state.invitation.procedure.code if state.invitation.procedure else None) == procedure
    assert rows(catalog) == 0
    assert not catalog.new  # the described invitations never join the session


def test_every_channel_and_large_ids_round_trip(catalog):
    for index, channel in enumerate(CHANNELS):
        token = invitations._public_token(SECRET, 916_132_831 - index, 1 + index, channel)
        assert invitations.public_token_parts(token, secret=SECRET) == (916_132_831 - index, 1 + index, channel)
    with pytest.raises(ValueError):
        invitations._public_token(SECRET, 62**5, None, "qr")


def test_a_forged_or_altered_poster_token_leads_nowhere(catalog):
    token = link(catalog, "1.001193").token
    other_office = token[:5] + ("1" if token[5] != "1" else "2") + token[6:]
    assert resolve_link(catalog, other_office, secret=SECRET).status == "invalid"
    assert resolve_link(catalog, token, secret="another-secret-another-secret-another").status == "invalid"
    # a one-time link's signature does not make a poster link, nor the other way round
    one_time = issue_dossier_link(catalog, secret=SECRET, base_url="http://x", office_code="01.01",
                                  procedure_code="1.001193", dossier_code="000.00.31.H56-240115-0001")  # fmt: skip
    assert invitations.public_token_parts(one_time.token, secret=SECRET) is None
    assert invitations.token_id_of(token, secret=SECRET) is None


def test_a_poster_link_stored_by_an_earlier_version_is_still_the_one_given(catalog):
    office = catalog.scalar(select(Office).where(Office.code == "01.01"))
    procedure = catalog.scalar(select(Procedure).where(Procedure.code == "1.001193"))
    stored_id = invitations._stored_poster_id(SECRET, office, procedure, "qr")
    catalog.add(Invitation(token_id=stored_id, office_id=office.id, procedure_id=procedure.id, channel="qr",
                           is_public=True, created_at=datetime.now(UTC)))  # fmt: skip
    catalog.commit()
    printed = invitations.sign_token(SECRET, stored_id)
    assert link(catalog, "1.001193").token == printed  # reprinting a poster keeps its QR code
    assert resolve_link(catalog, printed, secret=SECRET).status == "valid"
    assert link(catalog, "2.000815").token != printed
    assert rows(catalog) == 1


def test_a_procedure_the_office_does_not_handle_gets_no_link(catalog):
    with pytest.raises(LinkError) as caught:
        link(catalog, PROVINCE_ONLY)
    assert caught.value.field == "procedure_code"
    assert "01.01 does not handle procedure 3.000346" in caught.value.message
    with pytest.raises(LinkError) as caught:
        issue_dossier_link(catalog, secret=SECRET, base_url="http://x", office_code="01.01",
                           procedure_code=PROVINCE_ONLY, dossier_code="000.00.31.H56-240115-0002")  # fmt: skip
    assert caught.value.field == "procedure_code"
    assert link(catalog, PROVINCE_ONLY, office="01.00").token  # the province's centre does handle it
    assert rows(catalog) == 0


def test_a_link_whose_procedure_left_the_office_list_says_so(catalog):
    token = link(catalog, "2.000815").token
    office = catalog.scalar(select(Office).where(Office.code == "01.01"))
    procedure = catalog.scalar(select(Procedure).where(Procedure.code == "2.000815"))
    stored_id = invitations._stored_poster_id(SECRET, office, procedure, "kiosk")
    catalog.add(Invitation(token_id=stored_id, office_id=office.id, procedure_id=procedure.id, channel="kiosk",
                           is_public=True, created_at=datetime.now(UTC)))  # fmt: skip
    catalog.execute(
        delete(OfficeProcedure).where(OfficeProcedure.office_id == office.id,
                                      OfficeProcedure.procedure_id == procedure.id)
    )  # fmt: skip
    catalog.commit()
    assert resolve_link(catalog, token, secret=SECRET).status == "not_offered"
    assert resolve_link(catalog, invitations.sign_token(SECRET, stored_id), secret=SECRET).status == "not_offered"
    assert resolve_link(catalog, link(catalog).token, secret=SECRET).status == "valid"  # the office's own list


def test_an_inactive_office_has_no_poster(catalog):
    token = link(catalog).token
    catalog.scalar(select(Office).where(Office.code == "01.01")).active = False
    catalog.commit()
    assert resolve_link(catalog, token, secret=SECRET).status == "invalid"
    with pytest.raises(LinkError):
        link(catalog)
