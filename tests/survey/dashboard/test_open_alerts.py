"""The dashboard overview lists the open alerts of the caller's scope, and each leads to the same figure."""

from __future__ import annotations

from survey.services.alerts.detect import Window, run_alerts
from survey.services.reporting.summary import Settings
from tests.factories import make_user
from tests.pages import sign_in
from tests.survey.datasets.alerts import alerts_data


def test_the_overview_lists_the_open_alerts_of_the_callers_offices(client_request, client, session):
    alerts_data()
    run_alerts(session, settings=Settings(), window=Window.ending("2025-06", 3))
    sign_in(client, make_user(office="79.00"))
    page = client_request.get("/dashboard/")
    section = page.select_one("section.open-alerts")
    assert section.h2.get_text(strip=True) == "Cảnh báo đang mở: 2"
    items = [li.get_text(" ", strip=True) for li in section.select("li")]
    assert len(items) == 2 and all("Bến Thành" in item for item in items)
    assert any("chưa đạt mục tiêu, 50,0 % hài lòng trên 40 ý kiến" in item for item in items)
    assert any("giảm rõ rệt từ 95,0 % xuống 50,0 %" in item for item in items)
    assert "Hoàn Kiếm" not in section.get_text()

    link = section.select_one("li a")["href"]
    offices = client_request.get(link)
    row = next(r for r in offices.select("table.data tbody tr") if r.select_one("th .code").get_text() == "79.01")
    assert "50,0 %" in row.get_text(" ", strip=True) and "Chưa đạt mục tiêu" in row.get_text(" ", strip=True)


def test_no_alerts_no_section(client_request, client, session):
    alerts_data()
    sign_in(client, make_user(office="79.02"))
    assert client_request.get("/dashboard/").select_one("section.open-alerts") is None
