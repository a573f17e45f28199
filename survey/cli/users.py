"""`create-user`: an official, researcher, admin or clerk account, from the operator's shell."""

from __future__ import annotations

import sys

import click

from survey.extensions import db
from survey.models import ROLES
from survey.services.accounts.users import UserError, create_user


def _read_password_from_stdin() -> str:
    """One line from standard input, without its line ending (spaces inside or around are kept)."""
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.option(
    "--office",
    "office_code",
    help="Office code; required for an official (sees it and offices under it) or a clerk (keys in its paper sheets).",
)
@click.option(
    "--password-stdin", is_flag=True,
    help="Read the password (final) from standard input; otherwise a one-time password is printed.",
)  # fmt: skip
def create_user_command(email: str, role: str, office_code: str | None, password_stdin: bool) -> None:
    """Create an account. Without --password-stdin, prints a one-time password to be changed at first sign-in."""
    password = None
    if password_stdin:
        password = _read_password_from_stdin()
        if not password:
            raise click.ClickException("no password on standard input (one line expected)")
    try:
        user, one_time = create_user(db.session(), email=email, role=role, office_code=office_code, password=password)
    except UserError as error:
        raise click.ClickException(f"{error.field}: {error.message}") from None
    where = f" for office {user.office.code}" if user.office else ""
    click.echo(f"Created {user.role} {user.email}{where}.")
    if one_time:
        click.echo(f"One-time password (shown once; must be changed at first sign-in): {one_time}")


COMMANDS = (create_user_command,)
