"""The outbox: an event for partner systems is one row written in the same transaction as the change it reports.

Nothing is sent here. `survey.services.webhooks.delivery` (the `deliver-webhooks` command) fans each event out to
the endpoints subscribed to it and sends it, outside the request that stored the change, so a slow or broken
receiver never slows a citizen down.

The submission path stays lean: whether any active endpoint wants an event kind is read at most once per
`cache.FRESH_FOR` seconds per process (an endpoint registered or disabled through this process is seen at once), so
with no subscriber a response costs nothing more, and with one it costs one insert.

Bodies carry codes, counts, ids and times only: never comment text, contacts or names.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from survey.models_actions import WEBHOOK_EVENTS, WebhookEndpoint, WebhookEvent
from survey.services.catalog import cache

_EVENTS = cast(Table, WebhookEvent.__table__)
_INSERT_EVENT = insert(_EVENTS)


def subscribed_kinds(session: Session) -> frozenset[str]:
    """The event kinds at least one active endpoint wants (kept per process like the catalog)."""

    def load() -> frozenset[str]:
        rows = session.scalars(select(WebhookEndpoint.events).where(WebhookEndpoint.active.is_(True)))
        return frozenset(kind for events in rows for kind in events if kind in WEBHOOK_EVENTS)

    kinds = cache.remembered(session, "webhook_kinds", load)
    return kinds if kinds is not None else frozenset()


def forget_subscriptions(session: Session) -> None:
    """After an endpoint changes: the next event reads the subscriptions again."""
    cache.forget(session)


def event_row(kind: str, data: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """An outbox row for `kind` with its exact JSON body (what is sent and signed), not yet inserted."""
    if kind not in WEBHOOK_EVENTS:
        raise ValueError(f"unknown webhook event {kind!r}; use one of {', '.join(WEBHOOK_EVENTS)}")
    now = now or datetime.now(UTC)
    event_id = str(uuid.uuid4())
    body = {"id": event_id, "type": kind, "occurred_at": now.astimezone(UTC).isoformat(), "data": data}
    return {
        "event_id": event_id,
        "kind": kind,
        "body": json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
        "created_at": now,
        "dispatched": False,
    }


def write_event(session: Session, row: dict[str, Any]) -> None:
    """Insert a prepared outbox row in the caller's transaction (committed, or rolled back, with the change)."""
    session.connection().execute(_INSERT_EVENT, row)


def record_event(session: Session, kind: str, data: dict[str, Any], now: datetime | None = None) -> bool:
    """Add an event to the caller's transaction when some endpoint wants it; True when one was added."""
    if kind not in subscribed_kinds(session):
        return False
    write_event(session, event_row(kind, data, now))
    return True


def response_created(session: Session, row: dict[str, Any]) -> dict[str, Any] | None:
    """The outbox row for a response about to be stored (its id is filled in by the write), or None when no
    endpoint wants it. Only codes and answers' codes: no comment, no contact, no demographics."""
    if "response.created" not in subscribed_kinds(session):
        return None
    office = cache.office_by_id(session, row["office_id"])
    procedure = cache.procedure_by_id(session, row["procedure_id"])
    data = {
        "response_id": None,
        "office_code": office.code if office else None,
        "procedure_code": procedure.code if procedure else None,
        "channel": row["channel"],
        "rating": row["rating"],
        "verified": row["verified"],
        "month": row["month"],
        "created_at": row["created_at"].astimezone(UTC).isoformat(),
    }
    return {"data": data, "now": row["created_at"]}


def write_response_created(session: Session, prepared: dict[str, Any] | None, response_id: int) -> None:
    """Inside the response's transaction: the one extra insert, when an endpoint wants it."""
    if prepared is not None:
        write_event(session, event_row("response.created", {**prepared["data"], "response_id": response_id},
                                       prepared["now"]))  # fmt: skip
