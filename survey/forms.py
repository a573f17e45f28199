"""The base of every form: text fields cleaned (`survey.cleaning`) before validation, passwords NFC only.

Like GOV.UK Notify's StripWhitespaceForm: one place, so no form can forget to normalise Vietnamese text.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, PasswordField

from survey.cleaning import clean_value, nfc_value


class CleanForm(FlaskForm):
    """Every field's text is cleaned and NFC-normalised before validation; password fields keep their spaces."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
            clean = nfc_value if unbound_field.field_class is PasswordField else clean_value
            filters = [clean, *unbound_field.kwargs.get("filters", [])]
            return unbound_field.bind(form=form, filters=filters, **options)
