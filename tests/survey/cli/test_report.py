"""`flask report` keeps the DESIGN.md §5 contract in all three formats."""

from __future__ import annotations

import csv
import io
import json

import pytest
from statsmodels.stats.proportion import proportion_confint

from survey.services.demo.seed import seed_demo

KEYS = ["n", "satisfied", "share", "ci_low", "ci_high", "status"]


@pytest.fixture
def seeded(session):
    seed_demo(session, responses=2500, seed=9)


@pytest.mark.parametrize("group_by", ["procedure", "office", "month", "channel"])
def test_json_objects_carry_the_group_code_and_the_statistics(runner, seeded, group_by):
    result = runner.invoke(args=["report", "--group-by", group_by, "--format", "json", "--min-n", "20"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and all(list(row) == [group_by, *KEYS] for row in rows)
    for row in rows:
        low, high = proportion_confint(row["satisfied"], row["n"], method="wilson")
        assert row["ci_low"] == pytest.approx(low, abs=1e-9) and row["ci_high"] == pytest.approx(high, abs=1e-9)
        expected = "too_few" if row["n"] < 20 else "met" if low >= 0.9 else "not_met" if high < 0.9 else "cant_tell"
        assert row["status"] == expected
    assert sum(row["n"] for row in rows) == 2500


def test_csv_has_the_group_key_first(runner, seeded):
    result = runner.invoke(args=["report", "--group-by", "office", "--format", "csv", "--target", "0.8"])
    assert result.exit_code == 0, result.output
    reader = csv.DictReader(io.StringIO(result.output))
    assert reader.fieldnames == ["office", *KEYS]
    rows = list(reader)
    assert any(row["office"] == "79.01" for row in rows)


def test_table_is_readable(runner, seeded):
    result = runner.invoke(args=["report"])
    assert result.exit_code == 0
    assert "Đăng ký khai sinh" in result.output and "95% CI" in result.output


def test_verified_only_counts_fewer(runner, seeded):
    everything = json.loads(runner.invoke(args=["report", "--group-by", "channel", "--format", "json"]).output)
    verified = json.loads(
        runner.invoke(args=["report", "--group-by", "channel", "--format", "json", "--verified-only"]).output
    )
    assert sum(r["n"] for r in verified) < sum(r["n"] for r in everything)
    assert {r["channel"] for r in verified} <= {"qr", "sms", "kiosk", "online"}


@pytest.mark.parametrize(
    "args",
    [
        ["--group-by", "province"],
        ["--target", "90"],
        ["--target", "0"],
        ["--min-n", "0"],
        ["--format", "xml"],
    ],
)
def test_bad_arguments_fail_clearly(runner, args):
    result = runner.invoke(args=["report", *args])
    assert result.exit_code == 2
    assert "Invalid value" in result.output


def test_empty_database_reports_nothing(runner):
    result = runner.invoke(args=["report", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.output) == []
