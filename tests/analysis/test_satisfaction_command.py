"""`python -m analysis satisfaction`: the DESIGN.md §5 contract, run in-process on generated CSV files."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from analysis.__main__ import main
from analysis.satisfaction import summarise_counts

OUTPUT_COLUMNS = ["n", "satisfied", "share", "ci_low", "ci_high", "status"]
OFFICES = ["79.01", "01.02", "48.03"]
PROCEDURES = [unicodedata.normalize("NFC", name) for name in ("Đăng ký khai sinh", "Chứng thực chữ ký")]
INVALID_RATINGS = ["", "0", "6", "4.5", "rất tốt", " ", "-1", "4.0"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["satisfaction", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def survey_csv(tmp_path: Path) -> tuple[Path, Counter[tuple[str, str]], Counter[tuple[str, str]], int]:
    """A CSV of responses from a fixed seed, with the valid n and satisfied counts per (office, procedure)."""
    rng = np.random.default_rng(20250701)
    rows: list[dict[str, str]] = []
    answered: Counter[tuple[str, str]] = Counter()
    satisfied: Counter[tuple[str, str]] = Counter()
    groups = [(office, procedure) for office in OFFICES for procedure in PROCEDURES]
    chances = [0.97, 0.92, 0.75, 0.90, 0.95, 0.85]  # above, near and below the 90 % target
    for (office, procedure), chance_satisfied in zip(groups, chances, strict=True):
        size = 12 if office == "48.03" and procedure == PROCEDURES[1] else int(rng.integers(40, 400))
        for _ in range(size):
            rating = int(rng.integers(4, 6) if rng.random() < chance_satisfied else rng.integers(1, 4))
            rows.append({"office": office, "procedure": procedure, "rating": str(rating)})
            answered[office, procedure] += 1
            satisfied[office, procedure] += rating >= 4
    for index, bad in enumerate(INVALID_RATINGS):
        rows.append({"office": OFFICES[index % 3], "procedure": PROCEDURES[0], "rating": bad})
    order = rng.permutation(len(rows))
    path = tmp_path / "responses.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["office", "procedure", "rating"])
        writer.writeheader()
        writer.writerows(rows[i] for i in order)
    return path, answered, satisfied, len(INVALID_RATINGS)


def expected_status(n: int, low: float, high: float, target: float, min_n: int) -> str:
    if n < min_n:
        return "too_few"
    return "met" if low >= target else "not_met" if high < target else "cant_tell"


@pytest.mark.parametrize(("target", "min_n"), [(0.9, 30), (0.8, 100)])
def test_csv_output_matches_statsmodels_per_group(
    survey_csv: tuple[Path, Counter, Counter, int],
    capsys: pytest.CaptureFixture[str],
    target: float,
    min_n: int,
) -> None:
    path, answered, satisfied, invalid = survey_csv
    code, out, err = run(
        [str(path), "--group-by", "office,procedure", "--target", str(target), "--min-n", str(min_n)], capsys
    )
    assert code == 0
    assert err.strip().splitlines() == [
        f"warning: skipped {invalid} row(s) whose rating is not a whole number from 1 to 5"
    ]
    reader = csv.DictReader(io.StringIO(out))
    assert reader.fieldnames == ["office", "procedure", *OUTPUT_COLUMNS]
    rows = list(reader)
    keys = [(row["office"], row["procedure"]) for row in rows]
    assert keys == sorted(answered)
    statuses = set()
    for row in rows:
        key = (row["office"], row["procedure"])
        n, count = int(row["n"]), int(row["satisfied"])
        assert (n, count) == (answered[key], satisfied[key])
        low, high = float(row["ci_low"]), float(row["ci_high"])
        assert (low, high) == pytest.approx(proportion_confint(count, n, method="wilson"), abs=1e-9, rel=0)
        assert float(row["share"]) == count / n
        assert row["status"] == expected_status(n, low, high, target, min_n)
        statuses.add(row["status"])
    assert "too_few" in statuses and len(statuses) >= 3  # the fixture exercises several rules


def test_floats_are_printed_at_full_precision(
    survey_csv: tuple[Path, Counter, Counter, int], capsys: pytest.CaptureFixture[str]
) -> None:
    path, answered, satisfied, _ = survey_csv
    _, out, _ = run([str(path), "--group-by", "office,procedure"], capsys)
    for row in csv.DictReader(io.StringIO(out)):
        key = (row["office"], row["procedure"])
        summary = summarise_counts(answered[key], satisfied[key])
        assert float(row["ci_low"]) == summary["ci_low"]  # exact: the printed repr round-trips
        assert row["ci_high"] == repr(summary["ci_high"])


def test_json_output_has_the_same_numbers(
    survey_csv: tuple[Path, Counter, Counter, int], capsys: pytest.CaptureFixture[str]
) -> None:
    path, answered, satisfied, _ = survey_csv
    code, out, _ = run([str(path), "--group-by", "office,procedure", "--format", "json"], capsys)
    assert code == 0
    records = json.loads(out)
    assert [(r["office"], r["procedure"]) for r in records] == sorted(answered)
    for record in records:
        assert list(record) == ["office", "procedure", *OUTPUT_COLUMNS]
        key = (record["office"], record["procedure"])
        assert record == {
            "office": key[0],
            "procedure": key[1],
            **summarise_counts(answered[key], satisfied[key]),
        }
    assert "Đăng ký khai sinh" in out  # Vietnamese kept as text, not \u escapes


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_group_whose_ratings_are_all_invalid_still_appears_with_empty_share(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "a.csv", "office,rating\n79.01,5\n01.02,\n01.02,rất tốt\n")
    code, out, err = run([str(path), "--group-by", "office"], capsys)
    assert code == 0
    assert out.splitlines() == [
        "office,n,satisfied,share,ci_low,ci_high,status",
        "01.02,0,0,,,,too_few",
        "79.01,1,1,1.0,0.20654931437723745,1.0,too_few",
    ]
    assert "skipped 2 row(s)" in err


def test_no_warning_when_every_rating_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "a.csv", "\ufeffoffice,rating\n79.01,5\n79.01, 4 \n")  # BOM from Excel
    code, out, err = run([str(path), "--group-by", "office"], capsys)
    assert (code, err) == (0, "")
    assert out.splitlines()[1].startswith("79.01,2,2,1.0,")


@pytest.mark.parametrize(
    ("content", "argv", "message"),
    [
        (None, ["--group-by", "office"], "no such file"),
        ("office,score\n79.01,5\n", ["--group-by", "office"], "missing column(s) rating"),
        ("office,rating\n79.01,5\n", ["--group-by", "office,channel"], "missing column(s) channel"),
        ("office,rating\n79.01,5\n", ["--group-by", "office,"], "--group-by"),
        ("office,rating\n79.01,5\n", ["--group-by", "office,office"], "twice"),
        ("office,n,rating\n79.01,1,5\n", ["--group-by", "n"], "output already has a column"),
        ("office,rating\n79.01,5\n", ["--group-by", "office", "--target", "0"], "--target"),
        ("office,rating\n79.01,5\n", ["--group-by", "office", "--target", "1"], "--target"),
        ("office,rating\n79.01,5\n", ["--group-by", "office", "--target", "90"], "--target"),
        ("office,rating\n79.01,5\n", ["--group-by", "office", "--target", "nan"], "--target"),
        ("office,rating\n79.01,5\n", ["--group-by", "office", "--min-n", "0"], "--min-n"),
        ("", ["--group-by", "office"], "empty"),
    ],
)
def test_bad_input_gives_a_clear_message_and_non_zero_exit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, argv: list[str], message: str
) -> None:
    path = tmp_path / "input.csv"
    if content is not None:
        write(path, content)
    code, out, err = run([str(path), *argv], capsys)
    assert code != 0
    assert out == ""
    assert message in err


def windows_1258(text: str) -> bytes:
    """Encode as old Vietnamese office software does: a letter, then a combining tone mark if it has one."""
    encoded = b""
    for char in text:
        try:
            encoded += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            letter, tone = unicodedata.normalize("NFC", decomposed[:-1]), decomposed[-1]
            encoded += letter.encode("cp1258") + tone.encode("cp1258")
    return encoded


def test_non_utf8_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cp1258.csv"
    path.write_bytes(windows_1258("office,procedure,rating\n79.01,Thủ tục đăng ký khai sinh rất nhanh,5\n"))
    code, out, err = run([str(path), "--group-by", "office"], capsys)
    assert code != 0 and out == ""
    assert "not UTF-8" in err


@pytest.mark.parametrize("argv", [["--target", "high"], ["--min-n", "3.5"], ["--format", "xlsx"], []])
def test_malformed_arguments_exit_non_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    path = write(tmp_path / "a.csv", "office,rating\n79.01,5\n")
    group_by = ["--group-by", "office"] if argv else []
    with pytest.raises(SystemExit) as exit_info:
        main(["satisfaction", str(path), *group_by, *argv])
    assert exit_info.value.code != 0
    assert "error:" in capsys.readouterr().err
