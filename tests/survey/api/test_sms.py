"""SMS end to end: an invitation through the gateway emulator, signed replies, replays, help, call-back, opt-out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from survey.models import AuditEntry, Invitation, Response
from survey.models_contacts import CallbackContact
from survey.models_sms import SmsInbound, SmsInvitation, SmsOutbox
from survey.services.sms.gateway import sign
from survey.services.sms.phone import phone_hash
from survey.sms import emulator
from tests.factories import bearer, make_api_key

SECRET = "sms-shared-secret-for-tests"
PHONE = "0912 345 678"
INVITE = {"procedure_code": "1.001193", "office_code": "79.01", "dossier_code": "000.00.31.H56-250115-0001"}


@pytest.fixture
def gateway(app):
    server = emulator.start(secret=SECRET)
    app.config.update(SMS_GATEWAY_URL=server.url, SMS_SECRET=SECRET, SMS_DAY_START=0, SMS_DAY_END=24)
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def auth(catalog):
    return bearer(make_api_key(name="Một cửa TP HCM", office="79.00"))


def invite(client, auth, **fields):
    answer = client.post("/api/v1/invitations", json={**INVITE, "phone": PHONE, **fields}, headers=auth)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def reply(client, text, *, message_id, sender="+84912345678", secret=SECRET):
    raw = json.dumps({"message_id": message_id, "from": sender, "text": text}, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "X-Signature": sign(secret, raw)}
    return client.post("/api/v1/sms/inbound", data=raw, headers=headers)


def responses(session):
    session.expire_all()
    return list(session.scalars(select(Response)))


def test_an_invitation_goes_through_the_gateway_and_a_signed_4_stores_one_verified_sms_response(
    backend, app, client, auth, gateway, catalog
):
    body = invite(client, auth, sms_mode="reply")
    assert body["sms_status"] == "sent" and body["sms_mode"] == "reply"
    [received] = gateway.messages
    assert received["to"] == "+84912345678"
    assert "Tra loi 1-5: 5 = rat hai long" in received["text"] and len(received["text"]) <= 160
    assert received["text"].isascii()
    assert received["signature"] == sign(SECRET, json.dumps(
        {"to": received["to"], "text": received["text"], "reference": received["reference"]}, ensure_ascii=False
    ).encode())  # fmt: skip
    # the number is no longer kept in clear once sent; only its keyed hash, until the window closes
    outbox = catalog.scalars(select(SmsOutbox)).one()
    assert (outbox.status, outbox.to_phone, outbox.gateway_id) == ("sent", None, "emu-1")
    sms = catalog.scalars(select(SmsInvitation)).one()
    assert sms.phone_hash == phone_hash(app.config["SECRET_KEY"], PHONE) and PHONE not in sms.phone_hash

    answer = reply(client, "4", message_id="gw-1")
    assert answer.status_code == 200 and answer.get_json() == {"outcome": "rated"}
    [response] = responses(catalog)
    assert (response.rating, response.channel, response.verified, response.comment) == (4, "sms", True, None)
    assert catalog.scalar(select(Invitation.response_id)) == response.id

    assert reply(client, "4", message_id="gw-1").get_json() == {"outcome": "duplicate"}
    assert len(responses(catalog)) == 1
    assert len(gateway.messages) == 1  # nothing sent back to a rating or a replay


def test_the_link_mode_sends_the_survey_link(client, auth, gateway):
    body = invite(client, auth)
    [received] = gateway.messages
    assert received["text"].endswith(body["url"]) and len(received["text"]) <= 160


def test_a_bad_or_missing_signature_is_refused_and_stores_nothing(client, auth, gateway, catalog):
    invite(client, auth, sms_mode="reply")
    assert reply(client, "5", message_id="x", secret="not-the-secret").status_code == 401
    raw = json.dumps({"message_id": "y", "from": PHONE, "text": "5"}).encode()
    unsigned = client.post("/api/v1/sms/inbound", data=raw, headers={"Content-Type": "application/json"})
    assert unsigned.status_code == 401 and unsigned.get_json()["errors"][0]["field"] == "X-Signature"
    assert responses(catalog) == []
    assert catalog.scalar(select(func.count()).select_from(SmsInbound)) == 0


def test_without_a_configured_secret_every_message_is_refused(app, client, auth, gateway):
    app.config["SMS_SECRET"] = ""
    assert reply(client, "5", message_id="z", secret="").status_code == 401


def test_an_unreadable_reply_gets_one_help_message_and_a_second_none(backend, client, auth, gateway, catalog):
    invite(client, auth, sms_mode="reply")
    assert reply(client, "cam on", message_id="a").get_json() == {"outcome": "help"}
    assert reply(client, "10", message_id="b").get_json() == {"outcome": "ignored"}
    texts = [message["text"] for message in gateway.messages]
    assert len(texts) == 2 and "tu 1 den 5" in texts[1]
    assert responses(catalog) == []
    # a readable answer after that still counts
    assert reply(client, "nam hai long", message_id="c").get_json() == {"outcome": "rated"}
    assert [response.rating for response in responses(catalog)] == [5]


def test_later_text_is_appended_to_the_comment_redacted(backend, client, auth, gateway, catalog):
    invite(client, auth, sms_mode="reply")
    reply(client, "5 sao, can bo nhiet tinh", message_id="1")
    assert reply(client, "Chi Lan goi 0987654321 huong dan rat ky", message_id="2").get_json() == {"outcome": "comment"}
    assert reply(client, "Chi Lan goi 0987654321 huong dan rat ky", message_id="2").get_json() == {
        "outcome": "duplicate"
    }
    [response] = responses(catalog)
    assert response.rating == 5
    assert response.comment.split("\n")[0] == "can bo nhiet tinh"
    assert "0987654321" not in response.comment and "[SĐT]" in response.comment
    assert response.comment.count("huong dan rat ky") == 1


def test_the_callback_keyword_asks_for_a_call_back_with_the_number_and_sends_the_consent_text(
    client, auth, gateway, catalog
):
    invite(client, auth, sms_mode="reply")
    reply(client, "2", message_id="1")
    assert reply(client, "GỌI LẠI giúp tôi", message_id="2").get_json() == {"outcome": "callback"}
    contact = catalog.scalars(select(CallbackContact)).one()
    assert (contact.contact, contact.channel, contact.status) == ("+84912345678", "sms", "open")
    consent = gateway.messages[-1]
    assert consent["to"] == "+84912345678" and "2 ngay lam viec" in consent["text"] and "xoa" in consent["text"]
    [response] = responses(catalog)
    assert response.comment is None  # the keyword is not a comment, and the number never reaches the response
    # a phone that echoes our consent text back (it names the keyword) gets no second one: no loop
    assert reply(client, consent["text"], message_id="3").get_json() == {"outcome": "callback"}
    assert len(gateway.messages) == 2 and len(catalog.scalars(select(CallbackContact)).all()) == 1


def test_opting_out_closes_the_window_at_once(client, auth, gateway, catalog):
    invite(client, auth, sms_mode="reply")
    assert reply(client, "TU CHOI", message_id="1").get_json() == {"outcome": "opted_out"}
    sms = catalog.scalars(select(SmsInvitation)).one()
    catalog.refresh(sms)
    assert sms.phone_hash is None and sms.opted_out_at is not None
    assert reply(client, "5", message_id="2").get_json() == {"outcome": "unknown"}
    assert responses(catalog) == []


def test_a_reply_from_an_unknown_number_stores_nothing_and_sends_nothing(client, auth, gateway, catalog):
    invite(client, auth, sms_mode="reply")
    assert reply(client, "5", message_id="1", sender="0388888888").get_json() == {"outcome": "unknown"}
    assert responses(catalog) == [] and len(gateway.messages) == 1


def test_the_invitation_is_kept_when_the_gateway_is_down_and_send_sms_retries_it(
    backend, app, client, auth, catalog, runner
):
    server = emulator.start(secret=SECRET, fail=1)
    app.config.update(SMS_GATEWAY_URL=server.url, SMS_SECRET=SECRET, SMS_DAY_START=0, SMS_DAY_END=24)
    try:
        body = invite(client, auth)
        assert body["sms_status"] == "retrying" and server.refused == 1 and server.messages == []
        assert catalog.scalar(select(func.count()).select_from(Invitation)) == 1
        message = catalog.scalars(select(SmsOutbox)).one()
        assert (message.attempts, message.to_phone) == (1, "+84912345678")
        catalog.execute(SmsOutbox.__table__.update().values(next_attempt_at=message.created_at))  # the retry is due
        catalog.commit()
        result = runner.invoke(args=["send-sms"])
        assert result.exit_code == 0, result.output
        assert "Sent 1" in result.output
        assert [sent["to"] for sent in server.messages] == ["+84912345678"]
        catalog.expire_all()
        assert catalog.scalars(select(SmsOutbox.to_phone)).one() is None
    finally:
        server.shutdown()
        server.server_close()


def test_invalid_phone_numbers_are_422_naming_the_field(client, auth, gateway, catalog):
    for phone in ("12345", "0212345678", "+1 555 123 4567", 912345678):
        answer = client.post("/api/v1/invitations", json={**INVITE, "phone": phone}, headers=auth)
        assert answer.status_code == 422
        assert [error["field"] for error in answer.get_json()["errors"]] == ["phone"]
    answer = client.post("/api/v1/invitations", json={**INVITE, "phone": PHONE, "channel": "qr"}, headers=auth)
    assert answer.status_code == 422 and answer.get_json()["errors"][0]["field"] == "phone"
    answer = client.post("/api/v1/invitations", json={**INVITE, "sms_mode": "reply"}, headers=auth)
    assert answer.status_code == 422 and answer.get_json()["errors"][0]["field"] == "sms_mode"
    assert catalog.scalar(select(func.count()).select_from(Invitation)) == 0
    assert gateway.messages == []


def test_reading_the_contact_queue_is_not_possible_through_the_api(client, auth, gateway, catalog):
    """The API has no route to contacts; audit entries of SMS work name no number."""
    invite(client, auth, sms_mode="reply")
    reply(client, "1", message_id="1")
    reply(client, "goi lai", message_id="2")
    entries = catalog.scalars(select(AuditEntry)).all()
    assert all("912345678" not in json.dumps(entry.details or {}) for entry in entries)


def test_a_dossier_gets_at_most_an_invitation_and_a_reminder_and_none_after_opting_out(client, auth, gateway, catalog):
    invite(client, auth)
    invite(client, auth)  # the reminder
    third = client.post("/api/v1/invitations", json={**INVITE, "phone": PHONE}, headers=auth)
    assert third.status_code == 422 and third.get_json()["errors"][0]["field"] == "phone"
    other = {**INVITE, "dossier_code": "000.00.31.H56-250115-0002"}
    assert client.post("/api/v1/invitations", json={**other, "phone": PHONE}, headers=auth).status_code == 201
    assert reply(client, "tu choi", message_id="1").get_json() == {"outcome": "opted_out"}
    again = client.post("/api/v1/invitations", json={**other, "phone": PHONE}, headers=auth)
    assert again.status_code == 422 and "no more" in again.get_json()["errors"][0]["message"]
    assert len(gateway.messages) == 4  # three invitations and the opt-out's confirmation


def test_purge_forgets_the_number_once_the_reply_window_closes(app, client, auth, gateway, catalog, runner):
    invite(client, auth, sms_mode="reply")
    assert runner.invoke(args=["purge"]).exit_code == 0
    catalog.expire_all()
    assert catalog.scalars(select(SmsInvitation.phone_hash)).one() is not None  # the window is still open
    catalog.execute(SmsInvitation.__table__.update().values(reply_until=datetime.now(UTC) - timedelta(minutes=1)))
    catalog.commit()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and "Forgot 1 SMS number hash" in result.output
    catalog.expire_all()
    assert catalog.scalars(select(SmsInvitation.phone_hash)).one() is None
    assert catalog.scalars(select(SmsOutbox.to_phone)).all() == [None]
    assert reply(client, "5", message_id="late").get_json() == {"outcome": "unknown"}  # a reply too late
    assert responses(catalog) == []
