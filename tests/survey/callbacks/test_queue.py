"""The call-back queue: scoped to the official's offices, audited when viewed, purged on time, in no export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from survey.dashboard.tables import TABLE_NAMES
from survey.models import AuditEntry
from survey.models_contacts import CallbackContact
from survey.services.callbacks.requests import request_callback
from tests.factories import bearer, make_api_key, make_responses, make_user
from tests.pages import sign_in

HANOI_PHONE = "0987 650 001"
SAIGON_MAIL = "Lan.Test@Example.VN"


@pytest.fixture
def requests(catalog):
    """A call-back request at a Hà Nội ward (01.01) and one at a Hồ Chí Minh City ward (79.01)."""
    hanoi = make_responses(office="01.01", ratings=[2] * 40, comment="Chờ lâu")
    saigon = make_responses(office="79.01", ratings=[1] * 40)
    now = datetime.now(UTC)
    ids = {
        "hanoi": request_callback(catalog, response_id=hanoi[0], contact=HANOI_PHONE, consented_at=now,
                                  retention_days=90),
        "saigon": request_callback(catalog, response_id=saigon[0], contact=SAIGON_MAIL, consented_at=now,
                                   retention_days=90),
    }  # fmt: skip
    return ids


def test_an_official_sees_only_the_requests_of_their_offices_and_each_view_is_audited(
    backend, client, catalog, requests
):
    official = make_user(role="official", office="01.00")  # Hà Nội's centre and the wards under it
    sign_in(client, official)
    page = client.get("/callbacks/")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "+84987650001" in html and "Chờ lâu" in html
    assert "lan.test@example.vn" not in html
    [entry] = catalog.scalars(select(AuditEntry).where(AuditEntry.action == "callback.view")).all()
    assert (entry.user_id, entry.details["ids"]) == (official.id, [requests["hanoi"]])
    assert abs(entry.at.replace(tzinfo=UTC) - datetime.now(UTC)) < timedelta(minutes=1)
    client.get("/callbacks/")
    assert len(catalog.scalars(select(AuditEntry).where(AuditEntry.action == "callback.view")).all()) == 2


def test_researchers_never_see_contacts(client, requests):
    sign_in(client, make_user(role="researcher"))
    assert client.get("/callbacks/").status_code == 403


def test_a_request_is_marked_handled_with_its_outcome_only_within_scope(client, catalog, requests):
    outsider = make_user(role="official", office="79.01")
    sign_in(client, outsider)
    token = client.get("/callbacks/")  # opens a session with a CSRF token; the page lists only 79.01
    assert token.status_code == 200
    from tests.survey.citizen.server import hidden_fields

    csrf = hidden_fields(token.get_data(as_text=True))["csrf_token"]
    refused = client.post(f"/callbacks/{requests['hanoi']}/handled", data={"csrf_token": csrf, "outcome": "Đã gọi"})
    assert refused.status_code == 404
    official = make_user(role="official", office="01.01")
    sign_in(client, official)
    csrf = hidden_fields(client.get("/callbacks/").get_data(as_text=True))["csrf_token"]
    done = client.post(
        f"/callbacks/{requests['hanoi']}/handled", data={"csrf_token": csrf, "outcome": " Đã gọi,  đã hướng dẫn "}
    )
    assert done.status_code == 302
    catalog.expire_all()
    request = catalog.get(CallbackContact, requests["hanoi"])
    assert (request.status, request.outcome, request.handled_by) == ("handled", "Đã gọi, đã hướng dẫn", official.id)
    assert "+84987650001" not in client.get("/callbacks/").get_data(as_text=True)  # no longer open
    assert "Đã gọi, đã hướng dẫn" in client.get("/callbacks/?handled=1").get_data(as_text=True)


def test_contacts_are_purged_after_the_retention_period(backend, runner, catalog, requests):
    old = make_responses(office="79.01", ratings=[3])[0]
    request_callback(catalog, response_id=old, contact="0912000111", retention_days=90,
                     consented_at=datetime.now(UTC) - timedelta(days=91))  # fmt: skip
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    catalog.expire_all()
    assert sorted(catalog.scalars(select(CallbackContact.contact))) == ["+84987650001", "lan.test@example.vn"]


def test_contacts_appear_in_no_export_download_or_api(backend, app, client, runner, catalog, requests, tmp_path):
    secrets = ("987650001", "lan.test", "example.vn")
    outputs = {"/results.csv": client.get("/results.csv").get_data(as_text=True)}
    outputs["/results/79.01"] = client.get("/results/79.01").get_data(as_text=True)
    key = make_api_key(name="Một cửa")
    for group in ("procedure", "office", "month", "channel"):
        answer = client.get(f"/api/v1/summary?group_by={group}", headers=bearer(key))
        assert answer.status_code == 200
        outputs[f"summary {group}"] = answer.get_data(as_text=True)
    sign_in(client, make_user(role="admin"))
    for name in TABLE_NAMES:
        answer = client.get(f"/dashboard/download/{name}.csv")
        assert answer.status_code == 200, name
        outputs[name] = answer.get_data(as_text=True)
    out = tmp_path / "microdata.csv"
    result = runner.invoke(args=["export-anonymised", "--out", str(out)])
    assert result.exit_code == 0, result.output
    outputs["export"] = out.read_text(encoding="utf-8")
    outputs["codebook"] = (tmp_path / "microdata.csv.codebook.json").read_text(encoding="utf-8")
    assert len(outputs["export"].splitlines()) > 40  # the microdata really hold the responses
    leaks = [(where, secret) for where, text in outputs.items() for secret in secrets if secret in text.lower()]
    assert leaks == []
