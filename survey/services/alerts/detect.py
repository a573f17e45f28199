"""Find the procedure × office pairs that changed for the worse since the last run, and store them once.

Each run judges the last `months` months (this month included) of every office's own answers per procedure:
- `not_met`: the share is clearly below its target (the whole 95 % interval is under it: the dashboard's status);
- `fell`: the share is significantly lower than in the `months` months before (two-sided two-proportion test at
  5 %, `analysis.satisfaction.two_proportion_test`), both periods having at least the minimum number of answers.
An alert stays open while its change lasts, and a pair with an open alert of a kind gets no second one: the same
change is raised once. A `not_met` alert closes when the pair is met or can't-tell again; a `fell` alert when, with
enough answers in both periods, the fall is no longer significant. Too few answers close nothing: no news is not
good news. Counts come from the one reporting core (`query.read_counts`) and targets from the same lookup the
dashboard uses, so an alert's share and status equal the dashboard's for that office, procedure and months.
The first run ever raises every pair that is already below its target.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from analysis.periods import current_month, is_month, shift_month
from analysis.satisfaction import count_satisfied, summarise_counts, two_proportion_test, wilson_interval
from survey.models_alerts import Alert, AlertRun
from survey.services.catalog import cache
from survey.services.reporting.query import ReportFilter, read_counts
from survey.services.reporting.summary import Settings, targets
from survey.services.transactions import rolls_back_on_error
from survey.services.webhooks import outbox

DEFAULT_MONTHS = 3
Pair = tuple[int, int]  # office id, procedure id


@dataclass(frozen=True)
class Window:
    """The months judged and, just before them, as many months to compare with."""

    month_from: str
    month_to: str
    baseline_from: str
    baseline_to: str

    @classmethod
    def ending(cls, month: str | None = None, months: int = DEFAULT_MONTHS) -> Window:
        month = month or current_month()
        if not is_month(month):
            raise ValueError(f"a month is written YYYY-MM, got {month!r}")
        if not 1 <= months <= 12:
            raise ValueError(f"months must be between 1 and 12, got {months}")
        start = shift_month(month, -(months - 1))
        return cls(start, month, shift_month(start, -months), shift_month(start, -1))


@dataclass(frozen=True)
class Finding:
    """A pair's figures at this run when it is below target or has fallen."""

    office_id: int
    procedure_id: int
    kind: str
    n: int
    satisfied: int
    target: float
    ci_low: float
    ci_high: float
    baseline_n: int
    baseline_satisfied: int
    p_value: float | None


@dataclass(frozen=True)
class RunResult:
    run_id: int | None  # None for a dry run, which stores nothing
    window: Window
    raised: list[Finding]
    closed: int


def _pair_counts(session: Session, month_from: str, month_to: str) -> dict[Pair, tuple[int, int]]:
    where = ReportFilter(month_from=month_from, month_to=month_to)
    counts = read_counts(session, None, where, metrics=("rating",), by=("office_id", "procedure_id"))
    return {(int(o), int(p)): count_satisfied(metrics.get("rating", {})) for (o, p), metrics in counts.items()}


def judge(
    recent: tuple[int, int], baseline: tuple[int, int], target: float, min_n: int
) -> tuple[dict[str, float | None], set[str]]:
    """One pair's problems now (kind → p-value of the fall, None for `not_met`) and the kinds that are over."""
    (n, satisfied), (base_n, base_satisfied) = recent, baseline
    found: dict[str, float | None] = {}
    over: set[str] = set()
    status = summarise_counts(n, satisfied, target=target, min_n=min_n)["status"]
    if status == "not_met":
        found["not_met"] = None
    elif status in ("met", "cant_tell"):
        over.add("not_met")
    if n >= min_n and base_n >= min_n:
        test = two_proportion_test(satisfied, n, base_satisfied, base_n)
        if test["significant"] and (test["difference"] or 0.0) < 0:
            found["fell"] = test["p_value"]
        else:
            over.add("fell")
    return found, over


