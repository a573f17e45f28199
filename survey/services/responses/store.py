"""Storing a citizen's answers: validate, normalise, redact, deduplicate, store and count, in one transaction.

Nothing is counted twice. A repeated `submission_key` (a per-render form nonce, or a key derived from an API
Idempotency-Key) returns the first response; a one-time link is claimed with `UPDATE … WHERE used_at IS NULL`
and its dossier hash inserted into `rated_dossiers` (primary key), so under concurrency exactly one
submission wins on SQLite and PostgreSQL alike. The response and its rollup counts commit together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from analysis.periods import local_date, local_month
from analysis.redaction import redact
from survey.cleaning import clean_text
from survey.models import (
    AGE_BANDS,
    CHANNELS,
    ELEMENTS,
    EXTRA_PAYMENT,
    ON_TIME,
    SERVICE_MODES,
    SEXES,
    Invitation,
    RatedDossier,
    Response,
)
from survey.services.catalog.questionnaire import active_questionnaire
from survey.services.responses import idempotency, spam
from survey.services.responses.invitation_rollups import count_answer
from survey.services.responses.rollups import add_to_rollups, count_cells, response_values
from survey.services.transactions import rolls_back_on_error

COMMENT_MAX = 2000
LANGUAGES = ("vi", "en")
_SQLITE_LOCK_RETRIES = 3
# Control characters other than tab and newline, and lone surrogates (not encodable, so never storable).


@dataclass(frozen=True)
class Answers:
    """One citizen's answers, as codes (DESIGN.md §5); everything but `rating` may be left unanswered."""

    rating: int
    elements: dict[str, int | None] = field(default_factory=dict)  # keys: access, procedure, staff, result, feedback
    on_time: str | None = None
    returns: int | None = None
    agencies: int | None = None
    extra_payment: str | None = None
    service_mode: str | None = None
    comment: str | None = None
    age_band: str | None = None
    sex: str | None = None
    language: str = "vi"


@dataclass(frozen=True)
class StoredResponse:
    id: int
    created: bool  # False: this submission was already stored (a replay or a double tap)


class AlreadyRated(Exception):
    """The one-time link, or its dossier, has already been used by another submission."""


class InvalidAnswers(ValueError):
    """Answers outside the codes of DESIGN.md §5 (callers validate first; this guards the database)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in problems.items()))
        self.problems = problems


def prepare_comment(comment: str | None) -> str | None:
    """The comment as stored: cleaned and redacted of personal data; None when nothing is left."""
    if comment is None:
        return None
    text = clean_text(comment)
    if not text:
        return None
    if len(text) > COMMENT_MAX:
        raise InvalidAnswers({"comment": f"at most {COMMENT_MAX} characters"})
    return redact(text) or None


def _is_int(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def answer_problems(answers: Answers) -> dict[str, str]:
    """Every answer outside its codes, by field name; empty when all is well."""
    problems: dict[str, str] = {}
    if not _is_int(answers.rating, 1, 5):
        problems["rating"] = "must be a whole number from 1 to 5"
    for name, value in answers.elements.items():
        if name not in ELEMENTS:
            problems[f"elements.{name}"] = f"unknown element; use {', '.join(ELEMENTS)}"
        elif value is not None and not _is_int(value, 1, 5):
            problems[f"elements.{name}"] = "must be a whole number from 1 to 5"
    choices = {
        "on_time": ON_TIME,
        "extra_payment": EXTRA_PAYMENT,
        "service_mode": SERVICE_MODES,
        "age_band": AGE_BANDS,
        "sex": SEXES,
    }
    for name, codes in choices.items():
        value = getattr(answers, name)
        if value is not None and value not in codes:
            problems[name] = f"must be one of {', '.join(codes)}"
    if answers.returns is not None and not _is_int(answers.returns, 0, 2):
        problems["returns"] = "must be 0, 1 or 2 (2 = more than once)"
    if answers.agencies is not None and not _is_int(answers.agencies, 1, 3):
        problems["agencies"] = "must be 1, 2 or 3 (3 = three or more)"
    if answers.language not in LANGUAGES:
        problems["language"] = f"must be one of {', '.join(LANGUAGES)}"
    return problems


def _response_id_for_key(session: Session, submission_key: str | None) -> int | None:
    if not submission_key:
        return None
    return session.scalar(select(Response.id).where(Response.submission_key == submission_key))


def _questionnaire_id(session: Session) -> int:
    """The active version's id; installing version 1 on first use may race another request, so retry once."""
    try:
        version_id = active_questionnaire(session).id
        session.commit()
    except IntegrityError:
        session.rollback()
        version_id = active_questionnaire(session).id
    return version_id


class _LinkTaken(Exception):
    """Another submission claimed the one-time link between our check and our update."""


