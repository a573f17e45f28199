"""Aggregate tables: figures from the rollups equal a hand count over the responses, cells under min-n are hidden,
and no hidden cell can be recomputed from the published cells and totals (checked by linear algebra, a method
independent of the graph rule the service uses)."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from analysis.periods import quarter_of
from analysis.satisfaction import wilson_interval
from survey.models import AuditEntry, Office, Procedure, Response
from survey.services.research.aggregates import TableOptions, build_table, export_aggregates
from survey.services.research.plan import ExportError
from survey.services.research.suppression import TOTAL, bridges, lines_of, suppress
from tests.factories import make_responses
from tests.survey.datasets.research import seed_skewed


@pytest.fixture
def seeded(session):
    seed_skewed(session, demo_responses=3000, huge=1500)
    return session


def hand_counts(session, first: str, second: str | None):  # type: ignore[no-untyped-def]
    """n and satisfied per cell, counted over the responses themselves (not the rollups)."""
    rows = session.execute(
        select(Procedure.code, Office.code, Office.province_code, Response.month, Response.channel, Response.rating)
        .join(Response.procedure)
        .join(Response.office)
    ).all()
    n: Counter[tuple[str, ...]] = Counter()
    satisfied: Counter[tuple[str, ...]] = Counter()
    for procedure, office, province, month, channel, rating in rows:
        values = {"procedure": procedure, "office": office, "province": province, "month": month,
                  "quarter": quarter_of(month), "channel": channel}  # fmt: skip
        key = (values[first],) if second is None else (values[first], values[second])
        n[key] += 1
        satisfied[key] += rating >= 4
    return n, satisfied


def recoverable(table) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    """Hidden entries whose value follows from the published ones: e_j lies in the row space of the equations."""
    entries = {row.keys: row for row in table.rows}
    hidden = [key for key, row in entries.items() if row.suppressed]
    rows = sorted({row.keys[0] for row in table.cells})
    columns = sorted({row.keys[1] for row in table.cells}) if len(table.by) == 2 else None
    index = {key: i for i, key in enumerate(hidden)}
    equations = []
    for line in lines_of(rows, columns):
        unknown = [key for key in line if key in index]
        if unknown:
            vector = np.zeros(len(hidden))
            for key in unknown:  # cells minus total = 0; the sign does not change which cells are determined
                vector[index[key]] = -1.0 if TOTAL in key and key == line[-1] else 1.0
            equations.append(vector)
    if not equations:
        return []
    matrix = np.array(equations)
    rank = np.linalg.matrix_rank(matrix)
    found = []
    for key, position in index.items():
        unit = np.zeros(len(hidden))
        unit[position] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.append(key)
    return found


TABLES = [("procedure", "province"), ("office", "quarter"), ("procedure", "channel"), ("procedure", None),
          ("month", "province")]  # fmt: skip


@pytest.mark.parametrize(("first", "second"), TABLES)
def test_figures_equal_a_hand_count_and_no_hidden_cell_can_be_recomputed(seeded, first, second) -> None:
    options = TableOptions(by=(first,) if second is None else (first, second), min_n=10)
    table = build_table(seeded, options)
    n, satisfied = hand_counts(seeded, first, second)
    assert {row.keys: row.n for row in table.cells} == dict(n)
    assert {row.keys: row.satisfied for row in table.cells} == dict(satisfied)
    for row in table.rows:
        if row.n < 10:
            assert row.suppressed and row.share is None  # every small cell and total is hidden
        if not row.suppressed:
            assert row.share == pytest.approx(row.satisfied / row.n)
            assert row.interval == pytest.approx(wilson_interval(row.satisfied, row.n))
    grand = next(row for row in table.totals if set(row.keys) == {TOTAL})
    assert grand.n == sum(n.values()) and not grand.suppressed  # the totals are published
    assert table.suppressed_primary > 0 or second is None
    assert recoverable(table) == []


def test_the_line_rule_alone_would_leave_a_bridge_and_the_service_closes_it() -> None:
    """Two hidden rectangles joined through one row: every line has 0 or 2+ hidden cells, yet one cell is solvable."""
    n = {(r, c): 50 for r in "abcd" for c in "wxyz"}
    for cell in [("a", "w"), ("a", "x"), ("b", "w"), ("b", "x"), ("c", "y"), ("c", "z"), ("d", "y"), ("d", "z")]:
        n[cell] = 3
    n[("a", "y")] = 3  # the bridge: links the two rectangles, sits alone in nothing
    for r in "abcd":
        n[(r, TOTAL)] = sum(n[(r, c)] for c in "wxyz")
    for c in "wxyz":
        n[(TOTAL, c)] = sum(n[(r, c)] for r in "abcd")
    n[(TOTAL, TOTAL)] = sum(n[(r, TOTAL)] for r in "abcd")
    assert bridges({key for key, value in n.items() if value < 5}) == [("a", "y")]
    primary, complementary = suppress(n, list("abcd"), list("wxyz"), 5)
    assert ("a", "y") in primary and complementary  # more cells hidden to put (a, y) on a cycle
    assert bridges(primary | complementary) == []


def test_a_row_with_one_small_cell_hides_its_next_smallest() -> None:
    n = {("a",): 3, ("b",): 40, ("c",): 7, (TOTAL,): 50}
    primary, complementary = suppress(n, ["a", "b", "c"], None, 5)
    assert primary == {("a",)} and complementary == {("c",)}


def test_the_command_writes_the_table_and_its_codebook(seeded, runner, tmp_path) -> None:
    # A cell the demo never fills (Cần Thơ answers in a month before the demo's): two answers, under min-n 5.
    make_responses(office="92.01", procedure="1.001193", month="2024-01", ratings=[5, 2])
    out = tmp_path / "tables.csv"
    result = runner.invoke(args=["export-aggregates", "--by", "procedure,month", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "suppressed" in result.output or "hidden" in result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["procedure", "month", "n", "satisfied", "share", "ci_low", "ci_high", "suppressed"]
    n, satisfied = hand_counts(seeded, "procedure", "month")
    procedure, month = max((key for key in n if n[key] >= 5), key=lambda key: n[key])
    row = next(r for r in rows if (r["procedure"], r["month"]) == (procedure, month))
    assert int(row["n"]) == n[procedure, month] and int(row["satisfied"]) == satisfied[procedure, month]
    hidden = [r for r in rows if r["suppressed"] == "true"]
    assert hidden and all(r["n"] == r["share"] == "" for r in hidden)
    codebook = json.loads(Path(f"{out}.codebook.json").read_text("utf-8"))
    assert [c["name"] for c in codebook["columns"]] == list(rows[0])
    assert codebook["min_n"] == 5 and codebook["period"]["from"].endswith("-01") and codebook["citation"]
    procedure_labels = next(c for c in codebook["columns"] if c["name"] == "procedure")["values"]
    assert procedure_labels["1.001193"] == "Đăng ký khai sinh"
    markdown = Path(f"{out}.codebook.md").read_text("utf-8")
    assert "## How to cite" in markdown and "Wilson" in markdown
    entry = seeded.scalars(select(AuditEntry).where(AuditEntry.action == "research.aggregates")).one()
    assert entry.details["by"] == ["procedure", "month"]


def test_parquet_tables_are_typed(seeded, tmp_path) -> None:
    out = tmp_path / "t.parquet"
    export_aggregates(seeded, out, TableOptions(by=("quarter", "channel"), file_format="parquet"), actor="test")
    schema = pq.read_schema(out)
    assert schema.field("quarter").type == pa.string() and schema.field("n").type == pa.int64()
    assert schema.field("channel").type == pa.dictionary(pa.int32(), pa.string())
    assert schema.field("share").type == pa.float64() and schema.field("suppressed").type == pa.bool_()
    by_quarter = defaultdict(int)
    for row in pq.read_table(out).to_pylist():
        if row["channel"] == TOTAL and row["quarter"] != TOTAL:
            by_quarter[row["quarter"]] = row["n"]
    assert sum(by_quarter.values()) == seeded.query(Response).count()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--by", "office,province"], "same thing at two levels"),
        (["--by", "procedure,office,month"], "one or two"),
        (["--by", "dossier"], "one or two"),
        (["--by", "procedure", "--min-n", "1"], "at least 2"),
        (["--by", "procedure", "--from", "2025-13"], "YYYY-MM"),
        (["--by", "procedure", "--from", "2031-01"], "no responses"),
    ],
)
def test_the_command_refuses_bad_arguments(seeded, runner, tmp_path, arguments, message) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    result = runner.invoke(args=["export-aggregates", "--out", str(folder / "t.csv"), *arguments])
    assert result.exit_code != 0 and message in result.output
    assert list(folder.iterdir()) == []


def test_an_empty_period_is_an_error(seeded) -> None:
    with pytest.raises(ExportError, match="no responses"):
        build_table(seeded, TableOptions(by=("procedure",), month_from="2031-01"))


def test_tables_are_the_same_on_both_databases(backend, seeded) -> None:
    table = build_table(seeded, TableOptions(by=("procedure", "quarter"), min_n=10))
    n, satisfied = hand_counts(seeded, "procedure", "quarter")
    assert {row.keys: (row.n, row.satisfied) for row in table.cells} == {key: (n[key], satisfied[key]) for key in n}
    assert recoverable(table) == []
