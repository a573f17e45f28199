"""Views of the research blueprint: researchers' anonymised microdata and aggregate tables.

Downloads are built by the same services as `flask export-anonymised` and `flask export-aggregates` into a
temporary folder, zipped with their two codebooks and sent; the folder is removed once the response is closed.
The preview and the on-page tables use the same planner and table builder, and write nothing.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, render_template, send_file
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from survey.auth.guards import role_required
from survey.auth.identity import current_user
from survey.extensions import db
from survey.research.forms import DIMENSION_LABELS, QUASI_LABELS, ExportForm, TablesForm
from survey.security import keep_private
from survey.services.research.aggregates import build_table, export_aggregates, key_label
from survey.services.research.codebook import codebook_markdown, reference_codebook
from survey.services.research.columns import ALL_COLUMNS, COLUMNS_BY_NAME
from survey.services.research.export import ExportError, export_anonymised, preview_export
from survey.services.research.plan import load_catalog

research = Blueprint("research", __name__)

LEVEL_NAMES = {
    "month": _l("month"),
    "quarter": _l("quarter"),
    "year": _l("year"),
    "office": _l("office"),
    "province": _l("province"),
    "region": _l("region"),
    "procedure": _l("procedure"),
    "field": _l("field (lĩnh vực)"),
    "khác": _l("other (khác)"),
    "channel": _l("channel"),
    "value": _l("as answered"),
    "age band": _l("age band"),
    "20-year band": _l("20-year band"),
    "under or over 45": _l("under or over 45"),
    "*": _l("withheld (*)"),
}


@research.after_request
def _protect(response: Response) -> Response:
    """Research files are behind a login: never kept in shared caches."""
    return keep_private(response)


def _page(export_form: ExportForm | None = None, tables_form: TablesForm | None = None, *, status: int = 200,
          **context: Any) -> tuple[str, int]:  # fmt: skip
    english = str(get_locale()) == "en"
    context = {"problem": None, "preview": None, "tables_problem": None, "table": None, **context}
    return render_template(
        "research/index.html",
        form=export_form or ExportForm(formdata=None),
        tables_form=tables_form or TablesForm(formdata=None, prefix="t"),
        column_labels={c.name: c.label_en if english else c.label_vi for c in COLUMNS_BY_NAME.values()},
        quasi_labels=QUASI_LABELS,
        dimension_labels=DIMENSION_LABELS,
        level_names=LEVEL_NAMES,
        key_label=key_label,
        **context,
    ), status


@research.get("/research")
@role_required("researcher", "admin")
def index():
    return _page()


@research.post("/research/preview")
@role_required("researcher", "admin")
def preview():
    form = ExportForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        plan = preview_export(db.session(), form.options())
    except ExportError as exc:
        return _page(form, status=422, problem=str(exc))
    return _page(form, preview=plan)


def _zipped(build: Callable[[Path], tuple[Path, ...]], name: str) -> Response:
    """Build the files in a temporary folder, zip them and send the ZIP; the folder goes when the response closes."""
    folder = Path(tempfile.mkdtemp(prefix="survey-export-"))
    try:
        paths = build(folder / name)
        package = folder / f"{name}.zip"
        with zipfile.ZipFile(package, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in paths:
                archive.write(path, arcname=path.name)
        response = send_file(package, mimetype="application/zip", as_attachment=True, download_name=package.name)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    response.call_on_close(lambda: shutil.rmtree(folder, ignore_errors=True))
    return response


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


@research.post("/research/export")
@role_required("researcher", "admin")
def export():
    form = ExportForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    user = current_user()
    assert user is not None
    options = form.options()

    def build(out: Path) -> tuple[Path, ...]:
        result = export_anonymised(db.session(), out, options, actor=user.email, user_id=user.id)
        return result.path, result.codebook_json, result.codebook_markdown

    try:
        return _zipped(build, f"survey-anonymised-{_stamp()}.{options.file_format}")
    except ExportError as exc:
        return _page(form, status=422, problem=str(exc))


@research.post("/research/tables")
@role_required("researcher", "admin")
def tables():
    form = TablesForm(prefix="t")
    if not form.validate_on_submit():
        return _page(tables_form=form, status=400)
    try:
        table = build_table(db.session(), form.options())
    except ExportError as exc:
        return _page(tables_form=form, status=422, tables_problem=str(exc))
    return _page(tables_form=form, table=table)


@research.post("/research/tables/download")
@role_required("researcher", "admin")
def tables_download():
    form = TablesForm(prefix="t")
    if not form.validate_on_submit():
        return _page(tables_form=form, status=400)
    user = current_user()
    assert user is not None
    options = form.options()

    def build(out: Path) -> tuple[Path, ...]:
        result = export_aggregates(db.session(), out, options, actor=user.email, user_id=user.id)
        return result.path, result.codebook_json, result.codebook_markdown

    try:
        return _zipped(build, f"survey-tables-{'-'.join(options.by)}-{_stamp()}.{options.file_format}")
    except ExportError as exc:
        return _page(tables_form=form, status=422, tables_problem=str(exc))


@research.get("/research/codebook.<any(json, md):kind>")
@role_required("researcher", "admin")
def codebook(kind: str):
    """The columns and codes before any export, to read before asking for one."""
    labels = load_catalog(db.session.connection()).value_labels()
    content = reference_codebook(ALL_COLUMNS, labels)
    if kind == "json":
        body, mimetype = json.dumps(content, ensure_ascii=False, indent=2) + "\n", "application/json"
    else:
        body, mimetype = codebook_markdown(content), "text/markdown; charset=utf-8"
    response = current_app.response_class(body, content_type=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename=survey-codebook.{kind}"
    return response
