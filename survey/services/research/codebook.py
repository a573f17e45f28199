"""The codebook of a research export: machine-readable JSON (DESIGN.md §5) and a Markdown version for people.

Both describe the file actually written: its columns, the codes present with their labels, the period it
covers (as dates), k and the quasi-identifiers, what was generalised and how much (share of rows at each level
of each column, rows dropped, information loss), how the statistics are defined and how to cite the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from analysis.periods import month_end, month_start
from survey.services.research.columns import FIXED_VALUES, GENERALISED_LABELS, Column

DEFINITIONS = {
    "satisfied": "Hài lòng = mức 4 (Hài lòng) hoặc 5 (Rất hài lòng) trên thang 1–5. Satisfied = rating 4 or 5 of 5.",
    "share": "Tỉ lệ hài lòng = số trả lời hài lòng / số trả lời có mức đánh giá. "
    "Share satisfied = satisfied / answered; report it with n and a 95 % Wilson interval.",
    "target": "Mục tiêu quốc gia: 90 % hài lòng. National target: 90 % satisfied.",
    "verified": "verified = trả lời qua đường dẫn dùng một lần gắn với một hồ sơ; còn lại là đường dẫn công khai "
    "(áp phích QR) hoặc nhập phiếu. verified = answered through a one-time link for one dossier.",
    "missing": "Ô trống (CSV) hoặc null (Parquet) = không trả lời. Empty (CSV) or null (Parquet) = not answered.",
    "formulas": "Trong CSV, ô chữ bắt đầu bằng = + - @ được thêm dấu ' để bảng tính không chạy như công thức. "
    "In CSV, text starting with = + - @ (or a tab) is prefixed with ' so spreadsheets do not run it as a formula.",
}

MIXED_LEVELS = (
    "Mỗi nhóm dòng được khái quát hoá riêng (local recoding), nên một cột có thể trộn nhiều mức: "
    "`1.001193` cạnh `Hộ tịch` (lĩnh vực), `79.03` cạnh `79` (tỉnh), `2025-03` cạnh `2025-Q1`. "
    "Each group of rows is generalised on its own (local recoding), so a column may mix levels: a procedure code "
    "(`1.001193`) next to a field (`Hộ tịch`), an office (`79.03`) next to a province (`79`), a month (`2025-03`) "
    "next to a quarter (`2025-Q1`). To count per field, province or quarter, map the finer values up first "
    "(field, province and quarter of every code are in the value labels and the catalog); a value published "
    "coarser is not evidence that the finer value was rare in the population."
)

_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")  # fmt: skip

LEVEL_TEXT = {
    "month": {"month": "month", "quarter": "quarter (YYYY-Qn)", "year": "year (YYYY)"},
    "office": {"office": "office", "province": "province", "region": "region (6 regions)"},
}

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class ExportFacts:
    """What the codebook reports about one export."""

    file_name: str
    file_format: str
    sha256: str
    created_at: str
    k: int
    l_diversity: int | None
    text: str
    month_from: str | None
    month_to: str | None
    first_month: str
    last_month: str
    quasi: tuple[str, ...]
    rows_total: int
    rows_written: int
    rows_dropped: int
    groups: int
    smallest_group: int
    generalisation: dict[str, str]
    levels: dict[str, dict[str, int]]
    information_loss: float


def first_day(month: str) -> date:
    return month_start(month).date()


def last_day(month: str) -> date:
    return month_end(month).date() - timedelta(days=1)


def long_date(day: date) -> str:
    """`1/3/2025 (1 March 2025)`: the Vietnamese way, then the English."""
    return f"{day.day}/{day.month}/{day.year} ({day.day} {_MONTHS_EN[day.month - 1]} {day.year})"


def period_of(first_month: str, last_month: str, month_from: str | None, month_to: str | None) -> dict[str, Any]:
    """The months covered by the data written, as dates, and the months asked for."""
    return {
        "first_month": first_month,
        "last_month": last_month,
        "from": first_day(first_month).isoformat(),
        "to": last_day(last_month).isoformat(),
        "requested_from": month_from,
        "requested_to": month_to,
    }


def citation(title: str, period: Mapping[str, Any], created_at: str, file_name: str, sha256: str) -> str:
    """How to cite a file: what it is, the period, the day it was made, its name and fingerprint."""
    return (
        f"{title}, {period['from']} – {period['to']}. Exported {created_at[:10]}; file {file_name}, "
        f"SHA-256 {sha256[:16]}…"
    )


MICRODATA_TITLE = (
    "Khảo sát mức độ hài lòng của người dân với thủ tục hành chính: dữ liệu vi mô đã khử định danh "
    "(Citizen satisfaction with administrative procedures: de-identified microdata)"
)


def month_label(value: str) -> str:
    if match := _MONTH.match(value):
        return f"Tháng {int(match.group(2))}/{match.group(1)}"
    if match := _QUARTER.match(value):
        return f"Quý {match.group(2)}/{match.group(1)} ({match.group(1)} Q{match.group(2)})"
    if value.isdigit():
        return f"Năm {value} (year {value})"
    return GENERALISED_LABELS.get(value, value)


def value_labels(
    column: Column, present: Sequence[str], catalog_labels: Mapping[str, Mapping[str, str]]
) -> dict[str, str]:
    """Code → label: every code of a fixed column, or the codes present in a generalised column."""
    if column.name == "month":
        return {value: month_label(value) for value in present}
    if column.role == "quasi_identifier":
        known = {**FIXED_VALUES.get(column.name, {}), **catalog_labels.get(column.name, {}), **GENERALISED_LABELS}
        return {value: known.get(value, value) for value in present}
    return dict(FIXED_VALUES.get(column.name, {}))


def build_codebook(
    columns: Sequence[Column],
    facts: ExportFacts,
    present: Mapping[str, Sequence[str]],
    catalog_labels: Mapping[str, Mapping[str, str]],
) -> dict[str, Any]:
    """The JSON codebook: `columns` as the contract says, then what was done to the data."""
    return {
        "columns": [
            {
                "name": column.name,
                "type": column.type,
                "label_vi": column.label_vi,
                "label_en": column.label_en,
                "values": value_labels(column, sorted(present.get(column.name, ())), catalog_labels),
                "role": column.role,
            }
            for column in columns
        ],
        "file": facts.file_name,
        "format": facts.file_format,
        "sha256": facts.sha256,
        "created_at": facts.created_at,
        "k": facts.k,
        "l_diversity": facts.l_diversity,
        "text": facts.text,
        "period": (period := period_of(facts.first_month, facts.last_month, facts.month_from, facts.month_to)),
        "quasi_identifiers": list(facts.quasi),
        "rows_total": facts.rows_total,
        "rows_written": facts.rows_written,
        "rows_dropped": facts.rows_dropped,
        "groups": facts.groups,
        "smallest_group": facts.smallest_group,
        "generalisation": facts.generalisation,
        "levels": facts.levels,
        "mixed_levels": MIXED_LEVELS,
        "information_loss": round(facts.information_loss, 4),
        "information_loss_meaning": "normalised certainty penalty averaged over rows and quasi-identifiers "
        "(0 = nothing generalised, 1 = everything withheld; a dropped row counts 1)",
        "citation": citation(MICRODATA_TITLE, period, facts.created_at, facts.file_name, facts.sha256),
        "definitions": DEFINITIONS,
    }


def definitions_section(codebook: Mapping[str, Any]) -> list[str]:
    """The codebook's "Definitions" heading and list, as Markdown lines (the same in every codebook)."""
    return ["## Definitions", "", *(f"- **{name}**: {text}" for name, text in codebook["definitions"].items()), ""]


