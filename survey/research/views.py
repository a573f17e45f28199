"""Views of the research blueprint: researchers' anonymised downloads.

The download is built by the same service as `flask export-anonymised` into a temporary folder, zipped with
its two codebooks and sent; the folder is removed once the response is closed.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, send_file

from survey.auth.guards import role_required
from survey.auth.identity import current_user
from survey.extensions import db
from survey.research.forms import ExportForm
from survey.security import keep_private
from survey.services.research.codebook import codebook_markdown, reference_codebook
from survey.services.research.columns import ALL_COLUMNS
from survey.services.research.export import ExportError, export_anonymised
from survey.services.research.plan import load_catalog

research = Blueprint("research", __name__)


@research.after_request
def _protect(response: Response) -> Response:
    """Research files are behind a login: never kept in shared caches."""
    return keep_private(response)


def _index_page(form: ExportForm, status: int = 200, problem: str | None = None) -> tuple[str, int]:
    return render_template("research/index.html", form=form, problem=problem), status


@research.get("/research")
@role_required("researcher", "admin")
def index():
    return _index_page(ExportForm())


@research.post("/research/export")
@role_required("researcher", "admin")
def export():
    form = ExportForm()
    if not form.validate_on_submit():
        return _index_page(form, 400)
    user = current_user()
    assert user is not None
    options = form.options()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    name = f"survey-anonymised-{stamp}.{options.file_format}"
    folder = Path(tempfile.mkdtemp(prefix="survey-export-"))
    try:
        result = export_anonymised(db.session(), folder / name, options, actor=user.email, user_id=user.id)
        package = folder / f"{name}.zip"
        with zipfile.ZipFile(package, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in (result.path, result.codebook_json, result.codebook_markdown):
                archive.write(path, arcname=path.name)
        response = send_file(package, mimetype="application/zip", as_attachment=True, download_name=package.name)
    except ExportError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return _index_page(form, 422, str(exc))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    response.call_on_close(lambda: shutil.rmtree(folder, ignore_errors=True))
    return response


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
