"""Keying in paper sheets: one response per sheet code, through the same store as every other answer.

The office and procedure come from the sheet, never from the person keying it in (DOMAIN.md §5b). The answer is
stored by survey.services.responses.store (validated, comment redacted, counted in the rollups, the sheet's
invitation claimed, so a second entry of the code, or an answer through the sheet's QR code, is refused). The
last sheet of a batch can be taken back: the response goes, every count it added is taken out again, and the
sheet's code may be keyed in afresh.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import and_, delete, select, update
from sqlalchemy.orm import Session

from survey.models import (
    CallbackContact,
    Invitation,
    Office,
    Procedure,
    RatedDossier,
    RatingRollup,
    Response,
    ResponseTheme,
    Rollup,
    User,
)
from survey.models_paper import PaperSheet
from survey.services import audit
from survey.services.accounts.scoping import may_see_office, subtree_ids
from survey.services.paper import codes
from survey.services.responses.invitation_rollups import uncount_answer
from survey.services.responses.rollups import add_to_rollups, count_cells, response_values
from survey.services.responses.store import AlreadyRated, Answers, store_response
from survey.services.transactions import rolls_back_on_error

ENTRY_ROLES = ("official", "admin", "clerk")


class EntryError(ValueError):
    """A sheet cannot be keyed in (or taken back). `reason`: `length`, `symbol`, `check` (a mistyped code),
    `unknown` (no sheet has it), `elsewhere` (another office's sheet), `used` (already answered), `gone`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SheetInfo:
    code: str
    office_name: str
    procedure_name: str
    for_dossier: bool


@dataclass(frozen=True)
class EnteredSheet:
    response_id: int
    created: bool  # False: the same form sent twice (a double press): nothing new stored
    sheet: SheetInfo


def entry_scope(session: Session, user: User) -> set[int] | None:
    """Offices whose sheets `user` may key in: an official's or clerk's subtree; every office for an admin."""
    if user.role not in ENTRY_ROLES:
        return set()
    if user.role == "admin":
        return None
    return subtree_ids(session, user.office_id) if user.office_id is not None else set()


def _sheet(session: Session, raw_code: str, scope: set[int] | None) -> tuple[PaperSheet, Invitation]:
    code = codes.normalise(raw_code)
    problem = codes.problem(code)
    if problem is not None:
        raise EntryError(problem)
    found = session.execute(
        select(PaperSheet, Invitation).join(Invitation, Invitation.id == PaperSheet.invitation_id)
        .where(PaperSheet.code == code)
    ).first()  # fmt: skip
    if found is None:
        raise EntryError("unknown")
    sheet, invitation = found
    if not may_see_office(scope, invitation.office_id):
        raise EntryError("elsewhere")
    return sheet, invitation


def _info(session: Session, sheet: PaperSheet, invitation: Invitation) -> SheetInfo:
    office = session.get(Office, invitation.office_id)
    procedure = session.get(Procedure, invitation.procedure_id)
    return SheetInfo(codes.grouped(sheet.code), office.name if office else "", procedure.name if procedure else "",
                     sheet.for_dossier)  # fmt: skip


@rolls_back_on_error
def enter_sheet(
    session: Session, *, user: User, code: str, answers: Answers, submission_key: str | None = None
) -> EnteredSheet:
    """Store the answers written on the sheet with this code (channel `paper`; verified for a dossier's sheet)."""
    sheet, invitation = _sheet(session, code, entry_scope(session, user))
    info = _info(session, sheet, invitation)
    assert invitation.procedure_id is not None  # a sheet's invitation always names its procedure
    if invitation.used_at is not None and not _same_submission(session, invitation, submission_key):
        raise EntryError("used")  # keyed in already, answered online, or answered and then erased by the citizen
    try:
        stored = store_response(
            session, answers=answers, office_id=invitation.office_id, procedure_id=invitation.procedure_id,
            channel="paper", verified=sheet.for_dossier, invitation=invitation, submission_key=submission_key,
            questionnaire_version_id=invitation.questionnaire_version_id,  # the version the sheet was printed under
        )  # fmt: skip
    except AlreadyRated:
        raise EntryError("used") from None
    return EnteredSheet(stored.id, stored.created, info)


def _same_submission(session: Session, invitation: Invitation, submission_key: str | None) -> bool:
    """Whether the sheet's answer was stored by this very form (sent twice), not by another entry."""
    if submission_key is None or invitation.response_id is None:
        return False
    return session.scalar(select(Response.submission_key).where(Response.id == invitation.response_id)) == (
        submission_key
    )


@rolls_back_on_error
def undo_sheet(session: Session, *, user: User, response_id: int) -> SheetInfo:
    """Take back a keyed-in sheet: delete its response, take its counts out again and free its code; audited."""
    scope = entry_scope(session, user)
    found = session.execute(
        select(Response, Invitation, PaperSheet)
        .join(Invitation, Invitation.response_id == Response.id)
        .join(PaperSheet, PaperSheet.invitation_id == Invitation.id)
        .where(Response.id == response_id, Response.channel == "paper")
    ).first()
    if found is None:
        raise EntryError("gone")
    response, invitation, sheet = found
    if not may_see_office(scope, response.office_id):
        raise EntryError("elsewhere")
    info = _info(session, sheet, invitation)
    cells = count_cells([response_values(response)]) if not response.flagged else Counter()
    session.execute(delete(ResponseTheme).where(ResponseTheme.response_id == response.id))
    session.execute(delete(CallbackContact).where(CallbackContact.response_id == response.id))
    session.execute(update(Invitation).where(Invitation.id == invitation.id).values(used_at=None, response_id=None))
    session.execute(delete(RatedDossier).where(RatedDossier.dossier_hash == invitation.dossier_hash))
    uncount_answer(session, invitation, response.rating)
    session.execute(delete(Response).where(Response.id == response.id).execution_options(synchronize_session=False))
    session.expunge(response)
    add_to_rollups(session, cells, sign=-1)
    _drop_empty_cells(session, response)
    audit.record(
        session, actor=user.email, user_id=user.id, action="paper.undo", target=f"response:{response_id}",
        details={"sheet": info.code, "office_id": response.office_id, "month": response.month},
    )  # fmt: skip
    session.commit()
    return info


def _drop_empty_cells(session: Session, response: Response) -> None:
    """Cells left at zero by the undo go, so the rollups are exactly what a fresh count would give."""
    for table in (Rollup, RatingRollup):
        empty = (
            Rollup.count <= 0
            if table is Rollup
            else and_(*(getattr(RatingRollup, f"rating_{value}") == 0 for value in "12345"))
        )
        session.execute(
            delete(table).where(
                empty,
                table.month == response.month,
                table.office_id == response.office_id,
                table.procedure_id == response.procedure_id,
            )
        )
