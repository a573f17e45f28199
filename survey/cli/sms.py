"""`send-sms`: hand queued SMS messages to the gateway, retrying those that failed."""

from __future__ import annotations

import click
from flask import current_app

from survey.api.sms import send_settings
from survey.extensions import db
from survey.services.sms.outbox import send_due


@click.command("send-sms")
def send_sms_command() -> None:
    """Send the SMS messages that are due (invitations held overnight, retries); safe to repeat and to run twice at
    once. Run it every minute, e.g. from cron:

    \b
        * * * * * cd /srv/survey && .venv/bin/flask --app wsgi send-sms >> /var/log/survey-sms.log 2>&1
    """
    if not current_app.config["SMS_GATEWAY_URL"]:
        raise click.ClickException("SURVEY_SMS_GATEWAY_URL is not set: there is no gateway to send through.")
    result = send_due(db.session(), send_settings(current_app.config))
    click.echo(
        f"Sent {result.sent}, to retry {result.retrying}, given up {result.failed}, "
        f"held until daytime {result.waiting}."
    )


COMMANDS = (send_sms_command,)
