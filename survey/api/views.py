"""Views of the api blueprint: JSON for one-stop systems, kiosks, paper-form entry and partners (DESIGN.md §5).

Errors are always `{"errors": [{"field": …, "message": …}]}`: 400 unreadable JSON, 401 no valid key,
403 outside the key's offices, 404 unknown link, 409 link already used or Idempotency-Key conflict,
422 invalid fields, 429 over the per-key rate limit (with Retry-After).
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from survey.api.auth import Caller, api_rate_limit, key_caller, rate_limit_key, reader_caller
from survey.api.openapi import openapi_document
from survey.api.schemas import (
    FieldError,
    InvitationRequest,
    office_code_of,
    parse_invitation_body,
    parse_response_body,
)
from survey.api.sms import inbound_settings, parse_inbound, send_settings, signature_valid
from survey.api.summary import parse_summary_query
from survey.extensions import csrf, db, limiter
from survey.services.accounts.scoping import may_see_office
from survey.services.catalog import cache
from survey.services.reporting.comparison import ADJUSTED_FIELDS, adjusted_fields
from survey.services.reporting.summary import satisfaction_summary
from survey.services.reporting.weighted import as_fields, weighted_figures
from survey.services.responses import idempotency
from survey.services.responses.api_submission import ApiSubmission, IdempotencyKey, submit_api_response
from survey.services.responses.invitations import IssuedLink, LinkError, issue_dossier_link, link_url, resolve_link
from survey.services.responses.qr import qr_png, qr_svg
from survey.services.sms.inbound import handle_inbound
from survey.services.sms.invitations import invite_by_sms
from survey.services.sms.outbox import send_message_now

api = Blueprint("api", __name__)
csrf.exempt(api)
limiter.shared_limit(api_rate_limit, scope="api", key_func=rate_limit_key)(api)

_IDEMPOTENCY_KEY = re.compile(rf"[\x21-\x7e]{{1,{idempotency.KEY_MAX}}}")


def errors_response(status: int, errors: list[FieldError]) -> tuple[Response, int]:
    return jsonify({"errors": [error.as_json() for error in errors]}), status


def _error(status: int, field: str | None, message: str) -> tuple[Response, int]:
    return errors_response(status, [FieldError(field, message)])


def _unauthorised() -> tuple[Response, int, dict[str, str]]:
    body, status = _error(401, "Authorization", "send a valid API key as 'Authorization: Bearer <key>'")
    return body, status, {"WWW-Authenticate": 'Bearer realm="survey"'}


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


def _json_body(raw: bytes | None = None) -> tuple[Any, tuple[Response, int] | None]:
    """The parsed body, or an error: unreadable JSON is 400 (deep nesting and bad UTF-8 included)."""
    try:
        raw = request.get_data(cache=False) if raw is None else raw
        return json.loads(raw or b"null", parse_constant=_not_json), None
    except (ValueError, RecursionError):
        return None, _error(400, None, "the body must be JSON (Content-Type: application/json, UTF-8)")


def _office_out_of_scope(caller: Caller, body: Any) -> tuple[Response, int] | None:
    code = office_code_of(body)
    if code is None or caller.scope is None:
        return None
    office = cache.office_by_code(db.session(), code)
    if office is not None and not may_see_office(caller.scope, office.id):
        return _error(403, "office_code", "this API key may not act for that office")
    return None


def _absolute(endpoint: str, **values: Any) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


@api.post("/api/v1/invitations")
def create_invitation() -> Any:
    caller = key_caller()
    if caller is None or caller.api_key is None:
        return _unauthorised()
    body, error = _json_body()
    if error:
        return error
    forbidden = _office_out_of_scope(caller, body)
    if forbidden:
        return forbidden
    wanted, errors = parse_invitation_body(body)
    if wanted is None:
        return errors_response(422, errors)
    if wanted.phone is not None:
        return _invite_by_sms(caller, wanted)
    try:
        link = issue_dossier_link(
            db.session(),
            secret=current_app.config["SECRET_KEY"],
            base_url=current_app.config["BASE_URL"],
            office_code=wanted.office_code,
            procedure_code=wanted.procedure_code,
            dossier_code=wanted.dossier_code,
            channel=wanted.channel,
            expires_days=wanted.expires_days,
            api_key_id=caller.api_key.id,
        )
    except LinkError as exc:
        return _error(422, exc.field, exc.message)
    return jsonify(_link_answer(link)), 201, {"Location": link.url}


def _link_answer(link: IssuedLink) -> dict[str, Any]:
    return {
        "token": link.token,
        "url": link.url,
        "expires_at": link.expires_at.isoformat() if link.expires_at else None,
        "qr_svg_url": _absolute("api.invitation_qr", token=link.token, kind="svg"),
        "qr_png_url": _absolute("api.invitation_qr", token=link.token, kind="png"),
    }


def _invite_by_sms(caller: Caller, wanted: InvitationRequest) -> Any:
    """Store the invitation and its queued SMS, then (after the commit) try sending it once: a gateway that is down
    costs nothing but a retry by `send-sms`. `sms_status`: sent, retrying, waiting (night), failed."""
    assert caller.api_key is not None and wanted.phone is not None
    config = current_app.config
    try:
        invite = invite_by_sms(
            db.session(), secret=config["SECRET_KEY"], base_url=config["BASE_URL"], office_code=wanted.office_code,
            procedure_code=wanted.procedure_code, dossier_code=wanted.dossier_code, phone=wanted.phone,
            mode=wanted.sms_mode, expires_days=wanted.expires_days, reply_hours=config["SMS_REPLY_HOURS"],
            api_key_id=caller.api_key.id,
        )  # fmt: skip
    except LinkError as exc:
        return _error(422, exc.field, exc.message)
    status = "pending"
    if config["SMS_SEND_AT_ONCE"]:
        status = send_message_now(db.session(), invite.message_id, send_settings(config))
    answer = {**_link_answer(invite.link), "sms_mode": wanted.sms_mode, "sms_status": status}
    return jsonify(answer), 201, {"Location": invite.link.url}


@api.post("/api/v1/sms/inbound")
def sms_inbound() -> Any:
    """A citizen's SMS reply, from the gateway: signed, handled once per message id, answered at once if needed."""
    raw = request.get_data(cache=True)
    if not signature_valid(current_app.config["SMS_SECRET"], raw, request.headers.get("X-Signature")):
        return _error(401, "X-Signature", "send the hex HMAC-SHA256 of the body under the shared SMS secret")
    body, error = _json_body(raw)
    if error:
        return error
    message, errors = parse_inbound(body)
    if message is None:
        return errors_response(422, errors)
    result = handle_inbound(db.session(), message, inbound_settings(current_app.config))
    settings = send_settings(current_app.config)
    for message_id in result.to_send:
        send_message_now(db.session(), message_id, settings)
    return jsonify({"outcome": result.outcome}), 200


