"""Where dossier volumes are imported, the overview shows the share weighted by dossiers handled, with Kish's
effective n and its interval, beside the share as answered, for the whole scope and each province.

Bến Thành (79.01, Hồ Chí Minh City), March 2025: births 40 answers, 36 satisfied, 200 dossiers; certified copies
40 answers, 20 satisfied, 1,800 dossiers. Hoàn Kiếm (01.01, Hà Nội): births 30 answers, 27 satisfied, 300 dossiers.
    Hồ Chí Minh City: (200·0.9 + 1800·0.5) / 2000 = 54.0 %, n_eff = 2000² / (200²/40 + 1800²/40) = 48.8
    Hà Nội: 27/30 = 90.0 %, n_eff = 30
    everything: (180 + 900 + 270) / 2300 = 58.7 %, n_eff = 2300² / (1000 + 81000 + 3000) = 62.2
    as answered: 83 of 110 = 75.5 %
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from analysis.weighted import wilson_bounds
from survey.models import Office, OfficeFigures, Procedure
from tests.factories import load_catalog, make_responses, make_user
from tests.pages import sign_in
from tests.survey.dashboard.test_figures_agree import table_rows

CAPTION = "Tỷ lệ hài lòng theo ý kiến nhận được và theo số hồ sơ đã giải quyết"


def imported(session, office: str, procedure: str, handled: int) -> None:
    office_id = session.scalar(select(Office.id).where(Office.code == office))
    procedure_id = session.scalar(select(Procedure.id).where(Procedure.code == procedure))
    session.add(OfficeFigures(office_id=office_id, procedure_id=procedure_id, month="2025-03",
                              dossiers_handled=handled, imported_at=datetime.now(UTC)))  # fmt: skip
    session.commit()


@pytest.fixture
def two_provinces(session):
    load_catalog()
    make_responses(office="79.01", procedure="1.001193", ratings=[5] * 36 + [2] * 4)
    make_responses(office="79.01", procedure="2.000815", ratings=[4] * 20 + [1] * 20)
    make_responses(office="01.01", procedure="1.001193", ratings=[5] * 27 + [1] * 3)
    for office, procedure, handled in (("79.01", "1.001193", 200), ("79.01", "2.000815", 1800),
                                       ("01.01", "1.001193", 300)):  # fmt: skip
        imported(session, office, procedure, handled)
    return session


def vi_percent(value: float) -> str:
    return f"{value * 100:.1f} %".replace(".", ",")


def test_the_overview_shows_the_weighted_share_beside_the_share_as_answered(client, two_provinces, backend):
    sign_in(client, make_user(role="admin"))
    rows = table_rows(client.get("/dashboard/").get_data(as_text=True), CAPTION)
    whole, hanoi, hcmc = rows
    assert whole["Địa bàn"] == "Toàn bộ theo bộ lọc đang chọn"
    assert (whole["Số ý kiến"], whole["Tỷ lệ theo ý kiến thu được"]) == ("110", vi_percent(83 / 110))
    share, n_eff = 1350 / 2300, 2300**2 / 85000
    assert whole["Tỷ lệ có trọng số"] == vi_percent(share) == "58,7 %"
    assert whole["Số ý kiến hiệu dụng (Kish)"] == "62,2" and whole["Số hồ sơ đã giải quyết"] == "2.300"
    low, high = wilson_bounds(share, n_eff)
    assert whole["Khoảng tin cậy 95 %, có trọng số"] == f"{vi_percent(low)} – {vi_percent(high)}"
    low, high = wilson_bounds(83 / 110, 110)
    assert whole["Khoảng tin cậy 95 %"] == f"{vi_percent(low)} – {vi_percent(high)}"
    assert whole["Đánh giá (có trọng số)"] == "Chưa đạt mục tiêu"
    assert (hanoi["Địa bàn"], hanoi["Tỷ lệ có trọng số"], hanoi["Số ý kiến hiệu dụng (Kish)"]) == ("01", "90,0 %", "30")
    assert (hcmc["Địa bàn"], hcmc["Tỷ lệ có trọng số"]) == ("79", "54,0 %")
    assert hcmc["Số ý kiến hiệu dụng (Kish)"] == "48,8" and hcmc["Tỷ lệ theo ý kiến thu được"] == "70,0 %"


def test_an_official_sees_only_their_provinces_volumes_and_no_table_without_volumes(client, two_provinces):
    sign_in(client, make_user(role="official", office="79.00"))
    rows = table_rows(client.get("/dashboard/").get_data(as_text=True), CAPTION)
    assert len(rows) == 1 and rows[0]["Tỷ lệ có trọng số"] == "54,0 %" and rows[0]["Số hồ sơ đã giải quyết"] == "2.000"
    page = client.get("/dashboard/?channel=kiosk").get_data(as_text=True)  # volumes are not counted by channel
    assert CAPTION not in page
    page = client.get("/dashboard/?month_from=2025-04").get_data(as_text=True)  # no volumes imported for these months
    assert CAPTION not in page


def test_responses_where_no_volume_was_imported_are_counted_as_left_out(client, two_provinces):
    make_responses(office="79.02", procedure="1.001193", ratings=[5] * 6 + [1] * 4)  # no volumes at 79.02
    make_responses(office="79.01", procedure="1.002755", month="2025-03", ratings=[4] * 5)  # none for this procedure
    sign_in(client, make_user(role="admin"))
    page = client.get("/dashboard/").get_data(as_text=True)
    whole = table_rows(page, CAPTION)[0]
    assert whole["Số ý kiến"] == "125" and whole["Tỷ lệ có trọng số"] == "58,7 %"  # the weighted share is unchanged
    assert "15 ý kiến thuộc thủ tục, cơ quan hoặc tháng chưa nhập số hồ sơ" in page
