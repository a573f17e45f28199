"""Flask commands (`flask --app wsgi …`), one module per job; each exits non-zero with a clear message on bad input."""

from __future__ import annotations

from importlib import import_module

from flask import Flask

# Each module has COMMANDS, a tuple of click commands.
MODULES = ("catalog", "demo", "report", "links", "users", "figures", "themes", "research")


def register_commands(app: Flask) -> None:
    for name in MODULES:
        for command in import_module(f"survey.cli.{name}").COMMANDS:
            app.cli.add_command(command)
