"""Flask commands (`flask --app wsgi …`), one module per job; each exits non-zero with a clear message on bad input."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from survey.cli import catalog, demo, report

    for module in (catalog, demo, report):
        for command in module.COMMANDS:
            app.cli.add_command(command)
