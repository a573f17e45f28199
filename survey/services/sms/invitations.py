"""Inviting a citizen by SMS: a one-time link for the dossier, its SMS queued in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.models import Invitation
from survey.models_sms import SMS_MODES, SmsInvitation
from survey.services.responses.invitations import (
    IssuedLink,
    LinkError,
    add_dossier_link,
    dossier_hash,
    normalise_dossier_code,
)
from survey.services.sms import outbox
from survey.services.sms.phone import PhoneError, normalise_phone, phone_hash
from survey.services.sms.texts import invitation_text
from survey.services.transactions import rolls_back_on_error


@dataclass(frozen=True)
class SmsInvite:
    link: IssuedLink
    message_id: int  # the outbox row: send it with outbox.send_message_now, or leave it to `send-sms`


MAX_PER_DOSSIER = 2  # an invitation and one reminder (Nghị định 91/2020/NĐ-CP on spam; DOMAIN.md §5b)


def _readable(dossier_code: str) -> bool:
    try:
        normalise_dossier_code(dossier_code)
    except LinkError:
        return False  # add_dossier_link names the fault
    return True


def _check_allowed(session: Session, hashed: str | None) -> None:
    """At most an invitation and a reminder per dossier, and none after the citizen opted out."""
    if hashed is None:
        return
    sent = session.execute(
        select(func.count(), func.max(SmsInvitation.opted_out_at))
        .join(Invitation, Invitation.id == SmsInvitation.invitation_id)
        .where(Invitation.dossier_hash == hashed)
    ).one()
    if sent[1] is not None:
        raise LinkError("phone", "the citizen asked for no more survey SMS about this dossier")
    if sent[0] >= MAX_PER_DOSSIER:
        raise LinkError("phone", "this dossier already had an SMS invitation and a reminder: no more are sent")


@rolls_back_on_error
def invite_by_sms(
    session: Session,
    *,
    secret: str,
    base_url: str,
    office_code: str,
    procedure_code: str,
    dossier_code: str,
    phone: str,
    mode: str = "link",
    expires_days: int = 30,
    reply_hours: int = 72,
    api_key_id: int | None = None,
    now: datetime | None = None,
) -> SmsInvite:
    """Store the invitation (channel `sms`) and queue its message; raises LinkError naming the field at fault.

    Nothing is sent here: the caller commits first, then sends (outbox.py), so a gateway that is down never
    loses an invitation.
    """
    try:
        number = normalise_phone(phone)
    except PhoneError as exc:
        raise LinkError("phone", str(exc)) from None
    if mode not in SMS_MODES:
        raise LinkError("sms_mode", f"must be one of {', '.join(SMS_MODES)}")
    now = now or datetime.now(UTC)
    _check_allowed(session, dossier_hash(secret, dossier_code) if _readable(dossier_code) else None)
    link = add_dossier_link(session, secret=secret, base_url=base_url, office_code=office_code,
                            procedure_code=procedure_code, dossier_code=dossier_code, channel="sms",
                            expires_days=expires_days, api_key_id=api_key_id)  # fmt: skip
    invitation = session.get(Invitation, link.invitation_id)
    assert invitation is not None
    sms = SmsInvitation(
        invitation_id=invitation.id, mode=mode, phone_hash=phone_hash(secret, number), created_at=now,
        reply_until=now + timedelta(hours=reply_hours),
    )  # fmt: skip
    session.add(sms)
    session.flush()
    text = invitation_text(invitation.office.name, mode, link.url)
    message = outbox.queue(session, to=number, text=text, kind="invitation", now=now, sms_invitation_id=sms.id,
                           daytime_only=True)  # fmt: skip
    session.flush()
    message_id = message.id
    session.commit()
    return SmsInvite(link, message_id)
