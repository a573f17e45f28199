"""`issue-link` and `create-api-key`: survey links for dossiers and posters, and keys for partner systems."""

from __future__ import annotations

import click
from flask import current_app

from survey.extensions import db
from survey.models import CHANNELS
from survey.services.accounts.api_keys import ApiKeyError, create_api_key
from survey.services.responses.invitations import MAX_EXPIRES_DAYS, LinkError, issue_dossier_link, public_link


@click.command("issue-link")
@click.option("--office", "office_code", required=True, help="Code of the office that handled the procedure.")
@click.option("--procedure", "procedure_code", help="Procedure code, e.g. 1.001193 (required with --dossier).")
@click.option("--dossier", "dossier_code", help="Dossier code: a one-time link (only its keyed hash is stored).")
@click.option("--public", "is_public", is_flag=True, help="The office's poster link; its responses are unverified.")
@click.option("--channel", type=click.Choice(CHANNELS), default="qr", show_default=True)
@click.option("--expires-days", type=click.IntRange(1, MAX_EXPIRES_DAYS), default=30, show_default=True)
def issue_link(
    office_code: str,
    procedure_code: str | None,
    dossier_code: str | None,
    is_public: bool,
    channel: str,
    expires_days: int,
) -> None:
    """Print one survey link: a one-time link for a dossier, or the office's public poster link."""
    if is_public and dossier_code:
        raise click.UsageError("--dossier and --public exclude each other: a poster link is not tied to a dossier")
    if not is_public and not (dossier_code and procedure_code):
        raise click.UsageError("give --procedure and --dossier for a one-time link, or --public for a poster link")
    settings = {"secret": current_app.config["SECRET_KEY"], "base_url": current_app.config["BASE_URL"]}
    try:
        if is_public:
            link = public_link(
                db.session(), **settings, office_code=office_code, procedure_code=procedure_code, channel=channel
            )
        else:
            assert dossier_code is not None and procedure_code is not None
            link = issue_dossier_link(
                db.session(),
                **settings,
                office_code=office_code,
                procedure_code=procedure_code,
                dossier_code=dossier_code,
                channel=channel,
                expires_days=expires_days,
            )
    except LinkError as error:
        raise click.UsageError(f"--{error.field.removesuffix('_code').replace('_', '-')}: {error.message}") from None
    click.echo(link.url)


@click.command("create-api-key")
@click.argument("name")
@click.option("--office", "office_code", help="Bind the key to this office and the offices under it.")
def create_api_key_command(name: str, office_code: str | None) -> None:
    """Create an API key and print it once: only its hash is stored."""
    try:
        raw_key, key = create_api_key(db.session(), name=name, office_code=office_code, actor="cli")
    except ApiKeyError as error:
        option = "NAME" if error.field == "name" else "--office"
        raise click.UsageError(f"{option}: {error.message}") from None
    click.echo(raw_key)
    scope = f"office {office_code} and the offices under it" if office_code else "every office"
    click.echo(f"Key {key.prefix}… (id {key.id}) for {scope}. Store it now: it cannot be shown again.", err=True)


COMMANDS = (issue_link, create_api_key_command)
