"""The OpenAPI document and the server agree: every documented example is valid and stored, and for each field a
value the schema accepts is never refused as malformed (422), while one the schema refuses is refused."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from survey.api.schemas import CODE_MAX
from survey.models import CHANNELS
from survey.services.responses.store import COMMENT_MAX
from tests.factories import bearer, make_api_key

ABSENT = object()  # a probe that leaves the field out


@pytest.fixture
def document(client) -> dict[str, Any]:
    return client.get("/openapi.json").get_json()


@pytest.fixture
def api(app, catalog):
    app.config["API_RATE_LIMIT"] = "100000/minute"
    return app.test_client(), bearer(make_api_key(name="schema check"))


def validator(document: dict[str, Any], name: str) -> Draft202012Validator:
    """A JSON Schema 2020-12 validator (OpenAPI 3.1's dialect) for one of the document's schemas."""
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": document["components"]})


def request_examples(document: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    """(path, schema name, example name, body) for every request body example in the document."""
    found = []
    for path, operations in document["paths"].items():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if content:
                schema_name = content["schema"]["$ref"].rsplit("/", 1)[-1]
                for name, example in content.get("examples", {}).items():
                    found.append((path, schema_name, name, example["value"]))
    return found


def test_every_documented_request_example_is_valid_and_accepted(document, api):
    client, auth = api
    examples = request_examples(document)
    assert {(path, name) for path, _, name, _ in examples} >= {
        ("/api/v1/invitations", "dossier"), ("/api/v1/invitations", "sms"),
        ("/api/v1/responses", "kiosk"), ("/api/v1/responses", "paper"),
    }  # fmt: skip
    for path, schema_name, name, body in examples:
        errors = [error.message for error in validator(document, schema_name).iter_errors(body)]
        assert errors == [], (path, name, errors)
        answer = client.post(path, json=body, headers=auth)
        assert answer.status_code == 201, (path, name, answer.get_json())


def test_property_examples_are_valid_under_their_own_schema(document):
    for schema_name, schema in document["components"]["schemas"].items():
        for field, field_schema in schema.get("properties", {}).items():
            for example in field_schema.get("examples", []):
                assert Draft202012Validator(field_schema).is_valid(example), (schema_name, field, example)


CODE_PROBES = ["", " ", "   ", "\u3000", "\t", "a\nb", "a\x00b", "\x85", "x" * (CODE_MAX + 1), 79, None, ABSENT]
RESPONSE_PROBES: dict[str, list[Any]] = {
    "rating": [1, 5, 5.0, 0, 6, 4.5, "5", True, None, ABSENT],
    "elements": [{}, None, {"staff": 5}, {"staff": 5.0}, {"staff": 0}, {"staff": None}, {"mood": 3}, [], "5"],
    "on_time": ["early", "late", None, "soon", 1],
    "returns": [0, 2, 1.0, 3, -1, None, True],
    "agencies": [1, 3, 0, 4, None],
    "extra_payment": ["prefer_not", "maybe", None],
    "service_mode": ["postal", "by_post", None],
    "comment": ["", None, "Cán bộ nhiệt tình.", "x" * COMMENT_MAX, "x" * (COMMENT_MAX + 1), 5, ["a"]],
    "age_band": ["65_plus", "66", None],
    "sex": ["other", "x", None],
    "language": ["en", "vi", "fr", None],
    "channel": [*CHANNELS, None, "fax", ABSENT],
    "procedure_code": [" 1.001193 ", "1.001193", *CODE_PROBES],
    "office_code": [" 79.01 ", "79.01\u00a0", *CODE_PROBES],
    "invitation_token": [None, "", "   ", "a\nb", "x" * (CODE_MAX + 1), 5],
    "unknown_field": [ABSENT, 1],
}
INVITATION_PROBES: dict[str, list[Any]] = {
    "expires_days": [1, 365, 7.0, None, ABSENT, 0, 366, "7", True],
    "channel": ["sms", "kiosk", None, ABSENT, "fax"],
    "dossier_code": [
        "000.00.31.H56-240115-0009",
        "hs/2025/7",
        " HS-2025-0001 ",
        "HỒ SƠ 12",
        "x1" * 40,
        "x1" * 41,
        "ABCD",
        "12",
        "A--1",
        *CODE_PROBES,
    ],
    "procedure_code": [" 1.001193 ", *CODE_PROBES],
    "office_code": [" 79.01 ", *CODE_PROBES],
    "phone": [
        "0912345678",
        "+84912345678",
        "84987654321",
        "0912 345 678",
        None,
        ABSENT,
        "0212345678",
        "12345",
        912345678,
        "0912345678\n",
    ],
    "sms_mode": ["reply", None, ABSENT, "voice"],
}
BASE_RESPONSE = {"procedure_code": "1.001193", "office_code": "79.01", "channel": "kiosk", "rating": 4}


# Fields where the server deliberately forgives more than the schema documents (a dossier code typed with spaces,
# in lower case or full-width digits is normalised): only "schema-valid → accepted" is checked for them.
FORGIVING = {"dossier_code", "phone"}


def _agreement(client, auth, schema: Draft202012Validator, path: str, body: dict[str, Any], field: str) -> str | None:
    """None when the server treats the body as the schema does, else a description of the disagreement."""
    valid = schema.is_valid(body)
    answer = client.post(path, json=body, headers=auth)
    if valid and answer.status_code == 422:
        return f"schema-valid but refused: {body!r} → {answer.get_json()}"
    if not valid and answer.status_code != 422 and field not in FORGIVING:
        return f"schema-invalid but answered {answer.status_code}: {body!r}"
    return None


def _probe_bodies(base: dict[str, Any], probes: dict[str, list[Any]], varying: str | None = None):
    for field, values in probes.items():
        for number, value in enumerate(values):
            body = dict(base)
            if varying:
                body[varying] = f"{base[varying]}-{field}-{number}"
            if value is ABSENT:
                body.pop(field, None)
            else:
                body[field] = value
            yield field, body


def test_response_fields_mean_the_same_to_the_schema_and_the_server(document, api):
    client, auth = api
    schema = validator(document, "ResponseRequest")
    problems = [_agreement(client, auth, schema, "/api/v1/responses", body, field)
                for field, body in _probe_bodies(BASE_RESPONSE, RESPONSE_PROBES)]  # fmt: skip
    assert [problem for problem in problems if problem] == []


def test_invitation_fields_mean_the_same_to_the_schema_and_the_server(document, api):
    client, auth = api
    schema = validator(document, "InvitationRequest")
    base = {"procedure_code": "1.001193", "office_code": "79.01", "dossier_code": "HS"}
    problems = [_agreement(client, auth, schema, "/api/v1/invitations", body, field)
                for field, body in _probe_bodies(base, INVITATION_PROBES, varying="dossier_code")]  # fmt: skip
    assert [problem for problem in problems if problem] == []
