"""`import-questionnaire FILE.json [--publish]`: every problem listed with its path and nothing imported, or one
line saying what was imported."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from survey.models import AuditEntry, LocalQuestion, QuestionnaireVersion
from tests.questionnaires import local_question, questionnaire_file


def write(tmp_path, data, name="v2.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return str(path)


def test_an_invalid_file_is_refused_with_its_problems_and_nothing_is_imported(runner, catalog, tmp_path):
    data = questionnaire_file(comparable_with="1", local_questions=[local_question(scope="79", type="rating")])
    path = write(tmp_path, data)

    result = runner.invoke(args=["import-questionnaire", path, "--publish"])

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}: nothing imported, 2 problem(s):",
        "  $.comparable_with: '1' is not of type 'array'",
        "  $.local_questions[0].type: 'rating' is not one of ['scale', 'choice', 'yes_no', 'text']",
    ]
    assert catalog.scalar(select(func.count()).select_from(QuestionnaireVersion)) == 0
    assert catalog.scalar(select(func.count()).select_from(LocalQuestion)) == 0
    assert catalog.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_file_that_is_not_json_says_where_it_breaks(runner, catalog, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"version": 2,\n "title": }', "utf-8")
    result = runner.invoke(args=["import-questionnaire", str(path)])
    assert result.exit_code == 1
    assert "$: not valid JSON: Expecting value at line 2, column 11" in result.stderr


def test_a_valid_file_is_imported_and_published(runner, catalog, tmp_path):
    path = write(
        tmp_path, questionnaire_file(local_questions=[local_question(), local_question(code="waiting", type="scale")])
    )
    result = runner.invoke(args=["import-questionnaire", path, "--publish"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Version 2 imported: 2 local question(s); published.\n"
    catalog.expire_all()
    current = catalog.scalars(select(QuestionnaireVersion).where(QuestionnaireVersion.active.is_(True))).one()
    assert (current.version, current.status) == (2, "published")
    actions = list(catalog.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["questionnaire.import", "questionnaire.publish"]
