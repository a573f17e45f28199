"""`report`: satisfaction against the target, per procedure, office, month or channel."""

from __future__ import annotations

import csv
import json
import sys
from typing import Any

import click
from flask import current_app

from survey.extensions import db
from survey.services.reporting.comparison import ADJUSTED_FIELDS, ADJUSTMENTS, REFERENCES, adjusted_fields
from survey.services.reporting.query import ReportFilter
from survey.services.reporting.summary import GROUPS, GroupFigure, Settings, group_figures
from survey.services.reporting.weighted import WEIGHTED_FIELDS, WEIGHTED_GROUPS, as_fields, weighted_figures
from survey.services.spreadsheet_safety import safe_cell

COLUMNS = ("n", "satisfied", "share", "ci_low", "ci_high", "status")
STATUS_TEXT = {"met": "met", "not_met": "NOT MET", "cant_tell": "can't tell yet", "too_few": "too few"}


def _percent(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


def _print_table(figures: list[GroupFigure], group_by: str) -> None:
    named = group_by in ("procedure", "office")
    header = [group_by, "name", "n", "satisfied", "share", "95% CI", "target", "status"]
    body = [
        [
            figure.code,
            figure.name[:48],
            str(figure.summary["n"]),
            str(figure.summary["satisfied"]),
            _percent(figure.summary["share"]),
            f"{_percent(figure.summary['ci_low'])}–{_percent(figure.summary['ci_high'])}"
            if figure.summary["ci_low"] is not None
            else "",
            _percent(figure.target),
            STATUS_TEXT[figure.summary["status"]],
        ]
        for figure in figures
    ]
    if not named:
        header.pop(1)
        body = [line[:1] + line[2:] for line in body]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    for line in [header, ["-" * w for w in widths], *body]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    if not body:
        click.echo("(no responses)")


def _print_adjusted(rows: list[dict[str, Any]], reference: str) -> None:
    click.echo(f"\nAdjusted for procedure mix (reference: {reference}); funnel = 95 % / 99.8 % binomial limits")
    for row in rows:
        if row["adjusted_share"] is not None:
            interval = f"{_percent(row['adj_ci_low'])}–{_percent(row['adj_ci_high'])}"
            click.echo(f"  {row['office']:<10} expected {_percent(row['expected_share']):>7}  "
                       f"adjusted {_percent(row['adjusted_share']):>7} ({interval})  {row['funnel']}")  # fmt: skip


def _print_weighted(rows: list[dict[str, Any]], group_by: str) -> None:
    click.echo("\nWeighted by dossiers handled (Kish effective n)")
    for row in rows:
        if row["weighted_share"] is not None:
            interval = f"{_percent(row['weighted_ci_low'])}–{_percent(row['weighted_ci_high'])}"
            share, n_eff = _percent(row["weighted_share"]), row["effective_n"]
            click.echo(f"  {row[group_by]:<10} weighted {share:>7} ({interval})  n_eff {n_eff:>8}  "
                       f"dossiers {row['volume']}  {row['weighted_status']}")  # fmt: skip


@click.command("report")
@click.option("--group-by", type=click.Choice(GROUPS), default="procedure", show_default=True)
@click.option("--target", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=None,
              help="One target for all groups (default: each group's own, else the deployment's 0.9).")  # fmt: skip
@click.option(
    "--min-n", type=click.IntRange(min=1), default=None, help="Fewer answers than this: too few (default 30)."
)
@click.option("--verified-only", is_flag=True, help="Only responses from one-time links.")
@click.option("--format", "output", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--adjust", type=click.Choice(ADJUSTMENTS), default=None,
              help="With --group-by office: add the procedure-mix adjusted share and funnel.")  # fmt: skip
@click.option("--weighted", is_flag=True,
              help="Add shares weighted by dossiers handled (import-figures), with Kish's effective n.")  # fmt: skip
@click.option("--reference", type=click.Choice(REFERENCES), default="national", show_default=True,
              help="The rates the adjustment compares with: the country's, or each office's province's.")  # fmt: skip
def report(
    group_by: str,
    target: float | None,
    min_n: int | None,
    verified_only: bool,
    output: str,
    adjust: str | None,
    reference: str,
    weighted: bool,
) -> None:
    """Share of satisfied citizens (rating 4-5) with its 95 % Wilson interval and status against the target."""
    if adjust is not None and group_by != "office":
        raise click.UsageError("--adjust procedure-mix compares offices: use it with --group-by office")
    if weighted and group_by not in WEIGHTED_GROUPS:
        raise click.UsageError(
            "--weighted needs --group-by procedure, office or month (channels have no dossier volume)"
        )
    settings = Settings.from_config(current_app.config)
    if min_n is not None:
        settings = Settings(default_target=settings.default_target, min_n=min_n)
    figures = group_figures(
        db.session(),
        None,
        ReportFilter(verified_only=verified_only),
        group_by=group_by,
        settings=settings,
        target=target,
    )
    rows = [{group_by: figure.code, **figure.summary} for figure in figures]
    columns = [group_by, *COLUMNS]
    if adjust is not None:
        where = ReportFilter(verified_only=verified_only)
        adjusted = adjusted_fields(db.session(), None, where, settings, reference=reference)
        empty: dict[str, Any] = dict.fromkeys(ADJUSTED_FIELDS)
        rows = [{**row, **adjusted.get(str(row[group_by]), empty)} for row in rows]
        columns += ADJUSTED_FIELDS
    if weighted:
        by_group = weighted_figures(
            db.session(), None, ReportFilter(verified_only=verified_only), group_by=group_by, settings=settings,
            target=target,
        )  # fmt: skip
        rows = [{**row, **as_fields(by_group.get(str(row[group_by])))} for row in rows]
        columns += WEIGHTED_FIELDS
    if output == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif output == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({key: safe_cell(value) for key, value in row.items()} for row in rows)
    else:
        _print_table(figures, group_by)
        if adjust is not None:
            _print_adjusted(rows, reference)
        if weighted:
            _print_weighted(rows, group_by)


COMMANDS = (report,)
