"""`python -m analysis cluster`: the command-line contract, end to end, in-process."""

import csv
import json

import pytest

from analysis.__main__ import main
from tests.analysis.complaint_fixtures import synthetic_mix

OFFICIAL = ["waiting_time", "staff_attitude", "documents_repeat_visits", "extra_payment", "fees", "facilities"]
OFFICIAL += ["online_system", "information_guidance", "other", "praise", "neutral", "off_topic"]


def write_input(path, texts, with_ids=True):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ma", "nhan_xet"])
        for index, text in enumerate(texts):
            writer.writerow([f"R{index:03d}" if with_ids else "", text])
    return path


def read_output(path):
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return reader.fieldnames, list(reader)


@pytest.fixture
def complaints(tmp_path):
    texts, _ = synthetic_mix(copies=3)
    return write_input(tmp_path / "in.csv", ["", *texts, "   "]), len(texts) + 2


def test_one_row_out_per_row_in_with_ids_and_codes(complaints, tmp_path, capsys):
    source, n_rows = complaints
    out = tmp_path / "out.csv"
    code = main(["cluster", str(source), "--text-column", "nhan_xet", "--id-column", "ma", "--out", str(out)])
    assert code == 0
    header, rows = read_output(out)
    assert header == ["id", "cluster", "label"]
    assert len(rows) == n_rows
    assert rows[0] == {"id": "R000", "cluster": "-1", "label": ""}
    assert rows[-1]["cluster"] == "-1" and rows[-1]["label"] == ""
    themed = rows[1:-1]
    assert all(int(r["cluster"]) >= 0 and r["label"] for r in themed)
    assert {"staff_attitude", "extra_payment", "waiting_time", "online_system"} <= {r["label"] for r in themed}
    summary = capsys.readouterr().err
    assert "themes in" in summary and "Thái độ cán bộ" in summary and "«" in summary


def test_row_numbers_without_id_column_fixed_k_and_no_seed_themes(complaints, tmp_path):
    source, n_rows = complaints
    out = tmp_path / "out.csv"
    args = ["cluster", str(source), "--text-column", "nhan_xet", "--k", "5", "--seed-themes", "none"]
    assert main([*args, "--out", str(out)]) == 0
    _, rows = read_output(out)
    assert [r["id"] for r in rows] == [str(i) for i in range(n_rows)]
    clusters = {int(r["cluster"]) for r in rows}
    assert -1 in clusters and 3 <= len(clusters - {-1}) <= 5 and clusters - {-1} == set(range(len(clusters) - 1))
    labels = {r["label"] for r in rows} - {""}
    assert not set(OFFICIAL) & labels  # purely unsupervised: names only, never official codes
    assert all("," in label for label in labels)  # Vietnamese names made of phrases


def test_same_seed_same_output(complaints, tmp_path):
    source, _ = complaints
    outputs = []
    for name in ("a.csv", "b.csv"):
        out = tmp_path / name
        assert main(["cluster", str(source), "--text-column", "nhan_xet", "--seed", "4", "--out", str(out)]) == 0
        outputs.append(out.read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]


def test_a_seed_theme_file_narrows_the_official_themes(complaints, tmp_path, capsys):
    source, _ = complaints
    keep = tmp_path / "keep.json"
    keep.write_text(
        json.dumps({"themes": [{"code": "staff_attitude", "name_vi": "Cán bộ thiếu lịch sự", "seeds": ["x"]}]}),
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    assert (
        main(["cluster", str(source), "--text-column", "nhan_xet", "--seed-themes", str(keep), "--out", str(out)]) == 0
    )
    labels = {r["label"] for r in read_output(out)[1]} - {""}
    assert "staff_attitude" in labels and not {"waiting_time", "extra_payment", "online_system"} & labels
    assert "Cán bộ thiếu lịch sự" in capsys.readouterr().err


def test_a_taxonomy_file_renames_the_themes_but_codes_stay(complaints, tmp_path, capsys):
    source, _ = complaints
    from analysis.themes import load_taxonomy

    renamed = [{"code": t.code, "name_vi": t.name_vi.upper()} for t in load_taxonomy()]
    taxonomy = tmp_path / "taxonomy.json"
    taxonomy.write_text(json.dumps({"themes": renamed}, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.csv"
    assert (
        main(["cluster", str(source), "--text-column", "nhan_xet", "--taxonomy", str(taxonomy), "--out", str(out)]) == 0
    )
    assert "staff_attitude" in {r["label"] for r in read_output(out)[1]}
    assert "THÁI ĐỘ CÁN BỘ" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--text-column", "missing"], "missing column"),
        (["--text-column", "nhan_xet", "--k", "lots"], "--k must be"),
        (["--text-column", "nhan_xet", "--k", "1"], "--k must be between"),
        (["--text-column", "nhan_xet", "--seed-themes", "/nonexistent/seeds.json"], "cannot read"),
        (["--text-column", "nhan_xet", "--seed-themes", "none", "--taxonomy", "t.json"], "--taxonomy needs"),
    ],
)
def test_bad_arguments_give_a_clear_error(complaints, tmp_path, capsys, extra, message):
    source, _ = complaints
    assert main(["cluster", str(source), *extra, "--out", str(tmp_path / "o.csv")]) == 2
    assert message in capsys.readouterr().err


def test_input_without_usable_text_is_a_clear_error(tmp_path, capsys):
    source = write_input(tmp_path / "blank.csv", ["", " ", "!!!"])
    assert main(["cluster", str(source), "--text-column", "nhan_xet", "--out", str(tmp_path / "o.csv")]) == 2
    assert "cannot find themes" in capsys.readouterr().err


def test_missing_file_is_a_clear_error(tmp_path, capsys):
    assert main(["cluster", str(tmp_path / "nope.csv"), "--text-column", "x", "--out", "-"]) == 2
    assert "no such file" in capsys.readouterr().err
