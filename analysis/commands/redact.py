"""`python -m analysis redact`: replace personal data in one text column of a CSV file with placeholders."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import Any

from analysis.commands._io import CommandError, read_csv, write_csv
from analysis.redaction import PLACEHOLDERS, redact_with_findings


def register(subparsers: Any) -> None:
    """Add the `redact` sub-command with its contract arguments."""
    parser = subparsers.add_parser(
        "redact",
        help="replace phone numbers, ID numbers, e-mails, names, addresses… in a text column",
        description=(
            "Replace personal data in one column with placeholders such as [SĐT], [CCCD], [EMAIL], "
            "[HỌ TÊN]; other columns, row order and header stay as they are."
        ),
    )
    parser.add_argument("input", metavar="INPUT.csv", help="UTF-8 CSV file with a header line")
    parser.add_argument("--text-column", required=True, metavar="COL", help="column holding the free text")
    parser.add_argument("--out", required=True, metavar="OUT.csv", help="where to write the redacted CSV")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Redact the column, write the file, and print how many items of each kind were replaced."""
    if str(args.out) == str(args.input):
        raise CommandError("--out must differ from the input file, so the original is never overwritten")
    header, rows = read_csv(args.input, required=[args.text_column])
    counts: Counter[str] = Counter()
    redacted_rows: list[dict[str, object]] = []
    for row in rows:
        redacted, findings = redact_with_findings(row[args.text_column] or "")
        counts.update(finding.kind for finding in findings)
        redacted_rows.append({**row, args.text_column: redacted})
    write_csv(args.out, header, redacted_rows)
    print(summary(len(rows), counts), file=sys.stderr)
    return 0


def summary(row_count: int, counts: Counter[str]) -> str:
    """One short line per kind, in the contract's order, so operators can see what was removed."""
    lines = [f"redacted {row_count} row(s); {sum(counts.values())} item(s) replaced"]
    lines += [f"  {placeholder} {counts[kind]}" for kind, placeholder in PLACEHOLDERS.items()]
    return "\n".join(lines)
