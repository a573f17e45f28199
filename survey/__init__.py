"""The citizen satisfaction survey service: `create_app` wires settings, extensions, blueprints and commands."""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

from flask import Flask

from survey.config import Config, check_production_settings, config_class, settings_from_environment

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | dict[str, Any] | None = None) -> Flask:
    """Build the application. `config` is a config class, or a dict of overrides for the environment's class.

    The cyclic garbage collector is paused meanwhile: building the app makes many long-lived objects (modules,
    tables, routes) and nothing to collect, and collecting them as they are made cost a tenth of every start."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build_app(config)
    finally:
        if collecting:
            gc.enable()


def _build_app(config: type[Config] | dict[str, Any] | None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=os.environ.get("SURVEY_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
    )
    overrides = config if isinstance(config, dict) else {}
    app.config.from_object(config if isinstance(config, type) else config_class())
    app.config.update(settings_from_environment())
    app.config.update(overrides)
    check_production_settings(app.config)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'survey.db'}"

    import survey.models_actions  # noqa: F401  (its tables beside survey.models, for Alembic and the services)
    from survey import database, errors, formatting, i18n, logs, metrics, security, templating
    from survey.auth import guards
    from survey.extensions import babel, csrf, db, limiter
    from survey.services.catalog import cache

    database.configure_engines()
    cache.install()
    metrics.init_app(app)  # first, so its clock starts before any other hook runs
    db.init_app(app)
    database.init_migrations(app, directory=str(PROJECT_ROOT / "migrations"))
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_translation_directories=str(PROJECT_ROOT / "translations"),
    )
    logs.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    templating.init_app(app)
    formatting.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    guards.init_app(app)  # after i18n: an official's saved language is read by the guard
    _register_blueprints(app)
    errors.init_app(app)
    _register_commands(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from survey.account.views import account
    from survey.actions.views import actions
    from survey.admin.views import admin
    from survey.api.views import api
    from survey.auth.views import auth
    from survey.callbacks.views import callbacks
    from survey.citizen.views import citizen
    from survey.dashboard.views import dashboard
    from survey.main.views import main
    from survey.paper.views import paper
    from survey.research.views import research
    from survey.results.views import results
    from survey.themes.views import themes
    from survey.webhooks.views import webhooks

    blueprints = (main, citizen, api, auth, dashboard, themes, actions, admin, webhooks, research, results, account,
                  callbacks, paper)  # fmt: skip
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def _register_commands(app: Flask) -> None:
    from survey.cli import (
        alerts,
        backup,
        catalog,
        demo,
        figures,
        links,
        questionnaire,
        report,
        research,
        sms,
        theme_labels,
        themes,
        users,
        webhooks,
    )

    commands = (catalog, demo, report, links, users, figures, themes, theme_labels, research, alerts, backup,
                questionnaire, sms, webhooks)  # fmt: skip
    for module in commands:
        for command in module.COMMANDS:
            app.cli.add_command(command)
