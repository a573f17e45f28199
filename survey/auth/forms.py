"""Sign-in and password forms, and the base form the officials' forms share (trims text, normalises to NFC)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from survey.forms import CleanForm
from survey.services.accounts.passwords import MAX_LENGTH, weakness


class OfficialsForm(CleanForm):
    """Officials' forms: text cleaned and NFC-normalised, passwords NFC only (see `survey.forms.CleanForm`)."""


# Words for the password rules' codes (survey.services.accounts.passwords.weakness).
WEAKNESS_MESSAGES = {
    "too_short": _l("Use at least 12 characters."),
    "too_long": _l("Use at most %(limit)s characters.", limit=MAX_LENGTH),
    "common": _l("This password is among the most often used ones. Choose another."),
    "like_email": _l("This password is too close to your e-mail address. Choose another."),
}


class StrongPassword:
    """A new password must pass the service's rules (the form's `account_email`, if any, is compared too)."""

    def __call__(self, form: Any, field: Any) -> None:
        code = weakness(field.data or "", email=getattr(form, "account_email", None))
        if code:
            raise ValidationError(str(WEAKNESS_MESSAGES[code]))


class LoginForm(OfficialsForm):
    email = EmailField(_l("E-mail address"), validators=[InputRequired(_l("Enter your e-mail address.")),
                                                          Length(max=254)])  # fmt: skip
    password = PasswordField(
        _l("Password"), validators=[InputRequired(_l("Enter your password.")), Length(max=MAX_LENGTH)]
    )


class ChangePasswordForm(OfficialsForm):
    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(_l("Enter your current password."))]
    )
    new_password = PasswordField(
        _l("New password"), validators=[InputRequired(_l("Enter a new password.")), StrongPassword()]
    )
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[
            InputRequired(_l("Enter the new password a second time.")),
            EqualTo("new_password", _l("The two new passwords are not the same.")),
        ],
    )

    def __init__(self, *args: Any, account_email: str | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.account_email = account_email
