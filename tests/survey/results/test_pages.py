"""The public results pages, read as a citizen reads them (no sign-in): hand-counted shares, "chưa đủ ý kiến" under
30 answers on the page and in the CSV, no comment text, the dashboard's own figures, search without tone marks,
Vietnamese unless English is chosen, and links from the poster and the thank-you page."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from survey.extensions import db
from survey.models import Office, Procedure
from tests.factories import make_dossier_link, make_user
from tests.pages import sign_in
from tests.survey.citizen.helpers import open_form
from tests.survey.datasets.results import results_data

ROOT = Path(__file__).resolve().parents[3]
PAGE_BUDGET = 30 * 1024  # DESIGN.md §6, as for the citizen form: HTML + CSS as served, uncompressed


def text(element) -> str:
    """What a reader sees, with the no-break spaces that keep "84,4 %" on one line read as spaces."""
    return element.get_text(" ", strip=True).replace("\xa0", " ")


def cards(page) -> dict[str, str]:
    """Procedure code → the text of its card on an office's page."""
    return {card.find(class_="code").get_text(strip=True): text(card) for card in page.select("li.res")}


def csv_rows(client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_an_office_page_shows_hand_counted_shares_and_hides_groups_under_thirty(client_request, catalog, backend):
    results_data()
    page = client_request.get("/results/79.01")
    assert page.find("html")["lang"] == "vi"
    assert page.h1.get_text(strip=True) == "Trung tâm Phục vụ hành chính công phường Bến Thành"
    by_code = cards(page)
    # 1.001193: 27 of 32 satisfied = 84.375 %, 95 % interval 68.2–93.1 % (Wilson), which holds the 90 % target.
    assert "84,4 % hài lòng" in by_code["1.001193"] and "68,2 % đến 93,1 %" in by_code["1.001193"]
    assert "số ý kiến: 32" in by_code["1.001193"] and "Chưa thể kết luận" in by_code["1.001193"]
    # 2.000815: 29 answers, every one 5 out of 5: no share, no interval, no verdict.
    assert "Chưa đủ ý kiến" in by_code["2.000815"] and "Số ý kiến: 29" in by_code["2.000815"]
    assert "%" not in by_code["2.000815"]
    # By month over both procedures: last month 46 of 49 (20 + 29 answers) is published, this month's 12 is not.
    months = [text(row) for row in page.select("table.months tbody tr")]
    assert len(months) == 12
    assert months[-2].endswith("93,9 % 49") and months[-1].endswith("chưa đủ ý kiến 12")
    assert all(row.endswith("chưa đủ ý kiến 0") for row in months[:-2])
    overall = text(page.select_one("section.res"))
    assert "91,8 % hài lòng" in overall and "số ý kiến: 61" in overall  # 56 of 61


def test_the_province_page_adds_the_offices_under_it(client_request, catalog):
    results_data()
    by_code = cards(client_request.get("/results/79.00"))
    assert "87,5 % hài lòng" in by_code["1.001193"] and "số ý kiến: 72" in by_code["1.001193"]  # 63 of 72
    assert "Chưa đủ ý kiến" in by_code["2.000815"]


def test_no_comment_text_is_published(client, catalog):
    results_data()
    for url in ("/results", "/results/79.01", "/results/79.00", "/results.csv", "/results.csv?office=79.01"):
        assert "hách dịch" not in client.get(url).get_data(as_text=True), url


def test_the_csv_has_codes_hand_counts_and_the_same_suppression(client, catalog, backend):
    period = results_data()
    rows = {(row["office_code"], row["procedure_code"]): row for row in csv_rows(client, "/results.csv")}
    birth = rows[("79.01", "1.001193")]
    assert (birth["n"], float(birth["share"]), birth["status"]) == ("32", 27 / 32, "cant_tell")
    assert (birth["month_from"], birth["month_to"], birth["parent_code"]) == (
        period.month_from,
        period.month_to,
        "79.00",
    )
    copies = rows[("79.01", "2.000815")]
    assert (copies["n"], copies["share"], copies["ci_low"], copies["ci_high"], copies["status"]) == (
        "29",
        "",
        "",
        "",
        "too_few",
    )
    assert (rows[("79.00", "1.001193")]["n"], float(rows[("79.00", "1.001193")]["share"])) == ("72", 63 / 72)
    assert rows[("01.01", "1.001193")]["n"] == "35" and rows[("01.00", "")]["n"] == "35"
    assert ("79.03", "") in rows and rows[("79.03", "")]["n"] == "0" and rows[("79.03", "")]["share"] == ""
    one = csv_rows(client, "/results.csv?office=79.01")
    assert [(row["procedure_code"], row["n"]) for row in one] == [("", "61"), ("1.001193", "32"), ("2.000815", "29")]
    assert client.get("/results.csv?office=99.99").status_code == 404


def test_names_that_look_like_formulas_reach_the_csv_as_text(client, catalog, session):
    results_data()
    session.query(Office).filter(Office.code == "79.01").update({"name": '=HYPERLINK("http://evil.example","x")'})
    session.query(Procedure).filter(Procedure.code == "1.001193").update({"name": "@SUM(1+1)"})
    session.commit()
    rows = {(row["office_code"], row["procedure_code"]): row for row in csv_rows(client, "/results.csv?office=79.01")}
    assert rows[("79.01", "")]["office_name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[("79.01", "1.001193")]["procedure_name"] == "'@SUM(1+1)"


def test_public_figures_equal_the_dashboards_for_the_same_office_and_months(client, catalog, backend):
    period = results_data()
    public = cards(_page(client, "/results/79.00"))
    sign_in(client, make_user(role="admin"))
    months = f"month_from={period.month_from}&month_to={period.month_to}"
    dashboard = {
        row["procedure"]: row for row in csv_rows(client, f"/dashboard/download/procedures.csv?office=79.00&{months}")
    }
    published = {
        row["procedure_code"]: row for row in csv_rows(client, "/results.csv?office=79.00") if row["procedure_code"]
    }
    assert set(published) == set(dashboard) == {"1.001193", "2.000815"}
    for code, row in dashboard.items():
        assert published[code]["n"] == row["n"]
        if int(row["n"]) >= 30:
            for column in ("share", "ci_low", "ci_high", "status"):
                assert published[code][column] == row[column], (code, column)
        else:
            assert published[code]["share"] == "" and row["share"] != ""
    overview = _page(client, f"/dashboard/?office=79.00&{months}")
    shown = overview.select_one(".big-number").get_text(strip=True)
    assert shown == "91,1 %" and f"{shown} hài lòng" in text(_page(client, "/results/79.00").select_one("section.res"))
    assert "87,5 %" in public["1.001193"]


def _page(client, url):
    from bs4 import BeautifulSoup

    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


@pytest.mark.parametrize("query", ["hoan kiem", "Hoàn Kiếm", "HOAN KIEM", "phuong hoan"])
def test_an_office_is_found_by_name_with_or_without_tone_marks(client_request, catalog, query):
    page = client_request.get("/results", q=query)
    links = [a["href"] for a in page.select("ul.offices a")]
    assert links == ["/results/01.01"]
    assert page.find("input", attrs={"name": "q"})["value"] == query


def test_the_list_starts_with_the_top_offices_and_leads_to_those_under_them(client_request, catalog):
    results_data()
    top = client_request.get("/results")
    assert [a["href"] for a in top.select("ul.offices a")] == [
        f"/results/{code}" for code in ("01.00", "48.00", "79.00", "92.00")
    ]
    hcm = next(text(li) for li in top.select("ul.offices li") if "Hồ Chí Minh" in li.get_text())
    assert "91,1 % hài lòng" in hcm  # 92 of 101 at 79.00 with its wards
    under = client_request.get("/results", under="79.00")
    assert [a["href"] for a in under.select("ul.offices a")] == [f"/results/79.0{n}" for n in range(1, 6)]
    office = client_request.get("/results/79.00")
    assert office.find("a", href="/results?under=79.00") is not None


def test_vietnamese_unless_english_is_chosen(client_request, catalog):
    results_data()
    english_phone = client_request.get("/results/79.01", _headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english_phone.find("html")["lang"] == "vi" and "Chưa đủ ý kiến" in english_phone.get_text()
    chosen = client_request.get("/results/79.01", lang="en")
    assert chosen.find("html")["lang"] == "en" and "Not enough opinions yet" in chosen.get_text()
    assert client_request.response.headers["Cache-Control"] == "public, max-age=600"
    assert "Cookie" in client_request.response.headers["Vary"]


def test_an_unknown_office_is_not_found(client, catalog):
    assert client.get("/results/99.99").status_code == 404


def test_the_heaviest_page_stays_within_the_citizen_page_budget(client, catalog):
    """Ten procedures a page, each with its twelve-month trend, at the province with every ward answering."""
    from tests.factories import make_responses

    period = results_data()
    codes = [code for (code,) in db.session.query(Procedure.code).order_by(Procedure.code).limit(24)]
    for index, code in enumerate(codes):
        for month in period.months:
            make_responses(office=f"79.0{index % 5 + 1}", procedure=code, month=month, ratings=[5] * 28 + [3] * 3)
    for url in ("/results/79.00", "/results/79.00?page=3", "/results", "/results?lang=en"):
        page = client.get(url)
        css = 0
        for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.get_data(as_text=True)):
            with client.get(href) as stylesheet:
                css += len(stylesheet.data)
        assert len(page.data) + css <= PAGE_BUDGET, (url, len(page.data), css)
        assert "<script" not in page.get_data(as_text=True)


def test_the_poster_and_the_thank_you_page_lead_to_the_office_results(client, catalog, app):
    poster = client.get("/poster/79.01").get_data(as_text=True)
    assert f'href="{app.config["BASE_URL"]}/results/79.01"' in poster
    token = make_dossier_link().token
    hidden = open_form(client, token)
    sent = client.post(f"/s/{token}", data={**hidden, "rating": "5"})
    assert sent.status_code == 303
    thanks = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert 'href="/results/79.01"' in thanks and "Xem kết quả đánh giá sự hài lòng của cơ quan" in thanks


def test_the_response_rate_counts_each_dossier_once(client, catalog, session):
    """Three dossiers sent a link at 79.01 for 1.001193, one of them twice; one answered: 1 of 3."""
    tokens = [make_dossier_link(dossier=f"000.00.31.H56-250115-{n:04d}").token for n in (1, 2, 3)]
    make_dossier_link(dossier="000.00.31.H56-250115-0003")
    hidden = open_form(client, tokens[0])
    assert client.post(f"/s/{tokens[0]}", data={**hidden, "rating": "4"}).status_code == 303
    page = _page(client, "/results/79.01")
    assert "Tỷ lệ phản hồi: 33 % (1 trên 3 hồ sơ" in text(page.select_one("li.res"))
    row = next(r for r in csv_rows(client, "/results.csv?office=79.01") if r["procedure_code"] == "1.001193")
    assert (row["invitations_issued"], row["invitations_answered"], float(row["response_rate"])) == ("3", "1", 1 / 3)
