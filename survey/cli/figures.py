"""`import-figures`: office figures from one-stop systems (dossier counts, TT 01 indicators 2, 5, 6, 8, 9)."""

from __future__ import annotations

import click

from survey.extensions import db
from survey.services.reporting.figures import COLUMNS, FiguresImportError, import_figures_file


@click.command("import-figures")
@click.argument("file", type=click.Path(dir_okay=False))
def import_figures(file: str) -> None:
    """Import FILE (UTF-8 CSV) of figures per office, procedure (optional) and month; all or nothing."""
    try:
        result = import_figures_file(db.session(), file)
    except FiguresImportError as exc:
        for error in exc.errors:
            click.echo(f"{file}: {error}", err=True)
        raise click.ClickException(
            f"nothing imported: {len(exc.errors)} problem(s). Columns: {', '.join(COLUMNS)}"
        ) from None
    click.echo(f"Imported office figures: {result.created} new, {result.updated} updated.")


COMMANDS = (import_figures,)
