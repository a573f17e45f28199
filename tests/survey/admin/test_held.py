"""Held responses: an admin sees what the spam rules held back and why, and a released response is counted in
every figure from then on (checked against a hand count), with the release in the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.models import AuditEntry, Response
from survey.services.reporting.query import ReportFilter
from survey.services.reporting.summary import Settings, satisfaction_summary
from survey.services.responses.rollups import rebuild_rollups
from tests.factories import load_catalog, make_responses, make_user
from tests.pages import login, post_form

HELD = {"flagged": True, "verified": False, "spam_score": 150}


@pytest.fixture
def admin_client(client, session):
    load_catalog()
    make_user(email="boss@example.gov.vn", role="admin")
    assert login(client, "boss@example.gov.vn").status_code == 302
    return client


def figures(session, **where) -> dict[str, tuple[int, int]]:
    rows = satisfaction_summary(session, None, ReportFilter(**where), group_by="office", settings=Settings(min_n=1))
    return {row["office"]: (row["n"], row["satisfied"]) for row in rows}


def test_released_responses_are_counted_like_any_other(admin_client, session, client_request, backend):
    make_responses(office="79.01", ratings=[5, 5, 4, 2, 1], verified=False, channel="qr")  # counted
    ids = make_responses(office="79.01", ratings=[1, 1, 5], comment="Quá tệ", spam_reason="too_fast", **HELD)
    bot = make_responses(office="79.02", ratings=[1] * 4, spam_reason="address_burst,identical_burst", **HELD)
    assert figures(session) == {"79.01": (5, 3)}  # held responses are in no figure

    page = client_request.get("/admin/held")
    text = page.get_text()
    assert "7 câu trả lời đang bị giữ lại" in text
    assert "Gửi chỉ vài giây sau khi mở phiếu" in text  # the reason, in words
    assert "Nhiều câu trả lời từ cùng một kết nối trong vòng một giờ" in text
    assert len(page.find_all("button", string="Cho tính")) == 7

    for response_id in (ids[0], ids[2]):  # a 1 and a 5 judged genuine
        released = post_form(admin_client, f"/admin/held/{response_id}/release", page="/admin/held")
        assert released.status_code == 302
    # by hand: 79.01 had 5 counted with 3 satisfied; + a 1 and a 5 = 7 counted, 4 satisfied; 79.02 still nothing
    assert figures(session) == {"79.01": (7, 4)}
    assert figures(session, verified_only=True) == {}  # released responses stay unverified
    rebuild_rollups(session)  # a full recount agrees with the running counts
    assert figures(session) == {"79.01": (7, 4)}

    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "response.release")).all()
    assert sorted(entry.target for entry in entries) == sorted(f"response:{i}" for i in (ids[0], ids[2]))
    assert {entry.actor for entry in entries} == {"boss@example.gov.vn"}
    assert entries[0].details["reasons"] == "too_fast" and entries[0].details["office"] == "79.01"
    released = session.get(Response, ids[0])
    assert (released.flagged, released.spam_reason) == (False, "too_fast") and released.released_at is not None

    again = post_form(admin_client, f"/admin/held/{ids[0]}/release", page="/admin/held")
    assert "không còn bị giữ lại" in admin_client.get(again.headers["Location"]).get_data(as_text=True)
    assert figures(session) == {"79.01": (7, 4)}  # released once, counted once
    assert "5 câu trả lời đang bị giữ lại" in client_request.get("/admin/held").get_text()
    assert all(session.get(Response, i).flagged for i in (ids[1], *bot))


def test_only_admins_release(client, session):
    load_catalog()
    [response_id] = make_responses(ratings=[5], spam_reason="honeypot", **HELD)
    make_user(email="ward@example.gov.vn", role="official", office="79.01")
    login(client, "ward@example.gov.vn")
    assert post_form(client, f"/admin/held/{response_id}/release", page="/account/password").status_code == 403
    session.expire_all()
    assert session.get(Response, response_id).flagged
