"""The officials' dashboard: overview, procedures ranked against the target, offices compared, one procedure or
office in detail, and every table as CSV or XLSX. Each view reads the caller's office scope first and hands it
to the services, which apply it in the query: a filter can narrow what an official sees, never widen it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _

from analysis.satisfaction import MonthSummary
from survey import codes
from survey.auth.guards import login_required, may_use_area
from survey.auth.identity import current_user
from survey.codes import THEME_LABELS, YES_NO_LABELS
from survey.dashboard import tables
from survey.dashboard.about import about_lines
from survey.dashboard.charts import Chart, Point, ranking_chart, stacked_ranking_chart, trend_chart
from survey.dashboard.forms import FilterForm
from survey.dashboard.funnel import funnel_chart, funnel_rows
from survey.dashboard.local_tables import LOCAL_TABLES, choice_table, local_tables, scale_table
from survey.extensions import db
from survey.formatting import number, percent_beside
from survey.models import User
from survey.services.accounts.scoping import user_office_scope
from survey.services.alerts.detect import open_alerts
from survey.services.reporting import dashboard as service
from survey.services.reporting.comparison import REFERENCES, compare_by_procedure_mix
from survey.services.reporting.coverage import COVERAGE_GROUPS, coverage
from survey.services.reporting.detail import detail, office_band
from survey.services.reporting.downloads import FORMATS, for_publication, record_download, render
from survey.services.reporting.local_figures import local_figures
from survey.services.reporting.query import FilterOptions, ReportFilter, Scope, filter_options
from survey.services.reporting.summary import Settings
from survey.services.reporting.trend_breaks import TrendBreak
from survey.services.reporting.watch import watch_list

dashboard = Blueprint("dashboard", __name__, url_prefix="/dashboard")

RANKING_CHART_ROWS = 25
WATCH_ROWS = 20  # the overview shows the watch list's first rows; the download has them all


@dataclass(frozen=True)
class PageState:
    """Who is asking, what they may see, and the checked filters (None when a filter value is invalid)."""

    user: User
    scope: Scope
    options: FilterOptions
    form: FilterForm
    where: ReportFilter | None
    settings: Settings

    @property
    def home_office_id(self) -> int | None:
        return self.user.office_id if self.scope is not None else None


def _state() -> PageState:
    user = current_user()
    assert user is not None  # login_required ran first
    scope = user_office_scope(db.session(), user)
    options = filter_options(db.session(), scope)
    form = FilterForm(formdata=request.args)
    form.fill_choices(options)
    where = form.to_filter(options) if form.validate() else None
    settings = Settings.from_config(current_app.config)
    return PageState(user, scope, options, form, where, settings)


@dashboard.context_processor
def _helpers() -> dict[str, Any]:
    min_n = current_app.config["MINIMUM_N"]
    return {
        "status_labels": codes.STATUS_LABELS,
        "status_explanation": lambda status: tables.status_explanation(status, min_n),
        "label_for": tables.label_for,
        "name_columns": tables.name_columns,
        "basis_labels": codes.BASIS_LABELS,
        "volume_basis_labels": tables.VOLUME_BASIS_LABELS,
        "coverage_labels": tables.COVERAGE_KEY_LABELS,
        "chart_rows": RANKING_CHART_ROWS,
    }


def _render(
    template: str, state: PageState, page: str, extra_args: dict[str, str] | None = None, **context: Any
) -> str:
    """A dashboard page; `args` keep the filters in links, `all_args` also name the page's procedure or office."""
    args = state.form.query_args()
    all_args = {**args, **(extra_args or {})}
    return render_template(template, state=state, page=page, args=args, all_args=all_args, **context)


def _invalid(state: PageState, page: str) -> tuple[str, int]:
    return _render("dashboard/invalid.html", state, page), 400


def _trend_points(trend: list[MonthSummary], target: float) -> list[Point]:
    points = []
    for month in trend:
        css = "chart-dot"
        if month["change_significant"] and month["change"] is not None:
            css = "chart-dot change-up" if month["change"] > 0 else "chart-dot change-down"
        share = percent_beside(month["share"], target)
        tooltip = _("%(month)s: %(share)s (n = %(n)s)", month=month["month"], share=share, n=number(month["n"]))
        points.append(Point(month["month"], month["share"], month["ci_low"], month["ci_high"], target, css, tooltip))
    return points


