"""Reading API request bodies into plain values, with one clear message per field at fault.

Types are strict, so a partner's bug shows up at once instead of as skewed statistics: numbers must be whole
(`5`; JSON's `5.0` is the same number and counts as 5, as JSON Schema says, but `"5"`, `4.5` and `true` do not),
codes must be strings, unknown fields are refused (a misspelt optional field would otherwise be dropped
silently), and `null` means "not answered" (or "the default") for optional fields.

The rules that the OpenAPI document states (survey/api/openapi.py) are the ones defined here, `CODE_PATTERN`
and the limits, so a request the document calls valid is never refused as malformed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from survey.cleaning import clean_text
from survey.models import AGE_BANDS, CHANNELS, ELEMENTS, EXTRA_PAYMENT, ON_TIME, SERVICE_MODES, SEXES
from survey.models_sms import SMS_MODES
from survey.services.catalog.local_questions import TEXT_MAX
from survey.services.responses.invitations import MAX_EXPIRES_DAYS
from survey.services.responses.store import COMMENT_MAX, LANGUAGES, Answers
from survey.services.sms.phone import PhoneError, normalise_phone

CODE_MAX = 80
_NAME_SHOWN = 40  # unknown field names are echoed back shortened
_CONTROL = r"\x00-\x1f\x7f-\x9f"
_SPACE = r"\x20\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"  # what str.strip() removes, controls aside
CODE_PATTERN = rf"^[^{_CONTROL}]*[^{_CONTROL}{_SPACE}][^{_CONTROL}]*$(?!\n)"
"""A code: no control characters, not only spaces (spaces around it are trimmed). The same text is the OpenAPI
`pattern`, valid in Python, ECMA-262 and Rust's regex engines (jsonschema-rs, schemathesis); `(?!\n)` stops
Python's `$` from matching before a final newline. Lone surrogates (which JSON's `\ud800` escapes can carry, but
no Unicode text holds and no database can store) are refused too, by `_CODE`: a range of surrogates is no valid
class for engines that match Unicode scalar values, so it stays out of the document's pattern."""
_UNSTORABLE = rf"{_CONTROL}\ud800-\udfff"
_CODE = re.compile(rf"[^{_UNSTORABLE}]*[^{_UNSTORABLE}{_SPACE}][^{_UNSTORABLE}]*")  # with fullmatch
CODE_TEXT = f"1 to {CODE_MAX} characters, not only spaces, without control characters (spaces around are trimmed)"
CODE_RULE = f"must be {CODE_TEXT}"


@dataclass(frozen=True)
class FieldError:
    field: str | None
    message: str

    def as_json(self) -> dict[str, str | None]:
        return {"field": self.field, "message": self.message}


@dataclass(frozen=True)
class ResponseRequest:
    procedure_code: str
    office_code: str
    channel: str
    answers: Answers
    invitation_token: str | None
    questionnaire_version: int | None = None  # the version a paper sheet was printed under
    local_answers: dict[str, int | str] = field(default_factory=dict)  # local question code → answer


@dataclass(frozen=True)
class InvitationRequest:
    procedure_code: str
    office_code: str
    dossier_code: str
    channel: str
    expires_days: int
    phone: str | None = None  # normalised (+84…): the service sends the invitation by SMS
    sms_mode: str = "link"


ANSWER_FIELDS = (
    "rating",
    "elements",
    "on_time",
    "returns",
    "agencies",
    "extra_payment",
    "service_mode",
    "comment",
    "age_band",
    "sex",
    "language",
)
RESPONSE_FIELDS = (
    "procedure_code", "office_code", "channel", *ANSWER_FIELDS, "invitation_token", "questionnaire_version",
    "local_answers",
)  # fmt: skip
_LOCAL_CODE = re.compile(r"[a-z][a-z0-9_]{0,29}")
INVITATION_FIELDS = ("procedure_code", "office_code", "dossier_code", "channel", "expires_days", "phone", "sms_mode")


