"""Downloads an office can use as they are: the XLSX opens on a "Thông tin" sheet saying what the file holds, its
shares are numbers in a percent format (a figure checked against a hand computation), statuses and significance
are words in the page's language; the CSV keeps today's codes and adds label columns."""

from __future__ import annotations

import csv
import io
import math
import re

import pytest
from openpyxl import load_workbook

from survey.services.reporting.downloads import Column, Table, to_xlsx
from tests.factories import make_user
from tests.pages import sign_in
from tests.survey.datasets.dashboard import standard_data

Z = 1.959963984540054  # the 97.5 % point of the standard normal distribution


def wilson(satisfied: int, n: int) -> tuple[float, float]:
    """The 95 % Wilson score interval, written out by hand."""
    p = satisfied / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


@pytest.fixture
def admin_client(client, session):
    standard_data()
    sign_in(client, make_user(role="admin"))
    return client


def workbook(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.data))


def about(book) -> dict[str, str]:
    return {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True) if row[0]}


def table_rows(sheet) -> tuple[list[str], dict[str, dict[str, object]]]:
    """The header labels and each row's cells (value and number format) by the row's first cell."""
    header = [cell.value for cell in sheet[2]]
    rows = {}
    for cells in sheet.iter_rows(min_row=3):
        if cells[0].value:
            rows[cells[0].value] = {label: cells[i] for i, label in enumerate(header)}
    return header, rows


def test_the_procedures_file_opens_on_what_it_holds_then_shows_the_figures_as_an_office_reads_them(admin_client):
    book = workbook(admin_client.get("/dashboard/download/procedures.xlsx?month_from=2025-02&month_to=2025-03"))
    assert book.sheetnames[0] == "Thông tin"
    assert book.worksheets[0]["A1"].value == "Thủ tục"
    info = about(book)
    assert info["Phạm vi"] == "Tất cả cơ quan"
    assert info["Kỳ"] == "Từ tháng 2025-02 đến tháng 2025-03 (tính theo giờ Việt Nam)"
    assert info["Chỉ tiêu"].startswith("90,0 %")
    assert info["Bộ lọc"] == "Không có: toàn bộ phạm vi nêu trên"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d, giờ Việt Nam", info["Thời điểm lập"])
    assert "/dashboard/?month_from=2025-02&month_to=2025-03" in info["Nguồn"]
    assert "Wilson" in info["Phương pháp"] and "4 hoặc 5" in info["Phương pháp"]

    header, rows = table_rows(book.worksheets[1])
    assert "Tỷ lệ hài lòng" in header and "Đánh giá" in header
    birth = rows["1.001193"]  # 40 + 50 + 60 responses, 38 + 30 + 59 satisfied
    assert birth["Tỷ lệ hài lòng"].value == pytest.approx(127 / 150)
    assert birth["Tỷ lệ hài lòng"].number_format == "0.0%"
    low, high = wilson(127, 150)
    assert birth["Khoảng tin cậy 95 %, cận dưới"].value == pytest.approx(low)
    assert birth["Khoảng tin cậy 95 %, cận trên"].value == pytest.approx(high)
    assert birth["Khoảng tin cậy 95 %, cận trên"].number_format == "0.0%"
    assert high < 0.9 and birth["Đánh giá"].value == "Chưa đạt mục tiêu"
    assert birth["Chỉ tiêu"].value == 0.9 and birth["Chỉ tiêu"].number_format == "0.0%"
    gap = birth["Chênh lệch so với mục tiêu (điểm phần trăm)"]
    assert gap.value == pytest.approx(-5.3) and gap.number_format == "+0.0;-0.0;0.0"  # 84,67 % − 90 %
    assert birth["Số ý kiến"].value == 150 and birth["Số ý kiến"].number_format == "#,##0"
    assert rows["2.000815"]["Đánh giá"].value == "Quá ít ý kiến"


def test_in_english_the_headers_statuses_and_significance_are_english(admin_client):
    book = workbook(admin_client.get("/dashboard/download/offices.xlsx?lang=en"))
    assert book.sheetnames == ["Information", "offices"]
    assert about(book)["Scope"] == "All offices"
    header, rows = table_rows(book.worksheets[1])
    assert rows["79.02"]["Status"].value == "Below the target"  # 30 of 50: even the high end is under 90 %
    significance = next(label for label in header if label.startswith("Difference is significant"))
    assert {row[significance].value for row in rows.values()} <= {"Significant", "Not significant"}
    assert rows["79.02"][significance].value == "Significant"  # 60 % against 97 of 103 elsewhere


def test_an_officials_file_names_their_scope_and_filters(client, session):
    standard_data()
    sign_in(client, make_user(role="official", office="79.00"))
    book = workbook(client.get("/dashboard/download/channels.xlsx?office=79.01&channel=kiosk&verified=y"))
    info = about(book)
    assert info["Phạm vi"].endswith("và các cơ quan trực thuộc") and info["Phạm vi"].startswith("79.00 ")
    assert info["Kỳ"] == "Tất cả các tháng có ý kiến"
    assert info["Bộ lọc"] == (
        "Cơ quan (gồm cả các cơ quan trực thuộc): 79.01 Trung tâm Phục vụ hành chính công phường Bến Thành; "
        "Kênh: Thiết bị đánh giá tại quầy; "
        "Chỉ ý kiến đã xác thực (từ đường dẫn dùng một lần)"
    )
    _header, rows = table_rows(book.worksheets[1])
    assert list(rows) == ["Thiết bị đánh giá tại quầy"]  # the channel in words, not "kiosk"
    assert rows["Thiết bị đánh giá tại quầy"]["Số ý kiến"].value == 20  # 79.01's twenty kiosk ratings of 4
    assert rows["Thiết bị đánh giá tại quầy"]["Tỷ lệ hài lòng"].value == 1


def test_the_csv_keeps_its_codes_and_adds_label_columns_at_the_end(admin_client):
    def read(path):
        response = admin_client.get(path)
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))

    procedures = read("/dashboard/download/procedures.csv")
    assert list(procedures[0]) == [
        "procedure", "name", "n", "satisfied", "share", "ci_low", "ci_high", "status", "target",
        "difference_from_target", "below_target_at_upper_bound", "status_label",
    ]  # fmt: skip
    birth = next(row for row in procedures if row["procedure"] == "1.001193")
    assert (birth["status"], birth["status_label"]) == ("not_met", "Chưa đạt mục tiêu")
    assert float(birth["share"]) == pytest.approx(127 / 150)  # still a fraction 0–1 for machines
    channels = read("/dashboard/download/channels.csv?lang=en")
    assert {(row["channel"], row["channel_label"]) for row in channels} >= {("kiosk", "Kiosk at the counter")}
    trend = read("/dashboard/download/trend.csv")
    assert {row["change_significant"] for row in trend} <= {"true", "false", ""}


def test_a_bound_just_under_the_target_is_never_shown_as_reaching_it():
    table = Table(
        "t", "T", [Column("share", "Share", kind="share"), Column("ci_high", "High", kind="share")],
        [{"share": 0.85, "ci_high": 0.8996}], target=0.9,
    )  # fmt: skip
    sheet = load_workbook(io.BytesIO(to_xlsx(table))).worksheets[1]
    share, high = sheet["A3"], sheet["B3"]
    assert (share.value, share.number_format) == (0.85, "0.0%")
    assert (high.value, high.number_format) == (0.8996, "0.00%")  # 89,96 %, not 90,0 % beside "below target"
