"""`deliver-webhooks`: send the outbox's events to the endpoints that want them, outside any citizen's request.

Without `--once` it runs until stopped, a pass every `--interval` seconds (a process beside gunicorn, e.g. a
systemd service); with `--once` it makes one pass and exits (a scheduled job, e.g. cron every minute).
"""

from __future__ import annotations

import time

import click
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from survey.extensions import db
from survey.services.webhooks.delivery import PassResult, deliver_due


def _summary(result: PassResult) -> str:
    return (
        f"new deliveries {result.dispatched}, delivered {result.delivered}, "
        f"to retry {result.retrying}, given up {result.given_up}"
    )


@click.command("deliver-webhooks")
@click.option("--once", is_flag=True, help="Make one pass and exit (for a scheduled job).")
@click.option("--interval", type=click.FloatRange(min=0.5), default=5.0, show_default=True,
              help="Seconds between passes when looping.")  # fmt: skip
def deliver_webhooks(once: bool, interval: float) -> None:
    """Deliver webhook events (signed, retried with backoff for a day)."""
    timeout = float(current_app.config.get("WEBHOOK_TIMEOUT", 5.0))
    while True:
        try:
            result = deliver_due(db.session(), timeout=timeout)
        except SQLAlchemyError as error:
            if once:
                raise click.ClickException(f"the database cannot be reached: {type(error).__name__}") from None
            click.echo(f"database unavailable ({type(error).__name__}); trying again in {interval:g} s", err=True)
            result = None
        finally:
            db.session.remove()  # nothing held between passes; a failed pass is rolled back
        if once and result is not None:
            click.echo(_summary(result))
            return
        if result is not None and (result.dispatched or result.delivered or result.retrying or result.given_up):
            click.echo(_summary(result))
        time.sleep(interval)


COMMANDS = (deliver_webhooks,)
