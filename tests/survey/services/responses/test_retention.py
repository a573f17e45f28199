"""Retention and erasure: call-back contacts expire, and a citizen can erase their response with its link."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from survey.models import (
    AuditEntry,
    CallbackContact,
    Invitation,
    Office,
    Procedure,
    RatedDossier,
    Response,
    ResponseTheme,
    Rollup,
    Theme,
    ThemeRun,
)
from survey.services.responses.invitations import resolve_link
from survey.services.responses.retention import (
    EraseError,
    erase_response_by_link,
    purge_expired_contacts,
    token_from_text,
)
from survey.services.responses.rollups import count_cells, response_values
from survey.services.responses.store import Answers, store_response
from tests.factories import make_dossier_link, make_poster_link

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
BASE_URL = "https://khaosat.example.vn"


@pytest.fixture
def secret(app) -> str:
    return str(app.config["SECRET_KEY"])


def ids(session, office_code="79.01", procedure_code="1.001193") -> tuple[int, int]:
    office = session.scalar(select(Office.id).where(Office.code == office_code))
    procedure = session.scalar(select(Procedure.id).where(Procedure.code == procedure_code))
    return office, procedure


def answered_link(session, secret, dossier: str, *, rating=2, contact: str | None = None) -> tuple[str, int]:
    """Issue a one-time link, answer through it (with a call-back contact and a theme), return (token, id)."""
    link = make_dossier_link(dossier=dossier)
    invitation = session.get(Invitation, link.invitation_id)
    office_id, procedure_id = ids(session)
    answers = Answers(rating=rating, elements={"staff": 2}, on_time="late", comment="Chờ lâu quá")
    stored = store_response(session, answers=answers, office_id=office_id, procedure_id=procedure_id,
                            channel="qr", verified=True, invitation=invitation)  # fmt: skip
    if contact:
        session.add(CallbackContact(response_id=stored.id, contact=contact, consented_at=NOW,
                                    delete_after=NOW + timedelta(days=90)))  # fmt: skip
    run = ThemeRun(created_at=NOW, month_from="2025-01", month_to="2025-12", parameters={})
    run.themes.append(Theme(position=0, name="Chờ lâu", size=1, top_terms=[], examples=[], monthly_counts={}))
    session.add(run)
    session.flush()
    session.add(ResponseTheme(run_id=run.id, response_id=stored.id, theme_id=run.themes[0].id))
    session.commit()
    return link.token, stored.id


def other_responses(session, count=5) -> None:
    office_id, procedure_id = ids(session)
    for rating in range(count):
        store_response(session, answers=Answers(rating=rating % 5 + 1, on_time="on_time"), office_id=office_id,
                       procedure_id=procedure_id, channel="qr", verified=False)  # fmt: skip


def rollups_match_responses(session) -> None:
    expected = count_cells(response_values(r) for r in session.scalars(select(Response)))
    stored = Counter(
        {
            (r.month, r.office_id, r.procedure_id, r.channel, r.verified, r.metric, r.value): r.count
            for r in session.scalars(select(Rollup))
            if r.count
        }
    )
    assert stored == expected
    assert session.scalar(select(func.count()).select_from(Rollup).where(Rollup.count <= 0)) == 0


# --- purge -------------------------------------------------------------------------------------------------


def contact(session, response_id: int, *, consented_days_ago: int, delete_in_days: int) -> None:
    consented = NOW - timedelta(days=consented_days_ago)
    session.add(CallbackContact(response_id=response_id, contact=f"09{consented_days_ago:08d}",
                                consented_at=consented, delete_after=NOW + timedelta(days=delete_in_days)))  # fmt: skip


def test_purge_deletes_only_expired_contacts_and_is_idempotent(backend, catalog) -> None:
    other_responses(catalog, 1)
    response_id = catalog.scalar(select(Response.id))
    contact(catalog, response_id, consented_days_ago=100, delete_in_days=-10)  # past delete_after
    contact(catalog, response_id, consented_days_ago=95, delete_in_days=0)  # due right now
    contact(catalog, response_id, consented_days_ago=200, delete_in_days=30)  # older than the retention now in force
    contact(catalog, response_id, consented_days_ago=10, delete_in_days=80)  # kept
    contact(catalog, response_id, consented_days_ago=89, delete_in_days=1)  # kept
    catalog.commit()
    result = purge_expired_contacts(catalog, retention_days=90, now=NOW)
    assert result.deleted == 3
    kept = sorted(catalog.scalars(select(CallbackContact.contact)))
    assert kept == ["0900000010", "0900000089"]
    assert purge_expired_contacts(catalog, retention_days=90, now=NOW).deleted == 0
    assert catalog.scalar(select(func.count()).select_from(Response)) == 1  # responses are not touched
    entries = catalog.scalars(select(AuditEntry).where(AuditEntry.action == "retention.purge")).all()
    assert [e.details["deleted"] for e in entries] == [3]
    assert "09" not in str(entries[0].details)


def test_purge_command_prints_what_it_deleted(app, catalog, runner) -> None:
    other_responses(catalog, 1)
    response_id = catalog.scalar(select(Response.id))
    old = datetime.now(UTC) - timedelta(days=400)
    catalog.add(CallbackContact(response_id=response_id, contact="0912345678", consented_at=old,
                                delete_after=old + timedelta(days=90)))  # fmt: skip
    catalog.commit()
    first = runner.invoke(args=["purge"])
    assert first.exit_code == 0 and "Deleted 1 call-back contact" in first.output
    assert "0912345678" not in first.output
    second = runner.invoke(args=["purge"])
    assert second.exit_code == 0 and "nothing deleted" in second.output
    assert (
        "15 3 * * * cd /srv/survey && .venv/bin/flask --app wsgi purge"
        in runner.invoke(args=["purge", "--help"]).output
    )


# --- erasure -----------------------------------------------------------------------------------------------


def test_erasing_removes_the_response_and_keeps_rollups_true(backend, catalog, secret) -> None:
    other_responses(catalog, 6)
    token, response_id = answered_link(catalog, secret, "000.00.31.H56-250115-0001", contact="0912345678")
    _keep_token, keep_id = answered_link(catalog, secret, "000.00.31.H56-250115-0002")
    rollups_match_responses(catalog)
    erased = erase_response_by_link(catalog, token, secret=secret)
    assert (erased.office_code, erased.contacts, erased.themes) == ("79.01", 1, 1)
    catalog.expire_all()
    assert catalog.get(Response, response_id) is None
    assert catalog.get(Response, keep_id) is not None
    assert catalog.scalar(select(func.count()).select_from(CallbackContact)) == 0
    assert catalog.scalar(select(func.count()).select_from(ResponseTheme)) == 1
    rollups_match_responses(catalog)
    assert resolve_link(catalog, token, secret=secret).status == "used"  # cannot be rated again
    assert catalog.scalar(select(func.count()).select_from(RatedDossier)) == 2
    with pytest.raises(EraseError) as again:
        erase_response_by_link(catalog, token, secret=secret)
    assert again.value.reason == "nothing"
    entry = catalog.scalars(select(AuditEntry).where(AuditEntry.action == "response.erase")).one()
    assert token not in str(entry.details) + str(entry.target)
    assert entry.target == f"response:{response_id}"


def test_links_that_cannot_erase(catalog, secret) -> None:
    with pytest.raises(EraseError) as invalid:
        erase_response_by_link(catalog, "not-a-token", secret=secret)
    assert invalid.value.reason == "invalid"
    poster = make_poster_link()
    with pytest.raises(EraseError) as public:
        erase_response_by_link(catalog, poster.token, secret=secret)
    assert public.value.reason == "public"
    unused = make_dossier_link(dossier="000.00.31.H56-250115-0009")
    with pytest.raises(EraseError) as nothing:
        erase_response_by_link(catalog, unused.token, secret=secret)
    assert nothing.value.reason == "nothing"


def test_token_from_text_accepts_urls() -> None:
    assert token_from_text(f" {BASE_URL}/s/abcDEF_-123/erase?lang=en ") == "abcDEF_-123"
    assert token_from_text("abcDEF_-123") == "abcDEF_-123"


def test_erase_command(catalog, secret, runner) -> None:
    token, response_id = answered_link(catalog, secret, "000.00.31.H56-250115-0003")
    result = runner.invoke(args=["erase-response", f"{BASE_URL}/s/{token}"])
    assert result.exit_code == 0, result.output
    assert "Erased" in result.output and "cannot be rated again" in result.output
    catalog.expire_all()
    assert catalog.get(Response, response_id) is None
    again = runner.invoke(args=["erase-response", token])
    assert again.exit_code != 0 and "no response is stored" in again.output
    assert runner.invoke(args=["erase-response", "garbage"]).exit_code != 0


# --- the citizen's page ------------------------------------------------------------------------------------


def test_citizen_erases_after_confirming(client, client_request, catalog, secret) -> None:
    token, response_id = answered_link(catalog, secret, "000.00.31.H56-250115-0004", contact="a@b.vn")
    page = client_request.get(f"/s/{token}/erase")
    headers = client_request.response.headers
    assert page.find("script") is None and page.find("input", type="checkbox") is not None
    assert headers["Referrer-Policy"] == "no-referrer" and "no-store" in headers["Cache-Control"]
    csrf = page.find("input", attrs={"name": "csrf_token"})["value"]
    unconfirmed = client.post(f"/s/{token}/erase", data={"csrf_token": csrf})
    assert unconfirmed.status_code == 400
    catalog.expire_all()
    assert catalog.get(Response, response_id) is not None  # nothing erased without the tick
    done = client.post(f"/s/{token}/erase", data={"csrf_token": csrf, "confirm": "y"})
    assert done.status_code == 200
    catalog.expire_all()
    assert catalog.get(Response, response_id) is None
    assert client.get(f"/s/{token}/erase").status_code == 200  # "nothing to erase", said plainly
    rollups_match_responses(catalog)


def test_erase_page_without_csrf_token_erases_nothing(client, catalog, secret) -> None:
    token, response_id = answered_link(catalog, secret, "000.00.31.H56-250115-0005")
    response = client.post(f"/s/{token}/erase", data={"confirm": "y"})
    assert response.status_code == 400
    catalog.expire_all()
    assert catalog.get(Response, response_id) is not None


def test_erase_page_for_bad_links(client, catalog, secret) -> None:
    assert client.get("/s/AAAAAAAAAAAAAAAAAAAAAA/erase").status_code == 404
    poster = make_poster_link()
    assert client.get(f"/s/{poster.token}/erase").status_code == 400
