"""The public results as one table, for `GET /results.csv`: a row per office and procedure, and one per office for
all its procedures (empty procedure code), with the same suppression as the pages.

Text cells are neutralised against spreadsheet formulas: a name starting with =, +, -, @, a tab or a carriage
return gets a leading apostrophe, so a spreadsheet shows it as text instead of running it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Office
from survey.services.publication.period import Period
from survey.services.publication.rates import ResponseRate, response_rates
from survey.services.publication.results import (
    PublicFigure,
    office_target,
    procedure_target,
    public_figure,
    subtree_counts,
)
from survey.services.reporting.query import OfficeInfo, procedures_by_id
from survey.services.reporting.summary import Settings, targets
from survey.services.spreadsheet_safety import safe_cell

COLUMNS = (
    "office_code", "office_name", "parent_code", "procedure_code", "procedure_name", "month_from", "month_to",
    "n", "share", "ci_low", "ci_high", "target", "status", "invitations_issued", "invitations_answered",
    "response_rate",
)  # fmt: skip


def _row(
    office: OfficeInfo,
    parent_code: str,
    procedure: tuple[str, str],
    figure: PublicFigure,
    rate: ResponseRate | None,
    period: Period,
) -> dict[str, Any]:
    return {
        "office_code": office.code,
        "office_name": office.name,
        "parent_code": parent_code,
        "procedure_code": procedure[0],
        "procedure_name": procedure[1],
        "month_from": period.month_from,
        "month_to": period.month_to,
        "n": figure.n,
        "share": figure.share,
        "ci_low": figure.ci_low,
        "ci_high": figure.ci_high,
        "target": figure.target,
        "status": figure.status,
        "invitations_issued": rate.issued if rate else None,
        "invitations_answered": rate.answered if rate else None,
        "response_rate": rate.rate if rate else None,
    }


def results_rows(
    session: Session,
    offices: Sequence[OfficeInfo],
    period: Period,
    settings: Settings,
    *,
    all_procedures: str = "All procedures",
) -> list[dict[str, Any]]:
    """Rows for `offices` (each with the offices under it), in code order: the office's total first, then each
    procedure answered in the period."""
    lookup = targets(session, settings)
    counts = subtree_counts(session, offices, period, by=("procedure_id",))
    rates = response_rates(session, offices, period)
    names = procedures_by_id(session)
    codes: dict[int, str] = dict(session.execute(select(Office.id, Office.code)).all())
    rows = []
    for office in sorted(offices, key=lambda office: office.code):
        cells = counts.get(office.id, {})
        office_rates = rates.get(office.id, {})
        parent = codes[office.parent_id] if office.parent_id is not None else ""
        total = (sum(n for n, _ in cells.values()), sum(s for _, s in cells.values()))
        figure = public_figure(*total, target=office_target(lookup, office, period), settings=settings)
        rows.append(
            _row(office, parent, ("", all_procedures), figure, ResponseRate.total(office_rates.values()), period)
        )
        by_procedure = {int(key[0]): cell for key, cell in cells.items()}  # type: ignore[call-overload]
        for procedure_id, (n, satisfied) in sorted(by_procedure.items(), key=lambda item: names[item[0]][0]):
            target = procedure_target(lookup, office, procedure_id, period)
            figure = public_figure(n, satisfied, target=target, settings=settings)
            rows.append(_row(office, parent, names[procedure_id], figure, office_rates.get(procedure_id), period))
    return rows


def to_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    """UTF-8 with BOM (Excel shows Vietnamese correctly), header = column codes, empty cells for missing figures."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if row[key] is None else safe_cell(row[key]) for key in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")
