"""`backup`: a consistent copy of a running SQLite installation (PostgreSQL installations use pg_dump)."""

from __future__ import annotations

from pathlib import Path

import click

from survey.extensions import db
from survey.services.backup import BackupError, backup_sqlite

PG_DUMP_HINT = (
    "this installation runs on PostgreSQL: back it up with pg_dump, e.g.\n"
    '  pg_dump --format=custom --file=survey-$(date +%F).dump "${SURVEY_DATABASE_URL/+psycopg/}"\n'
    "and restore with pg_restore (see the README, 'Backups')"
)


@click.command("backup")
@click.option(
    "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="The new file to write (never overwritten).",
)  # fmt: skip
def backup_command(out: Path) -> None:
    """Copy the SQLite database to OUT while the service runs (SQLite's online backup API)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(PG_DUMP_HINT)
    if not url.database or url.database == ":memory:":
        raise click.ClickException("the database is in memory: there is no file to back up")
    try:
        summary = backup_sqlite(Path(url.database), out)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Backed up {summary.responses} responses ({summary.size:,} bytes, schema {summary.schema_revision}) "
        f"to {summary.path}."
    )


COMMANDS = [backup_command]
