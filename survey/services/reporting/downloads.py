"""Dashboard tables as CSV and XLSX files, and the "for publication" version with small cells suppressed.

A table is plain data (column codes, labels, rows); the blueprint builds it from the same service calls as the
page, so a download never shows more than the page did. CSV headers are the column codes (machine-readable,
DESIGN.md §5); XLSX shows the labels. In the publication version every row counted from fewer than
`PUBLICATION_MIN_COUNT` responses has its figures left empty and `suppressed` set, so nobody can be singled out
from a small group.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from survey.services import audit
from survey.services.spreadsheet_safety import safe_cell

PUBLICATION_MIN_COUNT = 5
FORMATS = ("csv", "xlsx")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    figure: bool = True  # a figure counted from responses: emptied in suppressed rows of the publication version


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[dict[str, Any]]
    count_key: str = "n"  # the column holding how many responses a row is counted from
    notes: Sequence[str] = field(default_factory=tuple)
    target: float | None = None  # the target shares in rows without a target of their own are shown beside


def for_publication(
    table: Table, *, min_count: int = PUBLICATION_MIN_COUNT, note: str = "", suppressed_label: str = "suppressed"
) -> Table:
    """The table with figures of rows counted from fewer than `min_count` responses left empty, and a
    `suppressed` column saying which rows those are."""
    columns = [*table.columns, Column("suppressed", suppressed_label, figure=False)]
    rows = []
    for row in table.rows:
        count = row.get(table.count_key) or 0
        small = count < min_count
        cleaned = {key: (None if small and column.figure else row.get(key)) for key, column in _by_key(table).items()}
        cleaned["suppressed"] = small
        rows.append(cleaned)
    notes = [*table.notes, note] if note else list(table.notes)
    return replace(table, columns=columns, rows=rows, notes=notes)


def _by_key(table: Table) -> dict[str, Column]:
    return {column.key: column for column in table.columns}


def _cell(value: Any) -> Any:
    """A value as a file cell: booleans as true/false, nothing as empty, text never readable as a formula."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else safe_cell(value)


def to_csv(table: Table) -> bytes:
    """UTF-8 with BOM (so Excel shows Vietnamese correctly), header = column codes, notes left out."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.key for column in table.columns])
    for row in table.rows:
        writer.writerow([_cell(row.get(column.key)) for column in table.columns])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table) -> bytes:
    """One sheet: the title, a header of labels, the rows, then the notes."""
    from openpyxl import Workbook  # imported by the download that needs it, not by every process that starts
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = table.name[:31]
    sheet.append([safe_cell(str(table.title))])
    sheet["A1"].font = Font(bold=True)
    sheet.append([safe_cell(str(column.label)) for column in table.columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_cell(row.get(column.key)) for column in table.columns])
    if table.notes:
        sheet.append([])
        for note in table.notes:
            sheet.append([safe_cell(str(note))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(table: Table, file_format: str) -> tuple[bytes, str]:
    """(file bytes, mimetype) for `csv` or `xlsx`."""
    if file_format == "csv":
        return to_csv(table), "text/csv; charset=utf-8"
    if file_format == "xlsx":
        return to_xlsx(table), XLSX_MIMETYPE
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {file_format!r}")


def record_download(
    session: Session,
    *,
    user_id: int | None,
    actor: str,
    table: str,
    file_format: str,
    publication: bool,
    filters: dict[str, str],
) -> None:
    """Note an export in the audit log (who took which table, with which filters)."""
    details = {"format": file_format, "publication": publication, "filters": filters}
    audit.record(session, actor=actor, user_id=user_id, action="dashboard.download", target=table, details=details)
    session.commit()
