"""The catalog of procedures and offices: the shipped starter catalog and CSV imports.

An import checks every line first and reports each problem (line, field, reason); a file with any error
imports nothing. Codes are the keys: importing a known code updates it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import OFFICE_LEVELS, PROCEDURE_LEVELS, Office, OfficeProcedure, Procedure, Province
from survey.services.catalog.csvfile import CsvFileError, read_csv_lines

PROCEDURE_COLUMNS = ("code", "name", "field", "level", "valid_from")
OFFICE_COLUMNS = ("code", "name", "level", "province_code", "parent_code")
PROCEDURE_CODE = re.compile(r"^\d\.\d{6}(\.[0-9A-Za-z]{1,10}){0,5}$")
OFFICE_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,39}$")

# Levels may be written as codes or as the Vietnamese names officials use.
LEVEL_ALIASES = {
    "central": "central", "trung ương": "central", "cấp trung ương": "central", "cấp bộ": "central",
    "province": "province", "tỉnh": "province", "cấp tỉnh": "province",
    "commune": "commune", "xã": "commune", "cấp xã": "commune", "phường": "commune",
}  # fmt: skip


@dataclass(frozen=True)
class LineError:
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.reason}"


class CatalogImportError(Exception):
    """The file cannot be imported; nothing was changed."""

    def __init__(self, errors: list[LineError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass
class ImportResult:
    kind: str
    created: int = 0
    updated: int = 0
    codes: list[str] = field(default_factory=list)


def clean(value: str | None) -> str:
    """Trim and normalise to NFC, so 'Hòa' typed in NFD matches the catalog."""
    return unicodedata.normalize("NFC", (value or "").strip())


def parse_level(raw: str, allowed: tuple[str, ...]) -> str | None:
    level = LEVEL_ALIASES.get(clean(raw).lower())
    return level if level in allowed else None


def parse_date(raw: str) -> date | None:
    """ISO (2025-07-01) or Vietnamese day/month/year (01/07/2025)."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValueError(raw)


def detect_kind(header: list[str]) -> str:
    if {"province_code", "parent_code"} & set(header):
        return "offices"
    if "field" in header:
        return "procedures"
    raise CatalogImportError(
        [LineError(1, "header", "cannot tell procedures from offices: expected columns "
                   f"{', '.join(PROCEDURE_COLUMNS)} or {', '.join(OFFICE_COLUMNS)}")]
    )  # fmt: skip


def import_catalog_file(session: Session, path: str | Path, kind: str | None = None) -> ImportResult:
    """Validate the whole file, then upsert it in one transaction; raise CatalogImportError on any problem."""
    try:
        header, lines, bad_lines = read_csv_lines(path)
    except CsvFileError as exc:
        raise CatalogImportError([LineError(exc.line, "file", exc.reason)]) from exc
    kind = kind or detect_kind(header)
    shape_errors = [LineError(number, "line", reason) for number, reason in bad_lines]
    try:
        if kind == "procedures":
            result = _import_procedures(session, header, lines)
        elif kind == "offices":
            result = _import_offices(session, header, lines)
        else:
            raise CatalogImportError([LineError(0, "kind", f"unknown catalog kind {kind!r}")])
    except CatalogImportError as exc:
        session.rollback()
        raise CatalogImportError(sorted(shape_errors + exc.errors, key=lambda e: e.line)) from None
    if shape_errors:
        session.rollback()
        raise CatalogImportError(shape_errors)
    session.commit()
    return result


def _missing_columns(header: list[str], required: Iterable[str]) -> None:
    missing = [name for name in required if name not in header]
    if missing:
        raise CatalogImportError(
            [LineError(1, name, f"missing column (header has: {', '.join(header)})") for name in missing]
        )


