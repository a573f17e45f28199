"""Anonymised research export: de-identified microdata with a codebook, safe to publish.

Two passes over one consistent snapshot, so ten million responses export in bounded memory:

1. the database counts combinations of the chosen quasi-identifiers (GROUP BY) and
   `analysis.anonymise_local.recode_locally` recodes each group of rows on its own (`plan`);
2. the responses stream through a server-side cursor, each row recoded by `Recoding.apply` (or dropped)
   and written to CSV row by row or to Parquet in record batches (`writers`); SPSS and Stata files are
   made from that Parquet with their labels (`labelled`).

`preview_export` runs the first pass alone: what the file would keep, per column and level, and the rows it
would drop, with nothing written. Every group the file holds is counted on the way out and checked against
k (and l) before the file is published; the codebook (`codebook`) documents what was done; the export is
audited with the file's SHA-256.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from survey.models import ELEMENTS, Response
from survey.services import audit
from survey.services.research.codebook import MICRODATA_TITLE, ExportFacts, build_codebook, codebook_markdown
from survey.services.research.columns import Column
from survey.services.research.labelled_size import check_size
from survey.services.research.local_columns import LocalExport
from survey.services.research.options import ExportOptions
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

if TYPE_CHECKING:  # analysis.anonymise(_local) needs numpy: imported by an export, not by every process that starts
    from analysis.anonymise_local import Recoding

__all__ = ["ExportError", "ExportOptions", "ExportResult", "Preview", "export_anonymised", "preview_export"]

BATCH_ROWS = 10_000
Progress = Callable[[int, int], None]


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
    recoding: Recoding

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
    columns: Sequence[Column],
    sources: list[str],
    quasi: Sequence[str],
    catalog: Catalog,
    local: LocalExport | None = None,
) -> list[Callable[[Sequence[Any], tuple[str, ...]], Any]]:
    """One function per output column: (stored row, generalised QI values) → the value written."""
    from analysis.redaction import redact  # ~0.1 s to compile: loaded on first use

    position = {name: index for index, name in enumerate(sources)}
    versions = catalog.questionnaire_versions

    def builder(name: str) -> Callable[[Sequence[Any], tuple[str, ...]], Any]:
        if name == "row_id":
            return lambda _row, _qi: secrets.token_hex(8)
        if name in quasi:
            q = quasi.index(name)
            return lambda _row, qi: qi[q] or None
        if local is not None and name in local.sources:  # Hook (local questions): see local_columns.py
            at, office = position[name], quasi.index("office") if "office" in quasi else None
            return lambda row, qi: local.value(name, row[at], qi[office] if office is not None else None)
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
    plan: Recoding,
    columns: Sequence[Column],
    options: ExportOptions,
    write: Callable[[list[tuple[Any, ...]]], None],
    progress: Progress | None = None,
    local: LocalExport | None = None,
) -> Tally:
    """Second pass: generalise every row with the plan, write the kept ones in batches, count the groups."""
    quasi = plan.quasi
    wanted = [{"satisfied": "rating"}.get(c.name, c.name) for c in columns if c.name != "row_id"]
    sources = list(dict.fromkeys([*quasi, *wanted, "rating"]))
    selectable = {**SOURCE_COLUMNS, **(local.sources if local is not None else {})}  # Hook (local questions)
    statement = period_filter(
        select(*(selectable[name] for name in sources)), options.month_from, options.month_to
    ).order_by(func.random())  # random order: the file's row order says nothing about when anyone answered
    builders = _row_builders(columns, sources, quasi, catalog, local)
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


@dataclass(frozen=True)
class Preview:
    """What an export would keep, from the same planner, before any file is written."""

    options: ExportOptions
    recoding: Recoding
    first_month: str
    last_month: str

    @property
    def rows_total(self) -> int:
        return self.recoding.rows_total

    @property
    def rows_dropped(self) -> int:
        return self.recoding.rows_suppressed

    def levels(self) -> dict[str, list[tuple[str, float]]]:
        """Column → (level, share of all rows) for each level used, finest first; dropped rows count in no level."""
        return {
            name: [(level, share) for level, share in self.recoding.level_shares(name).items() if share > 0]
            for name in self.recoding.quasi
        }


def _plan(connection: Connection, catalog: Catalog, options: ExportOptions) -> tuple[Recoding, str, str]:
    """First pass: the recoding of the chosen quasi-identifiers and the first and last month in the period."""
    quasi = options.chosen_quasi
    combinations = count_combinations(
        connection,
        catalog,
        quasi,
        month_from=options.month_from,
        month_to=options.month_to,
        with_rating=options.l_diversity is not None,
    )
    if not combinations:
        raise ExportError("no responses in the period asked for: nothing to export")
    months = connection.execute(
        period_filter(select(func.min(Response.month), func.max(Response.month)), options.month_from, options.month_to)
    ).one()
    recoding = plan_generalisation(
        combinations, catalog, quasi, k=options.k, l_diversity=options.l_diversity,
        max_suppression=options.max_suppression,
    )  # fmt: skip
    return recoding, str(months[0]), str(months[1])


def preview_export(session: Session, options: ExportOptions) -> Preview:
    """The plan of an export, for the researcher to read before downloading: nothing is written or audited."""
    options.check()
    with snapshot(session) as connection:
        recoding, first, last = _plan(connection, load_catalog(connection), options)
    check_size(options.file_format, recoding.rows_total - recoding.rows_suppressed)
    return Preview(options, recoding, first, last)


def _stream_to_file(
    connection: Connection,
    catalog: Catalog,
    plan: Recoding,
    columns: Sequence[Column],
    options: ExportOptions,
    files: OutputFiles,
    progress: Progress | None,
    local: LocalExport | None = None,
) -> Tally:
    """Stream into the data file (CSV or Parquet) or, for SPSS and Stata, into the Parquet stage."""
    staged = options.file_format in ("sav", "dta")
    writer = open_writer("parquet" if staged else options.file_format, files.stage if staged else files.data, columns)
    try:
        return stream_rows(connection, catalog, plan, columns, options, writer.write, progress, local)
    finally:
        writer.close()


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
            plan, first_month, last_month = _plan(connection, catalog, options)
            check_size(options.file_format, plan.rows_total - plan.rows_suppressed)
            local = LocalExport.load(connection, text=options.text)  # Hook (local questions): local_columns.py
            columns = (*options.file_columns(), *local.columns)
            tally = _stream_to_file(connection, catalog, plan, columns, options, files, progress, local)
        tally.check(options.k, options.l_diversity)
        if tally.rows_written == 0:
            raise ExportError(
                f"only {plan.rows_total} responses in the period: too few to publish any with k = {options.k}"
            )
        facts = ExportFacts(
            file_name=files.out.name,
            file_format=options.file_format,
            sha256="",
            created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            k=options.k,
            l_diversity=options.l_diversity,
            text=options.text,
            month_from=options.month_from,
            month_to=options.month_to,
            first_month=first_month,
            last_month=last_month,
            quasi=plan.quasi,
            rows_total=plan.rows_total,
            rows_written=tally.rows_written,
            rows_dropped=tally.rows_read - tally.rows_written,
            groups=len(tally.groups),
            smallest_group=min(tally.groups.values()),
            generalisation=plan.generalised,
            levels=plan.level_rows,
            information_loss=plan.information_loss,
        )
        codebook = build_codebook(columns, facts, tally.present(plan.quasi), catalog.value_labels())
        local.add_to_codebook(codebook)  # Hook (local questions): the labels of their answers
        if options.file_format in ("sav", "dta"):
            from survey.services.research.labelled import write_labelled  # pandas and pyreadstat: only here

            values = {column["name"]: column["values"] for column in codebook["columns"]}
            write_labelled(files.stage, files.data, options.file_format, columns, values, file_label=MICRODATA_TITLE)
        digest = sha256_of(files.data)
        codebook = build_codebook(columns, replace(facts, sha256=digest), tally.present(plan.quasi),
                                  catalog.value_labels())  # fmt: skip
        local.add_to_codebook(codebook)
        files.publish_with(codebook, codebook_markdown(codebook))
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
            "generalisation": facts.generalisation,
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
        generalisation=facts.generalisation,
        summary=plan.summary(),
        seconds=time.monotonic() - started,
        recoding=plan,
    )
