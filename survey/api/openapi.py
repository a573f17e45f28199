"""The OpenAPI 3.1 description served at `/openapi.json`, written by hand next to the code it describes."""

from __future__ import annotations

from typing import Any

from analysis.comparison.codes import FUNNEL_CODES
from analysis.periods import MONTH_PATTERN
from survey.api.schemas import CODE_MAX, CODE_PATTERN, CODE_TEXT
from survey.api.summary import MIN_N_MAX
from survey.models import AGE_BANDS, CHANNELS, ELEMENTS, EXTRA_PAYMENT, ON_TIME, SERVICE_MODES, SEXES
from survey.models_sms import SMS_MODES
from survey.services.catalog.local_questions import TEXT_MAX
from survey.services.reporting.summary import GROUPS
from survey.services.responses.invitations import DOSSIER_MAX, DOSSIER_MIN, DOSSIER_PATTERN, MAX_EXPIRES_DAYS
from survey.services.responses.store import COMMENT_MAX
from survey.services.sms.inbound import INBOUND_OUTCOMES
from survey.services.sms.phone import PHONE_PATTERN


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _errors(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Errors")}}}


def _nullable_enum(codes: tuple[str, ...]) -> dict[str, Any]:
    return {"enum": [*codes, None]}


def _code(*examples: str, nullable: bool = False, description: str = "") -> dict[str, Any]:
    """A code field, under the same rule the server checks (survey.api.schemas.CODE_PATTERN)."""
    schema: dict[str, Any] = {
        "type": ["string", "null"] if nullable else "string",
        "minLength": 1,
        "maxLength": CODE_MAX,
        "pattern": CODE_PATTERN,
        "description": " ".join(part for part in (description, f"A code: {CODE_TEXT}.") if part),
    }
    if examples:
        schema["examples"] = list(examples)
    return schema


def _nullable_int(low: int, high: int, description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": ["integer", "null"], "minimum": low, "maximum": high}
    if description:
        schema["description"] = description
    return schema


# Request bodies as a partner sends them; each is checked against the schema and sent to the server in the tests.
INVITATION_EXAMPLES: dict[str, Any] = {
    "dossier": {
        "summary": "A link for a returned dossier, printed as a QR code on the receipt",
        "value": {"procedure_code": "1.001193", "office_code": "79.01", "dossier_code": "000.00.31.H56-240115-0001"},
    },
    "sms_reply": {
        "summary": "The service sends the citizen a question by SMS; the rating comes back as a reply",
        "value": {
            "procedure_code": "1.001193",
            "office_code": "79.01",
            "dossier_code": "000.00.31.H56-240115-0003",
            "phone": "0912345678",
            "sms_mode": "reply",
        },
    },
    "sms": {
        "summary": "A link the one-stop system sends by SMS itself, open for a week",
        "value": {
            "procedure_code": "1.001193",
            "office_code": "79.01",
            "dossier_code": "000.00.31.H56-240115-0002",
            "channel": "sms",
            "expires_days": 7,
        },
    },
}
RESPONSE_EXAMPLES: dict[str, Any] = {
    "kiosk": {
        "summary": "The least a kiosk sends",
        "value": {"procedure_code": "1.001193", "office_code": "79.01", "channel": "kiosk", "rating": 4},
    },
    "paper": {
        "summary": "A paper form typed in, every question answered",
        "value": {
            "procedure_code": "1.001193",
            "office_code": "79.01",
            "channel": "paper",
            "rating": 2,
            "elements": {"access": 3, "procedure": 2, "staff": 4, "result": 3, "feedback": None},
            "on_time": "late",
            "returns": 2,
            "agencies": 1,
            "extra_payment": "no",
            "service_mode": "in_person",
            "comment": "Phải đi lại nhiều lần vì thiếu giấy tờ, cán bộ không hướng dẫn từ đầu.",
            "age_band": "35_44",
            "sex": "female",
            "language": "vi",
        },
    },
}

SCHEMAS: dict[str, Any] = {
    "Errors": {
        "type": "object",
        "required": ["errors"],
        "properties": {
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["field", "message"],
                    "properties": {"field": {"type": ["string", "null"]}, "message": {"type": "string"}},
                },
            }
        },
    },
    "InvitationRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["procedure_code", "office_code", "dossier_code"],
        "properties": {
            "procedure_code": _code("1.001193"),
            "office_code": _code("79.01"),
            "dossier_code": {
                "type": "string",
                "minLength": DOSSIER_MIN,
                "maxLength": DOSSIER_MAX,
                "pattern": DOSSIER_PATTERN,
                "description": "Mã hồ sơ (TT 01/2018 Điều 19): letters and digits joined by . - _ /, with at least "
                "one digit; only a keyed hash is stored.",
                "examples": ["000.00.31.H56-240115-0001"],
            },
            "channel": {**_nullable_enum(CHANNELS), "default": "qr", "description": "null = the default"},
            "expires_days": {
                **_nullable_int(1, MAX_EXPIRES_DAYS, "days the link stays open; null = the default"),
                "default": 30,
            },
            "phone": {
                "type": ["string", "null"],
                "pattern": PHONE_PATTERN,
                "description": "A Vietnamese mobile number: the service sends the invitation by SMS through its "
                "gateway (channel sms). Kept in clear only until sent, then as a keyed hash until the reply window "
                "closes. Spaces, dots and dashes between digits are forgiven.",
                "examples": ["0912345678", "+84912345678"],
            },
            "sms_mode": {
                **_nullable_enum(SMS_MODES),
                "default": "link",
                "description": "link: the SMS carries the survey link; reply: it asks for a rating 1-5 by reply",
            },
        },
        "allOf": [
            {  # the service sends the SMS: channel sms (or left out)
                "if": {"required": ["phone"], "properties": {"phone": {"type": "string"}}},
                "then": {"properties": {"channel": {"enum": ["sms", None]}}},
            },
            {  # how to send is asked only of an SMS the service sends
                "if": {"required": ["sms_mode"], "properties": {"sms_mode": {"type": "string"}}},
                "then": {"required": ["phone"], "properties": {"phone": {"type": "string"}}},
            },
        ],
    },
    "Invitation": {
        "type": "object",
        "required": ["token", "url", "expires_at", "qr_svg_url", "qr_png_url"],
        "properties": {
            "token": {"type": "string"},
            "url": {"type": "string", "format": "uri"},
            "expires_at": {"type": "string", "format": "date-time"},
            "qr_svg_url": {"type": "string", "format": "uri"},
            "qr_png_url": {"type": "string", "format": "uri"},
            "sms_mode": {"enum": list(SMS_MODES), "description": "only when the service sends the SMS"},
            "sms_status": {
                "enum": ["sent", "retrying", "waiting", "pending", "failed"],
                "description": "the first attempt to send: waiting = held until 07:00; retried by `send-sms`",
            },
        },
    },
    "ResponseRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["procedure_code", "office_code", "channel", "rating"],
        "description": "Numbers must be whole; null means not answered.",
        "properties": {
            "procedure_code": _code("1.001193"),
            "office_code": _code("79.01"),
            "channel": {"enum": list(CHANNELS)},
            "rating": {
                "type": "integer",
                "minimum": 1,
                "maximum": 5,
                "description": "5-point scale, 5 = very satisfied",
            },
            "elements": {
                "type": ["object", "null"],
                "additionalProperties": False,
                "properties": {name: _nullable_int(1, 5) for name in ELEMENTS},
            },
            "on_time": _nullable_enum(ON_TIME),
            "returns": _nullable_int(0, 2, "times the citizen had to come back; 2 = more than once"),
            "agencies": _nullable_int(1, 3, "agencies contacted; 3 = three or more"),
            "extra_payment": _nullable_enum(EXTRA_PAYMENT),
            "service_mode": _nullable_enum(SERVICE_MODES),
            "comment": {
                "type": ["string", "null"],
                "maxLength": COMMENT_MAX,
                "description": "Stored with personal data (phone, ID, e-mail, names …) replaced by placeholders.",
            },
            "age_band": _nullable_enum(AGE_BANDS),
            "sex": _nullable_enum(SEXES),
            "language": {"enum": ["vi", "en", None], "default": "vi"},
            "invitation_token": _code(
                nullable=True, description="A one-time link's token: the response is then verified."
            ),
            "questionnaire_version": {
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": 9999,
                "description": "The questionnaire version a paper sheet was printed under, accepted until that "
                "version is retired. Default: the one-time link's version, else the published one.",
            },
            "local_answers": {
                "type": ["object", "null"],
                "propertyNames": {"pattern": "^[a-z][a-z0-9_]{0,29}$"},
                "additionalProperties": {"type": ["integer", "string", "null"], "maxLength": TEXT_MAX},
                "description": "Answers to the local questions of the office's province and offices, by code: "
                "a scale point (integer), an option code, yes or no, or a short text (redacted when stored).",
            },
        },
    },
    "StoredResponse": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
    "SmsInbound": {
        "type": "object",
        "required": ["message_id", "from", "text"],
        "description": "Sent by the SMS gateway, with X-Signature = hex HMAC-SHA256 of the raw body under "
        "SURVEY_SMS_SECRET. Other fields are ignored.",
        "properties": {
            "message_id": {"type": "string", "minLength": 1, "maxLength": 100, "description": "the gateway's id"},
            "from": {"type": "string", "examples": ["+84912345678"]},
            "text": {"type": "string", "examples": ["5 hai long"]},
        },
    },
    "SmsOutcome": {
        "type": "object",
        "required": ["outcome"],
        "properties": {"outcome": {"enum": list(INBOUND_OUTCOMES)}},
    },
    "SummaryRow": {
        "type": "object",
        "description": "The group key (procedure, office, month or channel) holds a code.",
        "required": ["n", "satisfied", "share", "ci_low", "ci_high", "status"],
        "properties": {
            "n": {"type": "integer"},
            "satisfied": {"type": "integer"},
            "share": {"type": ["number", "null"]},
            "ci_low": {"type": ["number", "null"]},
            "ci_high": {"type": ["number", "null"]},
            "status": {"enum": ["met", "not_met", "cant_tell", "too_few"]},
            # adjust=procedure-mix (office groups; null where an office has no comparison)
            "expected_share": {"type": ["number", "null"]},
            "adjusted_share": {"type": ["number", "null"]},
            "adj_ci_low": {"type": ["number", "null"]},
            "adj_ci_high": {"type": ["number", "null"]},
            "funnel": {"enum": [*FUNNEL_CODES, None]},
            # weighted=true (null where a group has no imported dossier volume)
            "weighted_share": {"type": ["number", "null"]},
            "effective_n": {"type": ["number", "null"]},
            "weighted_ci_low": {"type": ["number", "null"]},
            "weighted_ci_high": {"type": ["number", "null"]},
            "weighted_status": {"enum": ["met", "not_met", "cant_tell", "too_few", None]},
            "volume": {"type": ["integer", "null"]},
        },
        "additionalProperties": {"type": "string"},
    },
}

