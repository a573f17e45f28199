"""Scoped reads of the rollup tables: the one place a filter and the caller's scope become SQL.

Every figure (pages, downloads, `report`, the API) is read through `read_counts`, which always intersects the
requested offices with the caller's scope (`survey.services.accounts.scoping.user_office_scope`). A filter can narrow
what an official sees, never widen it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.periods import is_month
from survey.models import CHANNELS, InvitationRollup, Office, Procedure, Province, RatingRollup, Rollup
from survey.services.accounts.scoping import subtree_ids

Scope = set[int] | None
"""Office ids the caller may see; None means every office (researchers and admins)."""

GROUP_COLUMNS = {
    "month": Rollup.month,
    "office_id": Rollup.office_id,
    "procedure_id": Rollup.procedure_id,
    "channel": Rollup.channel,
    "verified": Rollup.verified,
}


class FilterError(ValueError):
    """A filter value that cannot be used (the message says which and why)."""


@dataclass(frozen=True)
class ReportFilter:
    """What to count, for every reader. `office_id` means that office and the offices under it, or that office
    alone when `subtree` is False."""

    month_from: str | None = None
    month_to: str | None = None
    province_code: str | None = None
    office_id: int | None = None
    procedure_id: int | None = None
    channel: str | None = None
    verified_only: bool = False
    subtree: bool = True

    def __post_init__(self) -> None:
        for name in ("month_from", "month_to"):
            value = getattr(self, name)
            if value is not None and not is_month(value):
                raise FilterError(f"{name} must be a month written YYYY-MM, got {value!r}")
        if self.month_from and self.month_to and self.month_from > self.month_to:
            raise FilterError("month_from is after month_to")
        if self.channel is not None and self.channel not in CHANNELS:
            raise FilterError(f"channel must be one of {', '.join(CHANNELS)}, got {self.channel!r}")

    def but(self, **changes: Any) -> ReportFilter:
        """A copy with some values replaced (e.g. a detail page fixing the procedure)."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        values.update(changes)
        return ReportFilter(**values)


def allowed_offices(session: Session, scope: Scope, where: ReportFilter) -> set[int] | None:
    """The office ids to count: the scope, narrowed by the office and province filters (None = all offices)."""
    offices: set[int] | None = None if scope is None else set(scope)
    if where.office_id is not None:
        subtree = subtree_ids(session, where.office_id) if where.subtree else {where.office_id}
        offices = subtree if offices is None else offices & subtree
    if where.province_code is not None:
        in_province = set(session.scalars(select(Office.id).where(Office.province_code == where.province_code)))
        offices = in_province if offices is None else offices & in_province
    return offices


Counts = dict[tuple[Any, ...], dict[str, dict[str, int]]]
"""Group key (the values of the `by` columns) → metric → answer code → count."""


def read_counts(
    session: Session,
    scope: Scope,
    where: ReportFilter,
    *,
    metrics: Collection[str],
    by: Iterable[str] = (),
) -> Counts:
    """Sum rollup counts for `metrics`, grouped by `by` (month, office_id, procedure_id, channel, verified)."""
    by = tuple(by)
    unknown = set(by) - set(GROUP_COLUMNS)
    if unknown:
        raise ValueError(f"cannot group by {sorted(unknown)}; choose from {sorted(GROUP_COLUMNS)}")
    offices = allowed_offices(session, scope, where)
    result: Counts = defaultdict(lambda: defaultdict(dict))
    if offices is not None and not offices:
        return result
    if set(metrics) == {"rating"} and set(by) <= COMPACT_GROUPS and where.channel is None:
        return _read_rating_counts(session, offices, where, by)
    columns = [GROUP_COLUMNS[name] for name in by]
    statement = (
        select(*columns, Rollup.metric, Rollup.value, func.sum(Rollup.count))
        .where(Rollup.metric.in_(list(metrics)))
        .group_by(*columns, Rollup.metric, Rollup.value)
    )
    statement = where_scope_and_period(statement, Rollup, offices, where)
    if where.channel is not None:
        statement = statement.where(Rollup.channel == where.channel)
    if where.verified_only:
        statement = statement.where(Rollup.verified.is_(True))
    for row in session.execute(statement):
        *key, metric, value, count = row
        if count:
            result[tuple(key)][metric][value] = int(count)
    return result


COMPACT_GROUPS = {"month", "office_id", "procedure_id"}

INVITATION_GROUPS = {
    "month": InvitationRollup.month,
    "office_id": InvitationRollup.office_id,
    "procedure_id": InvitationRollup.procedure_id,
    "channel": InvitationRollup.channel,
}
InvitationCounts = dict[tuple[Any, ...], tuple[int, int, int]]
"""Group key → (invitations issued, answered, answered with a rating of 1–3)."""


