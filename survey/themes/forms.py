"""The themes page's filters: a GET form, so each choice of office, procedure and period is a bookmarkable URL."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, SelectField
from wtforms.validators import ValidationError

from survey.forms import CleanForm
from survey.services.themes.pages import RunChoice

WHOLE_COUNTRY = ""


def month_label(month: str) -> str:
    """2025-07 → 07/2025, the way Vietnamese offices write a month."""
    year, number = month.split("-")
    return f"{number}/{year}"


class ThemeFilterForm(CleanForm):
    """Office (with the offices under it), procedure and period of the run to show; choices come from runs."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    office = SelectField(_l("Office (with the offices under it)"), default="", validate_choice=False)
    procedure = SelectField(_l("Procedure"), default="", validate_choice=False)
    period = SelectField(_l("Period"), default="", validate_choice=False)

    def fill_choices(self, runs: list[RunChoice], *, home_office: tuple[str, str] | None) -> None:
        """Offer what visible runs cover; an official's own office is always offered, the whole country never."""
        offices: dict[str, str] = {}
        if home_office is not None:
            offices[home_office[0]] = home_office[1]
        procedures: dict[str, str] = {}
        periods: dict[str, str] = {}
        for run in runs:
            if run.office_code is not None:
                offices.setdefault(run.office_code, run.office_name or "")
            if run.procedure_code is not None:
                procedures.setdefault(run.procedure_code, run.procedure_name or "")
            periods.setdefault(run.period, f"{month_label(run.month_from)} – {month_label(run.month_to)}")
        office_choices = [(code, f"{code} {name}") for code, name in sorted(offices.items())]
        if home_office is None:
            office_choices.insert(0, (WHOLE_COUNTRY, str(_l("All offices"))))
        self.office.choices = office_choices
        self.procedure.choices = [
            ("", str(_l("All procedures"))),
            *((c, f"{c} {n}") for c, n in sorted(procedures.items())),
        ]
        self.period.choices = [("", str(_l("Latest"))), *sorted(periods.items(), reverse=True)]
        if not self.office.data and home_office is not None:
            self.office.data = home_office[0]

    def _check_choice(self, field: Field, message: Any) -> None:
        if (field.data or "") not in {value for value, _ in field.choices or []}:
            raise ValidationError(message)

    def validate_office(self, field: Field) -> None:
        self._check_choice(field, _l("Choose one of your offices from the list."))

    def validate_procedure(self, field: Field) -> None:
        self._check_choice(field, _l("Choose a procedure from the list."))

    def validate_period(self, field: Field) -> None:
        self._check_choice(field, _l("Choose a period from the list."))

    def query_args(self) -> dict[str, str]:
        return {name: self[name].data for name in ("office", "procedure", "period") if self[name].data}
