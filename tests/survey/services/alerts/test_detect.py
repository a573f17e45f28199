"""Alerts are raised once per change: below target, or significantly lower than the months before; they close when
the change is over, and a new change raises a new alert. Their figures are the dashboard's."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.models_alerts import Alert, AlertRun
from survey.services.alerts.detect import Window, judge, open_alerts, run_alerts
from survey.services.reporting.query import ReportFilter
from survey.services.reporting.summary import Settings, group_figures
from tests.factories import make_responses
from tests.survey.datasets.alerts import alerts_data
from tests.survey.datasets.dashboard import office, procedure

SETTINGS = Settings(default_target=0.9, min_n=30)


def changes(session) -> list[tuple[str, str, str, bool]]:
    """(office, procedure, kind, open) of every stored alert, in code order."""
    return sorted(
        (alert.office.code, alert.procedure.code, alert.kind, alert.closed_at is None)
        for alert in session.scalars(select(Alert))
    )


def run(session, month: str):
    return run_alerts(session, settings=SETTINGS, window=Window.ending(month, 3))


def test_the_window_is_the_last_months_and_as_many_before_them():
    window = Window.ending("2025-06", 3)
    assert (window.month_from, window.month_to, window.baseline_from, window.baseline_to) == (
        "2025-04", "2025-06", "2025-01", "2025-03"
    )  # fmt: skip
    assert Window.ending("2025-01", 1) == Window("2025-01", "2025-01", "2024-12", "2024-12")
    with pytest.raises(ValueError):
        Window.ending("2025-13", 3)


def test_each_change_is_raised_once(session, backend):
    alerts_data()
    first = run(session, "2025-06")
    assert sorted((f.office_id, f.kind) for f in first.raised) == sorted(
        [
            (office(session, "79.01").id, "fell"),
            (office(session, "79.01").id, "not_met"),
            (office(session, "01.01").id, "not_met"),
        ]
    )
    fell = next(f for f in first.raised if f.kind == "fell")
    assert (fell.n, fell.satisfied, fell.baseline_n, fell.baseline_satisfied) == (40, 20, 40, 38)
    assert fell.p_value is not None and fell.p_value < 0.001
    second = run(session, "2025-06")
    assert second.raised == [] and second.closed == 0
    assert len(changes(session)) == 3
    assert session.scalar(select(func.count()).select_from(AlertRun)) == 2


def test_a_change_that_is_over_closes_and_a_new_one_raises_a_new_alert(session):
    alerts_data()
    run(session, "2025-06")
    make_responses(office="79.01", month="2025-08", ratings=[5] * 40)  # July–September: 40 of 40
    recovered = run(session, "2025-09")
    assert recovered.raised == [] and recovered.closed == 2  # 79.01 met again, and no longer lower than before
    # 01.01 has no answers since June: too few to say it recovered, so its alert stays open.
    assert changes(session) == [
        ("01.01", "1.001193", "not_met", True),
        ("79.01", "1.001193", "fell", False),
        ("79.01", "1.001193", "not_met", False),
    ]
    make_responses(office="79.01", month="2025-11", ratings=[5] * 10 + [1] * 30)  # October–December: 10 of 40
    again = run(session, "2025-12")
    assert sorted(f.kind for f in again.raised) == ["fell", "not_met"]
    assert len(changes(session)) == 5
    assert [c for c in changes(session) if c[3]] == [
        ("01.01", "1.001193", "not_met", True),
        ("79.01", "1.001193", "fell", True),
        ("79.01", "1.001193", "not_met", True),
    ]


def test_an_alert_shows_the_dashboards_figures_for_that_office_procedure_and_months(session):
    alerts_data()
    run(session, "2025-06")
    alert = session.scalars(
        select(Alert).where(Alert.kind == "not_met", Alert.office_id == office(session, "79.01").id)
    ).one()
    where = ReportFilter(month_from="2025-04", month_to="2025-06", office_id=office(session, "79.01").id)
    figure = {f.code: f for f in group_figures(session, None, where, group_by="procedure", settings=SETTINGS)}[
        "1.001193"
    ]
    summary = figure.summary
    assert (alert.n, alert.share, alert.ci_low, alert.ci_high, alert.target) == (
        summary["n"], summary["share"], summary["ci_low"], summary["ci_high"], figure.target
    )  # fmt: skip
    assert summary["status"] == "not_met" and alert.procedure_id == procedure(session, "1.001193").id


def test_a_dry_run_stores_nothing(session):
    alerts_data()
    result = run_alerts(session, settings=SETTINGS, window=Window.ending("2025-06", 3), dry_run=True)
    assert len(result.raised) == 3 and result.run_id is None
    assert changes(session) == [] and session.scalar(select(func.count()).select_from(AlertRun)) == 0


def test_open_alerts_are_read_within_a_scope(session):
    alerts_data()
    run(session, "2025-06")
    ward, total = open_alerts(session, {office(session, "79.01").id})
    assert total == 2 and {a.office.code for a in ward} == {"79.01"}
    everything, total = open_alerts(session, None, limit=1)
    assert total == 3 and len(everything) == 1


@pytest.mark.parametrize(
    ("recent", "baseline", "found", "over"),
    [
        ((20, 40), (38, 40), {"not_met", "fell"}, set()),
        ((39, 40), (38, 40), set(), {"not_met", "fell"}),  # met, not lower
        ((36, 40), (39, 40), set(), {"not_met", "fell"}),  # 90 % vs 97.5 %: can't tell, and p = 0.17: no fall
        ((10, 20), (38, 40), set(), set()),  # too few answers now: nothing found, nothing over
        ((10, 40), (0, 0), {"not_met"}, set()),  # nothing before: below target, no fall can be judged
    ],
)
def test_judging_one_pair(recent, baseline, found, over):
    (satisfied, n), (base_satisfied, base_n) = recent, baseline
    kinds, ended = judge((n, satisfied), (base_n, base_satisfied), 0.9, 30)
    assert set(kinds) == found and ended == over
