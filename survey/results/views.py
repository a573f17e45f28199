"""Public results pages: the offices (searchable), one office's procedures, and the whole table as CSV.

No sign-in, no script, no comments: shares of the last 12 months with their interval and target status, months
and response rates; groups under 30 answers say "not enough opinions yet". Pages may be cached for a few minutes
by anyone (the figures change slowly), separately per language.
"""

from __future__ import annotations

import math
import re
from datetime import date

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _

from survey import codes
from survey.extensions import db
from survey.formatting import percent
from survey.results.forms import SearchForm
from survey.results.trend import trend
from survey.services.actions.public import published_actions
from survey.services.publication.offices import count_under, find_office, list_offices, parent_of
from survey.services.publication.period import public_period
from survey.services.publication.results import PUBLIC_MIN_N, office_results, overall_figures
from survey.services.publication.table import results_rows, to_csv
from survey.services.reporting.query import visible_offices
from survey.services.reporting.summary import Settings

results = Blueprint("results", __name__)

PROCEDURES_PER_PAGE = 10
CACHE_SECONDS = 600


@results.after_request
def _cacheable(response: Response) -> Response:
    if response.status_code == 200:
        response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
        response.vary.add("Cookie")  # the language choice lives in a cookie
    return response


@results.context_processor
def _helpers() -> dict[str, object]:
    return {
        "status_labels": codes.STATUS_LABELS,
        "trend": trend,
        "public_min_n": PUBLIC_MIN_N,
        "month_label": month_label,
        "pct": lambda value, decimals=1: percent(value, decimals).replace(" ", "\u00a0"),  # "87,3 %" never wraps
    }


def month_label(month: str) -> str:
    """2025-07 → 07/2025, as months are written in Vietnamese (and read fine in English)."""
    year, number = month.split("-")
    return f"{number}/{year}"


def _settings() -> Settings:
    return Settings.from_config(current_app.config)


@results.get("/results")
def index():
    form = SearchForm(formdata=request.args)
    valid = form.validate()
    query = (form.q.data or "") if valid else ""
    under = find_office(db.session(), form.under.data) if valid and form.under.data else None
    page = form.page.data if valid and form.page.data else 1
    listing = list_offices(db.session(), query=query, under=under, page=page)
    period = public_period()
    figures = overall_figures(db.session(), listing.offices, period, _settings())
    status = 400 if form.errors else 200
    return render_template(
        "results/index.html", form=form, query=query, under=under, listing=listing, figures=figures, period=period
    ), status


@results.get("/results/<office_code>")
def office(office_code: str):
    found = find_office(db.session(), office_code)
    if found is None:
        abort(404)
    data = office_results(db.session(), found, public_period(), _settings())
    pages = max(1, math.ceil(len(data.procedures) / PROCEDURES_PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    shown = data.procedures[(page - 1) * PROCEDURES_PER_PAGE : page * PROCEDURES_PER_PAGE]
    return render_template(
        "results/office.html",
        data=data,
        shown=shown,
        page=page,
        pages=pages,
        parent=parent_of(db.session(), found),
        under=count_under(db.session(), found),
        actions=published_actions(db.session(), found),
    )


@results.get("/results.csv")
def download():
    """Every office's table (or one office's with `?office=CODE`), codes in the header, small groups suppressed."""
    code = request.args.get("office")
    if code:
        found = find_office(db.session(), code)
        if found is None:
            abort(404)
        offices = [found]
    else:
        offices = visible_offices(db.session(), None)
    period = public_period()
    rows = results_rows(db.session(), offices, period, _settings(), all_procedures=_("All procedures"))
    name = f"results-{re.sub(r'[^0-9A-Za-z.-]', '_', code or 'all')}-{date.today().isoformat()}.csv"
    return Response(
        to_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
