"""`alerts`: find procedure × office pairs that fell below target or fell significantly since the last run, store
them once, and with --send mail each subscribed official one digest."""

from __future__ import annotations

import json
from typing import Any

import click
from flask import current_app
from sqlalchemy import select

from survey.extensions import db
from survey.models import Office, Procedure
from survey.services.alerts.detect import DEFAULT_MONTHS, Finding, RunResult, Window, run_alerts
from survey.services.alerts.digest import send_digests
from survey.services.alerts.mail import MailError, SmtpSettings, parse_smtp_url
from survey.services.reporting.summary import Settings

KIND_TEXT = {"not_met": "below target", "fell": "fell significantly"}


def _percent(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


def _object(finding: Finding, codes: dict[str, dict[int, str]], window: Window) -> dict[str, Any]:
    fell = finding.kind == "fell"
    return {
        "kind": finding.kind,
        "office": codes["office"][finding.office_id],
        "procedure": codes["procedure"][finding.procedure_id],
        "month_from": window.month_from,
        "month_to": window.month_to,
        "n": finding.n,
        "satisfied": finding.satisfied,
        "share": finding.satisfied / finding.n,
        "ci_low": finding.ci_low,
        "ci_high": finding.ci_high,
        "target": finding.target,
        "baseline_n": finding.baseline_n if fell else None,
        "baseline_share": finding.baseline_satisfied / finding.baseline_n if fell and finding.baseline_n else None,
        "p_value": finding.p_value,
    }


def _print_table(rows: list[dict[str, Any]], result: RunResult) -> None:
    window = result.window
    click.echo(f"Months {window.month_from} to {window.month_to}, compared with {window.baseline_from} to "
               f"{window.baseline_to}.")  # fmt: skip
    header = ["kind", "office", "procedure", "n", "share", "95% CI", "target", "before"]
    body = [
        [
            KIND_TEXT[row["kind"]], row["office"], row["procedure"], str(row["n"]), _percent(row["share"]),
            f"{_percent(row['ci_low'])}–{_percent(row['ci_high'])}", _percent(row["target"]),
            f"{_percent(row['baseline_share'])} (n={row['baseline_n']}, p={row['p_value']:.3g})"
            if row["kind"] == "fell" else "",
        ]
        for row in rows
    ]  # fmt: skip
    if body:
        widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
        for line in [header, ["-" * w for w in widths], *body]:
            click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    else:
        click.echo("No new alerts.")


def _mail_settings() -> tuple[SmtpSettings, str]:
    url, sender = current_app.config.get("SMTP_URL", ""), current_app.config.get("MAIL_FROM", "")
    if not url or not sender:
        raise click.ClickException("--send needs SURVEY_SMTP_URL and SURVEY_MAIL_FROM to be set")
    try:
        return parse_smtp_url(url), sender
    except MailError as error:
        raise click.ClickException(str(error)) from None


@click.command("alerts")
@click.option(
    "--send", is_flag=True, help="Mail each subscribed official one digest of the alerts not yet sent to them."
)
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--month", default=None, help="The last month judged, YYYY-MM (default: this month, Vietnamese time).")
@click.option("--months", type=click.IntRange(1, 12), default=DEFAULT_MONTHS, show_default=True,
              help="How many months are judged, and compared with as many months before them.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Show what would be raised; store and send nothing.")
def alerts(send: bool, output: str, month: str | None, months: int, dry_run: bool) -> None:
    """Raise alerts for pairs newly below target or significantly lower than before (each change once)."""
    if send and dry_run:
        raise click.ClickException("--send and --dry-run cannot be used together")
    mail = _mail_settings() if send else None  # checked first: a bad setting changes nothing
    try:
        window = Window.ending(month, months)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    settings = Settings.from_config(current_app.config)
    result = run_alerts(db.session(), settings=settings, window=window, dry_run=dry_run)
    codes = {
        "office": dict(db.session.execute(select(Office.id, Office.code)).all()),
        "procedure": dict(db.session.execute(select(Procedure.id, Procedure.code)).all()),
    }
    rows = sorted(
        (_object(finding, codes, window) for finding in result.raised),
        key=lambda row: (row["office"], row["procedure"], row["kind"] != "not_met"),
    )
    if output == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        _print_table(rows, result)
    stored = "not stored (dry run)" if dry_run else f"run {result.run_id}"
    click.echo(f"{len(rows)} new, {result.closed} closed; {stored}.", err=output == "json")
    if mail is not None:
        smtp, sender = mail
        try:
            sent = send_digests(
                db.session(), smtp, base_url=current_app.config["BASE_URL"], mail_from=sender, run_id=result.run_id
            )
        except MailError as error:
            raise click.ClickException(f"{error} (alerts are stored; the next --send retries)") from None
        click.echo(f"{sent} digest{'s' if sent != 1 else ''} sent.", err=output == "json")


COMMANDS = (alerts,)
