"""Local questions in the figures: on the pages and in the downloads of the offices where they are asked, with n
and intervals, and nowhere else."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from statsmodels.stats.proportion import proportion_confint

from analysis.periods import local_date
from survey.extensions import db
from survey.models import Office, Procedure, QuestionnaireVersion
from survey.services.catalog.local_questions import in_force, office_questions
from survey.services.reporting.local_figures import local_figures
from survey.services.reporting.query import ReportFilter
from survey.services.responses.local_answers import LocalSubmission
from survey.services.responses.store import Answers, store_response
from tests.factories import PROCEDURE, make_user
from tests.pages import ClientRequest, sign_in
from tests.questionnaires import import_version, local_question, questionnaire_file


def answer(office: str, rating: int, **local) -> None:
    """One citizen at `office` answers the national rating and the local questions given by code."""
    session = db.session
    version = session.scalars(select(QuestionnaireVersion).where(QuestionnaireVersion.active.is_(True))).one()
    office_id = session.scalars(select(Office.id).where(Office.code == office)).one()
    items = in_force(office_questions(session, version.id, office_id), local_date(datetime.now(UTC)))
    by_code = {item.code: item.id for item in items}
    submission = LocalSubmission(
        version.id, items, {by_code[c]: v for c, v in local.items()}, ("1", "2", "3", "4", "5")
    )
    store_response(
        session, answers=Answers(rating=rating), office_id=office_id, channel="qr", verified=False,
        procedure_id=session.scalars(select(Procedure.id).where(Procedure.code == PROCEDURE)).one(),
        questionnaire_version_id=version.id, local=submission if items else None,
    )  # fmt: skip


WAITING = [5, 4, 4, 3, 2, 1, 5, 4]  # at 79.01: five of eight answer 4 or 5


@pytest.fixture
def answered(catalog):
    import_version(questionnaire_file(local_questions=[
        local_question(scope="79", code="parking", type="yes_no"),
        local_question(scope="79.01", code="waiting", type="scale"),
        local_question(scope="79", code="heard_from", type="choice"),
        local_question(scope="79", code="suggestion", type="text"),
    ]))  # fmt: skip
    for index, waiting in enumerate(WAITING):
        answer("79.01", 4, waiting=waiting, parking="yes" if index < 6 else "no", heard_from="sms")
    answer("79.02", 5, parking="no", heard_from="friend", suggestion="Thêm ghế chờ")
    answer("79.02", 3, suggestion="Mở cửa cả thứ Bảy")
    for rating in (5, 4, 2):
        answer("01.01", rating)
    return catalog


def office_filter(session, code: str) -> ReportFilter:
    return ReportFilter(office_id=session.scalars(select(Office.id).where(Office.code == code)).one())


def test_a_scale_question_has_its_share_answering_4_or_5_with_a_wilson_interval(answered):
    figures = {f.code: f for f in local_figures(answered, None, office_filter(answered, "79.01"))}
    waiting = figures["waiting"]
    low, high = proportion_confint(5, 8, method="wilson")
    assert (waiting.n, waiting.satisfied, waiting.share) == (8, 5, 5 / 8)
    assert waiting.ci_low == pytest.approx(low) and waiting.ci_high == pytest.approx(high)
    parking = {a.code: (a.count, a.share) for a in figures["parking"].answers}
    assert parking == {"yes": (6, 6 / 8), "no": (2, 2 / 8)}
    assert "suggestion" in figures and figures["suggestion"].n == 0  # asked at 79.01 too, never answered there


def test_a_province_question_counts_every_office_of_the_province_and_nothing_elsewhere(answered, backend):
    province = {f.code: f for f in local_figures(answered, None, office_filter(answered, "79.00"))}
    assert {a.code: a.count for a in province["parking"].answers} == {"yes": 6, "no": 3}
    assert {a.code: a.count for a in province["heard_from"].answers} == {"poster": 0, "sms": 8, "friend": 1}
    assert province["suggestion"].n == 2
    assert local_figures(answered, None, office_filter(answered, "01.01")) == []
    hanoi_official_scope = {
        answered.scalars(select(Office.id).where(Office.code == c)).one() for c in ("01.00", "01.01")
    }
    assert local_figures(answered, hanoi_official_scope, ReportFilter()) == []


def csv_rows(client, path: str) -> list[dict[str, str]]:
    response = client.get(path)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_the_office_pages_and_downloads_of_the_scope_show_them_and_no_other_does(client, answered, backend):
    sign_in(client, make_user(role="admin"))
    page = ClientRequest(client).get("/dashboard/offices/79.01", lang="en")
    caption_texts = [caption.get_text() for caption in page.select("table.data caption")]
    assert "Local scale questions" in caption_texts and "Local choice, yes/no and text questions" in caption_texts
    row = page.find("td", string="How satisfied are you with the wait at the counter?").parent
    assert [cell.get_text(strip=True) for cell in row.select("td")][2:4] == ["8", "5"]
    other = ClientRequest(client).get("/dashboard/offices/01.01", lang="en")
    assert "Local scale questions" not in other.get_text()

    rows = csv_rows(client, "/dashboard/download/local_choices.csv?office=79.00")
    parking = {r["answer"]: (r["count"], r["n"]) for r in rows if r["question"] == "parking"}
    assert parking == {"yes": ("6", "9"), "no": ("3", "9")}
    assert csv_rows(client, "/dashboard/download/local_choices.csv?office=01.01") == []

    client.get("/logout")
    sign_in(client, make_user(office="01.00"))  # an official of Hà Nội: none of Hồ Chí Minh City's questions
    assert csv_rows(client, "/dashboard/download/local_scale.csv") == []
    assert csv_rows(client, "/dashboard/download/local_choices.csv") == []
    sign_in(client, make_user(office="79.00"))
    assert [r["question"] for r in csv_rows(client, "/dashboard/download/local_scale.csv")] == ["waiting"]
