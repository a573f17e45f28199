"""Marking a call-back request handled: a short outcome, required."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from survey.auth.forms import OfficialsForm
from survey.services.callbacks.queue import OUTCOME_MAX


class HandledForm(OfficialsForm):
    outcome = StringField(
        _l("Outcome"),
        validators=[
            InputRequired(_l("Write what came of the call, in a few words.")),
            Length(max=OUTCOME_MAX, message=_l("Type at most %(max)s characters.", max=OUTCOME_MAX)),
        ],
    )
