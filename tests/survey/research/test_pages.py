"""The researcher page: who may open it, the download it builds, and its audit entry."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile

import pandas as pd
import pytest
from pycanon import anonymity
from sqlalchemy import select

from survey.models import AuditEntry
from tests.factories import make_user
from tests.pages import csrf_token, login
from tests.survey.datasets.research import seed_skewed


@pytest.fixture
def seeded(session):
    seed_skewed(session, demo_responses=1500, huge=1500)
    return session


def sign_in_as(client, session, role: str) -> None:
    email = f"{role}@example.gov.vn"
    make_user(email=email, role=role, office="79.00" if role == "official" else None)
    assert login(client, email).status_code == 302


def test_a_stranger_is_sent_to_sign_in(client) -> None:
    response = client.get("/research")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/research/export").status_code in (302, 400)
    assert client.get("/research/codebook.json").status_code == 302


def test_an_official_gets_403(client, seeded) -> None:
    sign_in_as(client, seeded, "official")
    assert client.get("/research").status_code == 403
    assert client.get("/research/codebook.md").status_code == 403


@pytest.mark.parametrize("role", ["researcher", "admin"])
def test_researchers_and_admins_see_the_page_without_script(client, client_request, seeded, role) -> None:
    sign_in_as(client, seeded, role)
    page = client_request.get("/research")
    assert page.find("script") is None
    assert "script-src" not in client_request.response.headers["Content-Security-Policy"]
    assert page.find(attrs={"name": "k"}) is not None and page.find(attrs={"value": "parquet"}) is not None


def test_a_researcher_downloads_a_zip_with_data_and_codebooks_and_it_is_audited(client, seeded) -> None:
    sign_in_as(client, seeded, "researcher")
    token = csrf_token(client, "/research")
    response = client.post(
        "/research/export",
        data={"csrf_token": token, "file_format": "parquet", "k": "5", "text": "redacted", "omit": ["sex"]},
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    response.close()  # as a WSGI server does: the temporary folder goes with it
    archive = zipfile.ZipFile(io.BytesIO(body))
    names = sorted(archive.namelist())
    data_name = next(name for name in names if name.endswith(".parquet"))
    assert names == sorted([data_name, f"{data_name}.codebook.json", f"{data_name}.codebook.md"])
    codebook = json.loads(archive.read(f"{data_name}.codebook.json"))
    quasi = [c["name"] for c in codebook["columns"] if c["role"] == "quasi_identifier"]
    assert "sex" not in quasi
    frame = pd.read_parquet(io.BytesIO(archive.read(data_name)))
    frame = frame.astype(object).where(frame.notna(), "").astype(str)
    assert anonymity.k_anonymity(frame, quasi) >= 5
    entry = seeded.scalars(select(AuditEntry).where(AuditEntry.action == "research.export")).one()
    assert entry.actor == "researcher@example.gov.vn" and entry.user_id is not None
    assert entry.details["sha256"] == hashlib.sha256(archive.read(data_name)).hexdigest()
    assert entry.details["rows_written"] == len(frame) and entry.details["omit"] == ["sex"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"k": "1"}, "từ 2 đến 1000"),
        ({"k": "five"}, "k"),
        ({"file_format": "xlsx"}, "Not a valid choice"),
        ({"month_from": "July"}, "2025-07"),
        ({"month_from": "2025-06", "month_to": "2025-01"}, "không được trước"),
    ],
)
def test_bad_choices_come_back_with_a_message_and_no_file(client, seeded, data, message) -> None:
    sign_in_as(client, seeded, "researcher")
    token = csrf_token(client, "/research")
    form = {"csrf_token": token, "file_format": "csv", "k": "5", "text": "redacted", **data}
    response = client.post("/research/export", data=form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert seeded.scalar(select(AuditEntry.id).where(AuditEntry.action == "research.export")) is None


def test_an_empty_period_says_so(client, seeded) -> None:
    sign_in_as(client, seeded, "researcher")
    token = csrf_token(client, "/research")
    form = {"csrf_token": token, "file_format": "csv", "k": "5", "text": "drop", "month_from": "2031-01"}
    response = client.post("/research/export", data=form)
    assert response.status_code == 422
    assert "no responses" in response.get_data(as_text=True)


def test_the_reference_codebook_downloads(client, seeded) -> None:
    sign_in_as(client, seeded, "researcher")
    codebook = client.get("/research/codebook.json").get_json()
    names = [column["name"] for column in codebook["columns"]]
    assert names[:3] == ["row_id", "month", "office"] and "comment" in names
    office = next(column for column in codebook["columns"] if column["name"] == "office")
    assert office["values"]["79.01"].startswith("Trung tâm") and "DNB" in office["values"]
    markdown = client.get("/research/codebook.md").get_data(as_text=True)
    assert re.search(r"\| rating \| integer \| sensitive \|", markdown)
