"""Vietnamese mobile numbers: read them in the forms people write them, and hash them under the app's key."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from survey.services.responses.invitations import derived_key

_SEPARATORS = re.compile(r"[\s.\-()]")
# Mobile prefixes in use since the 2018 renumbering: 03x, 05x, 07x, 08x, 09x, nine digits after the 0.
_MOBILE = re.compile(r"[35789]\d{8}")
PHONE_PATTERN = r"^(?:\+84|0084|84|0)[35789][0-9]{8}$(?!\n)"
"""The OpenAPI `pattern` for a number written without separators; every number it accepts, `normalise_phone`
accepts too (which also forgives spaces, dots, dashes, brackets and full-width digits)."""
PHONE_RULE = "must be a Vietnamese mobile number, such as 0912 345 678 or +84 912 345 678"


class PhoneError(ValueError):
    """Not a Vietnamese mobile number."""


def normalise_phone(raw: object) -> str:
    """The number in international form (`+84912345678`); raises PhoneError for anything else.

    Accepts 0912345678, 84912345678, +84 912 345 678, 0912.345.678, (+84) 912-345-678 and full-width digits.
    """
    if not isinstance(raw, str):
        raise PhoneError(PHONE_RULE)
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))
    for prefix in ("+84", "0084", "84", "0"):
        if text.startswith(prefix) and _MOBILE.fullmatch(text[len(prefix) :]):
            return "+84" + text[len(prefix) :]
    raise PhoneError(PHONE_RULE)


def phone_hash(secret: str, phone: str) -> str:
    """Keyed hash of a normalised number (64 hex characters): the same number always gives the same hash."""
    return hmac.new(
        derived_key(secret, "sms-phone"), normalise_phone(phone).encode("ascii"), hashlib.sha256
    ).hexdigest()
