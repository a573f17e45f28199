"""The citizen's form: every answer checked on the server, text cleaned to NFC, messages in plain words."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Sequence
from typing import Any

from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from survey.forms import CleanForm
from survey.models import AGE_BANDS, ELEMENTS, EXTRA_PAYMENT, ON_TIME, SERVICE_MODES, SEXES
from survey.services.callbacks.requests import ContactError, normalise_contact
from survey.services.responses.spam import fill_seconds, render_stamp
from survey.services.responses.store import COMMENT_MAX, Answers

SCALE = ("1", "2", "3", "4", "5")
RETURNS = ("0", "1", "2")
AGENCIES = ("1", "2", "3")
SUBMISSION_KEY = re.compile(r"[A-Za-z0-9_-]{20,64}")


def new_submission_key() -> str:
    """A fresh per-render nonce: the same submission is stored once however often it arrives."""
    return secrets.token_urlsafe(24)


class OneOf:
    """The answer must be one of the codes offered; anything else was not sent by our page."""

    def __init__(self, codes: Sequence[str]) -> None:
        self.codes = tuple(codes)

    def __call__(self, form: Any, field: Field) -> None:
        if field.data not in self.codes:
            raise ValidationError(_l("Choose one of the answers shown."))


def _choice(codes: Sequence[str], required_message: Any = None) -> RadioField:
    first = InputRequired(message=required_message) if required_message else Optional()
    # The template renders the options from the questionnaire; the validators below check the answer.
    return RadioField(validate_choice=False, validators=[first, OneOf(codes)])


def _comment_length(form: Any, field: Field) -> None:
    if field.data and len(field.data) > COMMENT_MAX:
        raise ValidationError(
            _(
                "Your comment is %(count)s characters long. Please shorten it to %(max)s characters or fewer.",
                count=format_number(len(field.data)),
                max=format_number(COMMENT_MAX),
            )
        )


class SurveyForm(CleanForm):
    """Questionnaire version 1 (DOMAIN.md §2-3); only the overall rating is required."""

    submission_key = HiddenField()
    started = HiddenField()  # when the form was rendered, signed: answers sent too soon after are held back
    website = StringField()  # a honeypot: hidden from people and screen readers, filled in only by robots
    procedure = SelectField(validate_choice=False)
    rating = _choice(SCALE, _l("Choose how satisfied you are overall."))
    element_access = _choice(SCALE)
    element_procedure = _choice(SCALE)
    element_staff = _choice(SCALE)
    element_result = _choice(SCALE)
    element_feedback = _choice(SCALE)
    on_time = _choice(ON_TIME)
    returns = _choice(RETURNS)
    agencies = _choice(AGENCIES)
    extra_payment = _choice(EXTRA_PAYMENT)
    service_mode = _choice(SERVICE_MODES)
    comment = TextAreaField(validators=[Optional(), _comment_length])
    age_band = _choice(AGE_BANDS)
    sex = _choice(SEXES)
    callback = BooleanField()  # "Tôi muốn được liên hệ lại": consent to be contacted about this answer
    callback_contact = StringField()

    posted_stamp = ""  # the render stamp as it came back (the form gets a fresh one when it was missing)

    def configure(self, *, procedure_codes: Sequence[str] | None, ask_service_mode: bool, secret: str) -> SurveyForm:
        """Drop the questions this link already answers; offer the office's procedures when it does not.

        Every rendering carries a nonce and the signed time it was first rendered (kept when the form comes
        back with an error, so the time counts from when the person started)."""
        if procedure_codes is None:
            del self.procedure
        else:
            self.procedure.validators = [
                InputRequired(message=_l("Choose the procedure you did.")),
                _one_of_message(procedure_codes, _l("Choose the procedure you did from the list.")),
            ]
        if not ask_service_mode:
            del self.service_mode
        if not SUBMISSION_KEY.fullmatch(self.submission_key.data or ""):
            # A missing or tampered key only weakens protection for whoever tampered: give a fresh one.
            self.submission_key.data = new_submission_key()
        self.posted_stamp = self.started.data or ""
        if fill_seconds(secret, self.posted_stamp, self.submission_key.data) is None:
            self.started.data = render_stamp(secret, self.submission_key.data)
        return self

    def validate_callback(self, field: Field) -> None:
        if self.callback_contact.data and not field.data:
            raise ValidationError(_l("Tick the box to agree to be contacted, or leave the contact box empty."))

    def validate_callback_contact(self, field: Field) -> None:
        if self.callback.data and not field.data:
            raise ValidationError(
                _l("Enter a phone number or e-mail address so that the office can contact you, or untick the box.")
            )
        if field.data:
            try:
                normalise_contact(field.data)
            except ContactError:
                raise ValidationError(
                    _l("Enter a mobile number such as 0912 345 678, or an e-mail address such as ten@example.com.")
                ) from None

    def answers(self, *, language: str, service_mode: str | None) -> Answers:
        """The validated answers as the codes the service stores."""

        def number(name: str) -> int | None:
            value = self[name].data if name in self else None  # a version may leave a question out
            return int(value) if value else None

        def code(name: str) -> str | None:
            return (self[name].data if name in self else None) or None

        return Answers(
            rating=int(self.rating.data),
            elements={name: number(f"element_{name}") for name in ELEMENTS},
            on_time=code("on_time"),
            returns=number("returns"),
            agencies=number("agencies"),
            extra_payment=code("extra_payment"),
            service_mode=code("service_mode") if "service_mode" in self else service_mode,
            comment=code("comment"),
            age_band=code("age_band"),
            sex=code("sex"),
            language=language,
        )


def _one_of_message(codes: Sequence[str], message: Any) -> Callable[[Any, Field], None]:
    allowed = frozenset(codes)

    def check(form: Any, field: Field) -> None:
        if field.data not in allowed:
            raise ValidationError(message)

    return check


class EraseForm(CleanForm):
    """A citizen confirms they want their answer erased (a deliberate second step, no JavaScript needed)."""

    confirm = BooleanField(
        _l("Yes, erase my answer"),
        validators=[InputRequired(_l("Tick the box to confirm that you want your answer erased."))],
    )
