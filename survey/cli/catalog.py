"""`import-catalog`: procedures and offices from CSV, all or nothing."""

from __future__ import annotations

import click

from survey.extensions import db
from survey.services.audit import record
from survey.services.catalog.imports import CatalogImportError, import_catalog_file, load_starter_catalog


@click.command("import-catalog")
@click.argument("file", type=click.Path(dir_okay=False), required=False)
@click.option("--kind", type=click.Choice(["procedures", "offices"]), help="Default: told by the header.")
@click.option("--starter", is_flag=True, help="Load the starter catalog of procedures shipped with the service.")
def import_catalog(file: str | None, kind: str | None, starter: bool) -> None:
    """Import procedures (code,name,field,level,valid_from) or offices (code,name,level,province_code,parent_code)."""
    if starter == bool(file):
        raise click.UsageError("give a CSV FILE or --starter (not both)")
    if starter:
        results = load_starter_catalog(db.session())
    else:
        try:
            results = [import_catalog_file(db.session(), str(file), kind)]
        except CatalogImportError as exc:
            click.echo(f"{file}: nothing imported, {len(exc.errors)} problem(s):", err=True)
            for error in exc.errors:
                click.echo(f"  {error}", err=True)
            raise SystemExit(1) from None
    for result in results:
        record(db.session(), actor="cli", action="catalog.import", target=result.kind,
               details={"created": result.created, "updated": result.updated, "file": file or "starter"})  # fmt: skip
        click.echo(f"{result.kind}: {result.created} created, {result.updated} updated")
    db.session.commit()


COMMANDS = (import_catalog,)
