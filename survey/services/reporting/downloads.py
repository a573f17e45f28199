"""Dashboard tables as CSV and XLSX files, and the "for publication" version with small cells suppressed.

A table is plain data (columns, rows of codes and numbers); the blueprint builds it from the same service calls as
the page, so a download never shows more than the page did. The CSV is for machines (DESIGN.md §5): its header is
the column codes and its cells the codes and fractions of today's files, with a `<column>_label` column added at
the end for every coded column (status_label, channel_label, …). The XLSX is for an office: a first sheet
"Thông tin" (what the file holds, for whom, when, from where and how it was counted), then the table with headers,
statuses and yes/no answers in the page's language, shares and intervals as numbers in a percent format (never
rounded onto the wrong side of their target) and differences in percentage points. In the publication version
every row counted from fewer than `PUBLICATION_MIN_COUNT` responses has its figures left empty and `suppressed`
set, so nobody can be singled out from a small group. Every text cell of both files goes through
`survey.services.spreadsheet_safety`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sqlalchemy.orm import Session

from survey.formatting import share_beside
from survey.services import audit
from survey.services.spreadsheet_safety import safe_cell

PUBLICATION_MIN_COUNT = 5
FORMATS = ("csv", "xlsx")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

Kind = Literal["text", "count", "decimal", "share", "points", "score", "p_value", "flag"]
WIDE_COLUMNS = ("name", "office_name", "procedure_name", "themes")
NUMBER_FORMATS: dict[str, str] = {
    "count": "#,##0",
    "decimal": "#,##0.0",
    "points": "+0.0;-0.0;0.0",
    "score": "0.00",
    "p_value": "0.0000",
}


@dataclass(frozen=True)
class Column:
    """A column: its code (the CSV header), its label (the XLSX header), what it holds and, for a coded column,
    the words for its codes (`words`: code → label; for a flag, True/False → label)."""

    key: str
    label: str
    figure: bool = True  # a figure counted from responses: emptied in suppressed rows of the publication version
    kind: Kind = "count"
    words: Mapping[Any, Any] | None = None


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[dict[str, Any]]
    count_key: str = "n"  # the column holding how many responses a row is counted from
    notes: Sequence[str] = field(default_factory=tuple)
    target: float | None = None  # the target shares in rows without a target of their own are shown beside
    about: Sequence[tuple[str, str]] = field(default_factory=tuple)  # the XLSX's first sheet: (label, text) lines
    about_title: str = "Thông tin"


def for_publication(
    table: Table,
    *,
    min_count: int = PUBLICATION_MIN_COUNT,
    note: str = "",
    suppressed_label: str = "suppressed",
    flag_words: Mapping[Any, Any] | None = None,
) -> Table:
    """The table with figures of rows counted from fewer than `min_count` responses left empty, and a
    `suppressed` column saying which rows those are."""
    suppressed = Column("suppressed", suppressed_label, figure=False, kind="flag", words=flag_words)
    columns = [*table.columns, suppressed]
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
    """A value as a CSV cell: booleans as true/false, nothing as empty, text never readable as a formula."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else safe_cell(value)


def _labelled(table: Table) -> list[Column]:
    """The coded columns that get a `<key>_label` column in the CSV (flags stay true/false)."""
    return [column for column in table.columns if column.words is not None and column.kind != "flag"]


def _word(column: Column, value: Any) -> str:
    if value is None or column.words is None:
        return ""
    return str(column.words.get(value, value))


def to_csv(table: Table) -> bytes:
    """UTF-8 with BOM (so Excel shows Vietnamese correctly), header = column codes then `<code>_label` columns,
    notes left out."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    labelled = _labelled(table)
    writer.writerow([column.key for column in table.columns] + [f"{column.key}_label" for column in labelled])
    for row in table.rows:
        codes = [_cell(row.get(column.key)) for column in table.columns]
        labels = [_cell(_word(column, row.get(column.key))) for column in labelled]
        writer.writerow(codes + labels)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_value(table: Table, column: Column, row: dict[str, Any]) -> tuple[Any, str | None]:
    """(cell value, number format) of a row's column in the office file."""
    value = row.get(column.key)
    if value is None:
        return None, None
    if column.words is not None:
        return safe_cell(_word(column, value)), None
    if isinstance(value, bool):
        return ("true" if value else "false"), None
    if column.kind == "share":
        target = row.get("target", table.target)
        shown, places = share_beside(float(value), target if isinstance(target, int | float) else None)
        return shown, "0" + ("." + "0" * places if places else "") + "%"
    if column.kind == "points":
        return round(float(value) * 100, 1) + 0.0, NUMBER_FORMATS["points"]  # + 0.0: never a "-0.0"
    if column.kind in NUMBER_FORMATS and isinstance(value, int | float):
        return value, NUMBER_FORMATS[column.kind]
    return safe_cell(value), None


def to_xlsx(table: Table) -> bytes:
    """Two sheets: "Thông tin" (the `about` lines and notes), then the table: its title, a header of labels, the
    rows, then the notes."""
    from openpyxl import Workbook  # imported by the download that needs it, not by every process that starts
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    info = workbook.active
    assert info is not None
    info.title = table.about_title[:31]
    info.append([safe_cell(str(table.title))])
    info["A1"].font = Font(bold=True, size=13)
    for label, text in [*table.about, *(("", str(note)) for note in table.notes)]:
        info.append([safe_cell(str(label)), safe_cell(str(text))])
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 100
    for cells in info.iter_rows(min_row=2):
        cells[0].font = Font(bold=True)
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    sheet = workbook.create_sheet(table.name[:31])
    sheet.append([safe_cell(str(table.title))])
    sheet["A1"].font = Font(bold=True)
    sheet.append([safe_cell(str(column.label)) for column in table.columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        cells = [_xlsx_value(table, column, row) for column in table.columns]
        sheet.append([value for value, _format in cells])
        for cell, (_value, number_format) in zip(sheet[sheet.max_row], cells, strict=True):
            if number_format:
                cell.number_format = number_format
    for index, column in enumerate(table.columns, start=1):
        width = 40 if column.key in WIDE_COLUMNS else 16
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = width
    sheet.freeze_panes = "A3"
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
        return to_csv(table), CSV_CONTENT_TYPE
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
