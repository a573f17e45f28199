"""Storing a citizen's answers: validate, normalise, redact, deduplicate, store and count, in one transaction.

Nothing is counted twice. A repeated `submission_key` (a per-render form nonce, or a key derived from an API
Idempotency-Key) returns the first response; a one-time link is claimed with `UPDATE … WHERE used_at IS NULL`
and its dossier hash inserted into `rated_dossiers` (primary key), so under concurrency exactly one
submission wins on SQLite and PostgreSQL alike. The response, its rollup counts and (for the API) the
Idempotency-Key's answer commit together.

The write path is lean: everything is checked, redacted and counted before the transaction starts; the catalog
comes from the process's cache (survey.services.catalog.cache); the statements are built once per process. The
transaction is then a handful of inserts, with the contended rollup rows updated last, so locks are held for as
short a time as possible. A replay costs a failed insert and one read, on the rare path, not a read on every
submission.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analysis.periods import local_date, local_month
from survey.cleaning import clean_text
from survey.database import writing
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
from survey.services.catalog import cache
from survey.services.catalog.questionnaire import published_version_id
from survey.services.responses import spam
from survey.services.responses.idempotency import IdempotencyKey, earlier_answer, record_answer
from survey.services.responses.invitation_rollups import count_answer
from survey.services.responses.local_answers import (
    LocalSubmission,
    PreparedAnswer,
    add_local_answers,
    prepare_local,
    question_set_id,
)
from survey.services.responses.rollups import RollupKey, add_to_rollups, count_cells
from survey.services.transactions import rolls_back_on_error
from survey.services.webhooks import outbox

COMMENT_MAX = 2000
LANGUAGES = ("vi", "en")
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
    from analysis.redaction import (
        redact,  # its patterns take ~0.1 s to compile: loaded on first use, not at every start
    )

    if comment is None:
        return None
    text = clean_text(comment)
    if not text:
        return None
    if len(text) > COMMENT_MAX:
        raise InvalidAnswers({"comment": f"at most {COMMENT_MAX} characters"})
    return redact(text) or None


def warm_up() -> None:
    """Build what the first submission would otherwise wait for: the redaction patterns and word lists (about a
    second). gunicorn.conf.py calls this in each worker before it takes requests."""
    prepare_comment("Chị Nguyễn Thị Lan, 0912 345 678, nhà 12 đường Lê Lợi: cán bộ hướng dẫn tận tình.")
    prepare_comment("Chi Nguyen Thi Lan, 0912 345 678: can bo huong dan tan tinh.")


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


# Built once per process: a submission only binds its values (see the module's docstring).
_RESPONSES = cast(Table, Response.__table__)
_INVITATIONS = cast(Table, Invitation.__table__)
_INSERT_RESPONSE = insert(_RESPONSES).returning(_RESPONSES.c.id)
_CLAIM_LINK = (
    update(_INVITATIONS)
    .where(_INVITATIONS.c.id == bindparam("link_id"), _INVITATIONS.c.used_at.is_(None))
    .values(used_at=bindparam("used"), response_id=bindparam("response"))
)
_RATE_DOSSIER = insert(cast(Table, RatedDossier.__table__))
_RESPONSE_FOR_KEY = select(_RESPONSES.c.id).where(_RESPONSES.c.submission_key == bindparam("key"))


def _response_id_for_key(session: Session, submission_key: str | None) -> int | None:
    if not submission_key:
        return None
    return session.connection().execute(_RESPONSE_FOR_KEY, {"key": submission_key}).scalar()


def questionnaire_id(session: Session) -> int:
    """The active version's id, cached per process; the first submission ever installs version 1."""
    current = cache.active_questionnaire(session)
    return current.id if current is not None else published_version_id(session)


class _LinkTaken(Exception):
    """Another submission claimed the one-time link between our check and our update."""


@dataclass(frozen=True)
class _Link:
    """What the write needs of a one-time link, read before the transaction starts."""

    id: int
    dossier_hash: str | None
    invitation: Invitation  # its attributes are loaded: counting its answer reads no row inside the transaction


def _problems(answers: Answers, office_id: int, procedure_id: int, channel: str, invitation: Invitation | None,
              submission_key: str | None) -> dict[str, str]:  # fmt: skip
    problems = answer_problems(answers)
    if channel not in CHANNELS:
        problems["channel"] = f"must be one of {', '.join(CHANNELS)}"
    if invitation is not None and invitation.office_id != office_id:
        problems["office_id"] = "does not match the link's office"
    if invitation is not None and invitation.procedure_id not in (None, procedure_id):
        problems["procedure_id"] = "does not match the link's procedure"
    if submission_key is not None and not 1 <= len(submission_key) <= 64:
        problems["submission_key"] = "must be 1 to 64 characters"
    return problems


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
    idempotency_key: IdempotencyKey | None = None,
    now: datetime | None = None,
    screening: spam.Submission | None = None,
    questionnaire_version_id: int | None = None,
    local: LocalSubmission | None = None,
) -> StoredResponse:
    """Store one response and its rollup counts in one transaction; replays of `submission_key` store nothing.

    With `idempotency_key` (an API request's Idempotency-Key) the response's submission_key is derived from it and
    the key's answer is kept in the same transaction; a repeat returns the first response (`created` False), and
    the same key with another body raises `idempotency.IdempotencyConflict`.
    With `screening` (a submission through a public link) an unverified response is scored by the spam rules:
    held back (stored flagged, not counted) at a high score, refused with spam.TooManyToday past a daily limit.
    `questionnaire_version_id` is the version the citizen answered (default: the published one); `local` the
    local questions the form showed and their answers.
    """
    if idempotency_key is not None:
        submission_key = idempotency_key.submission_key
    local_answers, problems = prepare_local(local)
    problems.update(_problems(answers, office_id, procedure_id, channel, invitation, submission_key))
    if problems:
        raise InvalidAnswers(problems)
    created_at = now or datetime.now(UTC)
    row = _response_row(answers, prepare_comment(answers.comment), office_id, procedure_id, channel, verified,
                        submission_key, created_at)  # fmt: skip
    link = None
    if invitation is not None and not invitation.is_public:
        link = _Link(invitation.id, invitation.dossier_hash, invitation)
    row["questionnaire_version_id"] = version_id = questionnaire_version_id or questionnaire_id(session)
    row["local_question_set_id"] = question_set_id(session, local, version_id)  # a read, or on first use a commit
    verdict = _screen(session, None if verified else screening, row, created_at)  # one read, before the write
    cells = count_cells([row]) if not row["flagged"] else Counter()  # a held response is counted once released
    event = outbox.response_created(session, row) if not row["flagged"] else None  # cached: no read per response
    session.connection()  # a connection before the turn: the writer whose turn it is never waits for the pool
    try:
        with writing(session):  # SQLite: writers queue for their turn instead of sleeping in the busy handler
            _write(session, row, cells, link, idempotency_key, verdict, local_answers, event)
    except (IntegrityError, _LinkTaken):
        earlier = _earlier(session, submission_key, idempotency_key, one_time=link is not None)
        if earlier is None:
            raise
        return earlier
    return StoredResponse(int(row["id"]), True)


