"""Officials' passwords: argon2id hashes, a length floor, a short list of passwords attackers try first.

Rules follow NIST SP 800-63B: long over complex (at least 12 characters, no composition rules), refuse the
commonest choices, normalise Unicode so 'Hòa' typed two ways is one password.
"""

from __future__ import annotations

import functools
import secrets
import unicodedata

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

from survey.config import ConfigurationError

MIN_LENGTH = 12
MAX_LENGTH = 128
# The hasher for each PASSWORD_HASH_COST setting. "standard": argon2id, RFC 9106 low-memory profile (64 MiB,
# 3 passes), argon2-cffi's default. "test": argon2's cheapest profile, for the test suite only.
_HASHERS = {
    "standard": PasswordHasher(),
    "test": PasswordHasher.from_parameters(profiles.CHEAPEST),
}

# Passwords of 12+ characters seen at the top of public breach lists, plus local favourites ("mật khẩu",
# "Việt Nam"). Compared after lower-casing and dropping spaces and punctuation.
COMMON_PASSWORDS = frozenset(
    """
    123456789012 1234567890123 12345678901234 123456789123 111111111111 000000000000 123123123123 123412341234
    112233445566 147258369147 987654321098 121212121212 qwertyuiop12 qwertyuiop123 qwerty123456 123456qwerty
    1qaz2wsx3edc qazwsxedcrfv 1q2w3e4r5t6y asdfghjkl123 zxcvbnm12345 abc123456789 abcdefghijkl abcd12345678
    password1234 password12345 password123456 passwordpassword p4ssw0rd1234 iloveyou1234 iloveyou123456
    administrator admin1234567 admin123456789 adminadmin12 welcome12345 welcome123456 letmein12345
    changeme1234 changeme12345 trustno1trustno1 football1234 baseball1234 sunshine1234 princess1234
    matkhau12345 matkhau123456 matkhaumoi123 matkhau123456789 vietnam12345 vietnam123456 vietnam1234567
    anhyeuem1234 anhyeuem123456 emyeuanh1234 yeuemnhieu123 hanoi1234567 saigon123456 hochiminh123
    hochiminhcity 1234567890qwerty 0123456789ab 098765432112 0987654321 0912345678910
    """.split()
)

_ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or typed from a screen


def normalise_password(password: str) -> str:
    return unicodedata.normalize("NFC", password)


def _comparable(password: str) -> str:
    return "".join(char for char in password.lower() if char.isalnum())


def weakness(password: str, *, email: str | None = None) -> str | None:
    """Why a new password is refused, as a code (too_short, too_long, common, like_email), or None if fine."""
    password = normalise_password(password)
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    comparable = _comparable(password)
    if comparable in COMMON_PASSWORDS or len(set(comparable)) <= 2:
        return "common"
    if email:
        local_part = _comparable(email.split("@", 1)[0])
        if len(local_part) >= 4 and local_part in comparable and len(comparable) - len(local_part) < 6:
            return "like_email"
    return None


WEAKNESS_TEXT = {
    "too_short": f"a password needs at least {MIN_LENGTH} characters",
    "too_long": f"a password can have at most {MAX_LENGTH} characters",
    "common": "this password is among the most often used ones; choose another",
    "like_email": "this password is too close to the e-mail address",
}


def _cost() -> str:
    """The running app's PASSWORD_HASH_COST; "standard" outside an app."""
    cost = str(current_app.config.get("PASSWORD_HASH_COST", "standard")) if has_app_context() else "standard"
    if cost not in _HASHERS:
        raise ConfigurationError(f"PASSWORD_HASH_COST must be one of {', '.join(_HASHERS)}, got {cost!r}")
    return cost


def hash_password(password: str) -> str:
    return _HASHERS[_cost()].hash(normalise_password(password))


def verify_password(password_hash: str, password: str) -> bool:
    """Checks with the parameters stored in the hash itself, so any earlier hash still verifies."""
    try:
        return _HASHERS[_cost()].verify(password_hash, normalise_password(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's (rehash at the next sign-in)."""
    try:
        return _HASHERS[_cost()].check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@functools.cache
def _dummy_hash(cost: str) -> str:
    """A hash of a random password, made on first use (hashing costs ~0.1 s: not on every process start)."""
    return _HASHERS[cost].hash(secrets.token_urlsafe(16))


def spend_verification_time(password: str) -> None:
    """Checked when no account matches, so a wrong e-mail costs as much time as a wrong password."""
    verify_password(_dummy_hash(_cost()), password)


def one_time_password() -> str:
    """A random password shown once to an admin or operator, e.g. 'k7pq-2mzx-r9ta-hw4e' (~79 bits)."""
    groups = ["".join(secrets.choice(_ONE_TIME_ALPHABET) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)
