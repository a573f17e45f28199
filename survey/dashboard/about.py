"""The "Thông tin" sheet of an office download: whose figures, which months, against which target, with which
filters, when, from where and how they were counted, so a file forwarded on its own still says what it is."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _

from analysis.periods import LOCAL_TIME
from survey.dashboard.forms import FilterForm
from survey.formatting import number, percent
from survey.models import User
from survey.services.reporting.summary import Settings


def scope_text(user: User, everything: bool) -> str:
    """Whose figures the caller may see."""
    if everything or user.office is None:
        return _("All offices")
    return _("%(office)s and the offices under it", office=f"{user.office.code} {user.office.name}")


def period_text(form: FilterForm) -> str:
    start, end = form.month_from.data or None, form.month_to.data or None
    if start and end:
        return _("From %(start)s to %(end)s (months in Việt Nam time)", start=start, end=end)
    if start:
        return _("From %(start)s to the latest month with responses", start=start)
    if end:
        return _("Every month with responses up to %(end)s", end=end)
    return _("Every month with responses")


def filters_text(form: FilterForm) -> str:
    """The filters set, each with its label and the chosen value's words."""
    parts = []
    for field in (form.province, form.office, form.procedure, form.channel):
        if field.data:
            chosen = dict(field.choices or []).get(field.data, field.data)
            parts.append(f"{field.label.text}: {chosen}")
    if form.verified.data:
        parts.append(str(form.verified.label.text))
    return "; ".join(parts) if parts else _("None: everything in the scope above")


def about_lines(
    *, user: User, everything: bool, form: FilterForm, settings: Settings, now: datetime | None = None
) -> list[tuple[str, str]]:
    """(label, text) lines for the first sheet of an XLSX download."""
    moment = (now or datetime.now(LOCAL_TIME)).astimezone(LOCAL_TIME)
    source = url_for("dashboard.overview", _external=True, **form.query_args())
    method = _(
        "Satisfied means a rating of 4 or 5 out of 5; the share satisfied is satisfied responses divided by "
        "responses, with a 95 %(percent)s Wilson interval. A share meets the target when even the low end of its "
        "interval reaches it, is below it when even the high end is below it, and is not judged under %(min_n)s "
        "responses.",
        percent="%",
        min_n=number(settings.min_n),
    )
    return [
        (_("Scope"), scope_text(user, everything)),
        (_("Period"), period_text(form)),
        (_("Target"), _("%(target)s, or a procedure's or office's own target where one is set (column Target)",
                         target=percent(settings.default_target))),
        (_("Filters"), filters_text(form)),
        (_("Generated at"), _("%(time)s, Việt Nam time", time=moment.strftime("%Y-%m-%d %H:%M"))),
        (_("Source"), _("Citizen satisfaction survey service, dashboard: %(url)s", url=source)),
        (_("Method"), method),
    ]  # fmt: skip