def _whole(value: object) -> int | None:
    """The whole number a JSON value stands for (`5` or `5.0`), or None (a string, a fraction, a boolean …)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _unknown(body: dict[str, Any], allowed: tuple[str, ...]) -> list[FieldError]:
    errors = []
    for name in body:
        if name not in allowed:
            shown = str(name)[:_NAME_SHOWN]
            errors.append(FieldError(shown, f"unknown field; allowed: {', '.join(allowed)}"))
    return errors


def _integer(body: dict[str, Any], name: str, low: int, high: int, errors: list[FieldError], hint: str = "") -> Any:
    value = body.get(name)
    if value is None:
        return None
    number = _whole(value)
    if number is None or not low <= number <= high:
        errors.append(FieldError(name, f"must be a whole number from {low} to {high}{hint}"))
        return None
    return number


def _choice(body: dict[str, Any], name: str, codes: tuple[str, ...], errors: list[FieldError]) -> Any:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or value not in codes:
        errors.append(FieldError(name, f"must be one of {', '.join(codes)}"))
        return None
    return value


def _code(body: dict[str, Any], name: str, errors: list[FieldError], *, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None:
        if required:
            errors.append(FieldError(name, "is required"))
        return None
    if not isinstance(value, str):
        errors.append(FieldError(name, "must be a string"))
        return None
    if len(value) > CODE_MAX or not _CODE.fullmatch(value):
        errors.append(FieldError(name, CODE_RULE))
        return None
    return value.strip()


def _elements(body: dict[str, Any], errors: list[FieldError]) -> dict[str, int | None]:
    raw = body.get("elements")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.append(FieldError("elements", f"must be an object with any of {', '.join(ELEMENTS)}"))
        return {}
    elements: dict[str, int | None] = {}
    for name, value in raw.items():
        if name not in ELEMENTS:
            shown = str(name)[:_NAME_SHOWN]
            errors.append(FieldError(f"elements.{shown}", f"unknown element; allowed: {', '.join(ELEMENTS)}"))
        elif value is not None and not 1 <= (_whole(value) or 0) <= 5:
            errors.append(FieldError(f"elements.{name}", "must be a whole number from 1 to 5, or null"))
        else:
            elements[name] = _whole(value)
    return elements


def _comment(body: dict[str, Any], errors: list[FieldError]) -> str | None:
    value = body.get("comment")
    if value is None:
        return None
    if not isinstance(value, str):
        errors.append(FieldError("comment", "must be a string"))
        return None
    text = clean_text(value)
    if len(text) > COMMENT_MAX:
        errors.append(FieldError("comment", f"must be at most {COMMENT_MAX} characters (it has {len(text)})"))
        return None
    return text or None


def _local_answers(body: dict[str, Any], errors: list[FieldError]) -> dict[str, int | str]:
    """`{"code": answer}` for local questions: a whole number (scale), a code (choice, yes/no) or text."""
    raw = body.get("local_answers")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        errors.append(FieldError("local_answers", "must be an object of local question code → answer"))
        return {}
    answers: dict[str, int | str] = {}
    for code, value in raw.items():
        name = f"local_answers.{str(code)[:_NAME_SHOWN]}"
        if not isinstance(code, str) or not _LOCAL_CODE.fullmatch(code):
            errors.append(FieldError(name, "is not a local question code (a-z, digits, _)"))
        elif value is None:
            continue
        elif _whole(value) is not None:
            answers[code] = int(value)
        elif isinstance(value, str) and len(clean_text(value)) <= TEXT_MAX:
            answers[code] = clean_text(value)
        else:
            errors.append(
                FieldError(name, f"must be a whole number, a code or a text of at most {TEXT_MAX} characters")
            )
    return answers


def parse_api_answers(body: dict[str, Any]) -> tuple[Answers | None, list[FieldError]]:
    """The answers in an API body (fields other than the answers are not looked at here)."""
    errors: list[FieldError] = []
    rating = _whole(body.get("rating"))
    if body.get("rating") is None:
        errors.append(FieldError("rating", "is required: a whole number from 1 (very dissatisfied) to 5"))
    elif rating is None or not 1 <= rating <= 5:
        errors.append(FieldError("rating", "must be a whole number from 1 (very dissatisfied) to 5"))
    elements = _elements(body, errors)
    on_time = _choice(body, "on_time", ON_TIME, errors)
    returns = _integer(body, "returns", 0, 2, errors, " (2 = more than once)")
    agencies = _integer(body, "agencies", 1, 3, errors, " (3 = three or more)")
    extra_payment = _choice(body, "extra_payment", EXTRA_PAYMENT, errors)
    service_mode = _choice(body, "service_mode", SERVICE_MODES, errors)
    comment = _comment(body, errors)
    age_band = _choice(body, "age_band", AGE_BANDS, errors)
    sex = _choice(body, "sex", SEXES, errors)
    language = _choice(body, "language", LANGUAGES, errors) or "vi"
    if errors or not isinstance(rating, int):
        return None, errors
    answers = Answers(
        rating=rating,
        elements=elements,
        on_time=on_time,
        returns=returns,
        agencies=agencies,
        extra_payment=extra_payment,
        service_mode=service_mode,
        comment=comment,
        age_band=age_band,
        sex=sex,
        language=language,
    )
    return answers, []


def parse_response_body(body: Any) -> tuple[ResponseRequest | None, list[FieldError]]:
    if not isinstance(body, dict):
        return None, [FieldError(None, "the body must be a JSON object")]
    errors = _unknown(body, RESPONSE_FIELDS)
    procedure_code = _code(body, "procedure_code", errors)
    office_code = _code(body, "office_code", errors)
    channel = _choice(body, "channel", CHANNELS, errors)
    if "channel" not in body or body["channel"] is None:
        errors.append(FieldError("channel", f"is required: one of {', '.join(CHANNELS)}"))
    token = _code(body, "invitation_token", errors, required=False)
    version = _integer(body, "questionnaire_version", 1, 9999, errors)
    local = _local_answers(body, errors)
    answers, answer_errors = parse_api_answers(body)
    errors.extend(answer_errors)
    if errors or answers is None:
        return None, errors
    assert procedure_code is not None and office_code is not None and channel is not None
    return ResponseRequest(procedure_code, office_code, channel, answers, token, version, local), []


def parse_invitation_body(body: Any) -> tuple[InvitationRequest | None, list[FieldError]]:
    if not isinstance(body, dict):
        return None, [FieldError(None, "the body must be a JSON object")]
    errors = _unknown(body, INVITATION_FIELDS)
    procedure_code = _code(body, "procedure_code", errors)
    office_code = _code(body, "office_code", errors)
    dossier_code = _code(body, "dossier_code", errors)
    channel = _choice(body, "channel", CHANNELS, errors)
    expires_days = _integer(body, "expires_days", 1, MAX_EXPIRES_DAYS, errors)
    phone, sms_mode = _sms_fields(body, channel, errors)
    if errors:
        return None, errors
    assert procedure_code is not None and office_code is not None and dossier_code is not None
    channel = channel or ("sms" if phone else "qr")
    wanted = InvitationRequest(procedure_code, office_code, dossier_code, channel, expires_days or 30, phone, sms_mode)
    return wanted, []


def _sms_fields(body: dict[str, Any], channel: str | None, errors: list[FieldError]) -> tuple[str | None, str]:
    """`phone` (the service sends the SMS; channel sms or absent) and `sms_mode` (only with a phone)."""
    raw, sms_mode = body.get("phone"), _choice(body, "sms_mode", SMS_MODES, errors)
    if raw is None:
        if sms_mode is not None:
            errors.append(FieldError("sms_mode", "only with a phone number to send the SMS to"))
        return None, "link"
    if channel not in (None, "sms"):
        errors.append(FieldError("phone", "only with channel sms"))
        return None, "link"
    try:
        return normalise_phone(raw), sms_mode or "link"
    except PhoneError as exc:
        errors.append(FieldError("phone", str(exc)))
        return None, "link"


def office_code_of(body: Any) -> str | None:
    """The office a body is about, when it names one plainly (to answer 403 before 422)."""
    if isinstance(body, dict) and isinstance(body.get("office_code"), str):
        code = body["office_code"]
        return code.strip() if len(code) <= CODE_MAX and _CODE.fullmatch(code) else None
    return None
