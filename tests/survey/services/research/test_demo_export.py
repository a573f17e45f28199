"""The research export on 20,000 demo responses with the default columns and k = 5: k-anonymous by an independent
check (pycanon), yet still per procedure, province and quarter — the questions researchers ask first."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from pycanon import anonymity
from sqlalchemy import func, select

from analysis.satisfaction import is_satisfied
from survey.extensions import db
from survey.models import Office, Procedure, Response
from survey.services.demo.seed import seed_demo
from survey.services.research.export import ExportOptions, export_anonymised, preview_export
from tests.conftest import make_app
from tests.survey.datasets.research import quasi_identifiers, read_codebook, read_export

RESPONSES = 20_000
MONTH_OR_QUARTER = re.compile(r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$")


@pytest.fixture(scope="module")
def demo_sqlite(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("research-demo")
    path = folder / "demo.db"
    shutil.copyfile(sqlite_template, path)
    app = make_app(f"sqlite:///{path}", folder)
    with app.app_context():
        seed_demo(db.session, responses=RESPONSES, seed=2025, months=12)
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture
def database_url(demo_sqlite: Path, tmp_path: Path) -> str:
    copy = tmp_path / "survey.db"
    shutil.copyfile(demo_sqlite, copy)
    return f"sqlite:///{copy}"


@pytest.fixture(scope="module")
def exported(demo_sqlite: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One default export (CSV, k = 5) of the demo database, with the catalog to judge it by."""
    folder = tmp_path_factory.mktemp("research-demo-export")
    app = make_app(f"sqlite:///{demo_sqlite}", folder)
    with app.app_context():
        out = folder / "demo.csv"
        result = export_anonymised(db.session, out, ExportOptions(), actor="test")
        offices = dict(db.session.execute(select(Office.code, Office.province_code)).all())
        procedures = set(db.session.scalars(select(Procedure.code)))
        months = db.session.execute(select(func.min(Response.month), func.max(Response.month))).one()
        rows = db.session.execute(
            select(Procedure.code, Office.province_code, Response.rating).join(Response.procedure).join(Response.office)
        ).all()
        db.session.remove()
        db.engine.dispose()
    return out, result, offices, procedures, tuple(months), rows


def test_default_export_is_k_anonymous_and_keeps_procedure_province_and_quarter(exported) -> None:
    out, result, offices, procedures, _months, _rows = exported
    frame = read_export(out)
    codebook = read_codebook(out)
    quasi = quasi_identifiers(codebook)
    assert quasi == codebook["quasi_identifiers"] == ["month", "office", "procedure", "age_band", "sex"]
    assert anonymity.k_anonymity(frame, quasi) >= 5
    assert result.rows_total == RESPONSES and len(frame) == result.rows_written
    kept_procedure = frame["procedure"].isin(list(procedures)).sum()
    province_or_finer = frame["office"].isin([*offices, *offices.values()]).sum()
    print(f"procedure kept {kept_procedure / RESPONSES:.3f}, province or finer {province_or_finer / RESPONSES:.3f}, "
          f"dropped {result.rows_dropped / RESPONSES:.3f}")  # fmt: skip
    assert kept_procedure >= 0.90 * RESPONSES  # not `*`, not `khác`, not a field
    assert province_or_finer >= 0.95 * RESPONSES
    assert frame["month"].str.fullmatch(MONTH_OR_QUARTER).all()  # no year, no `*`
    assert result.rows_dropped <= 0.05 * RESPONSES


def test_codebook_gives_the_period_as_dates_and_how_much_was_generalised(exported) -> None:
    out, result, _offices, _procedures, (first, last), _rows = exported
    codebook = read_codebook(out)
    assert codebook["period"]["first_month"] == first and codebook["period"]["last_month"] == last
    assert codebook["period"]["from"] == f"{first}-01"
    assert codebook["period"]["to"].startswith(last) and codebook["period"]["to"][-2:] in {"28", "29", "30", "31"}
    markdown = Path(f"{out}.codebook.md").read_text("utf-8")
    assert "first month" not in markdown and f"(1 {_month_name(int(first[5:]))} {first[:4]})" in markdown
    assert f"{codebook['information_loss']:.3f}" in markdown and "## How to cite" in markdown
    assert codebook["sha256"][:16] in codebook["citation"] and codebook["period"]["from"] in codebook["citation"]
    for name in codebook["quasi_identifiers"]:
        levels = codebook["levels"][name]
        assert sum(levels.values()) == result.rows_written  # every kept row is at one level of every column
        for level, rows in levels.items():
            if rows:
                assert f"{level} {100 * rows / result.rows_total:.1f} %" in markdown


def _month_name(number: int) -> str:
    return ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December")[number - 1]  # fmt: skip


def test_a_researchers_question_gets_the_databases_answer(exported) -> None:
    """The satisfied share of one procedure in one province, from the file alone, equals the database's."""
    out, _result, offices, _procedures, _months, rows = exported
    frame = read_export(out)
    stored = Counter((procedure, province) for procedure, province, _ in rows)
    (procedure, province), n = stored.most_common(1)[0]
    satisfied = sum(is_satisfied(rating) for p, v, rating in rows if (p, v) == (procedure, province))
    in_file = frame[
        (frame["procedure"] == procedure)
        & frame["office"].map(lambda code: offices.get(code, code) == province)  # an office, or the province itself
    ]
    assert len(in_file) == n  # every one of these rows kept its procedure and at least its province
    assert (in_file["satisfied"] == "true").sum() == satisfied
    assert (in_file["rating"].astype(int) >= 4).mean() == pytest.approx(satisfied / n)


def test_the_preview_is_the_files_plan_and_writes_nothing(session, tmp_path) -> None:
    preview = preview_export(session, ExportOptions())
    assert not [path for path in tmp_path.rglob("*") if not path.name.startswith("survey.db")]  # nothing written
    out = tmp_path / "x.csv"
    result = export_anonymised(session, out, ExportOptions(), actor="test")
    assert preview.rows_dropped == result.rows_dropped
    assert preview.recoding.level_rows == result.recoding.level_rows
    shares = dict(preview.levels()["procedure"])
    assert shares["procedure"] == pytest.approx(read_export(out)["procedure"].str.match(r"^\d\.\d{6}").mean())


def test_fewer_quasi_identifiers_keep_more_detail(session) -> None:
    everything = preview_export(session, ExportOptions(quasi=("month", "office", "procedure", "channel", "age_band",
                                                                "sex", "language")))  # fmt: skip
    three = preview_export(session, ExportOptions(quasi=("month", "office", "procedure")))
    for name in ("month", "office", "procedure"):
        assert three.recoding.share_at_or_below(name, 0) >= everything.recoding.share_at_or_below(name, 0)
    assert three.recoding.information_loss < everything.recoding.information_loss
