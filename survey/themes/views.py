"""Complaint themes for officials: the latest theming run of an office, procedure and period, and one theme in detail.

Views read the caller's office scope and hand it to `survey.services.themes.pages`, which applies it in the
query: an official sees runs whose scope lies inside their office subtree, and example comments only from
responses of their offices, re-redacted on the way out.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from analysis.periods import current_month, shift_month
from survey.auth.guards import AREA_ROLES, role_required
from survey.auth.identity import current_user
from survey.cleaning import whole_number
from survey.codes import CHANNEL_LABELS, THEME_LABELS
from survey.extensions import db
from survey.models import Office, Procedure, User
from survey.security import keep_private
from survey.services.accounts.scoping import user_office_scope
from survey.services.reporting.query import FilterError, ReportFilter, allowed_offices
from survey.services.themes import pages as theme_pages
from survey.services.themes.corrections import CorrectionError, correct_label
from survey.services.themes.installed import current_model, model_folder
from survey.services.themes.labels import label_missing
from survey.services.themes.official import CommentQuery, list_comments, official_themes
from survey.themes.forms import WHOLE_COUNTRY, CommentFilterForm, CorrectionForm, ThemeFilterForm, month_label
from survey.themes.sparkline import sparkline

themes = Blueprint("themes", __name__, url_prefix="/dashboard/themes")

EXAMPLES_ON_LIST = 3
EXAMPLES_PER_PAGE = 20
COMMENTS_PER_PAGE = 25
DEFAULT_MONTHS = 6
theme_roles = role_required(*AREA_ROLES["themes"])


@themes.after_request
def _protect(response: Response) -> Response:
    """Comments are sensitive: no caching and no referrer."""
    return keep_private(response)


@themes.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "sparkline": lambda monthly: sparkline([count for _, count in monthly]),
        "month_label": month_label,
        "theme_labels": THEME_LABELS,
        "channel_labels": CHANNEL_LABELS,
    }


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
    number = _page_number()
    found = theme_pages.theme_detail(db.session(), scope, theme_id, page=number, per_page=EXAMPLES_PER_PAGE)
    if found is None:
        abort(404)
    return render_template("themes/detail.html", detail=found)


def _page_number() -> int:
    """The `page` query argument: a positive number of at most 6 digits, else the first page."""
    number = whole_number(request.args.get("page", "1"), 6)
    return 1 if number is None else number


# --- official themes and comments of a scope, always current ---------------------------------------------------


def _comment_filter(user: User, scope: set[int] | None) -> tuple[CommentFilterForm, ReportFilter | None]:
    """The checked filters as a report filter inside the caller's scope; an office they may not see is a 404."""
    form = CommentFilterForm(formdata=request.args)
    form.fill_choices()
    if not form.validate():
        return form, None
    office_id = _code_to_id(Office, form.office.data or "")
    if form.office.data and (office_id is None or (scope is not None and office_id not in scope)):
        abort(404)  # outside the caller's scope looks exactly like an office that does not exist
    procedure_id = _code_to_id(Procedure, form.procedure.data or "")
    if form.procedure.data and procedure_id is None:
        abort(404)
    month_to = form.month_to.data or current_month()
    month_from = form.month_from.data or min(shift_month(month_to, -(DEFAULT_MONTHS - 1)), month_to)
    try:
        where = ReportFilter(
            month_from=month_from,
            month_to=month_to,
            office_id=office_id if office_id is not None else (user.office_id if scope is not None else None),
            procedure_id=procedure_id,
            channel=form.channel.data or None,
        )
    except FilterError:
        form.month_from.errors = [*form.month_from.errors, _("The period starts after it ends.")]
        return form, None
    return form, where


def _label_on_demand(scope: set[int] | None, where: ReportFilter) -> int:
    """Classify the scope's comments the scheduled job has not reached yet; returns how many are still waiting."""
    session = db.session()
    return label_missing(
        session,
        lambda: current_model(model_folder(current_app)),
        office_ids=allowed_offices(session, scope, where),
        procedure_id=where.procedure_id,
        months=(where.month_from or "", where.month_to or ""),
    )


@themes.get("/official")
@theme_roles
def official():
    user, scope = _user_and_scope()
    form, where = _comment_filter(user, scope)
    if where is None:
        return render_template("themes/official.html", form=form, summary=None, args={}, waiting=0), 400
    waiting = _label_on_demand(scope, where)
    summary = official_themes(db.session(), scope, where)
    args = form.query_args()
    return render_template("themes/official.html", form=form, summary=summary, args=args, waiting=waiting)


@themes.get("/comments")
@theme_roles
def comments():
    user, scope = _user_and_scope()
    form, where = _comment_filter(user, scope)
    if where is None:
        return render_template("themes/comments.html", form=form, found=None, args={}, waiting=0), 400
    waiting = _label_on_demand(scope, where)
    number = _page_number()
    query = CommentQuery(where, theme=form.theme.data or None, rating=form.rating.data or None, text=form.q.data or "")
    found = list_comments(db.session(), scope, query, page=number, per_page=COMMENTS_PER_PAGE)
    correction = CorrectionForm(formdata=None)
    correction.fill_choices()
    args = form.query_args()
    return render_template(
        "themes/comments.html", form=form, found=found, args=args, waiting=waiting, correction=correction
    )


@themes.post("/comments/<int:response_id>/theme")
@theme_roles
def correct(response_id: int):
    user, scope = _user_and_scope()
    form = CorrectionForm()
    form.fill_choices()
    back = form.next.data or ""
    if not back.startswith(url_for("themes.comments")):  # only back to the comments page, never elsewhere
        back = url_for("themes.comments")
    if not form.validate():
        flash(_("The correction was not saved: choose a theme from the list."), "error")
        return redirect(back, 303)
    try:
        correct_label(db.session(), user, scope, response_id, form.theme.data or "", form.theme2.data or None)
    except CorrectionError:
        flash(_("The correction was not saved: choose a first theme and a different second one."), "error")
        return redirect(back, 303)
    flash(_("Comment %(id)s now has the theme you chose; every figure counts it there.", id=response_id), "success")
    return redirect(back, 303)
