"""Anonymised research export: de-identified microdata with a codebook, safe to publish.

Two passes over one consistent snapshot, so ten million responses export in bounded memory:

1. the database counts combinations of the quasi-identifiers (GROUP BY) and
   `analysis.anonymise.choose_generalisation` picks the generalisation (`research_plan`);
2. the responses stream through a server-side cursor, each row generalised by `Plan.apply` (or dropped)
   and written to CSV row by row or to Parquet in record batches (`research_writers`).

Every group the file holds is counted on the way out and checked against k (and l) before the file is
published; the codebook (`research_codebook`) documents what was done; the export is audited with the
file's SHA-256.
"""

from __future__ import annotations

import json
import secrets
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from analysis.anonymise_hierarchy import TOP
from analysis.periods import is_month
from survey.models import ELEMENTS, Response
from survey.services import audit
from survey.services.research.codebook import ExportFacts, build_codebook, codebook_markdown
from survey.services.research.columns import (
    FORMATS,
    OMITTABLE,
    QUASI_IDENTIFIERS,
    TEXT_MODES,
    Column,
    export_columns,
)
from survey.services.research.plan import (
    Catalog,
    ExportError,
    count_combinations,
    load_catalog,
    period_filter,
    plan_generalisation,
    qi_value,
    snapshot,
)
from survey.services.research.writers import OutputFiles, open_writer, sha256_of

if TYPE_CHECKING:
    from analysis.anonymise import Plan

__all__ = ["ExportError", "ExportOptions", "ExportResult", "export_anonymised"]

BATCH_ROWS = 10_000
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportOptions:
    """What the researcher asked for; `check` explains anything that cannot be done."""

    file_format: str = "csv"
    k: int = 5
    text: str = "redacted"
    month_from: str | None = None
    month_to: str | None = None
    l_diversity: int | None = None
    omit: tuple[str, ...] = ()
    max_suppression: float = 0.05

    def check(self) -> None:
        if self.file_format not in FORMATS:
            raise ExportError(f"unknown format {self.file_format!r}; choose one of {', '.join(FORMATS)}")
        if isinstance(self.k, bool) or not isinstance(self.k, int) or self.k < 2:
            raise ExportError(f"k must be a whole number of at least 2 (k = {self.k} protects nobody)")
        if self.l_diversity is not None and not 2 <= self.l_diversity <= 5:
            raise ExportError("l-diversity must be between 2 and 5 (ratings take five values)")
        if self.text not in TEXT_MODES:
            raise ExportError(f"unknown text handling {self.text!r}; choose one of {', '.join(TEXT_MODES)}")
        for name, month in (("from", self.month_from), ("to", self.month_to)):
            if month is not None and not is_month(month):
                raise ExportError(f"the {name} month must look like 2025-07 (YYYY-MM), not {month!r}")
        if self.month_from and self.month_to and self.month_from > self.month_to:
            raise ExportError(f"the period starts ({self.month_from}) after it ends ({self.month_to})")
        unknown = [name for name in self.omit if name not in OMITTABLE]
        if unknown:
            raise ExportError(f"cannot leave out {', '.join(unknown)}; columns that can be: {', '.join(OMITTABLE)}")
        if not 0 <= self.max_suppression < 0.5:
            raise ExportError("the largest share of rows to drop must be from 0 to below 0.5, e.g. 0.05")

    @property
    def quasi(self) -> tuple[str, ...]:
        return tuple(name for name in QUASI_IDENTIFIERS if name not in self.omit)

    def parameters(self) -> dict[str, Any]:
        return {
            "format": self.file_format,
            "k": self.k,
            "l_diversity": self.l_diversity,
            "text": self.text,
            "month_from": self.month_from,
            "month_to": self.month_to,
            "omit": list(self.omit),
            "max_suppression": self.max_suppression,
        }


@dataclass(frozen=True)
class ExportResult:
    path: Path
    codebook_json: Path
    codebook_markdown: Path
    rows_total: int
    rows_written: int
    rows_dropped: int
    sha256: str
    generalisation: dict[str, str]
    summary: list[str]
    seconds: float

    @property
    def dropped_share(self) -> float:
        return self.rows_dropped / self.rows_total if self.rows_total else 0.0


