"""The tables of "Bạn nói – chúng tôi làm" (you said, we did) and of webhooks.

Kept beside `survey.models` (which imports this module at its end, so `Base.metadata` always holds these tables).

- `actions`: what an office will change for a procedure in answer to a complaint theme; once done, its effect is
  measured on the same procedure and office before and after its date, and an official may publish it.
- `webhook_endpoints`, `webhook_events` (the outbox: written in the same transaction as the event itself),
  `webhook_deliveries` (one per event and subscribed endpoint) and `webhook_attempts` (each try's outcome).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models import Base, BigId, Office, Procedure, Theme, User

ACTION_STATUSES = ("planned", "in_progress", "done")
WEBHOOK_EVENTS = ("response.created", "alert.raised", "action.published")
DELIVERY_STATES = ("pending", "delivered", "failed")


class Action(Base):
    """An office's answer to what citizens said about one procedure there."""

    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'in_progress', 'done')", name="status"),
        CheckConstraint("status = 'done' OR NOT public", name="public_when_done"),
        CheckConstraint("status <> 'done' OR done_on IS NOT NULL", name="done_has_date"),
        Index("ix_actions_office_status", "office_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    theme_label: Mapped[str] = mapped_column(String(300))  # the complaint in plain words (kept if the run goes)
    change: Mapped[str] = mapped_column(Text)
    responsible_unit: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="planned")
    done_on: Mapped[date | None] = mapped_column(Date)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    office: Mapped[Office] = relationship()
    procedure: Mapped[Procedure] = relationship()
    theme: Mapped[Theme | None] = relationship()
    author: Mapped[User | None] = relationship()


class WebhookEndpoint(Base):
    """A partner system's address, the events it wants and the secret its deliveries are signed with."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    events: Mapped[list[Any]] = mapped_column(JSON)
    secret: Mapped[str] = mapped_column(String(100))  # needed to sign each delivery, so kept, but shown only once
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebhookEvent(Base):
    """The outbox: an event to deliver, stored with the change it reports; fanned out to endpoints later."""

    __tablename__ = "webhook_events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)  # for the receiver's de-duplication
    kind: Mapped[str] = mapped_column(String(30))
    body: Mapped[str] = mapped_column(Text)  # the exact JSON sent (and signed)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    dispatched: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class WebhookDelivery(Base):
    """One event for one endpoint: tried until delivered, or given up a day after the event."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id", name="uq_webhook_deliveries_event_endpoint"),
        CheckConstraint("state IN ('pending', 'delivered', 'failed')", name="state"),
        Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("webhook_events.id", ondelete="CASCADE"))
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    event: Mapped[WebhookEvent] = relationship()
    endpoint: Mapped[WebhookEndpoint] = relationship()


class WebhookAttempt(Base):
    """One try at a delivery: the receiver's status code, or why there was none."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(200))
    duration_ms: Mapped[int] = mapped_column(Integer)
