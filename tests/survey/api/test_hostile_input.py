"""Property-based: random and hostile JSON never gets a 5xx from the API, only a clean store or a clear 4xx."""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from survey.models import Response
from tests.factories import bearer, load_catalog, make_api_key

VALID = {"procedure_code": "1.001193", "office_code": "01.01", "channel": "kiosk", "rating": 4}
FIELDS = [*VALID, "elements", "on_time", "returns", "agencies", "extra_payment", "service_mode", "comment",
          "age_band", "sex", "language", "invitation_token"]  # fmt: skip
HOSTILE_TEXT = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE responses; --",
        "1 OR 1=1",
        "\x00\x01\x1b[31m\u202e\ufeff",
        unicodedata.normalize("NFD", "Thủ tục nhanh, cán bộ nhiệt tình") + " NFC: Thủ tục",
        "\ud800 lone surrogate",
        "🙂" * 500,
        "x" * 2001,
        "a\r\nb\rc",
        "{{ config }} {% raw %}",
        "0912 345 678 nguyen@example.com 079203001234",
    ]
)
TEXT = st.one_of(HOSTILE_TEXT, st.text(max_size=300), st.text(min_size=1900, max_size=2100))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), TEXT)
JSON_VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=12
)
FIELD_VALUES = st.one_of(
    JSON_VALUES,
    st.integers(-3, 8),
    st.sampled_from(["early", "on_time", "late", "yes", "no", "in_person", "female", "25_34", "vi", "en", "5"]),
    st.dictionaries(
        st.sampled_from(["access", "procedure", "staff", "result", "feedback", "x"]),
        st.one_of(st.none(), st.integers(0, 6), TEXT),
        max_size=5,
    ),
)
BODIES = st.one_of(
    st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, FIELD_VALUES)).map(lambda extra: {**VALID, **extra}),
    st.dictionaries(st.one_of(st.sampled_from(FIELDS), TEXT), FIELD_VALUES, max_size=8),
    JSON_VALUES,
)
OK_STATUSES = {201, 400, 403, 404, 409, 413, 422}


@pytest.fixture
def api_client(app, session):
    load_catalog()
    raw = make_api_key(name="fuzz")
    app.config["API_RATE_LIMIT"] = "100000/minute"
    return app.test_client(), {**bearer(raw), "Content-Type": "application/json"}


def check(response):
    assert response.status_code in OK_STATUSES, (response.status_code, response.data[:500])
    body = response.get_json()
    if response.status_code == 201:
        assert set(body) == {"id"}
        return body["id"]
    assert set(body) == {"errors"} and body["errors"]
    assert all(set(e) == {"field", "message"} and e["message"] for e in body["errors"])
    return None


def _encode(body):
    return json.dumps(body, ensure_ascii=True).encode("ascii")  # ASCII escapes carry lone surrogates too


@settings(
    max_examples=250, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=BODIES)
def test_hostile_response_bodies_never_fail_the_server(api_client, session, backend, body):
    client, headers = api_client
    stored_id = check(client.post("/api/v1/responses", data=_encode(body), headers=headers))
    if stored_id is not None:
        comment = session.scalar(select(Response.comment).where(Response.id == stored_id))
        assert comment is None or (unicodedata.is_normalized("NFC", comment) and "\x00" not in comment)
        assert comment is None or len(comment) <= 2000


HEADER_TEXT = st.text(max_size=20).filter(lambda text: "\n" not in text and "\r" not in text)  # HTTP carries no others


@settings(
    max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=BODIES, key=st.one_of(st.none(), HEADER_TEXT, st.sampled_from(["k1", "k2"])))
def test_hostile_bodies_with_idempotency_keys_never_fail_the_server(api_client, body, key):
    client, headers = api_client
    if key is not None:
        try:
            key.encode("latin-1")
        except UnicodeEncodeError:
            key = key.encode("utf-8", "surrogatepass").decode("latin-1")
        headers = {**headers, "Idempotency-Key": key}
    check(client.post("/api/v1/responses", data=_encode(body), headers=headers))


@settings(
    max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.one_of(JSON_VALUES, st.fixed_dictionaries({}, optional={
    "procedure_code": FIELD_VALUES, "office_code": FIELD_VALUES, "dossier_code": TEXT, "channel": FIELD_VALUES,
    "expires_days": FIELD_VALUES})))  # fmt: skip
def test_hostile_invitation_bodies_never_fail_the_server(api_client, body):
    client, headers = api_client
    response = client.post("/api/v1/invitations", data=_encode(body), headers=headers)
    assert (response.status_code in OK_STATUSES and response.status_code != 201) or "token" in response.get_json()


@settings(
    max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.dictionaries(
        st.sampled_from(["group_by", "target", "min_n", "verified_only", "month_from", "x"]),
        st.one_of(TEXT, st.sampled_from(["office", "0.8", "1", "true", "2025-01"])),
        max_size=4,
    )
)
def test_hostile_summary_queries_never_fail_the_server(api_client, query):  # fmt: skip
    client, headers = api_client
    clean = {k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for k, v in query.items()}
    response = client.get("/api/v1/summary", query_string=clean, headers=headers)
    assert response.status_code in {200, 422}, response.data[:300]


def test_raw_garbage_bytes_are_400(api_client):
    client, headers = api_client
    for data in (b"\x00\xff" * 100, b'{"rating": 4' * 1000, b"\xed\xa0\x80", b"NaN", b'{"rating": Infinity}'):
        response = client.post("/api/v1/responses", data=data, headers=headers)
        assert response.status_code == 400 and response.get_json()["errors"]
    huge = client.post("/api/v1/responses", data=b'{"comment": "' + b"x" * 300_000 + b'"}', headers=headers)
    assert huge.status_code == 413 and huge.get_json()["errors"]