def _trend_chart(trend: list[MonthSummary], target: float, breaks: list[TrendBreak] | None = None) -> Chart:
    desc = _(
        "Share of satisfied responses for each month, with its 95 %(percent)s interval as an error bar and the "
        "target as a dashed line. The table below has the same figures.",
        percent="%",
    )
    lines = [(item.month, _("Version %(version)s", version=item.version)) for item in breaks or ()]
    if lines:
        desc += " " + _("A dotted upright line marks where the questionnaire changed and months stop being comparable.")
    return trend_chart(_trend_points(trend, target), title=_("Satisfaction by month"), desc=desc, breaks=lines)


def _ranking_charts(groups: list[service.Group], title: str) -> tuple[Chart, Chart]:
    """The ranking drawn twice: names beside the rows for wide screens, names above them for phones."""
    points = [
        Point(
            group.name,
            group.summary["share"],
            group.summary["ci_low"],
            group.summary["ci_high"],
            group.target,
            f"chart-dot status-{group.summary['status']}",
            f"{group.code} {group.name}: {percent_beside(group.summary['share'], group.target)} "
            f"(n = {number(group.summary['n'])})",
            code=group.code,
        )
        for group in groups[:RANKING_CHART_ROWS]
    ]
    desc = _(
        "One row each: the share satisfied as a dot, its 95 %(percent)s interval as a line and the target as an "
        "upright mark. The table below has the same figures.",
        percent="%",
    )
    return ranking_chart(points, title=title, desc=desc), stacked_ranking_chart(points, title=title, desc=desc)


@dashboard.get("/")
@login_required
def overview():
    state = _state()
    if state.where is None:
        return _invalid(state, "overview")
    data = service.overview(db.session(), state.scope, state.where, state.settings, home_office_id=state.home_office_id)
    alerts, open_count = open_alerts(db.session(), state.scope)
    latest = data.trend[-1]["month"] if data.trend else None
    watch = watch_list(db.session(), state.scope, state.where, state.settings, with_themes=_may_read_themes(state),
                       latest_month=latest)  # fmt: skip
    return _render(
        "dashboard/overview.html",
        state,
        "overview",
        {},
        data=data,
        trend=tables.trend_table(data.trend, data.target),
        chart=_trend_chart(data.trend, data.target, data.breaks),
        alerts=alerts,
        open_count=open_count,
        weighted=_weighted_rows(state, data),
        watch=watch,
        watch_rows=WATCH_ROWS,
        watch_themes_allowed=_may_read_themes(state),
        watch_months={"month_from": state.where.month_from or "", "month_to": state.where.month_to or ""},
        theme_labels=THEME_LABELS,
        changes=tables.change_table(watch.changes),
    )


def _weighted_rows(state: PageState, data: service.Overview) -> list[service.WeightedRow]:
    assert state.where is not None
    provinces = dict(state.options.provinces)
    return service.weighted_rows(db.session(), state.scope, state.where, state.settings, whole=data,
                                 province_names=provinces, home_office_id=state.home_office_id)  # fmt: skip


def _may_read_themes(state: PageState) -> bool:
    """Complaint themes come from citizens' comments: only for those who may open the themes pages."""
    return may_use_area(state.user, "themes")


@dashboard.get("/procedures")
@login_required
def procedures():
    state = _state()
    if state.where is None:
        return _invalid(state, "procedures")
    groups = service.procedure_ranking(
        db.session(), state.scope, state.where, state.settings, home_office_id=state.home_office_id
    )
    title = _("Procedures ranked by how far below target they are")
    return _render(
        "dashboard/groups.html",
        state,
        "procedures",
        {},
        table=tables.group_table("procedures", "procedure", groups, title=title),
        charts=_ranking_charts(groups, title),
        detail_endpoint="dashboard.procedure_detail",
    )


