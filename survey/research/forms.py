"""Forms of the research blueprint: the export request (researchers) and the erasure confirmation (citizens)."""

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
from survey.services.research.export import ExportOptions

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class ExportForm(OfficialsForm):
    """The same choices as `flask export-anonymised`."""

    file_format = RadioField(
        _l("File format"),
        choices=[
            SelectChoice("csv", _l("CSV (spreadsheets, R, pandas)")),
            SelectChoice("parquet", _l("Parquet (DuckDB, Spark, pandas)")),
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
    omit = SelectMultipleField(
        _l("Leave out (keeps more detail in the other columns)"),
        choices=[
            SelectChoice("age_band", _l("Age band")),
            SelectChoice("sex", _l("Sex")),
            SelectChoice("language", _l("Language of the answers")),
        ],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=True,
    )

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
            omit=tuple(self.omit.data or ()),
        )
