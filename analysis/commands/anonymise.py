"""`python -m analysis anonymise`: a k-anonymous copy of a CSV file, for publishing research microdata.

Quasi-identifier columns are generalised (numbers → bands, dates → month → quarter → year, categories →
a given hierarchy or `khác` for rare values) and rows are dropped only as a last resort. By default each
group of rows is generalised only as far as it needs (local recoding), so a rare combination costs detail
only to itself; `--recoding global` gives every row of a column the same level instead. Everything is read
and checked before anything is written, so bad input leaves no output file behind.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, cast

from analysis.anonymise import (
    KINDS,
    Hierarchy,
    HierarchyError,
    Plan,
    Recoding,
    anonymise_rows,
    hierarchy_from_csv,
    recode_rows,
)
from analysis.commands._io import CommandError, read_csv, write_csv


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "anonymise",
        help="generalise quasi-identifiers so every combination occurs at least k times",
        description=__doc__,
    )
    parser.add_argument("input", metavar="INPUT.csv")
    parser.add_argument("--quasi", required=True, metavar="COL,COL", help="quasi-identifier columns")
    parser.add_argument("--k", type=int, default=5, help="smallest group size allowed (default 5)")
    parser.add_argument("--out", required=True, metavar="OUT.csv", help="output file, or - for standard output")
    parser.add_argument(
        "--hierarchy",
        action="append",
        default=[],
        metavar="COL=FILE.csv",
        help="generalisation hierarchy for a column: each row is a value then its ancestors level by level",
    )
    parser.add_argument(
        "--type",
        action="append",
        default=[],
        metavar="COL=KIND",
        help=f"column kind instead of detecting it: {', '.join(KINDS)}",
    )
    parser.add_argument(
        "--max-suppression",
        type=float,
        default=0.05,
        metavar="SHARE",
        help="largest share of rows that may be dropped (default 0.05)",
    )
    parser.add_argument(
        "--l-diversity",
        metavar="COL=L",
        help="also require at least L distinct values of the sensitive column COL in every group",
    )
    parser.add_argument(
        "--suppression-weight",
        type=float,
        default=1.0,
        help="global recoding: cost of a dropped row relative to a fully generalised one (≥ 1; default 1)",
    )
    parser.add_argument(
        "--recoding",
        choices=("local", "global"),
        default="local",
        help="local: each group of rows generalised only as far as it needs (default); "
        "global: one level per column for every row",
    )
    parser.add_argument(
        "--weight",
        action="append",
        default=[],
        metavar="COL=W",
        help="local recoding: how much detail in COL matters (default 1; 0 = publish it at its top level only)",
    )
    parser.add_argument(
        "--at-most",
        action="append",
        default=[],
        metavar="COL=LEVEL",
        help="local recoding: never publish COL coarser than LEVEL (a level name such as quarter, or a number); "
        "rows that cannot be kept that fine are dropped, within --max-suppression",
    )
    parser.set_defaults(handler=run)


def _pairs(items: list[str], option: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise CommandError(f"{option} expects COL=VALUE, got {item!r}")
        if name.strip() in pairs:
            raise CommandError(f"{option} given twice for column {name.strip()!r}")
        pairs[name.strip()] = value.strip()
    return pairs


def _local_options(args: argparse.Namespace, quasi: list[str]) -> tuple[dict[str, float], dict[str, int | str]]:
    """--weight and --at-most, checked: numbers ≥ 0 for weights, a level name or number for caps."""
    weights, caps = _pairs(args.weight, "--weight"), _pairs(args.at_most, "--at-most")
    for option, named in (("--weight", weights), ("--at-most", caps)):
        stray = [name for name in named if name not in quasi]
        if stray:
            raise CommandError(f"{option} names {', '.join(stray)}, which is not in --quasi")
    if (weights or caps) and args.recoding != "local":
        raise CommandError("--weight and --at-most apply to local recoding only")
    parsed: dict[str, float] = {}
    for name, text in weights.items():
        try:
            parsed[name] = float(text)
        except ValueError:
            parsed[name] = -1.0
        if not parsed[name] >= 0:
            raise CommandError(f"--weight {name}={text}: the weight must be a number ≥ 0")
    return parsed, {name: int(level) if level.isdigit() else level for name, level in caps.items()}


def _check_options(
    args: argparse.Namespace,
) -> tuple[list[str], dict[str, str], dict[str, str], tuple[str, int] | None]:
    quasi = [name.strip() for name in args.quasi.split(",") if name.strip()]
    if not quasi:
        raise CommandError("--quasi names no columns")
    if len(set(quasi)) != len(quasi):
        raise CommandError("--quasi names a column twice")
    if args.k < 2:
        raise CommandError(f"--k must be at least 2 (k = {args.k} protects nobody)")
    if not 0 <= args.max_suppression < 1:
        raise CommandError("--max-suppression is a share of rows from 0 to below 1, e.g. 0.05")
    if args.suppression_weight < 1:
        raise CommandError("--suppression-weight must be at least 1")
    files = _pairs(args.hierarchy, "--hierarchy")
    kinds = _pairs(args.type, "--type")
    for option, named in (("--hierarchy", files), ("--type", kinds)):
        stray = [name for name in named if name not in quasi]
        if stray:
            raise CommandError(f"{option} names {', '.join(stray)}, which is not in --quasi")
    bad_kinds = [kind for kind in kinds.values() if kind not in KINDS]
    if bad_kinds:
        raise CommandError(f"unknown --type {', '.join(bad_kinds)}; expected one of {', '.join(KINDS)}")
    diversity = None
    if args.l_diversity:
        column, l_text = next(iter(_pairs([args.l_diversity], "--l-diversity").items()))
        if not l_text.isdigit() or int(l_text) < 2:
            raise CommandError("--l-diversity needs COL=L with L a whole number ≥ 2")
        if column in quasi:
            raise CommandError(f"--l-diversity column {column!r} is a quasi-identifier; name a sensitive column")
        diversity = (column, int(l_text))
    return quasi, files, kinds, diversity


def _write_atomically(path: str, header: list[str], rows: list[dict[str, object]]) -> None:
    """Write to a temporary file beside the target, then rename: no half-written export on failure."""
    if path == "-":
        write_csv(path, header, rows)
        return
    target = Path(path)
    if not target.parent.is_dir():
        raise CommandError(f"{target.parent}: no such directory for the output")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        write_csv(temporary, header, rows)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise CommandError(f"{target}: cannot write ({exc.strerror})") from exc


def _anonymised(
    args: argparse.Namespace,
    rows: list[dict[str, str]],
    quasi: list[str],
    hierarchies: dict[str, Hierarchy],
    kinds: dict[str, str],
    diversity: tuple[str, int] | None,
    local: tuple[dict[str, float], dict[str, int | str]],
) -> tuple[list[dict[str, str]], Plan | Recoding]:
    common: dict[str, Any] = {
        "kinds": kinds,
        "max_suppression": args.max_suppression,
        "sensitive": diversity[0] if diversity else None,
        "l_diversity": diversity[1] if diversity else None,
    }
    if args.recoding == "global":
        return anonymise_rows(rows, quasi, args.k, hierarchies, suppression_weight=args.suppression_weight, **common)
    return recode_rows(rows, quasi, args.k, hierarchies, weights=local[0], max_levels=local[1], **common)


def run(args: argparse.Namespace) -> int:
    quasi, files, kinds, diversity = _check_options(args)
    local = _local_options(args, quasi)
    required = [*quasi, *([diversity[0]] if diversity else [])]
    header, rows = read_csv(args.input, required=required)
    hierarchies: dict[str, Hierarchy] = {}
    for column, file in files.items():
        try:
            hierarchies[column] = hierarchy_from_csv(file, column)
        except HierarchyError as exc:
            raise CommandError(f"--hierarchy {column}: {exc}") from exc
    try:
        kept, result = _anonymised(args, rows, quasi, hierarchies, kinds, diversity, local)
    except HierarchyError as exc:
        raise CommandError(f"{args.input}: {exc}") from exc
    except ValueError as exc:  # a level number outside a column's hierarchy
        raise CommandError(str(exc)) from exc
    _write_atomically(args.out, header, cast(list[dict[str, object]], kept))
    for line in result.summary():
        print(line, file=sys.stderr)
    if not result.within_suppression_limit:
        print(
            f"warning: cannot keep within --max-suppression {args.max_suppression:g}; "
            f"dropped {result.rows_suppressed} rows to stay {args.k}-anonymous",
            file=sys.stderr,
        )
    return 0
