"""Replies by SMS: a rating becomes a verified `sms` response, later text its comment, the keywords do their job.

The reply is matched to the newest invitation sent to that number whose reply window is still open (by the
number's keyed hash; nothing else about the sender is looked at or kept). Then:
- a readable rating, while the invitation is unanswered: one verified response, channel `sms`, stored through
  `store_response` (so redaction, the one-response-per-invitation rule and the rollups are the usual ones); words
  after the rating are its comment;
- any further text within the window is added to that response's comment: appended on a new line, redacted like
  any comment, up to the comment limit (a longer total is refused, not cut). Comments are not counted in the
  rollups, so adding text never changes a figure;
- the call-back keyword ("GOI LAI"): a call-back request with the number the reply came from, and the consent text
  sent back (it says what the number is used for and when it is deleted);
- the opt-out keyword ("TU CHOI"): the window closes at once (the hash is cleared, unsent messages cancelled);
- anything else before a rating: one short help message per invitation, never more (so two machines answering
  each other cannot loop).
Each inbound message id is handled once: a replay stores nothing and sends nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.models import Invitation, Response
from survey.models_contacts import CallbackContact
from survey.models_sms import SmsInbound, SmsInvitation, SmsOutbox
from survey.services.callbacks.requests import add_callback
from survey.services.responses.store import COMMENT_MAX, AlreadyRated, Answers, prepare_comment, store_response
from survey.services.sms import outbox
from survey.services.sms.phone import PhoneError, normalise_phone, phone_hash
from survey.services.sms.replies import Reply, read_reply
from survey.services.sms.texts import HELP, OPTED_OUT, callback_text
from survey.services.transactions import rolls_back_on_error

MESSAGE_ID_MAX = 100
INBOUND_OUTCOMES = ("rated", "comment", "already_rated", "too_long", "callback", "opted_out", "help", "ignored",
                    "unknown", "duplicate")  # fmt: skip
TEXT_MAX = 1600  # ten concatenated messages: anything longer is not a citizen's reply


@dataclass(frozen=True)
class InboundMessage:
    message_id: str
    sender: str
    text: str


@dataclass(frozen=True)
class InboundSettings:
    secret: str
    retention_days: int = 90
    callback_days: int = 2


@dataclass
class InboundResult:
    outcome: str  # duplicate, unknown, rated, comment, already_rated, too_long, callback, opted_out, help, ignored
    response_id: int | None = None
    to_send: list[int] = field(default_factory=list)  # outbox ids to send at once


def _open_invitation(session: Session, hashed: str, now: datetime) -> SmsInvitation | None:
    return session.scalar(
        select(SmsInvitation)
        .where(SmsInvitation.phone_hash == hashed, SmsInvitation.reply_until > now)
        .order_by(SmsInvitation.created_at.desc(), SmsInvitation.id.desc())
        .limit(1)
    )


def _finish(session: Session, message: InboundMessage, result: InboundResult, now: datetime) -> InboundResult:
    """Record the message id with its outcome, in the same transaction as what it did; a replay racing us loses."""
    session.add(SmsInbound(message_id=message.message_id, received_at=now, outcome=result.outcome))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return InboundResult("duplicate")
    session.commit()
    return result


def _reply_to(session: Session, sms: SmsInvitation, phone: str, text: str, kind: str, now: datetime) -> int:
    message = outbox.queue(session, to=phone, text=text, kind=kind, now=now, sms_invitation_id=sms.id)
    session.flush()
    return message.id


def _opt_out(session: Session, sms: SmsInvitation, phone: str, now: datetime) -> InboundResult:
    sms.opted_out_at, sms.phone_hash, sms.reply_until = now, None, now
    session.execute(
        update(SmsOutbox)
        .execution_options(synchronize_session=False)
        .where(SmsOutbox.sms_invitation_id == sms.id, SmsOutbox.status == "pending")
        .values(status="failed", to_phone=None, last_error="opted out")
    )
    return InboundResult("opted_out", to_send=[_reply_to(session, sms, phone, OPTED_OUT, "opt_out", now)])


def _submission_key(message: InboundMessage) -> str:
    return "sms:" + hashlib.sha256(message.message_id.encode("utf-8")).hexdigest()[:40]


def _store_rating(session: Session, invitation: Invitation, reply: Reply, message: InboundMessage,
                  now: datetime) -> int | None:  # fmt: skip
    assert reply.rating is not None and invitation.procedure_id is not None
    key = _submission_key(message)
    try:
        stored = store_response(
            session, answers=Answers(rating=reply.rating, comment=reply.comment), office_id=invitation.office_id,
            procedure_id=invitation.procedure_id, channel="sms", verified=True, invitation=invitation,
            submission_key=key, now=now,
        )  # fmt: skip
    except AlreadyRated:
        return None
    return stored.id


def _append_comment(session: Session, response_id: int, text: str | None, key: str) -> str:
    response = session.get(Response, response_id)
    assert response is not None
    if response.submission_key == key:  # this very message stored the response: a replay that raced the first
        return "duplicate"
    addition = prepare_comment(text[:COMMENT_MAX]) if text else None
    if addition is None:
        return "already_rated"
    combined = f"{response.comment}\n{addition}" if response.comment else addition
    if len(combined) > COMMENT_MAX:
        return "too_long"
    response.comment = combined
    return "comment"


def _help_once(session: Session, sms: SmsInvitation, phone: str, now: datetime) -> InboundResult:
    claimed = session.execute(
        update(SmsInvitation)
        .execution_options(synchronize_session=False)
        .where(SmsInvitation.id == sms.id, SmsInvitation.help_sent_at.is_(None))
        .values(help_sent_at=now)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return InboundResult("ignored")
    return InboundResult("help", to_send=[_reply_to(session, sms, phone, HELP, "help", now)])


def _callback(session: Session, sms: SmsInvitation, response_id: int, phone: str, settings: InboundSettings,
              now: datetime) -> InboundResult:  # fmt: skip
    """A call-back request with the number the reply came from; the consent text goes back once per response (our
    own text names the keyword, so a phone that echoes messages back must not start a loop)."""
    asked = session.scalar(
        select(CallbackContact.id).where(CallbackContact.response_id == response_id, CallbackContact.status == "open")
    )
    add_callback(session, response_id=response_id, contact=phone, consented_at=now,
                 retention_days=settings.retention_days, channel="sms")  # fmt: skip
    if asked is not None:
        return InboundResult("callback", response_id)
    text = callback_text(settings.callback_days, settings.retention_days)
    return InboundResult("callback", response_id, [_reply_to(session, sms, phone, text, "callback", now)])


@rolls_back_on_error
def handle_inbound(
    session: Session, message: InboundMessage, settings: InboundSettings, *, now: datetime | None = None
) -> InboundResult:
    """Act on one inbound SMS once (see the module's docstring); the caller sends `to_send` afterwards."""
    now = now or datetime.now(UTC)
    if session.get(SmsInbound, message.message_id) is not None:
        return InboundResult("duplicate")
    try:
        phone = normalise_phone(message.sender)
    except PhoneError:
        return _finish(session, message, InboundResult("unknown"), now)
    sms = _open_invitation(session, phone_hash(settings.secret, phone), now)
    if sms is None:
        return _finish(session, message, InboundResult("unknown"), now)
    reply = read_reply(message.text[:TEXT_MAX])
    if reply.opt_out:
        return _finish(session, message, _opt_out(session, sms, phone, now), now)
    invitation = sms.invitation
    response_id, outcome = invitation.response_id, None
    if response_id is None and reply.rating is not None:
        response_id = _store_rating(session, invitation, reply, message, now)  # commits on its own
        reloaded = session.get(SmsInvitation, sms.id)
        assert reloaded is not None
        sms = reloaded
        outcome = "rated" if response_id is not None else "already_rated"
    if response_id is None and outcome == "already_rated":  # the dossier was rated through another link
        return _finish(session, message, InboundResult("already_rated"), now)
    if response_id is None:
        return _finish(session, message, _help_once(session, sms, phone, now), now)
    if reply.callback:
        return _finish(session, message, _callback(session, sms, response_id, phone, settings, now), now)
    if outcome is None:
        outcome = _append_comment(session, response_id, reply.comment, _submission_key(message))
    return _finish(session, message, InboundResult(outcome, response_id), now)
