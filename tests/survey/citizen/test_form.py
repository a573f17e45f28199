"""The citizen form through the Flask test client: answers stored once, errors explained, nothing lost."""

from __future__ import annotations

import unicodedata

import pytest
from sqlalchemy.exc import OperationalError

from survey.citizen import views
from survey.extensions import db
from survey.models import Invitation
from tests.conftest import make_app
from tests.factories import PROCEDURE, load_catalog, make_dossier_link, make_poster_link
from tests.survey.citizen.helpers import latest_response, open_form, response_count
from tests.survey.citizen.server import hidden_fields, parse_html


def answers(hidden: dict[str, str], **fields: str) -> dict[str, str]:
    return {**hidden, "rating": "4", **fields}


def test_a_valid_submission_is_stored_once_and_thanked(client, client_request, links):
    hidden = open_form(client, links.dossier)
    sent = answers(hidden, element_staff="5", on_time="late", returns="2", agencies="1", extra_payment="no",
                   service_mode="in_person", comment="  Cán bộ nhiệt tình, gọi tôi 0912 345 678  ",
                   age_band="35_44", sex="female")  # fmt: skip
    first = client.post(f"/s/{links.dossier}", data=sent)
    assert first.status_code == 303
    assert first.headers["Location"] == f"/s/{links.dossier}/thanks"
    stored = latest_response()
    assert (stored.rating, stored.element_staff, stored.element_access) == (4, 5, None)
    assert (stored.on_time, stored.returns, stored.agencies, stored.extra_payment) == ("late", 2, 1, "no")
    assert (stored.service_mode, stored.age_band, stored.sex) == ("in_person", "35_44", "female")
    assert (stored.channel, stored.verified, stored.language) == ("qr", True, "vi")
    assert stored.comment == "Cán bộ nhiệt tình, gọi tôi [SĐT]"
    thanks = client_request.get(first.headers["Location"])
    assert "Xin cảm ơn" in thanks.get_text()
    # a double tap, a browser resubmit and a replay: the same thanks, nothing new stored
    for _ in range(3):
        again = client.post(f"/s/{links.dossier}", data=sent)
        assert again.status_code == 303
        assert again.headers["Location"] == f"/s/{links.dossier}/thanks"
    assert response_count() == 1


def test_a_used_link_is_a_friendly_page_and_takes_no_second_answer(client, client_request, links):
    hidden = open_form(client, links.dossier)
    other_tab = open_form(client, links.dossier)  # the same link opened twice gets two nonces
    assert client.post(f"/s/{links.dossier}", data=answers(hidden)).status_code == 303
    second = client.post(f"/s/{links.dossier}", data=answers(other_tab, rating="1"))
    assert second.status_code == 200
    assert "đã được trả lời" in second.get_data(as_text=True)
    page = client_request.get(f"/s/{links.dossier}")
    assert "Khảo sát này đã được trả lời" in page.get_text()
    assert page.find("form") is None
    assert response_count() == 1


def test_an_expired_link_and_a_made_up_link_explain_themselves(app, client, client_request, links):
    expired = make_dossier_link(expires_days=1).token
    invitation = db.session.query(Invitation).order_by(Invitation.id.desc()).first()
    invitation.expires_at = invitation.created_at
    db.session.commit()
    page = client_request.get(f"/s/{expired}", _expected_status=410)
    assert "hết hạn" in page.get_text()
    assert client.post(f"/s/{expired}", data={"rating": "5"}).status_code in (400, 410)
    missing = client_request.get("/s/AAAAAAAAAAAAAAAAAAAAAA", _expected_status=404)
    assert "Không tìm thấy khảo sát" in missing.get_text()
    assert response_count() == 0


