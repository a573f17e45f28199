"""The codebook of a research export: machine-readable JSON (DESIGN.md §5) and a Markdown version for people.

Both describe the file actually written: its columns, the codes present with their labels, the
generalisation applied, k, how many rows were dropped, and how the statistics are defined.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from survey.services.research.columns import FIXED_VALUES, GENERALISED_LABELS, Column

DEFINITIONS = {
    "satisfied": "Hài lòng = mức 4 (Hài lòng) hoặc 5 (Rất hài lòng) trên thang 1–5. Satisfied = rating 4 or 5 of 5.",
    "share": "Tỉ lệ hài lòng = số trả lời hài lòng / số trả lời có mức đánh giá. "
    "Share satisfied = satisfied / answered; report it with n and a 95 % Wilson interval.",
    "target": "Mục tiêu quốc gia: 90 % hài lòng. National target: 90 % satisfied.",
    "verified": "verified = trả lời qua đường dẫn dùng một lần gắn với một hồ sơ; còn lại là đường dẫn công khai "
    "(áp phích QR) hoặc nhập phiếu. verified = answered through a one-time link for one dossier.",
    "missing": "Ô trống (CSV) hoặc null (Parquet) = không trả lời. Empty (CSV) or null (Parquet) = not answered.",
}

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
    omitted: tuple[str, ...]
    rows_total: int
    rows_written: int
    rows_dropped: int
    groups: int
    smallest_group: int
    generalisation: dict[str, str]
    information_loss: float


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
        "period": {"from": facts.month_from, "to": facts.month_to},
        "omitted": list(facts.omitted),
        "rows_total": facts.rows_total,
        "rows_written": facts.rows_written,
        "rows_dropped": facts.rows_dropped,
        "groups": facts.groups,
        "smallest_group": facts.smallest_group,
        "generalisation": facts.generalisation,
        "information_loss": round(facts.information_loss, 4),
        "definitions": DEFINITIONS,
    }


def _cell(text: object) -> str:
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


def _facts_lines(codebook: Mapping[str, Any]) -> list[str]:
    total = codebook["rows_total"]
    dropped = codebook["rows_dropped"]
    share = 100 * dropped / total if total else 0.0
    period = codebook["period"]
    lines = [
        f"- Format: {codebook['format']}; created {codebook['created_at']}; SHA-256 `{codebook['sha256']}`",
        f"- Period: {period['from'] or 'first month'} to {period['to'] or 'last month'}",
        f"- Rows: {codebook['rows_written']:,} written of {total:,} responses; "
        f"{dropped:,} dropped ({share:.1f} %) so that every group reaches k",
        f"- k = {codebook['k']}: every combination of the quasi-identifier columns occurs in at least "
        f"{codebook['k']} rows ({codebook['groups']:,} groups, the smallest has {codebook['smallest_group']:,})",
    ]
    if codebook["l_diversity"]:
        lines.append(f"- l = {codebook['l_diversity']}: every group holds at least that many distinct ratings")
    comment = "redacted (personal data replaced by placeholders such as [SĐT], [CCCD], [EMAIL])"
    lines.append(f"- Comments: {comment if codebook['text'] == 'redacted' else 'left out'}")
    if codebook["omitted"]:
        lines.append(f"- Left out at the researcher's request: {', '.join(codebook['omitted'])}")
    lines += [
        "",
        "## Generalisation applied",
        "",
        "| column | published as |",
        "| --- | --- |",
        *(f"| {name} | {_cell(level)} |" for name, level in codebook["generalisation"].items()),
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
        "## Definitions",
        "",
        *(f"- **{name}**: {text}" for name, text in codebook["definitions"].items()),
        "",
        "## Columns",
        "",
        "| column | type | role | meaning | ý nghĩa |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| {c['name']} | {c['type']} | {c['role']} | {_cell(c['label_en'])} | {_cell(c['label_vi'])} |"
            for c in codebook["columns"]
        ),
    ]
    for column in codebook["columns"]:
        if column["values"]:
            lines += ["", f"### {column['name']}", "", "| code | label |", "| --- | --- |"]
            lines += [f"| `{_cell(code)}` | {_cell(label)} |" for code, label in column["values"].items()]
    return "\n".join(lines) + "\n"
