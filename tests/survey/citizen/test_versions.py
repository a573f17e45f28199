"""Which questionnaire a citizen answers: the published version on new links, the link's own version on links
issued before a new one was published, and the local questions of the office's province and offices above it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from survey.extensions import db
from survey.models import LocalAnswer, LocalQuestionSet, QuestionnaireVersion, Rollup
from survey.services.catalog.questionnaire_import import Actor, retire_version
from tests.conftest import make_app
from tests.factories import PROCEDURE, make_dossier_link, make_poster_link
from tests.pages import ClientRequest
from tests.questionnaires import import_version, local_question, questionnaire_file, reworded
from tests.survey.citizen.helpers import latest_response, open_form, opened_seconds_ago, response_count
from tests.survey.citizen.server import hidden_fields

NEW_WORDING = "Nhìn chung, ông/bà đánh giá thế nào về việc giải quyết hồ sơ lần này?"


def version_2(**changes):
    data = reworded(questionnaire_file(comparable_with=[1], **changes), "rating", NEW_WORDING, "Overall, this time?")
    return import_version(data)


def page_text(client, token: str, query: str = "") -> str:
    request = ClientRequest(client)
    return request.get(f"/s/{token}{query}").get_text(" ")


def stored_version() -> int:
    response = latest_response()
    return db.session.get_one(QuestionnaireVersion, response.questionnaire_version_id).version


def test_a_published_version_is_what_new_links_render_and_old_links_keep_theirs(client, links, backend):
    old_link = links.dossier  # issued while version 1 was published
    version_2()
    new_link = make_dossier_link().token

    assert NEW_WORDING in page_text(client, new_link)
    assert NEW_WORDING in page_text(client, links.poster_procedure)  # a poster renders the published version
    old_page = page_text(client, old_link)
    assert NEW_WORDING not in old_page and "Nhìn chung, ông/bà hài lòng thế nào" in old_page

    assert client.post(f"/s/{old_link}", data={**open_form(client, old_link), "rating": "4"}).status_code == 303
    assert stored_version() == 1
    assert client.post(f"/s/{new_link}", data={**open_form(client, new_link), "rating": "2"}).status_code == 303
    assert stored_version() == 2


def test_a_form_sent_after_a_new_version_was_published_is_stored_against_the_version_it_showed(client, links):
    hidden = open_form(client, links.poster_procedure)
    assert hidden["version"] == "1"
    version_2()
    assert client.post(f"/s/{links.poster_procedure}", data={**hidden, "rating": "5"}).status_code == 303
    assert stored_version() == 1


def test_a_link_of_a_retired_version_answers_the_published_one(client, links):
    version_2()
    first = db.session.scalars(select(QuestionnaireVersion).where(QuestionnaireVersion.version == 1)).one()
    retire_version(db.session, first.id, actor=Actor("admin@example.gov.vn"))
    assert NEW_WORDING in page_text(client, links.dossier)
    hidden = open_form(client, links.dossier)
    assert client.post(f"/s/{links.dossier}", data={**hidden, "version": "1", "rating": "3"}).status_code == 303
    assert stored_version() == 2


def province_questions():
    today = date.today()
    return [
        local_question(scope="79", code="parking", type="yes_no", required=True),
        local_question(scope="79.01", code="waiting", type="scale"),
        local_question(scope="79", code="heard_from", type="choice"),
        local_question(scope="79", code="suggestion", type="text"),
        local_question(scope="79", code="old", valid_to=(today - timedelta(days=2)).isoformat()),
    ]


def test_a_local_question_of_province_79_is_asked_at_79_01_and_not_at_01_01(client, links):
    version_2(local_questions=province_questions())
    at_79 = page_text(client, links.poster_procedure)
    at_01 = page_text(client, make_poster_link(office="01.01", procedure=PROCEDURE).token)

    for text in ("Có chỗ gửi xe thuận tiện không?", "Ông/bà hài lòng với thời gian chờ ở quầy?",
                 "Ông/bà biết đến dịch vụ qua đâu?", "Một đề xuất của ông/bà cho phường?"):  # fmt: skip
        assert text in at_79 and text not in at_01
    assert "Câu hỏi old?" not in at_79  # its dates have passed
    assert "Câu hỏi riêng của địa phương" in at_79 and "Câu hỏi riêng của địa phương" not in at_01
    english = page_text(client, links.poster_procedure, "?lang=en")
    assert "Was there convenient parking?" in english and "How did you hear about the service?" in english


def test_a_required_local_question_must_be_answered(client, links):
    version_2(local_questions=province_questions())
    hidden = open_form(client, links.poster_procedure)
    refused = client.post(f"/s/{links.poster_procedure}", data={**hidden, "rating": "4"})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert 'href="#local_parking-1">Vui lòng chọn một câu trả lời cho câu hỏi này.' in html
    assert response_count() == 0


def test_local_answers_are_stored_typed_with_the_set_the_form_showed(app, client, links, backend):
    version_2(local_questions=province_questions())
    hidden = opened_seconds_ago(app, open_form(client, links.poster_procedure), 90)  # a person, not a script
    sent = {**hidden, "rating": "4", "local_parking": "no", "local_waiting": "2", "local_heard_from": "sms",
            "local_suggestion": "Gọi cho tôi 0912 345 678 nếu cần"}  # fmt: skip
    assert client.post(f"/s/{links.poster_procedure}", data=sent).status_code == 303

    response = latest_response()
    assert stored_version() == 2
    stored = {
        row.question_id: (row.number, row.code, row.text)
        for row in db.session.scalars(select(LocalAnswer).where(LocalAnswer.response_id == response.id))
    }
    assert sorted(stored.values(), key=str) == sorted(
        [(None, "no", None), (2, None, None), (None, "sms", None), (None, None, "Gọi cho tôi [SĐT] nếu cần")], key=str
    )
    shown = db.session.get_one(LocalQuestionSet, response.local_question_set_id)
    assert sorted(shown.question_ids) == sorted(stored)  # the four shown, not the one whose dates had passed
    counted = sorted(
        (row.value, row.count) for row in db.session.scalars(select(Rollup).where(Rollup.metric.like("local:%")))
    )
    assert counted == [("2", 1), ("no", 1), ("sms", 1), ("text", 1)]


def test_a_link_issued_under_the_previous_version_shows_none_of_the_new_versions_local_questions(client, links):
    version_2(local_questions=province_questions())
    assert "Có chỗ gửi xe thuận tiện không?" not in page_text(client, links.dossier)
    assert (
        client.post(f"/s/{links.dossier}", data={**open_form(client, links.dossier), "rating": "4"}).status_code == 303
    )
    response = latest_response()
    assert (stored_version(), response.local_question_set_id) == (1, None)


def test_the_form_with_two_local_questions_stays_within_30_kb_of_html_and_css(app, client, links):
    version_2(local_questions=province_questions()[:2])
    page = client.get(f"/s/{make_dossier_link().token}")
    with client.get("/static/citizen.css") as css:  # a file response: closed when read
        css_bytes = len(css.data)
    assert "Có chỗ gửi xe thuận tiện không?" in page.get_data(as_text=True)
    assert len(page.data) + css_bytes <= 30 * 1024


def test_local_answers_survive_a_database_outage_and_are_stored_with_the_retry(app, client, links, tmp_path):
    version_2(local_questions=province_questions()[:2])
    hidden = open_form(client, links.poster_procedure)
    dead = make_app("postgresql+psycopg://nobody@127.0.0.1:1/missing?connect_timeout=1", tmp_path / "dead",
                    SECRET_KEY=app.config["SECRET_KEY"])  # fmt: skip
    dead_client = dead.test_client()
    dead_client.set_cookie("session", client.get_cookie("session").value)
    sent = {**hidden, "rating": "4", "local_parking": "yes", "local_waiting": "5"}

    down = dead_client.post(f"/s/{links.poster_procedure}", data=sent)

    assert down.status_code == 503
    kept = hidden_fields(down.get_data(as_text=True))
    assert (kept["version"], kept["local_parking"], kept["local_waiting"]) == ("2", "yes", "5")
    assert kept["local"] == hidden["local"] != ""
    assert client.post(f"/s/{links.poster_procedure}", data={**kept, "rating": "4"}).status_code == 303
    stored = db.session.scalars(select(LocalAnswer).where(LocalAnswer.response_id == latest_response().id)).all()
    assert sorted((str(answer.number), str(answer.code)) for answer in stored) == [("5", "None"), ("None", "yes")]
