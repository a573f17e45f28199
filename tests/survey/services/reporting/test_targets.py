"""Targets: the most specific one wins (procedure at office, procedure, office, default); stored within (0, 1)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.models import AuditEntry, Office, Procedure, Target
from survey.services.reporting.targets import (
    TargetError,
    clear_target,
    effective_target,
    list_targets,
    load_targets,
    parse_percentage,
    resolve_scope,
    set_target,
)
from tests.factories import load_catalog


def ids(session):
    procedure = session.scalar(select(Procedure.id).where(Procedure.code == "1.001193"))
    other_procedure = session.scalar(select(Procedure.id).where(Procedure.code == "1.000894"))
    office = session.scalar(select(Office.id).where(Office.code == "79.01"))
    other_office = session.scalar(select(Office.id).where(Office.code == "79.02"))
    return procedure, other_procedure, office, other_office


def test_most_specific_target_wins(session, backend):
    load_catalog()
    procedure, other_procedure, office, other_office = ids(session)
    assert effective_target(session, procedure_id=procedure, office_id=office) == 0.90
    set_target(session, office_id=office, target=0.85)
    assert effective_target(session, procedure_id=procedure, office_id=office) == 0.85
    set_target(session, procedure_id=procedure, target=0.95)
    assert effective_target(session, procedure_id=procedure, office_id=office) == 0.95
    set_target(session, procedure_id=procedure, office_id=office, target=0.8)
    assert effective_target(session, procedure_id=procedure, office_id=office) == 0.8
    assert effective_target(session, procedure_id=procedure, office_id=other_office) == 0.95
    assert effective_target(session, procedure_id=other_procedure, office_id=office) == 0.85
    assert effective_target(session, procedure_id=other_procedure, office_id=other_office, default=0.7) == 0.7
    assert effective_target(session, office_id=office) == 0.85
    assert effective_target(session, procedure_id=procedure) == 0.95
    assert effective_target(session) == 0.90
    lookup = load_targets(session)
    for p in (procedure, other_procedure, None):
        for o in (office, other_office, None):
            assert lookup.target(procedure_id=p, office_id=o) == effective_target(session, procedure_id=p, office_id=o)


def test_setting_again_replaces_and_clearing_falls_back(session, backend):
    load_catalog()
    procedure, _, office, _ = ids(session)
    set_target(session, procedure_id=procedure, target=0.95)
    set_target(session, procedure_id=procedure, target=0.93, actor="boss@example.gov.vn")
    assert session.scalar(select(func.count()).select_from(Target)) == 1
    set_target(session, office_id=office, target=0.85)
    assert clear_target(session, procedure_id=procedure) is True
    assert clear_target(session, procedure_id=procedure) is False
    assert effective_target(session, procedure_id=procedure, office_id=office) == 0.85
    rows = list_targets(session)
    assert [(r.procedure_code, r.office_code, r.target) for r in rows] == [(None, "79.01", 0.85)]
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["target.set", "target.set", "target.set", "target.clear"]
    assert entries[1].details == {"target": 0.93, "previous": 0.95} and entries[1].actor == "boss@example.gov.vn"


@pytest.mark.parametrize("value", [0, 1, -0.1, 1.5])
def test_targets_outside_zero_one_are_refused(session, value):
    load_catalog()
    procedure, *_ = ids(session)
    with pytest.raises(TargetError):
        set_target(session, procedure_id=procedure, target=value)
    assert session.scalar(select(func.count()).select_from(Target)) == 0


def test_scope_must_exist_and_be_given(session):
    load_catalog()
    with pytest.raises(TargetError, match="choose"):
        set_target(session, target=0.9)
    with pytest.raises(TargetError, match="unknown procedure"):
        set_target(session, procedure_id=999_999, target=0.9)
    with pytest.raises(TargetError, match="unknown office code"):
        resolve_scope(session, office_code="00.99")
    procedure, _, office, _ = ids(session)
    assert resolve_scope(session, procedure_code=" 1.001193 ", office_code="79.01") == (procedure, office)


@pytest.mark.parametrize(
    ("text", "share"), [("90", 0.9), ("92,5", 0.925), ("92.5", 0.925), (" 85 % ", 0.85), ("99,99", 0.9999)]
)
def test_percentages_as_admins_type_them(text, share):
    assert parse_percentage(text) == pytest.approx(share)


@pytest.mark.parametrize("text", ["", "0", "100", "150", "-5", "chín mươi", "0,9.5", "90%%"])
def test_bad_percentages_are_refused(text):
    with pytest.raises(TargetError):
        parse_percentage(text)
