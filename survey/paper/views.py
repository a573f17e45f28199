"""Paper sheets: the printable A4 sheets (officials and admins) and the data-entry page (officials, admins, clerks).

The entry page is built for a pile of sheets keyed in one after another: the code box has the focus, the boxes
follow the sheet, a rating is one digit; after each stored sheet the page comes back empty with the batch's
running count and a button that takes the last sheet back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from survey.auth.guards import role_required
from survey.auth.identity import current_user
from survey.cleaning import whole_number
from survey.extensions import db
from survey.paper.forms import CODE_MESSAGES, ORDER, PaperEntryForm
from survey.security import keep_private
from survey.services.callbacks.requests import request_callback
from survey.services.paper.entry import EntryError, enter_sheet, undo_sheet
from survey.services.paper.sheets import MAX_SHEETS, PRINT_ROLES, PaperError, print_sheets
from survey.services.responses.qr import qr_data_uri
from survey.services.responses.survey_page import active_definition, questions

paper = Blueprint("paper", __name__, url_prefix="/paper")

BATCH = "paper_batch"  # the Flask session's list of response ids keyed in this batch, oldest first
BATCH_KEEP = 200  # how many sheets back the undo can reach
PRINT_STATUS = {"no_office": 404, "not_offered": 404, "forbidden": 403, "bad_input": 400}


@paper.after_request
def _private(response: Response) -> Response:
    return keep_private(response)


def _language() -> str:
    return str(get_locale() or "vi")


def _questions() -> dict[str, dict[str, Any]]:
    return questions(active_definition(db.session()), _language())


def _sheets_wanted() -> int | None:
    return whole_number(request.args.get("sheets", "1").strip(), 4)


@paper.get("/<office_code>")
@role_required("official", "admin")
def sheets(office_code: str):
    """A4 sheets to print: each with the questions, tick boxes, a comment box, its code and its QR code."""
    user = current_user()
    assert user is not None
    wanted = _sheets_wanted()
    try:
        if wanted is None:
            raise PaperError("bad_input", "sheets")
        printed = print_sheets(
            db.session(), secret=current_app.config["SECRET_KEY"], base_url=current_app.config["BASE_URL"],
            user=user, office_code=office_code, procedure_code=request.args.get("procedure", ""), sheets=wanted,
            dossier_code=request.args.get("dossier") or None,
        )  # fmt: skip
    except PaperError as error:
        if error.reason == "forbidden":
            abort(403)
        message = render_template("paper/refused.html", reason=error.reason, field=error.field, limit=MAX_SHEETS)
        return message, PRINT_STATUS[error.reason]
    qr = {sheet.code: qr_data_uri(sheet.url) for sheet in printed.sheets}
    return render_template("paper/sheets.html", printed=printed, qr=qr, questions=_questions(),
                           retention_days=current_app.config["RETENTION_DAYS"])  # fmt: skip


@paper.get("/print")
@role_required("official", "admin")
def print_form():
    """The entry page's small print form (a plain GET form) leads to the office's sheets page."""
    office_code = (request.args.get("office") or "").strip()
    if not office_code:
        flash(_("Type the code of the office the sheets are for."), "error")
        return redirect(url_for(".entry"), 303)
    wanted = {name: (request.args.get(name) or "").strip() for name in ("procedure", "sheets", "dossier")}
    if wanted["dossier"]:
        wanted["sheets"] = ""  # a dossier's sheet is printed alone
    query: dict[str, Any] = {name: value for name, value in wanted.items() if value}
    return redirect(url_for(".sheets", office_code=office_code, **query), 303)


def _form(questions: dict[str, dict[str, Any]]) -> PaperEntryForm:
    options: dict[str, Sequence[str]] = {
        name: [code for code, _label in questions[name]["options"]] for name in ORDER if name in questions
    }
    return PaperEntryForm().configure(options)


def _batch() -> list[int]:
    return [int(item) for item in session.get(BATCH, [])]


@paper.route("/entry", methods=["GET", "POST"])
@role_required("official", "admin", "clerk")
def entry():
    user = current_user()
    assert user is not None
    shown = _questions()
    form = _form(shown)
    if form.validate_on_submit():
        try:
            answers = form.answers(language="vi")
            entered = enter_sheet(db.session(), user=user, code=form.code.data or "", answers=answers,
                                  submission_key=form.submission_key.data)  # fmt: skip
        except EntryError as error:
            form.code.errors = [str(CODE_MESSAGES.get(error.reason, CODE_MESSAGES["unknown"]))]
        else:
            if entered.created:
                session[BATCH] = [*_batch(), entered.response_id][-BATCH_KEEP:]
                if form.callback_contact.data:  # the citizen ticked the call-back box and wrote a contact
                    request_callback(db.session(), response_id=entered.response_id, contact=form.callback_contact.data,
                                     retention_days=current_app.config["RETENTION_DAYS"],
                                     channel="paper")  # fmt: skip
            flash(_("Sheet %(code)s is stored.", code=entered.sheet.code), "success")
            return redirect(url_for(".entry"), 303)
    status = 400 if form.errors else 200
    home_office = user.office.code if user.office else ""
    page = render_template("paper/entry.html", form=form, questions=shown, batch=len(_batch()),
                           may_print=user.role in PRINT_ROLES, home_office=home_office)  # fmt: skip
    return page, status


@paper.post("/entry/undo")
@role_required("official", "admin", "clerk")
def undo():
    """Take back the last sheet of this batch (the app-wide CSRF protection has checked the form's token)."""
    user = current_user()
    assert user is not None
    batch = _batch()
    if not batch:
        flash(_("There is no sheet to take back in this batch."), "error")
        return redirect(url_for(".entry"), 303)
    try:
        undone = undo_sheet(db.session(), user=user, response_id=batch[-1])
    except EntryError:
        flash(_("That sheet could not be taken back: it is no longer stored."), "error")
    else:
        flash(_("Sheet %(code)s was taken back: its code can be keyed in again.", code=undone.code), "success")
    session[BATCH] = batch[:-1]
    return redirect(url_for(".entry"), 303)


@paper.post("/entry/new-batch")
@role_required("official", "admin", "clerk")
def new_batch():
    session.pop(BATCH, None)
    return redirect(url_for(".entry"), 303)
