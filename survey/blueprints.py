"""Every blueprint of the service, registered by `create_app` in this order."""

from __future__ import annotations

from importlib import import_module

from flask import Blueprint, Flask

# module path -> name of its Blueprint object
BLUEPRINTS = (
    ("survey.main.views", "main"),
    ("survey.citizen.views", "citizen"),
    ("survey.api.views", "api"),
    ("survey.auth.views", "auth"),
    ("survey.dashboard.views", "dashboard"),
    ("survey.themes.views", "themes"),
    ("survey.admin.views", "admin"),
    ("survey.research.views", "research"),
)


def register_blueprints(app: Flask) -> None:
    for module_path, attribute in BLUEPRINTS:
        blueprint: Blueprint = getattr(import_module(module_path), attribute)
        app.register_blueprint(blueprint)
