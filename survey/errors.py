"""Error pages for people and JSON errors for the API."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from survey.auth.identity import current_user


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path in ("/healthz", "/openapi.json")


def _headers_of(error: HTTPException) -> list[tuple[str, str]]:
    """The headers the error itself carries (Allow on 405, WWW-Authenticate, Retry-After …), not its page type."""
    return [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]


def handle_http_error(error: HTTPException):
    status = error.code or 500
    headers = _headers_of(error)
    if _wants_json():
        return jsonify({"errors": [{"field": None, "message": error.description}]}), status, headers
    titles = {
        400: _("The request could not be understood"),
        403: _("You do not have access to this page"),
        404: _("Page not found"),
        405: _("This action is not allowed here"),
        413: _("What you sent is too large"),
        429: _("Too many requests: please wait a moment and try again"),
    }
    title = titles.get(status, _("Something went wrong"))
    # A signed-in official keeps the officials' menu on an error page, so one wrong link does not strand them.
    template = "officials/error.html" if current_user() is not None else "error.html"
    return render_template(template, title=title, status=status), status, headers


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
