"""An office's call-back queue: who asked to be contacted, seen only within the official's scope, every view audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Office, Procedure, Response, User
from survey.models_contacts import CallbackContact
from survey.services import audit
from survey.services.accounts.scoping import may_see_office, user_office_scope
from survey.services.transactions import rolls_back_on_error

OUTCOME_MAX = 300


@dataclass(frozen=True)
class QueueItem:
    id: int
    contact: str
    channel: str | None
    consented_at: datetime
    office_code: str
    office_name: str
    procedure_name: str
    rating: int
    comment: str | None
    status: str
    outcome: str | None
    handled_at: datetime | None


class QueueError(ValueError):
    """`reason`: `not_found` (none in the official's scope) or `outcome` (missing or too long)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def may_use_queue(user: User) -> bool:
    """Officials (their offices) and admins; researchers never see contacts."""
    return user.role in ("official", "admin")


def _item(contact: CallbackContact, response: Response, office: Office, procedure: Procedure) -> QueueItem:
    return QueueItem(
        contact.id, contact.contact, contact.channel, contact.consented_at, office.code, office.name, procedure.name,
        response.rating, response.comment, contact.status, contact.outcome, contact.handled_at,
    )  # fmt: skip


@rolls_back_on_error
def callback_queue(session: Session, user: User, *, include_handled: bool = False) -> list[QueueItem]:
    """The requests the user may see, oldest open first; the view itself is audited (who, when, which contacts)."""
    if not may_use_queue(user):
        return []
    scope = user_office_scope(session, user)
    query = (
        select(CallbackContact, Response, Office, Procedure)
        .join(Response, Response.id == CallbackContact.response_id)
        .join(Office, Office.id == Response.office_id)
        .join(Procedure, Procedure.id == Response.procedure_id)
        .order_by(CallbackContact.status.desc(), CallbackContact.consented_at, CallbackContact.id)
    )
    if scope is not None:
        query = query.where(Response.office_id.in_(scope))
    if not include_handled:
        query = query.where(CallbackContact.status == "open")
    items = [_item(*row) for row in session.execute(query)]
    audit.record(
        session, actor=user.email, user_id=user.id, action="callback.view", target="callback_contacts",
        details={"ids": [item.id for item in items]},
    )  # fmt: skip
    session.commit()
    return items


@rolls_back_on_error
def mark_handled(session: Session, user: User, request_id: int, *, outcome: str, now: datetime | None = None) -> None:
    """Close a request with a short outcome ("đã gọi, đã giải thích"); audited."""
    outcome = " ".join(outcome.split())
    if not outcome or len(outcome) > OUTCOME_MAX:
        raise QueueError("outcome")
    request = session.get(CallbackContact, request_id)
    office_id = None
    if request is not None:
        office_id = session.scalar(select(Response.office_id).where(Response.id == request.response_id))
    scope = user_office_scope(session, user) if may_use_queue(user) else set()
    if request is None or office_id is None or not may_see_office(scope, office_id):
        raise QueueError("not_found")
    request.status, request.outcome, request.handled_by = "handled", outcome, user.id
    request.handled_at = now or datetime.now(UTC)
    audit.record(session, actor=user.email, user_id=user.id, action="callback.handled",
                 target=f"callback:{request_id}")  # fmt: skip
    session.commit()
