"""A response sent by a partner system, kiosk or paper-entry client through the API, as one service call.

The Idempotency-Key rules live here, not in the view: store the response and the key's answer in one transaction,
replay the first answer to a repeat, refuse the same key with another body (see `idempotency`). A request that
fails stores nothing under its key, so the client may send a corrected request with it. Offices and procedures
come from the process's catalog cache: a submission reads the database only to store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from survey.services.catalog import cache
from survey.services.catalog.cache import CatalogItem
from survey.services.catalog.offered import not_offered_message, offers
from survey.services.responses import idempotency
from survey.services.responses.idempotency import IdempotencyKey
from survey.services.responses.invitations import resolve_link
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
    invitation = None
    if submission.invitation_token is not None:
        state = resolve_link(session, submission.invitation_token, secret=secret)
        if state.status == "used":
            return Outcome(409, problems=[("invitation_token", "this one-time link has already been used")])
        if state.status != "valid" or state.invitation is None:
            return Outcome(422, problems=[("invitation_token", f"this survey link is {state.status}")])
        invitation = state.invitation
        if invitation.office_id != office.id or invitation.procedure_id not in (None, procedure.id):
            return Outcome(422, problems=[("invitation_token", "the link was issued for another office or procedure")])
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
        )
    except AlreadyRated:
        return Outcome(409, problems=[("invitation_token", "this one-time link has already been used")])
    except InvalidAnswers as exc:  # the schema checked every answer already; a gap must never become a 500
        return Outcome(422, problems=list(exc.problems.items()))
    return Outcome(201, response_id=stored.id)
