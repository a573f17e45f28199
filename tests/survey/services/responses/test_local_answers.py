"""Local answers through the storing service: typed rows, the set shown, rollup cells kept in step by storing,
erasing and rebuilding, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import current_app
from sqlalchemy import select

from survey.models import Invitation, LocalAnswer, LocalQuestionSet, Office, Procedure, QuestionnaireVersion, Rollup
from survey.services.catalog.local_questions import in_force, office_questions
from survey.services.responses.local_answers import LocalSubmission
from survey.services.responses.retention import erase_response_by_link
from survey.services.responses.rollups import rebuild_rollups
from survey.services.responses.store import Answers, InvalidAnswers, store_response
from tests.factories import PROCEDURE, make_dossier_link
from tests.questionnaires import import_version, local_question, questionnaire_file

MARCH = datetime(2025, 3, 10, 3, tzinfo=UTC)
SCALE = ("1", "2", "3", "4", "5")


def local_rollups(session) -> dict[tuple[str, str], int]:
    session.expire_all()
    rows = session.scalars(select(Rollup).where(Rollup.metric.like("local:%"), Rollup.count > 0))
    return {(row.metric, row.value): row.count for row in rows}


def setting(session):
    import_version(questionnaire_file(local_questions=[
        local_question(scope="79", code="parking", type="yes_no", required=True),
        local_question(scope="79.01", code="heard_from", type="choice"),
        local_question(scope="79", code="suggestion", type="text"),
    ]))  # fmt: skip
    version = session.scalars(select(QuestionnaireVersion).where(QuestionnaireVersion.active.is_(True))).one()
    office = session.scalars(select(Office.id).where(Office.code == "79.01")).one()
    procedure = session.scalars(select(Procedure.id).where(Procedure.code == PROCEDURE)).one()
    items = in_force(office_questions(session, version.id, office), MARCH.date())
    return version.id, office, procedure, {item.code: item for item in items}


def store(session, version_id, office, procedure, items, values, **kw):
    submission = LocalSubmission(version_id, tuple(items.values()), values, SCALE)
    return store_response(session, answers=Answers(rating=4), office_id=office, procedure_id=procedure,
                          channel="qr", verified=False, now=MARCH, questionnaire_version_id=version_id,
                          local=submission, **kw)  # fmt: skip


def test_answers_are_typed_counted_erased_and_rebuilt(catalog, backend):
    version_id, office, procedure, items = setting(catalog)
    ids = {code: item.id for code, item in items.items()}
    store(catalog, version_id, office, procedure, items, {ids["parking"]: "yes", ids["heard_from"]: "sms"})
    link = make_dossier_link()  # issued under version 2, the published one
    invitation = catalog.get(Invitation, link.invitation_id)
    stored = store(catalog, version_id, office, procedure, items,
                   {ids["parking"]: "no", ids["suggestion"]: "Gọi 0912 345 678"}, invitation=invitation)  # fmt: skip

    texts = catalog.scalars(select(LocalAnswer.text).where(LocalAnswer.text.is_not(None))).all()
    assert texts == ["Gọi [SĐT]"]
    sets = catalog.scalars(select(LocalQuestionSet)).all()
    assert len(sets) == 1 and sorted(sets[0].question_ids) == sorted(ids.values())  # both answered the same set
    before = {
        (f"local:{ids['parking']}", "yes"): 1, (f"local:{ids['parking']}", "no"): 1,
        (f"local:{ids['heard_from']}", "sms"): 1, (f"local:{ids['suggestion']}", "text"): 1,
    }  # fmt: skip
    assert local_rollups(catalog) == before

    erase_response_by_link(catalog, link.token, secret=current_app.config["SECRET_KEY"])
    after = {(f"local:{ids['parking']}", "yes"): 1, (f"local:{ids['heard_from']}", "sms"): 1}
    assert local_rollups(catalog) == after
    assert catalog.scalars(select(LocalAnswer).where(LocalAnswer.response_id == stored.id)).all() == []

    rebuild_rollups(catalog)
    assert local_rollups(catalog) == after


def test_the_service_refuses_wrong_or_missing_local_answers(catalog):
    version_id, office, procedure, items = setting(catalog)
    ids = {code: item.id for code, item in items.items()}
    with pytest.raises(InvalidAnswers) as refused:
        store(catalog, version_id, office, procedure, items, {ids["heard_from"]: "radio", ids["suggestion"]: 5})
    assert refused.value.problems == {
        "local_answers.heard_from": "must be one of poster, sms, friend",
        "local_answers.suggestion": "must be text",
        "local_answers.parking": "is required",
    }
    assert catalog.scalars(select(LocalAnswer)).all() == []
