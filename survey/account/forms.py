"""The alert subscription form: an office of the official's scope, and optionally one procedure there."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import InputRequired

from survey.auth.forms import OfficialsForm
from survey.services.reporting.query import FilterOptions


class SubscriptionForm(OfficialsForm):
    office = SelectField(_l("Office (with the offices under it)"), validators=[InputRequired(_l("Choose an office."))])
    procedure = SelectField(_l("Procedure"), default="")

    def fill_choices(self, options: FilterOptions) -> None:
        self.office.choices = [(o.code, f"{o.code} {o.name}") for o in options.offices]
        self.procedure.choices = [("", str(_l("All procedures")))] + [
            (code, f"{code} {name}") for _, code, name in options.procedures
        ]
