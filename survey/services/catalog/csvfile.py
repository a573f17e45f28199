"""Reading the CSV files officials upload or pass to commands, with errors a person can act on."""

from __future__ import annotations

import csv
import io
from pathlib import Path


class CsvFileError(Exception):
    """The file is not a readable CSV; `line` is where the problem is (0 = the file as a whole)."""

    def __init__(self, line: int, reason: str):
        self.line, self.reason = line, reason
        super().__init__(f"line {line}: {reason}" if line else reason)


def decode_utf8(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM); anything else is refused with a hint, never guessed."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvFileError(
            line,
            "the file is not UTF-8 text (Vietnamese from Excel: choose 'CSV UTF-8'; "
            "old files may be in Windows-1258 or TCVN3)",
        ) from exc


CsvRows = tuple[list[str], list[tuple[int, dict[str, str]]], list[tuple[int, str]]]


def read_csv_lines(path: str | Path) -> CsvRows:
    """Header, rows (each with the line it starts on) and badly shaped lines of a UTF-8 CSV file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CsvFileError(0, f"cannot read {path}: {exc.strerror or exc}") from exc
    return parse_csv_text(decode_utf8(data))


def parse_csv_text(text: str) -> CsvRows:
    if "\x00" in text:
        raise CsvFileError(0, "the file contains NUL bytes: it is not a CSV text file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader, [])]
        if not any(header):
            raise CsvFileError(1, "the file is empty or its first line is not a header")
        if len(set(header)) != len(header):
            raise CsvFileError(1, "the header repeats a column name")
        rows: list[tuple[int, dict[str, str]]] = []
        bad_lines: list[tuple[int, str]] = []
        start = reader.line_num + 1
        for values in reader:
            if not any(value.strip() for value in values):
                start = reader.line_num + 1
                continue
            if len(values) != len(header):
                bad_lines.append((start, f"{len(values)} fields where the header has {len(header)} columns"))
            else:
                rows.append((start, dict(zip(header, values, strict=True))))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise CsvFileError(reader.line_num, f"malformed CSV ({exc})") from exc
    return header, rows, bad_lines
