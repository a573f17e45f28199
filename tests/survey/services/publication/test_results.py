"""The public figures: hand counts over an office and the offices under it, small groups suppressed, the same
shares, intervals and statuses as the dashboard's reporting core, and CSV cells that a spreadsheet cannot run."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from analysis.periods import shift_month
from analysis.satisfaction import wilson_interval
from survey.services.publication.offices import find_office, list_offices, name_matches
from survey.services.publication.period import public_period
from survey.services.publication.results import office_results, public_figure
from survey.services.publication.table import results_rows
from survey.services.reporting.summary import Settings, group_figures
from survey.services.reporting.targets import set_target
from tests.survey.datasets.dashboard import office, procedure
from tests.survey.datasets.results import results_data

SETTINGS = Settings(default_target=0.9, min_n=30)


def test_an_office_counts_its_own_answers_and_those_of_the_offices_under_it(session):
    period = results_data()
    province = office_results(session, find_office(session, "79.00"), period, SETTINGS)
    by_code = {result.code: result for result in province.procedures}
    assert (by_code["1.001193"].figure.n, by_code["1.001193"].figure.share) == (72, 63 / 72)
    assert province.overall.n == 101 and province.overall.share == pytest.approx(92 / 101)
    assert [result.code for result in province.procedures] == ["1.001193", "2.000815"]  # most answered first

    ward = office_results(session, find_office(session, "79.01"), period, SETTINGS)
    birth = {result.code: result for result in ward.procedures}["1.001193"]
    assert (birth.figure.n, birth.figure.share) == (32, 27 / 32)  # the 50 answers of 13 months ago are outside
    assert (birth.figure.ci_low, birth.figure.ci_high) == wilson_interval(27, 32)
    assert birth.figure.status == "cant_tell"  # 95 % interval 68.2–93.1 % holds the 90 % target
    months = {month.month: month.figure for month in birth.trend}
    assert len(months) == 12 and months[period.month_to].n == 12 and months[period.month_to].suppressed


def test_fewer_than_thirty_answers_publish_no_share_whatever_the_minimum_setting():
    for settings in (SETTINGS, Settings(default_target=0.9, min_n=5)):
        hidden = public_figure(29, 29, target=0.9, settings=settings)
        assert (hidden.share, hidden.ci_low, hidden.ci_high, hidden.status) == (None, None, None, "too_few")
        assert hidden.n == 29 and hidden.suppressed
        shown = public_figure(30, 29, target=0.9, settings=settings)
        assert shown.share == 29 / 30 and not shown.suppressed
    stricter = public_figure(40, 40, target=0.9, settings=Settings(default_target=0.9, min_n=50))
    assert stricter.suppressed  # a deployment that asks for more answers before judging publishes later too


def test_published_figures_are_the_dashboards_for_the_same_office_and_months(session, backend):
    period = results_data()
    set_target(
        session, target=0.75, procedure_id=procedure(session, "1.001193").id, office_id=office(session, "79.00").id
    )
    for code in ("79.00", "79.01", "79.02"):
        where = period.report_filter(office_id=office(session, code).id)
        dashboard = {f.code: f for f in group_figures(session, None, where, group_by="procedure", settings=SETTINGS)}
        public = {
            p.code: p.figure for p in office_results(session, find_office(session, code), period, SETTINGS).procedures
        }
        assert set(public) == set(dashboard)
        for key, figure in dashboard.items():
            published = public[key]
            assert (published.n, published.target) == (figure.summary["n"], figure.target)
            summary = figure.summary
            if summary["n"] >= 30:
                assert (published.share, published.ci_low, published.ci_high, published.status) == (
                    summary["share"], summary["ci_low"], summary["ci_high"], summary["status"]
                )  # fmt: skip
            else:
                assert published.share is None
    province = {
        p.code: p.figure for p in office_results(session, find_office(session, "79.00"), period, SETTINGS).procedures
    }
    assert province["1.001193"].target == 0.75 and province["1.001193"].status == "met"  # 87.5 %, 95 % CI 77.9–93.3 %


def test_the_table_has_a_total_row_and_a_row_per_procedure_with_the_same_suppression(session):
    period = results_data()
    rows = results_rows(session, [find_office(session, "79.01")], period, SETTINGS)
    assert [(row["procedure_code"], row["n"]) for row in rows] == [("", 61), ("1.001193", 32), ("2.000815", 29)]
    total, birth, copies = rows
    assert total["share"] == 56 / 61 and total["parent_code"] == "79.00"
    assert birth["share"] == 27 / 32 and birth["status"] == "cant_tell"
    assert (copies["share"], copies["ci_low"], copies["ci_high"], copies["status"]) == (None, None, None, "too_few")
    assert (birth["month_from"], birth["month_to"]) == (period.month_from, period.month_to)


@pytest.mark.parametrize(
    ("query", "found"),
    [("hoan kiem", True), ("HOAN KIEM", True), ("Hoàn Kiếm", True), ("hoàn kiem", True), ("kiem", True),
     ("phuong hoan", True), ("hoan kiem ba", False), ("oan", False), ("", False), ("01.0", True), ("79", False)],
)  # fmt: skip
def test_an_office_is_found_by_its_name_without_tone_marks(query, found):
    assert name_matches(query, "Trung tâm Phục vụ hành chính công phường Hoàn Kiếm", "01.01") is found


def test_the_list_shows_the_top_offices_or_those_under_one_or_a_search(session):
    results_data()
    top = list_offices(session)
    assert [o.code for o in top.offices][:3] == ["01.00", "48.00", "79.00"] and all(
        o.parent_id is None for o in top.offices
    )
    under = list_offices(session, under=find_office(session, "79.00"))
    assert [o.code for o in under.offices] == ["79.01", "79.02", "79.03", "79.04", "79.05"]
    assert [o.code for o in list_offices(session, query="sai gon").offices] == ["79.02"]
    assert list_offices(session, query="đà nẵng").total == 1


def test_the_period_is_the_last_twelve_months_this_one_included():
    period = public_period(datetime(2026, 3, 31, 18, tzinfo=UTC))  # 1 April, 01:00 in Việt Nam
    assert (period.month_from, period.month_to) == ("2025-05", "2026-04")
    assert len(period.months) == 12 and period.months[0] == shift_month("2026-04", -11)
