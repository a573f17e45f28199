"""The dashboard's tables, built once from the service results and used three ways: shown on the page, beside
each chart as its text alternative, and downloaded as CSV or XLSX (with the same rows, so a file never holds
more than the page showed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l

from analysis.satisfaction import MonthSummary, Summary
from survey.codes import (
    CHANNEL_LABELS,
    ELEMENT_LABELS,
    EXTRA_PAYMENT_LABELS,
    SERVICE_MODE_LABELS,
    STATUS_EXPLANATIONS,
    TT01_LABELS,
)
from survey.services.reporting.dashboard import Group
from survey.services.reporting.detail import Detail, Share
from survey.services.reporting.downloads import Column, Table


def status_explanation(status: str, min_n: int) -> str:
    """Why a share got its status, in plain words."""
    if status == "too_few":
        return str(_l("Fewer responses than the minimum of %(min_n)s: no judgement is made.", min_n=min_n))
    return str(STATUS_EXPLANATIONS[status])


TABLE_NAMES = ("trend", "procedures", "offices", "channels", "elements", "tt01", "service_modes", "extra_payment",
               "local_scale", "local_choices")  # fmt: skip


def _share_columns() -> list[Column]:
    return [
        Column("n", str(_l("Responses"))),
        Column("satisfied", str(_l("Satisfied"))),
        Column("share", str(_l("Share satisfied"))),
        Column("ci_low", str(_l("95 %(percent)s interval, low", percent="%"))),
        Column("ci_high", str(_l("95 %(percent)s interval, high", percent="%"))),
        Column("status", str(_l("Status")), figure=False),
    ]


def _summary_cells(summary: Summary | dict[str, Any]) -> dict[str, Any]:
    return {key: summary.get(key) for key in ("n", "satisfied", "share", "ci_low", "ci_high", "status")}


def trend_table(trend: Sequence[MonthSummary]) -> Table:
    columns = [
        Column("month", str(_l("Month")), figure=False),
        *_share_columns(),
        Column("change", str(_l("Change from the month before"))),
        Column("change_significant", str(_l("Change is significant (two-proportion test, 5 %(p)s)", p="%"))),
    ]
    rows = [
        {"month": m["month"], **_summary_cells(m), "change": m["change"], "change_significant": m["change_significant"]}
        for m in trend
    ]
    return Table("trend", str(_l("Satisfaction by month")), columns, rows)


def group_table(name: str, key: str, groups: Sequence[Group], *, title: str, with_rest: bool = False) -> Table:
    columns = [
        Column(key, str(_l("Code")), figure=False),
        Column("name", str(_l("Name")), figure=False),
        *_share_columns(),
        Column("target", str(_l("Target")), figure=False),
        Column("gap", str(_l("Target minus share"))),
    ]
    if with_rest:
        columns += [
            Column("difference_from_rest", str(_l("Difference from the other offices"))),
            Column(
                "difference_significant",
                str(_l("Difference is significant (two-proportion test, 5 %(percent)s)", percent="%")),
            ),
        ]
    rows = []
    for group in groups:
        row = {key: group.code, "name": group.name, **_summary_cells(group.summary)}
        row.update(target=group.target, gap=group.gap)
        if with_rest:
            row.update(difference_from_rest=group.rest_difference, difference_significant=group.rest_significant)
        rows.append(row)
    return Table(name, title, columns, rows)


def channel_table(detail: Detail) -> Table:
    columns = [Column("channel", str(_l("Channel")), figure=False), *_share_columns()]
    rows = [{"channel": channel, **_summary_cells(summary)} for channel, summary in detail.channels]
    return Table("channels", str(_l("By channel")), columns, rows)


def element_table(detail: Detail) -> Table:
    columns = [Column("element", str(_l("SIPAS element")), figure=False), *_share_columns()]
    rows = [{"element": name, **_summary_cells(summary)} for name, summary in detail.sipas["elements"].items()]
    overall = detail.sipas["overall"]
    if overall is not None:
        rows.append({"element": "overall", **_summary_cells(dict(overall))})
    return Table("elements", str(_l("SIPAS elements and overall index")), columns, rows)


def tt01_table(detail: Detail) -> Table:
    columns = [
        Column("indicator", str(_l("TT 01/2018 indicator")), figure=False),
        Column("score", str(_l("Score (0 to 2)"))),
        Column("n", str(_l("Dossiers answered"))),
        Column("points_basis", str(_l("Points")), figure=False),
    ]
    rows = [
        {"indicator": number, "score": item["score"], "n": item["n"], "points_basis": item["points_basis"]}
        for number, item in detail.tt01.items()
    ]
    return Table("tt01", str(_l("TT 01/2018 indicators answered by citizens")), columns, rows)


def share_table(name: str, key: str, shares: Sequence[Share], title: str) -> Table:
    columns = [
        Column(key, str(_l("Answer")), figure=False),
        Column("count", str(_l("Responses"))),
        Column("share", str(_l("Share of those who answered"))),
    ]
    rows = [{key: share.code, "count": share.count, "share": share.share} for share in shares]
    return Table(name, title, columns, rows, count_key="count")


def detail_tables(detail: Detail) -> dict[str, Table]:
    return {
        "channels": channel_table(detail),
        "elements": element_table(detail),
        "tt01": tt01_table(detail),
        "service_modes": share_table("service_modes", "service_mode", detail.service_modes, str(_l("Service mode"))),
        "extra_payment": share_table(
            "extra_payment", "extra_payment", detail.extra_payment, str(_l("Asked for extra payment"))
        ),
    }


def label_for(table: str, code: Any) -> str:
    """A readable label for a code shown in a table's first column."""
    by_table: dict[str, dict[Any, Any]] = {
        "channels": CHANNEL_LABELS,
        "elements": ELEMENT_LABELS,
        "tt01": TT01_LABELS,
        "service_modes": SERVICE_MODE_LABELS,
        "extra_payment": EXTRA_PAYMENT_LABELS,
    }
    return str(by_table.get(table, {}).get(code, code))
