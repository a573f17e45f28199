"""Satisfaction targets: the deployment default (0.90) unless an admin set one for a procedure, an office or both.

The most specific target wins: procedure at office, then procedure, then office, then the default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.satisfaction import DEFAULT_TARGET
from survey.models import Office, Procedure, Target
from survey.services import audit

_PERCENT = re.compile(r"^\s*(\d{1,2}(?:[.,]\d{1,4})?)\s*%?\s*$")


class TargetError(ValueError):
    """A target that cannot be stored; the message says why."""


@dataclass(frozen=True)
class TargetRow:
    """A stored target with the codes and names of what it applies to, for lists and exports."""

    id: int
    target: float
    procedure_id: int | None
    procedure_code: str | None
    procedure_name: str | None
    office_id: int | None
    office_code: str | None
    office_name: str | None
    updated_at: datetime


class TargetLookup:
    """All stored targets in memory, for pages that need a target for each of many groups."""

    def __init__(self, targets: list[Target], default: float = DEFAULT_TARGET):
        self.default = default
        self._by_scope = {(t.procedure_id, t.office_id): t.target for t in targets}

    def target(self, *, procedure_id: int | None = None, office_id: int | None = None) -> float:
        scopes: list[tuple[int | None, int | None]] = []
        if procedure_id is not None and office_id is not None:
            scopes.append((procedure_id, office_id))
        if procedure_id is not None:
            scopes.append((procedure_id, None))
        if office_id is not None:
            scopes.append((None, office_id))
        for scope in scopes:
            if scope in self._by_scope:
                return self._by_scope[scope]
        return self.default


def load_targets(session: Session, *, default: float = DEFAULT_TARGET) -> TargetLookup:
    return TargetLookup(list(session.scalars(select(Target))), default)


def effective_target(
    session: Session, *, procedure_id: int | None = None, office_id: int | None = None, default: float = DEFAULT_TARGET
) -> float:
    """The target for a procedure and/or office (most specific wins), else `default`."""
    if procedure_id is None and office_id is None:
        return default
    candidates = session.scalars(
        select(Target).where(
            ((Target.procedure_id == procedure_id) & (Target.office_id == office_id))
            | ((Target.procedure_id == procedure_id) & Target.office_id.is_(None))
            | (Target.procedure_id.is_(None) & (Target.office_id == office_id))
        )
    )
    return TargetLookup(list(candidates), default).target(procedure_id=procedure_id, office_id=office_id)


def parse_percentage(text: str) -> float:
    """'90', '92,5' or '92.5 %' → 0.9 / 0.925; anything outside 0 < x < 100 is refused."""
    match = _PERCENT.match(text or "")
    if not match:
        raise TargetError("enter a percentage between 0 and 100, such as 90 or 92,5")
    value = float(match.group(1).replace(",", "."))
    if not 0 < value < 100:
        raise TargetError("enter a percentage between 0 and 100, such as 90 or 92,5")
    return round(value / 100, 6)


def _check_scope(session: Session, procedure_id: int | None, office_id: int | None) -> str:
    """Both ids exist and at least one is given; returns a readable name of the scope for the audit log."""
    if procedure_id is None and office_id is None:
        raise TargetError("choose a procedure, an office or both")
    parts = []
    if procedure_id is not None:
        procedure = session.get(Procedure, procedure_id)
        if procedure is None:
            raise TargetError(f"unknown procedure id {procedure_id}")
        parts.append(f"procedure:{procedure.code}")
    if office_id is not None:
        office = session.get(Office, office_id)
        if office is None:
            raise TargetError(f"unknown office id {office_id}")
        parts.append(f"office:{office.code}")
    return " ".join(parts)


def resolve_scope(
    session: Session, *, procedure_code: str | None = None, office_code: str | None = None
) -> tuple[int | None, int | None]:
    """Procedure and office ids for codes typed by an admin (empty = not part of the scope)."""
    procedure_id = office_id = None
    if procedure_code:
        procedure_id = session.scalar(select(Procedure.id).where(Procedure.code == procedure_code.strip()))
        if procedure_id is None:
            raise TargetError(f"unknown procedure code {procedure_code!r}")
    if office_code:
        office_id = session.scalar(select(Office.id).where(Office.code == office_code.strip()))
        if office_id is None:
            raise TargetError(f"unknown office code {office_code!r}")
    if procedure_id is None and office_id is None:
        raise TargetError("choose a procedure, an office or both")
    return procedure_id, office_id


def _find(session: Session, procedure_id: int | None, office_id: int | None) -> Target | None:
    procedure_match = Target.procedure_id.is_(None) if procedure_id is None else Target.procedure_id == procedure_id
    office_match = Target.office_id.is_(None) if office_id is None else Target.office_id == office_id
    return session.scalars(select(Target).where(procedure_match, office_match)).first()


def set_target(
    session: Session,
    *,
    target: float,
    procedure_id: int | None = None,
    office_id: int | None = None,
    actor: str = "cli",
    user_id: int | None = None,
) -> Target:
    """Store (or replace) the target for this scope; 0 < target < 1."""
    if not 0 < target < 1:
        raise TargetError("a target is a share between 0 and 1 (exclusive), such as 0.9")
    scope = _check_scope(session, procedure_id, office_id)
    row = _find(session, procedure_id, office_id)
    previous = row.target if row else None
    if row is None:
        row = Target(procedure_id=procedure_id, office_id=office_id)
        session.add(row)
    row.target = target
    row.updated_at = datetime.now(UTC)
    audit.record(
        session, actor=actor, user_id=user_id, action="target.set", target=scope,
        details={"target": target, "previous": previous},
    )  # fmt: skip
    session.commit()
    return row


def clear_target(
    session: Session,
    *,
    procedure_id: int | None = None,
    office_id: int | None = None,
    actor: str = "cli",
    user_id: int | None = None,
) -> bool:
    """Remove the target for exactly this scope (the next less specific one applies again); False if none."""
    scope = _check_scope(session, procedure_id, office_id)
    row = _find(session, procedure_id, office_id)
    if row is None:
        return False
    audit.record(
        session, actor=actor, user_id=user_id, action="target.clear", target=scope, details={"previous": row.target}
    )
    session.delete(row)
    session.commit()
    return True


def list_targets(session: Session) -> list[TargetRow]:
    """Every stored target with what it applies to, procedures first, then offices."""
    rows = session.execute(
        select(Target, Procedure, Office)
        .outerjoin(Procedure, Procedure.id == Target.procedure_id)
        .outerjoin(Office, Office.id == Target.office_id)
    ).all()
    result = [
        TargetRow(
            id=t.id,
            target=t.target,
            procedure_id=t.procedure_id,
            procedure_code=p.code if p else None,
            procedure_name=p.name if p else None,
            office_id=t.office_id,
            office_code=o.code if o else None,
            office_name=o.name if o else None,
            updated_at=t.updated_at,
        )
        for t, p, o in rows
    ]
    return sorted(result, key=lambda r: (r.procedure_code or "~", r.office_code or ""))
