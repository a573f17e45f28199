"""Registering partner systems' endpoints (admins only): an HTTPS address, the events wanted, a secret shown once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.models_actions import WEBHOOK_EVENTS, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from survey.services import audit
from survey.services.transactions import rolls_back_on_error
from survey.services.webhooks.outbox import forget_subscriptions

LOCAL_HOSTS = ("localhost", "127.0.0.1")


class EndpointError(ValueError):
    """An address or a choice of events that cannot be registered; `code` lets a page word it in its language:
    `address` (not a full address), `https` (plain http:// to another machine), `too_long`, `events`."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def check_url(url: str, *, allow_local_http: bool) -> str:
    """The address as registered: HTTPS, or plain HTTP to this machine only outside production."""
    url = url.strip()
    parts = urlsplit(url)
    if not parts.hostname or parts.scheme not in ("https", "http") or parts.username or parts.password:
        raise EndpointError("address", "Enter a full address starting with https://, without a user name or password.")
    if parts.scheme == "http" and not (allow_local_http and parts.hostname in LOCAL_HOSTS):
        raise EndpointError("https", "Use https:// (http:// only to localhost while developing).")
    if len(url) > 500:
        raise EndpointError("too_long", "The address is too long (at most 500 characters).")
    return url


@dataclass(frozen=True)
class NewEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown once to the admin who registered it


@rolls_back_on_error
def register_endpoint(
    session: Session, *, url: str, events: list[str], actor: str, user_id: int | None, allow_local_http: bool
) -> NewEndpoint:
    unknown = sorted(set(events) - set(WEBHOOK_EVENTS))
    if unknown or not events:
        raise EndpointError("events", f"Choose events among {', '.join(WEBHOOK_EVENTS)}.")
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(
        url=check_url(url, allow_local_http=allow_local_http),
        events=sorted(set(events)),
        secret=secret,
        active=True,
        created_at=datetime.now(UTC),
    )
    session.add(endpoint)
    session.flush()
    audit.record(session, actor=actor, user_id=user_id, action="webhook.register", target=f"webhook:{endpoint.id}",
                 details={"url": endpoint.url, "events": endpoint.events})  # fmt: skip
    session.commit()
    forget_subscriptions(session)
    return NewEndpoint(endpoint, secret)


@rolls_back_on_error
def set_active(session: Session, endpoint_id: int, *, active: bool, actor: str, user_id: int | None) -> bool:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        return False
    endpoint.active = active
    audit.record(session, actor=actor, user_id=user_id, action="webhook.enable" if active else "webhook.disable",
                 target=f"webhook:{endpoint.id}", details={"url": endpoint.url})  # fmt: skip
    session.commit()
    forget_subscriptions(session)
    return True


@dataclass(frozen=True)
class EndpointRow:
    endpoint: WebhookEndpoint
    pending: int
    delivered: int
    failed: int


def list_endpoints(session: Session) -> list[EndpointRow]:
    counts: dict[tuple[int, str], int] = {
        (endpoint_id, state): int(count)
        for endpoint_id, state, count in session.execute(
            select(WebhookDelivery.endpoint_id, WebhookDelivery.state, func.count()).group_by(
                WebhookDelivery.endpoint_id, WebhookDelivery.state
            )
        )
    }
    endpoints = session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id))
    return [
        EndpointRow(e, *(counts.get((e.id, state), 0) for state in ("pending", "delivered", "failed")))
        for e in endpoints
    ]


@dataclass(frozen=True)
class DeliveryRow:
    delivery: WebhookDelivery
    attempts: list[WebhookAttempt]


def recent_deliveries(session: Session, endpoint_id: int, *, limit: int = 50) -> list[DeliveryRow]:
    """The endpoint's latest deliveries, newest first, each with every attempt's outcome."""
    deliveries = list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(limit)
        )
    )
    attempts: dict[int, list[WebhookAttempt]] = {}
    if deliveries:
        query = (
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_([d.id for d in deliveries]))
            .order_by(WebhookAttempt.id)
        )
        for attempt in session.scalars(query):
            attempts.setdefault(attempt.delivery_id, []).append(attempt)
    return [DeliveryRow(d, attempts.get(d.id, [])) for d in deliveries]
