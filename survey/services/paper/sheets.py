"""Printing paper survey sheets: each sheet is a one-time invitation (channel `paper`) with a short code.

Printing is recorded (who, how many, for which office and procedure) and audited; each sheet counts as an
invitation issued through `paper` in the invitation rollups, so unanswered sheets show in coverage like
unanswered links. A sheet printed for a dossier carries the dossier's keyed hash (its answer is verified, and the
dossier is rated once whichever link or sheet is used); a plain sheet carries a keyed hash of its own code.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Invitation, Office, Procedure, User
from survey.models_paper import PaperPrint, PaperSheet
from survey.services import audit
from survey.services.accounts.scoping import may_see_office, user_office_scope
from survey.services.catalog import cache
from survey.services.catalog.offered import offers
from survey.services.paper import codes
from survey.services.responses.invitation_rollups import count_issued
from survey.services.responses.invitations import (
    LinkError,
    derived_key,
    dossier_hash,
    link_url,
    new_token_id,
    sign_token,
)
from survey.services.transactions import rolls_back_on_error

MAX_SHEETS = 200
PRINT_ROLES = ("official", "admin")


class PaperError(ValueError):
    """Sheets cannot be printed: `reason` is `no_office`, `not_offered`, `forbidden` or `bad_input`."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(f"{reason}: {field}" if field else reason)
        self.reason = reason
        self.field = field


@dataclass(frozen=True)
class Sheet:
    code: str  # grouped, as printed
    url: str  # the online form for this very sheet (its QR code)


@dataclass(frozen=True)
class PrintedSheets:
    office_name: str
    procedure_code: str
    procedure_name: str
    for_dossier: bool
    sheets: tuple[Sheet, ...]


def plain_sheet_hash(secret: str, code: str) -> str:
    """What a plain sheet carries where a dossier sheet carries its dossier's hash: the sheet is rated once."""
    return hmac.new(derived_key(secret, "paper-sheet"), code.encode("ascii"), hashlib.sha256).hexdigest()


def _fresh_codes(session: Session, count: int) -> list[str]:
    """`count` codes no sheet has yet (a clash is practically impossible, and checked anyway)."""
    chosen: set[str] = set()
    while len(chosen) < count:
        wanted = {codes.new_code() for _ in range(count - len(chosen))} - chosen
        taken = set(session.scalars(select(PaperSheet.code).where(PaperSheet.code.in_(wanted))))
        chosen |= wanted - taken
    return sorted(chosen)


def _place(session: Session, user: User, office_code: str, procedure_code: str) -> tuple[Office, Procedure]:
    office = session.scalar(select(Office).where(Office.code == office_code.strip()))
    if office is None or not office.active:
        raise PaperError("no_office")
    if user.role not in PRINT_ROLES or not may_see_office(user_office_scope(session, user), office.id):
        raise PaperError("forbidden")
    procedure = session.scalar(select(Procedure).where(Procedure.code == procedure_code.strip()))
    if procedure is None or not procedure.active or not offers(session, office.id, procedure.id):
        raise PaperError("not_offered")
    return office, procedure


@rolls_back_on_error
def print_sheets(
    session: Session,
    *,
    secret: str,
    base_url: str,
    user: User,
    office_code: str,
    procedure_code: str,
    sheets: int = 1,
    dossier_code: str | None = None,
) -> PrintedSheets:
    """Make `sheets` one-time sheets (one for a dossier), record and audit the printing, count them as issued."""
    office, procedure = _place(session, user, office_code, procedure_code)
    if isinstance(sheets, bool) or not isinstance(sheets, int) or not 1 <= sheets <= MAX_SHEETS:
        raise PaperError("bad_input", "sheets")
    if dossier_code is not None and sheets != 1:
        raise PaperError("bad_input", "sheets")
    try:
        hashed = dossier_hash(secret, dossier_code) if dossier_code is not None else None
    except LinkError:
        raise PaperError("bad_input", "dossier") from None
    now = datetime.now(UTC)
    version = cache.active_questionnaire(session)  # the sheet asks it and is stored against it, whenever keyed in
    printing = PaperPrint(printed_at=now, user_id=user.id, office_id=office.id, procedure_id=procedure.id,
                          sheets=sheets, for_dossier=hashed is not None)  # fmt: skip
    session.add(printing)
    made = []
    for code in _fresh_codes(session, sheets):
        invitation = Invitation(
            token_id=new_token_id(), office_id=office.id, procedure_id=procedure.id, channel="paper",
            is_public=False, dossier_hash=hashed or plain_sheet_hash(secret, code), created_at=now, expires_at=None,
            questionnaire_version_id=version.id if version is not None else None,
        )  # fmt: skip
        made.append((code, invitation))
    session.add_all([invitation for _, invitation in made])
    session.flush()
    session.add_all(
        PaperSheet(code=code, invitation_id=invitation.id, print_id=printing.id, for_dossier=hashed is not None)
        for code, invitation in made
    )
    count_issued(session, made[0][1], count=sheets)
    audit.record(
        session, actor=user.email, user_id=user.id, action="paper.print", target=f"office:{office.code}",
        details={"procedure": procedure.code, "sheets": sheets, "for_dossier": hashed is not None},
    )  # fmt: skip
    session.commit()
    printed = tuple(
        Sheet(codes.grouped(code), link_url(base_url, sign_token(secret, invitation.token_id)))
        for code, invitation in made
    )
    return PrintedSheets(office.name, procedure.code, procedure.name, hashed is not None, printed)
