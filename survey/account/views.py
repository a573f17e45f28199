"""`/account/alerts`: an official chooses the offices (and procedures) whose alerts reach them by e-mail."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from survey.account.forms import SubscriptionForm
from survey.auth.guards import login_required
from survey.auth.identity import current_user
from survey.extensions import db
from survey.services.accounts.scoping import user_office_scope
from survey.services.alerts.subscriptions import SubscriptionError, list_subscriptions, subscribe, unsubscribe
from survey.services.reporting.query import filter_options

account = Blueprint("account", __name__, url_prefix="/account")


@account.route("/alerts", methods=["GET", "POST"])
@login_required
def alerts():
    user = current_user()
    assert user is not None
    options = filter_options(db.session(), user_office_scope(db.session(), user))
    form = SubscriptionForm()
    form.fill_choices(options)
    if form.validate_on_submit():
        office = options.office_by_code(form.office.data or "")
        assert office is not None  # the form only accepts offices of the caller's scope
        procedure_id = options.procedure_id(form.procedure.data) if form.procedure.data else None
        try:
            subscribe(db.session(), user, office_id=office.id, procedure_id=procedure_id)
        except SubscriptionError:
            abort(400)
        flash(_("You will receive the alerts of %(office)s by e-mail.", office=office.name), "success")
        return redirect(url_for(".alerts"))
    status = 400 if form.errors else 200
    subscriptions = list_subscriptions(db.session(), user)
    return render_template("account/alerts.html", form=form, subscriptions=subscriptions), status


@account.post("/alerts/<int:subscription_id>/delete")
@login_required
def unsubscribe_view(subscription_id: int):
    user = current_user()  # the app-wide CSRF protection has checked the form's token
    assert user is not None
    try:
        unsubscribe(db.session(), user, subscription_id)
    except SubscriptionError:
        abort(404)
    flash(_("That subscription has been removed."), "success")
    return redirect(url_for(".alerts"))
