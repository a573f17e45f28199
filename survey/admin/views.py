"""The admin area: accounts, catalog, API keys, targets, held responses, questionnaires and the audit log.

Admins only."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from analysis.periods import LOCAL_TIME
from survey.admin.forms import (
    ROLE_LABELS,
    ApiKeyForm,
    AuditFilterForm,
    CatalogUploadForm,
    QuestionnaireUploadForm,
    TargetForm,
    UserCreateForm,
)
from survey.auth.guards import role_required
from survey.auth.identity import current_user
from survey.citizen.local_fields import local_questions, page_form
from survey.codes import CHANNEL_LABELS, SPAM_REASON_LABELS
from survey.extensions import csrf, db
from survey.models import ApiKey, QuestionnaireVersion
from survey.services.accounts import api_keys, users
from survey.services.accounts.users import Actor, UserError
from survey.services.audit import AuditFilter, audit_actions, search_audit_log
from survey.services.catalog import listing as catalog_listing
from survey.services.catalog import questionnaire_import as questionnaires
from survey.services.catalog.imports import CatalogImportError
from survey.services.reporting import targets
from survey.services.responses import held
from survey.services.responses.survey_page import preview_page, questions

admin = Blueprint("admin", __name__, url_prefix="/admin")
UPLOAD_LIMIT = 8 * 1024 * 1024  # a national office list is a few hundred kilobytes


@admin.before_request
@role_required("admin")
def _admins_only() -> None:
    """Every page of this blueprint is for admins; others get the sign-in page, or 403."""


@admin.app_template_filter("admin_time")
def admin_time(moment: datetime | None) -> str:
    """A stored time (UTC; SQLite returns it without a zone) as Viet Nam wall-clock time."""
    if moment is None:
        return "–"
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(LOCAL_TIME).strftime("%Y-%m-%d %H:%M:%S")


def _actor() -> Actor:
    user = current_user()
    assert user is not None
    return Actor(user.email, user.id)


@admin.get("/")
def index():
    return render_template("admin/index.html")


# --- Accounts ----------------------------------------------------------------------------------------------


@admin.get("/users")
def user_list():
    return render_template("admin/users.html", users=users.list_users(db.session()), role_labels=ROLE_LABELS)


@admin.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user, one_time = users.create_user(
                db.session(), email=form.email.data or "", role=form.role.data or "",
                office_code=form.office_code.data or None, actor=_actor(),
            )  # fmt: skip
        except UserError:
            form.email.errors = [*form.email.errors, _("The account could not be created. Check the fields.")]
        else:
            return render_template("admin/one_time_password.html", user=user, password=one_time, created=True)
    return render_template("admin/user_new.html", form=form)


@admin.post("/users/<int:user_id>/reset-password")
def user_reset_password(user_id: int):
    try:
        one_time = users.reset_password(db.session(), user_id, actor=_actor())
    except UserError:
        abort(404)
    user = users.get_user(db.session(), user_id)
    return render_template("admin/one_time_password.html", user=user, password=one_time, created=False)


@admin.post("/users/<int:user_id>/disable")
def user_disable(user_id: int) -> WerkzeugResponse:
    return _set_active(user_id, active=False)


@admin.post("/users/<int:user_id>/enable")
def user_enable(user_id: int) -> WerkzeugResponse:
    return _set_active(user_id, active=True)


def _set_active(user_id: int, *, active: bool) -> WerkzeugResponse:
    try:
        user = users.set_active(db.session(), user_id, active, actor=_actor())
    except UserError as error:
        if error.code == "unknown_user":
            abort(404)
        flash(_("You cannot disable your own account."), "error")
    else:
        message = _("%(email)s can sign in again.") if active else _("%(email)s can no longer sign in.")
        flash(message % {"email": user.email}, "success")
    return redirect(url_for("admin.user_list"))


# --- Catalog -----------------------------------------------------------------------------------------------


@admin.get("/catalog")
def catalog():
    return _catalog_page(CatalogUploadForm())


def _catalog_page(form: CatalogUploadForm, errors: list[object] | None = None, status: int = 200):
    page = render_template(
        "admin/catalog.html",
        form=form,
        errors=errors or [],
        offices=catalog_listing.office_tree(db.session()),
        procedures=catalog_listing.procedures(db.session()),
    )
    return page, status


@admin.post("/catalog/import")
@csrf.exempt  # the form checks its own token, after the larger upload limit below applies
def catalog_import():
    request.max_content_length = UPLOAD_LIMIT
    form = CatalogUploadForm()
    if not form.validate_on_submit():
        return _catalog_page(form, status=400)
    upload = form.file.data
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "catalog.csv"
        upload.save(path)
        try:
            result = catalog_listing.import_catalog_upload(
                db.session(), path, file_name=upload.filename or "", actor=_actor().name, user_id=_actor().user_id
            )
        except CatalogImportError as error:
            return _catalog_page(form, errors=list(error.errors), status=422)
    kinds = {"procedures": _("procedures"), "offices": _("offices")}
    flash(
        _("Imported %(kind)s: %(created)s new, %(updated)s updated.",
          kind=kinds.get(result.kind, result.kind), created=result.created, updated=result.updated),
        "success",
    )  # fmt: skip
    return redirect(url_for("admin.catalog"))


# --- API keys ----------------------------------------------------------------------------------------------


def _api_keys_page(form: ApiKeyForm, status: int = 200):
    keys = db.session.scalars(db.select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc()))
    return render_template("admin/api_keys.html", form=form, keys=list(keys)), status


@admin.get("/api-keys")
def api_key_list():
    return _api_keys_page(ApiKeyForm())


@admin.post("/api-keys")
def api_key_create():
    form = ApiKeyForm()
    if not form.validate_on_submit():
        return _api_keys_page(form, status=400)
    try:
        raw_key, key = api_keys.create_api_key(
            db.session(), name=form.name.data or "", office_code=form.office_code.data or None, actor=_actor().name
        )
    except api_keys.ApiKeyError as error:
        form.name.errors = [*form.name.errors, error.message]
        return _api_keys_page(form, status=400)
    return render_template("admin/api_key_created.html", raw_key=raw_key, key=key)


@admin.post("/api-keys/<int:key_id>/revoke")
def api_key_revoke(key_id: int) -> WerkzeugResponse:
    try:
        api_keys.revoke_api_key(db.session(), key_id, actor=_actor().name)
    except api_keys.ApiKeyError:
        abort(404)
    flash(_("The key is revoked: systems using it are refused from now on."), "success")
    return redirect(url_for("admin.api_key_list"))


# --- Targets -----------------------------------------------------------------------------------------------


def _targets_page(form: TargetForm, status: int = 200):
    rows = targets.list_targets(db.session())
    return render_template(
        "admin/targets.html", form=form, rows=rows, default=current_app.config["SATISFACTION_TARGET"]
    ), status


@admin.get("/targets")
def target_list():
    return _targets_page(TargetForm())


@admin.post("/targets")
def target_set():
    form = TargetForm()
    if not form.validate_on_submit():
        return _targets_page(form, status=400)
    actor = _actor()
    procedure_id, office_id = targets.resolve_scope(
        db.session(), procedure_code=form.procedure_code.data or None, office_code=form.office_code.data or None
    )
    targets.set_target(
        db.session(), target=form.share, procedure_id=procedure_id, office_id=office_id,
        actor=actor.name, user_id=actor.user_id,
    )  # fmt: skip
    flash(_("The target is saved."), "success")
    return redirect(url_for("admin.target_list"))


@admin.post("/targets/<int:target_id>/clear")
def target_clear(target_id: int) -> WerkzeugResponse:
    row = next((r for r in targets.list_targets(db.session()) if r.id == target_id), None)
    if row is None:
        abort(404)
    actor = _actor()
    targets.clear_target(
        db.session(), procedure_id=row.procedure_id, office_id=row.office_id, actor=actor.name, user_id=actor.user_id
    )
    flash(_("The target is removed; the next broader target applies again."), "success")
    return redirect(url_for("admin.target_list"))


# --- Responses held back by the spam rules ------------------------------------------------------------------


@admin.get("/held")
def held_list():
    page = held.held_responses(db.session(), page=request.args.get("page", 1, type=int) or 1)
    return render_template(
        "admin/held.html", result=page, reason_labels=SPAM_REASON_LABELS, channel_labels=CHANNEL_LABELS
    )


@admin.post("/held/<int:response_id>/release")
def held_release(response_id: int) -> WerkzeugResponse:
    actor = _actor()
    try:
        held.release(db.session(), response_id, actor=actor.name, user_id=actor.user_id)
    except held.NotHeld:
        flash(_("That response is no longer held back (already released or erased)."), "error")
    else:
        flash(_("Response %(id)s is released: it is counted in every figure from now on.", id=response_id), "success")
    return redirect(url_for("admin.held_list", page=request.args.get("page", 1, type=int)))


# --- Questionnaires and audit log --------------------------------------------------------------------------


def _questionnaires_page(form: QuestionnaireUploadForm, problems: list[object] | None = None, status: int = 200):
    versions = catalog_listing.questionnaire_versions(db.session())
    page = render_template("admin/questionnaires.html", versions=versions, form=form, problems=problems or [])
    return page, status


@admin.get("/questionnaires")
def questionnaire_list():
    return _questionnaires_page(QuestionnaireUploadForm())


@admin.post("/questionnaires/import")
@csrf.exempt  # the form checks its own token, after the larger upload limit below applies
def questionnaire_import():
    request.max_content_length = questionnaires.FILE_MAX + 64 * 1024
    form = QuestionnaireUploadForm()
    if not form.validate_on_submit():
        return _questionnaires_page(form, status=400)
    upload = form.file.data
    try:
        data = questionnaires.parse_json(upload.read(questionnaires.FILE_MAX + 1))
        outcome = questionnaires.import_questionnaire(
            db.session(), data, actor=_actor(), file_name=upload.filename or ""
        )
    except questionnaires.QuestionnaireImportError as error:
        return _questionnaires_page(form, problems=list(error.problems), status=422)
    message = _("Version %(version)s imported as a draft: preview it, then publish it.", version=outcome.version)
    if not outcome.created:
        message = _("%(count)s local questions added to version %(version)s: preview them, then publish them.",
                    count=outcome.local_questions, version=outcome.version)  # fmt: skip
    flash(message, "success")
    return redirect(url_for("admin.questionnaire_detail", version_id=outcome.version_id))


def _version_or_404(version_id: int) -> QuestionnaireVersion:
    version = db.session.get(QuestionnaireVersion, version_id)
    if version is None:
        abort(404)
    return version


@admin.get("/questionnaires/<int:version_id>")
def questionnaire_detail(version_id: int):
    version = _version_or_404(version_id)
    definition = json.dumps(version.definition, ensure_ascii=False, indent=2, sort_keys=False)
    local = catalog_listing.local_questions_of(db.session(), version.id)
    office = catalog_listing.preview_office(db.session(), version.id, None)
    return render_template("admin/questionnaire.html", version=version, definition=definition, local=local,
                           preview_office=office.code if office else None)  # fmt: skip


@admin.get("/questionnaires/<int:version_id>/preview")
def questionnaire_preview(version_id: int):
    """The version's form as the citizens of one office see it: the real citizen template, nothing can be sent."""
    version = _version_or_404(version_id)
    office = catalog_listing.preview_office(db.session(), version.id, request.args.get("office") or None)
    if office is None:
        abort(404)
    page = preview_page(db.session(), version, office.id, office.name)
    language = request.args.get("language", "vi")
    if language not in current_app.config["LANGUAGES"]:
        abort(404)
    questionnaires.record_preview(db.session(), version.id, actor=_actor(), office_code=office.code, language=language)
    with force_locale(language):  # the admin's own language choice is left as it is
        form = page_form(page).configure(
            procedure_codes=None, ask_service_mode=True, secret=current_app.config["SECRET_KEY"]
        )
        return render_template(
            "citizen/form.html", page=page, form=form, questions=questions(page.definition, language),
            local_questions=local_questions(page, language), notice=None, preview=True, office_code=office.code,
            retention_days=current_app.config["RETENTION_DAYS"],
        )  # fmt: skip


