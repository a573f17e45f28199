"""Call-back contacts: the only personal data the service keeps in clear, in a table of its own.

Kept beside `survey.models` (which imports this module at its end). A contact is a phone number or an e-mail
address a citizen gave, with explicit consent, to be called back about one response; it never appears in the
response, an export, a download or the API, and `purge` deletes it after the retention period.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from survey.models import Base, BigId

CALLBACK_STATES = ("open", "handled")
CALLBACK_CHANNELS = ("web", "sms", "paper")


class CallbackContact(Base):
    """Contact details a citizen chose to leave for a call-back; deleted after the retention period."""

    __tablename__ = "callback_contacts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    contact: Mapped[str] = mapped_column(String(255))
    consented_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delete_after: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="open", server_default="open")
    outcome: Mapped[str | None] = mapped_column(String(300))
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
