"""An official of one commune office cannot see another office's numbers through any page, filter, download or
API call; a province official sees its communes; strangers are sent to sign in (pages) or get 401 (API)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.factories import make_invitations, make_user
from tests.pages import sign_in
from tests.survey.datasets.dashboard import standard_data

PAGES = (
    "/dashboard/",
    "/dashboard/procedures",
    "/dashboard/offices",
    "/dashboard/procedures/1.001193",
    "/dashboard/offices/79.01",
    "/dashboard/coverage",
)
TABLES = (
    "trend", "procedures", "offices", "channels", "elements", "tt01", "service_modes", "extra_payment",
    "watch", "changes", "coverage_office", "coverage_procedure", "coverage_channel", "coverage_month",
)  # fmt: skip


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.data[:500]
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


@pytest.fixture
def commune_official(app, client, session):
    standard_data()
    make_invitations(office="79.02", answers=[1] * 30, unanswered=50)  # 79.02 is below target and has coverage
    user = make_user(role="official", office="79.01")
    sign_in(client, user)
    return user


def test_a_stranger_is_sent_to_sign_in_and_the_api_answers_401(app, client, session):
    standard_data()
    for url in [*PAGES, "/dashboard/download/procedures.csv"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next=")
    api = client.get("/api/v1/summary")
    assert api.status_code == 401 and api.json["errors"]


def test_commune_official_sees_only_their_office_on_every_page(client, commune_official, backend):
    overview = client.get("/dashboard/?lang=en").get_data(as_text=True)
    assert "40 of 43 responses" in overview  # 79.01 only: 38 + 2 satisfied of 43
    vietnamese = client.get("/dashboard/?lang=vi").get_data(as_text=True)
    assert "40 trong 43 ý kiến" in vietnamese and "Chưa thể kết luận" in vietnamese
    offices = client.get("/dashboard/offices").get_data(as_text=True)
    assert "79.01" in offices and "79.02" not in offices and "01.01" not in offices
    procedures = client.get("/dashboard/procedures").get_data(as_text=True)
    assert ">43<" not in procedures and ">40<" in procedures  # 1.001193 at 79.01: n = 40
    for url in PAGES:
        page = client.get(url).get_data(as_text=True)
        assert "Sài Gòn" not in page.split("</select>")[-1], url  # nothing of 79.02 outside the filter lists
        assert ">50<" not in page and ">150<" not in page, url  # 79.02's n and the national n never appear


@pytest.mark.parametrize(
    "query",
    ["office=79.02", "office=79.00", "office=01.01", "province=01", "province=79&office=79.02"],
)
def test_filters_cannot_reach_outside_the_scope(client, commune_official, query):
    for url in ["/dashboard/", "/dashboard/offices", "/dashboard/download/offices.csv"]:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, (url, query)
        assert "Sài Gòn" not in response.get_data(as_text=True).split("</select>")[-1]


def test_detail_pages_of_other_offices_do_not_exist_for_the_official(client_request, commune_official):
    for code in ("79.02", "79.00", "01.01"):
        client_request.get(f"/dashboard/offices/{code}", _expected_status=404)


def test_downloads_hold_only_the_officials_office(client, commune_official, backend):
    offices = rows_of(client.get("/dashboard/download/offices.csv"))
    assert [row["office"] for row in offices] == ["79.01"]
    procedures = rows_of(client.get("/dashboard/download/procedures.csv"))
    assert sum(int(row["n"]) for row in procedures) == 43
    for table in TABLES:
        response = client.get(f"/dashboard/download/{table}.csv")
        text = response.data.decode("utf-8-sig")
        assert response.status_code == 200 and "79.02" not in text, table
    extra = rows_of(client.get("/dashboard/download/extra_payment.csv"))
    assert {row["extra_payment"]: row["count"] for row in extra}["yes"] == "0"  # 79.02's "yes" answers stay out
    xlsx = client.get("/dashboard/download/offices.xlsx?publication=1")
    assert xlsx.status_code == 200 and b"79.02" not in xlsx.data


def test_the_summary_api_is_scoped_for_a_signed_in_official(client, commune_official):
    response = client.get("/api/v1/summary?group_by=office")
    assert response.status_code == 200
    assert [row["office"] for row in response.json] == ["79.01"]
    assert response.json[0]["n"] == 43


def test_province_official_sees_its_communes_and_nothing_else(app, client, session, backend):
    standard_data()
    sign_in(client, make_user(role="official", office="79.00"))
    overview = client.get("/dashboard/?lang=en").get_data(as_text=True)
    assert "70 of 93 responses" in overview  # 79.01 (40/43) + 79.02 (30/50)
    offices = rows_of(client.get("/dashboard/download/offices.csv"))
    assert sorted(row["office"] for row in offices) == ["79.01", "79.02"]
    assert client.get("/dashboard/offices/79.02").status_code == 200
    assert client.get("/dashboard/offices/01.01").status_code == 404
    narrowed = rows_of(client.get("/dashboard/download/procedures.csv?office=79.02"))
    assert [(row["procedure"], row["n"], row["satisfied"]) for row in narrowed] == [("1.001193", "50", "30")]
    assert client.get("/dashboard/?province=01").status_code == 400


def test_researchers_and_admins_see_every_office(app, client, session):
    standard_data()
    for role in ("researcher", "admin"):
        sign_in(client, make_user(role=role))
        offices = rows_of(client.get("/dashboard/download/offices.csv"))
        assert sorted(row["office"] for row in offices) == ["01.01", "79.01", "79.02"]
