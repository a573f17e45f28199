"""`export-anonymised`, `export-aggregates`, `purge` and `erase-response`: research files, retention, erasure."""

from __future__ import annotations

import sys

import click
from flask import current_app

from survey.extensions import db
from survey.services.research.aggregates import DIMENSIONS, TABLE_FORMATS, TableOptions, export_aggregates
from survey.services.research.columns import DEFAULT_QUASI, FORMATS, OTHER_COLUMNS, QUASI_IDENTIFIERS, TEXT_MODES
from survey.services.research.export import ExportError, ExportOptions, Preview, export_anonymised, preview_export
from survey.services.responses.retention import (
    EraseError,
    erase_response_by_link,
    purge_expired_contacts,
    token_from_text,
)
from survey.services.responses.spam import SIGNAL_DAYS, forget_old_signals
from survey.services.sms.retention import purge_sms


def _names(raw: str | None) -> tuple[str, ...] | None:
    if raw is None:
        return None
    return tuple(dict.fromkeys(name.strip() for name in raw.split(",") if name.strip()))


@click.command("export-anonymised")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="File to write (e.g. survey.csv).")
@click.option("--format", "file_format", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="csv, parquet (typed), sav (SPSS) or dta (Stata), both with Vietnamese labels.")  # fmt: skip
@click.option("--k", type=int, default=5, show_default=True, help="Every published group holds at least k rows.")
@click.option("--quasi", metavar="COL,COL",
              help=f"Quasi-identifiers in the file (default {','.join(DEFAULT_QUASI)}; any of "
              f"{','.join(QUASI_IDENTIFIERS)}). Fewer keep more detail in each.")  # fmt: skip
@click.option("--columns", metavar="COL,COL",
              help=f"Other columns in the file (default all: {','.join(OTHER_COLUMNS)}).")  # fmt: skip
@click.option("--text", type=click.Choice(TEXT_MODES), default="redacted", show_default=True,
              help="Citizens' comments: redacted again on export, or left out.")  # fmt: skip
@click.option("--from", "month_from", metavar="YYYY-MM", help="First month (default: the earliest).")
@click.option("--to", "month_to", metavar="YYYY-MM", help="Last month (default: the latest).")
@click.option("--l-diversity", type=int, default=None, metavar="L",
              help="Also require at least L distinct ratings in every group (2-5).")  # fmt: skip
@click.option("--max-suppression", type=float, default=0.05, show_default=True,
              help="Largest share of rows that may be dropped when generalising is not enough.")  # fmt: skip
@click.option("--preview", is_flag=True, help="Only say what the file would keep and drop; write nothing.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def export_anonymised_command(
    out: str,
    file_format: str,
    k: int,
    quasi: str | None,
    columns: str | None,
    text: str,
    month_from: str | None,
    month_to: str | None,
    l_diversity: int | None,
    max_suppression: float,
    preview: bool,
    quiet: bool,
) -> None:
    """Write de-identified microdata for researchers, with OUT.codebook.json and OUT.codebook.md beside it.

    Each group of rows is generalised on its own (local recoding) until every combination of the
    quasi-identifiers occurs at least k times: a rare procedure becomes its field, a small office its
    province, a thin month its quarter; rows are dropped only as a last resort. No internal ids, contact
    details or dossier data.
    """
    options = ExportOptions(
        file_format=file_format,
        k=k,
        text=text,
        month_from=month_from,
        month_to=month_to,
        l_diversity=l_diversity,
        quasi=_names(quasi),
        columns=_names(columns),
        max_suppression=max_suppression,
    )
    try:
        options.check()
        if preview:
            _print_preview(preview_export(db.session(), options))
            return
        with click.progressbar(length=1, label="Exporting", file=sys.stderr, hidden=quiet) as bar:
            shown = [0]

            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - shown[0])
                shown[0] = done

            result = export_anonymised(db.session(), out, options, actor="cli", progress=progress)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    for line in result.summary:
        click.echo(f"  {line}")
    click.echo(
        f"Wrote {result.rows_written:,} rows to {result.path} ({result.rows_dropped:,} of {result.rows_total:,} "
        f"dropped, {100 * result.dropped_share:.1f} %) in {result.seconds:.1f} s; SHA-256 {result.sha256}"
    )
    click.echo(f"Codebook: {result.codebook_json} and {result.codebook_markdown}")


