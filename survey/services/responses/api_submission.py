"""A response sent by a partner system, kiosk or paper-entry client through the API, as one service call.

The Idempotency-Key rules live here, not in the view: store the response and the key's answer in one transaction,
replay the first answer to a repeat, refuse the same key with another body (see `idempotency`). A request that
fails stores nothing under its key, so the client may send a corrected request with it. Offices and procedures
come from the process's catalog cache: a submission reads the database only to store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from analysis.periods import local_date
from survey.models import Invitation
from survey.services.catalog import cache
from survey.services.catalog.cache import CatalogItem
from survey.services.catalog.local_questions import in_force, office_questions
from survey.services.catalog.offered import not_offered_message, offers
from survey.services.catalog.questionnaire import accepted_version, published_version
from survey.services.responses import idempotency
from survey.services.responses.idempotency import IdempotencyKey
from survey.services.responses.invitations import resolve_link
from survey.services.responses.local_answers import LocalSubmission
from survey.services.responses.store import AlreadyRated, Answers, InvalidAnswers, store_response

Problem = tuple[str | None, str]
"""(field, message): what the API writes as `{"field", "message"}`."""


@dataclass(frozen=True)
class ApiSubmission:
    """A response body the API schema has already parsed (codes checked for shape, answers for range)."""

    procedure_code: str
    office_code: str
    channel: str
    answers: Answers
    invitation_token: str | None = None
    questionnaire_version: int | None = None  # the version a paper sheet was printed under
    local_answers: dict[str, int | str] = field(default_factory=dict)  # local question code → answer


@dataclass(frozen=True)
class Outcome:
    """The answer to send: 201 with the response id, or an error status with its problems."""

    status: int
    response_id: int | None = None
    problems: list[Problem] = field(default_factory=list)
    replayed_body: dict[str, Any] | None = None  # a repeat of a stored key: its first answer, sent as it was

    def body(self) -> dict[str, Any]:
        if self.replayed_body is not None:
            return self.replayed_body
        if self.response_id is not None:
            return {"id": self.response_id}
        return {"errors": [{"field": name, "message": message} for name, message in self.problems]}


def submit_api_response(
    session: Session,
    submission: ApiSubmission | None,
    parse_problems: list[Problem],
    *,
    secret: str,
    idempotency_key: IdempotencyKey | None = None,
) -> Outcome:
    """Store one API response exactly once. `submission` is None when the body did not parse (`parse_problems`
    say why). With a key, a request refused now is still a repeat when the key was used before: the first
    answer is replayed for the same body (even if that body would be refused today), 409 for another one."""
    try:
        outcome = _store(session, submission, parse_problems, secret=secret, idempotency_key=idempotency_key)
        if outcome.status != 201 and idempotency_key is not None:
            replay = idempotency.earlier_answer(session, idempotency_key)
            if replay is not None:
                outcome = Outcome(replay.status_code, replayed_body=replay.body)
    except idempotency.IdempotencyConflict:
        return Outcome(409, problems=[("Idempotency-Key", "this key was already used with a different request body")])
    return outcome


def _office_and_procedure(
    session: Session, submission: ApiSubmission, problems: list[Problem]
) -> tuple[CatalogItem | None, CatalogItem | None, list[Problem]]:
    """Both, when both are active and the office handles the procedure; otherwise every problem, by field.
    Read from the process's catalog cache: no database read on a submission."""
    office = cache.office_by_code(session, submission.office_code)
    procedure = cache.procedure_by_code(session, submission.procedure_code)
    problems = list(problems)
    if office is None or not office.active:
        problems.append(("office_code", "no active office has this code"))
    if procedure is None or not procedure.active:
        problems.append(("procedure_code", "no active procedure has this code"))
    if office is None or procedure is None or problems:
        return None, None, problems
    if not offers(session, office.id, procedure.id):
        return None, None, [("procedure_code", not_offered_message(office.code, procedure.code))]
    return office, procedure, []


