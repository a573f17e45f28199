"""Actions on complaint themes for officials: the list of their offices' actions (filters: status, overdue), a
new action (from a theme or a watch-list row, which fill in the office, procedure and theme), and one action with
its measured effect once done. Scoped like every officials' page: another office's action is a 404."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from analysis.periods import local_date
from survey.actions.forms import ActionFilterForm, ActionForm
from survey.auth.guards import AREA_ROLES, role_required
from survey.auth.identity import current_user
from survey.codes import ACTION_STATUS_LABELS, STATUS_LABELS
from survey.extensions import db
from survey.models import Theme, User
from survey.models_actions import Action
from survey.security import keep_private
from survey.services.accounts.scoping import user_office_scope
from survey.services.actions.effect import action_effect
from survey.services.actions.records import (
    ActionError,
    ActionInput,
    create_action,
    is_overdue,
    list_actions,
    update_action,
    visible_action,
)
from survey.services.reporting.query import FilterOptions, filter_options
from survey.services.reporting.summary import Settings
from survey.services.themes.pages import theme_name, visible_run

actions = Blueprint("actions", __name__, url_prefix="/dashboard/actions")
action_roles = role_required(*AREA_ROLES["actions"])

REFUSALS = {
    "office": ("office", _l("Choose one of your offices.")),
    "procedure": ("procedure", _l("Choose a procedure.")),
    "theme": ("theme_label", _l("This theme cannot be answered here.")),
    "status": ("status", _l("Choose a status.")),
    "done_on": ("done_on", _l("Enter the date the action was done.")),
    "public": ("public", _l("Only a done action can be published.")),
}


@actions.after_request
def _protect(response: Response) -> Response:
    return keep_private(response)


@actions.context_processor
def _helpers() -> dict[str, Any]:
    return {"action_status_labels": ACTION_STATUS_LABELS, "status_labels": STATUS_LABELS}


def _user_and_scope() -> tuple[User, set[int] | None]:
    user = current_user()
    assert user is not None  # role_required ran first
    return user, user_office_scope(db.session(), user)


def _today() -> Any:
    return local_date(datetime.now(UTC))


@actions.get("")
@action_roles
def index():
    _, scope = _user_and_scope()
    form = ActionFilterForm(formdata=request.args)
    valid = form.validate()
    rows = list_actions(
        db.session(), scope, status=(form.status.data or None) if valid else None, overdue=valid and form.overdue.data
    )
    today = _today()
    return render_template(
        "actions/index.html", form=form, rows=rows, overdue={a.id for a in rows if is_overdue(a, today)}
    ), (200 if valid else 400)


def _visible_theme(scope: set[int] | None, raw: str | None) -> Theme | None:
    if not raw or not raw.isdigit() or len(raw) > 12:
        return None
    theme = db.session.get(Theme, int(raw))
    return theme if theme is not None and visible_run(db.session(), scope, theme.run_id) is not None else None


def _prefill(form: ActionForm, options: FilterOptions, scope: set[int] | None) -> None:
    """From a theme (`?theme=ID`) or a watch-list row (`?office=CODE&procedure=CODE`)."""
    form.office.data = request.args.get("office", "")
    form.procedure.data = request.args.get("procedure", "")
    theme = _visible_theme(scope, request.args.get("theme"))
    if theme is not None:
        form.theme_id.data = str(theme.id)
        form.theme_label.data = theme_name(theme)
        office = next((o for o in options.offices if o.id == theme.run.office_id), None)
        procedure = next((code for pid, code, _ in options.procedures if pid == theme.run.procedure_id), None)
        form.office.data = form.office.data or (office.code if office else "")  # a watch-list row's pair wins
        form.procedure.data = form.procedure.data or procedure or ""


def _input(form: ActionForm, options: FilterOptions) -> ActionInput | None:
    office = options.office_by_code(form.office.data or "")
    procedure_id = options.procedure_id(form.procedure.data or "")
    if office is None or procedure_id is None:
        return None
    return ActionInput(
        office_id=office.id,
        procedure_id=procedure_id,
        theme_id=int(form.theme_id.data) if form.theme_id.data else None,
        theme_label=form.theme_label.data or "",
        change=form.change.data or "",
        responsible_unit=form.responsible_unit.data or "",
        due_on=form.due_on.data,
        status=form.status.data or "planned",
        done_on=form.done_on.data,
        public=bool(form.public.data),
    )


def _refuse(form: ActionForm, error: ActionError) -> None:
    name, message = REFUSALS.get(error.code, ("office", _l("This action cannot be saved.")))
    form[name].errors = [*form[name].errors, str(message)]


def _save(form: ActionForm, options: FilterOptions, user: User, scope: set[int] | None, action_id: int | None):
    data = _input(form, options)
    if data is None:
        abort(400)  # the form only offers the caller's offices and known procedures
    try:
        if action_id is None:
            return create_action(db.session(), scope, data, actor=user.email, user_id=user.id)
        return update_action(db.session(), scope, action_id, data, actor=user.email, user_id=user.id)
    except ActionError as error:
        _refuse(form, error)
        return None


@actions.route("/new", methods=["GET", "POST"])
@action_roles
def new():
    user, scope = _user_and_scope()
    options = filter_options(db.session(), scope)
    form = ActionForm()
    form.fill_choices(options)
    if request.method == "GET":
        _prefill(form, options, scope)
    elif form.validate_on_submit():
        saved = _save(form, options, user, scope, None)
        if saved is not None:
            flash(_("The action has been recorded."), "success")
            return redirect(url_for(".detail", action_id=saved.id))
    return render_template("actions/form.html", form=form, action=None, effect=None), (400 if form.errors else 200)


@actions.route("/<int:action_id>", methods=["GET", "POST"])
@action_roles
def detail(action_id: int):
    user, scope = _user_and_scope()
    action = visible_action(db.session(), scope, action_id)
    if action is None:
        abort(404)
    options = filter_options(db.session(), scope)
    form = ActionForm(obj=_Values(action))
    form.fill_choices(options)
    if form.validate_on_submit() and _save(form, options, user, scope, action_id) is not None:
        flash(_("The action has been saved."), "success")
        return redirect(url_for(".detail", action_id=action_id))
    settings = Settings.from_config(current_app.config)
    effect = action_effect(db.session(), scope, action, settings=settings, today=_today())
    return render_template("actions/form.html", form=form, action=action, effect=effect), (400 if form.errors else 200)


class _Values:
    """An action's values under the form's field names (office and procedure as codes)."""

    def __init__(self, action: Action) -> None:
        self.office, self.procedure = action.office.code, action.procedure.code
        self.theme_id = str(action.theme_id) if action.theme_id else ""
        for name in ("theme_label", "change", "responsible_unit", "due_on", "status", "done_on", "public"):
            setattr(self, name, getattr(action, name))
