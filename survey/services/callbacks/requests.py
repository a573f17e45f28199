"""Leaving a contact for a call-back: validated, tied to one response, kept only in `callback_contacts`.

Called by the citizen form, by an SMS with the call-back keyword, and by paper data entry. The contact is a
Vietnamese mobile number (kept as +84…) or an e-mail address (kept in lower case); it is deleted by `purge` after
SURVEY_RETENTION_DAYS, and with its response when the citizen erases it. One request per response: asking again
updates the contact of the open request instead of adding a second one.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Response
from survey.models_contacts import CALLBACK_CHANNELS, CallbackContact
from survey.services.sms.phone import PhoneError, normalise_phone
from survey.services.transactions import rolls_back_on_error

_EMAIL = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+")
EMAIL_MAX = 254


class ContactError(ValueError):
    """The contact is neither a Vietnamese mobile number nor an e-mail address."""


def normalise_contact(raw: str) -> str:
    """A phone number as +84…, an e-mail address in lower case; raises ContactError for anything else."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if "@" in text:
        if len(text) > EMAIL_MAX or not _EMAIL.fullmatch(text):
            raise ContactError("email")
        return text.lower()
    try:
        return normalise_phone(text)
    except PhoneError:
        raise ContactError("phone") from None


def add_callback(
    session: Session,
    *,
    response_id: int,
    contact: str,
    consented_at: datetime,
    retention_days: int,
    channel: str = "web",
) -> CallbackContact:
    """`request_callback` inside the caller's transaction (the caller commits)."""
    if channel not in CALLBACK_CHANNELS:
        raise ValueError(f"channel must be one of {', '.join(CALLBACK_CHANNELS)}")
    number = normalise_contact(contact)
    response = session.get(Response, response_id)
    if response is None:
        raise ValueError(f"no response {response_id}")
    existing = session.scalar(
        select(CallbackContact).where(CallbackContact.response_id == response_id, CallbackContact.status == "open")
    )
    if existing is not None:
        existing.contact, existing.consented_at = number, consented_at
        existing.delete_after = consented_at + timedelta(days=retention_days)
        return existing
    request = CallbackContact(
        response_id=response_id, office_id=response.office_id, contact=number, consented_at=consented_at,
        delete_after=consented_at + timedelta(days=retention_days), channel=channel, status="open",
    )  # fmt: skip
    session.add(request)
    return request


@rolls_back_on_error
def request_callback(
    session: Session,
    *,
    response_id: int,
    contact: str,
    consented_at: datetime | None = None,
    retention_days: int,
    channel: str = "web",
) -> int:
    """Store a consented call-back request for a response; returns its id. Raises ContactError on a bad contact."""
    request = add_callback(session, response_id=response_id, contact=contact,
                           consented_at=consented_at or datetime.now(UTC), retention_days=retention_days,
                           channel=channel)  # fmt: skip
    session.flush()
    request_id = request.id
    session.commit()
    return request_id
