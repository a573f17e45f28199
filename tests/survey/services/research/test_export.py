"""The anonymised research export, checked on real exports of a seeded, skewed database.

k-anonymity (and l-diversity) are verified with pycanon, an implementation independent of ours, on the file as
a researcher reads it back (pandas for CSV, pyarrow for Parquet).
"""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from pycanon import anonymity
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEntry, Invitation, Office, Procedure, Response
from survey.services.research.export import ExportError, ExportOptions, export_anonymised
from tests.conftest import fresh_database_url, make_app
from tests.survey.datasets.research import (
    PII_STRINGS,
    RARE,
    quasi_identifiers,
    read_codebook,
    read_export,
    response_count,
    seed_skewed,
)

CONTRACT_KEYS = {"name", "type", "label_vi", "label_en", "values", "role"}
NEVER_EXPORTED = {"id", "created_at", "submission_key", "office_id", "procedure_id", "questionnaire_version_id",
                  "invitation_id", "token_id", "dossier_hash", "contact", "is_demo", "response_id"}  # fmt: skip


@pytest.fixture(scope="module")
def seeded_sqlite(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The skewed data seeded once into a SQLite file; each test works on a copy."""
    folder = tmp_path_factory.mktemp("research-seeded")
    path = folder / "seeded.db"
    shutil.copyfile(sqlite_template, path)
    app = make_app(f"sqlite:///{path}", folder)
    with app.app_context():
        seed_skewed(db.session)
        db.session.remove()
        db.engine.dispose()
    return path


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    backend = request.getfixturevalue("backend") if "backend" in request.fixturenames else "sqlite"
    if backend == "sqlite":
        copy = tmp_path / "survey.db"
        shutil.copyfile(request.getfixturevalue("seeded_sqlite"), copy)
        return f"sqlite:///{copy}"
    return fresh_database_url(request, backend, tmp_path)


@pytest.fixture
def seeded(session):
    if response_count(session) == 0:  # PostgreSQL: a fresh database for each test
        seed_skewed(session)
    return session


def export(session, tmp_path: Path, name: str = "x.csv", **options) -> tuple[Path, object]:
    out = tmp_path / name
    result = export_anonymised(session, out, ExportOptions(**options), actor="test")
    return out, result


def assert_k_anonymous(frame: pd.DataFrame, quasi: list[str], k: int) -> None:
    assert len(frame) > 0
    assert anonymity.k_anonymity(frame, quasi) >= k
    assert frame.groupby(quasi).size().min() >= k  # the same property, counted plainly


ALL_QUASI = ("month", "office", "procedure", "channel", "age_band", "sex", "language")


@pytest.mark.parametrize(
    ("file_format", "k", "quasi"),
    [
        ("csv", 2, None),
        ("parquet", 2, None),
        ("csv", 5, None),
        ("parquet", 5, None),
        ("csv", 10, None),
        ("parquet", 10, ALL_QUASI),
        ("csv", 5, ALL_QUASI),
        ("parquet", 5, ("month", "office", "procedure", "channel")),
        ("csv", 3, ("office", "procedure")),
    ],
)
def test_exports_are_k_anonymous_by_an_independent_check(seeded, tmp_path, file_format, k, quasi) -> None:
    out, result = export(seeded, tmp_path, f"x.{file_format}", file_format=file_format, k=k, quasi=quasi)
    frame = read_export(out)
    quasi_found = quasi_identifiers(read_codebook(out))
    assert quasi_found == list(quasi or ("month", "office", "procedure", "age_band", "sex"))
    assert read_codebook(out)["quasi_identifiers"] == quasi_found
    assert not set(ALL_QUASI) - set(quasi_found) & set(frame.columns)  # a quasi-identifier not chosen is not there
    quasi = quasi_found
    assert_k_anonymous(frame, quasi, k)
    for subset in (
        (quasi[:2], quasi[1:4], quasi[-2:]) if len(quasi) > 2 else ()
    ):  # any subset of a k-anonymous QI set is k-anonymous too
        assert anonymity.k_anonymity(frame, subset) >= k
    total = response_count(seeded)
    assert result.rows_total == total
    assert result.rows_written == len(frame) == total - result.rows_dropped
    assert result.rows_dropped < 0.10 * total


@pytest.mark.parametrize("l_value", [2, 3])
def test_l_diversity_on_the_rating_holds_when_asked(seeded, tmp_path, l_value) -> None:
    out, result = export(seeded, tmp_path, k=5, l_diversity=l_value)
    frame = read_export(out)
    quasi = quasi_identifiers(read_codebook(out))
    assert_k_anonymous(frame, quasi, 5)
    assert anonymity.l_diversity(frame, quasi, ["rating"]) >= l_value
    assert result.rows_dropped < 0.10 * result.rows_total


def test_export_on_both_databases(backend, seeded, tmp_path) -> None:
    for file_format in ("csv", "parquet"):
        out, result = export(seeded, tmp_path, f"x.{file_format}", file_format=file_format, k=5)
        frame = read_export(out)
        assert_k_anonymous(frame, quasi_identifiers(read_codebook(out)), 5)
        assert len(frame) == result.rows_written
        assert result.rows_dropped < 0.10 * result.rows_total


def test_rare_procedures_are_published_as_their_field_and_the_rest_keep_their_code(seeded, tmp_path) -> None:
    out, _ = export(seeded, tmp_path, k=5, quasi=("month", "office", "procedure"))
    frame = read_export(out)
    procedures = set(frame["procedure"])
    pairs = seeded.execute(select(Office.code, Procedure.code).join(Response.office).join(Response.procedure))
    stored = Counter((office, procedure) for office, procedure in pairs)
    published = frame.groupby(["office", "procedure"]).size()
    for (office, procedure), rows in published.items():
        if (office, procedure) in stored:  # both at their finest level: the pair is really that common
            assert stored[office, procedure] >= max(rows, 5)
    rare = [(office, procedure) for office, procedure, _ in RARE if stored[office, procedure] < 5]
    assert rare and not any(pair in published.index for pair in rare)
    fields = dict(seeded.execute(select(Procedure.code, Procedure.field)).all())
    assert procedures <= set(fields) | set(fields.values()) | {"khác"}
    assert (frame["procedure"].isin(list(fields))).mean() >= 0.90  # the bar: a rare procedure costs only itself
    codebook = read_codebook(out)
    labels = next(c for c in codebook["columns"] if c["name"] == "procedure")["values"]
    for value in procedures - set(fields):
        assert labels[value].startswith("Lĩnh vực") or value == "khác"  # fields are explained in the codebook
    assert "mix levels" in Path(f"{out}.codebook.md").read_text("utf-8")


def test_codebook_matches_the_columns(seeded, tmp_path) -> None:
    for name, file_format in (("x.csv", "csv"), ("x.parquet", "parquet")):
        out, result = export(seeded, tmp_path, name, file_format=file_format, k=5)
        codebook = read_codebook(out)
        header = list(read_export(out).columns)
        if file_format == "parquet":
            assert pq.read_schema(out).names == header
        assert [column["name"] for column in codebook["columns"]] == header
        frame = read_export(out)
        for column in codebook["columns"]:
            assert set(column) == CONTRACT_KEYS
            assert column["role"] in {"quasi_identifier", "sensitive", "other"}
            assert column["type"] in {"string", "integer", "boolean"}
            assert column["label_vi"] and column["label_en"]
            if column["role"] == "quasi_identifier":  # every code in the file is explained
                assert set(frame[column["name"]]) - {""} <= set(column["values"])
        assert {c["name"]: c["role"] for c in codebook["columns"]}["rating"] == "sensitive"
        assert codebook["k"] == 5 and codebook["rows_dropped"] == result.rows_dropped
        assert codebook["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
        markdown = Path(f"{out}.codebook.md").read_text("utf-8")
        assert "k = 5" in markdown and f"{result.rows_dropped:,} dropped" in markdown
        assert "Satisfied = rating 4 or 5" in markdown
        for column, level in codebook["generalisation"].items():
            assert f"| {column} | {level} |" in markdown
        assert codebook["levels"] == result.recoding.level_rows
        assert sum(codebook["levels"]["office"].values()) == result.rows_written


def _all_text(path: Path) -> str:
    if path.suffix == ".parquet":
        return read_export(path).to_csv(index=False)
    return path.read_text("utf-8")


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
@pytest.mark.parametrize("text", ["redacted", "drop"])
def test_personal_data_in_comments_never_appears(seeded, tmp_path, file_format, text) -> None:
    raw = seeded.scalar(select(Response.comment).where(Response.comment.contains(PII_STRINGS[2])))
    assert raw is not None  # the old, unredacted comment is really in the database
    out, _ = export(seeded, tmp_path, f"x.{file_format}", file_format=file_format, k=5, text=text)
    everything = _all_text(out) + Path(f"{out}.codebook.json").read_text("utf-8")
    for secret in PII_STRINGS:
        assert secret not in everything
    if text == "redacted":
        comments = read_export(out)["comment"]
        assert comments.str.contains("[SĐT]", regex=False).any()  # the rows are there, redacted
        assert comments.str.contains("[CCCD]", regex=False).any()
        assert comments.str.contains("[EMAIL]", regex=False).any()
    else:
        assert "comment" not in read_export(out).columns


def test_no_internal_ids_or_link_data_in_the_export(seeded, tmp_path) -> None:
    out, _ = export(seeded, tmp_path, k=5)
    frame = read_export(out)
    assert not set(frame.columns) & NEVER_EXPORTED
    assert frame["row_id"].is_unique and frame["row_id"].str.fullmatch(r"[0-9a-f]{16}").all()
    ids = {str(i) for i in seeded.scalars(select(Response.id))}
    assert not set(frame["row_id"]) & ids
    assert frame["month"].str.fullmatch(r"\d{4}(-\d{2}|-Q[1-4])?|\*").all()  # no day, no time
    tokens = list(seeded.scalars(select(Invitation.token_id)))
    text = out.read_text("utf-8")
    assert all(token not in text for token in tokens)
    again, _ = export(seeded, tmp_path, "y.csv", k=5)
    assert not set(read_export(again)["row_id"]) & set(frame["row_id"])  # ids differ in every export


def test_period_filter_and_summary(seeded, tmp_path) -> None:
    _out, result = export(seeded, tmp_path, k=5, month_from="2025-02", month_to="2025-04")
    in_period = seeded.scalar(select(func.count()).where(Response.month >= "2025-02", Response.month <= "2025-04"))
    assert result.rows_total == in_period
    assert any("anonymous" in line for line in result.summary)
    with pytest.raises(ExportError, match="no responses"):
        export(seeded, tmp_path, "z.csv", k=5, month_from="2030-01")
    assert not list(tmp_path.glob("z.csv*")) and not list(tmp_path.glob(".z.csv*"))


def test_each_export_is_audited_with_the_file_hash(seeded, tmp_path) -> None:
    out, result = export(seeded, tmp_path, k=5, text="drop")
    entry = seeded.scalars(select(AuditEntry).where(AuditEntry.action == "research.export")).one()
    assert entry.actor == "test" and entry.target == "x.csv"
    assert entry.details["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest() == result.sha256
    assert entry.details["rows_written"] == result.rows_written
    assert entry.details["k"] == 5 and entry.details["text"] == "drop"


# --- the command -------------------------------------------------------------------------------------------


def test_command_writes_the_file_codebooks_and_a_summary(seeded, runner, tmp_path) -> None:
    out = tmp_path / "survey.parquet"
    result = runner.invoke(args=["export-anonymised", "--out", str(out), "--format", "parquet", "--k", "5"])
    assert result.exit_code == 0, result.output
    assert out.exists() and Path(f"{out}.codebook.json").exists() and Path(f"{out}.codebook.md").exists()
    assert "Wrote" in result.output and "dropped" in result.output and "5-anonymous" in result.output
    assert_k_anonymous(read_export(out), quasi_identifiers(read_codebook(out)), 5)


def test_command_defaults_are_csv_and_k_5(seeded, runner, tmp_path) -> None:
    out = tmp_path / "survey.csv"
    result = runner.invoke(args=["export-anonymised", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert read_codebook(out)["k"] == 5 and read_codebook(out)["format"] == "csv"
    assert out.read_text("utf-8").startswith("row_id,month,office,procedure,age_band,sex,service_mode,")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--k", "1"], "at least 2"),
        (["--k", "0"], "at least 2"),
        (["--format", "xlsx"], "xlsx"),
        (["--text", "keep"], "keep"),
        (["--from", "2025-13"], "YYYY-MM"),
        (["--from", "2025-05", "--to", "2025-01"], "after it ends"),
        (["--l-diversity", "9"], "between 2 and 5"),
        (["--quasi", "office,dossier"], "dossier: not a quasi-identifier"),
        (["--columns", "rating,contact"], "contact: not a column"),
        (["--quasi", "office", "--columns", "month,rating"], "month is a quasi-identifier"),
        (["--quasi", ","], "at least one quasi-identifier"),
    ],
)
def test_command_refuses_bad_arguments_and_leaves_no_file(seeded, runner, tmp_path, arguments, message) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    result = runner.invoke(args=["export-anonymised", "--out", str(folder / "bad.csv"), *arguments])
    assert result.exit_code != 0
    assert message in result.output
    assert list(folder.iterdir()) == []


def test_command_refuses_an_unwritable_path(seeded, runner, tmp_path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    result = runner.invoke(args=["export-anonymised", "--out", str(exports / "no-such-folder" / "x.csv")])
    assert result.exit_code != 0 and "does not exist" in result.output
    folder = exports / "a-folder.csv"
    folder.mkdir()
    result = runner.invoke(args=["export-anonymised", "--out", str(folder)])
    assert result.exit_code != 0
    assert list(exports.iterdir()) == [folder] and list(folder.iterdir()) == []


def test_a_failure_midway_leaves_no_partial_file(seeded, tmp_path, monkeypatch) -> None:
    from survey.services.research import export as research_export

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(research_export, "build_codebook", broken)
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(RuntimeError):
        export(seeded, folder, k=5)
    assert list(folder.iterdir()) == []
    assert seeded.scalar(select(AuditEntry.id).where(AuditEntry.action == "research.export")) is None