_COMMON_ERRORS = {
    "400": _errors("The body is not JSON"),
    "401": _errors("No valid API key"),
    "403": _errors("The office is outside the key's scope"),
    "422": _errors("Invalid fields, one entry per field (also: a procedure the office does not handle)"),
    "429": _errors("Over the per-key rate limit; see Retry-After"),
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def openapi_document(base_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Citizen satisfaction survey API",
            "version": "1.0.0",
            "description": "One-time survey links, responses from kiosks, paper forms and partner systems, "
            "and satisfaction summaries against the target. Send API keys as `Authorization: Bearer <key>`.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": base_url.rstrip("/")}],
        "security": [{"apiKey": []}],
        "components": {
            "securitySchemes": {
                "apiKey": {"type": "http", "scheme": "bearer", "description": "create with `flask create-api-key`"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session", "description": "an official"},
            },
            "schemas": SCHEMAS,
        },
        "paths": {
            "/api/v1/invitations": {
                "post": {
                    "operationId": "createInvitation",
                    "summary": "A one-time survey link and QR code for a dossier",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": _ref("InvitationRequest"), "examples": INVITATION_EXAMPLES}
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "The link",
                            "content": {"application/json": {"schema": _ref("Invitation")}},
                        },
                        **_COMMON_ERRORS,
                    },
                }
            },
            "/api/v1/invitations/{token}/qr.{kind}": {
                "get": {
                    "operationId": "invitationQrCode",
                    "summary": "The link's QR code as SVG or PNG (the token is the secret)",
                    "security": [],
                    "parameters": [
                        {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "kind", "in": "path", "required": True, "schema": {"enum": ["svg", "png"]}},
                    ],
                    "responses": {
                        "200": {
                            "description": "The image",
                            "content": {"image/svg+xml": {}, "image/png": {}},
                        },
                        "404": _errors("No link has this token"),
                    },
                }
            },
            "/api/v1/sms/inbound": {
                "post": {
                    "operationId": "smsInbound",
                    "summary": "A citizen's SMS reply, forwarded by the gateway (signed, handled once per message_id)",
                    "security": [],
                    "parameters": [
                        {"name": "X-Signature", "in": "header", "required": True, "schema": {"type": "string"}}
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("SmsInbound")}},
                    },
                    "responses": {
                        "200": {
                            "description": "What the reply did",
                            "content": {"application/json": {"schema": _ref("SmsOutcome")}},
                        },
                        "400": _errors("The body is not JSON"),
                        "401": _errors("Missing or wrong X-Signature, or no SMS secret configured"),
                        "422": _errors("Missing fields"),
                    },
                }
            },
            "/api/v1/responses": {
                "post": {
                    "operationId": "createResponse",
                    "summary": "Store one citizen's answers",
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
                            "description": "Per API key (1 to 255 visible ASCII characters): a repeat returns the "
                            "first answer and stores nothing; "
                            "the same key with a different body is 409.",
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": _ref("ResponseRequest"), "examples": RESPONSE_EXAMPLES}
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Stored",
                            "content": {"application/json": {"schema": _ref("StoredResponse")}},
                        },
                        "409": _errors("The one-time link was already used, or Idempotency-Key conflict"),
                        **_COMMON_ERRORS,
                    },
                }
            },
            "/api/v1/summary": {
                "get": {
                    "operationId": "satisfactionSummary",
                    "summary": "Satisfaction per group against the target, as `flask report --format json`",
                    "security": [{"apiKey": []}, {"session": []}],
                    "parameters": [
                        _query("group_by", {"enum": list(GROUPS), "default": "procedure"}, "how to group"),
                        _query("target", {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}, "target"),
                        _query(
                            "min_n",
                            {"type": "integer", "minimum": 1, "maximum": MIN_N_MAX},
                            "fewer answers: status too_few",
                        ),
                        _query("verified_only", {"type": "boolean", "default": False}, "only one-time links"),
                        _query(
                            "adjust",
                            {"type": "string", "enum": ["procedure-mix"]},
                            "with group_by=office: add expected_share, adjusted_share, adj_ci_low, adj_ci_high, funnel",
                        ),
                        _query(
                            "reference",
                            {"type": "string", "enum": ["national", "province"], "default": "national"},
                            "the procedure rates the adjustment compares with",
                        ),
                        _query(
                            "month_from", {"type": "string", "pattern": MONTH_PATTERN}, "YYYY-MM, not after month_to"
                        ),
                        _query("month_to", {"type": "string", "pattern": MONTH_PATTERN}, "YYYY-MM"),
                    ],
                    "responses": {
                        "200": {
                            "description": "One object per group the caller may see",
                            "content": {"application/json": {"schema": {"type": "array", "items": _ref("SummaryRow")}}},
                        },
                        "401": _errors("Neither a valid API key nor a signed-in official"),
                        "422": _errors("Invalid parameters"),
                        "429": _errors("Over the rate limit"),
                    },
                }
            },
        },
    }
