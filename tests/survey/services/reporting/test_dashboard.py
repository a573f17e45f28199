"""The dashboard's numbers equal numbers recomputed from the raw responses, statuses follow the interval, and
pages are accessible (SVG charts with title/desc and a table beside them)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from sqlalchemy import case, func, select

from analysis.satisfaction import monthly_trend, sipas_from_counts, summarise_counts, tt01_indicator_score
from survey.models import Office, Procedure, Response
from survey.services.reporting.dashboard import office_comparison, overview, procedure_ranking
from survey.services.reporting.detail import detail, tt01_score_from_counts
from survey.services.reporting.query import ReportFilter
from survey.services.reporting.summary import Settings
from survey.services.reporting.targets import set_target
from tests.factories import make_responses, make_user
from tests.pages import sign_in
from tests.survey.datasets.dashboard import office, procedure, standard_data

SATISFIED = func.sum(case((Response.rating >= 4, 1), else_=0))


def raw_groups(session, column, *conditions):
    statement = select(column, func.count(), SATISFIED).join(Office).join(Procedure).group_by(column)
    return {key: (n, int(s)) for key, n, s in session.execute(statement.where(*conditions))}


def test_overview_ranking_and_offices_equal_the_raw_responses(session, backend):
    standard_data()
    settings = Settings()
    everything = ReportFilter()
    data = overview(session, None, everything, settings)
    n, satisfied = session.execute(select(func.count(), SATISFIED).select_from(Response)).one()
    assert (data.summary["n"], data.summary["satisfied"]) == (n, satisfied) == (153, 129)
    assert data.summary == summarise_counts(n, int(satisfied), target=0.9)
    months = raw_groups(session, Response.month)
    assert data.trend == monthly_trend([(m, *counts) for m, counts in months.items()], target=0.9)
    ranking = procedure_ranking(session, None, everything, settings)
    assert {g.code: (g.summary["n"], g.summary["satisfied"]) for g in ranking} == raw_groups(session, Procedure.code)
    offices = office_comparison(session, None, everything, settings)
    assert {g.code: (g.summary["n"], g.summary["satisfied"]) for g in offices} == raw_groups(session, Office.code)
    verified = procedure_ranking(session, None, ReportFilter(verified_only=True), settings)
    raw_verified = raw_groups(session, Procedure.code, Response.verified.is_(True))
    assert {g.code: (g.summary["n"], g.summary["satisfied"]) for g in verified} == raw_verified
    march_kiosk = overview(session, None, ReportFilter(month_from="2025-03", channel="kiosk"), settings)
    assert march_kiosk.summary["n"] == 20 and march_kiosk.summary["satisfied"] == 20


def test_offices_are_ranked_by_status_then_gap_and_differences_are_tested(session):
    standard_data()
    offices = office_comparison(session, None, ReportFilter(), Settings())
    assert [(g.code, g.summary["status"]) for g in offices] == [
        ("79.02", "not_met"),  # 30/50: the whole interval is below 90 %
        ("79.01", "cant_tell"),  # 40/43: the interval straddles 90 %
        ("01.01", "met"),  # 59/60: the interval's low end is above 90 %
    ]
    assert offices[0].rest_significant and offices[0].rest_difference < 0
    assert not offices[1].rest_significant


def test_targets_set_per_procedure_and_office_are_used(session):
    standard_data()
    set_target(session, target=0.4, office_id=office(session, "79.02").id)
    offices = {g.code: g for g in office_comparison(session, None, ReportFilter(), Settings())}
    assert offices["79.02"].target == 0.4 and offices["79.02"].summary["status"] == "met"
    set_target(session, target=0.8, procedure_id=procedure(session, "1.001193").id)
    ranking = {g.code: g for g in procedure_ranking(session, None, ReportFilter(), Settings(default_target=0.7))}
    assert ranking["1.001193"].target == 0.8 and ranking["2.000815"].target == 0.7


def test_detail_counts_sipas_tt01_channels_and_extra_payment_from_rollups(session, backend):
    standard_data()
    where = ReportFilter(office_id=office(session, "79.01").id)
    facts = detail(session, None, where, Settings(), office_id=office(session, "79.01").id)
    rows = session.execute(select(Response).where(Response.office_id == office(session, "79.01").id)).scalars().all()
    elements = {
        name: (
            sum(1 for r in rows if getattr(r, f"element_{name}") is not None),
            sum(1 for r in rows if (getattr(r, f"element_{name}") or 0) >= 4),
        )
        for name in ("access", "procedure", "staff", "result", "feedback")
    }
    assert facts.sipas == sipas_from_counts(elements)
    assert facts.sipas["overall"]["share"] == 0.8  # four elements all satisfied, "result" (3) none
    assert facts.tt01[3]["score"] == tt01_indicator_score([r.returns for r in rows], {0: 2, 1: 1, 2: 0})[0] == 2.0
    assert facts.tt01[7]["score"] == 2.0 and facts.tt01[7]["n"] == 40
    assert facts.tt01[1]["points_basis"] == "working_convention" and facts.tt01[3]["points_basis"] == "verified"
    assert facts.tt01_band is None  # the office's own five indicators are not imported
    assert {channel: s["n"] for channel, s in facts.channels} == {"qr": 23, "kiosk": 20}
    assert [(s.code, s.count) for s in facts.extra_payment] == [("yes", 0), ("no", 40), ("prefer_not", 0)]
    assert facts.qd766 is None  # no dossier totals: neither invitations nor imported figures


def test_tt01_score_from_counts_equals_the_per_dossier_formula():
    points = {"early": 2, "on_time": 1, "late": 0}
    for counts in ({"early": 3, "on_time": 1}, {"late": 7, "early": 1, "on_time": 2}, {"on_time": 1, "early": 1}):
        answers = [answer for answer, count in counts.items() for _ in range(count)]
        assert tt01_score_from_counts(counts, points) == tt01_indicator_score(answers, points)


class _Svg(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.svgs: list[dict[str, str]] = []
        self.inside: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.svgs.append({"role": dict(attrs).get("role", ""), "title": "", "desc": ""})
        if self.svgs and tag in ("title", "desc"):
            self.inside.append(tag)

    def handle_endtag(self, tag):
        if self.inside and tag == self.inside[-1]:
            self.inside.pop()

    def handle_data(self, data):
        if self.inside and self.svgs and not self.svgs[-1][self.inside[-1]]:
            self.svgs[-1][self.inside[-1]] = data.strip()


def test_pages_render_accessible_charts_with_tables_in_vietnamese(client, client_request, session):
    standard_data()
    sign_in(client, make_user(role="admin"))
    for url in ("/dashboard/", "/dashboard/procedures", "/dashboard/offices", "/dashboard/offices/79.01"):
        client_request.get(url)
        html = client_request.response.get_data(as_text=True)
        parser = _Svg()
        parser.feed(html)
        assert parser.svgs, url
        for svg in parser.svgs:
            assert svg["role"] == "img" and svg["title"] and len(svg["desc"]) > 40, (url, svg)
        assert "<table" in html and "<script" not in html and ' style="' not in html
        assert "Chưa thể kết luận" in html or "Chưa đạt mục tiêu" in html or "Đạt mục tiêu" in html, url


def test_overview_explains_the_status_and_marks_only_significant_changes(client, session):
    standard_data()
    make_responses(office="01.01", month="2025-04", ratings=[5] * 10 + [1] * 50)
    sign_in(client, make_user(role="admin"))
    html = client.get("/dashboard/?lang=en").get_data(as_text=True)
    assert "129 of 153" not in html and "139 of 213 responses" in html
    assert "Can't tell yet" in html or "Below the target" in html
    assert "What the interval means" in html
    # 2025-03: 128/133 → 2025-04: 10/60 is a significant fall; 2025-02 → 2025-03 (18/20 → ...) is not marked up
    assert html.count('class="row-down"') == 1 and 'class="row-up"' not in html
    assert "chart-dot change-down" in html


def test_invalid_filters_get_a_clear_message_not_an_error(client, session):
    standard_data()
    sign_in(client, make_user(role="admin"))
    cases = {
        "month_from=2025-13": "Write the month as year-month",
        "month_from=2025-05&month_to=2025-01": "The end month is before the start month",
        "procedure=9.999999": "Choose a procedure from the list",
        "channel=fax": "Choose a channel from the list",
        "office=%27%3B--": "Choose one of your offices from the list",
        "province=99": "Choose a province from the list",
    }
    for query, message in cases.items():
        response = client.get(f"/dashboard/procedures?lang=en&{query}")
        assert response.status_code == 400, query
        assert message in response.get_data(as_text=True), query
    assert client.get("/dashboard/procedures/9.999999").status_code == 404
    assert client.get("/dashboard/download/nothing.csv").status_code == 404
    assert client.get("/dashboard/download/procedures.pdf").status_code == 404


def test_filters_are_bookmarkable_and_kept_in_links(client, session):
    standard_data()
    sign_in(client, make_user(role="admin"))
    html = client.get("/dashboard/procedures?month_from=2025-03&channel=qr&verified=y").get_data(as_text=True)
    assert re.search(r'href="/dashboard/offices\?[^"]*month_from=2025-03', html)
    assert "/dashboard/download/procedures.csv?month_from=2025-03&amp;channel=qr&amp;verified=y" in html
    assert "/dashboard/procedures/1.001193?month_from=2025-03" in html
