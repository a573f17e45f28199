"""Questionnaire files for tests: the shipped version 1 changed as a test needs, local questions, and imports
through the product's own service (checked, audited), so the tests see versions as an admin makes them."""

from __future__ import annotations

import copy
from typing import Any

from survey.extensions import db
from survey.services.catalog.questionnaire import shipped_definition
from survey.services.catalog.questionnaire_import import Actor, ImportOutcome, import_questionnaire


def questionnaire_file(version: int = 2, **changes: Any) -> dict[str, Any]:
    """Version 1 as shipped, renumbered, with top-level keys replaced or added (`comparable_with=[1]`, …)."""
    data = copy.deepcopy(shipped_definition(1))
    data["version"] = version
    data.update(changes)
    return data


def reworded(data: dict[str, Any], code: str, vi: str, en: str | None = None) -> dict[str, Any]:
    """The file with one national question's wording changed."""
    for question in data["questions"]:
        if question["code"] == code:
            question["text"] = {"vi": vi, "en": en or vi}
    return data


def local_question(
    scope: str = "79", code: str = "parking", type: str = "yes_no", required: bool = False, **extra: Any
) -> dict[str, Any]:
    """A local question as a file writes it (texts in both languages unless given)."""
    texts = {
        "parking": ("Có chỗ gửi xe thuận tiện không?", "Was there convenient parking?"),
        "waiting": ("Ông/bà hài lòng với thời gian chờ ở quầy?", "How satisfied are you with the wait at the counter?"),
        "heard_from": ("Ông/bà biết đến dịch vụ qua đâu?", "How did you hear about the service?"),
        "suggestion": ("Một đề xuất của ông/bà cho phường?", "One suggestion for the ward?"),
    }
    vi, en = texts.get(code, (f"Câu hỏi {code}?", f"Question {code}?"))
    question: dict[str, Any] = {"scope": scope, "code": code, "type": type, "required": required,
                                "text": {"vi": vi, "en": en}}  # fmt: skip
    if type == "choice" and "options" not in extra:
        question["options"] = {
            "poster": {"vi": "Áp phích tại quầy", "en": "A poster at the counter"},
            "sms": {"vi": "Tin nhắn", "en": "A text message"},
            "friend": {"vi": "Người quen", "en": "Someone I know"},
        }
    question.update(extra)
    return question


def import_version(data: dict[str, Any], *, publish: bool = True) -> ImportOutcome:
    """Import (and by default publish) a questionnaire file as the command line does."""
    return import_questionnaire(db.session, data, actor=Actor("cli"), file_name="test.json", publish=publish)