def cell_text(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def reference_codebook(columns: Sequence[Column], catalog_labels: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    """The codebook before any export: every column and the codes it can hold before generalisation."""

    def possible(column: Column) -> list[str]:
        return [*FIXED_VALUES.get(column.name, {}), *catalog_labels.get(column.name, {}), "khác", "*"]

    return {
        "columns": [
            {
                "name": column.name,
                "type": column.type,
                "label_vi": column.label_vi,
                "label_en": column.label_en,
                "values": value_labels(
                    column,
                    possible(column) if column.role == "quasi_identifier" and column.name != "month" else [],
                    catalog_labels,
                ),
                "role": column.role,
            }
            for column in columns
        ],
        "definitions": DEFINITIONS,
    }


def _levels_table(codebook: Mapping[str, Any]) -> list[str]:
    total = max(codebook["rows_total"], 1)
    lines = ["| column | published as (share of rows kept) | share of all rows at each level |", "| --- | --- | --- |"]
    for name, text in codebook["generalisation"].items():
        levels = codebook["levels"].get(name, {})
        shares = ", ".join(f"{level} {100 * rows / total:.1f} %" for level, rows in levels.items() if rows)
        lines.append(f"| {name} | {cell_text(text)} | {cell_text(shares)} |")
    return lines


def _facts_lines(codebook: Mapping[str, Any]) -> list[str]:
    total = codebook["rows_total"]
    dropped = codebook["rows_dropped"]
    share = 100 * dropped / total if total else 0.0
    period = codebook["period"]
    lines = [
        f"- Format: {codebook['format']}; created {codebook['created_at']}; SHA-256 `{codebook['sha256']}`",
        f"- Period: {long_date(date.fromisoformat(period['from']))} to {long_date(date.fromisoformat(period['to']))} "
        f"(months {period['first_month']} to {period['last_month']}, Vietnam time)",
        f"- Rows: {codebook['rows_written']:,} written of {total:,} responses; "
        f"{dropped:,} dropped ({share:.1f} %) so that every group reaches k",
        f"- k = {codebook['k']}: every combination of the quasi-identifiers "
        f"({', '.join(codebook['quasi_identifiers'])}) occurs in at least {codebook['k']} rows "
        f"({codebook['groups']:,} groups, the smallest has {codebook['smallest_group']:,})",
        f"- Information loss: {codebook['information_loss']:.3f} ({codebook['information_loss_meaning']})",
    ]
    if codebook["l_diversity"]:
        lines.append(f"- l = {codebook['l_diversity']}: every group holds at least that many distinct ratings")
    comment = "redacted (personal data replaced by placeholders such as [SĐT], [CCCD], [EMAIL])"
    lines.append(f"- Comments: {comment if codebook['text'] == 'redacted' else 'left out'}")
    lines += [
        "",
        "## How to cite",
        "",
        codebook["citation"],
        "",
        "## Generalisation applied",
        "",
        codebook["mixed_levels"],
        "",
        *_levels_table(codebook),
    ]
    return lines


def codebook_markdown(codebook: Mapping[str, Any]) -> str:
    """The same codebook for people: what the file holds, how it was protected, every column and code."""
    exported = "rows_total" in codebook
    lines = [
        f"# Codebook: {codebook['file']}" if exported else "# Codebook: anonymised survey microdata",
        "",
        "Dữ liệu khảo sát mức độ hài lòng đã khử định danh / De-identified citizen satisfaction microdata.",
        "",
    ]
    if exported:
        lines += _facts_lines(codebook)
    else:
        lines.append(
            "- This describes every column. Each download carries its own codebook with the generalisation "
            "actually applied, k and the rows dropped."
        )
    lines += [
        "",
        "Rows are in random order; `row_id` is random and means nothing outside this file. Not in the file, by "
        "design: internal ids, times finer than a month, invitations, dossier codes, submission keys, call-back "
        "contact details.",
        "",
        *definitions_section(codebook),
        "## Columns",
        "",
        "| column | type | role | meaning | ý nghĩa |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| {c['name']} | {c['type']} | {c['role']} | {cell_text(c['label_en'])} | {cell_text(c['label_vi'])} |"
            for c in codebook["columns"]
        ),
    ]
    for column in codebook["columns"]:
        if column["values"]:
            lines += ["", f"### {column['name']}", "", "| code | label |", "| --- | --- |"]
            lines += [f"| `{cell_text(code)}` | {cell_text(label)} |" for code, label in column["values"].items()]
    return "\n".join(lines) + "\n"
