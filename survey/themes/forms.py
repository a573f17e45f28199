"""The themes pages' forms: GET filters (each choice a bookmarkable URL) and an official's theme correction."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, HiddenField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from analysis.periods import is_month
from survey.codes import CHANNEL_LABELS, THEME_LABELS
from survey.forms import CleanForm
from survey.services.themes.corrections import allowed_codes as correction_codes
from survey.services.themes.official import DISSATISFIED
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


class CommentFilterForm(CleanForm):
    """Filters of the official themes and comments pages: a GET form, so every choice is a bookmarkable URL."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    office = StringField(_l("Office code (with the offices under it)"), validators=[Optional(), Length(max=40)])
    procedure = StringField(_l("Procedure code"), validators=[Optional(), Length(max=40)])
    month_from = StringField(_l("From month (YYYY-MM)"), validators=[Optional(), Length(max=7)])
    month_to = StringField(_l("To month (YYYY-MM)"), validators=[Optional(), Length(max=7)])
    channel = SelectField(_l("Channel"), default="", validate_choice=False)
    theme = SelectField(_l("Theme"), default="", validate_choice=False)
    rating = SelectField(_l("Rating"), default="", validate_choice=False)
    q = StringField(_l("Words in the comment (with or without tone marks)"), validators=[Optional(), Length(max=200)])

    def fill_choices(self) -> None:
        self.channel.choices = [("", str(_l("All channels"))), *((c, str(n)) for c, n in CHANNEL_LABELS.items())]
        self.theme.choices = [("", str(_l("All themes"))), *((c, str(THEME_LABELS[c])) for c in correction_codes())]
        self.rating.choices = [
            ("", str(_l("All ratings"))),
            (DISSATISFIED, str(_l("Dissatisfied (1 to 3)"))),
            *((str(n), str(n)) for n in range(1, 6)),
        ]

    def _check_choice(self, field: Field, message: Any) -> None:
        if (field.data or "") not in {value for value, _ in field.choices or []}:
            raise ValidationError(message)

    def validate_channel(self, field: Field) -> None:
        self._check_choice(field, _l("Choose a channel from the list."))

    def validate_theme(self, field: Field) -> None:
        self._check_choice(field, _l("Choose a theme from the list."))

    def validate_rating(self, field: Field) -> None:
        self._check_choice(field, _l("Choose a rating from the list."))

    def validate_month_from(self, field: Field) -> None:
        if field.data and not is_month(field.data):
            raise ValidationError(_l("Write the month as YYYY-MM, for example 2025-07."))

    def validate_month_to(self, field: Field) -> None:
        self.validate_month_from(field)

    def query_args(self) -> dict[str, str]:
        names = ("office", "procedure", "month_from", "month_to", "channel", "theme", "rating", "q")
        return {name: self[name].data for name in names if self[name].data}


class CorrectionForm(CleanForm):
    """An official's correction of one comment's theme(s)."""

    theme = SelectField(_l("Right theme"), validate_choice=False)
    theme2 = SelectField(_l("Second theme (optional)"), default="", validate_choice=False)
    next = HiddenField()

    def fill_choices(self) -> None:
        self.theme.choices = [(c, str(THEME_LABELS[c])) for c in correction_codes()]
        self.theme2.choices = [("", str(_l("None")))] + [
            (c, str(THEME_LABELS[c])) for c in correction_codes() if c not in ("other", "not_complaint")
        ]
