"""The catalog as admins read it: the office tree in order, procedures, questionnaire versions; audited imports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.models import LocalQuestion, Office, OfficeProcedure, Procedure, QuestionnaireVersion
from survey.services import audit
from survey.services.catalog.imports import ImportResult, import_catalog_file


@dataclass(frozen=True)
class OfficeLine:
    office: Office
    depth: int
    parent_code: str | None
    procedures: int


def office_tree(session: Session) -> list[OfficeLine]:
    """Every office, each followed by the offices under it (depth-first, by code), with its depth in the tree."""
    offices = list(session.scalars(select(Office).order_by(Office.code)))
    per_office = select(OfficeProcedure.office_id, func.count()).group_by(OfficeProcedure.office_id)
    counts: dict[int, int] = {row[0]: row[1] for row in session.execute(per_office)}
    by_id = {office.id: office for office in offices}
    children: dict[int | None, list[Office]] = {}
    for office in offices:
        parent = office.parent_id if office.parent_id in by_id else None
        children.setdefault(parent, []).append(office)
    lines: list[OfficeLine] = []
    stack = [(office, 0) for office in reversed(children.get(None, []))]
    seen: set[int] = set()
    while stack:
        office, depth = stack.pop()
        if office.id in seen:
            continue
        seen.add(office.id)
        above = by_id.get(office.parent_id) if office.parent_id is not None else None
        lines.append(OfficeLine(office, depth, above.code if above else None, counts.get(office.id, 0)))
        stack.extend((child, depth + 1) for child in reversed(children.get(office.id, [])))
    return lines


def procedures(session: Session) -> list[Procedure]:
    return list(session.scalars(select(Procedure).order_by(Procedure.field, Procedure.code)))


def questionnaire_versions(session: Session) -> list[QuestionnaireVersion]:
    return list(session.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.version.desc())))


def local_questions_of(session: Session, version_id: int) -> list[LocalQuestion]:
    """A version's local questions: provinces' first, then offices', in the order of their files."""
    return list(
        session.scalars(
            select(LocalQuestion)
            .where(LocalQuestion.questionnaire_version_id == version_id)
            .order_by(LocalQuestion.scope_kind.desc(), LocalQuestion.scope_code, LocalQuestion.position)
        )
    )


def preview_office(session: Session, version_id: int, office_code: str | None) -> Office | None:
    """The office to preview a version at: the one asked for, else one where its first local question is asked,
    else the first office."""
    if office_code:
        return session.scalar(select(Office).where(Office.code == office_code))
    first = next(iter(local_questions_of(session, version_id)), None)
    statement = select(Office).order_by(Office.code).limit(1)
    if first is not None and first.scope_kind == "province":
        statement = statement.where(Office.province_code == first.scope_code, Office.parent_id.is_not(None))
    elif first is not None:
        statement = statement.where(Office.code == first.scope_code)
    return session.scalar(statement) or session.scalar(select(Office).order_by(Office.code).limit(1))


def import_catalog_upload(
    session: Session, path: str | Path, *, file_name: str, actor: str, user_id: int | None = None
) -> ImportResult:
    """Import a catalog file (all or nothing, see `import_catalog_file`) and note who imported what."""
    result = import_catalog_file(session, path)
    audit.record(
        session, actor=actor, user_id=user_id, action="catalog.import", target=result.kind,
        details={"file": file_name[:200], "created": result.created, "updated": result.updated},
    )  # fmt: skip
    session.commit()
    return result