def _print_preview(preview: Preview) -> None:
    click.echo(f"{preview.rows_total:,} responses, {preview.first_month} to {preview.last_month}; nothing written.")
    for name, levels in preview.levels().items():
        click.echo(f"  {name}: " + ", ".join(f"{level} {100 * share:.1f} %" for level, share in levels))
    click.echo(f"  {preview.recoding.summary()[-1]}")


@click.command("export-aggregates")
@click.option("--by", "by", required=True, metavar="COL[,COL]",
              help=f"One or two of {', '.join(DIMENSIONS)}.")  # fmt: skip
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="File to write (e.g. tables.csv).")
@click.option("--format", "file_format", type=click.Choice(TABLE_FORMATS), default="csv", show_default=True)
@click.option("--min-n", type=int, default=5, show_default=True,
              help="Cells with fewer responses are hidden, and enough others that none can be worked out.")  # fmt: skip
@click.option("--from", "month_from", metavar="YYYY-MM", help="First month (default: the earliest).")
@click.option("--to", "month_to", metavar="YYYY-MM", help="Last month (default: the latest).")
def export_aggregates_command(
    by: str, out: str, file_format: str, min_n: int, month_from: str | None, month_to: str | None
) -> None:
    """Write tables of n, satisfied, share and its 95 % Wilson interval by one or two columns, read from the
    rollups, with small cells suppressed so that none can be recovered from the published totals; with
    OUT.codebook.json and OUT.codebook.md beside it."""
    try:
        options = TableOptions(
            by=_names(by) or (), file_format=file_format, min_n=min_n, month_from=month_from, month_to=month_to
        )
        result = export_aggregates(db.session(), out, options, actor="cli")
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    table = result.table
    click.echo(
        f"Wrote {len(table.cells):,} cells and {len(table.totals):,} totals by {', '.join(options.by)} to "
        f"{result.path}: {table.suppressed_primary:,} under min-n = {min_n} suppressed, "
        f"{table.suppressed_complementary:,} more so they cannot be worked out from the totals."
    )
    click.echo(f"Codebook: {result.codebook_json} and {result.codebook_markdown}")


@click.command("purge")
def purge_command() -> None:
    """Delete call-back contact details past their retention period (SURVEY_RETENTION_DAYS), the SMS channel's
    phone hashes once their reply window has closed (and numbers of messages never sent), and the spam rules'
    records of submissions (hashed addresses) after two days. Safe to repeat.

    Run it daily, e.g. from cron:

    \b
        15 3 * * * cd /srv/survey && .venv/bin/flask --app wsgi purge >> /var/log/survey-purge.log 2>&1
    """
    sms = purge_sms(db.session(), reply_hours=current_app.config["SMS_REPLY_HOURS"])
    if sms.hashes or sms.numbers:
        click.echo(
            f"Forgot {sms.hashes} SMS number hash(es) whose reply window closed and {sms.numbers} unsent number(s)."
        )
    forgotten = forget_old_signals(db.session())
    if forgotten:
        click.echo(f"Deleted {forgotten} spam-check record(s) of submissions older than {SIGNAL_DAYS} days.")
    result = purge_expired_contacts(db.session(), retention_days=current_app.config["RETENTION_DAYS"])
    if not result.deleted:
        click.echo("No call-back contact details past their retention period: nothing deleted.")
        return
    click.echo(
        f"Deleted {result.deleted} call-back contact detail(s) given on or before {result.newest_consent:%Y-%m-%d} "
        f"(retention {result.retention_days} days)."
    )


@click.command("erase-response")
@click.argument("token_or_url")
def erase_response_command(token_or_url: str) -> None:
    """Erase the response given through a one-time survey link (the citizen's request), keeping the totals right."""
    try:
        result = erase_response_by_link(
            db.session(), token_from_text(token_or_url), secret=current_app.config["SECRET_KEY"]
        )
    except EraseError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Erased the response of {result.month} at office {result.office_code} "
        f"({result.contacts} call-back contact(s), {result.themes} theme assignment(s)); "
        "the dossier cannot be rated again."
    )


COMMANDS = (export_anonymised_command, export_aggregates_command, purge_command, erase_response_command)
