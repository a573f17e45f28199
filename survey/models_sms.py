"""The SMS channel's tables: invitations sent by SMS, the outbox of messages to send, and inbound message ids.

Kept beside `survey.models` (which imports this module at its end). What is kept of a phone number, and when it
goes (survey/services/sms/__init__.py): the number in clear only in `sms_outbox.to_phone` until that message is
sent or given up; a keyed hash in `sms_invitations.phone_hash` only until the reply window closes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.models import Base, BigId, Invitation

SMS_MODES = ("link", "reply")
"""`link`: the SMS carries the survey link; `reply`: it asks for a rating 1-5 by reply."""
OUTBOX_KINDS = ("invitation", "help", "callback", "opt_out")
OUTBOX_STATES = ("pending", "sent", "failed")


class SmsInvitation(Base):
    """An invitation sent by SMS, and what is needed to match a reply to it while the reply window is open."""

    __tablename__ = "sms_invitations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), unique=True)
    mode: Mapped[str] = mapped_column(String(10))
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)  # None once the window has closed
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reply_until: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    help_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opted_out_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    invitation: Mapped[Invitation] = relationship()


class SmsOutbox(Base):
    """One message to send through the gateway; sent outside the transaction that queued it, retried on failure."""

    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sms_invitation_id: Mapped[int | None] = mapped_column(ForeignKey("sms_invitations.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(12))
    to_phone: Mapped[str | None] = mapped_column(String(16))  # cleared once sent or given up
    text: Mapped[str] = mapped_column(String(480))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    daytime_only: Mapped[bool] = mapped_column(default=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    gateway_id: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(String(200))


class SmsInbound(Base):
    """An inbound message id already handled: a replay of it stores nothing twice."""

    __tablename__ = "sms_inbound"

    message_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
