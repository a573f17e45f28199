"""`recluster`: complaint themes per scope and period, for a cron job or a systemd timer.

Themes the comments of dissatisfied citizens (rating ≤ 3) in an office subtree and/or procedure over a
span of months (default: the last three, this month included) and stores the run for the dashboard.
Progress goes to standard error, a short summary to standard output. A scope with too few comments is
reported and skipped (exit 0, nothing stored); bad arguments exit non-zero and store nothing.
"""

from __future__ import annotations

import click

from survey.extensions import db
from survey.services.themes.runs import (
    DEFAULT_KEEP,
    DEFAULT_MIN_COMMENTS,
    RunOutcome,
    RunScope,
    RunSettings,
    ThemeRunError,
    all_scopes,
    describe_scope,
    office_by_code,
    procedure_by_code,
    resolve_k,
    resolve_period,
    run_themes,
    theme_share,
    themes_of,
)


def _progress(message: str) -> None:
    click.echo(f"  … {message}", err=True)


def _print_outcome(label: str, outcome: RunOutcome) -> None:
    if outcome.run is None:
        click.echo(f"{label}: skipped, {outcome.skipped}; nothing stored.")
        return
    run = outcome.run
    click.echo(
        f"{label}: run {run.id}, {len(run.themes)} themes in {run.comment_count} comments "
        f"({run.dissatisfied_count} dissatisfied responses), {outcome.seconds:.1f} s"
    )
    for theme in themes_of(run):
        share = theme_share(theme, run)
        code = f" [{theme.code}]" if theme.code else ""
        click.echo(f"  {100 * (share or 0):5.1f}%  n={theme.size:<6} {theme.name}{code}")


@click.command("recluster")
@click.option("--office", "office_code", metavar="CODE", help="An office and the offices under it (default: all).")
@click.option("--procedure", "procedure_code", metavar="CODE", help="One procedure (default: all).")
@click.option("--from", "month_from", metavar="YYYY-MM", help="First month (default: two months before --to).")
@click.option("--to", "month_to", metavar="YYYY-MM", help="Last month (default: this month, Asia/Ho_Chi_Minh).")
@click.option("--k", "k_text", default="auto", show_default=True, metavar="auto|N", help="Number of themes.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: same data and seed, same themes.")
@click.option(
    "--all-scopes", "every_scope", is_flag=True, help="One run per province-level office, then one for all offices."
)
@click.option("--communes", is_flag=True, help="With --all-scopes: also one run per commune-level office.")
@click.option(
    "--min-comments",
    type=click.IntRange(min=2),
    default=DEFAULT_MIN_COMMENTS,
    show_default=True,
    help="Fewer comments than this in a scope: no run.",
)
@click.option(
    "--keep",
    type=click.IntRange(min=0),
    default=DEFAULT_KEEP,
    show_default=True,
    help="Runs kept per scope and period (older ones are deleted; 0 keeps all).",
)
def recluster(
    office_code: str | None,
    procedure_code: str | None,
    month_from: str | None,
    month_to: str | None,
    k_text: str,
    seed: int,
    every_scope: bool,
    communes: bool,
    min_comments: int,
    keep: int,
) -> None:
    """Group what dissatisfied citizens wrote into named complaint themes and store the run."""
    scopes = _scopes(office_code, procedure_code, month_from, month_to, every_scope, communes)
    try:
        settings = RunSettings(k=resolve_k(k_text), seed=seed, min_comments=min_comments, keep=keep)
    except ThemeRunError as exc:
        raise click.UsageError(str(exc)) from None
    stored = skipped = 0
    seconds = 0.0
    for scope in scopes:
        label = describe_scope(db.session(), scope)
        click.echo(f"Theming {label}", err=True)
        outcome = run_themes(db.session(), scope, settings, progress=_progress)
        _print_outcome(label, outcome)
        stored += outcome.run is not None
        skipped += outcome.run is None
        seconds += outcome.seconds
    if len(scopes) > 1:
        click.echo(f"{stored} runs stored, {skipped} scopes skipped, {seconds:.1f} s in all.")


def _scopes(
    office_code: str | None,
    procedure_code: str | None,
    month_from: str | None,
    month_to: str | None,
    every_scope: bool,
    communes: bool,
) -> list[RunScope]:
    if every_scope and (office_code or procedure_code):
        raise click.UsageError("--all-scopes chooses the offices itself: leave out --office and --procedure")
    if communes and not every_scope:
        raise click.UsageError("--communes only goes with --all-scopes")
    try:
        start, end = resolve_period(month_from, month_to)
        if every_scope:
            return all_scopes(db.session(), start, end, communes=communes)
        office = office_by_code(db.session(), office_code) if office_code is not None else None
        procedure = procedure_by_code(db.session(), procedure_code) if procedure_code is not None else None
    except ThemeRunError as exc:
        raise click.UsageError(str(exc)) from None
    return [
        RunScope(start, end, office_id=office.id if office else None, procedure_id=procedure.id if procedure else None)
    ]


COMMANDS = (recluster,)