class RowChecker:
    """Collects the problems of one file, line by line, so all of them can be reported at once."""

    def __init__(self) -> None:
        self.errors: list[LineError] = []
        self.seen: dict[str, int] = {}

    def fail(self, line: int, field_name: str, reason: str) -> None:
        self.errors.append(LineError(line, field_name, reason))

    def code(self, line: int, code: str, pattern: re.Pattern[str], example: str) -> None:
        if not pattern.match(code):
            self.fail(line, "code", f"{code!r} is not a code like {example}")
        elif code in self.seen:
            self.fail(line, "code", f"{code} already appears on line {self.seen[code]}")
        self.seen.setdefault(code, line)

    def text(self, line: int, field_name: str, value: str, limit: int) -> None:
        if not value or len(value) > limit:
            self.fail(line, field_name, f"required, at most {limit} characters")

    def level(self, line: int, raw: str, allowed: tuple[str, ...]) -> str:
        level = parse_level(raw, allowed)
        if level is None:
            self.fail(line, "level", f"{raw!r} is not one of {', '.join(allowed)} (or Cấp tỉnh, Cấp xã)")
        return level or ""

    def date(self, line: int, field_name: str, raw: str) -> date | None:
        if not raw:
            return None
        try:
            return parse_date(raw)
        except ValueError:
            self.fail(line, field_name, "not a date (2025-07-01 or 01/07/2025)")
            return None

    def raise_if_any(self, lines: list[tuple[int, dict[str, str]]], kind: str) -> None:
        if not lines:
            self.fail(1, "file", f"no {kind} in the file")
        if self.errors:
            raise CatalogImportError(self.errors)


def _import_procedures(session: Session, header: list[str], lines: list[tuple[int, dict[str, str]]]) -> ImportResult:
    _missing_columns(header, ("code", "name", "field", "level"))
    check = RowChecker()
    parsed = []
    for number, row in lines:
        code, name, field_name = clean(row.get("code")), clean(row.get("name")), clean(row.get("field"))
        check.code(number, code, PROCEDURE_CODE, "1.001193")
        check.text(number, "name", name, 400)
        check.text(number, "field", field_name, 200)
        level = check.level(number, row.get("level", ""), PROCEDURE_LEVELS)
        valid_from = check.date(number, "valid_from", clean(row.get("valid_from")))
        parsed.append((code, name, field_name, level, valid_from))
    check.raise_if_any(lines, "procedures")
    result = ImportResult("procedures")
    existing = {p.code: p for p in session.scalars(select(Procedure))}
    for code, name, field_name, level, valid_from in parsed:
        procedure = existing.get(code)
        if procedure is None:
            procedure = Procedure(code=code, active=True)
            session.add(procedure)
            result.created += 1
        else:
            result.updated += 1
        procedure.name, procedure.field, procedure.level, procedure.valid_from = name, field_name, level, valid_from
        result.codes.append(code)
    session.flush()
    return result


@dataclass(frozen=True)
class OfficeRow:
    line: int
    code: str
    name: str
    level: str
    province: str
    parent: str
    procedure_codes: list[str]


def _check_offices(
    session: Session, lines: list[tuple[int, dict[str, str]]], existing: dict[str, Office]
) -> list[OfficeRow]:
    provinces = set(session.scalars(select(Province.code)))
    procedures = set(session.scalars(select(Procedure.code)))
    check = RowChecker()
    rows: list[OfficeRow] = []
    for number, row in lines:
        office = OfficeRow(
            line=number,
            code=clean(row.get("code")),
            name=clean(row.get("name")),
            level=check.level(number, row.get("level", ""), OFFICE_LEVELS),
            province=clean(row.get("province_code")),
            parent=clean(row.get("parent_code")),
            procedure_codes=[clean(c) for c in re.split(r"[;|]", row.get("procedure_codes") or "") if clean(c)],
        )
        check.code(number, office.code, OFFICE_CODE, "79.01 (letters, digits, . _ -)")
        check.text(number, "name", office.name, 255)
        if office.province not in provinces:
            check.fail(number, "province_code", f"{office.province!r} is not one of the 34 province codes")
        for unknown in [c for c in office.procedure_codes if c not in procedures]:
            check.fail(number, "procedure_codes", f"unknown procedure code {unknown}")
        rows.append(office)
    parents = {office.code: office.parent for office in rows}
    for office in rows:
        if office.parent and office.parent not in existing and office.parent not in check.seen:
            check.fail(office.line, "parent_code", f"unknown office code {office.parent}")
        elif office.parent and _has_cycle(office.code, parents, existing):
            check.fail(office.line, "parent_code", f"{office.parent} would make the office tree circular")
    check.raise_if_any(lines, "offices")
    return rows


