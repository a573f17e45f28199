"""Registering a webhook endpoint: its address and the events it wants."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from survey.auth.forms import OfficialsForm
from survey.models_actions import WEBHOOK_EVENTS

EVENT_LABELS = {
    "response.created": _l("response.created: a response was stored (codes and rating only)"),
    "alert.raised": _l("alert.raised: a procedure at an office fell below target or fell significantly"),
    "action.published": _l("action.published: an office published a done action"),
}


class WebhookForm(OfficialsForm):
    url = StringField(
        _l("Address (https://…)"),
        validators=[InputRequired(_l("Enter the address.")), Length(max=500, message=_l("At most 500 characters."))],
    )
    events = SelectMultipleField(
        _l("Events"),
        choices=[SelectChoice(code, EVENT_LABELS[code]) for code in WEBHOOK_EVENTS],
        validators=[InputRequired(_l("Choose at least one event."))],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
