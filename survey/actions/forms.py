"""The action form (an office of the official's scope, a procedure, the theme answered, the change, who, when,
status, public) and the list's filters."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from survey.admin.forms import DayField
from survey.auth.forms import OfficialsForm
from survey.codes import ACTION_STATUS_LABELS
from survey.services.reporting.query import FilterOptions


def _statuses() -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in ACTION_STATUS_LABELS.items()]


class ActionForm(OfficialsForm):
    office = SelectField(_l("Office"), validators=[InputRequired(_l("Choose an office."))])
    procedure = SelectField(_l("Procedure"), validators=[InputRequired(_l("Choose a procedure."))])
    theme_label = StringField(
        _l("What citizens said (the theme, in plain words)"),
        validators=[InputRequired(_l("Say which complaint this action answers.")), Length(max=300)],
    )
    change = TextAreaField(
        _l("What will change"), validators=[InputRequired(_l("Say what will change.")), Length(max=2000)]
    )
    responsible_unit = StringField(
        _l("Responsible unit"), validators=[InputRequired(_l("Name the responsible unit.")), Length(max=200)]
    )
    due_on = DayField(_l("Due date"))
    status = SelectField(_l("Status"), choices=_statuses(), default="planned")
    done_on = DayField(_l("Date it was done"))
    public = BooleanField(_l("Publish on the public results page (only when done)"))
    theme_id = HiddenField(validators=[Optional()])

    def fill_choices(self, options: FilterOptions) -> None:
        self.office.choices = [SelectChoice(o.code, f"{o.code} {o.name}") for o in options.offices]
        self.procedure.choices = [SelectChoice(code, f"{code} {name}") for _, code, name in options.procedures]

    def validate_due_on(self, field: Any) -> None:
        if field.data is None and not field.errors:
            raise ValidationError(str(_l("Enter the due date, such as 2025-07-01.")))

    def validate_done_on(self, field: Any) -> None:
        if self.status.data == "done" and field.data is None and not field.errors:
            raise ValidationError(str(_l("Enter the date the action was done.")))

    def validate_public(self, field: Any) -> None:
        if field.data and self.status.data != "done":
            raise ValidationError(str(_l("Only a done action can be published.")))

    def validate_theme_id(self, field: Any) -> None:
        if field.data and not str(field.data).isdigit():
            raise ValidationError(str(_l("This theme cannot be answered here.")))


class ActionFilterForm(OfficialsForm):
    """Read from the query string (GET), so no CSRF token: it changes nothing."""

    class Meta(OfficialsForm.Meta):
        csrf = False

    status = SelectField(_l("Status"), choices=[SelectChoice("", _l("Any status")), *_statuses()], default="")
    overdue = BooleanField(_l("Only overdue (not done, past the due date)"))
