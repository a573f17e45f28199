"""Officials record actions from a theme or a watch-list row, see the effect once done, and only within their
offices; a published done action shows on /results/<office> with no personal data, an unpublished one does not."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

from sqlalchemy import select

from survey.extensions import db
from survey.models import AuditEntry
from survey.models_actions import Action
from survey.services.actions.records import create_action
from tests.factories import make_user
from tests.pages import csrf_token, post_form, sign_in
from tests.survey.datasets.actions import actions_data, done_action, waiting_theme

PAGE_BUDGET = 30 * 1024


def text(element) -> str:
    return element.get_text(" ", strip=True).replace("\xa0", " ")


def form_data(**overrides: str) -> dict[str, str]:
    return {
        "office": "79.01", "procedure": "1.001193", "theme_label": "Phải chờ lâu khi nộp hồ sơ khai sinh",
        "change": "Mở thêm một quầy tiếp nhận khai sinh vào buổi sáng", "responsible_unit": "Bộ phận một cửa",
        "due_on": "2025-05-31", "status": "done", "done_on": "2025-05-15", **overrides,
    }  # fmt: skip


def test_an_official_records_an_action_from_a_theme_and_reads_its_effect(client, client_request, catalog):
    actions_data()
    theme = waiting_theme("79.01")
    sign_in(client, make_user(office="79.01", email="canbo@benthanh.gov.vn"))
    page = client_request.get("/dashboard/actions/new", theme=theme.id)
    assert page.find("select", id="office").find("option", selected=True)["value"] == "79.01"
    assert page.find("select", id="procedure").find("option", selected=True)["value"] == "1.001193"
    # the theme's official label, in plain words
    assert page.find("input", id="theme_label")["value"] == "Thời gian chờ đợi, trả kết quả đúng hẹn"
    answer = post_form(client, "/dashboard/actions/new", form_data(theme_id=str(theme.id)))
    assert answer.status_code == 302
    action = db.session.scalars(select(Action)).one()
    assert (action.theme_id, action.status, action.done_on) == (theme.id, "done", date(2025, 5, 15))
    page = client_request.get(answer.headers["Location"])
    effect = [text(row) for row in page.select("#effect-title ~ .table-wrap tbody tr")]
    assert effect[0].startswith("Trước (2025-02 – 2025-04) 50 52,0 %")  # 26 of 50
    assert effect[1].startswith("Sau (2025-06 – 2025-08) 50 88,0 %")  # 44 of 50
    assert "+36,0 điểm %" in text(page) and "p < 0,001" in text(page)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "action.create")).one()
    assert (entry.actor, entry.target) == ("canbo@benthanh.gov.vn", f"action:{action.id}")


def test_a_watch_list_row_fills_in_its_office_and_procedure(client, client_request, catalog):
    actions_data()
    sign_in(client, make_user(office="79.00"))
    page = client_request.get("/dashboard/actions/new", office="79.02", procedure="2.000815")
    assert page.find("select", id="office").find("option", selected=True)["value"] == "79.02"
    assert page.find("select", id="procedure").find("option", selected=True)["value"] == "2.000815"


def test_another_provinces_official_can_neither_see_nor_edit(client, client_request, catalog):
    actions_data()
    ours = create_action(db.session, None, done_action(), actor="a", user_id=None)
    sign_in(client, make_user(office="01.01"))
    assert client.get(f"/dashboard/actions/{ours.id}").status_code == 404
    assert "Mở thêm một quầy" not in client.get("/dashboard/actions").get_data(as_text=True)
    new = "/dashboard/actions/new"
    refused = post_form(client, f"/dashboard/actions/{ours.id}", form_data(office="01.01"), page=new)
    assert refused.status_code == 404
    page = client_request.post(new, {**form_data(), "csrf_token": csrf_token(client, new)}, 400)
    assert "Not a valid choice" in text(page) or "hợp lệ" in text(page)  # 79.01 is not among 01.01's offices
    assert db.session.scalars(select(Action)).all() == [ours]


def test_the_list_filters_overdue_actions(client, client_request, catalog):
    actions_data()
    late = dataclasses.replace(done_action(), status="in_progress", done_on=None, theme_label="Trễ hẹn")
    create_action(db.session, None, late, actor="a", user_id=None)
    create_action(db.session, None, done_action(), actor="a", user_id=None)
    sign_in(client, make_user(office="79.01"))
    rows = [text(row) for row in client_request.get("/dashboard/actions", overdue="y").select("tbody tr")]
    assert len(rows) == 1 and "Trễ hẹn" in rows[0] and "quá hạn" in rows[0]
    assert len(client_request.get("/dashboard/actions").select("tbody tr")) == 2
    assert len(client_request.get("/dashboard/actions", status="done").select("tbody tr")) == 1


def test_a_published_done_action_shows_on_the_public_page_without_personal_data(client, client_request, catalog):
    actions_data()
    public = dataclasses.replace(done_action(public=True),
                                 change="Mở thêm quầy buổi sáng; chị Lan (0912 345 678) phụ trách")  # fmt: skip
    create_action(db.session, None, public, actor="a", user_id=None)
    private = dataclasses.replace(done_action(), theme_label="Thái độ cán bộ", change="Tập huấn lại cán bộ")
    create_action(db.session, None, private, actor="a", user_id=None)
    page = client_request.get("/results/79.01")
    section = page.find("section", class_="did")
    assert section is not None and section.h2.get_text(strip=True) == "Bạn nói – chúng tôi làm"
    shown = text(section)
    assert "Phải chờ lâu khi nộp hồ sơ khai sinh" in shown and "Mở thêm quầy buổi sáng" in shown
    assert "15/05/2025" in shown
    assert "0912" not in shown and "[SĐT]" in shown
    assert "Tập huấn lại" not in text(page) and "Thái độ cán bộ" not in text(page)
    assert "canbo" not in page.get_text() and "Bộ phận một cửa" not in page.get_text()  # no names, no units
    assert "Bạn nói – chúng tôi làm" in text(client_request.get("/results/79.00"))  # the province lists its wards'
    assert client_request.get("/results/01.01").find("section", class_="did") is None


def test_the_office_page_with_the_longest_published_actions_stays_light(client, catalog):
    actions_data()
    for number in range(8):
        long = dataclasses.replace(done_action(public=True), theme_label="Chờ đợi " * 40,
                                   change="Thay đổi quy trình " * 110, done_on=date(2025, 5, 1 + number))  # fmt: skip
        create_action(db.session, None, long, actor="a", user_id=None)
    page = client.get("/results/79.01")
    assert page.get_data(as_text=True).count("Thay đổi quy trình") >= 5
    css = 0
    for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.get_data(as_text=True)):
        with client.get(href) as stylesheet:
            css += len(stylesheet.data)
    assert len(page.data) + css <= PAGE_BUDGET, (len(page.data), css)