def test_errors_are_summarised_at_the_top_and_answers_kept(client, links):
    hidden = open_form(client, links.poster)
    long_comment = "Chờ lâu quá. " * 200  # 2,600 characters
    page = client.post(f"/s/{links.poster}", data={**hidden, "comment": long_comment, "on_time": "late"})
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    tree = parse_html(html)
    summary = tree.find("div", class_="summary")
    assert summary is not None
    targets = [a.attrs["href"] for a in summary.find_all("a")]
    assert targets == ["#procedure", "#rating-1", "#comment"]
    for target in targets:
        assert tree.find(id=target[1:]) is not None
    messages = summary.text()
    assert "Vui lòng chọn thủ tục" in messages
    assert "Vui lòng chọn mức độ hài lòng chung" in messages
    assert "2.599 ký tự" in messages  # counted after the trailing space is stripped
    assert tree.find("title").text().startswith("Lỗi:")
    assert tree.find("input", name="on_time", value="late").attrs.get("checked") is not None
    assert long_comment.strip() in html
    assert hidden_fields(html)["submission_key"] == hidden["submission_key"]  # same nonce until stored
    assert response_count() == 0


def test_poster_link_lets_the_citizen_pick_the_procedure_and_is_unverified(client, links):
    hidden = open_form(client, links.poster)
    refused = client.post(f"/s/{links.poster}", data=answers(hidden, procedure="9.999999"))
    assert refused.status_code == 400
    assert "trong danh sách" in refused.get_data(as_text=True)
    done = client.post(f"/s/{links.poster}", data=answers(hidden, procedure="2.000815"))
    assert done.status_code == 303
    stored = latest_response()
    assert stored.procedure.code == "2.000815"
    assert (stored.verified, stored.channel) == (False, "qr")


def test_a_poster_link_can_be_answered_by_many_people(client, links):
    for rating in ("5", "3"):
        hidden = open_form(client, links.poster_procedure)
        assert "procedure" not in hidden
        assert client.post(f"/s/{links.poster_procedure}", data=answers(hidden, rating=rating)).status_code == 303
    assert response_count() == 2


def test_text_is_stored_as_nfc_without_control_characters(client, links):
    hidden = open_form(client, links.poster_procedure)
    decomposed = unicodedata.normalize("NFD", "Thủ tục nhanh, hài lòng")
    sent = answers(hidden, comment=f"\x00{decomposed}\x07\r\nCảm ơn\x1b")
    assert client.post(f"/s/{links.poster_procedure}", data=sent).status_code == 303
    assert latest_response().comment == "Thủ tục nhanh, hài lòng\nCảm ơn"


def test_the_link_says_how_an_online_procedure_was_done(client, app, links):
    online = make_dossier_link(channel="online").token
    html = client.get(f"/s/{online}").get_data(as_text=True)
    assert 'name="service_mode"' not in html
    hidden = hidden_fields(html)
    assert client.post(f"/s/{online}", data=answers(hidden, service_mode="postal")).status_code == 303
    stored = latest_response()
    assert (stored.channel, stored.service_mode) == ("online", "online")
    assert 'name="service_mode"' in client.get(f"/s/{links.dossier}").get_data(as_text=True)


def test_a_post_without_csrf_token_is_refused_but_the_answers_come_back(client, links):
    hidden = open_form(client, links.poster_procedure)
    sent = answers({"submission_key": hidden["submission_key"]}, comment="Giữ lại góp ý này", element_result="2")
    page = client.post(f"/s/{links.poster_procedure}", data=sent)
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Vui lòng gửi lại câu trả lời" in html
    assert "Giữ lại góp ý này" in html
    tree = parse_html(html)
    assert tree.find("input", name="element_result", value="2").attrs.get("checked") is not None
    assert response_count() == 0
    retry = client.post(f"/s/{links.poster_procedure}", data={**sent, **hidden_fields(html)})
    assert retry.status_code == 303
    assert response_count() == 1


