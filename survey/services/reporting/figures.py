"""Figures from offices' one-stop systems: dossiers handled, overdue and complained about, and TT 01/2018
indicators 2, 5, 6, 8 and 9, per office, procedure (or the whole office) and month.

They complete what citizens can tell us: the QĐ 766 rate needs dossier totals, and a TT 01 band needs all nine
indicators. An import checks every line first and reports each problem (line, field, reason); a file with any
error imports nothing. (office, procedure, month) is the key: importing it again replaces the figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Office, OfficeFigures, Procedure
from survey.services import audit
from survey.services.catalog.csvfile import CsvFileError, read_csv_lines
from survey.services.catalog.imports import CatalogImportError, LineError, RowChecker, clean
from survey.services.transactions import rolls_back_on_error

COUNT_COLUMNS = ("dossiers_handled", "dossiers_overdue", "dossiers_complained")
INDICATOR_COLUMNS = ("indicator_2", "indicator_5", "indicator_6", "indicator_8", "indicator_9")
KEY_COLUMNS = ("office_code", "procedure_code", "month")
COLUMNS = (*KEY_COLUMNS, *COUNT_COLUMNS, *INDICATOR_COLUMNS)
REQUIRED = ("office_code", "month")
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MONTH_VN = re.compile(r"^(0?[1-9]|1[0-2])/(\d{4})$")  # 07/2025, as officials write months
MAX_COUNT = 10_000_000
INDICATOR = re.compile(r"^\d(?:[.,]\d+)?$")


class FiguresImportError(CatalogImportError):
    """The file cannot be imported; nothing was changed. `errors` lists every problem."""


@dataclass
class FiguresResult:
    created: int = 0
    updated: int = 0


@dataclass(frozen=True)
class FiguresRow:
    office_id: int
    procedure_id: int | None
    month: str
    values: dict[str, int | float | None]


def parse_month(raw: str) -> str | None:
    """'2025-07' or '07/2025' → '2025-07'; None if it is neither."""
    if match := MONTH.match(raw):
        return f"{match.group(1)}-{match.group(2)}"
    if match := MONTH_VN.match(raw):
        return f"{match.group(2)}-{int(match.group(1)):02d}"
    return None


def _count(check: RowChecker, line: int, name: str, raw: str) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > MAX_COUNT:
        check.fail(line, name, f"{raw!r} is not a whole number of dossiers (0 to {MAX_COUNT:,})")
        return None
    return int(raw)


def _indicator(check: RowChecker, line: int, name: str, raw: str) -> float | None:
    if not raw:
        return None
    value = float(raw.replace(",", ".")) if INDICATOR.match(raw) else -1.0
    if not 0.0 <= value <= 2.0:
        check.fail(line, name, f"{raw!r} is not a TT 01 score from 0 to 2 (such as 1.5 or 1,5)")
        return None
    return value


class _Catalog:
    def __init__(self, session: Session):
        self.offices = dict(session.execute(select(Office.code, Office.id)).all())
        self.procedures = dict(session.execute(select(Procedure.code, Procedure.id)).all())


def _check_line(check: RowChecker, catalog: _Catalog, line: int, row: dict[str, str]) -> FiguresRow | None:
    office_code, procedure_code, raw_month = (clean(row.get(name)) for name in KEY_COLUMNS)
    office_id = catalog.offices.get(office_code)
    if office_id is None:
        check.fail(line, "office_code", f"unknown office code {office_code!r}" if office_code else "required")
    procedure_id = catalog.procedures.get(procedure_code) if procedure_code else None
    if procedure_code and procedure_id is None:
        check.fail(line, "procedure_code", f"unknown procedure code {procedure_code!r}")
    month = parse_month(raw_month)
    if month is None:
        check.fail(line, "month", f"{raw_month!r} is not a month such as 2025-07 or 07/2025")
    values: dict[str, int | float | None] = {}
    for name in COUNT_COLUMNS:
        values[name] = _count(check, line, name, clean(row.get(name)))
    for name in INDICATOR_COLUMNS:
        values[name] = _indicator(check, line, name, clean(row.get(name)))
    handled = values["dossiers_handled"]
    for name in ("dossiers_overdue", "dossiers_complained"):
        part = values[name]
        if part is not None and handled is not None and part > handled:
            check.fail(line, name, f"{part} is more than the {handled} dossiers handled")
    if all(value is None for value in values.values()) and not any(clean(row.get(n)) for n in values):
        check.fail(line, "line", "no figures on this line")
    if office_id is None or month is None or (procedure_code and procedure_id is None):
        return None
    return FiguresRow(office_id, procedure_id, month, values)


def check_figures(session: Session, header: list[str], lines: list[tuple[int, dict[str, str]]]) -> list[FiguresRow]:
    """Every line checked; raises FiguresImportError listing every problem."""
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    errors = [LineError(1, name, f"missing column (header has: {', '.join(header)})") for name in missing]
    errors += [LineError(1, name, f"unknown column; expected some of {', '.join(COLUMNS)}") for name in unknown]
    if errors:
        raise FiguresImportError(errors)
    check = RowChecker()
    catalog = _Catalog(session)
    rows: list[FiguresRow] = []
    first_line: dict[tuple[int, int | None, str], int] = {}
    for line, raw in lines:
        row = _check_line(check, catalog, line, raw)
        if row is None:
            continue
        key = (row.office_id, row.procedure_id, row.month)
        if key in first_line:
            check.fail(line, "month", f"the same office, procedure and month are already on line {first_line[key]}")
        first_line.setdefault(key, line)
        rows.append(row)
    if not lines:
        check.fail(1, "file", "no figures in the file")
    if check.errors:
        raise FiguresImportError(check.errors)
    return rows


@rolls_back_on_error
def import_figures_file(session: Session, path: str | Path, *, actor: str = "cli") -> FiguresResult:
    """Validate the whole file, then store it in one transaction; raise FiguresImportError on any problem."""
    try:
        header, lines, bad_lines = read_csv_lines(path)
    except CsvFileError as exc:
        raise FiguresImportError([LineError(exc.line, "file", exc.reason)]) from exc
    shape_errors = [LineError(number, "line", reason) for number, reason in bad_lines]
    try:
        rows = check_figures(session, header, lines)
    except FiguresImportError as exc:
        raise FiguresImportError(sorted(shape_errors + exc.errors, key=lambda e: e.line)) from None
    if shape_errors:
        raise FiguresImportError(shape_errors)
    return store_figures(session, rows, actor=actor, source=Path(path).name)


def store_figures(session: Session, rows: list[FiguresRow], *, actor: str = "cli", source: str = "") -> FiguresResult:
    """Upsert checked rows by (office, procedure, month), note it in the audit log, and commit once."""
    statement = select(OfficeFigures).where(
        OfficeFigures.office_id.in_({row.office_id for row in rows}),
        OfficeFigures.month.in_({row.month for row in rows}),
    )
    existing = {(f.office_id, f.procedure_id, f.month): f for f in session.scalars(statement)}
    now = datetime.now(UTC)
    result = FiguresResult()
    for row in rows:
        figures = existing.get((row.office_id, row.procedure_id, row.month))
        if figures is None:
            figures = OfficeFigures(office_id=row.office_id, procedure_id=row.procedure_id, month=row.month)
            session.add(figures)
            result.created += 1
        else:
            result.updated += 1
        for name, value in row.values.items():
            setattr(figures, name, value)
        figures.imported_at = now
    audit.record(
        session, actor=actor, action="figures.import", target=source or None,
        details={"created": result.created, "updated": result.updated},
    )  # fmt: skip
    session.commit()
    return result
