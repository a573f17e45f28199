"""`export-anonymised`, `purge` and `erase-response`: research microdata, retention and erasure."""

from __future__ import annotations

import sys

import click
from flask import current_app

from survey.extensions import db
from survey.services.research.columns import FORMATS, OMITTABLE, TEXT_MODES
from survey.services.research.export import ExportError, ExportOptions, export_anonymised
from survey.services.responses.retention import (
    EraseError,
    erase_response_by_link,
    purge_expired_contacts,
    token_from_text,
)
from survey.services.responses.spam import SIGNAL_DAYS, forget_old_signals


def _omitted(raw: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(name.strip() for name in raw.split(",") if name.strip()))
    unknown = [name for name in names if name not in OMITTABLE]
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)}: only {', '.join(OMITTABLE)} can be left out")
    return names


@click.command("export-anonymised")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="File to write (e.g. survey.csv).")
@click.option("--format", "file_format", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("--k", type=int, default=5, show_default=True, help="Every published group holds at least k rows.")
@click.option("--text", type=click.Choice(TEXT_MODES), default="redacted", show_default=True,
              help="Citizens' comments: redacted again on export, or left out.")  # fmt: skip
@click.option("--from", "month_from", metavar="YYYY-MM", help="First month (default: the earliest).")
@click.option("--to", "month_to", metavar="YYYY-MM", help="Last month (default: the latest).")
@click.option("--l-diversity", type=int, default=None, metavar="L",
              help="Also require at least L distinct ratings in every group (2-5).")  # fmt: skip
@click.option("--omit", default="", metavar="COL,COL",
              help=f"Leave quasi-identifiers out so the others keep more detail: {', '.join(OMITTABLE)}.")  # fmt: skip
@click.option("--max-suppression", type=float, default=0.05, show_default=True,
              help="Largest share of rows that may be dropped when generalising is not enough.")  # fmt: skip
@click.option("--quiet", is_flag=True, help="No progress bar.")
def export_anonymised_command(
    out: str,
    file_format: str,
    k: int,
    text: str,
    month_from: str | None,
    month_to: str | None,
    l_diversity: int | None,
    omit: str,
    max_suppression: float,
    quiet: bool,
) -> None:
    """Write de-identified microdata for researchers, with OUT.codebook.json and OUT.codebook.md beside it.

    Office, month, procedure, channel, age band and sex are generalised (office → province → region,
    month → quarter → year, rare procedures → khác, wider age bands) until every combination occurs at least
    k times; rows are dropped only as a last resort. No internal ids, contact details or dossier data.
    """
    options = ExportOptions(
        file_format=file_format,
        k=k,
        text=text,
        month_from=month_from,
        month_to=month_to,
        l_diversity=l_diversity,
        omit=_omitted(omit),
        max_suppression=max_suppression,
    )
    try:
        options.check()
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


@click.command("purge")
def purge_command() -> None:
    """Delete call-back contact details past their retention period (SURVEY_RETENTION_DAYS), and the spam
    rules' records of submissions (hashed addresses) after two days. Safe to repeat.

    Run it daily, e.g. from cron:

    \b
        15 3 * * * cd /srv/survey && .venv/bin/flask --app wsgi purge >> /var/log/survey-purge.log 2>&1
    """
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


COMMANDS = (export_anonymised_command, purge_command, erase_response_command)