def test_when_the_database_fails_on_save_the_answers_are_kept(client, links, monkeypatch):
    hidden = open_form(client, links.dossier)
    sent = answers(hidden, comment="Đừng làm mất góp ý", agencies="3")

    def database_down(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(views, "store_response", database_down)
    page = client.post(f"/s/{links.dossier}", data=sent)
    assert page.status_code == 503
    html = page.get_data(as_text=True)
    assert "Chưa lưu được câu trả lời" in html
    assert "Đừng làm mất góp ý" in html
    assert parse_html(html).find("input", name="agencies", value="3").attrs.get("checked") is not None
    assert hidden_fields(html)["submission_key"] == hidden["submission_key"]
    monkeypatch.undo()
    assert client.post(f"/s/{links.dossier}", data=sent).status_code == 303
    assert response_count() == 1


def test_when_the_database_is_unreachable_the_citizen_is_told_to_try_again(app, client, links, tmp_path):
    hidden = open_form(client, links.poster)
    dead = make_app(
        "postgresql+psycopg://nobody@127.0.0.1:1/missing?connect_timeout=1",
        tmp_path / "dead",
        SECRET_KEY=app.config["SECRET_KEY"],
    )
    dead_client = dead.test_client()
    dead_client.set_cookie("session", client.get_cookie("session").value)
    page = dead_client.get(f"/s/{links.poster}")
    assert page.status_code == 503
    assert "Thử lại" in page.get_data(as_text=True)
    sent = answers(hidden, procedure="1.001193", comment="Vẫn còn đây")
    posted = dead_client.post(f"/s/{links.poster}", data=sent)
    assert posted.status_code == 503
    html = posted.get_data(as_text=True)
    assert "Vẫn còn đây" in html
    assert 'value="1.001193" selected' in html
    assert parse_html(html).find("input", name="rating", value="4").attrs.get("checked") is not None


def test_submissions_are_rate_limited_with_a_friendly_page(database_url, tmp_path):
    limited = make_app(database_url, tmp_path, SUBMIT_RATE_LIMIT="2/minute")
    with limited.app_context():
        load_catalog()
        db.session.commit()
        token = make_poster_link(procedure=PROCEDURE).token
        client = limited.test_client()
        statuses = []
        for _ in range(3):
            hidden = open_form(client, token)
            statuses.append(client.post(f"/s/{token}", data=answers(hidden, comment="Lần thứ ba")))
        assert [r.status_code for r in statuses] == [303, 303, 429]
        html = statuses[-1].get_data(as_text=True)
        assert "Vui lòng đợi một phút" in html
        assert "Lần thứ ba" in html
        assert int(statuses[-1].headers["Retry-After"]) > 0
        db.session.remove()


def test_a_body_too_large_gets_a_plain_page(client, links):
    hidden = open_form(client, links.poster_procedure)
    page = client.post(f"/s/{links.poster_procedure}", data=answers(hidden, comment="á" * 200_000))
    assert page.status_code == 413
    assert "Câu trả lời quá dài" in page.get_data(as_text=True)
    assert response_count() == 0


def test_every_citizen_page_carries_a_strict_policy(client, links):
    expected = (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )
    for path in (f"/s/{links.dossier}", f"/s/{links.dossier}/thanks", "/s/nope", "/poster/79.01"):
        response = client.get(path)
        assert response.headers["Content-Security-Policy"] == expected, path
        assert response.headers["Referrer-Policy"] == "no-referrer"
        html = response.get_data(as_text=True)
        assert "<script" not in html
        assert " style=" not in html
        assert all(not name.startswith("on") for node in parse_html(html).iter() for name in node.attrs)
    assert client.get(f"/s/{links.dossier}").headers["Cache-Control"] == "no-store"


def test_english_is_an_explicit_choice_and_stored_with_the_answer(client, links):
    vietnamese = client.get(f"/s/{links.poster_procedure}", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="vi">' in vietnamese.get_data(as_text=True)
    english = client.get(f"/s/{links.poster_procedure}?lang=en")
    html = english.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Overall, how satisfied are you" in html
    assert "Very satisfied" in html
    assert client.post(f"/s/{links.poster_procedure}", data=answers(hidden_fields(html))).status_code == 303
    assert latest_response().language == "en"


def test_kiosk_mode_starts_afresh_for_the_next_person(client, app, links):
    kiosk = make_poster_link(channel="kiosk").token
    client.get(f"/s/{kiosk}?lang=en")
    hidden = open_form(client, kiosk)
    assert 'autocomplete="off"' in client.get(f"/s/{kiosk}").get_data(as_text=True)
    done = client.post(f"/s/{kiosk}", data=answers(hidden, procedure="1.001193"))
    assert done.status_code == 303
    assert done.headers["Location"] == f"/s/{kiosk}/thanks?kiosk=1"
    thanks = client.get(done.headers["Location"])
    html = thanks.get_data(as_text=True)
    assert f'<meta http-equiv="refresh" content="15;url=/s/{kiosk}?kiosk=1">' in html
    assert client.get_cookie("session") is None  # the session is gone with the citizen
    assert client.get_cookie("lang") is None
    assert (latest_response().channel, latest_response().verified) == ("kiosk", False)
    fresh = client.get(f"/s/{kiosk}?kiosk=1").get_data(as_text=True)
    assert '<html lang="vi">' in fresh
    assert hidden_fields(fresh)["submission_key"] != hidden["submission_key"]
    assert "checked" not in fresh


def test_a_poster_link_opened_in_kiosk_mode_counts_as_kiosk(client, links):
    hidden = open_form(client, links.poster_procedure, "?kiosk=1")
    done = client.post(f"/s/{links.poster_procedure}?kiosk=1", data=answers(hidden))
    assert done.headers["Location"].endswith("/thanks?kiosk=1")
    assert latest_response().channel == "kiosk"


def test_the_poster_is_printable_with_a_qr_code(client, client_request, links):
    client_request.get("/poster/79.01", procedure="1.001193")
    html = client_request.response.get_data(as_text=True)
    tree = parse_html(html)
    image = tree.find("img", class_="qr")
    assert image.attrs["src"].startswith("data:image/svg+xml;base64,")
    assert image.attrs["alt"]
    assert f"/s/{links.poster_procedure}" in html
    assert "Đăng ký khai sinh" in html
    client_request.get("/poster/79.01")
    missing = client_request.get("/poster/99.99", _expected_status=404)
    assert "Không tìm thấy cơ quan" in missing.get_text()


@pytest.mark.parametrize("link_kind", ["dossier", "poster"])
def test_the_form_is_accessible(client, links, link_kind):
    token = getattr(links, link_kind)
    html = client.get(f"/s/{token}").get_data(as_text=True)
    hidden = hidden_fields(html)
    invalid = client.post(f"/s/{token}", data={**hidden, "comment": "x" * 2001}).get_data(as_text=True)
    for page in (html, invalid):
        tree = parse_html(page)
        assert tree.find("html").attrs["lang"] == "vi"
        assert tree.find("title").text()
        assert len(tree.find_all("h1")) == 1
        ids = [node.attrs["id"] for node in tree.iter() if "id" in node.attrs]
        assert len(ids) == len(set(ids)), "ids must be unique"
        labelled_by_for = {node.attrs["for"] for node in tree.find_all("label") if "for" in node.attrs}
        controls = [n for n in tree.iter() if n.tag in ("input", "select", "textarea")]
        for control in controls:
            if control.attrs.get("type") == "hidden":
                continue
            wrapped = any(a.tag == "label" for a in control.ancestors())
            assert wrapped or control.attrs.get("id") in labelled_by_for, control.attrs
            described = control.attrs.get("aria-describedby", "").split()
            assert all(tree.find(id=ref) is not None for ref in described)
        for radio in tree.find_all("input", type="radio"):
            fieldset = next(a for a in radio.ancestors() if a.tag == "fieldset")
            legend = fieldset.children[0]
            assert legend.tag == "legend" and legend.text()
            assert radio.parent.text(), "every option has visible text, faces never replace it"
        for fieldset in tree.find_all("fieldset"):
            for ref in fieldset.attrs.get("aria-describedby", "").split():
                assert tree.find(id=ref) is not None
        form = tree.find("form")
        assert "novalidate" in form.attrs
        assert form.find("button", type="submit").text()
    summary = parse_html(invalid).find("div", class_="summary")
    for link in summary.find_all("a"):
        assert parse_html(invalid).find(id=link.attrs["href"][1:]) is not None


def test_rating_labels_are_the_official_scale(client, links):
    tree = parse_html(client.get(f"/s/{links.dossier}").get_data(as_text=True))
    labels = [radio.parent.text() for radio in tree.find_all("input", name="rating")]
    assert [label.rsplit(" ", 1)[0] for label in labels] == [  # the text, then the face beside it
        "Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng",
    ]  # fmt: skip
    legends = [fieldset.children[0].text() for fieldset in tree.find_all("fieldset")]
    assert legends[0].startswith("Nhìn chung")
    # rating, 5 elements, 4 facts and the service mode, the call-back request, age, sex
    assert len(tree.find_all("fieldset")) == 14


def test_thanks_page_offers_erasure_only_for_a_used_one_time_link(client, session):
    from survey.services.responses.store import Answers, store_response

    load_catalog()
    link = make_dossier_link(dossier="000.00.12.H29-251120-0042")
    invitation = session.get(Invitation, link.invitation_id)
    store_response(
        session,
        answers=Answers(rating=4),
        office_id=invitation.office_id,
        procedure_id=invitation.procedure_id,
        channel="qr",
        verified=True,
        invitation=invitation,
    )
    page = client.get(f"/s/{link.token}/thanks").get_data(as_text=True)
    assert f"/s/{link.token}/erase" in page
    poster = make_poster_link()
    assert "/erase" not in client.get(f"/s/{poster.token}/thanks").get_data(as_text=True)


def test_a_form_opened_in_time_can_be_sent_shortly_after_its_link_expires(app, client, links):
    from datetime import UTC, datetime, timedelta

    token = make_dossier_link().token
    hidden = open_form(client, token)
    invitation = db.session.query(Invitation).order_by(Invitation.id.desc()).first()
    invitation.expires_at = datetime.now(UTC) - timedelta(hours=2)  # the citizen took a while
    db.session.commit()
    assert client.post(f"/s/{token}", data=answers(hidden)).status_code == 303
    assert response_count() == 1
    late = make_dossier_link().token
    hidden = open_form(client, late)
    invitation = db.session.query(Invitation).order_by(Invitation.id.desc()).first()
    invitation.expires_at = datetime.now(UTC) - timedelta(days=2)  # long past: the link has really ended
    db.session.commit()
    assert client.post(f"/s/{late}", data=answers(hidden)).status_code == 410
    assert response_count() == 1


def test_an_idle_kiosk_form_goes_back_to_a_fresh_form_by_itself(client, app, links):
    kiosk = make_poster_link(channel="kiosk").token
    app.config["KIOSK_IDLE_SECONDS"] = 90
    client.get(f"/s/{kiosk}?lang=en")
    hidden = open_form(client, kiosk)
    half_filled = client.post(f"/s/{kiosk}", data={**hidden, "comment": "Chờ lâu quá"})  # rating missing: refused
    assert half_filled.status_code == 400
    html = half_filled.get_data(as_text=True)
    assert "Chờ lâu quá" in html  # what was typed is still there until the kiosk falls idle
    assert f'<meta http-equiv="refresh" content="90;url=/s/{kiosk}/restart?kiosk=1">' in html
    restarted = client.get(f"/s/{kiosk}/restart?kiosk=1")
    assert (restarted.status_code, restarted.headers["Location"]) == (303, f"/s/{kiosk}?kiosk=1")
    assert client.get_cookie("lang") is None
    fresh = client.get(restarted.headers["Location"]).get_data(as_text=True)
    assert '<html lang="vi">' in fresh and "Chờ lâu quá" not in fresh
    assert hidden_fields(fresh)["submission_key"] != hidden["submission_key"]
    assert response_count() == 0


def test_only_kiosk_forms_refresh_themselves(client, links):
    html = client.get(f"/s/{links.dossier}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html
    assert client.get(f"/s/{links.dossier}/restart").headers["Location"] == f"/s/{links.dossier}"
