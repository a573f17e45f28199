"""Figures for local questions, for the offices where they are asked: read from the rollups through the one
reporting core (`read_counts`), so the caller's scope and filters apply exactly as to every other figure.

A question is listed when its scope (a province, or an office and the offices under it) overlaps the offices
counted; the same code in the same scope across questionnaire versions is one question. Scale questions get
the share answering 4 or 5 with its 95 % Wilson interval (`analysis.satisfaction`); choice and yes/no
questions the count and share of each answer; text questions how many answered.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.satisfaction import count_satisfied, wilson_interval
from survey.models import LocalQuestion, Office
from survey.services.accounts.scoping import subtree_ids
from survey.services.catalog.local_questions import YES_NO
from survey.services.reporting.query import ReportFilter, Scope, allowed_offices, read_counts
from survey.services.responses.local_answers import metric


@dataclass(frozen=True)
class AnswerCount:
    code: str
    label: dict[str, str]  # vi and en; empty for yes/no (the page labels those)
    count: int
    share: float | None


@dataclass(frozen=True)
class LocalFigure:
    scope_code: str
    code: str
    type: str
    text: dict[str, str]
    n: int  # how many answered it
    satisfied: int | None = None  # scale: answers 4 or 5
    ci_low: float | None = None
    ci_high: float | None = None
    answers: list[AnswerCount] = field(default_factory=list)  # choice and yes/no

    @property
    def share(self) -> float | None:
        return self.satisfied / self.n if self.satisfied is not None and self.n else None


def _covered(session: Session, question: LocalQuestion) -> set[int]:
    if question.scope_kind == "province":
        return set(session.scalars(select(Office.id).where(Office.province_code == question.scope_code)))
    office_id = session.scalar(select(Office.id).where(Office.code == question.scope_code))
    return subtree_ids(session, office_id) if office_id is not None else set()


def questions_in_view(
    session: Session, scope: Scope, where: ReportFilter
) -> dict[tuple[str, str], list[LocalQuestion]]:
    """(scope code, code) → its published questions (one per version, oldest first) asked at offices counted."""
    counted = allowed_offices(session, scope, where)
    groups: dict[tuple[str, str], list[LocalQuestion]] = defaultdict(list)
    coverage: dict[tuple[str, str], set[int]] = {}
    published = select(LocalQuestion).where(LocalQuestion.published_at.is_not(None)).order_by(LocalQuestion.id)
    for question in session.scalars(published):
        key = (question.scope_kind, question.scope_code)
        if key not in coverage:
            coverage[key] = _covered(session, question)
        if counted is None or coverage[key] & counted:
            groups[(question.scope_code, question.code)].append(question)
    return dict(sorted(groups.items(), key=lambda item: (item[1][0].scope_kind == "office", item[0])))


def _figure(question: LocalQuestion, counts: dict[str, int]) -> LocalFigure:
    n = sum(counts.values())
    base: dict[str, Any] = {
        "scope_code": question.scope_code, "code": question.code, "type": question.type,
        "text": dict(question.text), "n": n,
    }  # fmt: skip
    if question.type == "scale":
        _, satisfied = count_satisfied(counts)
        low, high = wilson_interval(satisfied, n) if n else (None, None)
        return LocalFigure(**base, satisfied=satisfied, ci_low=low, ci_high=high)
    if question.type == "text":
        return LocalFigure(**base)
    labels = {code: dict(label) for code, label in (question.options or {}).items()}
    codes = list(labels) if question.type == "choice" else list(YES_NO)
    answers = [
        AnswerCount(code, labels.get(code, {}), counts.get(code, 0), counts.get(code, 0) / n if n else None)
        for code in codes
    ]
    return LocalFigure(**base, answers=answers)


def local_figures(session: Session, scope: Scope, where: ReportFilter) -> list[LocalFigure]:
    """The local questions asked at the offices counted, with their figures under the same filters."""
    groups = questions_in_view(session, scope, where)
    if not groups:
        return []
    metrics = {metric(question.id): key for key, questions in groups.items() for question in questions}
    counts = read_counts(session, scope, where, metrics=list(metrics)).get((), {})
    merged: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for name, answers in counts.items():
        bucket = merged[metrics[name]]
        for value, count in answers.items():
            bucket[value] = bucket.get(value, 0) + count
    return [_figure(questions[-1], merged.get(key, {})) for key, questions in groups.items()]
