"""Rollup counts kept in step with stored responses, so summaries read O(groups), not O(responses).

Call `add_to_rollups` in the same transaction that inserts the responses: either both are stored or neither.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import String, cast, delete, func, literal, select, text
from sqlalchemy import insert as insert_into
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from survey.models import ELEMENTS, RatingRollup, Response, Rollup
from survey.services.responses.invitation_rollups import rebuild_invitation_rollups
from survey.services.responses.local_answers import rebuild_local_rollups

RollupKey = tuple[str, int, int, str, bool, str, str]

# Questions counted in rollups: metric name -> response attribute.
METRICS: dict[str, str] = {
    "rating": "rating",
    **{f"element_{name}": f"element_{name}" for name in ELEMENTS},
    "on_time": "on_time",
    "returns": "returns",
    "agencies": "agencies",
    "extra_payment": "extra_payment",
    "service_mode": "service_mode",
}


def rollup_keys(response: Mapping[str, Any]) -> list[RollupKey]:
    """The rollup cells one response adds 1 to: one per answered question."""
    head = (
        response["month"],
        response["office_id"],
        response["procedure_id"],
        response["channel"],
        bool(response["verified"]),
    )
    keys = []
    for metric, attribute in METRICS.items():
        value = response.get(attribute)
        if value is not None:
            keys.append((*head, metric, str(value)))
    return keys


def count_cells(responses: Iterable[Mapping[str, Any]]) -> Counter[RollupKey]:
    cells: Counter[RollupKey] = Counter()
    for response in responses:
        cells.update(rollup_keys(response))
    return cells


def response_values(response: Response) -> dict[str, Any]:
    """A stored response as the plain mapping `rollup_keys` reads."""
    values = {column: getattr(response, column) for column in METRICS.values()}
    values.update(
        month=response.month,
        office_id=response.office_id,
        procedure_id=response.procedure_id,
        channel=response.channel,
        verified=response.verified,
    )
    return values


ROLLUP_KEY = ("month", "office_id", "procedure_id", "channel", "verified", "metric", "value")
RATING_COLUMNS = tuple(f"{kind}_{value}" for kind in ("rating", "verified") for value in "12345")
_upserts: dict[str, tuple[Any, Any]] = {}


def _upsert_statements(dialect: str) -> tuple[Any, Any]:
    """The two upserts (INSERT … ON CONFLICT DO UPDATE, on SQLite and PostgreSQL alike), built once per dialect:
    a submission only binds its values, and SQLAlchemy compiles each statement once per process."""
    statements = _upserts.get(dialect)
    if statements is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        fine: Any = Rollup.__table__
        counts = insert(fine)
        counts = counts.on_conflict_do_update(
            index_elements=list(ROLLUP_KEY), set_={"count": fine.c.count + counts.excluded["count"]}
        )
        compact: Any = RatingRollup.__table__
        ratings = insert(compact)
        ratings = ratings.on_conflict_do_update(
            index_elements=["month", "office_id", "procedure_id"],
            set_={column: compact.c[column] + ratings.excluded[column] for column in RATING_COLUMNS},
        )
        statements = _upserts[dialect] = (counts, ratings)
    return statements


def add_to_rollups(session: Session, cells: Counter[RollupKey], *, sign: int = 1) -> None:
    """Add (or, with sign=-1, remove) counts with upserts, cells in a fixed order to avoid deadlocks."""
    if not cells:
        return
    counts, ratings = _upsert_statements(session.get_bind().dialect.name)
    connection = session.connection()
    rows = [{**dict(zip(ROLLUP_KEY, key, strict=True)), "count": sign * count} for key, count in sorted(cells.items())]
    connection.execute(counts, rows)  # one statement, executed for every cell
    compact = _rating_rows(cells, sign)
    if compact:
        connection.execute(ratings, compact)


def _rating_rows(cells: Counter[RollupKey], sign: int) -> list[dict[str, Any]]:
    """The rating cells folded into one row per (month, office, procedure): the grain national pages read."""
    compact: dict[tuple[str, int, int], dict[str, int]] = {}
    for (month, office_id, procedure_id, _channel, verified, metric, value), count in cells.items():
        if metric != "rating":
            continue
        row = compact.setdefault((month, office_id, procedure_id), dict.fromkeys(RATING_COLUMNS, 0))
        row[f"rating_{value}"] += sign * count
        if verified:
            row[f"verified_{value}"] += sign * count
    return [
        {"month": month, "office_id": office_id, "procedure_id": procedure_id, **counts}
        for (month, office_id, procedure_id), counts in sorted(compact.items())
    ]


def fill_rating_rollups_from_rollups(session: Session) -> None:
    """Recompute the compact rating rollups from the fine ones in SQL (bulk loads, repairs)."""
    session.execute(delete(RatingRollup))
    sums = ", ".join(
        f"SUM(CASE WHEN value = '{v}' THEN count ELSE 0 END), "
        f"SUM(CASE WHEN value = '{v}' AND verified THEN count ELSE 0 END)"
        for v in "12345"
    )
    columns = ", ".join(f"rating_{v}, verified_{v}" for v in "12345")
    session.execute(
        text(
            f"INSERT INTO rating_rollups (month, office_id, procedure_id, {columns}) "
            f"SELECT month, office_id, procedure_id, {sums} FROM rollups WHERE metric = 'rating' "
            "GROUP BY month, office_id, procedure_id"
        )
    )


def rebuild_rollups(session: Session) -> int:
    """Recount every rollup from the responses, and the invitation counts from the invitations (after a bulk
    load, a restore or a manual fix).

    Done inside the database with INSERT … SELECT … GROUP BY, so it needs no memory here however many
    responses there are. Returns the number of fine rollup cells.
    """
    session.execute(delete(Rollup))
    head = (Response.month, Response.office_id, Response.procedure_id, Response.channel, Response.verified)
    target = ["month", "office_id", "procedure_id", "channel", "verified", "metric", "value", "count"]
    for metric, attribute in METRICS.items():
        column = getattr(Response, attribute)
        counted = (
            select(*head, literal(metric, String), cast(column, String), func.count())
            .where(column.is_not(None), Response.flagged.is_(False))  # held responses are counted nowhere
            .group_by(*head, column)
        )
        session.execute(insert_into(Rollup).from_select(target, counted))
    rebuild_local_rollups(session)  # the answers to local questions, from their own table
    fill_rating_rollups_from_rollups(session)
    rebuild_invitation_rollups(session)
    session.commit()
    return int(session.scalar(select(func.count()).select_from(Rollup)) or 0)
