"""Views of the citizen blueprint: the survey form, thanks, link states and the office poster.

Every page works without JavaScript and carries a strict Content-Security-Policy. Whatever goes wrong after a
citizen pressed "Send" (an expired form, too many submissions, the database down), the form comes back with
their answers filled in and a plain explanation: nothing they typed is lost.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests

from survey.citizen.forms import EraseForm, SurveyForm
from survey.citizen.local_fields import local_questions, local_submission, page_form
from survey.extensions import db, limiter
from survey.i18n import LANGUAGE_COOKIE
from survey.security import keep_private
from survey.services.callbacks.requests import request_callback
from survey.services.paper.lookup import keyed_in_from_paper
from survey.services.responses import invitations
from survey.services.responses.invitations import LinkError, LinkState, resolve_link
from survey.services.responses.qr import qr_data_uri
from survey.services.responses.retention import EraseError, erasable_invitation, erase_response_by_link
from survey.services.responses.spam import SpamRules, Submission, TooManyToday
from survey.services.responses.store import AlreadyRated, InvalidAnswers, store_response
from survey.services.responses.survey_page import SurveyPage, kiosk_link, load_page, offline_page, questions

citizen = Blueprint("citizen", __name__)

KIOSK_RETURN_SECONDS = 15
LINK_STATUS_CODES = {"used": 200, "expired": 410, "invalid": 404, "not_offered": 404}


def _submit_limit() -> str:
    return str(current_app.config["SUBMIT_RATE_LIMIT"])


@citizen.after_request
def _protect(response: Response) -> Response:
    """No referrer (the token is in the URL) and nothing kept in caches; the strict CSP is app-wide."""
    response.headers["Referrer-Policy"] = "no-referrer"
    if request.endpoint != "citizen.poster":
        keep_private(response)
    return response


def _language() -> str:
    return str(get_locale() or "vi")


def _load(token: str) -> SurveyPage:
    kiosk = request.args.get("kiosk") == "1"
    try:
        return load_page(
            db.session(),
            token,
            secret=current_app.config["SECRET_KEY"],
            kiosk_requested=kiosk,
            submitting=request.method == "POST",
            posted_version=request.form.get("version") if request.method == "POST" else None,
            posted_local=request.form.get("local") if request.method == "POST" else None,
        )
    except SQLAlchemyError:
        current_app.logger.exception("survey page: database unreachable")
        picked = request.form.get("procedure") if request.method == "POST" else None
        posted = request.form.to_dict() if request.method == "POST" else None
        return offline_page(token, kiosk_requested=kiosk, picked_code=picked or None, posted=posted)


def _form(page: SurveyPage) -> SurveyForm:
    codes = None if page.choices is None else [choice.code for choice in page.choices]
    return page_form(page).configure(
        procedure_codes=codes, ask_service_mode=page.service_mode is None, secret=current_app.config["SECRET_KEY"]
    )


def _render_form(page: SurveyPage, form: SurveyForm, status: int, notice: str | None = None) -> tuple[str, int]:
    html = render_template(
        "citizen/form.html",
        page=page,
        form=form,
        questions=questions(page.definition, _language()),
        local_questions=local_questions(page, _language()),
        notice=notice,
        retention_days=current_app.config["RETENTION_DAYS"],
        idle_seconds=current_app.config["KIOSK_IDLE_SECONDS"],
    )
    return html, status


def _link_state(page: SurveyPage) -> tuple[str, int]:
    return render_template("citizen/link_state.html", status=page.status), LINK_STATUS_CODES[page.status]


@citizen.route("/s/<token>", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def survey(token: str):
    page = _load(token)
    if page.offline:
        if request.method == "POST":
            return _render_form(page, _form(page), 503, "unavailable")
        return render_template("citizen/unavailable.html"), 503
    if page.status in ("invalid", "expired", "not_offered") or (page.status == "used" and request.method != "POST"):
        return _link_state(page)
    form = _form(page)
    if form.validate_on_submit():
        return _store(page, form)
    if page.status == "used":
        return _link_state(page)
    return _render_form(page, form, 400 if form.is_submitted() else 200)


def _store(page: SurveyPage, form: SurveyForm):
    assert page.invitation is not None
    procedure_id = page.procedure_id(form.procedure.data if "procedure" in form else None)
    assert procedure_id is not None  # the form only accepts procedures of the office's list
    try:
        stored = store_response(
            db.session(),
            answers=form.answers(language=_language(), service_mode=page.service_mode),
            office_id=page.invitation.office_id,
            procedure_id=procedure_id,
            channel=page.channel,
            verified=page.verified,
            invitation=page.invitation,
            submission_key=form.submission_key.data,
            questionnaire_version_id=page.version_id,
            local=local_submission(form, page),
            screening=None if page.verified else _screening(page, form),
        )
    except TooManyToday as refused:
        response = current_app.make_response(_render_form(page, form, 429, "too_many_today"))
        response.headers["Retry-After"] = str(refused.retry_after)
        return response
    except AlreadyRated:  # another answer used the link (this form's own replays come back as stored)
        return render_template("citizen/link_state.html", status="used"), 200
    except InvalidAnswers:  # the form checks every answer first; this is a safety net, not a path
        current_app.logger.exception("survey page: answers refused by the service")
        return _render_form(page, form, 400, "refused")
    except SQLAlchemyError:
        current_app.logger.exception("survey page: could not store a response")
        return _render_form(page, form, 503, "unavailable")
    callback = None
    if form.callback.data and form.callback_contact.data:
        try:  # a replay of the same form updates the same request: one per response
            request_callback(db.session(), response_id=stored.id, contact=form.callback_contact.data,
                             retention_days=current_app.config["RETENTION_DAYS"], channel="web")  # fmt: skip
            callback = "1"
        except SQLAlchemyError:
            current_app.logger.exception("survey page: could not store a call-back request")
            return _render_form(page, form, 503, "unavailable")
    kiosk = "1" if page.kiosk else None
    return redirect(url_for(".thanks", token=page.token, kiosk=kiosk, callback=callback), 303)


def _screening(page: SurveyPage, form: SurveyForm) -> Submission:
    """What the spam rules need to know of a submission through a public link (the address is only hashed)."""
    assert page.invitation is not None
    return Submission(
        secret=current_app.config["SECRET_KEY"],
        link_key=page.invitation.token_id,
        address=request.remote_addr,
        honeypot=form.website.data or "",
        stamp=form.posted_stamp,
        submission_key=form.submission_key.data or "",
        rules=SpamRules.from_config(current_app.config),
    )


@citizen.get("/s/<token>/thanks")
def thanks(token: str):
    kiosk = _is_kiosk_link(token)
    state = _resolved(token)
    response = current_app.make_response(
        render_template(
            "citizen/thanks.html",
            token=token,
            kiosk=kiosk,
            seconds=KIOSK_RETURN_SECONDS,
            erasable=not kiosk and _answered_one_time_link(state),
            callback_days=current_app.config["CALLBACK_WORKING_DAYS"] if request.args.get("callback") == "1" else None,
            office_code=state.invitation.office.code if state and state.invitation else None,
        )
    )
    if kiosk:
        _reset_kiosk(response)
    return response


@citizen.get("/s/<token>/restart")
def restart(token: str):
    """Where an idle kiosk form goes by itself (a meta refresh, no JavaScript): a fresh, empty form in Vietnamese.

    Only a real kiosk link resets the browser's session; any other link is simply opened again."""
    kiosk = _is_kiosk_link(token)
    response = current_app.make_response(redirect(url_for(".survey", token=token, kiosk="1" if kiosk else None), 303))
    if kiosk:
        _reset_kiosk(response)
    return response


