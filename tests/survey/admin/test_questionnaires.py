"""Admins upload a questionnaire file, preview it as citizens would see it (vi and en, the real citizen form),
publish and retire versions; each step is audited."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from survey.models import AuditEntry, LocalQuestion, QuestionnaireVersion
from tests.factories import load_catalog, make_user
from tests.pages import ClientRequest, check_page, csrf_token, login, post_form
from tests.questionnaires import local_question, questionnaire_file


@pytest.fixture
def admin_client(client, session):
    load_catalog()
    make_user(email="boss@example.gov.vn", role="admin")
    assert login(client, "boss@example.gov.vn").status_code == 302
    return client


def upload(client, data) -> object:
    token = csrf_token(client, "/admin/questionnaires")
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    fields = {"csrf_token": token, "file": (io.BytesIO(body), "v2.json")}
    return client.post("/admin/questionnaires/import", data=fields, content_type="multipart/form-data")


def states(session) -> dict[int, str]:
    session.expire_all()
    return {v.version: v.status for v in session.scalars(select(QuestionnaireVersion))}


def test_an_invalid_upload_lists_its_problems_and_imports_nothing(admin_client, session):
    data = questionnaire_file(local_questions=[local_question(scope="99"), local_question(code="x", type="date")])
    refused = upload(admin_client, data)
    assert refused.status_code == 422
    page = check_page(refused.get_data(as_text=True), "/admin/questionnaires/import")
    rows = [[cell.get_text(strip=True) for cell in row.select("td")] for row in page.select(".error-summary tbody tr")]
    assert rows == [["$.local_questions[1].type", "'date' is not one of ['scale', 'choice', 'yes_no', 'text']"]]
    assert "Không có gì được nhập" in page.get_text()
    assert states(session) == {} and session.scalar(select(LocalQuestion.id)) is None


def test_upload_preview_in_both_languages_publish_and_retire(admin_client, session):
    questions = [local_question(scope="79", code="parking", required=True),
                 local_question(scope="79.01", code="waiting", type="scale")]  # fmt: skip
    data = questionnaire_file(local_questions=questions)
    done = upload(admin_client, data)
    assert done.status_code == 302
    version = session.scalars(select(QuestionnaireVersion).where(QuestionnaireVersion.version == 2)).one()
    assert done.headers["Location"].endswith(f"/admin/questionnaires/{version.id}")
    assert states(session) == {1: "published", 2: "draft"}

    pages = ClientRequest(admin_client)
    detail = pages.get(f"/admin/questionnaires/{version.id}")
    assert detail.select_one("#preview-office")["value"] == "79.01"  # where its first local question is asked
    preview = pages.get(f"/admin/questionnaires/{version.id}/preview", office="79.01")
    assert preview.html["lang"] == "vi" and preview.find("link", rel="stylesheet")["href"].endswith("citizen.css")
    legends = [legend.get_text(" ", strip=True) for legend in preview.select("legend")]
    assert "Có chỗ gửi xe thuận tiện không?" in legends and "Ông/bà hài lòng với thời gian chờ ở quầy?" in legends
    assert preview.select_one("button[type=submit]").has_attr("disabled")
    english = pages.get(f"/admin/questionnaires/{version.id}/preview", office="79.01", language="en")
    assert english.html["lang"] == "en" and "Was there convenient parking?" in english.get_text()
    hanoi = pages.get(f"/admin/questionnaires/{version.id}/preview", office="01.01")
    assert "Có chỗ gửi xe thuận tiện không?" not in hanoi.get_text()

    assert post_form(admin_client, f"/admin/questionnaires/{version.id}/publish",
                     page=f"/admin/questionnaires/{version.id}").status_code == 302  # fmt: skip
    assert states(session) == {1: "superseded", 2: "published"}
    first = session.scalars(select(QuestionnaireVersion.id).where(QuestionnaireVersion.version == 1)).one()
    refused = post_form(admin_client, f"/admin/questionnaires/{version.id}/retire", page="/admin/questionnaires")
    assert refused.status_code == 302 and states(session)[2] == "published"
    assert "xuất bản phiên bản khác trước" in admin_client.get(refused.headers["Location"]).get_data(as_text=True)
    post_form(admin_client, f"/admin/questionnaires/{first}/retire", page="/admin/questionnaires")
    assert states(session) == {1: "retired", 2: "published"}

    log = [(e.actor, e.action, e.target, e.details.get("office"), e.details.get("language"))
           for e in session.scalars(select(AuditEntry).where(AuditEntry.action.like("questionnaire.%")))]  # fmt: skip
    assert log == [
        ("boss@example.gov.vn", "questionnaire.import", "version 2", None, None),
        ("boss@example.gov.vn", "questionnaire.preview", "version 2", "79.01", "vi"),
        ("boss@example.gov.vn", "questionnaire.preview", "version 2", "79.01", "en"),
        ("boss@example.gov.vn", "questionnaire.preview", "version 2", "01.01", "vi"),
        ("boss@example.gov.vn", "questionnaire.publish", "version 2", None, None),
        ("boss@example.gov.vn", "questionnaire.retire", "version 1", None, None),
    ]
