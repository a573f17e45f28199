"""Who is calling the API: an API key (`Authorization: Bearer <key>`) or, for reads, an official's session.

Every caller carries the set of offices it may see (None = all), so views check one thing: `may_see_office`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app, request

from survey.auth.identity import current_user
from survey.extensions import db
from survey.models import User
from survey.services.accounts.api_keys import VerifiedKey, verified_key
from survey.services.accounts.scoping import user_office_scope, visible_office_ids


@dataclass(frozen=True)
class Caller:
    actor: str  # "api-key:<prefix>" or the official's e-mail, as the audit log names them
    scope: set[int] | None
    api_key: VerifiedKey | None = None
    user: User | None = None

    @property
    def home_office_id(self) -> int | None:
        """The office whose targets apply to the caller's figures: the key's or the official's own office."""
        if self.api_key is not None:
            return self.api_key.office_id
        return self.user.office_id if self.user is not None and self.scope is not None else None


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def key_caller() -> Caller | None:
    """The caller identified by a valid API key, or None (no header, unknown or revoked key)."""
    caller = None
    token = bearer_token()
    if token:
        key = verified_key(db.session(), token)
        if key is not None:
            scope = visible_office_ids(db.session(), office_id=key.office_id)
            caller = Caller(actor=f"api-key:{key.prefix}", scope=scope, api_key=key)
    return caller


def reader_caller() -> Caller | None:
    """An API key when one is sent (a wrong key is not rescued by a session), else the signed-in official."""
    if request.headers.get("Authorization"):
        return key_caller()
    user = current_user()
    if user is None:
        return None
    return Caller(actor=user.email, scope=user_office_scope(db.session(), user), user=user)


def rate_limit_key() -> str:
    """Limits count per API key (hashed, never logged in clear), else per session user, else per address."""
    token = bearer_token()
    if token:
        return "key:" + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    if request.cookies.get(current_app.config.get("SESSION_COOKIE_NAME", "session")):
        user = current_user()
        if user is not None:
            return f"user:{user.id}"
    return f"addr:{request.remote_addr or 'unknown'}"


def api_rate_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])