def _is_kiosk_link(token: str) -> bool:
    """A real kiosk link (or a poster link in kiosk mode): a made-up URL must not reset anyone's browser."""
    try:
        return kiosk_link(
            db.session(),
            token,
            secret=current_app.config["SECRET_KEY"],
            kiosk_requested=request.args.get("kiosk") == "1",
        )
    except SQLAlchemyError:
        return False


def _reset_kiosk(response: Response) -> None:
    """The next citizen starts afresh (new form token, Vietnamese again); nothing else in the session is touched,
    so an official signed in on the same browser stays signed in."""
    for key in (current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), "lang"):
        session.pop(key, None)
    response.delete_cookie(LANGUAGE_COOKIE)


def _resolved(token: str) -> LinkState | None:
    """What the link leads to, or None when the database cannot say just now (the thanks page shows anyway)."""
    try:
        return resolve_link(db.session(), token, secret=current_app.config["SECRET_KEY"])
    except SQLAlchemyError:
        return None


def _answered_one_time_link(state: LinkState | None) -> bool:
    """Whether the citizen may erase what they gave through this link (one-time links only, once used)."""
    return (
        state is not None and state.status == "used" and state.invitation is not None and not state.invitation.is_public
    )


def _posted_form_again(notice: str, status: int):
    """After a refusal on POST, the form again with the citizen's answers; elsewhere a plain message page."""
    token = (request.view_args or {}).get("token")
    if request.method != "POST" or request.endpoint != "citizen.survey" or token is None:
        return render_template("citizen/message.html", notice=notice), status
    page = _load(token)
    if page.status != "valid" and not page.offline:
        return _link_state(page)[0], status
    form = _form(page)
    return _render_form(page, form, status, notice)