@dashboard.get("/offices")
@login_required
def offices():
    state = _state()
    if state.where is None:
        return _invalid(state, "offices")
    groups = service.office_comparison(db.session(), state.scope, state.where, state.settings)
    title = _("Offices compared")
    return _render(
        "dashboard/groups.html",
        state,
        "offices",
        {},
        table=tables.group_table("offices", "office", groups, title=title, with_rest=True),
        charts=_ranking_charts(groups, title),
        detail_endpoint="dashboard.office_detail",
    )


def _detail_page(
    state: PageState,
    where: ReportFilter,
    *,
    subject: str,
    extra_args: dict[str, str],
    office_id: int | None = None,
    extras: dict[str, Any] | None = None,
):
    """A procedure's or an office's page; `office_id` (an office without offices under it) enables the band."""
    session, scope, settings, home = db.session(), state.scope, state.settings, state.home_office_id
    data = service.overview(session, scope, where, settings, home_office_id=home)
    facts = detail(session, scope, where, settings, home_office_id=home, office_id=office_id)
    return _render(
        "dashboard/detail.html",
        state,
        "detail",
        extra_args,
        subject=subject,
        data=data,
        facts=facts,
        trend=tables.trend_table(data.trend, data.target),
        chart=_trend_chart(data.trend, data.target, data.breaks),
        detail_tables=tables.detail_tables(facts),
        single_office=office_id is not None,
        themes_allowed=_may_read_themes(state),
        complaint_args=_complaint_args({**state.form.query_args(), **extra_args}),
        **(extras or {"coverage_tables": [], "alone": None, "local_tables": {}}),
    )


def _complaint_args(page_args: dict[str, str]) -> dict[str, str]:
    """The page's office, procedure, period and channel, for links to its complaint themes and comments."""
    names = ("office", "procedure", "month_from", "month_to", "channel")
    return {name: page_args[name] for name in names if page_args.get(name)}


def _office_extras(state: PageState, where: ReportFilter, office_id: int, has_offices_under: bool) -> dict[str, Any]:
    """What only an office page shows: coverage by channel and month, the local questions asked there and, for an
    office with offices under it, its own figures beside those with the offices under it, and its TT 01 band
    from its own figures."""
    session, scope, settings = db.session(), state.scope, state.settings
    extras: dict[str, Any] = {
        "coverage_tables": [
            tables.coverage_table(coverage(session, scope, where, settings, by=by), settings.min_response_rate)
            for by in ("channel", "month")
        ],
        "alone": None,
        "local_tables": local_tables(local_figures(session, scope, where)),  # its province's and offices' questions
    }
    if has_offices_under:
        alone = where.but(subtree=False)
        home = state.home_office_id
        extras["alone"] = service.overview(session, scope, alone, settings, home_office_id=home).summary
        extras["alone_band"] = office_band(session, scope, where, office_id)
    return extras


@dashboard.get("/procedures/<code>")
@login_required
def procedure_detail(code: str):
    state = _state()
    procedure_id = state.options.procedure_id(code)
    if procedure_id is None:
        abort(404)
    if state.where is None:
        return _invalid(state, "detail")
    name = next(name for pid, _code, name in state.options.procedures if pid == procedure_id)
    where = state.where.but(procedure_id=procedure_id)
    return _detail_page(state, where, subject=f"{code} {name}", extra_args={"procedure": code})


@dashboard.get("/offices/<code>")
@login_required
def office_detail(code: str):
    state = _state()
    office = state.options.office_by_code(code)
    if office is None:
        abort(404)  # outside the caller's scope looks exactly like an office that does not exist
    if state.where is None:
        return _invalid(state, "detail")
    where = state.where.but(office_id=office.id)
    under = state.options.has_offices_under(office.id)
    return _detail_page(
        state, where, subject=f"{office.code} {office.name}", extra_args={"office": code},
        office_id=None if under else office.id, extras=_office_extras(state, where, office.id, under),
    )  # fmt: skip


