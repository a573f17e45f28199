"""Forgetting what the SMS channel knew of a number once it is no longer needed (run by `purge`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from survey.models_sms import SmsInbound, SmsInvitation, SmsOutbox
from survey.services.transactions import rolls_back_on_error

INBOUND_DAYS = 30  # inbound message ids (no personal data) are remembered this long against replays


@dataclass(frozen=True)
class SmsPurge:
    hashes: int  # phone hashes cleared: reply windows that closed
    numbers: int  # numbers in clear cleared: messages unsent when their invitation's window closed
    message_ids: int


@rolls_back_on_error
def purge_sms(session: Session, *, reply_hours: int, now: datetime | None = None) -> SmsPurge:
    """Clear phone hashes of closed reply windows and numbers of messages that can no longer be useful."""
    now = now or datetime.now(UTC)
    hashes = session.execute(
        update(SmsInvitation)
        .execution_options(synchronize_session=False)
        .where(SmsInvitation.reply_until <= now, SmsInvitation.phone_hash.is_not(None))
        .values(phone_hash=None)
    )
    numbers = session.execute(
        update(SmsOutbox)
        .execution_options(synchronize_session=False)
        .where(SmsOutbox.to_phone.is_not(None), SmsOutbox.created_at <= now - timedelta(hours=reply_hours))
        .values(to_phone=None, status="failed", last_error="not sent within the reply window")
    )
    ids = session.execute(delete(SmsInbound).where(SmsInbound.received_at <= now - timedelta(days=INBOUND_DAYS)))
    session.commit()
    return SmsPurge(
        int(hashes.rowcount),  # type: ignore[attr-defined]
        int(numbers.rowcount),  # type: ignore[attr-defined]
        int(ids.rowcount),  # type: ignore[attr-defined]
    )
