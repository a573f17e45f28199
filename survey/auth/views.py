"""Signing in and out, and changing one's own password. Guards for other blueprints live in `guards`."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from survey.auth import guards
from survey.auth.forms import ChangePasswordForm, LoginForm
from survey.auth.identity import current_user, log_in, log_out
from survey.extensions import db, limiter
from survey.models import User
from survey.services.accounts import users
from survey.services.accounts.users import LoginRefused, UserError

auth = Blueprint("auth", __name__)

# Where each role lands after signing in, first existing page wins.
LANDING = {
    "official": ("dashboard.overview",),
    "researcher": ("dashboard.overview", "research.index"),
    "admin": ("dashboard.overview", "admin.index"),
    "clerk": ("paper.entry",),
}


def landing_url(user: User) -> str:
    if user.must_change_password:
        return url_for("auth.change_password")
    for endpoint in LANDING.get(user.role, ()):
        if endpoint in current_app.view_functions:
            return url_for(endpoint)
    return url_for("main.index")


def _login_rate_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


@auth.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    user = current_user()
    if user is not None and request.method == "GET":
        return redirect(guards.safe_next(request.args.get("next")) or landing_url(user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = users.authenticate(
                db.session(), email=form.email.data or "", password=form.password.data or "", ip=request.remote_addr
            )
        except LoginRefused as refused:
            if refused.reason == "locked":
                form.form_errors.append(
                    _("Too many failed sign-ins for this account. Wait %(minutes)s minutes and try again.",
                      minutes=users.LOCK_MINUTES)
                )  # fmt: skip
            else:
                form.form_errors.append(_("The e-mail address or the password is not right."))
        else:
            log_in(user)
            if user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(guards.safe_next(request.args.get("next")) or landing_url(user))
    return render_template("auth/login.html", form=form)


@auth.post("/logout")
def logout() -> WerkzeugResponse:
    user = current_user()
    if user is not None:
        users.record_logout(db.session(), user)
    log_out()
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"))


@auth.route("/account/password", methods=["GET", "POST"])
@guards.login_required
def change_password():
    user = current_user()
    assert user is not None
    form = ChangePasswordForm(account_email=user.email)
    if form.validate_on_submit():
        try:
            users.change_password(
                db.session(), user, current=form.current_password.data or "", new=form.new_password.data or ""
            )
        except UserError as error:
            field = form.current_password if error.code == "wrong_current" else form.new_password
            field.errors = [*field.errors, _password_error_text(error)]
        else:
            log_in(user)  # this session carries on; every other session of this account has ended
            flash(_("Your password has been changed."), "success")
            return redirect(landing_url(user))
    return render_template("auth/change_password.html", form=form, forced=user.must_change_password)


def _password_error_text(error: UserError) -> str:
    if error.code == "wrong_current":
        return _("The current password is not right.")
    if error.code == "same_as_current":
        return _("The new password must be different from the current one.")
    return _("Choose another password.")