def _import_offices(session: Session, header: list[str], lines: list[tuple[int, dict[str, str]]]) -> ImportResult:
    _missing_columns(header, ("code", "name", "level", "province_code"))
    existing = {o.code: o for o in session.scalars(select(Office))}
    rows = _check_offices(session, lines, existing)
    procedures = {p.code: p.id for p in session.scalars(select(Procedure))}
    result = ImportResult("offices")
    for row in rows:
        office = existing.get(row.code)
        if office is None:
            office = existing[row.code] = Office(code=row.code, active=True, path="/")
            session.add(office)
            result.created += 1
        else:
            result.updated += 1
        office.name, office.level, office.province_code = row.name, row.level, row.province
        result.codes.append(row.code)
    session.flush()
    for row in rows:
        existing[row.code].parent_id = existing[row.parent].id if row.parent else None
        if row.procedure_codes:
            _set_office_procedures(session, existing[row.code], [procedures[c] for c in row.procedure_codes])
    session.flush()
    rebuild_office_paths(session)
    return result


def _has_cycle(code: str, parents: dict[str, str], existing: dict[str, Office]) -> bool:
    visited = {code}
    current = parents.get(code)
    while current:
        if current in visited:
            return True
        visited.add(current)
        if current in parents:
            current = parents[current]
        else:
            parent = existing[current].parent if current in existing else None
            current = parent.code if parent else ""
    return False


def _set_office_procedures(session: Session, office: Office, procedure_ids: list[int]) -> None:
    current = set(session.scalars(select(OfficeProcedure.procedure_id).where(OfficeProcedure.office_id == office.id)))
    for procedure_id in sorted(set(procedure_ids) - current):
        session.add(OfficeProcedure(office_id=office.id, procedure_id=procedure_id))


def rebuild_office_paths(session: Session) -> None:
    """Recompute every office's materialised path ("/<root id>/…/<own id>/") from the parent links."""
    offices = {o.id: o for o in session.scalars(select(Office))}
    for office in offices.values():
        chain = [office.id]
        parent_id = office.parent_id
        while parent_id is not None and parent_id not in chain:
            chain.append(parent_id)
            parent_id = offices[parent_id].parent_id
        office.path = "/" + "/".join(str(i) for i in reversed(chain)) + "/"
    session.flush()


def link_procedures_by_level(session: Session) -> None:
    """Give each office without a procedure list the active procedures of its own level."""
    linked = set(session.scalars(select(OfficeProcedure.office_id)))
    procedures = list(session.scalars(select(Procedure).where(Procedure.active.is_(True))))
    for office in session.scalars(select(Office)):
        if office.id in linked:
            continue
        for procedure in procedures:
            if procedure.level == office.level or (office.level == "province" and procedure.level == "central"):
                session.add(OfficeProcedure(office_id=office.id, procedure_id=procedure.id))
    session.flush()


def starter_file(name: str) -> Path:
    """Path of a catalog file shipped with the service (procedures.csv, demo_offices.csv)."""
    return Path(str(resources.files("survey") / "data" / name))


def load_starter_catalog(session: Session, *, demo_offices: bool = False) -> list[ImportResult]:
    """Import the shipped procedures (and, for demos, the demo offices), then link offices to procedures."""
    results = [import_catalog_file(session, starter_file("procedures.csv"), "procedures")]
    if demo_offices:
        results.append(import_catalog_file(session, starter_file("demo_offices.csv"), "offices"))
    link_procedures_by_level(session)
    session.commit()
    return results
