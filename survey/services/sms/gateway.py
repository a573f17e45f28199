"""The SMS gateway adapter: one HTTP POST per message (the shape is in the README and below).

    POST <SURVEY_SMS_GATEWAY_URL>
    Content-Type: application/json
    X-Signature: <hex HMAC-SHA256 of the raw body under SURVEY_SMS_SECRET>
    Authorization: Bearer <SURVEY_SMS_GATEWAY_TOKEN>      (only when that is set)
    {"to": "+84912345678", "text": "…", "reference": "42"}

Any 2xx answer means the gateway took the message; its JSON body may carry {"id": "…"}, kept as the gateway's
reference. 408, 429 and 5xx answers, timeouts and refused connections are temporary (retried); any other 4xx is
permanent (the message is given up).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

_TEMPORARY = (408, 429)


@dataclass(frozen=True)
class Gateway:
    url: str
    secret: str
    token: str = ""
    timeout: float = 5.0


class GatewayError(Exception):
    """The gateway did not take the message; `permanent` says whether trying again can help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def sign(secret: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of a body: the X-Signature of messages to the gateway and from it."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def send_message(gateway: Gateway, *, to: str, text: str, reference: str) -> str | None:
    """Hand one message to the gateway; returns its id for the message, if it gave one."""
    if not gateway.url:
        raise GatewayError("SURVEY_SMS_GATEWAY_URL is not set", permanent=False)
    body = json.dumps({"to": to, "text": text, "reference": reference}, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json", "X-Signature": sign(gateway.secret, body)}
    if gateway.token:
        headers["Authorization"] = f"Bearer {gateway.token}"
    request = urllib.request.Request(gateway.url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=gateway.timeout) as answer:
            raw = answer.read(4096)
    except urllib.error.HTTPError as exc:
        exc.close()
        permanent = 400 <= exc.code < 500 and exc.code not in _TEMPORARY
        raise GatewayError(f"gateway answered {exc.code}", permanent=permanent) from None
    except (OSError, ValueError) as exc:  # refused, timed out, unreachable, a malformed URL
        raise GatewayError(f"gateway unreachable: {type(exc).__name__}", permanent=False) from None
    try:
        found = json.loads(raw or b"{}").get("id")
    except (ValueError, AttributeError):
        return None
    return str(found)[:100] if found is not None else None
