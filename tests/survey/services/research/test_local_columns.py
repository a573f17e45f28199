"""Local questions in the research export: a column each, answers only where the published office is as fine
as the question's scope, text redacted again, and codebook entries a researcher can read."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import select

from survey.extensions import db
from survey.models import Office, Procedure, QuestionnaireVersion
from survey.services.catalog.local_questions import in_force, office_questions
from survey.services.research.export import ExportOptions, export_anonymised
from survey.services.research.local_columns import LocalExport
from survey.services.responses.local_answers import LocalSubmission
from survey.services.responses.store import Answers, store_response
from tests.factories import PROCEDURE
from tests.questionnaires import import_version, local_question, questionnaire_file

MARCH = datetime(2025, 3, 10, 3, tzinfo=UTC)


def answer(office: str, **local) -> None:
    session = db.session
    version = session.scalars(select(QuestionnaireVersion).where(QuestionnaireVersion.active.is_(True))).one()
    office_id = session.scalars(select(Office.id).where(Office.code == office)).one()
    items = in_force(office_questions(session, version.id, office_id), MARCH.date())
    ids = {item.code: item.id for item in items}
    local_submission = LocalSubmission(
        version.id, items, {ids[c]: v for c, v in local.items()}, ("1", "2", "3", "4", "5")
    )
    store_response(
        session, answers=Answers(rating=4), office_id=office_id, channel="qr", verified=False, now=MARCH,
        procedure_id=session.scalars(select(Procedure.id).where(Procedure.code == PROCEDURE)).one(),
        questionnaire_version_id=version.id, local=local_submission if items else None,
    )  # fmt: skip


def test_local_answers_are_exported_with_codebook_entries_only_where_the_office_is_published(
    catalog, tmp_path, backend
):
    import_version(questionnaire_file(local_questions=[
        local_question(scope="79", code="parking", type="yes_no"),
        local_question(scope="79.01", code="suggestion", type="text"),
    ]))  # fmt: skip
    for index in range(12):
        answer("79.01", parking="yes" if index < 8 else "no", suggestion=f"Gọi số 0912 345 6{index:02d} nhé")
        answer("01.01")
    out = tmp_path / "x.csv"

    export_anonymised(catalog, out, ExportOptions(k=5), actor="test")

    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert {"local_79_parking", "local_79_01_suggestion"} <= set(frame.columns)
    at_79 = frame[frame["office"] == "79.01"]
    assert sorted(at_79["local_79_parking"].value_counts().items()) == [("no", 4), ("yes", 8)]
    assert set(at_79["local_79_01_suggestion"]) == {"Gọi số [SĐT] nhé"}
    at_01 = frame[frame["office"] == "01.01"]
    assert len(at_01) == 12 and set(at_01["local_79_parking"]) == {""} and set(at_01["local_79_01_suggestion"]) == {""}
    codebook = {c["name"]: c for c in json.loads((tmp_path / "x.csv.codebook.json").read_text("utf-8"))["columns"]}
    parking = codebook["local_79_parking"]
    assert parking["values"] == {"yes": "Có (yes)", "no": "Không (no)"} and parking["role"] == "other"
    assert parking["label_en"] == "Local question of province 79 (asked only there): Was there convenient parking?"
    assert codebook["local_79_01_suggestion"]["type"] == "string"

    dropped = tmp_path / "y.csv"
    export_anonymised(catalog, dropped, ExportOptions(k=5, text="drop"), actor="test")
    assert "local_79_01_suggestion" not in pd.read_csv(dropped, dtype=str).columns


def test_an_answer_is_left_out_when_the_office_is_published_coarser_than_the_scope(catalog):
    questions = [
        local_question(scope="79", code="parking"),
        local_question(scope="79.01", code="waiting", type="scale"),
    ]
    import_version(questionnaire_file(local_questions=questions))
    with db.engine.connect() as connection:
        local = LocalExport.load(connection)
    assert local.value("local_79_parking", "yes", "79.03") == "yes"
    assert local.value("local_79_parking", "yes", "79") == "yes"  # the province: the scope itself
    assert local.value("local_79_parking", "yes", "DNB") is None  # a region would be narrowed to the province
    assert local.value("local_79_01_waiting", 4, "79.01") == 4
    assert local.value("local_79_01_waiting", 4, "79") is None  # a province would be narrowed to the ward
