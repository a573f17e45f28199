"""The dashboard's tables, built once from the service results and used three ways: shown on the page, beside
each chart as its text alternative, and downloaded as CSV or XLSX (with the same rows, so a file never holds
more than the page showed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l

from analysis.satisfaction import MonthSummary, Summary
from survey.codes import (
    BASIS_LABELS,
    CHANNEL_LABELS,
    ELEMENT_LABELS,
    EXTRA_PAYMENT_LABELS,
    SERVICE_MODE_LABELS,
    SIGNIFICANCE_LABELS,
    STATUS_EXPLANATIONS,
    STATUS_LABELS,
    TT01_LABELS,
    YES_NO_LABELS,
)
from survey.formatting import percent
from survey.services.reporting.coverage import COVERAGE_GROUPS, CoverageTable
from survey.services.reporting.dashboard import Group
from survey.services.reporting.detail import Detail, Share
from survey.services.reporting.downloads import Column, Table
from survey.services.reporting.watch import ChangeRow, WatchRow


def status_explanation(status: str, min_n: int) -> str:
    """Why a share got its status, in plain words."""
    if status == "too_few":
        return str(_l("Fewer responses than the minimum of %(min_n)s: no judgement is made.", min_n=min_n))
    return str(STATUS_EXPLANATIONS[status])


COVERAGE_TABLES = tuple(f"coverage_{by}" for by in COVERAGE_GROUPS)
TABLE_NAMES = (
    "trend", "procedures", "offices", "channels", "elements", "tt01", "service_modes", "extra_payment",
    "watch", "changes", *COVERAGE_TABLES, "local_scale", "local_choices",
)  # fmt: skip


def _share_columns() -> list[Column]:
    return [
        Column("n", str(_l("Responses"))),
        Column("satisfied", str(_l("Satisfied"))),
        Column("share", str(_l("Share satisfied")), kind="share"),
        Column("ci_low", str(_l("95 %(percent)s interval, low", percent="%")), kind="share"),
        Column("ci_high", str(_l("95 %(percent)s interval, high", percent="%")), kind="share"),
        Column("status", str(_l("Status")), figure=False, kind="text", words=STATUS_LABELS),
    ]


def _subtree_columns() -> list[Column]:
    return [
        Column("subtree_offices", str(_l("Offices under it with responses"))),
        Column("subtree_n", str(_l("With the offices under it: responses"))),
        Column("subtree_share", str(_l("With the offices under it: share satisfied")), kind="share"),
        Column(
            "subtree_ci_low",
            str(_l("With the offices under it: 95 %(percent)s interval, low", percent="%")),
            kind="share",
        ),
        Column(
            "subtree_ci_high",
            str(_l("With the offices under it: 95 %(percent)s interval, high", percent="%")),
            kind="share",
        ),
        Column(
            "subtree_status",
            str(_l("With the offices under it: status")),
            figure=False,
            kind="text",
            words=STATUS_LABELS,
        ),
    ]


def _summary_cells(summary: Summary | dict[str, Any]) -> dict[str, Any]:
    return {key: summary.get(key) for key in ("n", "satisfied", "share", "ci_low", "ci_high", "status")}


def trend_table(trend: Sequence[MonthSummary], target: float | None = None) -> Table:
    columns = [
        Column("month", str(_l("Month")), figure=False, kind="text"),
        *_share_columns(),
        Column("change", str(_l("Change from the month before (percentage points)")), kind="points"),
        Column(
            "change_significant",
            str(_l("Change is significant (two-proportion test, 5 %(p)s)", p="%")),
            kind="flag",
            words=SIGNIFICANCE_LABELS,
        ),
    ]
    rows = [
        {"month": m["month"], **_summary_cells(m), "change": m["change"], "change_significant": m["change_significant"]}
        for m in trend
    ]
    return Table("trend", str(_l("Satisfaction by month")), columns, rows, target=target)


def group_table(name: str, key: str, groups: Sequence[Group], *, title: str, with_rest: bool = False) -> Table:
    """Procedures or offices with their own figures; offices also with the offices under them, where any."""
    columns = [
        Column(key, str(_l("Code")), figure=False, kind="text"),
        Column("name", str(_l("Name")), figure=False, kind="text"),
        *_share_columns(),
        Column("target", str(_l("Target")), figure=False, kind="share"),
        Column("difference_from_target", str(_l("Share minus target (percentage points)")), kind="points"),
        Column("below_target_at_upper_bound", str(_l("Too few to judge, but below target even at the high end")),
               figure=False, kind="flag", words=YES_NO_LABELS),
    ]  # fmt: skip
    with_subtree = with_rest and any(group.subtree is not None for group in groups)
    if with_rest:
        columns += [
            Column(
                "difference_from_rest", str(_l("Difference from the other offices (percentage points)")), kind="points"
            ),
            Column(
                "difference_significant",
                str(_l("Difference is significant (two-proportion test, 5 %(percent)s)", percent="%")),
                kind="flag",
                words=SIGNIFICANCE_LABELS,
            ),
        ]
    if with_subtree:
        columns += _subtree_columns()
    rows = []
    for group in groups:
        row = {key: group.code, "name": group.name, **_summary_cells(group.summary)}
        difference = None if group.gap is None else -group.gap
        row.update(target=group.target, difference_from_target=difference)
        row["below_target_at_upper_bound"] = group.below_at_upper_bound
        if with_rest:
            row.update(difference_from_rest=group.rest_difference, difference_significant=group.rest_significant)
        if with_subtree:
            row.update(_subtree_cells(group))
        rows.append(row)
    return Table(name, title, columns, rows)


def _subtree_cells(group: Group) -> dict[str, Any]:
    if group.subtree is None:
        return {}
    cells = {f"subtree_{key}": value for key, value in _summary_cells(group.subtree).items() if key != "satisfied"}
    return {"subtree_offices": group.subtree_offices, **cells}


def channel_table(detail: Detail) -> Table:
    columns = [Column("channel", str(_l("Channel")), figure=False, kind="text", words=CHANNEL_LABELS),
               *_share_columns()]  # fmt: skip
    rows = [{"channel": channel, **_summary_cells(summary)} for channel, summary in detail.channels]
    return Table("channels", str(_l("By channel")), columns, rows, target=detail.target)


def element_table(detail: Detail) -> Table:
    columns = [Column("element", str(_l("SIPAS element")), figure=False, kind="text", words=ELEMENT_LABELS),
               *_share_columns()]  # fmt: skip
    rows = [{"element": name, **_summary_cells(summary)} for name, summary in detail.sipas["elements"].items()]
    overall = detail.sipas["overall"]
    if overall is not None:
        rows.append({"element": "overall", **_summary_cells(dict(overall))})
    return Table("elements", str(_l("SIPAS elements and overall index")), columns, rows, target=detail.target)


def tt01_table(detail: Detail) -> Table:
    columns = [
        Column("indicator", str(_l("TT 01/2018 indicator")), figure=False, kind="text", words=TT01_LABELS),
        Column("score", str(_l("Score (0 to 2)")), kind="score"),
        Column("n", str(_l("Dossiers answered"))),
        Column("points_basis", str(_l("Points")), figure=False, kind="text", words=BASIS_LABELS),
    ]
    rows = [
        {"indicator": number, "score": item["score"], "n": item["n"], "points_basis": item["points_basis"]}
        for number, item in detail.tt01.items()
    ]
    return Table("tt01", str(_l("TT 01/2018 indicators answered by citizens")), columns, rows)


def share_table(name: str, key: str, shares: Sequence[Share], title: str, words: Mapping[Any, Any]) -> Table:
    columns = [
        Column(key, str(_l("Answer")), figure=False, kind="text", words=words),
        Column("count", str(_l("Responses"))),
        Column("share", str(_l("Share of those who answered")), kind="share"),
    ]
    rows = [{key: share.code, "count": share.count, "share": share.share} for share in shares]
    return Table(name, title, columns, rows, count_key="count")


def detail_tables(detail: Detail) -> dict[str, Table]:
    return {
        "channels": channel_table(detail),
        "elements": element_table(detail),
        "tt01": tt01_table(detail),
        "service_modes": share_table(
            "service_modes", "service_mode", detail.service_modes, str(_l("Service mode")), SERVICE_MODE_LABELS
        ),
        "extra_payment": share_table(
            "extra_payment",
            "extra_payment",
            detail.extra_payment,
            str(_l("Asked for extra payment")),
            EXTRA_PAYMENT_LABELS,
        ),
    }


def watch_table(rows: Sequence[WatchRow]) -> Table:
    """The watch list: pairs known to be below target, most citizens short of it first."""
    columns = [
        *_pair_columns(),
        *_share_columns(),
        Column("target", str(_l("Target")), figure=False, kind="share"),
        Column("below_target_at_upper_bound", str(_l("Too few to judge, but below target even at the high end")),
               figure=False, kind="flag", words=YES_NO_LABELS),
        Column("shortfall", str(_l("Below target by (percentage points)")), kind="points"),
        Column("volume", str(_l("Volume"))),
        Column("volume_basis", str(_l("Volume counts")), figure=False, kind="text", words=VOLUME_BASIS_LABELS),
        Column("citizens_short", str(_l("Citizens short of the target (estimate)")), kind="decimal"),
        Column("themes", str(_l("Top complaint themes")), figure=False, kind="text"),
    ]  # fmt: skip
    table_rows = []
    for row in rows:
        themes = "; ".join(f"{theme.name} ({theme.comments})" for theme in row.themes.themes) if row.themes else ""
        table_rows.append({
            "office": row.pair.office_code, "office_name": row.pair.office_name,
            "procedure": row.pair.procedure_code, "procedure_name": row.pair.procedure_name,
            **_summary_cells(row.summary), "target": row.target,
            "below_target_at_upper_bound": row.below_at_upper_bound, "shortfall": row.shortfall,
            "volume": row.volume, "volume_basis": row.volume_basis,
            "citizens_short": round(row.citizens_short, 1), "themes": themes,
        })  # fmt: skip
    return Table("watch", str(_l("Watch list: below target, most citizens affected first")), columns, table_rows)


def _pair_columns() -> list[Column]:
    return [
        Column("office", str(_l("Office")), figure=False, kind="text"),
        Column("office_name", str(_l("Office name")), figure=False, kind="text"),
        Column("procedure", str(_l("Procedure")), figure=False, kind="text"),
        Column("procedure_name", str(_l("Procedure name")), figure=False, kind="text"),
    ]


def change_table(rows: Sequence[ChangeRow]) -> Table:
    """Pairs whose share changed significantly since the period before."""
    columns = [
        *_pair_columns(),
        Column("n_before", str(_l("Responses, period before"))),
        Column("share_before", str(_l("Share satisfied, period before")), kind="share"),
        Column("n", str(_l("Responses, this period"))),
        Column("share", str(_l("Share satisfied, this period")), kind="share"),
        Column("change", str(_l("Change (percentage points)")), kind="points"),
        Column("p_value", str(_l("p-value")), kind="p_value"),
        Column("target", str(_l("Target")), figure=False, kind="share"),
    ]
    table_rows = [
        {
            "office": row.pair.office_code, "office_name": row.pair.office_name,
            "procedure": row.pair.procedure_code, "procedure_name": row.pair.procedure_name,
            "n_before": row.before["n"], "share_before": row.before["share"], "n": row.now["n"],
            "share": row.now["share"], "change": row.difference, "p_value": row.p_value, "target": row.target,
        }
        for row in rows
    ]  # fmt: skip
    return Table("changes", str(_l("Significant changes since the period before")), columns, table_rows)


VOLUME_BASIS_LABELS = {
    "dossiers": _l("dossiers handled (imported)"),
    "responses": _l("responses"),
}
COVERAGE_KEY_LABELS = {"office": _l("Office"), "procedure": _l("Procedure"), "channel": _l("Channel"),
                       "month": _l("Month issued")}  # fmt: skip


def coverage_table(table: CoverageTable, min_rate: float) -> Table:
    """Invitations issued and answered per office, procedure, channel or month, with the response rate."""
    named = table.by in ("office", "procedure")  # channels are labelled in the first column; months need no name
    columns = [
        Column(table.by, str(COVERAGE_KEY_LABELS[table.by]), figure=False, kind="text",
               words=CHANNEL_LABELS if table.by == "channel" else None),
        *([Column("name", str(_l("Name")), figure=False, kind="text")] if named else []),
        Column("issued", str(_l("Invitations issued"))),
        Column("answered", str(_l("Answered"))),
        Column("rate", str(_l("Response rate")), kind="share"),
        Column("rate_ci_low", str(_l("95 %(percent)s interval, low", percent="%")), kind="share"),
        Column("rate_ci_high", str(_l("95 %(percent)s interval, high", percent="%")), kind="share"),
        Column("low_rate", str(_l("Below %(rate)s: may not represent everyone", rate=percent(min_rate, 0))),
               figure=False, kind="flag", words=YES_NO_LABELS),
    ]  # fmt: skip
    rows = [
        {
            table.by: row.code, "name": row.name,
            "issued": row.coverage["issued"], "answered": row.coverage["answered"], "rate": row.coverage["rate"],
            "rate_ci_low": row.coverage["ci_low"], "rate_ci_high": row.coverage["ci_high"],
            "low_rate": row.coverage["low"],
        }
        for row in table.rows
    ]  # fmt: skip
    title = str(_l("Coverage: invitations answered, by %(group)s", group=str(COVERAGE_KEY_LABELS[table.by]).lower()))
    return Table(f"coverage_{table.by}", title, columns, rows, count_key="issued")


def name_columns(table: Table) -> dict[str, str]:
    """Code columns with a name column beside them (code key → name key): pages show the name with the code in
    small print, and no separate name column."""
    keys = {column.key for column in table.columns}
    pairs = ((table.columns[0].key, "name"), ("office", "office_name"), ("procedure", "procedure_name"))
    return {code: name for code, name in pairs if code in keys and name in keys}


def label_for(table: str, code: Any) -> str:
    """A readable label for a code shown in a table's first column."""
    by_table: dict[str, dict[Any, Any]] = {
        "channels": CHANNEL_LABELS,
        "elements": ELEMENT_LABELS,
        "tt01": TT01_LABELS,
        "service_modes": SERVICE_MODE_LABELS,
        "extra_payment": EXTRA_PAYMENT_LABELS,
        "coverage_channel": CHANNEL_LABELS,
    }
    return str(by_table.get(table, {}).get(code, code))
