"""The public results' search: a GET form (bookmarkable, nothing changes), text cleaned like every form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional

from survey.forms import CleanForm
from survey.services.publication.offices import QUERY_MAX


class SearchForm(CleanForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    q = StringField(_l("Office name"), validators=[Optional(), Length(max=QUERY_MAX)])
    under = StringField(validators=[Optional(), Length(max=40)])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=10_000)])
