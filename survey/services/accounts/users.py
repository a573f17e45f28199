"""Officials' accounts: create, sign in (with a per-account lock), change and reset passwords, disable.

Every change is written to the audit log in the same transaction. Sign-in failures are audit entries too, and
they are what the account lock counts, so the lock needs no extra columns and holds across app servers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.models import ROLES, AuditEntry, Office, User
from survey.services import audit
from survey.services.accounts.passwords import (
    WEAKNESS_TEXT,
    hash_password,
    needs_rehash,
    one_time_password,
    spend_verification_time,
    verify_password,
    weakness,
)
from survey.services.accounts.sessions import end_all_sessions
from survey.services.transactions import rolls_back_on_error

OFFICE_ROLES = ("official", "clerk")  # bound to an office and the offices under it
MAX_FAILURES = 5
LOCK_MINUTES = 15
LOGIN_FAILED = "login.failed"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")


class UserError(ValueError):
    """A request about an account that cannot be carried out. `code` lets each interface word it its own way."""

    def __init__(self, code: str, field: str, message: str):
        self.code, self.field, self.message = code, field, message
        super().__init__(message)


class LoginRefused(Exception):
    """Sign-in refused: `reason` is `invalid` (any wrong e-mail/password/disabled account) or `locked`."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Actor:
    """Who is making a change, for the audit log: an e-mail and user id, or "cli"."""

    name: str = "cli"
    user_id: int | None = None


CLI = Actor()


def normalise_email(raw: str) -> str:
    """Trimmed, lower-case, NFC; raises UserError if it does not look like an e-mail address."""
    email = unicodedata.normalize("NFC", (raw or "").strip()).lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise UserError("bad_email", "email", f"{email or '(empty)'!r} is not an e-mail address")
    return email


def _check_password(password: str, email: str) -> None:
    code = weakness(password, email=email)
    if code:
        raise UserError(code, "password", WEAKNESS_TEXT[code])


def _now() -> datetime:
    return datetime.now(UTC)


def find_office(session: Session, code: str) -> Office:
    office = session.scalars(select(Office).where(Office.code == unicodedata.normalize("NFC", code.strip()))).first()
    if office is None:
        raise UserError("unknown_office", "office", f"unknown office code {code!r}")
    return office


@rolls_back_on_error
def create_user(
    session: Session,
    *,
    email: str,
    role: str,
    office_code: str | None = None,
    password: str | None = None,
    actor: Actor = CLI,
) -> tuple[User, str | None]:
    """Create an account. Without `password` a one-time password is made, returned, and must be changed first.

    Returns (user, one-time password or None). Nothing is stored when any check fails.
    """
    email = normalise_email(email)
    if role not in ROLES:
        raise UserError("bad_role", "role", f"role must be one of {', '.join(ROLES)}")
    office = find_office(session, office_code) if office_code else None
    if role in OFFICE_ROLES and office is None:
        raise UserError("office_required", "office", f"a{'n' if role == 'official' else ''} {role} needs an office "
                        "(--office CODE)")  # fmt: skip
    if role not in OFFICE_ROLES and office is not None:
        raise UserError("office_not_allowed", "office", f"only officials and clerks have an office; a {role} sees "
                        "every office")  # fmt: skip
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise UserError("duplicate", "email", f"there is already an account for {email}")
    one_time = None
    if password is None:
        password = one_time = one_time_password()
    else:
        _check_password(password, email)
    now = _now()
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        office_id=office.id if office else None,
        active=True,
        must_change_password=one_time is not None,
        created_at=now,
        password_changed_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session, actor=actor.name, user_id=actor.user_id, action="user.create", target=email,
        details={"role": role, "office": office.code if office else None, "one_time_password": one_time is not None},
    )  # fmt: skip
    session.commit()
    return user, one_time


