"""Who may open what: sign-in and role guards for views, and the rule that a one-time password is changed first.

Use `@login_required` on any officials' page, `@role_required("admin")` (or `*AREA_ROLES["themes"]`) where only
some roles belong. Pages send a stranger to /login?next=…; paths under /api/ answer JSON 401 instead.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _

from survey.auth.identity import current_user
from survey.models import ROLES, User

View = TypeVar("View", bound=Callable[..., Any])

# The roles that may use each officials' area (a blueprint name); the layout's nav follows the same table.
AREA_ROLES: dict[str, tuple[str, ...]] = {
    "dashboard": ("official", "researcher", "admin"),
    "themes": ("official", "admin"),
    "callbacks": ("official", "admin"),
    "actions": ("official", "admin"),
    "research": ("researcher", "admin"),
    "admin": ("admin",),
    "paper": ("official", "admin", "clerk"),
}

# A clerk keys in paper sheets and nothing else: outside these blueprints (the paper data entry, signing in and
# out, changing their password, and the public pages) every page refuses them.
CLERK_BLUEPRINTS = frozenset({"paper", "auth", "main", "citizen", "results"})

# Endpoints a user with a one-time password may still reach.
OPEN_WHILE_PASSWORD_MUST_CHANGE = frozenset({"auth.change_password", "auth.logout", "static"})


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def safe_next(target: str | None) -> str | None:
    """A local path to return to after signing in, or None (never another site: no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _next_of_this_request() -> str:
    return request.full_path.rstrip("?") if request.query_string else request.path


def unauthenticated() -> Any:
    """The answer for a stranger: JSON 401 for the API, the sign-in page (coming back here after) otherwise."""
    if is_api_request():
        body = {"errors": [{"field": None, "message": _("Sign in or send an API key.")}]}
        return jsonify(body), 401, {"WWW-Authenticate": "Bearer"}
    return redirect(url_for("auth.login", next=_next_of_this_request()))


def may_use_area(user: User | None, area: str) -> bool:
    """Whether `user` may open the officials' area `area` (a blueprint name, e.g. "themes")."""
    return user is not None and user.role in AREA_ROLES.get(area, ())


def login_required(view: View) -> View:
    """Only a signed-in, active user gets past; others are sent to sign in (pages) or get 401 (API)."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return unauthenticated()
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


def role_required(*roles: str) -> Callable[[View], View]:
    """Only a signed-in user with one of `roles` gets past; another signed-in user gets 403."""
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"role_required needs roles among {', '.join(ROLES)}; got {roles!r}")

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return unauthenticated()
            if user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def _forget_previous_request() -> None:
    """Start each request without the last one's user, language or CSRF token.

    In production every request has its own `g`; under a test client that keeps an app context open, `g` is
    shared between requests, and a cached user would outlive a sign-out in another client.
    """
    csrf_field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    for name in ("current_user", "user_locale", "csrf_valid", csrf_field):
        g.pop(name, None)


def _insist_on_password_change() -> Any:
    """A user signed in with a one-time password may do nothing but change it (or sign out)."""
    if request.endpoint in (None, "static"):
        return None
    if is_api_request() and request.headers.get("Authorization"):
        return None  # an API key speaks for a system, not for this session
    user = current_user()
    if user is None:
        return None
    g.user_locale = user.locale  # an official's saved language, unless they chose another just now
    if not user.must_change_password or request.endpoint in OPEN_WHILE_PASSWORD_MUST_CHANGE:
        return None
    if is_api_request():
        body = {"errors": [{"field": None, "message": _("Change your one-time password first.")}]}
        return jsonify(body), 403
    return redirect(url_for("auth.change_password"))


def _keep_clerks_to_paper() -> Any:
    """A clerk's sign-in opens the paper data entry and the public pages only: every other page answers 403."""
    if request.endpoint in (None, "static") or request.blueprint in CLERK_BLUEPRINTS:
        return None
    if is_api_request() and request.headers.get("Authorization"):
        return None  # an API key speaks for a system, not for this session
    user = current_user()
    if user is None or user.role != "clerk":
        return None
    if is_api_request():
        return jsonify({"errors": [{"field": None, "message": _("This account may only key in paper sheets.")}]}), 403
    abort(403)


def _template_helpers() -> dict[str, Any]:
    def nav_allowed(endpoint: str) -> bool:
        """Show a nav entry only when the page exists and the signed-in user's role may open it."""
        area = endpoint.split(".", 1)[0]
        return endpoint in current_app.view_functions and may_use_area(current_user(), area)

    return {"current_user": current_user, "nav_allowed": nav_allowed}


def init_app(app: Flask) -> None:
    """Install the password-change rule and the template helpers (called when the auth blueprint registers)."""
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_previous_request)  # before the CSRF check
    app.before_request(_insist_on_password_change)
    app.before_request(_keep_clerks_to_paper)
    app.context_processor(_template_helpers)
