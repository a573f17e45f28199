"""`/admin/webhooks` (admins only): partner systems' endpoints, their secrets (shown once) and every delivery's tries.

Delivery itself runs in `flask --app wsgi deliver-webhooks`, never in a request."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as WerkzeugResponse

from survey.auth.guards import role_required
from survey.auth.identity import current_user
from survey.extensions import db
from survey.models_actions import WebhookEndpoint
from survey.services.webhooks.endpoints import (
    EndpointError,
    list_endpoints,
    recent_deliveries,
    register_endpoint,
    set_active,
)
from survey.webhooks.forms import WebhookForm

webhooks = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")

DELIVERY_STATES = {"pending": _l("waiting or retrying"), "delivered": _l("delivered"), "failed": _l("given up")}

REFUSALS = {
    "address": ("url", _l("Enter a full address starting with https://, without a user name or password.")),
    "https": ("url", _l("The address must start with https:// (http:// only to localhost while developing).")),
    "too_long": ("url", _l("At most 500 characters.")),
    "events": ("events", _l("Choose at least one event.")),
}


@webhooks.context_processor
def _helpers() -> dict[str, object]:
    return {"delivery_states": DELIVERY_STATES}


@webhooks.before_request
@role_required("admin")
def _admins_only() -> None:
    """Every page here is for admins; others get the sign-in page, or 403."""


def _page(form: WebhookForm, status: int = 200):
    return render_template("admin/webhooks.html", form=form, rows=list_endpoints(db.session())), status


@webhooks.get("")
def index():
    return _page(WebhookForm())


@webhooks.post("")
def register():
    form = WebhookForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    user = current_user()
    assert user is not None
    try:
        created = register_endpoint(
            db.session(),
            url=form.url.data or "",
            events=list(form.events.data or []),
            actor=user.email,
            user_id=user.id,
            allow_local_http=current_app.config.get("ENV_NAME") != "production",
        )
    except EndpointError as error:
        name, message = REFUSALS[error.code]
        form[name].errors = [*form[name].errors, str(message)]
        return _page(form, 400)
    return render_template("admin/webhook_created.html", endpoint=created.endpoint, secret=created.secret)


@webhooks.get("/<int:endpoint_id>")
def deliveries(endpoint_id: int):
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        abort(404)
    rows = recent_deliveries(db.session(), endpoint_id)
    return render_template("admin/webhook_deliveries.html", endpoint=endpoint, rows=rows)


@webhooks.post("/<int:endpoint_id>/<any(enable, disable):change>")
def switch(endpoint_id: int, change: str) -> WerkzeugResponse:
    user = current_user()
    assert user is not None
    if not set_active(db.session(), endpoint_id, active=change == "enable", actor=user.email, user_id=user.id):
        abort(404)
    message = _("The endpoint is on.") if change == "enable" else _("The endpoint is off: nothing more is sent.")
    flash(message, "success")
    return redirect(url_for(".deliveries", endpoint_id=endpoint_id))