def failures_in_window(session: Session, email: str, *, since: datetime | None = None) -> int:
    """Failed sign-ins for this e-mail in the last LOCK_MINUTES, not counting those before `since`."""
    start = _now() - timedelta(minutes=LOCK_MINUTES)
    if since is not None:
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        start = max(start, since)
    return (
        session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == LOGIN_FAILED, AuditEntry.target == email[:255], AuditEntry.at >= start)
        )
        or 0
    )


def authenticate(session: Session, *, email: str, password: str, ip: str | None = None) -> User:
    """The active user with this e-mail and password, or LoginRefused.

    A wrong e-mail, a wrong password and a disabled account all look the same to the caller and take the same
    time; after MAX_FAILURES failures in LOCK_MINUTES the e-mail is locked (known or not, so the lock reveals
    nothing either). A successful sign-in clears the count.
    """
    try:
        email = normalise_email(email)
    except UserError:
        spend_verification_time(password)
        raise LoginRefused("invalid") from None
    user = session.scalars(select(User).where(User.email == email)).first()
    if failures_in_window(session, email, since=user.last_login_at if user else None) >= MAX_FAILURES:
        audit.record(session, actor=email[:255], action="login.locked", target=email[:255], details={"ip": ip})
        session.commit()
        raise LoginRefused("locked")
    if user is None:
        spend_verification_time(password)
        reason = "unknown_email"
    elif not verify_password(user.password_hash, password):
        reason = "wrong_password"
    elif not user.active:
        reason = "disabled"
    else:
        reason = ""
    if reason:
        audit.record(
            session, actor=email[:255], user_id=user.id if user else None, action=LOGIN_FAILED, target=email[:255],
            details={"ip": ip, "reason": reason},
        )  # fmt: skip
        session.commit()
        raise LoginRefused("invalid")
    assert user is not None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = _now()
    audit.record(session, actor=user.email, user_id=user.id, action="login", target=user.email, details={"ip": ip})
    session.commit()
    return user


def record_logout(session: Session, user: User) -> None:
    audit.record(session, actor=user.email, user_id=user.id, action="logout", target=user.email)
    session.commit()


def _set_password(user: User, password: str, *, must_change: bool) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = _now()
    user.must_change_password = must_change


def change_password(session: Session, user: User, *, current: str, new: str) -> None:
    """The user's own change: the current password must match; every other session of theirs ends."""
    if not verify_password(user.password_hash, current):
        raise UserError("wrong_current", "current_password", "the current password is not right")
    _check_password(new, user.email)
    if verify_password(user.password_hash, new):
        raise UserError("same_as_current", "new_password", "the new password must differ from the current one")
    _set_password(user, new, must_change=False)
    end_all_sessions(session, user.id)  # the caller signs its own browser in again
    audit.record(session, actor=user.email, user_id=user.id, action="password.change", target=user.email)
    session.commit()


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise UserError("unknown_user", "user", f"no account with id {user_id}")
    return user


def reset_password(session: Session, user_id: int, *, actor: Actor = CLI) -> str:
    """Give the account a new one-time password (returned once; every sign-in ends); it must be changed first."""
    user = get_user(session, user_id)
    one_time = one_time_password()
    _set_password(user, one_time, must_change=True)
    end_all_sessions(session, user.id)
    audit.record(session, actor=actor.name, user_id=actor.user_id, action="user.reset_password", target=user.email)
    session.commit()
    return one_time


def set_active(session: Session, user_id: int, active: bool, *, actor: Actor = CLI) -> User:
    """Disable (ends every session at once) or enable an account; an admin cannot disable themselves."""
    user = get_user(session, user_id)
    if not active and actor.user_id == user.id:
        raise UserError("self", "user", "you cannot disable your own account")
    if user.active != active:
        user.active = active
        if not active:
            end_all_sessions(session, user.id)
        action = "user.enable" if active else "user.disable"
        audit.record(session, actor=actor.name, user_id=actor.user_id, action=action, target=user.email)
    session.commit()
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.email)))