def _state_message(reason: str) -> str:
    messages = {
        "retired": _("A retired version cannot be published or retired again."),
        "nothing_to_publish": _("This version is already published, with all its local questions."),
        "published": _("This is the published version: publish another version before retiring it."),
    }
    return messages.get(reason, _("This version cannot be changed."))


@admin.post("/questionnaires/<int:version_id>/publish")
def questionnaire_publish(version_id: int) -> WerkzeugResponse:
    try:
        version = questionnaires.publish_version(db.session(), _version_or_404(version_id).id, actor=_actor())
    except questionnaires.VersionStateError as error:
        flash(_state_message(error.reason), "error")
    else:
        flash(_("Version %(version)s is published: new links show it from now on.", version=version.version), "success")
    return redirect(url_for("admin.questionnaire_detail", version_id=version_id))


@admin.post("/questionnaires/<int:version_id>/retire")
def questionnaire_retire(version_id: int) -> WerkzeugResponse:
    try:
        version = questionnaires.retire_version(db.session(), _version_or_404(version_id).id, actor=_actor())
    except questionnaires.VersionStateError as error:
        flash(_state_message(error.reason), "error")
    else:
        flash(
            _("Version %(version)s is retired: its answers are no longer accepted.", version=version.version), "success"
        )
    return redirect(url_for("admin.questionnaire_detail", version_id=version_id))


@admin.get("/audit")
def audit_log():
    form = AuditFilterForm(request.args)
    form.action.choices = [
        SelectChoice("", _("Every action")),
        *(SelectChoice(a, a) for a in audit_actions(db.session())),
    ]
    valid = form.validate()
    where = AuditFilter(
        action=form.action.data or None,
        actor=form.actor.data or None,
        date_from=form.date_from.data if valid else None,
        date_to=form.date_to.data if valid else None,
    )
    page = search_audit_log(db.session(), where, page=request.args.get("page", 1, type=int) or 1)
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/audit.html", form=form, result=page, filters=filters), 200 if valid else 400