@rolls_back_on_error
def store_response(
    session: Session,
    *,
    answers: Answers,
    office_id: int,
    procedure_id: int,
    channel: str,
    verified: bool,
    invitation: Invitation | None = None,
    submission_key: str | None = None,
    idempotency_record_id: int | None = None,
    now: datetime | None = None,
    screening: spam.Submission | None = None,
) -> StoredResponse:
    """Store one response and its rollup counts in one transaction; replays of `submission_key` store nothing.

    With `idempotency_record_id` (an API request's claimed Idempotency-Key) the key's answer is kept in the same
    transaction, so a fault can never leave a stored response behind a key that still says "pending".
    With `screening` (a submission through a public link) an unverified response is scored by the spam rules:
    held back (stored flagged, not counted) at a high score, refused with spam.TooManyToday past a daily limit.
    """
    problems = answer_problems(answers)
    if channel not in CHANNELS:
        problems["channel"] = f"must be one of {', '.join(CHANNELS)}"
    if invitation is not None and invitation.office_id != office_id:
        problems["office_id"] = "does not match the link's office"
    if invitation is not None and invitation.procedure_id not in (None, procedure_id):
        problems["procedure_id"] = "does not match the link's procedure"
    if submission_key is not None and not 1 <= len(submission_key) <= 64:
        problems["submission_key"] = "must be 1 to 64 characters"
    if problems:
        raise InvalidAnswers(problems)
    comment = prepare_comment(answers.comment)
    created_at = now or datetime.now(UTC)
    for attempt in range(_SQLITE_LOCK_RETRIES):
        try:
            return _store_once(session, answers, comment, office_id, procedure_id, channel, verified,
                               invitation, submission_key, idempotency_record_id, created_at,
                               None if verified else screening)  # fmt: skip
        except OperationalError as exc:  # SQLite: "database is locked" after busy_timeout under heavy writes
            session.rollback()
            if attempt + 1 == _SQLITE_LOCK_RETRIES or "locked" not in str(exc.orig):
                raise
    raise AssertionError("unreachable")


def _store_once(
    session: Session,
    answers: Answers,
    comment: str | None,
    office_id: int,
    procedure_id: int,
    channel: str,
    verified: bool,
    invitation: Invitation | None,
    submission_key: str | None,
    idempotency_record_id: int | None,
    created_at: datetime,
    screening: spam.Submission | None,
) -> StoredResponse:
    existing = _response_id_for_key(session, submission_key)
    if existing is not None:
        return StoredResponse(existing, False)
    one_time = invitation is not None and not invitation.is_public
    if invitation is not None and one_time:
        session.refresh(invitation)
        if invitation.used_at is not None or (
            invitation.dossier_hash is not None and session.get(RatedDossier, invitation.dossier_hash) is not None
        ):
            existing = _response_id_for_key(session, submission_key)  # its twin may have just been stored
            if existing is not None:
                return StoredResponse(existing, False)
            raise AlreadyRated()
    questionnaire_id = _questionnaire_id(session)
    response = Response(
        created_at=created_at,
        month=local_month(created_at),
        procedure_id=procedure_id,
        office_id=office_id,
        channel=channel,
        service_mode=answers.service_mode,
        verified=verified,
        questionnaire_version_id=questionnaire_id,
        rating=answers.rating,
        **{f"element_{name}": answers.elements.get(name) for name in ELEMENTS},
        on_time=answers.on_time,
        returns=answers.returns,
        agencies=answers.agencies,
        extra_payment=answers.extra_payment,
        comment=comment,
        language=answers.language,
        age_band=answers.age_band,
        sex=answers.sex,
        submission_key=submission_key,
    )
    verdict = spam.screen(session, screening, response, created_at)
    session.add(response)
    try:
        session.flush()
        if not response.flagged:  # a held response is counted only once an admin releases it
            add_to_rollups(session, count_cells([response_values(response)]))
        spam.remember(session, verdict, response.id, created_at)
        if invitation is not None and one_time:
            claimed = session.execute(
                update(Invitation)
                .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
                .values(used_at=created_at, response_id=response.id)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                raise _LinkTaken()
            session.add(RatedDossier(dossier_hash=invitation.dossier_hash, rated_on=local_date(created_at)))
            count_answer(session, invitation, answers.rating)
            session.flush()
        if idempotency_record_id is not None:
            idempotency.record_answer(session, idempotency_record_id, 201, {"id": response.id})
        session.commit()
    except (IntegrityError, _LinkTaken):
        session.rollback()
        existing = _response_id_for_key(session, submission_key)
        if existing is not None:
            return StoredResponse(existing, False)
        if one_time:
            raise AlreadyRated() from None
        raise
    return StoredResponse(response.id, True)
