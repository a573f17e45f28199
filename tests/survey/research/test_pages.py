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
from survey.services.research.export import ExportOptions, preview_export
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
        data={
            "csrf_token": token,
            "file_format": "parquet",
            "k": "5",
            "text": "redacted",
            "quasi": ["month", "office", "procedure", "age_band"],
            "columns": ["rating", "satisfied", "comment"],
        },
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
    assert entry.details["rows_written"] == len(frame) and entry.details["quasi"] == quasi
    assert list(frame.columns) == ["row_id", "month", "office", "procedure", "age_band", "rating", "satisfied",
                                   "comment"]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"k": "1"}, "từ 2 đến 1000"),
        ({"k": "five"}, "k"),
        ({"file_format": "xlsx"}, "Not a valid choice"),
        ({"month_from": "July"}, "2025-07"),
        ({"month_from": "2025-06", "month_to": "2025-01"}, "không được trước"),
        ({"quasi": []}, "Chọn ít nhất một"),
        ({"quasi": ["dossier"]}, "dossier"),
    ],
)
def test_bad_choices_come_back_with_a_message_and_no_file(client, seeded, data, message) -> None:
    sign_in_as(client, seeded, "researcher")
    token = csrf_token(client, "/research")
    form = {"csrf_token": token, "file_format": "csv", "k": "5", "text": "redacted", "quasi": ["month"], **data}
    response = client.post("/research/export", data=form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert seeded.scalar(select(AuditEntry.id).where(AuditEntry.action == "research.export")) is None


def test_an_empty_period_says_so(client, seeded) -> None:
    sign_in_as(client, seeded, "researcher")
    token = csrf_token(client, "/research")
    form = {"csrf_token": token, "file_format": "csv", "k": "5", "text": "drop", "month_from": "2031-01",
            "quasi": ["month"]}  # fmt: skip
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


def _preview_form(token: str, quasi: list[str]) -> dict[str, object]:
    return {"csrf_token": token, "file_format": "csv", "k": "5", "text": "drop", "quasi": quasi,
            "columns": ["rating"]}  # fmt: skip


def test_the_preview_shows_the_levels_each_column_keeps_and_writes_nothing(client, client_request, seeded) -> None:
    sign_in_as(client, seeded, "researcher")
    token = csrf_token(client, "/research")
    page = client_request.post("/research/preview", _data=_preview_form(token, ["month", "office", "procedure"]))
    levels = page.find(id="preview-levels")
    assert levels is not None
    rows = {row.th.get_text(strip=True): row.td.get_text(" ", strip=True) for row in levels.tbody.find_all("tr")}
    assert set(rows) == {"Tháng (là quý khi nhóm nhỏ)", "Cơ quan (là tỉnh khi nhóm nhỏ)",
                         "Thủ tục (là lĩnh vực khi nhóm nhỏ)"}  # fmt: skip
    procedure = rows["Thủ tục (là lĩnh vực khi nhóm nhỏ)"]
    share = float(re.search(r"thủ tục ([\d,]+)\s*%", procedure).group(1).replace(",", "."))
    plan = preview_export(seeded, ExportOptions(quasi=("month", "office", "procedure"), columns=("rating",)))
    assert share == pytest.approx(100 * plan.recoding.level_shares("procedure")["procedure"], abs=0.05)
    assert seeded.scalar(select(AuditEntry.id).where(AuditEntry.action == "research.export")) is None
    checked = [box["value"] for box in page.find_all("input", attrs={"name": "quasi"}) if box.has_attr("checked")]
    assert checked == ["month", "office", "procedure"]  # the form keeps the researcher's choice


def test_the_table_page_hides_small_cells_and_downloads_with_a_codebook(client, client_request, seeded) -> None:
    sign_in_as(client, seeded, "researcher")
    token = csrf_token(client, "/research")
    form = {"t-csrf_token": token, "t-first": "procedure", "t-second": "province", "t-min_n": "5",
            "t-file_format": "csv"}  # fmt: skip
    page = client_request.post("/research/tables", _data=form)
    table = page.find(id="aggregate-table")
    cells = [[td.get_text(strip=True) for td in row.find_all("td")] for row in table.tbody.find_all("tr")]
    assert any(row[2:] == ["—", "—", "—", "—"] for row in cells)  # hidden cells
    assert any(row[:2] == ["Tổng (total)", "Tổng (total)"] for row in cells)  # the grand total is published
    response = client.post("/research/tables/download", data=form)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    response.close()
    data_name = next(name for name in archive.namelist() if name.endswith(".csv"))
    assert archive.read(data_name).decode("utf-8").startswith("procedure,province,n,satisfied,share")
    assert f"{data_name}.codebook.json" in archive.namelist()
    entry = seeded.scalars(select(AuditEntry).where(AuditEntry.action == "research.aggregates")).one()
    assert entry.actor == "researcher@example.gov.vn"


def test_a_table_by_the_same_column_twice_is_refused(client, seeded) -> None:
    sign_in_as(client, seeded, "researcher")
    token = csrf_token(client, "/research")
    form = {"t-csrf_token": token, "t-first": "month", "t-second": "month", "t-min_n": "5", "t-file_format": "csv"}
    response = client.post("/research/tables", data=form)
    assert response.status_code == 400
    assert "hai cột khác nhau" in response.get_data(as_text=True)
