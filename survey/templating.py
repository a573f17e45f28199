"""Jinja settings: undefined names fail loudly, and a few helpers every template uses."""

from __future__ import annotations

from flask import Flask, request, url_for
from flask_babel import get_locale
from jinja2 import StrictUndefined


def url_with_language(language: str) -> str:
    """The current page in another language (the choice is remembered in a cookie)."""
    args = {key: value for key, value in request.args.items() if key != "lang"}
    endpoint = request.endpoint or "main.index"
    return url_for(endpoint, **(request.view_args or {}), **args, lang=language)


def init_app(app: Flask) -> None:
    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.globals.update(
        current_language=lambda: str(get_locale() or "vi"), url_with_language=url_with_language
    )
