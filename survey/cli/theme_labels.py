"""`classify-comments` and `retrain-themes`: keep every comment's official theme current, and learn from corrections.

`classify-comments` labels the comments no model has labelled yet, in batches (a systemd timer or cron job, or
`--loop` as a long-running worker); officials' corrections are never overwritten. `retrain-themes` trains a new
classifier on the shipped corpus plus the corrections, prints the held-out metrics of the model in use and the
new one side by side, and installs the new one in the installed-model folder (SURVEY_THEMES_MODEL_DIR, default
<instance>/themes) only when it is not worse; otherwise it exits with status 1 and says why. Progress goes to
standard error, results to standard output.
"""

from __future__ import annotations

import time
from typing import Any

import click
from flask import current_app

from survey.extensions import db
from survey.services.themes.installed import LoadedModel, current_model, current_version, model_folder
from survey.services.themes.labels import BATCH, count_stale, count_unlabelled, label_comments, relabel_stale
from survey.services.themes.retrain import RetrainOutcome, retrain


def _progress(message: str) -> None:
    click.echo(f"  … {message}", err=True)


@click.command("classify-comments")
@click.option("--batch", type=click.IntRange(min=1, max=20000), default=BATCH, show_default=True, help="Per commit.")
@click.option("--loop", is_flag=True, help="Keep running: classify new comments every --every seconds.")
@click.option("--every", type=click.IntRange(min=1), default=60, show_default=True, help="Seconds between rounds.")
def classify_comments(batch: int, loop: bool, every: int) -> None:
    """Give every stored comment without an official theme its theme(s) from the classifier.

    Then give again the labels an older model gave (after an upgrade or a `retrain-themes`)."""
    folder = model_folder(current_app)
    while True:
        pending = count_unlabelled(db.session())
        stale = count_stale(db.session(), current_version(folder))
        if pending or stale:
            _label_round(current_model(folder), pending, stale, batch)
        elif not loop:
            click.echo("Every comment already has its theme; nothing to do.")
        db.session.remove()  # release the connection between rounds
        if not loop:
            return
        time.sleep(every)


def _label_round(loaded: LoadedModel, pending: int, stale: int, batch: int) -> None:
    """Label the new comments first, then again those an older model labelled, saying how long each took."""
    if pending:
        click.echo(f"{pending} comments to classify with the {loaded.version} model", err=True)
        started = time.perf_counter()
        done = label_comments(db.session(), loaded, batch=batch, progress=_progress)
        click.echo(f"{done} comments classified in {time.perf_counter() - started:.1f} s.")
    if stale:
        click.echo(f"{stale} comments labelled by an older model; labelling them again", err=True)
        started = time.perf_counter()
        done = relabel_stale(db.session(), loaded, batch=batch, progress=_progress)
        click.echo(f"{done} comments labelled again with the {loaded.version} model in "
                   f"{time.perf_counter() - started:.1f} s.")  # fmt: skip


def _row(label: str, before: Any, after: Any) -> str:
    def show(value: Any) -> str:
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    change = f"{after - before:+.3f}" if isinstance(before, float) and isinstance(after, float) else ""
    return f"  {label:<26} {show(before):>9} {show(after):>9} {change:>8}"


def _print_metrics(outcome: RetrainOutcome) -> None:
    current, new = outcome.current, outcome.new
    click.echo(f"Held-out split of the shipped corpus: {current['test_rows']} comments.")
    click.echo(f"  {'':<26} {'in use':>9} {'new':>9} {'change':>8}")
    click.echo(_row("macro-F1 (official themes)", current["macro_f1_official"], new["macro_f1_official"]))
    click.echo(_row("accuracy", current["accuracy"], new["accuracy"]))
    for code, figures in current["per_label"].items():
        after = new["per_label"].get(code, {}).get("f1", 0.0)
        click.echo(_row(f"F1 {code}", float(figures["f1"]), float(after)))


@click.command("retrain-themes")
@click.option("--out", "out", type=click.Path(file_okay=False), help="Install here (default: SURVEY_THEMES_MODEL_DIR).")
@click.option("--dry-run", is_flag=True, help="Train and compare, but install nothing.")
def retrain_themes(out: str | None, dry_run: bool) -> None:
    """Retrain the official-theme classifier on the shipped corpus plus officials' corrections."""
    from pathlib import Path

    folder = Path(out) if out else model_folder(current_app)
    started = time.perf_counter()
    outcome = retrain(db.session(), folder, dry_run=dry_run, progress=_progress)
    _print_metrics(outcome)
    seconds = time.perf_counter() - started
    summary = f"{outcome.corrections} corrections used, {seconds:.0f} s."
    if outcome.refused is not None:
        click.echo(f"Refused: {outcome.refused}. Nothing installed; {summary}", err=True)
        raise SystemExit(1)
    if dry_run:
        click.echo(f"Dry run: the new model would be installed in {folder}; nothing installed. {summary}")
        return
    click.echo(f"Installed in {outcome.installed}; running processes use it from their next classification. {summary}")
    click.echo("`flask classify-comments` (or its --loop job) now gives the comments labelled before their new labels.")


COMMANDS = (classify_comments, retrain_themes)