@citizen.errorhandler(CSRFError)
def csrf_refused(_error: CSRFError):
    return _posted_form_again("expired_form", 400)


@citizen.errorhandler(TooManyRequests)
def too_many(error: TooManyRequests):
    html, status = _posted_form_again("too_many", 429)
    response = current_app.make_response((html, status))
    response.headers.setdefault("Retry-After", "60")
    return response


@citizen.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge):
    return render_template("citizen/message.html", notice="too_large"), 413


@citizen.get("/poster/<office_code>")
def poster(office_code: str):
    """A printable A4 poster with the office's public link and its QR code (procedure pre-selected if given).

    Opening it writes nothing; a procedure the office does not handle gets a plain 404 page.
    """
    try:
        shown = invitations.poster(
            db.session(),
            secret=current_app.config["SECRET_KEY"],
            base_url=current_app.config["BASE_URL"],
            office_code=office_code,
            procedure_code=request.args.get("procedure") or None,
        )
    except LinkError as error:
        notice = "no_office" if error.field == "office_code" else "not_offered"
        return render_template("citizen/message.html", notice=notice), 404
    except SQLAlchemyError:
        current_app.logger.exception("poster: database unreachable")
        return render_template("citizen/unavailable.html"), 503
    results_path = url_for("results.office", office_code=shown.office_code)
    return render_template(
        "citizen/poster.html",
        link=shown.link,
        results_url=f"{current_app.config['BASE_URL']}{results_path}",
        kiosk_url=shown.kiosk_url,
        office_name=shown.office_name,
        procedure_name=shown.procedure_name,
        qr_data_uri=qr_data_uri(shown.link.url),
    )


ERASE_STATUS_CODES = {"invalid": 404, "public": 400, "nothing": 200, "paper": 400}


# --- A citizen erases their own answer (reached with their one-time link, confirmed deliberately) ----------


def _erase_limit() -> str:
    return str(current_app.config["SUBMIT_RATE_LIMIT"])


def _unavailable(error: EraseError) -> tuple[str, int]:
    return render_template("citizen/erase_unavailable.html", reason=error.reason), ERASE_STATUS_CODES[error.reason]


@citizen.route("/s/<token>/erase", methods=["GET", "POST"])
@limiter.limit(_erase_limit, methods=["POST"])
def erase(token: str):
    secret = current_app.config["SECRET_KEY"]
    try:
        invitation = erasable_invitation(db.session(), token, secret=secret)
    except EraseError as error:
        return _unavailable(error)
    if keyed_in_from_paper(db.session(), invitation.id, invitation.response_id):
        return _unavailable(EraseError("paper", "a paper sheet keyed in at the office is erased by the office"))
    form = EraseForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            erase_response_by_link(db.session(), token, secret=secret)
        except EraseError as error:
            return _unavailable(error)
        return render_template("citizen/erase_done.html")
    status = 400 if form.errors else 200
    return render_template("citizen/erase.html", form=form, token=token), status
