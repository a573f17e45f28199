"""The optional call-back request on the citizen form: consent, a validated contact, kept apart from the answer."""

from __future__ import annotations

from sqlalchemy import select

from survey.extensions import db
from survey.models_contacts import CallbackContact
from tests.survey.citizen.helpers import latest_response, open_form, response_count
from tests.survey.citizen.server import parse_html


def contacts() -> list[CallbackContact]:
    db.session.expire_all()
    return list(db.session.scalars(select(CallbackContact)))


def test_a_call_back_request_is_stored_apart_and_the_thanks_page_says_when(app, client, client_request, links):
    hidden = open_form(client, links.dossier)
    sent = {**hidden, "rating": "2", "comment": "Chờ lâu quá", "callback": "y", "callback_contact": "0912 345 678"}
    first = client.post(f"/s/{links.dossier}", data=sent)
    assert first.status_code == 303 and "callback=1" in first.headers["Location"]
    stored = latest_response()
    [contact] = contacts()
    assert (contact.response_id, contact.contact, contact.channel, contact.status) == (
        stored.id, "+84912345678", "web", "open"
    )  # fmt: skip
    assert contact.office_id == stored.office_id
    days = (contact.delete_after - contact.consented_at).days
    assert days == app.config["RETENTION_DAYS"] == 90
    assert stored.comment == "Chờ lâu quá"  # the contact is never part of the answer
    thanks = client_request.get(first.headers["Location"]).get_text()
    assert "trong vòng 2 ngày làm việc" in thanks
    client.post(f"/s/{links.dossier}", data=sent)  # a double tap: still one response, one request
    assert response_count() == 1 and len(contacts()) == 1


def test_the_form_explains_the_consent_and_without_a_request_nothing_is_kept(client, links):
    html = client.get(f"/s/{links.dossier}").get_data(as_text=True)
    tree = parse_html(html)
    box = tree.find("input", name="callback")
    assert box.attrs["type"] == "checkbox" and box.attrs.get("checked") is None  # never ticked for the citizen
    assert "Tôi muốn được liên hệ lại" in box.parent.text()
    assert "chỉ để liên hệ lại về câu trả lời này" in html and "xoá sau 90 ngày" in html
    hidden = open_form(client, links.dossier)
    assert client.post(f"/s/{links.dossier}", data={**hidden, "rating": "5"}).status_code == 303
    assert contacts() == []


def test_a_missing_or_wrong_contact_is_explained_and_every_answer_kept(client, links):
    hidden = open_form(client, links.dossier)
    cases = [
        ({"callback": "y", "callback_contact": ""}, "#callback_contact", "Vui lòng nhập số điện thoại hoặc địa chỉ"),
        ({"callback": "y", "callback_contact": "12345"}, "#callback_contact", "ví dụ 0912 345 678"),
        ({"callback": "y", "callback_contact": "ten@"}, "#callback_contact", "ví dụ 0912 345 678"),
        ({"callback_contact": "0912345678"}, "#callback", "Vui lòng đánh dấu ô để đồng ý"),
    ]
    for fields, target, message in cases:
        page = client.post(f"/s/{links.dossier}", data={**hidden, "rating": "3", "comment": "Cần hỏi thêm", **fields})
        assert page.status_code == 400
        tree = parse_html(page.get_data(as_text=True))
        summary = tree.find("div", class_="summary")
        assert [a.attrs["href"] for a in summary.find_all("a")] == [target]
        assert message in summary.text()
        assert tree.find("input", name="rating", value="3").attrs.get("checked") is not None
        assert "Cần hỏi thêm" in tree.find("textarea", name="comment").text()
        assert tree.find("input", name="callback_contact").attrs.get("value") == fields["callback_contact"]
    assert response_count() == 0 and contacts() == []


def test_an_e_mail_address_is_accepted_in_lower_case(client, links):
    hidden = open_form(client, links.dossier)
    sent = {**hidden, "rating": "1", "callback": "y", "callback_contact": " Lan.Nguyen@Example.VN "}
    assert client.post(f"/s/{links.dossier}", data=sent).status_code == 303
    assert [contact.contact for contact in contacts()] == ["lan.nguyen@example.vn"]
