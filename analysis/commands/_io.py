"""Reading and writing the CSV files the command line works on, with clear errors."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path


class CommandError(Exception):
    """Bad input to a command: the message is shown to the person as it is, exit status 2."""


def read_csv(path: str | Path, required: Sequence[str] = ()) -> tuple[list[str], list[dict[str, str]]]:
    """Read a UTF-8 CSV (a BOM is fine) into its header and rows, checking required columns."""
    path = Path(path)
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = list(reader.fieldnames or [])
            if not header:
                raise CommandError(f"{path}: the file is empty or has no header line")
            missing = [name for name in required if name not in header]
            if missing:
                raise CommandError(
                    f"{path}: missing column(s) {', '.join(missing)}; the header has {', '.join(header)}"
                )
            rows = []
            for row in reader:
                if None in row:
                    raise CommandError(f"{path}, line {reader.line_num}: more fields than the header has columns")
                rows.append(row)
    except UnicodeDecodeError as exc:
        raise CommandError(
            f"{path}: not UTF-8 text (bad byte at position {exc.start}); save the file as CSV UTF-8"
        ) from exc
    except csv.Error as exc:
        raise CommandError(f"{path}: malformed CSV ({exc})") from exc
    return header, rows


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[dict[str, object]]) -> None:
    """Write rows as UTF-8 CSV; `-` writes to standard output."""
    if str(path) == "-":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(header))
        writer.writeheader()
        writer.writerows(rows)
        return
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(header))
        writer.writeheader()
        writer.writerows(rows)
