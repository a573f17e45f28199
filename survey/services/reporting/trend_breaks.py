"""Where the trend stops being comparable: the first month answered on a questionnaire version that is not
comparable with the one answered before it (another scale, or reworded core questions, as its file said).

Versions are grouped into series by their `comparable_with` lists (comparable with comparable is comparable).
Walking the versions in the order their answers start, a break falls where the series changes. While links of
the earlier version are still answered, some months hold answers to both: the break says until when. Each
version's first and last month are read through the index on (questionnaire version, month), so this costs
two index lookups per version, never a scan of the responses.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.satisfaction import MonthSummary
from survey.models import QuestionnaireVersion, Response


@dataclass(frozen=True)
class TrendBreak:
    month: str  # the first month answered on the new version: not comparable with the months before
    version: int  # that version
    previous: tuple[int, ...]  # the versions of the series before the break
    mixed_until: str | None = None  # the last month the earlier series was still answered, if after `month`


def series(versions: list[QuestionnaireVersion]) -> dict[int, int]:
    """Version number → the smallest version number of its series (versions linked by `comparable_with`)."""
    parent = {version.version: version.version for version in versions}

    def root(number: int) -> int:
        while parent[number] != number:
            parent[number] = parent[parent[number]]
            number = parent[number]
        return number

    for version in versions:
        for other in version.comparable_with or ():
            if other in parent:
                low, high = sorted((root(version.version), root(int(other))))
                parent[high] = low
    return {number: root(number) for number in parent}


def _month_range(session: Session, version_id: int) -> tuple[str | None, str | None]:
    where = Response.questionnaire_version_id == version_id
    first = session.scalar(select(func.min(Response.month)).where(where))
    last = session.scalar(select(func.max(Response.month)).where(where)) if first else None
    return first, last


def trend_breaks(session: Session) -> list[TrendBreak]:
    """Every break in the national series of questionnaire versions, in month order."""
    versions = list(session.scalars(select(QuestionnaireVersion)))
    if len(versions) < 2:
        return []
    group = series(versions)
    answered = []
    for version in versions:
        first, last = _month_range(session, version.id)
        if first is not None and last is not None:
            answered.append((first, version.version, last))
    answered.sort()
    breaks: list[TrendBreak] = []
    seen: list[tuple[str, int, str]] = []
    for first, number, _last in answered:
        if seen and group[number] != group[seen[-1][1]]:
            before = [entry for entry in seen if group[entry[1]] == group[seen[-1][1]]]
            last_before = max(entry[2] for entry in before)
            previous = tuple(sorted({entry[1] for entry in before}))
            breaks.append(TrendBreak(first, number, previous, last_before if last_before >= first else None))
        seen.append((first, number, _last))
    return breaks


def breaks_within(trend: list[MonthSummary], breaks: list[TrendBreak]) -> list[TrendBreak]:
    """The breaks that fall inside the months shown (after the first shown month, at or before the last)."""
    if not trend:
        return []
    first, last = trend[0]["month"], trend[-1]["month"]
    return [item for item in breaks if first < item.month <= last]


def cut_at_breaks(trend: list[MonthSummary], breaks: list[TrendBreak]) -> list[MonthSummary]:
    """The trend with no change computed across a break: the first month of a new series is compared with
    nothing before it (a difference between two instruments is not a change in satisfaction)."""
    if not breaks:
        return trend
    cut: list[MonthSummary] = []
    pending = sorted(item.month for item in breaks)
    previous: str | None = None
    for month in trend:
        crossed = previous is not None and any(previous < start <= month["month"] for start in pending)
        if crossed:
            month = MonthSummary(
                **{**month, "previous_month": None, "change": None, "change_p_value": None, "change_significant": False}
            )
        cut.append(month)
        previous = month["month"]
    return cut