@dashboard.get("/coverage")
@login_required
def coverage_page():
    state = _state()
    if state.where is None:
        return _invalid(state, "coverage")
    by = request.args.get("by", "office")
    if by not in COVERAGE_GROUPS:
        abort(404)
    table = coverage(db.session(), state.scope, state.where, state.settings, by=by)
    return _render(
        "dashboard/coverage.html",
        state,
        "coverage",
        {},
        by=by,
        groups=COVERAGE_GROUPS,
        total=table.total,
        table=tables.coverage_table(table, state.settings.min_response_rate),
    )


def _build_table(state: PageState, name: str) -> tables.Table:
    assert state.where is not None
    session, scope, where, settings = db.session(), state.scope, state.where, state.settings
    home = state.home_office_id
    if name == "trend":
        data = service.overview(session, scope, where, settings, home_office_id=home)
        return tables.trend_table(data.trend, data.target)
    if name in ("watch", "changes"):
        watch = watch_list(session, scope, where, settings, with_themes=_may_read_themes(state))
        return tables.watch_table(watch.rows) if name == "watch" else tables.change_table(watch.changes)
    if name in tables.COVERAGE_TABLES:
        by = name.removeprefix("coverage_")
        return tables.coverage_table(coverage(session, scope, where, settings, by=by), settings.min_response_rate)
    if name == "procedures":
        groups = service.procedure_ranking(session, scope, where, settings, home_office_id=home)
        return tables.group_table("procedures", "procedure", groups, title=_("Procedures"))
    if name == "offices":
        groups = service.office_comparison(session, scope, where, settings)
        return tables.group_table("offices", "office", groups, title=_("Offices"), with_rest=True)
    if name in LOCAL_TABLES:
        figures = local_figures(session, scope, where)
        return scale_table(figures) if name == "local_scale" else choice_table(figures)
    return tables.detail_tables(detail(session, scope, where, settings, home_office_id=home))[name]


@dashboard.get("/download/<name>.<fmt>")
@login_required
def download(name: str, fmt: str) -> Any:
    """A table of the current filters as CSV or XLSX; `publication=1` suppresses rows from fewer than 5 people."""
    if name not in tables.TABLE_NAMES or fmt not in FORMATS:
        abort(404)
    state = _state()
    if state.where is None:
        return _invalid(state, "overview")
    table = _build_table(state, name)
    publication = request.args.get("publication") == "1"
    if publication:
        note = _("Figures counted from fewer than 5 responses are left empty (suppressed = true).")
        table = for_publication(table, note=note, suppressed_label=_("Suppressed"), flag_words=YES_NO_LABELS)
    about = about_lines(user=state.user, everything=state.scope is None, form=state.form, settings=state.settings)
    table = replace(table, about=about, about_title=_("Information"))
    body, mimetype = render(table, fmt)
    record_download(
        db.session(), user_id=state.user.id, actor=state.user.email, table=name, file_format=fmt,
        publication=publication, filters=state.form.query_args(),
    )  # fmt: skip
    filename = f"{name}{'-publication' if publication else ''}-{date.today().isoformat()}.{fmt}"
    return Response(body, content_type=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@dashboard.get("/funnel")
@login_required
def funnel():
    """Offices on a funnel plot, adjusted for procedure mix against the national or their province's rates."""
    state = _state()
    if state.where is None:
        return _invalid(state, "funnel")
    reference = request.args.get("reference", "national")
    if reference not in REFERENCES:
        abort(400)
    comparisons = compare_by_procedure_mix(db.session(), state.where, state.settings, reference=reference)
    names = {office.code: office.name for office in state.options.offices}
    rows = funnel_rows(comparisons, names)
    charts = []
    for comparison in comparisons:
        if any(row.code in {o.office for o in comparison.offices} for row in rows):
            title = _("Offices against %(reference)s rates", reference=_reference_name(comparison.reference.label))
            charts.append((comparison, funnel_chart(comparison, rows, title)))
    return _render("dashboard/funnel.html", state, "funnel", {"reference": reference}, rows=rows, charts=charts,
                   reference=reference)  # fmt: skip


def _reference_name(label: str) -> str:
    if label == "national":
        return _("national")
    return _("province %(code)s", code=label)
