"""Which language a page is shown in: an explicit choice wins, otherwise Vietnamese.

`Accept-Language` is not consulted: many Vietnamese phones run an English system language.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request
from flask_babel import refresh

LANGUAGE_COOKIE = "lang"


def chosen_language() -> str | None:
    languages = current_app.config["LANGUAGES"]
    choice = request.args.get("lang")
    if choice in languages:
        return choice
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in languages:
        return cookie
    user_locale = getattr(g, "user_locale", None)
    return user_locale if user_locale in languages else None


def select_locale() -> str:
    return chosen_language() or current_app.config["BABEL_DEFAULT_LOCALE"]


def _remember_choice(response: Response) -> Response:
    choice = request.args.get("lang")
    if (
        choice is not None
        and choice in current_app.config["LANGUAGES"]
        and request.cookies.get(LANGUAGE_COOKIE) != choice
    ):
        response.set_cookie(
            LANGUAGE_COOKIE,
            choice,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
            httponly=True,
        )
    return response


def init_app(app: Flask) -> None:
    app.before_request(refresh)  # choose the language afresh for every request, even in a shared app context
    app.after_request(_remember_choice)
