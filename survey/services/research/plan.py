"""First pass of the research export: count quasi-identifier combinations in SQL and recode them locally.

The database does the GROUP BY, so memory grows with the number of distinct combinations, never with the
number of responses; `analysis.anonymise_local.recode_locally` then gives each group of rows its own level
(a rare procedure becomes its field, a small office its province, a thin month its quarter) so the rest of
the file keeps its detail. The same plan serves the preview on /research and the file itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Select, func, select
from sqlalchemy.orm import Session

from analysis.anonymise_hierarchy import (
    OTHER,
    TOP,
    Hierarchy,
    HierarchyError,
    month_hierarchy,
    office_region_hierarchy,
    procedure_field_hierarchy,
)
from analysis.regions import PROVINCES, REGIONS
from survey.models import Office, Procedure, QuestionnaireVersion, Response

if TYPE_CHECKING:  # analysis.anonymise(_local) needs numpy: imported by an export, not by every process that starts
    from analysis.anonymise_local import Recoding


class ExportError(ValueError):
    """The export cannot be made as asked; the message says why, in terms the person asking understands."""


@dataclass(frozen=True)
class Catalog:
    """Codes and names the export maps internal ids to (read in the same snapshot as the responses)."""

    office_codes: dict[int, str]
    office_provinces: dict[str, str]
    office_names: dict[str, str]
    procedure_codes: dict[int, str]
    procedure_names: dict[str, str]
    procedure_fields: dict[str, str]
    questionnaire_versions: dict[int, int]

    def value_labels(self) -> dict[str, dict[str, str]]:
        """Code → name for the office and procedure columns at every level of generalisation.

        A procedure published at its field carries the field's name as its value (`Hộ tịch`), so the field
        names are labels too, and `khác` is a procedure withheld even at its field.
        """
        fields = {
            field: f"Lĩnh vực {field} (field: a procedure of this field)" for field in self.procedure_fields.values()
        }
        return {
            "office": {**self.office_names, **PROVINCES, **REGIONS},
            "procedure": {
                **self.procedure_names,
                **fields,
                OTHER: "Thủ tục khác, không công bố cả lĩnh vực (other procedure, field withheld)",
            },
        }


def load_catalog(connection: Connection) -> Catalog:
    offices = connection.execute(select(Office.id, Office.code, Office.name, Office.province_code)).all()
    procedures = connection.execute(select(Procedure.id, Procedure.code, Procedure.name, Procedure.field)).all()
    versions = connection.execute(select(QuestionnaireVersion.id, QuestionnaireVersion.version)).all()
    return Catalog(
        office_codes={row.id: row.code for row in offices},
        office_provinces={row.code: row.province_code for row in offices},
        office_names={row.code: row.name for row in offices},
        procedure_codes={row.id: row.code for row in procedures},
        procedure_names={row.code: row.name for row in procedures},
        procedure_fields={row.code: row.field for row in procedures},
        questionnaire_versions={row.id: row.version for row in versions},
    )


@contextmanager
def snapshot(session: Session) -> Iterator[Connection]:
    """A read-only connection that sees one consistent state for both passes.

    Counting and streaming must see the same rows: a response erased in between could leave a group under
    k. PostgreSQL: a REPEATABLE READ transaction. SQLite (WAL): an explicit read transaction.
    """
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with connection.begin():
                yield connection
        else:
            connection.exec_driver_sql("BEGIN")
            try:
                yield connection
            finally:
                connection.rollback()


AGE_PATHS: dict[str, tuple[str, ...]] = {
    "under_18": ("under_18", "under_25", "under_45", TOP),
    "18_24": ("18_24", "under_25", "under_45", TOP),
    "25_34": ("25_34", "25_44", "under_45", TOP),
    "35_44": ("35_44", "25_44", "under_45", TOP),
    "45_54": ("45_54", "45_64", "45_plus", TOP),
    "55_64": ("55_64", "45_64", "45_plus", TOP),
    "65_plus": ("65_plus", "65_plus", "45_plus", TOP),
    "": ("", "", "", TOP),
}


def age_band_hierarchy() -> Hierarchy:
    """The stored age bands → 20-year bands → under/over 45 → `*`; "not answered" stays apart until `*`."""

    def path(value: str) -> tuple[str, ...]:
        try:
            return AGE_PATHS[value]
        except KeyError:
            raise HierarchyError(f"{value!r} is not an age band code") from None

    return Hierarchy("age bands", ("age band", "20-year band", "under or over 45", TOP), path)


def channel_hierarchy() -> Hierarchy:
    """The channel → `*`. Its weight in RESEARCH_WEIGHTS keeps it for nearly every row; a channel too thin in
    its group is withheld there rather than dropping the rows."""
    return Hierarchy("channel", ("channel", TOP), lambda value: (value, TOP))


def build_hierarchies(
    quasi: Sequence[str], catalog: Catalog, marginals: dict[str, Counter[str]], k: int
) -> dict[str, Hierarchy]:
    """One hierarchy per quasi-identifier, in `quasi` order."""
    from analysis.anonymise import hierarchy_for_kind

    builders = {
        "month": month_hierarchy,
        "office": lambda: office_region_hierarchy(catalog.office_provinces.items()),
        "procedure": lambda: procedure_field_hierarchy(catalog.procedure_fields.items()),
        "channel": channel_hierarchy,
        "age_band": age_band_hierarchy,
        "sex": lambda: hierarchy_for_kind("category", marginals["sex"], k),
        "language": lambda: hierarchy_for_kind("category", marginals["language"], k),
    }
    return {name: builders[name]() for name in quasi}


def period_filter(statement: Any, month_from: str | None, month_to: str | None) -> Select[Any]:
    """The responses an export reads: those of the period, less any held back by the spam rules."""
    statement = statement.where(Response.flagged.is_(False))
    if month_from:
        statement = statement.where(Response.month >= month_from)
    if month_to:
        statement = statement.where(Response.month <= month_to)
    return statement


QI_COLUMNS = {
    "month": Response.month,
    "office": Response.office_id,
    "procedure": Response.procedure_id,
    "channel": Response.channel,
    "age_band": Response.age_band,
    "sex": Response.sex,
    "language": Response.language,
}


def qi_value(name: str, raw: Any, catalog: Catalog) -> str:
    """A stored value as the text the plan works on: codes for offices and procedures, "" for not answered."""
    if raw is None:
        return ""
    if name == "office":
        return catalog.office_codes[raw]
    if name == "procedure":
        return catalog.procedure_codes[raw]
    return str(raw)


def count_combinations(
    connection: Connection,
    catalog: Catalog,
    quasi: Sequence[str],
    *,
    month_from: str | None,
    month_to: str | None,
    with_rating: bool,
) -> list[tuple[tuple[str, ...], int]]:
    """Rows per combination of quasi-identifier values (and the rating last, for l-diversity)."""
    columns = [QI_COLUMNS[name] for name in quasi] + ([Response.rating] if with_rating else [])
    statement = period_filter(select(*columns, func.count()), month_from, month_to).group_by(*columns)
    combinations = []
    for row in connection.execute(statement):
        values = tuple(qi_value(name, raw, catalog) for name, raw in zip(quasi, row, strict=False))
        if with_rating:
            values = (*values, str(row[len(quasi)]))
        combinations.append((values, int(row[-1])))
    return combinations


MAX_LEVELS: dict[str, str] = {"month": "quarter"}
"""The coarsest level a column is published at before rows are dropped: a period coarser than a quarter
answers no researcher's question, so a thin quarter loses its rows rather than becoming a year (unless that
would drop more than the limit, when they are grouped again among themselves)."""


def plan_generalisation(
    combinations: list[tuple[tuple[str, ...], int]],
    catalog: Catalog,
    quasi: Sequence[str],
    *,
    k: int,
    l_diversity: int | None,
    max_suppression: float,
) -> Recoding:
    """Recode each combination locally, keeping first the detail researchers ask for first (RESEARCH_WEIGHTS).

    With l-diversity the combinations carry the rating last (`count_combinations(with_rating=True)`).
    """
    from analysis.anonymise_local import RESEARCH_WEIGHTS, recode_locally, split_sensitive

    if l_diversity:
        counts, sensitive = split_sensitive(combinations, len(quasi))
        pairs: list[tuple[tuple[str, ...], int]] = list(counts.items())
    else:
        pairs, sensitive = combinations, None
    marginals: dict[str, Counter[str]] = {name: Counter() for name in quasi}
    for values, count in pairs:
        for name, value in zip(quasi, values, strict=False):
            marginals[name][value] += count
    try:
        hierarchies = build_hierarchies(quasi, catalog, marginals, k)
        return recode_locally(
            pairs,
            hierarchies,
            k,
            sensitive=sensitive,
            l_diversity=l_diversity if sensitive is not None else None,
            weights={name: RESEARCH_WEIGHTS[name] for name in quasi},
            max_levels={name: level for name, level in MAX_LEVELS.items() if name in quasi},
            max_suppression=max_suppression,
        )
    except HierarchyError as exc:
        raise ExportError(f"a stored value has no place in its generalisation hierarchy: {exc}") from None
