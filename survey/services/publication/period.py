"""The period the public results cover: the last 12 months in Vietnamese time, this month included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from analysis.periods import current_month, months_between, shift_month
from survey.services.reporting.query import ReportFilter

PUBLIC_MONTHS = 12


@dataclass(frozen=True)
class Period:
    month_from: str
    month_to: str

    @property
    def months(self) -> list[str]:
        return months_between(self.month_from, self.month_to)

    def report_filter(self, *, office_id: int | None = None) -> ReportFilter:
        """The dashboard's filter for these months (and an office with the offices under it)."""
        return ReportFilter(month_from=self.month_from, month_to=self.month_to, office_id=office_id)


def public_period(now: datetime | None = None, months: int = PUBLIC_MONTHS) -> Period:
    """The last `months` months in Vietnamese time, this month included."""
    month_to = current_month(now)
    return Period(shift_month(month_to, -(months - 1)), month_to)
