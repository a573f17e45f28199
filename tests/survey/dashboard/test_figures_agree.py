"""What the official reads: the office list and an office's page agree for the same filters; a bound is never shown
on the wrong side of the target; the overview's watch list and the coverage page show hand-counted figures."""

from __future__ import annotations

import csv
import io

from bs4 import BeautifulSoup

from survey.services.reporting.dashboard import office_comparison, overview
from survey.services.reporting.query import ReportFilter
from survey.services.reporting.summary import Settings
from tests.factories import load_catalog, make_invitations, make_responses, make_user
from tests.pages import sign_in
from tests.survey.datasets.dashboard import office


def table_rows(html: str, caption: str) -> list[dict[str, str]]:
    """The rows of the table with this caption, as {column heading: cell text}; a cell showing a name with its
    code in small print is read as the code."""
    page = BeautifulSoup(html, "html.parser")
    table = next(t for t in page.find_all("table") if caption in t.caption.get_text())
    heads = [" ".join(th.get_text().split()) for th in table.thead.find_all("th")]

    def text(cell) -> str:
        code = cell.find(class_="code")
        return " ".join((code or cell).get_text().split())

    rows: list[dict[str, str]] = []
    for tr in table.tbody.find_all("tr"):
        if "pair-details" in (tr.get("class") or []):  # a full-width line under the row above: its cell's label
            rows[-1].update({td["data-label"]: text(td) for td in tr.find_all("td")})
        else:
            rows.append(dict(zip(heads, map(text, tr.find_all(["th", "td"])), strict=False)))
    return rows


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def city_with_its_wards() -> None:
    """79.00 (the city's own centre) 30/40; its wards 79.01 95/100 and 79.02 50/60; all QR, March 2025; plus
    kiosk answers in March at 79.01 and February answers at 79.02 that the filter below leaves out."""
    load_catalog()
    make_responses(office="79.00", ratings=[5] * 30 + [1] * 10)
    make_responses(office="79.01", ratings=[5] * 95 + [1] * 5)
    make_responses(office="79.02", ratings=[4] * 50 + [3] * 10)
    make_responses(office="79.01", ratings=[1] * 20, channel="kiosk")
    make_responses(office="79.02", ratings=[1] * 20, month="2025-02")


def test_the_office_list_and_the_office_page_say_the_same(client, session, backend):
    city_with_its_wards()
    query = "month_from=2025-03&month_to=2025-03&channel=qr"
    where = ReportFilter(month_from="2025-03", month_to="2025-03", channel="qr")
    listed = {g.code: g for g in office_comparison(session, None, where, Settings())}
    city = listed["79.00"]
    assert (city.summary["n"], city.summary["satisfied"]) == (40, 30)  # its own responses
    assert city.subtree is not None and (city.subtree["n"], city.subtree["satisfied"]) == (200, 175)
    page = overview(session, None, where.but(office_id=office(session, "79.00").id), Settings())
    assert page.summary == city.subtree  # the page's headline is the list's "with the offices under it"
    assert listed["79.01"].subtree is None  # a ward has no offices under it: nothing to put beside

    sign_in(client, make_user(role="official", office="79.00"))
    offices_page = client.get(f"/dashboard/offices?{query}").get_data(as_text=True)
    row = next(r for r in table_rows(offices_page, "So sánh các cơ quan") if r["Tên"] == "79.00")
    assert (row["Số ý kiến"], row["Tỷ lệ hài lòng"]) == ("40", "75,0 %")
    assert (row["Gộp cả cơ quan trực thuộc: số ý kiến"], row["Gộp cả cơ quan trực thuộc: tỷ lệ hài lòng"]) == (
        "200", "87,5 %")  # fmt: skip
    office_page = client.get(f"/dashboard/offices/79.00?{query}").get_data(as_text=True)
    assert "87,5 %" in office_page and "175 trong 200 ý kiến" in office_page
    both = table_rows(office_page, "Chỉ riêng cơ quan này, và gộp cả các cơ quan trực thuộc")
    assert [(r["Số ý kiến"], r["Tỷ lệ hài lòng"]) for r in both] == [("40", "75,0 %"), ("200", "87,5 %")]
    assert "chỉ tính cho từng cơ quan, trên trang riêng" not in office_page  # the old, wrong sentence
    download = {r["office"]: r for r in csv_rows(client.get(f"/dashboard/download/offices.csv?{query}"))}
    assert (download["79.00"]["n"], download["79.00"]["subtree_n"]) == ("40", "200")


def test_a_bound_just_under_the_target_is_not_shown_as_the_target(client, session):
    load_catalog()
    make_responses(procedure="1.001193", ratings=[5] * 52 + [1] * 11)  # 52/63: upper bound 0.89961 < 0.90
    make_responses(procedure="2.000815", ratings=[5] * 144 + [1] * 8)  # 144/152: lower bound 0.89959 < 0.90
    sign_in(client, make_user(role="admin"))
    rows = {r["Tên"]: r for r in table_rows(client.get("/dashboard/procedures").get_data(as_text=True), "Thủ tục")}
    not_met = rows["1.001193"]
    assert not_met["Đánh giá"] == "Chưa đạt mục tiêu"
    assert not_met["Khoảng tin cậy 95 %, cận trên"] == "89,96 %" != "90,0 %"
    cant_tell = rows["2.000815"]
    assert cant_tell["Đánh giá"] == "Chưa thể kết luận"
    assert cant_tell["Khoảng tin cậy 95 %, cận dưới"] == "89,96 %"
    assert cant_tell["Chênh lệch so với mục tiêu (điểm phần trăm)"] == "+4,7 điểm %"  # 94.7 % − 90 %
    headline = client.get("/dashboard/procedures/1.001193?lang=en").get_data(as_text=True)
    assert "95 % interval: 71.4 % to 89.96 %." in headline and "Below the target" in headline


