"""Keeping personal data no longer than needed: call-back contacts expire, and a citizen can erase a response.

Call-back contact details are the only personal data the service stores; they are deleted once their
`delete_after` has passed or they are older than the retention period in force now (SURVEY_RETENTION_DAYS),
whichever comes first. Erasing a response (Luật 91/2025/QH15: a data subject may ask for deletion) needs only
the citizen's one-time link: it removes the response, its call-back contact and theme assignments, and takes
it out of the rollups in the same transaction, while the dossier stays marked as rated.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from survey.models import CallbackContact, Invitation, Office, Response, ResponseTheme, Rollup
from survey.services import audit
from survey.services.responses.invitation_rollups import uncount_erased_answer
from survey.services.responses.invitations import resolve_link
from survey.services.responses.local_answers import delete_local_answers, local_cells
from survey.services.responses.rollups import add_to_rollups, count_cells, response_values

_TOKEN_IN_URL = re.compile(r"/s/([A-Za-z0-9_-]+)")


@dataclass(frozen=True)
class PurgeResult:
    deleted: int
    newest_consent: datetime | None
    retention_days: int


def purge_expired_contacts(session: Session, *, retention_days: int, now: datetime | None = None) -> PurgeResult:
    """Delete call-back contacts past `delete_after` or older than `retention_days`; repeating it is harmless."""
    if retention_days < 1:
        raise ValueError("the retention period must be at least one day")
    now = now or datetime.now(UTC)
    expired = or_(
        CallbackContact.delete_after <= now, CallbackContact.consented_at <= now - timedelta(days=retention_days)
    )
    count, newest = session.execute(select(func.count(), func.max(CallbackContact.consented_at)).where(expired)).one()
    if count:
        session.execute(delete(CallbackContact).where(expired).execution_options(synchronize_session=False))
        audit.record(
            session,
            actor="cli",
            action="retention.purge",
            target="callback_contacts",
            details={"deleted": int(count), "retention_days": retention_days},
        )
    session.commit()
    return PurgeResult(int(count), newest, retention_days)


class EraseError(ValueError):
    """A response cannot be erased through this link; `reason` is `invalid`, `public` or `nothing`."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ErasedResponse:
    office_code: str
    month: str
    contacts: int
    themes: int


def token_from_text(text: str) -> str:
    """The token of a survey link given as the token itself or as the whole URL (`…/s/<token>[/erase]`)."""
    text = text.strip()
    match = _TOKEN_IN_URL.search(text)
    return match.group(1) if match else text


def erasable_invitation(session: Session, token: str, *, secret: str) -> Invitation:
    """The one-time invitation whose response this token may erase, or EraseError saying why not."""
    state = resolve_link(session, token, secret=secret)
    invitation = state.invitation
    if state.status == "invalid" or invitation is None:
        raise EraseError("invalid", "this is not a valid survey link")
    if invitation.is_public:
        raise EraseError(
            "public", "an office's public poster link is shared by many people: it cannot erase a response"
        )
    if invitation.response_id is None:
        raise EraseError("nothing", "no response is stored for this link (none was given, or it was already erased)")
    return invitation


def erase_response_by_link(session: Session, token: str, *, secret: str, actor: str = "citizen") -> ErasedResponse:
    """Erase the response given through this one-time link, in one transaction, and audit it (not the token)."""
    invitation = erasable_invitation(session, token, secret=secret)
    response = session.get(Response, invitation.response_id)
    if response is None:  # the foreign key nulls response_id on delete, so this is a race with another erase
        raise EraseError("nothing", "no response is stored for this link (it was already erased)")
    response_id = response.id
    office_code = session.scalar(select(Office.code).where(Office.id == response.office_id)) or ""
    cells = count_cells([response_values(response)])
    cells.update(local_cells(session, response))
    delete_local_answers(session, response_id)
    themes = session.execute(delete(ResponseTheme).where(ResponseTheme.response_id == response_id))
    contacts = session.execute(delete(CallbackContact).where(CallbackContact.response_id == response_id))
    session.execute(update(Invitation).where(Invitation.response_id == response_id).values(response_id=None))
    uncount_erased_answer(session, invitation, response.rating)
    session.execute(delete(Response).where(Response.id == response_id).execution_options(synchronize_session=False))
    session.expunge(response)
    add_to_rollups(session, cells if not response.flagged else Counter(), sign=-1)  # a held one was not counted
    session.execute(
        delete(Rollup).where(
            Rollup.count <= 0,
            Rollup.month == response.month,
            Rollup.office_id == response.office_id,
            Rollup.procedure_id == response.procedure_id,
        )
    )
    audit.record(
        session,
        actor=actor,
        action="response.erase",
        target=f"response:{response_id}",
        details={"office": office_code, "month": response.month, "invitation_id": invitation.id},
    )
    session.commit()
    return ErasedResponse(
        office_code=office_code,
        month=response.month,
        contacts=int(contacts.rowcount),  # type: ignore[attr-defined]
        themes=int(themes.rowcount),  # type: ignore[attr-defined]
    )
