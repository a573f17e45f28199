"""The SMS side of the API: settings for the gateway from the app's config, and reading a signed inbound message.

An inbound message is `POST /api/v1/sms/inbound` with the JSON body `{"message_id", "from", "text"}` (other fields,
such as a gateway's `received_at`, are ignored) and `X-Signature` = hex HMAC-SHA256 of the raw body under
SURVEY_SMS_SECRET. Without a configured secret every message is refused.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from survey.api.schemas import FieldError
from survey.services.sms.gateway import Gateway, sign
from survey.services.sms.inbound import MESSAGE_ID_MAX, InboundMessage, InboundSettings
from survey.services.sms.outbox import SendSettings


def send_settings(config: Mapping[str, Any]) -> SendSettings:
    gateway = Gateway(config["SMS_GATEWAY_URL"], config["SMS_SECRET"], config["SMS_GATEWAY_TOKEN"])
    return SendSettings(gateway, config["SMS_REPLY_HOURS"], config["SMS_DAY_START"], config["SMS_DAY_END"])


def inbound_settings(config: Mapping[str, Any]) -> InboundSettings:
    return InboundSettings(config["SECRET_KEY"], config["RETENTION_DAYS"], config["CALLBACK_WORKING_DAYS"])


def signature_valid(secret: str, body: bytes, signature: str | None) -> bool:
    """Constant-time check of X-Signature; always False without a configured secret."""
    if not secret or not signature:
        return False
    return hmac.compare_digest(signature.strip().lower().encode("ascii", "replace"), sign(secret, body).encode())


def parse_inbound(body: Any) -> tuple[InboundMessage | None, list[FieldError]]:
    if not isinstance(body, dict):
        return None, [FieldError(None, "the body must be a JSON object")]
    errors = []
    message_id, sender, text = body.get("message_id"), body.get("from"), body.get("text")
    if not isinstance(message_id, str) or not 1 <= len(message_id.strip()) <= MESSAGE_ID_MAX:
        errors.append(FieldError("message_id", f"must be the gateway's message id, 1 to {MESSAGE_ID_MAX} characters"))
    if not isinstance(sender, str) or not sender.strip():
        errors.append(FieldError("from", "must be the sender's number"))
    if not isinstance(text, str):
        errors.append(FieldError("text", "must be the message's text"))
    if errors:
        return None, errors
    assert isinstance(message_id, str) and isinstance(sender, str) and isinstance(text, str)
    return InboundMessage(message_id.strip(), sender, text), []
