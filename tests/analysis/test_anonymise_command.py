"""`python -m analysis anonymise`, run in-process: outputs checked with pycanon, bad input refused."""

from __future__ import annotations

import csv
import random
import unicodedata
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from pycanon import anonymity

from analysis.__main__ import main

AGE_BANDS = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
OFFICES = {
    "UBND phường Bến Thành": ("79", 30),
    "UBND phường Sài Gòn": ("79", 25),
    "UBND phường Hoàn Kiếm": ("01", 20),
    "UBND phường Ba Đình": ("01", 12),
    "UBND xã Côn Đảo": ("79", 2),
    "UBND phường Hải Châu": ("48", 6),
    "UBND xã Mường Nhé": ("11", 1),
    "UBND phường Tân An": ("96", 1),
}
REGION = {"79": "DNB", "01": "DBSH", "48": "BTBDHMT", "11": "TDMNPB", "96": "DBSCL"}
COMMENTS = ["Cán bộ hướng dẫn tận tình.", "Phải đi lại nhiều lần.", "Thủ tục nhanh gọn."]


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def make_rows(*, n: int = 600, seed: int = 3) -> list[dict[str, str]]:
    rng = random.Random(seed)
    names = list(OFFICES)
    weights = [OFFICES[name][1] for name in names]
    return [
        {
            "id": str(i),
            "office": rng.choices(names, weights)[0],
            "procedure": rng.choices(["1.001193", "2.000815", "1.004222", "1.014748"], [10, 5, 3, 0.3])[0],
            "date": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "age": str(rng.randint(18, 80)),
            "age_band": rng.choice(AGE_BANDS),
            "rating": str(rng.choices([1, 2, 3, 4, 5], [1, 1, 2, 6, 8])[0]),
            "comment": rng.choice(COMMENTS),
        }
        for i in range(n)
    ]


@pytest.fixture
def input_csv(tmp_path) -> Path:
    return write_rows(tmp_path / "responses.csv", make_rows())


