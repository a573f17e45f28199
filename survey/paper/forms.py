"""The data-entry form: one small box per question, in the sheet's order, answered by the digit printed beside
the ticked box (blank when nothing is ticked). Messages are in plain words and keep everything typed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from survey.citizen.forms import SUBMISSION_KEY, new_submission_key
from survey.forms import CleanForm
from survey.models import ELEMENTS
from survey.services.callbacks.requests import ContactError, normalise_contact
from survey.services.paper import codes
from survey.services.responses.store import COMMENT_MAX, Answers

# The questions keyed in, in the order the sheet prints them (the questionnaire's order).
SCALE_FIELDS = ("rating", *(f"element_{name}" for name in ELEMENTS))
CHOICE_FIELDS = ("on_time", "returns", "agencies", "extra_payment", "service_mode")
DEMOGRAPHIC_FIELDS = ("age_band", "sex")
ORDER = ("code", *SCALE_FIELDS, *CHOICE_FIELDS, "comment", *DEMOGRAPHIC_FIELDS)

CODE_MESSAGES = {
    "length": _l("A sheet code has 8 characters, like K7QX-M4PR: check it on the sheet."),
    "symbol": _l("This code has a character that is never on a sheet (0, O, 1, I or L): check it on the sheet."),
    "check": _l("This code does not add up: one character is mistyped or two are swapped. Check it on the sheet."),
    "unknown": _l("No sheet was printed with this code. Check it on the sheet."),
    "elsewhere": _l("This sheet belongs to an office you do not key in for."),
    "used": _l("This sheet has already been answered (keyed in, or online through its QR code). Nothing was stored."),
}


class _Digit:
    """Blank, or one digit from 1 to the number of boxes the question has."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __call__(self, form: Any, field: Field) -> None:
        value = field.data or ""
        if value and not (len(value) == 1 and value.isdigit() and 1 <= int(value) <= self.count):
            raise ValidationError(
                str(_l("Type a digit from 1 to %(count)s, the number beside the ticked box, or leave it empty.",
                       count=self.count))
            )  # fmt: skip


def _code(form: Any, field: Field) -> None:
    problem = codes.problem(codes.normalise(field.data or ""))
    if problem is not None:
        raise ValidationError(str(CODE_MESSAGES[problem]))


def _contact(form: Any, field: Field) -> None:
    try:
        normalise_contact(field.data or "")
    except ContactError:
        raise ValidationError(
            str(_l("Type the mobile number (e.g. 0912 345 678) or the e-mail address written on the sheet."))
        ) from None


class PaperEntryForm(CleanForm):
    submission_key = HiddenField()
    code = StringField(_l("Sheet code"), validators=[InputRequired(_l("Type the code printed on the sheet.")), _code])
    rating = StringField(validators=[InputRequired(_l("Type the overall rating ticked on the sheet, 1 to 5."))])
    element_access = StringField()
    element_procedure = StringField()
    element_staff = StringField()
    element_result = StringField()
    element_feedback = StringField()
    on_time = StringField()
    returns = StringField()
    agencies = StringField()
    extra_payment = StringField()
    service_mode = StringField()
    comment = TextAreaField(validators=[Optional(), Length(max=COMMENT_MAX)])
    callback_contact = StringField(validators=[Optional(), _contact])  # only when the call-back box is ticked
    age_band = StringField()
    sex = StringField()

    def configure(self, options: dict[str, Sequence[str]]) -> PaperEntryForm:
        """Each question's digit range from the questionnaire's options (`options[name]`: codes in sheet order)."""
        self._options = options
        for name in (*SCALE_FIELDS, *CHOICE_FIELDS, *DEMOGRAPHIC_FIELDS):
            self[name].validators = [*self[name].validators, _Digit(len(options[name]))]
        if not SUBMISSION_KEY.fullmatch(self.submission_key.data or ""):
            self.submission_key.data = new_submission_key()
        return self

    def answers(self, *, language: str) -> Answers:
        """The digits typed, as the codes the service stores (the n-th box of a question is its n-th option)."""

        def picked(name: str) -> str | None:
            value = self[name].data
            return self._options[name][int(value) - 1] if value else None

        def number(name: str) -> int | None:
            code = picked(name)
            return int(code) if code is not None else None

        return Answers(
            rating=int(picked("rating") or 0),
            elements={name: number(f"element_{name}") for name in ELEMENTS},
            on_time=picked("on_time"),
            returns=number("returns"),
            agencies=number("agencies"),
            extra_payment=picked("extra_payment"),
            service_mode=picked("service_mode"),
            comment=self.comment.data or None,
            age_band=picked("age_band"),
            sex=picked("sex"),
            language=language,
        )
