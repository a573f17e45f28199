"""Text as the service keeps it, stated once: NFC, Windows line ends folded, control characters and lone
surrogates removed (PostgreSQL refuses them, and nobody means them), outer blanks stripped.

Forms (through `survey.forms.CleanForm`), the API and the services all clean text with these functions.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """NFC, `\\r\\n`/`\\r` → `\\n`, unwanted characters dropped, stripped."""
    text = unicodedata.normalize("NFC", _UNWANTED.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))
    return text.strip()


def clean_value(value: Any) -> Any:
    """`clean_text` for strings; other values (None, lists) pass unchanged — the shape form filters need."""
    return clean_text(value) if isinstance(value, str) else value


def nfc_value(value: Any) -> Any:
    """NFC only, nothing stripped: for passwords, whose spaces are part of them."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def whole_number(raw: str | None, max_digits: int) -> int | None:
    """A query argument read as a whole number of 1 to `max_digits` ASCII digits, else None.

    str.isdigit alone accepts "²" or "٣", which int() then refuses (a 500 instead of a clear answer)."""
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > max_digits:
        return None
    return int(raw)
