"""A response held back by the spam rules is counted nowhere: not in figures, theme runs or research exports."""

from __future__ import annotations

import csv

from survey.services.reporting.query import ReportFilter
from survey.services.reporting.summary import Settings, satisfaction_summary
from survey.services.research.export import ExportOptions, export_anonymised
from survey.services.responses.rollups import rebuild_rollups
from survey.services.themes.runs import RunScope, RunSettings, run_themes
from tests.factories import load_catalog, make_responses

HELD = {"flagged": True, "verified": False, "spam_reason": "identical_burst,address_burst", "spam_score": 100}


def seed() -> None:
    load_catalog()
    make_responses(ratings=[2] * 6 + [5] * 6, comment="Chờ lâu, phải đi lại nhiều lần", month="2025-03")
    make_responses(ratings=[1] * 9, comment="Quảng cáo: mua thuốc giá rẻ tại cheap-pills.example", month="2025-03",
                   **HELD)  # fmt: skip


def test_held_responses_are_in_no_figure_even_after_a_recount(session, backend):
    seed()
    rows = satisfaction_summary(session, None, ReportFilter(), group_by="office", settings=Settings(min_n=1))
    assert [(row["office"], row["n"], row["satisfied"]) for row in rows] == [("79.01", 12, 6)]
    rebuild_rollups(session)
    rows = satisfaction_summary(session, None, ReportFilter(), group_by="office", settings=Settings(min_n=1))
    assert [(row["office"], row["n"], row["satisfied"]) for row in rows] == [("79.01", 12, 6)]


def test_held_responses_stay_out_of_theme_runs(session):
    seed()
    outcome = run_themes(session, RunScope("2025-03", "2025-03"), RunSettings(min_comments=1000))
    assert (outcome.dissatisfied, outcome.comments) == (6, 6)  # the nine held complaints are not there


def test_held_responses_stay_out_of_research_exports(session, tmp_path):
    seed()
    out = tmp_path / "x.csv"
    export_anonymised(session, out, ExportOptions(k=5), actor="test")
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 12
    assert not any("cheap-pills" in row["comment"] for row in rows)
