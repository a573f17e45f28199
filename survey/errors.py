"""Error pages for people and JSON errors for the API; 503 with Retry-After when the database cannot be reached."""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from survey.auth.identity import current_user

RETRY_AFTER_SECONDS = 30
# What a database that is down, restarting, unreachable or overloaded raises (a refused connection, a dropped one,
# SQLite's "database is locked" after its busy timeout, no free connection in the pool). A bug (a constraint, bad
# SQL) raises something else and stays a 500.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)


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


def handle_database_unavailable(error: Exception):
    """The database is away: say so (503), and when to come back (Retry-After); the pool reconnects by itself."""
    current_app.logger.warning("database unavailable: %s", type(getattr(error, "orig", None) or error).__name__)
    if _wants_json():
        message = "the service cannot reach its database just now: retry after the number of seconds in Retry-After"
        return jsonify({"errors": [{"field": None, "message": message}]}), 503
    if request.path.startswith("/s/"):
        return render_template("citizen/unavailable.html"), 503
    title = _("The service is not available right now: please try again in a few minutes")
    return render_template("error.html", title=title, status=503), 503


def _retry_after(response: Response) -> Response:
    """Every 503 tells clients when to try again (API clients, kiosks and proxies honour it)."""
    if response.status_code == 503:
        response.headers.setdefault("Retry-After", str(RETRY_AFTER_SECONDS))
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    for error in DATABASE_UNAVAILABLE:
        app.register_error_handler(error, handle_database_unavailable)
    app.after_request(_retry_after)
