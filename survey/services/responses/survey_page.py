"""What a survey link leads to, gathered once per request: the office, the procedure, the questions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from analysis.periods import local_date
from survey.cleaning import whole_number
from survey.models import Invitation, QuestionnaireVersion
from survey.services.catalog import cache
from survey.services.catalog.local_questions import LocalItem, in_force, office_questions, posted_set
from survey.services.catalog.questionnaire import accepted_version, published_version, shipped_definition
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
    version_id: int | None = None  # None before version 1 is installed (by the first response)
    version: int = 1
    local: tuple[LocalItem, ...] = ()  # the local questions this form shows
    carried: tuple[tuple[str, str], ...] = ()  # offline: local answers sent, kept as hidden fields for the retry

    @property
    def local_ids(self) -> str:
        """The local questions shown, for the form's hidden `local` field: its answers are judged by this set."""
        return ",".join(str(question.id) for question in self.local)

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
    """The published questionnaire (what a new link or paper sheet asks), read without writing."""
    current = cache.active_questionnaire(session)
    return current.definition if current is not None else shipped_definition(1)


def _version(
    session: Session, invitation: Invitation, posted_version: str | None
) -> QuestionnaireVersion | _Version | None:
    """The version this page asks: the one a submitted form showed, else the link's own, else the published one,
    each only while its answers are accepted."""
    current = cache.active_questionnaire(session)
    published = None
    if current is not None:
        published = _Version(current.id, int(current.definition["version"]), current.definition)
    number = whole_number(posted_version, 4)
    if number is not None:
        if published is not None and published.version == number:
            return published
        chosen = accepted_version(session, number=number)
        if chosen is not None:
            return chosen
    if published is not None and invitation.questionnaire_version_id in (None, published.id):
        return published
    pinned = accepted_version(session, version_id=invitation.questionnaire_version_id)
    return pinned or published_version(session)


@dataclass(frozen=True)
class _Version:
    """The published version as the process's catalog cache keeps it (a plain page reads no version row)."""

    id: int
    version: int
    definition: dict[str, Any]


def _local(
    session: Session, version_id: int | None, office_id: int, posted_local: str | None, submitting: bool
) -> tuple[LocalItem, ...]:
    """The local questions of this form: today's, or on a submission the set the form showed if still valid."""
    items = office_questions(session, version_id, office_id)
    if not items:
        return ()
    today = local_date(datetime.now(UTC))
    shown = posted_set(items, posted_local, today, grace=SUBMIT_GRACE) if submitting else None
    return in_force(items, today) if shown is None else shown


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
    session: Session,
    token: str,
    *,
    secret: str,
    kiosk_requested: bool,
    submitting: bool = False,
    posted_version: str | None = None,
    posted_local: str | None = None,
) -> SurveyPage:
    """Resolve the link and gather what its page shows; raises SQLAlchemyError when the database is down.

    `posted_version` and `posted_local` are the hidden fields of a submitted form: the version and local questions
    it showed, honoured while they are still accepted."""
    state = resolve_link(session, token, secret=secret, grace=SUBMIT_GRACE if submitting else timedelta(0))
    invitation = state.invitation
    if invitation is None:
        return SurveyPage(token=token, status=state.status, definition=shipped_definition(1))
    kiosk = is_kiosk(invitation, kiosk_requested=kiosk_requested)
    office = cache.office_by_id(session, invitation.office_id)
    procedure = None if invitation.procedure_id is None else cache.procedure_by_id(session, invitation.procedure_id)
    version = _version(session, invitation, posted_version)
    version_id = version.id if version is not None else None
    return SurveyPage(
        token=token,
        status=state.status,
        definition=dict(version.definition) if version is not None else shipped_definition(1),
        invitation=invitation,
        office_name=office.name if office else "",
        procedure_name=procedure.name if procedure else None,
        choices=None if invitation.procedure_id is not None else _office_procedures(session, invitation.office_id),
        channel="kiosk" if kiosk else ONLINE_CHANNEL.get(invitation.channel, invitation.channel),
        kiosk=kiosk,
        version_id=version_id,
        version=version.version if version is not None else 1,
        local=_local(session, version_id, invitation.office_id, posted_local, submitting),
        plain_sheet=invitation.channel == "paper" and not sheet_for_dossier(session, invitation.id),
    )


def offline_page(
    token: str, *, kiosk_requested: bool, picked_code: str | None, posted: Mapping[str, str] | None = None
) -> SurveyPage:
    """The page when the database cannot be reached: enough to show the citizen's answers back to them. The
    local questions cannot be shown without the database, so their answers (and which version and questions the
    form showed) travel on as hidden fields, to be stored with the retry."""
    choices = (ProcedureChoice(0, picked_code, picked_code),) if picked_code else None
    posted = posted or {}
    version = posted.get("version", "")
    carried = tuple((name, value) for name, value in posted.items() if name == "local" or name.startswith("local_"))
    return SurveyPage(
        token=token,
        status="valid",
        definition=shipped_definition(1),
        choices=choices,
        kiosk=kiosk_requested,
        offline=True,
        version=1 if (number := whole_number(version, 4)) is None else number,
        carried=carried,
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


def preview_page(session: Session, version: QuestionnaireVersion, office_id: int, office_name: str) -> SurveyPage:
    """A version's form as the citizens of one office would see it today, its unpublished local questions too."""
    items = office_questions(session, version.id, office_id, with_pending=True)
    return SurveyPage(
        token="preview",
        status="valid",
        definition=dict(version.definition),
        office_name=office_name,
        version_id=version.id,
        version=version.version,
        local=in_force(items, local_date(datetime.now(UTC))),
    )
