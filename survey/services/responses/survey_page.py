"""What a survey link leads to, gathered once per request: the office, the procedure, the questions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from survey.models import Invitation
from survey.services.catalog import cache
from survey.services.catalog.questionnaire import shipped_definition
from survey.services.paper.lookup import sheet_for_dossier
from survey.services.responses.invitations import resolve_link
from survey.services.transactions import rolls_back_on_error

# A paper sheet's QR code opens the online form: that answer arrives by QR code, not on paper.
ONLINE_CHANNEL = {"paper": "qr"}
# How the citizen did the procedure, when the link's channel already says so.
KNOWN_SERVICE_MODE = {"online": "online", "kiosk": "in_person"}


@dataclass(frozen=True)
class ProcedureChoice:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class SurveyPage:
    """A link's survey page: `status` is valid, used, expired or invalid; `offline` when the database was down."""

    token: str
    status: str
    definition: dict[str, Any]
    invitation: Invitation | None = None
    office_name: str = ""
    procedure_name: str | None = None
    choices: tuple[ProcedureChoice, ...] | None = None  # the office's list, when the link leaves the procedure open
    channel: str = "qr"
    kiosk: bool = False
    offline: bool = False
    plain_sheet: bool = False  # a paper sheet printed for no dossier: its answer is not verified

    @property
    def verified(self) -> bool:
        return self.invitation is not None and not self.invitation.is_public and not self.plain_sheet

    @property
    def service_mode(self) -> str | None:
        return KNOWN_SERVICE_MODE.get(self.channel)

    def procedure_id(self, picked_code: str | None) -> int | None:
        if self.invitation is not None and self.invitation.procedure_id is not None:
            return self.invitation.procedure_id
        return next((choice.id for choice in self.choices or () if choice.code == picked_code), None)


def active_definition(session: Session) -> dict[str, Any]:
    """The active questionnaire, read without writing (the service installs version 1 on first store)."""
    current = cache.active_questionnaire(session)
    return current.definition if current is not None else shipped_definition(1)


def _office_procedures(session: Session, office_id: int) -> tuple[ProcedureChoice, ...]:
    return tuple(ProcedureChoice(item.id, item.code, item.name) for item in cache.office_procedures(session, office_id))


def is_kiosk(invitation: Invitation, *, kiosk_requested: bool) -> bool:
    """A kiosk link, or a poster link opened with ?kiosk=1 on a counter tablet (it then counts as the kiosk)."""
    return invitation.channel == "kiosk" or (invitation.is_public and kiosk_requested)


def kiosk_link(session: Session, token: str, *, secret: str, kiosk_requested: bool) -> bool:
    """Whether `token` is a real link shown in kiosk mode: only then may its thanks page reset the kiosk."""
    invitation = resolve_link(session, token, secret=secret).invitation
    return invitation is not None and is_kiosk(invitation, kiosk_requested=kiosk_requested)


SUBMIT_GRACE = timedelta(hours=24)
"""A form opened before its link expired may still be sent this long after: the answers are not lost."""


@rolls_back_on_error
def load_page(
    session: Session, token: str, *, secret: str, kiosk_requested: bool, submitting: bool = False
) -> SurveyPage:
    """Resolve the link and gather what its page shows; raises SQLAlchemyError when the database is down."""
    state = resolve_link(session, token, secret=secret, grace=SUBMIT_GRACE if submitting else timedelta(0))
    invitation = state.invitation
    if invitation is None:
        return SurveyPage(token=token, status=state.status, definition=shipped_definition(1))
    kiosk = is_kiosk(invitation, kiosk_requested=kiosk_requested)
    office = cache.office_by_id(session, invitation.office_id)
    procedure = None if invitation.procedure_id is None else cache.procedure_by_id(session, invitation.procedure_id)
    return SurveyPage(
        token=token,
        status=state.status,
        definition=active_definition(session),
        invitation=invitation,
        office_name=office.name if office else "",
        procedure_name=procedure.name if procedure else None,
        choices=None if invitation.procedure_id is not None else _office_procedures(session, invitation.office_id),
        channel="kiosk" if kiosk else ONLINE_CHANNEL.get(invitation.channel, invitation.channel),
        kiosk=kiosk,
        plain_sheet=invitation.channel == "paper" and not sheet_for_dossier(session, invitation.id),
    )


def offline_page(token: str, *, kiosk_requested: bool, picked_code: str | None) -> SurveyPage:
    """The page when the database cannot be reached: enough to show the citizen's answers back to them."""
    choices = (ProcedureChoice(0, picked_code, picked_code),) if picked_code else None
    return SurveyPage(
        token=token,
        status="valid",
        definition=shipped_definition(1),
        choices=choices,
        kiosk=kiosk_requested,
        offline=True,
    )


def questions(definition: dict[str, Any], language: str) -> dict[str, dict[str, Any]]:
    """Question texts and answer labels in the page's language, by question code."""

    def pick(texts: dict[str, str]) -> str:
        return texts.get(language) or texts["vi"]

    scale = [(code, pick(label)) for code, label in sorted(definition["scale"].items())]
    result: dict[str, dict[str, Any]] = {}
    for question in definition["questions"]:
        options = scale if question["type"] == "scale" else [
            (code, pick(label)) for code, label in question.get("options", {}).items()
        ]  # fmt: skip
        result[question["code"]] = {"text": pick(question["text"]), "options": options}
    return result
