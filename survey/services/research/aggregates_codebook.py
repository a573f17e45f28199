"""The codebook of an aggregate table, in the style of the microdata's: JSON for programs, Markdown for people."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from survey.services.research.codebook import (
    DEFINITIONS,
    cell_text,
    citation,
    definitions_section,
    long_date,
    month_label,
    period_of,
)
from survey.services.research.columns import FIXED_VALUES
from survey.services.research.suppression import TOTAL

if TYPE_CHECKING:
    from survey.services.research.aggregates import Table

TABLE_TITLE = (
    "Khảo sát mức độ hài lòng của người dân với thủ tục hành chính: bảng tổng hợp "
    "(Citizen satisfaction with administrative procedures: aggregate tables)"
)

BY_LABELS = {
    "procedure": ("Thủ tục hành chính (mã)", "Administrative procedure (code)"),
    "office": ("Cơ quan giải quyết (mã)", "Office (code)"),
    "province": ("Tỉnh, thành phố (mã)", "Province (code)"),
    "month": ("Tháng (YYYY-MM, giờ Việt Nam)", "Month (YYYY-MM, Vietnam time)"),
    "quarter": ("Quý (YYYY-Qn)", "Quarter (YYYY-Qn)"),
    "channel": ("Kênh trả lời khảo sát", "How the response arrived"),
}
FIGURES = (
    ("n", "integer", "Số trả lời có mức đánh giá", "Responses with a rating (answered)"),
    ("satisfied", "integer", "Số trả lời hài lòng (mức 4–5)", "Satisfied responses (rating 4 or 5)"),
    ("share", "number", "Tỉ lệ hài lòng = satisfied / n", "Share satisfied = satisfied / n (0–1)"),
    ("ci_low", "number", "Cận dưới khoảng tin cậy Wilson 95 %", "Lower bound of the 95 % Wilson interval"),
    ("ci_high", "number", "Cận trên khoảng tin cậy Wilson 95 %", "Upper bound of the 95 % Wilson interval"),
    ("suppressed", "boolean", "Ô bị ẩn: ít hơn min-n trả lời, hoặc ẩn thêm để không suy ra được từ tổng",
     "Hidden: under min-n responses, or hidden too so that no hidden cell follows from the totals"),
)  # fmt: skip


def _values(name: str, codes: list[str], labels: Mapping[str, str]) -> dict[str, str]:
    values = {}
    for code in codes:
        if name in ("month", "quarter"):
            values[code] = month_label(code)
        else:
            values[code] = {**FIXED_VALUES.get(name, {}), **labels}.get(code, code)
    values[TOTAL] = "Tổng của mọi giá trị (total over all values)"
    return values


def table_codebook(table: Table, *, file_name: str, file_format: str, sha256: str, created_at: str,
                   month_from: str | None, month_to: str | None) -> dict[str, Any]:  # fmt: skip
    period = period_of(table.first_month, table.last_month, month_from, month_to)
    columns = []
    for position, name in enumerate(table.by):
        codes = sorted({row.keys[position] for row in table.cells})
        vi, en = BY_LABELS[name]
        columns.append(
            {
                "name": name,
                "type": "string",
                "label_vi": vi,
                "label_en": en,
                "values": _values(name, codes, table.labels.get(name, {})),
                "role": "quasi_identifier",
            }
        )
    for name, kind, vi, en in FIGURES:
        values = {"true": "Ẩn (hidden)", "false": "Công bố (published)"} if name == "suppressed" else {}
        columns.append(
            {
                "name": name,
                "type": kind,
                "label_vi": vi,
                "label_en": en,
                "values": values,
                "role": "sensitive" if name in ("satisfied", "share") else "other",
            }
        )
    return {
        "columns": columns,
        "file": file_name,
        "format": file_format,
        "sha256": sha256,
        "created_at": created_at,
        "by": list(table.by),
        "min_n": table.min_n,
        "period": period,
        "source": "rollups: counts kept in step with every stored response (the dashboards' figures)",
        "cells": len(table.cells),
        "totals": len(table.totals),
        "suppressed": table.suppressed_primary + table.suppressed_complementary,
        "suppression": (
            f"Entries with 1 to {table.min_n - 1} responses are hidden; so are the next smallest entries of any "
            "row or column that would otherwise have exactly one hidden entry, and any further entries needed so "
            "that no hidden entry can be worked out from the published totals. Hidden entries have empty figures."
        ),
        "citation": citation(TABLE_TITLE, period, created_at, file_name, sha256),
        "definitions": DEFINITIONS,
    }


def table_codebook_markdown(codebook: Mapping[str, Any]) -> str:
    period = codebook["period"]
    lines = [
        f"# Codebook: {codebook['file']}",
        "",
        "Bảng tổng hợp mức độ hài lòng / Aggregate citizen satisfaction tables.",
        "",
        f"- Format: {codebook['format']}; created {codebook['created_at']}; SHA-256 `{codebook['sha256']}`",
        f"- Period: {long_date(date.fromisoformat(period['from']))} to {long_date(date.fromisoformat(period['to']))} "
        f"(months {period['first_month']} to {period['last_month']}, Vietnam time)",
        f"- By: {', '.join(codebook['by'])}; {codebook['cells']:,} cells and {codebook['totals']:,} totals "
        f"(rows whose code is `total`)",
        f"- Minimum n = {codebook['min_n']}; {codebook['suppressed']:,} entries hidden. {codebook['suppression']}",
        f"- Source: {codebook['source']}",
        "",
        "## How to cite",
        "",
        codebook["citation"],
        "",
        *definitions_section(codebook),
        "## Columns",
        "",
        "| column | type | meaning | ý nghĩa |",
        "| --- | --- | --- | --- |",
        *(f"| {c['name']} | {c['type']} | {cell_text(c['label_en'])} | {cell_text(c['label_vi'])} |"
          for c in codebook["columns"]),
    ]  # fmt: skip
    for column in codebook["columns"]:
        if column["values"]:
            lines += ["", f"### {column['name']}", "", "| code | label |", "| --- | --- |"]
            lines += [f"| `{cell_text(code)}` | {cell_text(label)} |" for code, label in column["values"].items()]
    return "\n".join(lines) + "\n"
