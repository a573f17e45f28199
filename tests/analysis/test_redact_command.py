"""`python -m analysis redact`: the column is redacted, everything else kept, bad input refused cleanly."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pytest

from analysis.__main__ import main


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_redacts_only_the_text_column_and_keeps_order_and_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "comments.csv"
    out = tmp_path / "redacted.csv"
    write_rows(
        source,
        [
            ["id", "comment", "note"],
            ["3", "Gọi 0912.345.678 mãi không ai nghe", "0912345678"],
            ["1", "chị Nguyễn Thị Lan rất tận tình, email lan@gmail.com", ""],
            ["2", "Lệ phí 50.000 đồng, chờ 15 ngày", "x"],
            ["4", "", "trống"],
        ],
    )

    assert main(["redact", str(source), "--text-column", "comment", "--out", str(out)]) == 0

    assert read_rows(out) == [
        ["id", "comment", "note"],
        ["3", "Gọi [SĐT] mãi không ai nghe", "0912345678"],
        ["1", "chị [HỌ TÊN] rất tận tình, email [EMAIL]", ""],
        ["2", "Lệ phí 50.000 đồng, chờ 15 ngày", "x"],
        ["4", "", "trống"],
    ]
    summary = capsys.readouterr().err
    assert "4 row(s)" in summary
    assert "[SĐT] 1" in summary
    assert "[HỌ TÊN] 1" in summary
    assert "[EMAIL] 1" in summary
    assert "[CCCD] 0" in summary


def test_nfd_text_comes_out_nfc(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    out = tmp_path / "out.csv"
    write_rows(source, [["text"], [unicodedata.normalize("NFD", "Chờ lâu quá, chị Lan")]])
    assert main(["redact", str(source), "--text-column", "text", "--out", str(out)]) == 0
    assert read_rows(out)[1] == ["Chờ lâu quá, chị [HỌ TÊN]"]


def test_missing_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.csv"
    code = main(["redact", str(tmp_path / "nope.csv"), "--text-column", "c", "--out", str(out)])
    assert code != 0
    assert "no such file" in capsys.readouterr().err
    assert not out.exists()


def test_missing_column_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.csv"
    out = tmp_path / "out.csv"
    write_rows(source, [["id", "text"], ["1", "sđt 0912345678"]])
    code = main(["redact", str(source), "--text-column", "comment", "--out", str(out)])
    assert code != 0
    assert "missing column(s) comment" in capsys.readouterr().err
    assert not out.exists()


def test_non_utf8_input_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.csv"
    out = tmp_path / "out.csv"
    source.write_bytes("text\nlâu quá\n".encode("latin-1"))
    code = main(["redact", str(source), "--text-column", "text", "--out", str(out)])
    assert code != 0
    assert "not UTF-8" in capsys.readouterr().err
    assert not out.exists()


def test_refuses_to_overwrite_its_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.csv"
    write_rows(source, [["text"], ["sđt 0912345678"]])
    code = main(["redact", str(source), "--text-column", "text", "--out", str(source)])
    assert code != 0
    assert "--out" in capsys.readouterr().err
    assert read_rows(source)[1] == ["sđt 0912345678"]


def test_text_column_and_out_are_required(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["redact", str(tmp_path / "in.csv")])
    assert exit_info.value.code != 0
