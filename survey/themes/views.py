"""Complaint themes for officials: the latest theming run of an office, procedure and period, and one theme in detail.

Views read the caller's office scope and hand it to `survey.services.themes.pages`, which applies it in the
query: an official sees runs whose scope lies inside their office subtree, and example comments only from
responses of their offices, re-redacted on the way out.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from sqlalchemy import select

from survey.auth.guards import AREA_ROLES, role_required
from survey.auth.identity import current_user
from survey.extensions import db
from survey.models import Office, Procedure, User
from survey.security import keep_private
from survey.services.accounts.scoping import user_office_scope
from survey.services.themes import pages as theme_pages
from survey.themes.forms import WHOLE_COUNTRY, ThemeFilterForm, month_label
from survey.themes.sparkline import sparkline

themes = Blueprint("themes", __name__, url_prefix="/dashboard/themes")

EXAMPLES_ON_LIST = 3
EXAMPLES_PER_PAGE = 20
theme_roles = role_required(*AREA_ROLES["themes"])


@themes.after_request
def _protect(response: Response) -> Response:
    """Comments are sensitive: no caching and no referrer."""
    return keep_private(response)


@themes.context_processor
def _helpers() -> dict[str, Any]:
    return {"sparkline": lambda monthly: sparkline([count for _, count in monthly]), "month_label": month_label}


def _user_and_scope() -> tuple[User, set[int] | None]:
    user = current_user()
    assert user is not None  # role_required ran first
    return user, user_office_scope(db.session(), user)


def _code_to_id(model: type[Office] | type[Procedure], code: str) -> int | None:
    return db.session.scalar(select(model.id).where(model.code == code)) if code else None


@themes.get("")
@theme_roles
def index():
    user, scope = _user_and_scope()
    runs = theme_pages.latest_runs(db.session(), scope)
    home = (user.office.code, user.office.name) if scope is not None and user.office is not None else None
    form = ThemeFilterForm(formdata=request.args)
    form.fill_choices(runs, home_office=home)
    if not form.validate():
        page = render_template("themes/index.html", form=form, runs=runs, run=None, heading=None, views=[])
        return page, 400
    run = theme_pages.find_run(
        db.session(),
        scope,
        office_id=_code_to_id(Office, form.office.data or WHOLE_COUNTRY),
        procedure_id=_code_to_id(Procedure, form.procedure.data or ""),
        period=form.period.data or None,
    )
    views = theme_pages.run_themes_for_page(db.session(), run, scope, EXAMPLES_ON_LIST) if run else []
    heading = theme_pages.describe_run(db.session(), run) if run else None
    return render_template("themes/index.html", form=form, runs=runs, run=run, heading=heading, views=views)


@themes.get("/<int:theme_id>")
@theme_roles
def detail(theme_id: int):
    _, scope = _user_and_scope()
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and len(page) < 7 else 1
    found = theme_pages.theme_detail(db.session(), scope, theme_id, page=number, per_page=EXAMPLES_PER_PAGE)
    if found is None:
        abort(404)
    return render_template("themes/detail.html", detail=found)
