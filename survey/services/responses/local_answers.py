"""Answers to local questions, stored with their response in one transaction: typed rows in `local_answers` (a
scale point, an option code, or text redacted like comments), the exact set of questions the form showed, and
rollup counts under the metric `local:<question id>`, so figures read them like any other answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, cast, delete, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.cleaning import clean_text
from survey.models import LocalAnswer, LocalQuestionSet, Response, Rollup
from survey.services.catalog.local_questions import TEXT_MAX, LocalItem

TEXT_VALUE = "text"  # the rollup value counting a text answer (the text itself is never in a rollup)


def metric(question_id: int) -> str:
    return f"local:{question_id}"


@dataclass(frozen=True)
class LocalSubmission:
    """The local questions a form (or an API request) showed, and the answers given: question id → value."""

    version_id: int | None
    questions: tuple[LocalItem, ...]
    values: Mapping[int, int | str]
    scale: tuple[str, ...]


@dataclass(frozen=True)
class PreparedAnswer:
    question_id: int
    number: int | None = None
    code: str | None = None
    text: str | None = None

    @property
    def rollup_value(self) -> str:
        return str(self.number) if self.number is not None else self.code or TEXT_VALUE


def _problem(question: LocalItem, value: Any, scale: tuple[str, ...]) -> str | None:
    if question.type == "text":
        if not isinstance(value, str):
            return "must be text"
        return f"at most {TEXT_MAX} characters" if len(clean_text(value)) > TEXT_MAX else None
    codes = question.answer_codes(scale)
    if question.type == "scale":
        ok = isinstance(value, int) and not isinstance(value, bool) and str(value) in codes
    else:
        ok = isinstance(value, str) and value in codes
    return None if ok else f"must be one of {', '.join(codes)}"


def prepare_local(submission: LocalSubmission | None) -> tuple[list[PreparedAnswer], dict[str, str]]:
    """The answers as stored (text cleaned and redacted) and, by `local_answers.<code>`, any problem."""
    if submission is None:
        return [], {}
    by_id = {question.id: question for question in submission.questions}
    problems: dict[str, str] = {}
    prepared: list[PreparedAnswer] = []
    for question_id, value in submission.values.items():
        question = by_id.get(question_id)
        if question is None:
            problems[f"local_answers.{question_id}"] = "not a question of this form"
            continue
        problem = _problem(question, value, submission.scale)
        if problem:
            problems[f"local_answers.{question.code}"] = problem
        elif question.type == "text":
            from analysis.redaction import redact  # loaded on first use, as for comments (store.prepare_comment)

            text = redact(clean_text(str(value))) or None
            if text:
                prepared.append(PreparedAnswer(question_id, text=text))
        elif question.type == "scale":
            prepared.append(PreparedAnswer(question_id, number=int(value)))
        else:
            prepared.append(PreparedAnswer(question_id, code=str(value)))
    answered = {answer.question_id for answer in prepared}
    for question in submission.questions:
        if question.required and question.id not in answered and f"local_answers.{question.code}" not in problems:
            problems[f"local_answers.{question.code}"] = "is required"
    return prepared, problems


def question_set_id(session: Session, submission: LocalSubmission | None, version_id: int) -> int | None:
    """The id of the exact set of local questions shown, created on its first use (commits that row alone: two
    first answers at once both end up with the same set)."""
    if submission is None or not submission.questions:
        return None
    ids = sorted(question.id for question in submission.questions)
    key = f"{version_id}:{','.join(map(str, ids))}"
    existing = session.scalar(select(LocalQuestionSet.id).where(LocalQuestionSet.key == key))
    if existing is not None:
        return int(existing)
    try:
        created = LocalQuestionSet(questionnaire_version_id=version_id, key=key, question_ids=ids)
        session.add(created)
        session.commit()
        return created.id
    except IntegrityError:
        session.rollback()
        return int(session.scalars(select(LocalQuestionSet.id).where(LocalQuestionSet.key == key)).one())


def _head(response: Response) -> tuple[str, int, int, str, bool]:
    return response.month, response.office_id, response.procedure_id, response.channel, bool(response.verified)


def add_local_answers(
    session: Session, response_id: int, head: tuple[str, int, int, str, bool], answers: list[PreparedAnswer]
) -> Counter[Any]:
    """Insert the answers of a response being stored (`head`: its month, office, procedure, channel, verified);
    returns the rollup cells they add (for `add_to_rollups`)."""
    if not answers:
        return Counter()
    rows = [
        {"response_id": response_id, "question_id": a.question_id, "number": a.number, "code": a.code, "text": a.text}
        for a in answers
    ]
    session.execute(insert(LocalAnswer), rows)
    return Counter((*head, metric(answer.question_id), answer.rollup_value) for answer in answers)


def local_cells(session: Session, response: Response) -> Counter[Any]:
    """The rollup cells a stored response's local answers count in (to take them out when it is erased)."""
    head = _head(response)
    answers = session.execute(
        select(LocalAnswer.question_id, LocalAnswer.number, LocalAnswer.code).where(
            LocalAnswer.response_id == response.id
        )
    )
    return Counter(
        (*head, metric(question_id), str(number) if number is not None else code or TEXT_VALUE)
        for question_id, number, code in answers
    )


def delete_local_answers(session: Session, response_id: int) -> None:
    session.execute(delete(LocalAnswer).where(LocalAnswer.response_id == response_id))


def rebuild_local_rollups(session: Session) -> None:
    """Recount the local answers' rollup cells from `local_answers` (part of `rebuild_rollups`)."""
    head = (Response.month, Response.office_id, Response.procedure_id, Response.channel, Response.verified)
    value = func.coalesce(cast(LocalAnswer.number, String), LocalAnswer.code, literal(TEXT_VALUE, String))
    name = literal("local:", String) + cast(cast(LocalAnswer.question_id, Integer), String)
    counted = (
        select(*head, name, value, func.count())
        .select_from(LocalAnswer)
        .join(Response, Response.id == LocalAnswer.response_id)
        .where(Response.flagged.is_(False))  # held responses are counted nowhere
        .group_by(*head, LocalAnswer.question_id, value)
    )
    target = ["month", "office_id", "procedure_id", "channel", "verified", "metric", "value", "count"]
    session.execute(insert(Rollup).from_select(target, counted))