def assess(session: Session, window: Window, settings: Settings) -> tuple[list[Finding], set[tuple[int, int, str]]]:
    """(problems found now, (office, procedure, kind) of the pairs whose problem is over)."""
    lookup = targets(session, settings)
    recent = _pair_counts(session, window.month_from, window.month_to)
    baseline = _pair_counts(session, window.baseline_from, window.baseline_to)
    findings: list[Finding] = []
    over: set[tuple[int, int, str]] = set()
    for pair in sorted(set(recent) | set(baseline)):
        office_id, procedure_id = pair
        counts, base = recent.get(pair, (0, 0)), baseline.get(pair, (0, 0))
        target = lookup.target(procedure_id=procedure_id, office_id=office_id)
        found, ended = judge(counts, base, target, settings.min_n)
        over.update((office_id, procedure_id, kind) for kind in ended)
        if found:
            ci_low, ci_high = wilson_interval(counts[1], counts[0])
            findings.extend(
                Finding(office_id, procedure_id, kind, *counts, target, ci_low, ci_high, *base, p_value)
                for kind, p_value in found.items()
            )
    return findings, over


@rolls_back_on_error
def run_alerts(
    session: Session,
    *,
    settings: Settings,
    window: Window,
    now: datetime | None = None,
    dry_run: bool = False,
) -> RunResult:
    """Judge every pair, store the run, raise the new changes and close the ones that are over (one commit).
    A dry run computes the same and stores nothing."""
    now = now or datetime.now(UTC)
    findings, over = assess(session, window, settings)
    still_open = session.scalars(select(Alert).where(Alert.closed_at.is_(None)))
    by_change = {(alert.office_id, alert.procedure_id, alert.kind): alert for alert in still_open}
    new = [f for f in findings if (f.office_id, f.procedure_id, f.kind) not in by_change]
    ending = [alert for key, alert in by_change.items() if key in over]
    if dry_run:
        return RunResult(None, window, new, len(ending))
    run = AlertRun(
        ran_at=now, month_from=window.month_from, month_to=window.month_to, baseline_from=window.baseline_from,
        baseline_to=window.baseline_to, raised=len(new), closed=len(ending), mails_sent=0,
    )  # fmt: skip
    session.add(run)
    session.flush()
    for alert in ending:
        alert.closed_at = now
    session.flush()  # closed before new ones open: the open-alert index allows one per pair and kind
    raised = [_alert(run.id, finding, window, now) for finding in new]
    session.add_all(raised)
    session.flush()
    for alert in raised:  # for webhooks: in the same transaction as the alerts, only when an endpoint wants them
        outbox.record_event(session, "alert.raised", alert_event(session, alert), now)
    session.commit()
    return RunResult(run.id, window, new, len(ending))


def _alert(run_id: int, finding: Finding, window: Window, now: datetime) -> Alert:
    return Alert(
        run_id=run_id,
        office_id=finding.office_id,
        procedure_id=finding.procedure_id,
        kind=finding.kind,
        month_from=window.month_from,
        month_to=window.month_to,
        n=finding.n,
        satisfied=finding.satisfied,
        target=finding.target,
        ci_low=finding.ci_low,
        ci_high=finding.ci_high,
        baseline_n=finding.baseline_n if finding.kind == "fell" else None,
        baseline_satisfied=finding.baseline_satisfied if finding.kind == "fell" else None,
        p_value=finding.p_value,
        raised_at=now,
    )


def alert_event(session: Session, alert: Alert) -> dict[str, object]:
    """What partner systems are told of a raised alert: codes, counts and the test, nothing personal."""
    office, procedure = cache.office_by_id(session, alert.office_id), cache.procedure_by_id(session, alert.procedure_id)
    return {
        "alert_id": alert.id,
        "kind": alert.kind,
        "office_code": office.code if office else None,
        "procedure_code": procedure.code if procedure else None,
        "month_from": alert.month_from,
        "month_to": alert.month_to,
        "n": alert.n,
        "satisfied": alert.satisfied,
        "share": alert.satisfied / alert.n if alert.n else None,
        "ci_low": alert.ci_low,
        "ci_high": alert.ci_high,
        "target": alert.target,
        "baseline_n": alert.baseline_n,
        "baseline_satisfied": alert.baseline_satisfied,
        "p_value": alert.p_value,
    }


def alerts_of_run(session: Session, run_id: int) -> list[Alert]:
    return list(session.scalars(select(Alert).where(Alert.run_id == run_id).order_by(Alert.id)))


def open_alerts(session: Session, office_ids: Iterable[int] | None, *, limit: int = 5) -> tuple[list[Alert], int]:
    """The most recent open alerts at these offices (None = every office), and how many are open in all."""
    conditions = [Alert.closed_at.is_(None)]
    if office_ids is not None:
        conditions.append(Alert.office_id.in_(sorted(office_ids)))
    condition = and_(*conditions)
    latest = select(Alert).where(condition).order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(limit)
    total = session.scalar(select(func.count()).select_from(Alert).where(condition)) or 0
    return list(session.scalars(latest)), int(total)
