"""Offices compared fairly: each office's share adjusted for its procedure mix and placed on a funnel plot.

Counts come from the rollups (office × procedure, through `query.read_counts`); the statistics are
`analysis.comparison` (indirect standardisation, exact binomial funnel limits, overdispersion). The reference is
named by the caller: the national rate of each procedure, or the office's own province's, over the same period and
filter. Reference rates are aggregates over every office (not only the caller's), so an official's offices are
compared with the country or the province, not with each other.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.satisfaction import count_satisfied
from survey.models import Office, Procedure
from survey.services.reporting.query import ReportFilter, Scope, read_counts
from survey.services.reporting.summary import Settings

if TYPE_CHECKING:  # analysis.comparison needs numpy and scipy: imported when an adjusted report is asked for
    from analysis.comparison import Comparison, OfficeComparison

ADJUSTMENTS = ("procedure-mix",)
REFERENCES = ("national", "province")
ADJUSTED_FIELDS = ("expected_share", "adjusted_share", "adj_ci_low", "adj_ci_high", "funnel")
"""What `report --adjust procedure-mix` and `adjust=procedure-mix` add to each office (DESIGN.md §5)."""


def _counts_by_office(session: Session, where: ReportFilter) -> dict[str, dict[str, tuple[int, int]]]:
    """Office code → procedure code → (n, satisfied) over every office the filter allows (no caller scope)."""
    offices = dict(session.execute(select(Office.id, Office.code)).all())
    procedures = dict(session.execute(select(Procedure.id, Procedure.code)).all())
    counts = read_counts(session, None, where, metrics=("rating",), by=("office_id", "procedure_id"))
    by_office: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for (office_id, procedure_id), metrics in counts.items():
        n, satisfied = count_satisfied(metrics.get("rating", {}))
        if n:
            by_office[offices[office_id]][procedures[procedure_id]] = (n, satisfied)
    return dict(by_office)


def compare_by_procedure_mix(
    session: Session, where: ReportFilter, settings: Settings, *, reference: str = "national"
) -> list[Comparison]:
    """One comparison (national) or one per province, each with its funnel, dispersion and offices."""
    from analysis.comparison import compare_offices, compare_within_groups, pooled_reference

    if reference not in REFERENCES:
        raise ValueError(f"reference must be one of {', '.join(REFERENCES)}, got {reference!r}")
    counts = _counts_by_office(session, where)
    if not counts:
        return []
    if reference == "national":
        return [compare_offices(counts, pooled_reference(counts, label="national"), target=settings.default_target)]
    province_of = dict(session.execute(select(Office.code, Office.province_code)).all())
    by_province = compare_within_groups(counts, province_of, target=settings.default_target)
    return [by_province[code] for code in sorted(by_province)]


def adjusted_fields(
    session: Session, scope: Scope, where: ReportFilter, settings: Settings, *, reference: str = "national"
) -> dict[str, dict[str, Any]]:
    """Office code → the five adjusted fields, for the offices the caller may see."""
    visible = None
    if scope is not None:
        visible = set(session.scalars(select(Office.code).where(Office.id.in_(sorted(scope)))))
    fields: dict[str, dict[str, Any]] = {}
    for comparison in compare_by_procedure_mix(session, where, settings, reference=reference):
        for office in comparison.offices:
            if visible is None or office.office in visible:
                fields[office.office] = _fields(office)
    return fields


def _fields(office: OfficeComparison) -> dict[str, Any]:
    return {name: getattr(office, name) for name in ADJUSTED_FIELDS}