@pytest.fixture
def office_hierarchy(tmp_path) -> Path:
    path = tmp_path / "offices.csv"
    lines = ["office,province,region"]
    lines += [f"{name},{province},{REGION[province]}" for name, (province, _) in OFFICES.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("k", [2, 5, 10])
def test_output_is_k_anonymous_and_reports_what_changed(input_csv, tmp_path, capsys, k) -> None:
    out = tmp_path / "out.csv"
    status = main(
        [
            "anonymise",
            str(input_csv),
            "--quasi",
            "office,procedure,date,age",
            "--k",
            str(k),
            "--out",
            str(out),
        ]
    )
    assert status == 0
    rows = read_rows(out)
    assert anonymity.k_anonymity(pd.DataFrame(rows), ["office", "procedure", "date", "age"]) >= k
    assert len(rows) > 0.9 * 600
    assert set(rows[0]) == set(make_rows(n=1)[0])
    assert {row["comment"] for row in rows} <= set(COMMENTS)
    report = capsys.readouterr().err
    for column in ("office:", "procedure:", "date:", "age:"):
        assert column in report
    assert "dropped" in report and "%" in report


def test_hierarchy_file_generalises_only_the_rare_offices(input_csv, office_hierarchy, tmp_path, capsys) -> None:
    """Offices with fewer than k responses become their province or region; most rows of the busy ones keep
    their office (a few join a rare office's rows under the province, so that group reaches k)."""
    out = tmp_path / "out.csv"
    argv = ["anonymise", str(input_csv), "--quasi", "office,age_band", "--k", "10", "--out", str(out)]
    assert main([*argv, "--hierarchy", f"office={office_hierarchy}"]) == 0
    rows = read_rows(out)
    assert anonymity.k_anonymity(pd.DataFrame(rows), ["office", "age_band"]) >= 10
    published = Counter(row["office"] for row in rows)
    assert set(published) <= set(OFFICES) | set(REGION) | set(REGION.values()) | {"*"}
    responses = Counter(row["office"] for row in make_rows())
    rare = {office for office, n in responses.items() if n < 10}
    assert rare == {"UBND xã Côn Đảo", "UBND phường Tân An", "UBND xã Mường Nhé"}
    assert not rare & set(published)
    busy = sum(n for office, n in responses.items() if office not in rare)
    assert sum(published[office] for office in OFFICES) >= 2 / 3 * busy
    assert published["79"] >= responses["UBND xã Côn Đảo"]
    assert "office: office" in capsys.readouterr().err


def test_global_recoding_gives_the_whole_column_one_level(input_csv, office_hierarchy, tmp_path, capsys) -> None:
    out = tmp_path / "out.csv"
    argv = ["anonymise", str(input_csv), "--quasi", "office,age_band", "--k", "10", "--out", str(out)]
    assert main([*argv, "--hierarchy", f"office={office_hierarchy}", "--recoding", "global"]) == 0
    rows = read_rows(out)
    assert anonymity.k_anonymity(pd.DataFrame(rows), ["office", "age_band"]) >= 10
    assert {row["office"] for row in rows}.isdisjoint(OFFICES)
    assert "office: generalised to" in capsys.readouterr().err


def test_at_most_keeps_dates_by_month_and_weight_protects_a_column(input_csv, tmp_path, capsys) -> None:
    """A researcher asks for months at least and cares little about age: dates stay months, ages widen."""
    out = tmp_path / "out.csv"
    argv = ["anonymise", str(input_csv), "--quasi", "office,date,age", "--k", "5", "--out", str(out)]
    assert main([*argv, "--at-most", "date=month", "--weight", "age=0.1"]) == 0
    rows = read_rows(out)
    assert anonymity.k_anonymity(pd.DataFrame(rows), ["office", "date", "age"]) >= 5
    assert all(len(row["date"]) == len("2025-01") for row in rows)
    assert len(rows) >= 0.95 * 600
    assert "dropped" in capsys.readouterr().err


def test_data_already_k_anonymous_comes_out_unchanged(tmp_path, capsys) -> None:
    rows = [{"sex": "nữ" if i % 2 else "nam", "age_band": AGE_BANDS[i % 3], "rating": "5"} for i in range(60)]
    source = write_rows(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    assert main(["anonymise", str(source), "--quasi", "sex,age_band", "--k", "5", "--out", str(out)]) == 0
    assert read_rows(out) == rows
    report = capsys.readouterr().err
    assert "sex: unchanged" in report and "age_band: unchanged" in report and "dropped 0 of 60" in report


def test_l_diversity_option(input_csv, tmp_path) -> None:
    out = tmp_path / "out.csv"
    status = main(
        [
            "anonymise",
            str(input_csv),
            "--quasi",
            "office,date",
            "--k",
            "5",
            "--out",
            str(out),
            "--l-diversity",
            "rating=3",
        ]
    )
    assert status == 0
    frame = pd.DataFrame(read_rows(out))
    assert anonymity.k_anonymity(frame, ["office", "date"]) >= 5
    assert anonymity.l_diversity(frame, ["office", "date"], ["rating"]) >= 3


def test_decomposed_vietnamese_input_is_normalised(tmp_path) -> None:
    rows = [{"office": unicodedata.normalize("NFD", "UBND phường Bến Thành"), "sex": "nữ"} for _ in range(6)]
    source = write_rows(tmp_path / "in.csv", rows)
    out = tmp_path / "out.csv"
    assert main(["anonymise", str(source), "--quasi", "office,sex", "--k", "5", "--out", str(out)]) == 0
    assert {row["office"] for row in read_rows(out)} == {"UBND phường Bến Thành"}


def bad_input_cases(tmp_path: Path, input_csv: Path, office_hierarchy: Path) -> dict[str, tuple[list[str], str]]:
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("UBND phường Bến Thành,79,DNB\nUBND phường Sài Gòn,79\n", encoding="utf-8")
    partial = tmp_path / "partial.csv"
    partial.write_text("UBND phường Bến Thành,79,DNB\n", encoding="utf-8")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("office,rating\nCà Mau,5\n".encode("cp1258"))
    base = [str(input_csv), "--out", str(tmp_path / "out.csv")]
    return {
        "missing column": ([*base, "--quasi", "office,district"], "missing column"),
        "k below 2": ([*base, "--quasi", "office", "--k", "1"], "at least 2"),
        "bad hierarchy file": ([*base, "--quasi", "office", "--hierarchy", f"office={ragged}"], "columns"),
        "value missing from hierarchy": (
            [*base, "--quasi", "office", "--hierarchy", f"office={partial}"],
            "missing from the hierarchy",
        ),
        "no hierarchy file": ([*base, "--quasi", "office", "--hierarchy", "office=nope.csv"], "no such file"),
        "hierarchy not a quasi": (
            [*base, "--quasi", "age", "--hierarchy", f"office={office_hierarchy}"],
            "not in --quasi",
        ),
        "non-UTF-8 input": ([str(latin), "--out", str(tmp_path / "out.csv"), "--quasi", "office"], "UTF-8"),
        "unknown type": ([*base, "--quasi", "age", "--type", "age=colour"], "unknown --type"),
        "date type on text": ([*base, "--quasi", "office", "--type", "office=date"], "not a date"),
        "bad l-diversity": ([*base, "--quasi", "office", "--l-diversity", "rating=1"], "L a whole number"),
        "bad suppression share": ([*base, "--quasi", "office", "--max-suppression", "1.5"], "share of rows"),
        "negative weight": ([*base, "--quasi", "office,age", "--weight", "age=-1"], "number ≥ 0"),
        "weight not a quasi": ([*base, "--quasi", "office", "--weight", "age=2"], "not in --quasi"),
        "unknown level": ([*base, "--quasi", "date", "--at-most", "date=week"], "has no level 'week'"),
        "level out of range": ([*base, "--quasi", "date", "--at-most", "date=9"], "outside"),
        "weight with global": ([*base, "--quasi", "age", "--weight", "age=2", "--recoding", "global"], "local"),
        "no such input": (
            [str(tmp_path / "none.csv"), "--out", str(tmp_path / "out.csv"), "--quasi", "a"],
            "no such",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing column",
        "k below 2",
        "bad hierarchy file",
        "value missing from hierarchy",
        "no hierarchy file",
        "hierarchy not a quasi",
        "non-UTF-8 input",
        "unknown type",
        "date type on text",
        "bad l-diversity",
        "bad suppression share",
        "negative weight",
        "weight not a quasi",
        "unknown level",
        "level out of range",
        "weight with global",
        "no such input",
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(tmp_path, input_csv, office_hierarchy, capsys, case) -> None:
    argv, message = bad_input_cases(tmp_path, input_csv, office_hierarchy)[case]
    assert main(["anonymise", *argv]) != 0
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.csv")] == []


def test_too_few_rows_gives_an_empty_export_with_a_warning(tmp_path, capsys) -> None:
    source = write_rows(tmp_path / "in.csv", [{"age": "30", "rating": "4"}] * 3)
    out = tmp_path / "out.csv"
    assert main(["anonymise", str(source), "--quasi", "age", "--k", "5", "--out", str(out)]) == 0
    assert read_rows(out) == []
    assert "warning" in capsys.readouterr().err
