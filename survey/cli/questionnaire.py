"""`import-questionnaire`: a questionnaire version (and local questions) from JSON, all or nothing."""

from __future__ import annotations

import click

from survey.extensions import db
from survey.services.catalog.questionnaire_import import (
    Actor,
    QuestionnaireImportError,
    VersionStateError,
    import_questionnaire,
    read_file,
)


@click.command("import-questionnaire")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--publish", is_flag=True, help="Publish it at once: new links render this version from now on.")
def import_questionnaire_command(file: str, publish: bool) -> None:
    """Import FILE: a questionnaire version checked against survey/data/questionnaire.schema.json.

    A new version number imports a draft (or, with --publish, the version new links render); an existing
    version's number with the same national questions appends its local questions to that version.
    """
    try:
        outcome = import_questionnaire(db.session(), read_file(file), actor=Actor("cli"), file_name=file,
                                       publish=publish)  # fmt: skip
    except QuestionnaireImportError as exc:
        click.echo(f"{file}: nothing imported, {len(exc.problems)} problem(s):", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None
    except VersionStateError as exc:
        raise click.ClickException(f"imported nothing: {exc}") from None
    what = "imported" if outcome.created else "local questions added to"
    state = "published" if outcome.published else "not published yet: publish it on the admin pages"
    click.echo(f"Version {outcome.version} {what}: {outcome.local_questions} local question(s); {state}.")


COMMANDS = (import_questionnaire_command,)
