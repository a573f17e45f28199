"""The outbox: messages are queued in the caller's transaction and sent after it, with retries and a record.

Sending never happens inside a transaction that stores something else: the invitation (or the reply's outcome)
is committed first, with its message queued in `sms_outbox`; `send_due` then hands due messages to the gateway,
one at a time, each claimed by a short lease (so two senders at once never send the same message twice), and
records the outcome. The API tries a new invitation's message at once; `flask --app wsgi send-sms` (cron, every
minute) sends what is left: messages queued at night, and retries after 1, 5, 15 and 60 minutes. A message the
gateway refuses for good, or still unsent after its last attempt, is marked failed. The number in clear is
cleared as soon as the message is sent or failed.

Invitations go out only in daytime (SURVEY_SMS_DAY_HOURS, default 07:00-21:00 Vietnam time, DOMAIN.md §5b); a
help or call-back answer replies to a message the citizen just sent and goes at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from analysis.periods import LOCAL_TIME
from survey.models_sms import SmsInvitation, SmsOutbox
from survey.services.sms.gateway import Gateway, GatewayError, send_message
from survey.services.transactions import rolls_back_on_error

RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=60))
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
LEASE = timedelta(minutes=2)
BATCH = 200


@dataclass(frozen=True)
class SendSettings:
    gateway: Gateway
    reply_hours: int = 72
    day_start: int = 7
    day_end: int = 21


@dataclass(frozen=True)
class SendResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    waiting: int = 0  # held until daytime


def queue(session: Session, *, to: str, text: str, kind: str, now: datetime, sms_invitation_id: int | None = None,
          daytime_only: bool = False) -> SmsOutbox:  # fmt: skip
    """Add a message to the caller's transaction; it is sent after the caller commits."""
    message = SmsOutbox(
        sms_invitation_id=sms_invitation_id, kind=kind, to_phone=to, text=text, status="pending", attempts=0,
        created_at=now, next_attempt_at=now, daytime_only=daytime_only,
    )  # fmt: skip
    session.add(message)
    return message


def next_daytime(now: datetime, day_start: int, day_end: int) -> datetime | None:
    """None when `now` is within sending hours; else the next moment they begin (Vietnam time)."""
    local = now.astimezone(LOCAL_TIME)
    if day_start <= local.hour < day_end:
        return None
    start = local.replace(hour=day_start, minute=0, second=0, microsecond=0)
    if local.hour >= day_end:
        start += timedelta(days=1)
    return start.astimezone(UTC)


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones in the session's time zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _claim(session: Session, message_id: int, now: datetime) -> bool:
    claimed = session.execute(
        update(SmsOutbox)
        .execution_options(synchronize_session=False)
        .where(SmsOutbox.id == message_id, SmsOutbox.status == "pending", SmsOutbox.next_attempt_at <= now)
        .values(next_attempt_at=now + LEASE)
    )
    session.commit()
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def _record_sent(session: Session, message: SmsOutbox, gateway_id: str | None, now: datetime, hours: int) -> None:
    message.status, message.sent_at, message.gateway_id, message.to_phone = "sent", now, gateway_id, None
    message.attempts += 1
    if message.kind == "invitation" and message.sms_invitation_id is not None:
        session.execute(  # the reply window runs from when the invitation was sent
            update(SmsInvitation)
            .execution_options(synchronize_session=False)
            .where(SmsInvitation.id == message.sms_invitation_id)
            .values(reply_until=now + timedelta(hours=hours))
        )


def _record_failure(message: SmsOutbox, error: GatewayError, now: datetime) -> bool:
    """Record a failed attempt; True when the message is given up."""
    message.attempts += 1
    message.last_error = str(error)[:200]
    if error.permanent or message.attempts >= MAX_ATTEMPTS:
        message.status, message.to_phone = "failed", None
        return True
    message.next_attempt_at = now + RETRY_AFTER[message.attempts - 1]
    return False


@rolls_back_on_error
def send_message_now(session: Session, message_id: int, settings: SendSettings, *, now: datetime | None = None) -> str:
    """Try one message (if it is due and no one else is sending it); returns its status afterwards."""
    now = now or datetime.now(UTC)
    message = session.get(SmsOutbox, message_id)
    if message is None or message.status != "pending" or message.to_phone is None:
        return "gone" if message is None else message.status
    later = next_daytime(now, settings.day_start, settings.day_end) if message.daytime_only else None
    if later is not None:
        message.next_attempt_at = max(later, _utc(message.next_attempt_at))
        session.commit()
        return "waiting"
    if not _claim(session, message_id, now):
        return "pending"
    message = session.get(SmsOutbox, message_id)
    assert message is not None and message.to_phone is not None
    to, text, reference = message.to_phone, message.text, str(message.id)
    session.commit()  # nothing is held open while the gateway answers
    try:
        gateway_id = send_message(settings.gateway, to=to, text=text, reference=reference)
    except GatewayError as exc:
        given_up = _record_failure(message, exc, now)
        session.commit()
        return "failed" if given_up else "retrying"
    _record_sent(session, message, gateway_id, now, settings.reply_hours)
    session.commit()
    return "sent"


def send_due(session: Session, settings: SendSettings, *, now: datetime | None = None) -> SendResult:
    """Send every message that is due now (at most BATCH per run); repeating it is harmless."""
    now = now or datetime.now(UTC)
    due = list(
        session.scalars(
            select(SmsOutbox.id)
            .where(SmsOutbox.status == "pending", SmsOutbox.next_attempt_at <= now)
            .order_by(SmsOutbox.next_attempt_at, SmsOutbox.id)
            .limit(BATCH)
        )
    )
    session.commit()
    counts = {"sent": 0, "retrying": 0, "failed": 0, "waiting": 0}
    for message_id in due:
        status = send_message_now(session, message_id, settings, now=now)
        if status in counts:
            counts[status] += 1
    return SendResult(**counts)
