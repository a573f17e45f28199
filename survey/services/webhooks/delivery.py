"""Delivering the outbox to partner systems: fan out, sign, send with a short timeout, retry with backoff.

Run by `flask --app wsgi deliver-webhooks` (a loop beside gunicorn, or `--once` from a scheduled job), never inside a
citizen's request. Each pass:
1. fans every new outbox event out to the active endpoints subscribed to its kind (one delivery row each);
2. sends each due delivery: POST of the event's exact JSON body with `X-Signature` = hex HMAC-SHA256 of the body
   under the endpoint's secret, and `X-Event-Id` (also the body's `id`) for de-duplication. A 2xx answer is
   delivered; anything else (another status, a refused connection, no answer within the timeout) is retried after
   1, 2, 4, 8 … minutes, until the next try would fall more than a day after the event: then it is given up.
Each try is recorded with its outcome for the admin page. A delivery is claimed (a conditional update) before it
is sent, so two deliverers running at once never send the same one at the same time.
The clock and the sender are parameters, so tests drive time without sleeping.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from survey.models_actions import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

TIMEOUT = 5.0  # seconds a receiver has to answer
FIRST_RETRY = timedelta(minutes=1)
GIVE_UP_AFTER = timedelta(days=1)
LEASE = timedelta(minutes=2)  # a claimed delivery is not tried by another deliverer for this long
BATCH = 200

Clock = Callable[[], datetime]
Sender = Callable[[str, bytes, Mapping[str, str], float], int]
"""(url, body, headers, timeout) → the receiver's HTTP status; raises OSError when there is no answer."""


def sign(secret: str, body: bytes) -> str:
    """The `X-Signature` header: hex HMAC-SHA256 of the raw body under the endpoint's secret."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is an answer other than 2xx: retried later, never followed elsewhere


_opener = urllib.request.build_opener(_NoRedirects)


def http_post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with _opener.open(request, timeout=timeout) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite returns stored UTC times naive


def dispatch(session: Session, now: datetime) -> int:
    """Fan new outbox events out to the active endpoints that want them; returns the deliveries created."""
    events = list(session.scalars(select(WebhookEvent).where(WebhookEvent.dispatched.is_(False)).limit(BATCH * 5)))
    if not events:
        return 0
    endpoints = list(session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))))
    created = 0
    for event in events:
        for endpoint in endpoints:
            if event.kind in endpoint.events:
                session.add(WebhookDelivery(event_id=event.id, endpoint_id=endpoint.id, state="pending",
                                            attempts=0, next_attempt_at=now))  # fmt: skip
                created += 1
        event.dispatched = True
    session.commit()
    return created


@dataclass
class PassResult:
    dispatched: int = 0
    delivered: int = 0
    retrying: int = 0
    given_up: int = 0


def deliver_due(
    session: Session, *, clock: Clock | None = None, send: Sender = http_post, timeout: float = TIMEOUT
) -> PassResult:
    """One pass: fan out new events, then try every delivery that is due (oldest first)."""
    clock = clock or (lambda: datetime.now(UTC))
    result = PassResult(dispatched=dispatch(session, clock()))
    now = clock()
    due = list(
        session.scalars(
            select(WebhookDelivery.id)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(
                WebhookDelivery.state == "pending",
                WebhookDelivery.next_attempt_at <= now,
                WebhookEndpoint.active.is_(True),
            )
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(BATCH)
        )
    )
    for delivery_id in due:
        if _claim(session, delivery_id, clock()):
            outcome = _try(session, delivery_id, clock, send, timeout)
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def _claim(session: Session, delivery_id: int, now: datetime) -> bool:
    claimed = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.state == "pending",
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(next_attempt_at=now + LEASE)
    )
    session.commit()
    return getattr(claimed, "rowcount", 0) == 1


def _try(session: Session, delivery_id: int, clock: Clock, send: Sender, timeout: float) -> str:
    """Send one delivery once and record the outcome: `delivered`, `retrying` or `given_up`."""
    delivery = session.get(WebhookDelivery, delivery_id)
    assert delivery is not None
    event, endpoint = delivery.event, delivery.endpoint
    body = event.body.encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "survey-webhooks/1",
        "X-Event-Id": event.event_id,
        "X-Event-Type": event.kind,
        "X-Signature": sign(endpoint.secret, body),
    }
    started_at, started = clock(), time.monotonic()
    status_code: int | None = None
    error: str | None = None
    try:
        status_code = send(endpoint.url, body, headers, timeout)
    except (OSError, ValueError) as failure:  # refused, unreachable, timed out, malformed answer
        error = (type(failure).__name__ + ": " + str(failure))[:200]
    elapsed_ms = int((time.monotonic() - started) * 1000)
    session.add(WebhookAttempt(delivery_id=delivery.id, at=started_at, status_code=status_code, error=error,
                               duration_ms=elapsed_ms))  # fmt: skip
    delivery.attempts += 1
    if status_code is not None and 200 <= status_code < 300:
        delivery.state, delivery.delivered_at, outcome = "delivered", started_at, "delivered"
    else:
        retry_at = started_at + FIRST_RETRY * 2 ** (delivery.attempts - 1)
        if retry_at > _aware(event.created_at) + GIVE_UP_AFTER:
            delivery.state, outcome = "failed", "given_up"
        else:
            delivery.next_attempt_at, outcome = retry_at, "retrying"
    session.commit()
    return outcome