def _store(
    session: Session,
    submission: ApiSubmission | None,
    problems: list[Problem],
    *,
    secret: str,
    idempotency_key: IdempotencyKey | None,
) -> Outcome:
    if submission is None:
        return Outcome(422, problems=problems)
    office, procedure, problems = _office_and_procedure(session, submission, problems)
    if office is None or procedure is None:
        return Outcome(422, problems=problems)
    invitation, refused = _invitation(session, submission, office.id, procedure.id, secret=secret)
    if refused is not None:
        return refused
    version_id, local, version_problems = _instrument(session, submission, office.id, invitation)
    if version_problems:
        return Outcome(422, problems=version_problems)
    try:
        stored = store_response(
            session,
            answers=submission.answers,
            office_id=office.id,
            procedure_id=procedure.id,
            channel=submission.channel,
            verified=invitation is not None and not invitation.is_public,
            invitation=invitation,
            idempotency_key=idempotency_key,
            questionnaire_version_id=version_id,
            local=local,
        )
    except AlreadyRated:
        return Outcome(409, problems=[("invitation_token", "this one-time link has already been used")])
    except InvalidAnswers as exc:  # the schema checked every answer already; a gap must never become a 500
        return Outcome(422, problems=list(exc.problems.items()))
    return Outcome(201, response_id=stored.id)


def _instrument(
    session: Session, submission: ApiSubmission, office_id: int, invitation: Invitation | None
) -> tuple[int | None, LocalSubmission | None, list[Problem]]:
    """The version answered (the sheet's, else the link's, else the published one) and the local answers by id.

    The local questions counted as shown are those in force today; an answer to one whose dates have ended is
    still taken (a paper sheet keyed in late), one that has not started yet or belongs elsewhere is refused."""
    chosen = _version(session, submission, invitation)
    if isinstance(chosen, str):
        return None, None, [("questionnaire_version", chosen)]
    if chosen is None:
        if submission.local_answers:
            return None, None, [("local_answers", "this office asks no local questions")]
        return None, None, []
    version_id, version_number, scale = chosen
    items = office_questions(session, version_id, office_id)
    today = local_date(datetime.now(UTC))
    by_code = {item.code: item for item in items if item.valid_from is None or item.valid_from <= today}
    unknown = [code for code in submission.local_answers if code not in by_code]
    if unknown:
        message = f"not a local question of this office in questionnaire version {version_number}"
        return None, None, [(f"local_answers.{code}", message) for code in unknown]
    answered = {by_code[code].id for code in submission.local_answers} | {item.id for item in in_force(items, today)}
    shown = tuple(item for item in items if item.id in answered)
    values = {by_code[code].id: value for code, value in submission.local_answers.items()}
    return version_id, (LocalSubmission(version_id, shown, values, scale) if shown else None), []


def _version(
    session: Session, submission: ApiSubmission, invitation: Invitation | None
) -> tuple[int, int, tuple[str, ...]] | str | None:
    """(id, number, scale) of the version answered: the sheet's, else the link's, else the published one (from the
    process's cache, so a plain submission reads nothing); a message when the sheet's version is not accepted."""
    if submission.questionnaire_version is not None:
        version = accepted_version(session, number=submission.questionnaire_version)
        if version is None:
            return "no questionnaire version with this number accepts answers (unknown, draft or retired)"
    else:
        pinned = invitation.questionnaire_version_id if invitation is not None else None
        current = cache.active_questionnaire(session)
        if current is not None and pinned in (None, current.id):
            definition = current.definition
            return current.id, int(definition["version"]), tuple(definition["scale"])
        version = accepted_version(session, version_id=pinned) or published_version(session)
    if version is None:
        return None
    return version.id, version.version, tuple(version.definition["scale"])


def _invitation(
    session: Session, submission: ApiSubmission, office_id: int, procedure_id: int, *, secret: str
) -> tuple[Invitation | None, Outcome | None]:
    """The request's one-time or poster link, if it names one, or the answer refusing it."""
    if submission.invitation_token is None:
        return None, None
    state = resolve_link(session, submission.invitation_token, secret=secret)
    if state.status == "used":
        return None, Outcome(409, problems=[("invitation_token", "this one-time link has already been used")])
    if state.status != "valid" or state.invitation is None:
        return None, Outcome(422, problems=[("invitation_token", f"this survey link is {state.status}")])
    invitation = state.invitation
    if invitation.office_id != office_id or invitation.procedure_id not in (None, procedure_id):
        return None, Outcome(
            422, problems=[("invitation_token", "the link was issued for another office or procedure")]
        )
    return invitation, None
