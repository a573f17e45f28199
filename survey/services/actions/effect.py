"""The measured effect of a done action: the same procedure at the same office, before and after its date.

Windows are whole months, because every figure is read from the monthly rollups through the one read path
(`query.read_counts`): the `EFFECT_MONTHS` months before the month the action was done, and as many after it.
The month of the action itself is left out of both (it mixes before and after). Each window gets its share,
95 % Wilson interval and target status (`analysis.satisfaction.summarise_counts`, the dashboard's rule), and the
two are compared with the two-sided two-proportion test (`two_proportion_test`, after − before).
Counts are the office's own answers (not the offices under it), inside the caller's scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from analysis.periods import shift_month
from analysis.satisfaction import ProportionTest, Summary, count_satisfied, summarise_counts, two_proportion_test
from survey.models_actions import Action
from survey.services.reporting.query import ReportFilter, Scope, read_counts
from survey.services.reporting.summary import Settings, targets

EFFECT_MONTHS = 3


@dataclass(frozen=True)
class Windows:
    before_from: str
    before_to: str
    after_from: str
    after_to: str


def effect_windows(done_on: date, months: int = EFFECT_MONTHS) -> Windows:
    """The months before and after the month of `done_on` (that month itself in neither)."""
    month = f"{done_on.year:04d}-{done_on.month:02d}"
    before = (shift_month(month, -months), shift_month(month, -1))
    return Windows(*before, shift_month(month, 1), shift_month(month, months))


@dataclass(frozen=True)
class Effect:
    windows: Windows
    target: float
    before: Summary
    after: Summary
    test: ProportionTest  # difference = after − before
    complete: bool  # the months after have all ended (otherwise the figures after are provisional)


def _counts(session: Session, scope: Scope, action: Action, month_from: str, month_to: str) -> tuple[int, int]:
    where = ReportFilter(month_from=month_from, month_to=month_to, office_id=action.office_id,
                         procedure_id=action.procedure_id, subtree=False)  # fmt: skip
    counts = read_counts(session, scope, where, metrics={"rating"})
    return count_satisfied(counts.get((), {}).get("rating", {}))


def action_effect(session: Session, scope: Scope, action: Action, *, settings: Settings, today: date) -> Effect | None:
    """The before/after figures of a done action (None while it is not done)."""
    if action.status != "done" or action.done_on is None:
        return None
    windows = effect_windows(action.done_on)
    target = targets(session, settings).target(procedure_id=action.procedure_id, office_id=action.office_id)
    before_n, before_satisfied = _counts(session, scope, action, windows.before_from, windows.before_to)
    after_n, after_satisfied = _counts(session, scope, action, windows.after_from, windows.after_to)
    return Effect(
        windows=windows,
        target=target,
        before=summarise_counts(before_n, before_satisfied, target=target, min_n=settings.min_n),
        after=summarise_counts(after_n, after_satisfied, target=target, min_n=settings.min_n),
        test=two_proportion_test(after_satisfied, after_n, before_satisfied, before_n),
        complete=f"{today.year:04d}-{today.month:02d}" > windows.after_to,
    )
