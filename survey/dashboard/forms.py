"""The dashboard's filters: a GET form, so every view is a bookmarkable URL with codes in its query string."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, SelectField, StringField
from wtforms.validators import ValidationError

from analysis.periods import is_month
from survey.codes import CHANNEL_LABELS
from survey.forms import CleanForm
from survey.models import CHANNELS
from survey.services.reporting.query import FilterOptions, ReportFilter


class FilterForm(CleanForm):
    """Period, province, office, procedure, channel and verified-only; empty means "all"."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    month_from = StringField(_l("From month"), description=_l("For example 2025-01"))
    month_to = StringField(_l("To month"), description=_l("For example 2025-12"))
    province = SelectField(_l("Province"), default="", validate_choice=False)
    office = SelectField(_l("Office (with the offices under it)"), default="", validate_choice=False)
    procedure = SelectField(_l("Procedure"), default="", validate_choice=False)
    channel = SelectField(_l("Channel"), default="", validate_choice=False)
    verified = BooleanField(_l("Only verified responses (from one-time links)"))

    def fill_choices(self, options: FilterOptions) -> None:
        everything = ("", str(_l("All")))
        self.province.choices = [everything, *((code, f"{code} {name}") for code, name in options.provinces)]
        self.office.choices = [everything, *((o.code, f"{o.code} {o.name}") for o in options.offices)]
        self.procedure.choices = [everything, *((code, f"{code} {name}") for _, code, name in options.procedures)]
        self.channel.choices = [everything, *((code, str(CHANNEL_LABELS[code])) for code in CHANNELS)]

    @staticmethod
    def _check_month(field: Field) -> None:
        if field.data and not is_month(field.data):
            raise ValidationError(_l("Write the month as year-month, for example 2025-07."))

    def validate_month_from(self, field: Field) -> None:
        self._check_month(field)

    def validate_month_to(self, field: Field) -> None:
        self._check_month(field)
        start = self.month_from.data
        if field.data and start and is_month(start) and field.data < start:
            raise ValidationError(_l("The end month is before the start month."))

    def _check_choice(self, field: Field, message: Any) -> None:
        if field.data and field.data not in {value for value, _ in field.choices or []}:
            raise ValidationError(message)

    def validate_province(self, field: Field) -> None:
        self._check_choice(field, _l("Choose a province from the list."))

    def validate_office(self, field: Field) -> None:
        self._check_choice(field, _l("Choose one of your offices from the list."))

    def validate_procedure(self, field: Field) -> None:
        self._check_choice(field, _l("Choose a procedure from the list."))

    def validate_channel(self, field: Field) -> None:
        self._check_choice(field, _l("Choose a channel from the list."))

    def to_filter(self, options: FilterOptions) -> ReportFilter:
        """The checked values as a service filter (codes turned into ids)."""
        office = options.office_by_code(self.office.data) if self.office.data else None
        return ReportFilter(
            month_from=self.month_from.data or None,
            month_to=self.month_to.data or None,
            province_code=self.province.data or None,
            office_id=office.id if office else None,
            procedure_id=options.procedure_id(self.procedure.data) if self.procedure.data else None,
            channel=self.channel.data or None,
            verified_only=bool(self.verified.data),
        )

    def query_args(self) -> dict[str, str]:
        """The filters as query-string arguments (only the ones set), for links that keep them."""
        args = {name: self[name].data for name in ("month_from", "month_to", "province", "office", "procedure")}
        args["channel"] = self.channel.data
        if self.verified.data:
            args["verified"] = "y"
        return {key: value for key, value in args.items() if value}
