"""Admin forms. Codes typed by an admin are checked against the catalog here, so errors sit next to the field."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select
from wtforms import DateField, EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from survey.auth.forms import OfficialsForm
from survey.extensions import db
from survey.models import Office, Procedure, User
from survey.services.accounts.users import OFFICE_ROLES, UserError, normalise_email
from survey.services.reporting.targets import TargetError, parse_percentage

ROLE_LABELS = {
    "official": _l("Official (sees one office and the offices under it)"),
    "researcher": _l("Researcher (anonymised data, every office)"),
    "admin": _l("Administrator"),
    "clerk": _l("Clerk (only keys in paper survey sheets, for one office and the offices under it)"),
}


def _office_exists(code: str) -> bool:
    return (db.session.scalar(select(func.count()).select_from(Office).where(Office.code == code)) or 0) > 0


def _check_office_code(field: Any) -> None:
    if field.data and not _office_exists(field.data):
        raise ValidationError(str(_l("No office has the code %(code)s.", code=field.data)))


class UserCreateForm(OfficialsForm):
    email = EmailField(_l("E-mail address"), validators=[InputRequired(_l("Enter an e-mail address."))])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(code, label) for code, label in ROLE_LABELS.items()],
        validators=[InputRequired()],
    )
    office_code = StringField(
        _l("Office code (officials and clerks only)"),
        validators=[Optional(), Length(max=40)],
        filters=[lambda v: v or None],
    )

    def validate_email(self, field: Any) -> None:
        try:
            field.data = normalise_email(field.data or "")
        except UserError:
            raise ValidationError(str(_l("Enter an e-mail address like name@example.gov.vn."))) from None
        if db.session.scalar(select(func.count()).select_from(User).where(User.email == field.data)):
            raise ValidationError(str(_l("There is already an account for this e-mail address.")))

    def validate_office_code(self, field: Any) -> None:
        if self.role.data not in OFFICE_ROLES:
            raise ValidationError(str(_l("Only officials and clerks have an office; leave this empty.")))
        _check_office_code(field)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.role.data in OFFICE_ROLES and not self.office_code.data:  # Optional() skips the field's own checks
            self.office_code.errors = [
                *self.office_code.errors,
                str(_l("An official or a clerk needs an office: enter its code.")),
            ]
            return False
        return valid


class CatalogUploadForm(FlaskForm):
    file = FileField(
        _l("CSV file of procedures or offices"), validators=[FileRequired(_l("Choose a CSV file to import."))]
    )


class QuestionnaireUploadForm(FlaskForm):
    file = FileField(
        _l("Questionnaire file (JSON)"), validators=[FileRequired(_l("Choose a questionnaire file to import."))]
    )


class ApiKeyForm(OfficialsForm):
    name = StringField(
        _l("Name (which system or kiosk uses the key)"),
        validators=[InputRequired(_l("Enter a name.")), Length(max=200, message=_l("At most 200 characters."))],
    )
    office_code = StringField(
        _l("Office code (leave empty for a key that may use every office)"),
        validators=[Optional(), Length(max=40)],
        filters=[lambda v: v or None],
    )

    def validate_office_code(self, field: Any) -> None:
        _check_office_code(field)


class TargetForm(OfficialsForm):
    procedure_code = StringField(
        _l("Procedure code (empty: every procedure)"), validators=[Optional(), Length(max=60)],
        filters=[lambda v: v or None],
    )  # fmt: skip
    office_code = StringField(
        _l("Office code (empty: every office)"), validators=[Optional(), Length(max=40)], filters=[lambda v: v or None]
    )
    percentage = StringField(
        _l("Target, in percent"), validators=[InputRequired(_l("Enter a target such as 90 or 92,5."))]
    )

    def validate_procedure_code(self, field: Any) -> None:
        if not db.session.scalar(select(Procedure.id).where(Procedure.code == field.data)):
            raise ValidationError(str(_l("No procedure has the code %(code)s.", code=field.data)))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.procedure_code.data and not self.office_code.data:  # both Optional(): checked here
            message = str(_l("Enter a procedure code, an office code or both."))
            self.procedure_code.errors = [*self.procedure_code.errors, message]
            return False
        return valid

    def validate_office_code(self, field: Any) -> None:
        _check_office_code(field)

    def validate_percentage(self, field: Any) -> None:
        try:
            self.share = parse_percentage(field.data or "")
        except TargetError:
            raise ValidationError(str(_l("Enter a number above 0 and below 100, such as 90 or 92,5."))) from None


class DayField(DateField):
    """A day typed as 2025-07-01 or 01/07/2025 (the browser's date picker sends the first)."""

    def __init__(self, label: Any, **kwargs: Any):
        super().__init__(label, format=["%Y-%m-%d", "%d/%m/%Y"], validators=[Optional()], **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(_l("Enter a day such as 2025-07-01 or 01/07/2025."))) from None


class AuditFilterForm(OfficialsForm):
    """Read from the query string (GET), so no CSRF token: it changes nothing."""

    class Meta(OfficialsForm.Meta):
        csrf = False

    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    actor = StringField(_l("Who (part of the e-mail)"), validators=[Optional(), Length(max=255)])
    date_from = DayField(_l("From (day)"))
    date_to = DayField(_l("To (day, inclusive)"))

    def validate_date_to(self, field: Any) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(str(_l("The end day is before the start day.")))