def test_the_overview_lists_pairs_below_target_with_a_too_few_pair_and_its_reason(client, session):
    load_catalog()
    make_responses(office="79.01", ratings=[5] * 150 + [2] * 50)  # 75 %: 30 citizens short
    make_responses(office="79.02", procedure="1.002755", ratings=[5] * 17 + [2] * 10)  # too few, upper 78 %
    make_responses(office="79.02", procedure="2.000815", ratings=[5] * 10)  # too few, upper 100 %: not listed
    sign_in(client, make_user(role="official", office="79.00"))
    html = client.get("/dashboard/?lang=en").get_data(as_text=True)
    rows = table_rows(html, "Below target, most citizens affected first")
    assert [(r["Office"].split()[0], r["Procedure"].split()[0]) for r in rows] == [
        ("79.01", "1.001193"), ("79.02", "1.002755")]  # fmt: skip
    assert rows[0]["Below target by"] == "15.0 pp" and rows[0]["Citizens short of the target (estimate)"] == (
        "30 of 200 responses")  # fmt: skip
    assert rows[1]["Status"] == "Too few responses ranked by the high end of its interval, 78.5 %"
    assert "No stored themes yet" in rows[0]["Top complaint themes"]
    assert "None of them changed beyond chance." in html or "No responses match" in html
    watch = csv_rows(client.get("/dashboard/download/watch.csv"))
    assert [(r["office"], r["procedure"], r["below_target_at_upper_bound"]) for r in watch] == [
        ("79.01", "1.001193", "false"), ("79.02", "1.002755", "true")]  # fmt: skip
    researcher = make_user(role="researcher")
    sign_in(client, researcher)
    assert "No stored themes yet" not in client.get("/dashboard/?lang=en").get_data(as_text=True)  # no comments


def test_coverage_equals_a_hand_count(client, session, backend):
    load_catalog()
    make_invitations(office="79.01", channel="qr", answers=[5, 5, 1], unanswered=7)  # 3 of 10
    make_invitations(office="79.01", channel="kiosk", answers=[4, 4, 4, 2], unanswered=1)  # 4 of 5
    make_invitations(office="79.02", channel="sms", answers=[5], unanswered=9)  # 1 of 10
    make_invitations(office="01.01", channel="online", month="2025-02", answers=[5, 5], unanswered=2)  # 2 of 4
    make_responses(office="79.01", ratings=[5] * 10, verified=False)  # poster-link answers: no invitation
    sign_in(client, make_user(role="admin"))
    by_office = {r["office"]: r for r in csv_rows(client.get("/dashboard/download/coverage_office.csv"))}
    assert {code: (r["issued"], r["answered"], r["low_rate"]) for code, r in by_office.items()} == {
        "79.01": ("15", "7", "false"), "79.02": ("10", "1", "true"), "01.01": ("4", "2", "false")}  # fmt: skip
    assert float(by_office["79.01"]["rate"]) == 7 / 15
    by_channel = {r["channel"]: (r["issued"], r["answered"]) for r in
                  csv_rows(client.get("/dashboard/download/coverage_channel.csv"))}  # fmt: skip
    assert by_channel == {"qr": ("10", "3"), "kiosk": ("5", "4"), "sms": ("10", "1"), "online": ("4", "2")}
    by_month = {r["month"]: (r["issued"], r["answered"]) for r in
                csv_rows(client.get("/dashboard/download/coverage_month.csv"))}  # fmt: skip
    assert by_month == {"2025-02": ("4", "2"), "2025-03": ("25", "8")}
    page = client.get("/dashboard/coverage?by=channel").get_data(as_text=True)
    assert "10 trong 29 lời mời đã được trả lời" in page and "34,5 %" in page  # 10 answered of 29 issued
    assert "sai lệch do không phản hồi" in page  # non-response bias, explained in one sentence
    sms = next(r for r in table_rows(page, "theo kênh") if r["Kênh"] == "Tin nhắn SMS")
    assert (sms["Tỷ lệ phản hồi"], sms["Dưới 20 %: có thể không đại diện cho mọi người"]) == (
        "10,0 %", "quá thấp để tin cậy")  # fmt: skip
    sign_in(client, make_user(role="official", office="79.01"))
    office_page = client.get("/dashboard/offices/79.01?lang=en").get_data(as_text=True)
    rows = {r["Channel"]: r["Answered"] for r in table_rows(office_page, "by channel") if "Channel" in r}
    assert rows == {"QR code": "3", "Kiosk at the counter": "4"}
    mine = csv_rows(client.get("/dashboard/download/coverage_office.csv"))
    assert [r["office"] for r in mine] == ["79.01"]  # scoped like every other figure


def test_new_pages_are_well_formed(client, client_request, session):
    city_with_its_wards()
    make_invitations(office="79.01", answers=[5, 1], unanswered=3)
    sign_in(client, make_user(role="admin"))
    for url in ("/dashboard/", "/dashboard/offices/79.00", "/dashboard/offices/79.01", "/dashboard/offices",
                *(f"/dashboard/coverage?by={by}" for by in ("office", "procedure", "channel", "month"))):  # fmt: skip
        client_request.get(url)  # status 200, a title, unique ids
    assert client.get("/dashboard/coverage?by=nothing").status_code == 404
