"""Importing questionnaire versions: checked against the shipped schema and the catalog, all or nothing, audited;
publishing supersedes the version before, retiring stops a version's answers from being accepted."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import func, select

from survey.models import AuditEntry, LocalQuestion, QuestionnaireVersion
from survey.services.catalog.questionnaire import shipped_definition
from survey.services.catalog.questionnaire_checks import questionnaire_schema
from survey.services.catalog.questionnaire_import import (
    Actor,
    QuestionnaireImportError,
    VersionStateError,
    publish_version,
    retire_version,
)
from tests.questionnaires import import_version, local_question, questionnaire_file, reworded


def count(session, model) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def versions(session) -> dict[int, tuple[str, bool]]:
    session.expire_all()
    return {v.version: (v.status, v.active) for v in session.scalars(select(QuestionnaireVersion))}


def problems_of(data) -> list[str]:
    with pytest.raises(QuestionnaireImportError) as refused:
        import_version(data)
    return [str(problem) for problem in refused.value.problems]


def test_the_shipped_version_and_the_schema_agree():
    Draft202012Validator.check_schema(questionnaire_schema())
    assert list(Draft202012Validator(questionnaire_schema()).iter_errors(shipped_definition(1))) == []


def test_a_file_that_breaks_the_schema_is_refused_with_every_problem_and_nothing_imported(catalog):
    data = questionnaire_file(title={"vi": "Khảo sát"}, colour="red")
    data["questions"][0]["type"] = "stars"
    data["local_questions"] = [
        local_question(type="choice", options=None),
        local_question(code="Parking Lot", valid_from="2025-02-30"),
    ]
    del data["local_questions"][0]["options"]

    problems = problems_of(data)

    assert problems == [
        "$: Additional properties are not allowed ('colour' was unexpected)",
        "$.local_questions[0]: 'options' is a required property",
        "$.local_questions[1].code: 'Parking Lot' does not match '^[a-z][a-z0-9_]{0,29}$'",
        "$.local_questions[1].valid_from: '2025-02-30' is not a 'date'",
        "$.questions[0].type: 'stars' is not one of ['scale', 'choice', 'text']",
        "$.questions[0].type: 'scale' was expected",
        "$.title: 'en' is a required property",
    ]
    assert count(catalog, QuestionnaireVersion) == 0 and count(catalog, LocalQuestion) == 0
    assert count(catalog, AuditEntry) == 0


def test_rules_beyond_the_schema_are_checked_against_the_catalog(catalog):
    data = reworded(questionnaire_file(), "element_staff", "Thái độ của công chức")
    data["questions"][8]["options"]["9"] = {"vi": "Chín", "en": "Nine"}  # agencies: 1, 2 or 3 only
    data["local_questions"] = [
        local_question(scope="99", code="parking"),
        local_question(scope="79", code="waiting", type="scale", valid_from="2025-06-01", valid_to="2025-05-01"),
    ]

    problems = problems_of(data)

    assert problems == [
        "$.questions[8].options.9: not an answer of agencies; use 1, 2, 3",
        "$.comparable_with: the wording of element_staff differ(s) from version 1: say which versions this one "
        "stays comparable with, e.g. [1], or [] if none",
    ]
    data = reworded(questionnaire_file(comparable_with=[1]), "element_staff", "Thái độ của công chức")
    data["local_questions"] = [
        local_question(scope="99", code="parking"),
        local_question(scope="79", code="waiting", type="scale", valid_from="2025-06-01", valid_to="2025-05-01"),
    ]
    assert problems_of(data) == [
        "$.local_questions[0].scope: no province or office has the code 99",
        "$.local_questions[1].valid_to: ends before it starts (valid_from)",
    ]
    assert versions(catalog) == {}  # not even version 1 was installed by the refused imports


def test_a_form_shows_at_most_five_local_questions_from_its_province_and_offices_together(catalog):
    data = questionnaire_file(local_questions=[
        *(local_question(scope="79", code=f"q{number}") for number in range(4)),
        local_question(scope="79.00", code="q4"),
        local_question(scope="79.01", code="q5"),
    ])  # fmt: skip
    assert problems_of(data) == [
        "$.local_questions: the form of office 79.01 would show 6 local questions; at most 5 (its province's and "
        "its own together)"
    ]
    data["local_questions"][-1] = local_question(scope="79.01", code="q1")
    data["local_questions"] = data["local_questions"][1:]  # five now, but q1 twice at 79.01
    assert problems_of(data) == [
        "$.local_questions: the form of office 79.01 would ask q1 twice (from two scopes): give the questions "
        "different codes"
    ]


def test_a_version_on_another_scale_cannot_claim_to_be_comparable(catalog):
    three_points = {key: shipped_definition(1)["scale"][key] for key in ("1", "3", "5")}
    assert problems_of(questionnaire_file(scale=three_points, comparable_with=[1, 7])) == [
        "$.comparable_with[0]: version 1 has another scale: ratings on different scales are not comparable",
        "$.comparable_with[1]: no version 7 has been imported",
    ]
    outcome = import_version(questionnaire_file(scale=three_points, comparable_with=[]))
    assert outcome.created and versions(catalog) == {1: ("superseded", False), 2: ("published", True)}


def test_import_publish_and_retire_are_audited_and_change_which_version_is_current(catalog, backend):
    draft = import_version(questionnaire_file(local_questions=[local_question()]), publish=False)
    assert versions(catalog) == {1: ("published", True), 2: ("draft", False)}
    stored = catalog.get(QuestionnaireVersion, draft.version_id)
    assert stored.comparable_with == [1]  # the core is unchanged, so it is comparable with the current version
    assert "local_questions" not in stored.definition
    question = catalog.scalars(select(LocalQuestion)).one()
    assert (question.scope_kind, question.scope_code, question.published_at) == ("province", "79", None)

    publish_version(catalog, draft.version_id, actor=Actor("admin@example.gov.vn", None))
    assert versions(catalog) == {1: ("superseded", False), 2: ("published", True)}
    assert catalog.scalars(select(LocalQuestion)).one().published_at is not None
    with pytest.raises(VersionStateError, match="publish another version first"):
        retire_version(catalog, draft.version_id, actor=Actor("admin@example.gov.vn"))
    first = catalog.scalars(select(QuestionnaireVersion).where(QuestionnaireVersion.version == 1)).one()
    retire_version(catalog, first.id, actor=Actor("admin@example.gov.vn"))
    assert versions(catalog) == {1: ("retired", False), 2: ("published", True)}

    log = [(e.actor, e.action, e.target) for e in catalog.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert log == [
        ("cli", "questionnaire.import", "version 2"),
        ("admin@example.gov.vn", "questionnaire.publish", "version 2"),
        ("admin@example.gov.vn", "questionnaire.retire", "version 1"),
    ]


def test_local_questions_are_appended_to_an_existing_version_and_wait_for_its_publication(catalog, backend):
    import_version(questionnaire_file(local_questions=[local_question()]))
    again = questionnaire_file(local_questions=[local_question(), local_question(scope="01", code="waiting")])

    outcome = import_version(again, publish=False)

    assert (outcome.created, outcome.local_questions) == (False, 1)  # the first one was there already
    pending = {q.scope_code: q.published_at is None for q in catalog.scalars(select(LocalQuestion))}
    assert pending == {"79": False, "01": True}
    assert problems_of(questionnaire_file()) == [
        "$.version: version 2 is already imported and the file adds no local questions"
    ]
    changed = reworded(questionnaire_file(local_questions=[local_question()]), "rating", "Mức độ hài lòng chung")
    assert problems_of(changed)[0].startswith("$.version: version 2 already exists with other questions")
