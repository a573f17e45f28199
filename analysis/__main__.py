"""`python -m analysis …`: statistics, redaction, theming and anonymisation on CSV files, no database."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from analysis.commands import anonymise, cluster, redact, satisfaction
from analysis.commands._io import CommandError

COMMANDS = (satisfaction, redact, cluster, anonymise)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Satisfaction statistics, PII redaction, complaint themes and anonymisation on CSV files.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
