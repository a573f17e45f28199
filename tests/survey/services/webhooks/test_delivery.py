"""Webhooks against a real HTTP receiver: each event arrives once, signed with the endpoint's secret and carrying
no personal data; a receiver that fails twice gets it on the third try (time driven by an injected clock); a slow
receiver is never called while a response is stored; a day of failures gives the delivery up."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from survey.models import Office, Procedure
from survey.models_actions import WebhookAttempt, WebhookDelivery, WebhookEvent
from survey.services.alerts.detect import Window, run_alerts
from survey.services.reporting.summary import Settings
from survey.services.responses.store import Answers, store_response
from survey.services.webhooks.delivery import deliver_due
from survey.services.webhooks.endpoints import EndpointError, check_url, register_endpoint
from tests.survey.datasets.alerts import alerts_data
from tests.survey.services.webhooks.receiver import receiver

T0 = datetime(2025, 6, 20, 3, 0, tzinfo=UTC)
COMMENT = "Chị Lan, số 0912 345 678, được hướng dẫn tận tình"


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def register(session, url: str, events: list[str]):
    return register_endpoint(session, url=url, events=events, actor="admin@example.gov.vn", user_id=None,
                             allow_local_http=True)  # fmt: skip


def store(session, *, rating: int = 5, comment: str | None = COMMENT, now: datetime | None = T0) -> int:
    office = session.scalar(select(Office.id).where(Office.code == "79.01"))
    procedure = session.scalar(select(Procedure.id).where(Procedure.code == "1.001193"))
    answers = Answers(rating=rating, comment=comment, age_band="25_34", sex="female")
    stored = store_response(session, answers=answers, office_id=office, procedure_id=procedure, channel="kiosk",
                            verified=False, now=now)  # fmt: skip
    return stored.id


def valid(secret: str, received) -> bool:
    expected = hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received.headers["X-Signature"])


def test_each_response_is_delivered_once_signed_and_without_personal_data(catalog, backend):
    session = catalog
    with receiver() as hook:
        endpoint = register(session, hook.url, ["response.created"])
        first, second = store(session, rating=5), store(session, rating=2, comment=None)
        assert hook.requests == []  # storing sent nothing: delivery is the deliverer's job
        clock = Clock(T0)
        assert deliver_due(session, clock=clock).delivered == 2
        clock.advance(hours=2)
        assert deliver_due(session, clock=clock).delivered == 0  # nothing is sent twice
    assert len(hook.requests) == 2
    bodies = [json.loads(received.body) for received in hook.requests]
    assert all(valid(endpoint.secret, received) for received in hook.requests)
    assert not valid("whsec_another", hook.requests[0])
    assert [body["data"]["response_id"] for body in bodies] == [first, second]
    assert [body["data"]["rating"] for body in bodies] == [5, 2]
    assert {body["type"] for body in bodies} == {"response.created"}
    assert [received.headers["X-Event-Id"] for received in hook.requests] == [body["id"] for body in bodies]
    assert len({body["id"] for body in bodies}) == 2
    assert bodies[0]["data"] | {"response_id": 0} == {
        "response_id": 0, "office_code": "79.01", "procedure_code": "1.001193", "channel": "kiosk", "rating": 5,
        "verified": False, "month": "2025-06", "created_at": "2025-06-20T03:00:00+00:00",
    }  # fmt: skip
    raw = b"".join(received.body for received in hook.requests).decode()
    assert "Lan" not in raw and "0912" not in raw and "female" not in raw and "25_34" not in raw


def test_no_subscriber_means_no_outbox_row(catalog):
    session = catalog
    register(session, "http://127.0.0.1:9/elsewhere", ["alert.raised"])
    store(session)
    assert session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_a_receiver_failing_twice_gets_the_event_on_the_third_try(catalog, backend):
    session = catalog
    with receiver(statuses=[500, 503]) as hook:
        register(session, hook.url, ["response.created"])
        store(session)
        clock = Clock(T0)
        assert deliver_due(session, clock=clock).retrying == 1  # 500: again in a minute
        clock.advance(seconds=59)
        assert deliver_due(session, clock=clock).retrying == 0 and len(hook.requests) == 1  # not yet due
        clock.advance(seconds=1)
        assert deliver_due(session, clock=clock).retrying == 1  # 503: again two minutes later
        clock.advance(minutes=2)
        assert deliver_due(session, clock=clock).delivered == 1
        clock.advance(hours=1)
        deliver_due(session, clock=clock)
    assert len(hook.requests) == 3
    assert len({received.headers["X-Event-Id"] for received in hook.requests}) == 1
    attempts = session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.id)).all()
    assert [attempt.status_code for attempt in attempts] == [500, 503, 200]
    delivery = session.scalars(select(WebhookDelivery)).one()
    assert (delivery.state, delivery.attempts) == ("delivered", 3)


def test_a_slow_receiver_is_never_called_while_a_response_is_stored(catalog):
    session = catalog
    with receiver(delay=5.0) as hook:
        register(session, hook.url, ["response.created"])
        response_id = store(session)
        assert hook.requests == []  # the store path does not call the receiver: nothing can delay it
        assert session.scalar(select(func.count()).select_from(WebhookEvent)) == 1
        result = deliver_due(session, clock=Clock(T0), timeout=0.5)  # the deliverer gives up on it quickly
    assert result.retrying == 1 and len(hook.requests) == 1
    attempt = session.scalars(select(WebhookAttempt)).one()
    assert attempt.status_code is None and "timed out" in (attempt.error or "")
    assert json.loads(hook.requests[0].body)["data"]["response_id"] == response_id


def test_a_day_of_failures_gives_the_delivery_up(catalog):
    session = catalog
    register(session, "http://127.0.0.1:9/nobody-listens", ["response.created"])
    store(session)
    clock = Clock(T0)
    outcomes = []
    for _ in range(20):
        result = deliver_due(session, clock=clock)
        outcomes.append("given_up" if result.given_up else "retrying" if result.retrying else "-")
        clock.advance(hours=3)
    delivery = session.scalars(select(WebhookDelivery)).one()
    assert delivery.state == "failed" and "given_up" in outcomes
    tries = session.scalars(select(WebhookAttempt.at).order_by(WebhookAttempt.id)).all()
    assert all(attempt.replace(tzinfo=UTC) - T0 <= timedelta(days=1) for attempt in tries)
    assert all(error for error in session.scalars(select(WebhookAttempt.error)))


def test_raised_alerts_are_delivered(session):
    alerts_data()
    with receiver() as hook:
        register(session, hook.url, ["alert.raised"])
        run_alerts(session, settings=Settings(default_target=0.9, min_n=30), window=Window.ending("2025-06", 3))
        deliver_due(session, clock=Clock(T0))
    raised = sorted(
        (body["data"]["office_code"], body["data"]["kind"], body["data"]["satisfied"], body["data"]["n"])
        for body in (json.loads(received.body) for received in hook.requests)
    )
    assert raised == [("01.01", "not_met", 10, 40), ("79.01", "fell", 20, 40), ("79.01", "not_met", 20, 40)]


def test_only_https_or_local_http_addresses_are_accepted():
    assert check_url("https://portal.example.gov.vn/hook", allow_local_http=False)
    assert check_url("http://localhost:8080/hook", allow_local_http=True)
    for url, local in (("http://localhost:8080/hook", False), ("http://portal.example.gov.vn/x", True),
                       ("ftp://x.vn/", True), ("https://user:pw@x.vn/", True), ("portal.gov.vn", True)):  # fmt: skip
        try:
            check_url(url, allow_local_http=local)
        except EndpointError:
            continue
        raise AssertionError(f"{url} accepted")
