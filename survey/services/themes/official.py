"""Official complaint themes of a scope, always current, and the comments behind them, as officials may read them.

A scope is a `ReportFilter` (office subtree, procedure, months, channel) inside the caller's office scope.
Each official theme shows its share of the scope's dissatisfied responses (rating 1–3; the denominator comes
from the reporting core, `read_counts`, like every other figure), its count per month, and three quotes from
its most confidently labelled comments. Every count and quote reads `comment_labels`, where an official's
correction replaces the classifier's label. Comments are listed with filters (theme, rating, channel, period)
and an accent-insensitive text search, a page at a time, re-redacted on the way out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import Session

from analysis.periods import months_between
from survey.models import Office, Procedure, Response
from survey.models_themes import CommentLabel
from survey.services.reporting.query import ReportFilter, Scope, allowed_offices, read_counts
from survey.services.themes.labels import search_key
from survey.services.themes.runs import MAX_DISSATISFIED_RATING

QUOTES = 3
DISSATISFIED = "dissatisfied"  # the rating filter's value for 1–3
RATING_CHOICES = (DISSATISFIED, "1", "2", "3", "4", "5")


@dataclass(frozen=True)
class Quote:
    response_id: int
    month: str
    text: str


@dataclass
class OfficialTheme:
    code: str
    count: int  # dissatisfied responses whose comment carries this theme (first or second)
    share: float | None  # of all dissatisfied responses in scope, with or without a comment
    monthly: list[tuple[str, int]]
    quotes: list[Quote] = field(default_factory=list)


@dataclass(frozen=True)
class ThemeSummary:
    dissatisfied: int
    commented: int  # dissatisfied responses with a labelled comment
    months: list[str]
    themes: list[OfficialTheme]


@dataclass(frozen=True)
class CommentQuery:
    """Which comments: the report filter's scope and period, plus theme, rating and a text search."""

    where: ReportFilter
    theme: str | None = None
    rating: str | None = None  # "dissatisfied", "1".."5", or None for every rating
    text: str = ""


@dataclass(frozen=True)
class CommentRow:
    response_id: int
    month: str
    office_code: str
    procedure_code: str
    channel: str
    rating: int
    text: str
    theme: str | None
    theme2: str | None
    corrected: bool


@dataclass(frozen=True)
class CommentPage:
    rows: list[CommentRow]
    total: int
    page: int
    pages: int


def _redact(text: str | None) -> str:
    from analysis.redaction import redact  # its patterns take ~0.1 s to compile: loaded on first use

    return redact(text or "")


def scope_conditions(session: Session, scope: Scope, where: ReportFilter) -> list[ColumnElement[bool]] | None:
    """Response conditions for the filter inside the caller's scope; None when no office is left to read."""
    offices = allowed_offices(session, scope, where)
    if offices is not None and not offices:
        return None
    conditions: list[ColumnElement[bool]] = [Response.flagged.is_(False), Response.comment.is_not(None)]
    if offices is not None:
        conditions.append(Response.office_id.in_(sorted(offices)))
    if where.procedure_id is not None:
        conditions.append(Response.procedure_id == where.procedure_id)
    if where.month_from:
        conditions.append(Response.month >= where.month_from)
    if where.month_to:
        conditions.append(Response.month <= where.month_to)
    if where.channel is not None:
        conditions.append(Response.channel == where.channel)
    if where.verified_only:
        conditions.append(Response.verified.is_(True))
    return conditions


def _dissatisfied_by_month(session: Session, scope: Scope, where: ReportFilter) -> dict[str, int]:
    counts = read_counts(session, scope, where, metrics={"rating"}, by=("month",))
    return {
        str(key[0]): sum(n for value, n in per["rating"].items() if int(value) <= MAX_DISSATISFIED_RATING)
        for key, per in counts.items()
    }


def official_themes(session: Session, scope: Scope, where: ReportFilter) -> ThemeSummary:
    """Every official theme with comments in scope, largest first: count, share, months, three quotes."""
    from analysis.themes import OFFICIAL_CODES

    by_month = _dissatisfied_by_month(session, scope, where)
    start = where.month_from or min(by_month, default=None)
    end = where.month_to or max(by_month, default=None)
    months = months_between(start, end) if start and end else []
    dissatisfied = sum(by_month.values())
    conditions = scope_conditions(session, scope, where)
    if conditions is None:
        return ThemeSummary(0, 0, months, [])
    conditions.append(Response.rating <= MAX_DISSATISFIED_RATING)
    labelled = select(func.count()).select_from(Response).join(CommentLabel, CommentLabel.response_id == Response.id)
    commented = session.scalar(labelled.where(*conditions)) or 0
    counts: dict[str, dict[str, int]] = {}
    for column in (CommentLabel.theme, CommentLabel.theme2):
        query = (
            select(column, Response.month, func.count())
            .join(CommentLabel, CommentLabel.response_id == Response.id)
            .where(*conditions, column.in_(OFFICIAL_CODES))
            .group_by(column, Response.month)
        )
        for code, month, count in session.execute(query):
            per_month = counts.setdefault(str(code), {})
            per_month[month] = per_month.get(month, 0) + int(count)
    themes = [
        OfficialTheme(
            code=code,
            count=sum(per_month.values()),
            share=sum(per_month.values()) / dissatisfied if dissatisfied else None,
            monthly=[(month, per_month.get(month, 0)) for month in months],
            quotes=quotes(session, conditions, code),
        )
        for code, per_month in counts.items()
    ]
    themes.sort(key=lambda t: (-t.count, OFFICIAL_CODES.index(t.code)))
    return ThemeSummary(dissatisfied, commented, months, themes)