def _screen(
    session: Session, screening: spam.Submission | None, row: dict[str, Any], now: datetime
) -> spam.Verdict | None:
    """The spam rules' verdict on a public link's submission, written onto the row (None when not screened)."""
    if screening is None:
        return None
    scored = Response(**{name: value for name, value in row.items() if name != "id"})  # never added to the session
    verdict = spam.screen(session, screening, scored, now)
    row.update(flagged=scored.flagged, spam_score=scored.spam_score, spam_reason=scored.spam_reason)
    return verdict


def _write(session: Session, row: dict[str, Any], cells: Counter[RollupKey], link: _Link | None,
           idempotency_key: IdempotencyKey | None, verdict: spam.Verdict | None,
           local_answers: list[PreparedAnswer], event: dict[str, Any] | None = None) -> None:  # fmt: skip
    """The transaction itself: a handful of prepared statements, then commit (rolled back on a refusal)."""
    try:
        connection = session.connection()  # Core statements on the session's connection: no ORM work per insert
        row["id"] = response_id = int(connection.execute(_INSERT_RESPONSE, row).scalar_one())
        created_at = row["created_at"]
        spam.remember(session, verdict, response_id, created_at)
        if local_answers:
            local_cells = add_local_answers(session, response_id, _head(row), local_answers)
            if not row["flagged"]:  # a held response's local answers are counted with it when released
                cells = cells + local_cells
        if link is not None:
            _claim(session, link, response_id, created_at)
            count_answer(session, link.invitation, row["rating"])
        if idempotency_key is not None:
            record_answer(session, idempotency_key, 201, {"id": response_id}, created_at)
        outbox.write_response_created(session, event, response_id)  # for webhooks: one insert, only if wanted
        add_to_rollups(session, cells)  # last: the rows every submission updates are locked the shortest time
        session.commit()
    except (IntegrityError, _LinkTaken):
        session.rollback()
        raise


def _head(row: dict[str, Any]) -> tuple[str, int, int, str, bool]:
    return row["month"], row["office_id"], row["procedure_id"], row["channel"], bool(row["verified"])


def _response_row(answers: Answers, comment: str | None, office_id: int, procedure_id: int, channel: str,
                  verified: bool, submission_key: str | None, created_at: datetime) -> dict[str, Any]:  # fmt: skip
    """The response as the columns the insert binds (every column, so one compiled statement serves all)."""
    return {
        "created_at": created_at,
        "month": local_month(created_at),
        "procedure_id": procedure_id,
        "office_id": office_id,
        "channel": channel,
        "service_mode": answers.service_mode,
        "verified": verified,
        "rating": answers.rating,
        **{f"element_{name}": answers.elements.get(name) for name in ELEMENTS},
        "on_time": answers.on_time,
        "returns": answers.returns,
        "agencies": answers.agencies,
        "extra_payment": answers.extra_payment,
        "comment": comment,
        "language": answers.language,
        "age_band": answers.age_band,
        "sex": answers.sex,
        "submission_key": submission_key,
        "local_question_set_id": None,
        "is_demo": False,
        "flagged": False,
        "spam_score": None,
        "spam_reason": None,
    }


def _claim(session: Session, link: _Link, response_id: int, when: datetime) -> None:
    """Mark the one-time link used and its dossier rated; another submission's claim wins if it came first."""
    connection = session.connection()
    claimed = connection.execute(_CLAIM_LINK, {"link_id": link.id, "used": when, "response": response_id})
    if claimed.rowcount != 1:
        raise _LinkTaken()
    connection.execute(_RATE_DOSSIER, {"dossier_hash": link.dossier_hash, "rated_on": local_date(when)})


def _earlier(
    session: Session, submission_key: str | None, idempotency_key: IdempotencyKey | None, *, one_time: bool
) -> StoredResponse | None:
    """After a refused insert: the response this submission already stored (a replay), AlreadyRated when another
    submission used the one-time link, or None when the refusal was something else (re-raised by the caller)."""
    if idempotency_key is not None:
        replay = earlier_answer(session, idempotency_key)  # raises IdempotencyConflict for another body
        if replay is not None and "id" in replay.body:
            return StoredResponse(int(replay.body["id"]), False)
    existing = _response_id_for_key(session, submission_key)
    if existing is not None:
        return StoredResponse(existing, False)
    if one_time:
        raise AlreadyRated()
    return None