def read_invitation_counts(
    session: Session, scope: Scope, where: ReportFilter, *, by: Iterable[str] = ()
) -> InvitationCounts:
    """One-time invitations issued, answered and answered 1–3, grouped by `by` (month issued, office_id,
    procedure_id, channel), for the same offices, months, procedure and channel as `read_counts`.

    Months are the months the invitations were issued: a dossier's answer counts with its invitation.
    `verified_only` changes nothing here (an answer to a one-time invitation is always verified).
    """
    by = tuple(by)
    unknown = set(by) - set(INVITATION_GROUPS)
    if unknown:
        raise ValueError(f"cannot group invitations by {sorted(unknown)}; choose from {sorted(INVITATION_GROUPS)}")
    offices = allowed_offices(session, scope, where)
    if offices is not None and not offices:
        return {}
    columns = [INVITATION_GROUPS[name] for name in by]
    sums = [func.sum(InvitationRollup.issued), func.sum(InvitationRollup.answered)]
    statement = select(*columns, *sums, func.sum(InvitationRollup.not_satisfied))
    if columns:
        statement = statement.group_by(*columns)
    statement = where_scope_and_period(statement, InvitationRollup, offices, where)
    if where.channel is not None:
        statement = statement.where(InvitationRollup.channel == where.channel)
    result: InvitationCounts = {}
    for row in session.execute(statement):
        issued, answered, not_satisfied = (int(value or 0) for value in row[len(columns) :])
        if issued or answered:
            result[tuple(row[: len(columns)])] = (issued, answered, not_satisfied)
    return result


def where_scope_and_period(statement: Any, table: Any, offices: set[int] | None, where: ReportFilter) -> Any:
    """The filters every table keyed by (office, procedure, month) shares: visible offices, months, procedure."""
    if offices is not None:
        statement = statement.where(table.office_id.in_(sorted(offices)))
    if where.month_from:
        statement = statement.where(table.month >= where.month_from)
    if where.month_to:
        statement = statement.where(table.month <= where.month_to)
    if where.procedure_id is not None:
        statement = statement.where(table.procedure_id == where.procedure_id)
    return statement


def _read_rating_counts(session: Session, offices: set[int] | None, where: ReportFilter, by: tuple[str, ...]) -> Counts:
    """The overall rating counts from the compact rating rollups (one row per month, office, procedure)."""
    columns = [getattr(RatingRollup, name) for name in by]
    prefix = "verified" if where.verified_only else "rating"
    sums = [func.sum(getattr(RatingRollup, f"{prefix}_{value}")) for value in "12345"]
    statement = select(*columns, *sums)
    if columns:
        statement = statement.group_by(*columns)
    statement = where_scope_and_period(statement, RatingRollup, offices, where)
    result: Counts = defaultdict(lambda: defaultdict(dict))
    for row in session.execute(statement):
        key, per_rating = tuple(row[: len(columns)]), row[len(columns) :]
        for value, count in zip("12345", per_rating, strict=True):
            if count:
                result[key]["rating"][value] = int(count)
    return result


# --- the catalog as the filters and tables need it (O(catalog), never O(responses)) ---------------------------


@dataclass(frozen=True)
class OfficeInfo:
    id: int
    code: str
    name: str
    level: str
    province_code: str
    parent_id: int | None


def visible_offices(session: Session, scope: Scope) -> list[OfficeInfo]:
    """The offices the caller may see, in code order."""
    columns = (Office.id, Office.code, Office.name, Office.level, Office.province_code, Office.parent_id)
    statement = select(*columns).order_by(Office.code)  # plain rows: a thousand offices, not a thousand objects
    if scope is not None:
        if not scope:
            return []
        statement = statement.where(Office.id.in_(sorted(scope)))
    return [OfficeInfo(*row) for row in session.execute(statement)]


def procedures_by_id(session: Session) -> dict[int, tuple[str, str]]:
    """Procedure id → (code, name)."""
    return {
        pid: (code, name) for pid, code, name in session.execute(select(Procedure.id, Procedure.code, Procedure.name))
    }


@dataclass(frozen=True)
class FilterOptions:
    """What the caller may filter by: provinces and offices in their scope, every procedure."""

    provinces: list[tuple[str, str]]
    offices: list[OfficeInfo]
    procedures: list[tuple[int, str, str]]  # id, code, name

    def office_by_code(self, code: str) -> OfficeInfo | None:
        return next((office for office in self.offices if office.code == code), None)

    def procedure_id(self, code: str) -> int | None:
        return next((pid for pid, pcode, _ in self.procedures if pcode == code), None)

    def has_offices_under(self, office_id: int) -> bool:
        return any(office.parent_id == office_id for office in self.offices)


def filter_options(session: Session, scope: Scope) -> FilterOptions:
    offices = visible_offices(session, scope)
    codes = {office.province_code for office in offices}
    provinces = session.execute(select(Province.code, Province.name).order_by(Province.code)).all()
    procedures = session.execute(select(Procedure.id, Procedure.code, Procedure.name).order_by(Procedure.code)).all()
    return FilterOptions(
        provinces=[(code, name) for code, name in provinces if code in codes],
        offices=offices,
        procedures=[(pid, code, name) for pid, code, name in procedures],
    )
