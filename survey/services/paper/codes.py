"""One-time sheet codes: short, easy to read aloud and to key in, with a check character.

The alphabet leaves out 0/O, 1/I/L (and lower case is read as upper case), so no two symbols look alike on a
printed sheet. It has 31 symbols, a prime: the last character makes the weighted sum Σ i·v(c_i) (i = 1…8) a
multiple of 31, which catches every single mistyped character and every swap of two characters (each changes
the sum by a non-zero multiple of a number below 31). Seven random characters give 31^7 ≈ 2.8·10^10 codes.
Shown in two groups of four, e.g. `K7QX-M4PA`.
"""

from __future__ import annotations

import secrets
import unicodedata

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BASE = len(ALPHABET)  # 31, a prime
PAYLOAD_LENGTH = 7
CODE_LENGTH = PAYLOAD_LENGTH + 1
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}


def _weighted_sum(symbols: str) -> int:
    return sum((position + 1) * _VALUE[symbol] for position, symbol in enumerate(symbols))


def with_check(payload: str) -> str:
    """`payload` (seven symbols) followed by its check character."""
    weight = CODE_LENGTH
    check = (-_weighted_sum(payload) * pow(weight, -1, BASE)) % BASE
    return payload + ALPHABET[check]


def new_code() -> str:
    """A fresh random code, check character included, without its separator."""
    return with_check("".join(secrets.choice(ALPHABET) for _ in range(PAYLOAD_LENGTH)))


def normalise(raw: str) -> str:
    """What was typed, as a code could be: upper case, without spaces or dashes (full-width forms folded)."""
    text = unicodedata.normalize("NFKC", raw or "").upper()
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-‐–—_.")


def problem(code: str) -> str | None:
    """Why a normalised code cannot be a sheet's: `length`, `symbol` or `check`; None when it is well formed."""
    if len(code) != CODE_LENGTH:
        return "length"
    if any(symbol not in _VALUE for symbol in code):
        return "symbol"
    if _weighted_sum(code) % BASE:
        return "check"
    return None


def grouped(code: str) -> str:
    """The code as printed: two groups of four."""
    return f"{code[:4]}-{code[4:]}"