@dataclass
class Tally:
    """Groups of the written rows, counted on the way out to prove k-anonymity before publishing."""

    groups: Counter[tuple[str, ...]] = field(default_factory=Counter)
    ratings: dict[tuple[str, ...], set[int]] = field(default_factory=dict)
    rows_read: int = 0
    rows_written: int = 0

    def check(self, k: int, l_diversity: int | None) -> None:
        if self.groups and min(self.groups.values()) < k:
            raise ExportError("responses changed while the export ran; run it again")
        if l_diversity and any(len(values) < l_diversity for values in self.ratings.values()):
            raise ExportError("responses changed while the export ran; run it again")

    def present(self, quasi: Sequence[str]) -> dict[str, list[str]]:
        values: dict[str, set[str]] = {name: set() for name in quasi}
        for group in self.groups:
            for name, value in zip(quasi, group, strict=True):
                if value != "":
                    values[name].add(value)
        return {name: sorted(found) for name, found in values.items()}


def generalisation_text(plan: Plan) -> dict[str, str]:
    """Column → what was published, in words (`unchanged`, `province`, `khác if < 15 rows`, `*`)."""
    described = {}
    for name, level, level_name in zip(plan.quasi, plan.levels, plan.level_names, strict=True):
        if level == 0 or name == "channel":
            described[name] = "unchanged"
        else:
            described[name] = "withheld (*)" if level_name == TOP else level_name
    return described


SOURCE_COLUMNS: dict[str, Any] = {
    "month": Response.month,
    "office": Response.office_id,
    "procedure": Response.procedure_id,
    "channel": Response.channel,
    "age_band": Response.age_band,
    "sex": Response.sex,
    "service_mode": Response.service_mode,
    "verified": Response.verified,
    "questionnaire_version": Response.questionnaire_version_id,
    "language": Response.language,
    "rating": Response.rating,
    **{f"element_{name}": getattr(Response, f"element_{name}") for name in ELEMENTS},
    "on_time": Response.on_time,
    "returns": Response.returns,
    "agencies": Response.agencies,
    "extra_payment": Response.extra_payment,
    "comment": Response.comment,
}


def _row_builders(
    columns: Sequence[Column], sources: list[str], quasi: Sequence[str], catalog: Catalog
) -> list[Callable[[Sequence[Any], tuple[str, ...]], Any]]:
    """One function per output column: (stored row, generalised QI values) → the value written."""
    from analysis.redaction import (
        redact,  # its patterns take ~0.1 s to compile: loaded on first use, not at every start
    )

    position = {name: index for index, name in enumerate(sources)}
    versions = catalog.questionnaire_versions

    def builder(name: str) -> Callable[[Sequence[Any], tuple[str, ...]], Any]:
        if name == "row_id":
            return lambda _row, _qi: secrets.token_hex(8)
        if name in quasi:
            q = quasi.index(name)
            return lambda _row, qi: qi[q] or None
        if name == "satisfied":
            rating = position["rating"]
            return lambda row, _qi: row[rating] >= 4
        index = position[name]
        if name == "questionnaire_version":
            return lambda row, _qi: versions.get(row[index])
        if name == "comment":
            return lambda row, _qi: redact(row[index]) if row[index] else None
        if name == "verified":
            return lambda row, _qi: bool(row[index])
        return lambda row, _qi: row[index]

    return [builder(column.name) for column in columns]


