"""Months and the time zone, stated once: a month is `YYYY-MM` in Asia/Ho_Chi_Minh time (DESIGN.md §5).

Every reader and writer of months (rollups, filters, themes, exports, the API) imports these, so a response made at
23:30 on the last day of a month in Hà Nội is counted in that month everywhere.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
"""Vietnam's time zone: months, days and times shown to officials are in it."""

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
"""A month as written in filters, files and the API (also the OpenAPI `pattern`)."""

MONTH = re.compile(MONTH_PATTERN)


def is_month(value: object) -> bool:
    """True for a string written `YYYY-MM` with a real month number."""
    return isinstance(value, str) and MONTH.match(value) is not None


def local_month(moment: datetime) -> str:
    """The `YYYY-MM` month of an aware moment, in Vietnamese time."""
    return moment.astimezone(LOCAL_TIME).strftime("%Y-%m")


def current_month(now: datetime | None = None) -> str:
    """This month in Vietnamese time."""
    return local_month(now or datetime.now(UTC))


def local_date(moment: datetime) -> date:
    """The calendar day of an aware moment, in Vietnamese time."""
    return moment.astimezone(LOCAL_TIME).date()


def shift_month(month: str, delta: int) -> str:
    """The month `delta` months after (or before, when negative) `month`."""
    year, number = map(int, month.split("-"))
    index = year * 12 + number - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(month_from: str, month_to: str) -> list[str]:
    """Every month from `month_from` to `month_to`, both included (empty when `from` is after `to`)."""
    months, month = [], month_from
    while month <= month_to:
        months.append(month)
        month = shift_month(month, 1)
    return months


def month_start(month: str) -> datetime:
    """The first moment of a month in Vietnamese time (aware)."""
    year, number = map(int, month.split("-"))
    return datetime.combine(date(year, number, 1), time.min, tzinfo=LOCAL_TIME)


def month_end(month: str) -> datetime:
    """The first moment after a month in Vietnamese time (aware), so a month is [start, end)."""
    return month_start(shift_month(month, 1))


def quarter_of(month: str) -> str:
    """`YYYY-Qn` for a `YYYY-MM` month."""
    year, number = month.split("-")
    return f"{year}-Q{(int(number) - 1) // 3 + 1}"


def previous_period(month_from: str, month_to: str) -> tuple[str, str]:
    """The period of the same number of months just before `month_from`..`month_to` (2025-04..2025-06 →
    2025-01..2025-03), to say whether something got better or worse."""
    length = len(months_between(month_from, month_to))
    if not length:
        raise ValueError(f"{month_from} is after {month_to}")
    return shift_month(month_from, -length), shift_month(month_from, -1)