@api.get("/api/v1/invitations/<token>/qr.<any(svg, png):kind>")
def invitation_qr(token: str, kind: str) -> Any:
    """The link's QR code: whoever holds the token may print it (the token is the secret)."""
    if resolve_link(db.session(), token, secret=current_app.config["SECRET_KEY"]).invitation is None:
        return _error(404, "token", "no survey link has this token")
    url = link_url(current_app.config["BASE_URL"], token)
    if kind == "svg":
        image: str | bytes = qr_svg(url)
        mimetype = "image/svg+xml"
    else:
        image = qr_png(url)
        mimetype = "image/png"
    answer = Response(image, mimetype=mimetype)
    answer.headers["Cache-Control"] = "private, max-age=86400"
    return answer


@api.post("/api/v1/responses")
def create_response() -> Any:
    caller = key_caller()
    if caller is None or caller.api_key is None:
        return _unauthorised()
    raw_key = request.headers.get("Idempotency-Key")
    if raw_key is not None and not _IDEMPOTENCY_KEY.fullmatch(raw_key):
        return _error(422, "Idempotency-Key", f"must be 1 to {idempotency.KEY_MAX} visible ASCII characters")
    body, error = _json_body()
    if error:
        return error
    forbidden = _office_out_of_scope(caller, body)
    if forbidden:
        return forbidden
    wanted, errors = parse_response_body(body)
    submission = None if wanted is None else ApiSubmission(
        wanted.procedure_code, wanted.office_code, wanted.channel, wanted.answers, wanted.invitation_token,
        wanted.questionnaire_version, wanted.local_answers,
    )  # fmt: skip
    key = None
    if raw_key is not None:
        key = IdempotencyKey(caller.api_key.id, raw_key, idempotency.request_fingerprint(body))
    outcome = submit_api_response(
        db.session(),
        submission,
        [(error.field, error.message) for error in errors],
        secret=current_app.config["SECRET_KEY"],
        idempotency_key=key,
    )
    return jsonify(outcome.body()), outcome.status


@api.get("/api/v1/summary")
def summary() -> Any:
    caller = reader_caller()
    if caller is None:
        return _unauthorised()
    query, errors = parse_summary_query(request.args, current_app.config)
    if query is None:
        return errors_response(422, errors)
    rows = satisfaction_summary(
        db.session(),
        caller.scope,
        query.where,
        group_by=query.group_by,
        settings=query.settings,
        target=query.target,
        home_office_id=caller.home_office_id,
    )
    if query.adjust is not None:
        adjusted = adjusted_fields(db.session(), caller.scope, query.where, query.settings, reference=query.reference)
        empty = dict.fromkeys(ADJUSTED_FIELDS)
        rows = [{**row, **adjusted.get(str(row["office"]), empty)} for row in rows]
    if query.weighted:
        by_group = weighted_figures(
            db.session(), caller.scope, query.where, group_by=query.group_by, settings=query.settings,
            target=query.target, home_office_id=caller.home_office_id,
        )  # fmt: skip
        rows = [{**row, **as_fields(by_group.get(str(row[query.group_by])))} for row in rows]
    return jsonify(rows)


@api.get("/openapi.json")
def openapi() -> Any:
    return jsonify(openapi_document(current_app.config["BASE_URL"]))
