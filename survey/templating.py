"""Jinja settings: undefined names fail loudly, and a few helpers every template uses."""

from __future__ import annotations

from typing import Any

from flask import Flask, request, url_for
from flask_babel import get_locale
from jinja2 import StrictUndefined


def url_with_language(language: str) -> str:
    """The current page in another language (the choice is remembered in a cookie)."""
    # Query names that url_for reserves (`endpoint`, `_external`…) are dropped, and the route's own arguments win
    # over query names that repeat them, so `?endpoint=x` or `/s/<token>?token=x` cannot break the page.
    values: dict[str, Any] = {
        key: value for key, value in request.args.items() if key not in ("lang", "endpoint") and not key.startswith("_")
    }
    values.update(request.view_args or {})
    values["lang"] = language
    return url_for(request.endpoint or "main.index", **values)


def init_app(app: Flask) -> None:
    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.globals.update(
        current_language=lambda: str(get_locale() or "vi"), url_with_language=url_with_language
    )
