"""`seed-demo`: catalog plus realistic synthetic responses, for trying the service."""

from __future__ import annotations

import sys

import click
from flask import current_app
from sqlalchemy import select

from survey.extensions import db
from survey.models import Response
from survey.services.demo.seed import seed_demo


@click.command("seed-demo")
@click.option("--responses", "count", type=click.IntRange(min=0, max=50_000_000), default=20_000, show_default=True)
@click.option("--seed", type=int, default=2025, show_default=True, help="Same seed, same data (on the same day).")
@click.option("--months", type=click.IntRange(1, 60), default=12, show_default=True)
@click.option("--only-if-empty", is_flag=True, help="Do nothing if the database already holds responses.")
def seed_demo_command(count: int, seed: int, months: int, only_if_empty: bool) -> None:
    """Load the starter catalog and demo offices and replace demo responses with COUNT new ones."""
    if not current_app.config.get("DEMO_ALLOWED"):
        raise click.ClickException("seed-demo is refused in production: demo data would mix with real responses")
    if only_if_empty and db.session.scalar(select(Response.id).limit(1)) is not None:
        click.echo("The database already holds responses: demo data not loaded.")
        return
    with click.progressbar(length=count, label="Responses", file=sys.stderr) as bar:
        last = [0]

        def progress(done: int, _total: int) -> None:
            bar.update(done - last[0])
            last[0] = done

        summary = seed_demo(db.session(), responses=count, seed=seed, months=months, progress=progress)
    click.echo(
        f"Demo data ready: {summary.responses:,} responses ({summary.comments:,} with comments) "
        f"in {summary.offices} offices, {summary.procedures} procedures, "
        f"{summary.months[0]} to {summary.months[-1]}, in {summary.seconds:.1f} s."
    )


COMMANDS = (seed_demo_command,)
