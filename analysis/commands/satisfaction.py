"""`python -m analysis satisfaction`: satisfied share, 95 % Wilson interval and target status per group.

Contract (DESIGN.md §5): `INPUT.csv --group-by COL[,COL] [--target 0.9] [--min-n 30] [--format csv|json]`.
Output, one row per group sorted by the group key: the group columns under their input names, then
`n, satisfied, share, ci_low, ci_high, status`.

Floats are printed at full precision (Python's shortest round-trip repr, e.g. `0.8717948717948718`), in CSV
and JSON alike, so a reader gets back exactly the float that was computed; rounding is for display only.
A share or interval that does not exist (a group with no valid rating) is an empty CSV cell / JSON null.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from typing import Any

from analysis.commands._io import CommandError, read_csv, write_csv
from analysis.satisfaction import DEFAULT_MIN_N, DEFAULT_TARGET, is_satisfied, summarise_counts

RATING_COLUMN = "rating"
OUTPUT_COLUMNS = ("n", "satisfied", "share", "ci_low", "ci_high", "status")
VALID_RATINGS = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "satisfaction",
        help="satisfied share, 95 %% Wilson interval and target status per group",
        description=(
            "Reads a CSV with a `rating` column (1-5; 4 and 5 count as satisfied) and prints, per group, "
            "n, satisfied, share, ci_low, ci_high and status (met, not_met, cant_tell, too_few). "
            "Other rating values are skipped and counted in one warning on standard error."
        ),
    )
    parser.add_argument("input", metavar="INPUT.csv", help="UTF-8 CSV file with a `rating` column")
    parser.add_argument("--group-by", required=True, metavar="COL[,COL]", help="column(s) to group by, comma-separated")
    parser.add_argument(
        "--target", type=float, default=DEFAULT_TARGET, help="target share between 0 and 1 (default 0.9)"
    )
    parser.add_argument("--min-n", type=int, default=DEFAULT_MIN_N, help="fewest answers to judge a group (default 30)")
    parser.add_argument("--format", choices=("csv", "json"), default="csv", help="output format (default csv)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    group_columns = parse_group_by(args.group_by)
    if not 0.0 < args.target < 1.0:
        raise CommandError(f"--target must be a share strictly between 0 and 1 (e.g. 0.9), got {args.target}")
    if args.min_n < 1:
        raise CommandError(f"--min-n must be at least 1, got {args.min_n}")
    _, rows = read_csv(args.input, required=[RATING_COLUMN, *group_columns])

    counts, skipped = count_by_group(rows, group_columns)
    if skipped:
        print(
            f"warning: skipped {skipped} row(s) whose {RATING_COLUMN} is not a whole number from 1 to 5",
            file=sys.stderr,
        )
    results = [
        {
            **dict(zip(group_columns, key, strict=True)),
            **summarise_counts(n, satisfied, target=args.target, min_n=args.min_n),
        }
        for key, (n, satisfied) in sorted(counts.items())
    ]
    if args.format == "json":
        json.dump(results, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        write_csv("-", [*group_columns, *OUTPUT_COLUMNS], results)
    return 0


def parse_group_by(value: str) -> list[str]:
    """Split `COL[,COL]`, refusing empty names, repeats and names that clash with the output columns."""
    columns = [name.strip() for name in value.split(",")]
    if not all(columns):
        raise CommandError(f"--group-by needs column names separated by commas, got {value!r}")
    if len(set(columns)) != len(columns):
        raise CommandError(f"--group-by names a column twice: {value!r}")
    clashes = [name for name in columns if name in OUTPUT_COLUMNS]
    if clashes:
        raise CommandError(f"cannot group by {', '.join(clashes)}: the output already has a column of that name")
    return columns


def count_by_group(
    rows: list[dict[str, str]], group_columns: list[str]
) -> tuple[dict[tuple[str, ...], tuple[int, int]], int]:
    """(n, satisfied) per group key, and how many rows had no valid 1–5 rating.

    A group whose rows all lack a valid rating still appears, with n = 0 (status `too_few`), so a group
    is never silently missing from the output.
    """
    counts: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0])
    skipped = 0
    for row in rows:
        tally = counts[tuple(row[name] for name in group_columns)]
        rating = VALID_RATINGS.get(row[RATING_COLUMN].strip())
        if rating is None:
            skipped += 1
            continue
        tally[0] += 1
        tally[1] += is_satisfied(rating)
    return {key: (n, satisfied) for key, (n, satisfied) in counts.items()}, skipped