def _gist(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())


def quotes(session: Session, conditions: Sequence[ColumnElement[bool]], code: str, limit: int = QUOTES) -> list[Quote]:
    """Up to `limit` different comments whose main theme is `code`: officials' corrections first, then the
    classifier's most confident, so the quotes read as the theme."""
    query = (
        select(Response.id, Response.month, Response.comment)
        .join(CommentLabel, CommentLabel.response_id == Response.id)
        .where(*conditions, CommentLabel.theme == code)
        .order_by(
            case((CommentLabel.source == "official", 0), else_=1),
            CommentLabel.probability.desc(),
            Response.id.desc(),
        )
        .limit(limit * 10)
    )
    chosen: list[Quote] = []
    gists: list[str] = []
    for response_id, month, comment in session.execute(query):
        text = _redact(comment)
        gist = _gist(text)
        if gist and not any(gist in other or other in gist for other in gists):
            chosen.append(Quote(response_id, month, text))
            gists.append(gist)
        if len(chosen) == limit:
            break
    return chosen


def _comment_query(session: Session, scope: Scope, query: CommentQuery) -> Select[Any] | None:
    conditions = scope_conditions(session, scope, query.where)
    if conditions is None:
        return None
    if query.rating == DISSATISFIED:
        conditions.append(Response.rating <= MAX_DISSATISFIED_RATING)
    elif query.rating:
        conditions.append(Response.rating == int(query.rating))
    if query.theme:
        conditions.append(or_(CommentLabel.theme == query.theme, CommentLabel.theme2 == query.theme))
    for word in search_key(query.text).split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(CommentLabel.search_text.like(f"%{escaped}%", escape="\\"))
    return (
        select(Response.id)
        .join(CommentLabel, CommentLabel.response_id == Response.id)
        .where(*conditions, Response.comment != "")
    )


COLUMNS = (
    Response.id,
    Response.month,
    Office.code,
    Procedure.code,
    Response.channel,
    Response.rating,
    Response.comment,
    CommentLabel.theme,
    CommentLabel.theme2,
    CommentLabel.source,
)


def list_comments(
    session: Session, scope: Scope, query: CommentQuery, *, page: int = 1, per_page: int = 25
) -> CommentPage:
    """One page of the labelled comments matching `query` in scope, newest first, re-redacted."""
    ids = _comment_query(session, scope, query)
    if ids is None:
        return CommentPage([], 0, 1, 1)
    total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = session.execute(
        select(*COLUMNS)
        .join(CommentLabel, CommentLabel.response_id == Response.id)
        .join(Office, Office.id == Response.office_id)
        .join(Procedure, Procedure.id == Response.procedure_id)
        .where(Response.id.in_(ids))
        .order_by(Response.created_at.desc(), Response.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    found = [CommentRow(*row[:6], _redact(row[6]), row[7] or None, row[8], row[9] == "official") for row in rows]
    return CommentPage(found, total, page, pages)


@dataclass(frozen=True)
class PairOfficialTheme:
    code: str  # an official theme code (THEME_LABELS)
    comments: int  # dissatisfied comments of the pair carrying it, first or second


def pair_official_themes(
    session: Session, scope: Scope, where: ReportFilter, pairs: Sequence[tuple[int, int]], *, limit: int = 3
) -> dict[tuple[int, int], list[PairOfficialTheme]]:
    """For each (office id, procedure id) pair, its `limit` largest official themes among dissatisfied comments
    (corrections win, as everywhere): one grouped query per theme column. Pairs with no labelled comment are left
    out; comments the scheduled job has not labelled yet are not counted."""
    from analysis.themes import OFFICIAL_CODES

    conditions = scope_conditions(session, scope, where)
    if not pairs or conditions is None:
        return {}
    wanted = set(pairs)
    conditions += [
        Response.rating <= MAX_DISSATISFIED_RATING,
        Response.office_id.in_(sorted({office for office, _ in wanted})),
        Response.procedure_id.in_(sorted({procedure for _, procedure in wanted})),
    ]
    counts: dict[tuple[int, int], dict[str, int]] = {}
    for column in (CommentLabel.theme, CommentLabel.theme2):
        query = (
            select(Response.office_id, Response.procedure_id, column, func.count())
            .join(CommentLabel, CommentLabel.response_id == Response.id)
            .where(*conditions, column.in_(OFFICIAL_CODES))
            .group_by(Response.office_id, Response.procedure_id, column)
        )
        for office_id, procedure_id, code, count in session.execute(query):
            if code is not None and (office_id, procedure_id) in wanted:
                pair_counts = counts.setdefault((office_id, procedure_id), {})
                pair_counts[code] = pair_counts.get(code, 0) + int(count)
    return {
        pair: [
            PairOfficialTheme(code, count)
            for code, count in sorted(found.items(), key=lambda item: (-item[1], item[0]))[:limit]
        ]
        for pair, found in counts.items()
    }
