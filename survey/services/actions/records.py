"""Recording actions on complaint themes, inside the official's office scope, every creation and change audited.

An official of 01.01 neither sees nor edits 79's actions: every read and write here takes the caller's scope
(`survey.services.accounts.scoping.user_office_scope`) and treats an action outside it as not there. A done action
may be made public; publishing it adds an `action.published` event for partner systems to the same transaction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.periods import local_date
from survey.models import Procedure, Theme
from survey.models_actions import ACTION_STATUSES, Action
from survey.services import audit
from survey.services.accounts.scoping import may_see_office
from survey.services.catalog import cache
from survey.services.reporting.query import Scope
from survey.services.themes.pages import visible_run
from survey.services.transactions import rolls_back_on_error
from survey.services.webhooks import outbox


@dataclass(frozen=True)
class ActionInput:
    """What an official enters; `done_on` is required when done, `public` only allowed when done."""

    office_id: int
    procedure_id: int
    theme_label: str
    change: str
    responsible_unit: str
    due_on: date
    status: str = "planned"
    done_on: date | None = None
    public: bool = False
    theme_id: int | None = None


class ActionError(ValueError):
    """An action that cannot be stored; `code` lets the page word it: `office` (outside the caller's offices),
    `procedure`, `theme`, `status`, `done_on` (missing for a done action), `public` (not done yet)."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


def _check(session: Session, scope: Scope, data: ActionInput) -> None:
    if not may_see_office(scope, data.office_id) or cache.office_by_id(session, data.office_id) is None:
        raise ActionError("office", "the office is not one of the caller's offices")
    if session.get(Procedure, data.procedure_id) is None:
        raise ActionError("procedure", "no such procedure")
    if data.status not in ACTION_STATUSES:
        raise ActionError("status", f"status must be one of {', '.join(ACTION_STATUSES)}")
    if data.status == "done" and data.done_on is None:
        raise ActionError("done_on", "a done action needs the date it was done")
    if data.public and data.status != "done":
        raise ActionError("public", "only a done action can be made public")
    if data.theme_id is not None:
        theme = session.get(Theme, data.theme_id)
        if theme is None or visible_run(session, scope, theme.run_id) is None:
            raise ActionError("theme", "the theme is not one the caller may see")


def _values(data: ActionInput) -> dict[str, Any]:
    values = asdict(data)
    if data.status != "done":
        values["done_on"] = None
    return values


def _audit_value(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


@rolls_back_on_error
def create_action(
    session: Session, scope: Scope, data: ActionInput, *, actor: str, user_id: int | None, now: datetime | None = None
) -> Action:
    _check(session, scope, data)
    now = now or datetime.now(UTC)
    action = Action(**_values(data), created_at=now, updated_at=now, created_by=user_id)
    session.add(action)
    session.flush()
    details = {name: _audit_value(value) for name, value in _values(data).items()}
    audit.record(session, actor=actor, user_id=user_id, action="action.create", target=f"action:{action.id}",
                 details=details)  # fmt: skip
    if action.public:
        _publish(session, action, now)
    session.commit()
    return action


@rolls_back_on_error
def update_action(
    session: Session,
    scope: Scope,
    action_id: int,
    data: ActionInput,
    *,
    actor: str,
    user_id: int | None,
    now: datetime | None = None,
) -> Action | None:
    """Change a visible action (None when the caller may not see it); the audit entry lists old and new values."""
    action = visible_action(session, scope, action_id)
    if action is None:
        return None
    _check(session, scope, data)
    now = now or datetime.now(UTC)
    was_public = action.public
    changes = {}
    for name, value in _values(data).items():
        if getattr(action, name) != value:
            changes[name] = [_audit_value(getattr(action, name)), _audit_value(value)]
            setattr(action, name, value)
    if not changes:
        return action
    action.updated_at = now
    audit.record(session, actor=actor, user_id=user_id, action="action.update", target=f"action:{action.id}",
                 details=changes)  # fmt: skip
    if action.public and not was_public:
        _publish(session, action, now)
    elif not action.public:
        action.published_at = None
    session.commit()
    return action


def _publish(session: Session, action: Action, now: datetime) -> None:
    action.published_at = now
    office = cache.office_by_id(session, action.office_id)
    procedure = cache.procedure_by_id(session, action.procedure_id)
    theme = session.get(Theme, action.theme_id) if action.theme_id is not None else None
    data = {
        "action_id": action.id,
        "office_code": office.code if office else None,
        "procedure_code": procedure.code if procedure else None,
        "theme_code": theme.code if theme is not None else None,
        "done_on": action.done_on.isoformat() if action.done_on else None,
        "published_at": now.astimezone(UTC).isoformat(),
    }
    outbox.record_event(session, "action.published", data, now)


def visible_action(session: Session, scope: Scope, action_id: int) -> Action | None:
    action = session.get(Action, action_id)
    return action if action is not None and may_see_office(scope, action.office_id) else None


def is_overdue(action: Action, today: date) -> bool:
    return action.status != "done" and action.due_on < today


def list_actions(
    session: Session, scope: Scope, *, status: str | None = None, overdue: bool = False, today: date | None = None
) -> list[Action]:
    """The caller's actions, soonest due first; `overdue`: not done and past their due date (Việt Nam calendar)."""
    today = today or local_date(datetime.now(UTC))
    query = select(Action).order_by(Action.due_on, Action.id)
    if scope is not None:
        if not scope:
            return []
        query = query.where(Action.office_id.in_(sorted(scope)))
    if status:
        query = query.where(Action.status == status)
    if overdue:
        query = query.where(Action.status != "done", Action.due_on < today)
    return list(session.scalars(query))
