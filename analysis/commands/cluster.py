"""`python -m analysis cluster`: group complaint comments into named themes, one row out per row in.

Output columns `id,cluster,label`: `label` is the official theme code when the official-theme classifier
assigns one (e.g. `waiting_time`; also `praise`, `neutral`, `off_topic`, and `other` for a few leftovers),
else the Vietnamese name of the emergent theme the comment was clustered into; rows without usable text
get cluster -1 and an empty label. `--seed-themes none` is purely unsupervised: no taxonomy, no
classifier. A summary of the themes goes to standard error.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from analysis.clustering import NO_THEME, ComplaintThemer
from analysis.commands._io import CommandError, read_csv, write_csv
from analysis.themes import NON_COMPLAINT_CODES, SeedTheme, Theme, load_taxonomy

PROGRESS_FROM_ROWS = 20_000


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "cluster",
        help="group comments into complaint themes",
        description="Group free-text comments into named complaint themes (offline, Vietnamese).",
    )
    parser.add_argument("input", help="CSV file (UTF-8) with one comment per row")
    parser.add_argument("--text-column", required=True, help="column holding the comment text")
    parser.add_argument("--id-column", help="column copied to the output `id` (default: 0-based row number)")
    parser.add_argument("--k", default="auto", help="number of themes, or `auto` (default) to choose 4–20")
    parser.add_argument("--out", required=True, help="output CSV path, `-` for standard output")
    parser.add_argument("--seed", type=int, default=0, help="random seed: same seed, same themes (default 0)")
    parser.add_argument(
        "--seed-themes",
        default="default",
        help="official themes the classifier may assign: `default` (the shipped taxonomy), a JSON file of"
        " themes to keep (taxonomy or seed-theme shape), or `none` for purely unsupervised themes",
    )
    parser.add_argument(
        "--taxonomy",
        help="taxonomy JSON file giving the official codes and Vietnamese names (default: the shipped one)",
    )
    parser.add_argument("--examples", type=int, default=2, help="example comments shown per theme (default 2)")
    parser.set_defaults(handler=run)


def _parse_k(value: str) -> int | str:
    if value == "auto":
        return "auto"
    try:
        k = int(value)
    except ValueError:
        raise CommandError(f"--k must be `auto` or a whole number, not {value!r}") from None
    if not 2 <= k <= 200:
        raise CommandError(f"--k must be between 2 and 200, not {k}")
    return k


def _seed_themes(value: str, taxonomy: str | None) -> list[SeedTheme] | None:
    """The official themes to keep: the taxonomy's themes, narrowed to a seed-themes file if one is given."""
    if value == "none":
        if taxonomy:
            raise CommandError("--taxonomy needs the classifier; it cannot be used with --seed-themes none")
        return None
    try:
        themes = [t for t in load_taxonomy(taxonomy) if t.code not in NON_COMPLAINT_CODES]
        if value != "default":
            chosen = {t.code: t for t in load_taxonomy(value)}
            unknown = sorted(set(chosen) - {t.code for t in themes})
            if unknown:
                raise ValueError(f"{value}: codes the classifier does not know: {', '.join(unknown)}")
            themes = [chosen[t.code] for t in themes if t.code in chosen]
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    return themes


def run(args: argparse.Namespace) -> int:
    k = _parse_k(args.k)
    required = [args.text_column] + ([args.id_column] if args.id_column else [])
    _, rows = read_csv(args.input, required=required)
    texts = [row[args.text_column] for row in rows]
    progress = _progress if len(rows) >= PROGRESS_FROM_ROWS else None
    seeds = _seed_themes(args.seed_themes, args.taxonomy)
    themer = ComplaintThemer(k=k, seed_themes=seeds, random_state=args.seed, progress=progress)
    try:
        themer.fit(texts)
    except ValueError as exc:
        raise CommandError(f"{args.input}: cannot find themes ({exc})") from exc
    themes = {theme.cluster: theme for theme in themer.themes_}
    out_rows: list[dict[str, object]] = [
        {
            "id": row[args.id_column] if args.id_column else index,
            "cluster": int(label),
            "label": "" if label == NO_THEME else themes[int(label)].label,
        }
        for index, (row, label) in enumerate(zip(rows, themer.labels_, strict=True))
    ]
    write_csv(args.out, ["id", "cluster", "label"], out_rows)
    _print_summary(themer.themes_, texts, len(rows), args.examples)
    return 0


def _progress(message: str) -> None:
    print(f"… {message}", file=sys.stderr, flush=True)


def _print_summary(themes: list[Theme], texts: list[str], n_rows: int, n_examples: int) -> None:
    themed = sum(theme.size for theme in themes)
    print(f"{len(themes)} themes in {themed} of {n_rows} comments:", file=sys.stderr)
    for theme in sorted(themes, key=lambda t: -t.size):
        code = f" [{theme.code}]" if theme.code else ""
        print(f"  {theme.cluster:>3}  {theme.share:6.1%}  n={theme.size:<6} {theme.name}{code}", file=sys.stderr)
        for index in theme.representatives[:n_examples]:
            print(f"         « {_shorten(texts[index])} »", file=sys.stderr)


def _shorten(text: str, width: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
