"""`/callbacks`: officials see who asked to be contacted at their offices, and mark each request handled.

Only officials (their office subtree) and admins; researchers get 403. Every view of the queue is audited with the
ids of the contacts shown (who, when, which), and so is each request marked handled.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from survey.auth.guards import role_required
from survey.auth.identity import current_user
from survey.callbacks.forms import HandledForm
from survey.extensions import db
from survey.security import keep_private
from survey.services.callbacks.queue import QueueError, callback_queue, mark_handled

callbacks = Blueprint("callbacks", __name__, url_prefix="/callbacks")


@callbacks.after_request
def _private(response: Response) -> Response:
    """Contacts are personal data: never kept in any cache."""
    return keep_private(response)


@callbacks.get("/")
@role_required("official", "admin")
def queue():
    user = current_user()
    assert user is not None
    show_handled = request.args.get("handled") == "1"
    items = callback_queue(db.session(), user, include_handled=show_handled)
    return render_template("callbacks/queue.html", items=items, form=HandledForm(), show_handled=show_handled)


@callbacks.post("/<int:request_id>/handled")
@role_required("official", "admin")
def handled(request_id: int):
    user = current_user()
    assert user is not None
    form = HandledForm()
    if not form.validate_on_submit():
        flash(form.outcome.errors[0] if form.outcome.errors else _("Write what came of the call, in a few words."),
              "error")  # fmt: skip
        return redirect(url_for(".queue"))
    try:
        mark_handled(db.session(), user, request_id, outcome=form.outcome.data or "")
    except QueueError:
        abort(404)
    flash(_("Marked as handled."), "success")
    return redirect(url_for(".queue"))
