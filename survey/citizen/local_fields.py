"""The citizen form for one questionnaire version and the local questions of one office: fields built per page.

The national questions are the fields of `SurveyForm`; a version that leaves one out drops it, and a version on
another scale accepts only its own points. Each local question becomes one more field named `local_<code>`,
checked like the others, its answers handed to the service as question id → value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, RadioField, StringField
from wtforms.validators import InputRequired, Length, Optional

from survey.citizen.forms import OneOf, SurveyForm
from survey.services.catalog.local_questions import TEXT_MAX, LocalItem
from survey.services.responses.local_answers import LocalSubmission
from survey.services.responses.survey_page import SurveyPage

SCALE_FIELDS = ("rating", "element_access", "element_procedure", "element_staff", "element_result", "element_feedback")
ASKABLE = (*SCALE_FIELDS, "on_time", "returns", "agencies", "extra_payment", "comment", "age_band", "sex")
"""National questions a version may leave out (the service mode is asked when the link does not say it)."""


def _local_field(question: LocalItem, scale: Sequence[str]) -> Field:
    if question.type == "text":
        first: Any = InputRequired(_l("Please answer this question.")) if question.required else Optional()
        return StringField(validators=[first, Length(max=TEXT_MAX, message=_l("Please shorten your answer."))])
    first = InputRequired(_l("Please choose an answer to this question.")) if question.required else Optional()
    return RadioField(validate_choice=False, validators=[first, OneOf(question.answer_codes(scale))])


def page_form(page: SurveyPage) -> SurveyForm:
    """The form for this page: `SurveyForm`, plus a field per local question, less what the version does not ask."""
    scale = tuple(page.definition["scale"])
    if page.local:
        fields = {question.field: _local_field(question, scale) for question in page.local}
        form: SurveyForm = type("LocalSurveyForm", (SurveyForm,), fields)()
    else:
        form = SurveyForm()
    asked = {question["code"] for question in page.definition["questions"]}
    for name in ASKABLE:
        if name not in asked and name in form:
            delattr(form, name)
    if sorted(scale) != ["1", "2", "3", "4", "5"]:
        for name in SCALE_FIELDS:
            if name in form:
                form[name].validators = [*form[name].validators[:1], OneOf(sorted(scale))]
    return form


def local_submission(form: SurveyForm, page: SurveyPage) -> LocalSubmission | None:
    """The local answers as the service stores them (None when the form showed no local question)."""
    if not page.local:
        return None
    values: dict[int, int | str] = {}
    for question in page.local:
        value = form[question.field].data
        if value:
            values[question.id] = int(value) if question.type == "scale" else value
    return LocalSubmission(page.version_id, page.local, values, tuple(page.definition["scale"]))


def local_questions(page: SurveyPage, language: str) -> list[dict[str, Any]]:
    """The local questions' texts and answer labels in the page's language, in form order."""

    def pick(texts: dict[str, str]) -> str:
        return texts.get(language) or texts["vi"]

    scale = [(code, pick(label)) for code, label in sorted(page.definition["scale"].items())]
    shown = []
    for question in page.local:
        if question.type == "scale":
            options = scale
        elif question.type == "yes_no":
            options = [("yes", _("Yes")), ("no", _("No"))]
        else:
            options = [(code, pick(label)) for code, label in (question.options or {}).items()]
        shown.append({"field": question.field, "type": question.type, "text": pick(question.text),
                      "options": options, "required": question.required})  # fmt: skip
    return shown
