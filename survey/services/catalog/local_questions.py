"""Local questions as a form needs them: which ones an office's citizens are asked on a given day.

A question of a province is asked at every office of that province; a question of an office at that office and
every office under it. It is asked once published, from `valid_from` to `valid_to` (Việt Nam dates, inclusive).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import Session

from survey.models import LocalQuestion, Office
from survey.services.catalog import cache

YES_NO = ("yes", "no")
TEXT_MAX = 500  # a short answer; longer thoughts belong in the comment box


@dataclass(frozen=True)
class LocalItem:
    """One local question, detached from the session: what the form, the API and the store need."""

    id: int
    scope_code: str
    code: str
    type: str  # scale, choice, yes_no or text
    required: bool
    text: dict[str, str]
    options: dict[str, dict[str, str]] | None
    valid_from: date | None
    valid_to: date | None

    @property
    def field(self) -> str:
        """Its name on the citizen form (codes never clash with the national questions' names)."""
        return f"local_{self.code}"

    def in_force(self, day: date, *, grace: timedelta = timedelta(0)) -> bool:
        started = self.valid_from is None or self.valid_from - grace <= day
        return started and (self.valid_to is None or day <= self.valid_to + grace)

    def answer_codes(self, scale: Iterable[str]) -> tuple[str, ...]:
        """The answers it accepts, as codes (empty for a text question)."""
        if self.type == "scale":
            return tuple(sorted(scale))
        if self.type == "yes_no":
            return YES_NO
        return tuple(self.options or ()) if self.type == "choice" else ()


def item(question: LocalQuestion) -> LocalItem:
    return LocalItem(
        id=question.id,
        scope_code=question.scope_code,
        code=question.code,
        type=question.type,
        required=question.required,
        text=dict(question.text),
        options=dict(question.options) if question.options else None,
        valid_from=question.valid_from,
        valid_to=question.valid_to,
    )


def _scope_condition(session: Session, office_id: int) -> Any:
    office = session.get(Office, office_id)
    if office is None:
        return None
    above = [int(part) for part in office.path.strip("/").split("/") if part]
    codes = set(session.scalars(select(Office.code).where(Office.id.in_(above)))) | {office.code}
    return or_(
        and_(LocalQuestion.scope_kind == "province", LocalQuestion.scope_code == office.province_code),
        and_(LocalQuestion.scope_kind == "office", LocalQuestion.scope_code.in_(sorted(codes))),
    )


def office_questions(
    session: Session, version_id: int | None, office_id: int, *, with_pending: bool = False
) -> list[LocalItem]:
    """The published local questions of a version asked at this office, whatever their dates, in form order
    (the province's first, then the office's, each in the order of the file); `with_pending` adds those not
    published yet (for a preview)."""
    if version_id is None:
        return []
    if with_pending:
        return list(_read(session, version_id, office_id, with_pending=True))
    # Every submission asks this: kept in the process's catalog cache (a change is seen as the cache says).
    kept = cache.remembered(
        session, ("local-questions", version_id, office_id), lambda: _read(session, version_id, office_id)
    )
    return list(kept or ())


def _read(session: Session, version_id: int, office_id: int, *, with_pending: bool = False) -> tuple[LocalItem, ...]:
    condition = _scope_condition(session, office_id)
    if condition is None:
        return ()
    questions = session.scalars(
        select(LocalQuestion)
        .where(
            LocalQuestion.questionnaire_version_id == version_id,
            true() if with_pending else LocalQuestion.published_at.is_not(None),
            condition,
        )
        .order_by(LocalQuestion.scope_kind.desc(), LocalQuestion.position, LocalQuestion.id)
    )
    return tuple(item(question) for question in questions)


def in_force(items: Sequence[LocalItem], day: date) -> tuple[LocalItem, ...]:
    return tuple(question for question in items if question.in_force(day))


def posted_set(
    items: Sequence[LocalItem], posted: str | None, day: date, *, grace: timedelta
) -> tuple[LocalItem, ...] | None:
    """The questions a submitted form showed, from its `local` field ("3,4"), if every one may still be answered
    (a day's grace either side of its dates); None when the field is missing or names anything else."""
    if posted is None:
        return None
    if posted == "":
        return ()
    by_id = {question.id: question for question in items}
    try:
        ids = [int(part) for part in posted.split(",")]
    except ValueError:
        return None
    if len(set(ids)) != len(ids) or not all(i in by_id and by_id[i].in_force(day, grace=grace) for i in ids):
        return None
    wanted = set(ids)
    return tuple(question for question in items if question.id in wanted)