def stream_rows(
    connection: Connection,
    catalog: Catalog,
    plan: Plan,
    columns: Sequence[Column],
    options: ExportOptions,
    write: Callable[[list[tuple[Any, ...]]], None],
    progress: Progress | None = None,
) -> Tally:
    """Second pass: generalise every row with the plan, write the kept ones in batches, count the groups."""
    quasi = plan.quasi
    wanted = [{"satisfied": "rating"}.get(c.name, c.name) for c in columns if c.name != "row_id"]
    sources = list(dict.fromkeys([*quasi, *wanted, "rating"]))
    statement = period_filter(
        select(*(SOURCE_COLUMNS[name] for name in sources)), options.month_from, options.month_to
    ).order_by(func.random())  # random order: the file's row order says nothing about when anyone answered
    builders = _row_builders(columns, sources, quasi, catalog)
    rating_at = sources.index("rating")
    tally = Tally()
    result = connection.execution_options(yield_per=BATCH_ROWS).execute(statement)
    for partition in result.partitions():
        batch = []
        for row in partition:
            generalised = plan.apply([qi_value(name, row[q], catalog) for q, name in enumerate(quasi)])
            if generalised is None:
                continue
            tally.groups[generalised] += 1
            if options.l_diversity:
                tally.ratings.setdefault(generalised, set()).add(row[rating_at])
            batch.append(tuple(build(row, generalised) for build in builders))
        write(batch)
        tally.rows_read += len(partition)
        tally.rows_written += len(batch)
        if progress:
            progress(tally.rows_read, plan.rows_total)
    return tally


def export_anonymised(
    session: Session,
    out: str | Path,
    options: ExportOptions,
    *,
    actor: str,
    user_id: int | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Write a k-anonymous export to `out` with `out.codebook.json` and `out.codebook.md`; audit it.

    Raises ExportError for a request that cannot be met (bad options, unwritable path, too few responses);
    on any failure no file is left behind.
    """
    options.check()
    started = time.monotonic()
    files = OutputFiles(Path(out))
    try:
        files.check()
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from None
    try:
        with snapshot(session) as connection:
            catalog = load_catalog(connection)
            combinations = count_combinations(
                connection,
                catalog,
                options.quasi,
                month_from=options.month_from,
                month_to=options.month_to,
                with_rating=options.l_diversity is not None,
            )
            if not combinations:
                raise ExportError("no responses in the period asked for: nothing to export")
            plan = plan_generalisation(
                combinations,
                catalog,
                options.quasi,
                k=options.k,
                l_diversity=options.l_diversity,
                max_suppression=options.max_suppression,
            )
            del combinations
            columns = export_columns(text=options.text, omit=options.omit)
            writer = open_writer(options.file_format, files.data, columns)
            try:
                tally = stream_rows(connection, catalog, plan, columns, options, writer.write, progress)
            finally:
                writer.close()
        tally.check(options.k, options.l_diversity)
        if tally.rows_written == 0:
            raise ExportError(
                f"only {plan.rows_total} responses in the period: too few to publish any with k = {options.k}"
            )
        digest = sha256_of(files.data)
        generalisation = generalisation_text(plan)
        facts = ExportFacts(
            file_name=files.out.name,
            file_format=options.file_format,
            sha256=digest,
            created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            k=options.k,
            l_diversity=options.l_diversity,
            text=options.text,
            month_from=options.month_from,
            month_to=options.month_to,
            omitted=options.omit,
            rows_total=plan.rows_total,
            rows_written=tally.rows_written,
            rows_dropped=tally.rows_read - tally.rows_written,
            groups=len(tally.groups),
            smallest_group=min(tally.groups.values()),
            generalisation=generalisation,
            information_loss=plan.information_loss,
        )
        codebook = build_codebook(columns, facts, tally.present(plan.quasi), catalog.value_labels())
        files.codebook_json.write_text(json.dumps(codebook, ensure_ascii=False, indent=2) + "\n", "utf-8")
        files.codebook_markdown.write_text(codebook_markdown(codebook), "utf-8")
        files.publish()
    except BaseException:
        files.discard()
        raise
    audit.record(
        session,
        actor=actor,
        action="research.export",
        target=files.out.name,
        user_id=user_id,
        details={
            **options.parameters(),
            "rows_total": facts.rows_total,
            "rows_written": facts.rows_written,
            "rows_dropped": facts.rows_dropped,
            "sha256": digest,
            "generalisation": generalisation,
        },
    )
    session.commit()
    return ExportResult(
        path=files.finals[0],
        codebook_json=files.finals[1],
        codebook_markdown=files.finals[2],
        rows_total=facts.rows_total,
        rows_written=facts.rows_written,
        rows_dropped=facts.rows_dropped,
        sha256=digest,
        generalisation=generalisation,
        summary=plan.summary(),
        seconds=time.monotonic() - started,
    )
