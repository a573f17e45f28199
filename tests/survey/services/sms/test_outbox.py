"""The outbox: invitations wait for daytime, failures are retried then given up, the number cleared either way."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from analysis.periods import LOCAL_TIME
from survey.models_sms import SmsOutbox
from survey.services.sms import outbox
from survey.services.sms.gateway import Gateway
from survey.sms import emulator


@pytest.fixture
def gateway():
    server = emulator.start()
    yield server
    server.shutdown()
    server.server_close()


def local(hour: int, day: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=LOCAL_TIME).astimezone(UTC)


def queued(session, *, at: datetime, daytime_only: bool = True) -> int:
    message = outbox.queue(session, to="+84912345678", text="Tra loi 1-5", kind="invitation", now=at,
                           daytime_only=daytime_only)  # fmt: skip
    session.commit()
    return message.id


def test_an_invitation_queued_at_night_waits_for_seven_oclock(session, gateway):
    settings = outbox.SendSettings(Gateway(gateway.url, "s"))
    message_id = queued(session, at=local(23))
    assert outbox.send_message_now(session, message_id, settings, now=local(23)) == "waiting"
    assert gateway.messages == []
    session.expire_all()
    assert session.get(SmsOutbox, message_id).next_attempt_at.replace(tzinfo=UTC) == local(7, day=11)
    assert outbox.send_due(session, settings, now=local(6, day=11)) == outbox.SendResult()  # not yet due
    assert outbox.send_due(session, settings, now=local(7, day=11)).sent == 1
    assert [message["to"] for message in gateway.messages] == ["+84912345678"]


def test_a_help_message_goes_at_once_even_at_night(session, gateway):
    settings = outbox.SendSettings(Gateway(gateway.url, "s"))
    message_id = queued(session, at=local(23), daytime_only=False)
    assert outbox.send_message_now(session, message_id, settings, now=local(23)) == "sent"


def test_failures_are_retried_with_growing_pauses_then_given_up_and_the_number_cleared(session):
    settings = outbox.SendSettings(Gateway("http://127.0.0.1:9/messages", "s", timeout=0.5))  # nothing listens
    message_id = queued(session, at=local(9))
    now = local(9)
    statuses = []
    for _ in range(outbox.MAX_ATTEMPTS):
        statuses.append(outbox.send_message_now(session, message_id, settings, now=now))
        session.expire_all()
        message = session.get(SmsOutbox, message_id)
        now = message.next_attempt_at.replace(tzinfo=UTC)
    assert statuses == ["retrying"] * (outbox.MAX_ATTEMPTS - 1) + ["failed"]
    assert (message.status, message.to_phone, message.attempts) == ("failed", None, outbox.MAX_ATTEMPTS)
    assert "unreachable" in message.last_error
    assert session.scalars(select(SmsOutbox.to_phone)).all() == [None]


def test_send_sms_refuses_to_run_without_a_gateway(runner):
    result = runner.invoke(args=["send-sms"])
    assert result.exit_code != 0 and "SURVEY_SMS_GATEWAY_URL" in result.output
