"""Paper sheets and partner systems through POST /api/v1/responses: the version a sheet was printed under, and
answers to the local questions of the office, by code."""

from __future__ import annotations

from sqlalchemy import select

from survey.models import LocalAnswer, QuestionnaireVersion, Response
from survey.services.catalog.questionnaire_import import Actor, retire_version
from tests.factories import bearer, make_api_key
from tests.questionnaires import import_version, local_question, questionnaire_file

SHEET = {"procedure_code": "1.001193", "office_code": "79.01", "channel": "paper", "rating": 5}


def version_2():
    questions = [
        local_question(scope="79", code="parking", type="yes_no", required=True),
        local_question(scope="79.01", code="waiting", type="scale"),
        local_question(scope="79", code="suggestion", type="text"),
    ]
    import_version(questionnaire_file(local_questions=questions))


def stored(session, response_id):
    session.expire_all()
    response = session.get(Response, response_id)
    version = session.get(QuestionnaireVersion, response.questionnaire_version_id).version
    answers = {
        row.question_id: (row.number, row.code, row.text)
        for row in session.scalars(select(LocalAnswer).where(LocalAnswer.response_id == response_id))
    }
    return version, sorted(answers.values(), key=str)


def test_a_paper_sheet_of_the_previous_version_is_stored_against_it_until_that_version_is_retired(client, catalog):
    auth = bearer(make_api_key(office="79.00"))
    version_2()

    old_sheet = client.post("/api/v1/responses", json={**SHEET, "questionnaire_version": 1}, headers=auth)
    assert old_sheet.status_code == 201
    assert stored(catalog, old_sheet.get_json()["id"]) == (1, [])

    first = catalog.scalars(select(QuestionnaireVersion).where(QuestionnaireVersion.version == 1)).one()
    retire_version(catalog, first.id, actor=Actor("admin@example.gov.vn"))
    refused = client.post("/api/v1/responses", json={**SHEET, "questionnaire_version": 1}, headers=auth)
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == [{
        "field": "questionnaire_version",
        "message": "no questionnaire version with this number accepts answers (unknown, draft or retired)",
    }]  # fmt: skip


def test_local_answers_are_taken_by_code_for_the_offices_where_they_are_asked(client, catalog, backend):
    version_2()
    auth = bearer(make_api_key(office="79.00"))
    body = {**SHEET, "local_answers": {"parking": "yes", "waiting": 4, "suggestion": "Thêm ghế chờ, số 0912345678"}}
    created = client.post("/api/v1/responses", json=body, headers=auth)
    assert created.status_code == 201, created.get_json()
    assert stored(catalog, created.get_json()["id"]) == (
        2, sorted([(None, "yes", None), (4, None, None), (None, None, "Thêm ghế chờ, số [SĐT]")], key=str)
    )  # fmt: skip

    missing = client.post("/api/v1/responses", json={**SHEET, "local_answers": {"waiting": 9}}, headers=auth)
    assert missing.status_code == 422
    assert {e["field"]: e["message"] for e in missing.get_json()["errors"]} == {
        "local_answers.parking": "is required",
        "local_answers.waiting": "must be one of 1, 2, 3, 4, 5",
    }

    elsewhere = {**SHEET, "office_code": "01.01", "local_answers": {"parking": "yes"}}
    refused = client.post("/api/v1/responses", json=elsewhere, headers=bearer(make_api_key(office="01.00")))
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == [
        {"field": "local_answers.parking", "message": "not a local question of this office in questionnaire version 2"}
    ]
    plain = client.post("/api/v1/responses", json={**SHEET, "office_code": "01.01"}, headers=bearer(make_api_key()))
    assert plain.status_code == 201  # 01.01 asks no local question, so none is required there
