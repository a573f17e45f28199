"""Forms of the research blueprint: the microdata export and its preview, and the aggregate tables."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from survey.auth.forms import OfficialsForm
from survey.services.research.aggregates import DIMENSIONS, TableOptions
from survey.services.research.columns import DEFAULT_QUASI, OTHER_COLUMNS, QUASI_IDENTIFIERS
from survey.services.research.options import ExportOptions

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"

QUASI_LABELS = {
    "month": _l("Month (a quarter where groups are small)"),
    "office": _l("Office (its province where groups are small)"),
    "procedure": _l("Procedure (its field where groups are small)"),
    "channel": _l("Channel"),
    "age_band": _l("Age band"),
    "sex": _l("Sex"),
    "language": _l("Language of the answers"),
}
DIMENSION_LABELS = {
    "procedure": _l("Procedure"),
    "office": _l("Office"),
    "province": _l("Province"),
    "month": _l("Month"),
    "quarter": _l("Quarter"),
    "channel": _l("Channel"),
}


class ExportForm(OfficialsForm):
    """The same choices as `flask export-anonymised`."""

    file_format = RadioField(
        _l("File format"),
        choices=[
            SelectChoice("csv", _l("CSV (spreadsheets, R, pandas)")),
            SelectChoice("parquet", _l("Parquet (DuckDB, Spark, pandas)")),
            SelectChoice("sav", _l("SPSS (.sav), with Vietnamese labels")),
            SelectChoice("dta", _l("Stata (.dta), with Vietnamese labels")),
        ],
        default="csv",
        validators=[InputRequired(_l("Choose a file format."))],
    )
    k = IntegerField(
        _l("Smallest group size (k)"),
        default=5,
        validators=[
            InputRequired(_l("Enter k, a whole number of at least 2.")),
            NumberRange(min=2, max=1000, message=_l("k must be a whole number from 2 to 1000.")),
        ],
    )
    text = RadioField(
        _l("Citizens' comments"),
        choices=[
            SelectChoice("redacted", _l("Include them, with personal data replaced")),
            SelectChoice("drop", _l("Leave them out")),
        ],
        default="redacted",
        validators=[InputRequired(_l("Choose what to do with comments."))],
    )
    month_from = StringField(
        _l("From month (optional)"),
        validators=[Optional(), Regexp(MONTH_PATTERN, message=_l("Enter a month like 2025-07."))],
    )
    month_to = StringField(
        _l("To month (optional)"),
        validators=[Optional(), Regexp(MONTH_PATTERN, message=_l("Enter a month like 2025-07."))],
    )
    l_diversity = SelectField(
        _l("Distinct ratings in every group (l-diversity)"),
        choices=[SelectChoice("", _l("Not required")), SelectChoice("2", "2"), SelectChoice("3", "3")],
        default="",
    )
    quasi = SelectMultipleField(
        _l("Who, where and when (quasi-identifiers)"),
        choices=[SelectChoice(name, QUASI_LABELS[name]) for name in QUASI_IDENTIFIERS],
        default=list(DEFAULT_QUASI),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )
    columns = SelectMultipleField(
        _l("Answers and facts"),
        choices=[SelectChoice(name, name) for name in OTHER_COLUMNS],
        default=list(OTHER_COLUMNS),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )

    def validate_quasi(self, field: SelectMultipleField) -> None:
        if not field.data:
            raise ValidationError(_l("Choose at least one of who, where and when."))

    def validate_month_to(self, field: StringField) -> None:
        if self.month_from.data and field.data and field.data < self.month_from.data:
            raise ValidationError(_l("The last month cannot come before the first month."))

    def options(self) -> ExportOptions:
        return ExportOptions(
            file_format=self.file_format.data,
            k=int(self.k.data),
            text=self.text.data,
            month_from=self.month_from.data or None,
            month_to=self.month_to.data or None,
            l_diversity=int(self.l_diversity.data) if self.l_diversity.data else None,
            quasi=tuple(self.quasi.data or ()),
            columns=tuple(self.columns.data or ()),
        )


class TablesForm(OfficialsForm):
    """The same choices as `flask export-aggregates`."""

    first = SelectField(
        _l("Rows by"), choices=[SelectChoice(name, DIMENSION_LABELS[name]) for name in DIMENSIONS], default="procedure"
    )
    second = SelectField(
        _l("Columns by (optional)"),
        choices=[SelectChoice("", _l("Nothing: one column")),
                 *(SelectChoice(name, DIMENSION_LABELS[name]) for name in DIMENSIONS)],
        default="province",
    )  # fmt: skip
    min_n = IntegerField(
        _l("Smallest published cell (min-n)"),
        default=5,
        validators=[
            InputRequired(_l("Enter min-n, a whole number of at least 2.")),
            NumberRange(min=2, max=1000, message=_l("min-n must be a whole number from 2 to 1000.")),
        ],
    )
    month_from = StringField(
        _l("From month (optional)"),
        validators=[Optional(), Regexp(MONTH_PATTERN, message=_l("Enter a month like 2025-07."))],
    )
    month_to = StringField(
        _l("To month (optional)"),
        validators=[Optional(), Regexp(MONTH_PATTERN, message=_l("Enter a month like 2025-07."))],
    )
    file_format = RadioField(
        _l("File format"),
        choices=[SelectChoice("csv", _l("CSV")), SelectChoice("parquet", _l("Parquet"))],
        default="csv",
        validators=[InputRequired(_l("Choose a file format."))],
    )

    def validate_second(self, field: SelectField) -> None:
        if field.data and field.data == self.first.data:
            raise ValidationError(_l("Choose two different columns, or nothing for one column."))

    def validate_month_to(self, field: StringField) -> None:
        if self.month_from.data and field.data and field.data < self.month_from.data:
            raise ValidationError(_l("The last month cannot come before the first month."))

    def options(self) -> TableOptions:
        return TableOptions(
            by=tuple(name for name in (self.first.data, self.second.data) if name),
            file_format=self.file_format.data,
            min_n=int(self.min_n.data),
            month_from=self.month_from.data or None,
            month_to=self.month_to.data or None,
        )
