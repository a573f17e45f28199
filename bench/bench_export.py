"""Benchmark: the anonymised research export from a real (SQLite) database, in every format, and what it keeps.

Seeds a database once with `seed-demo` data (kept between runs in --folder; `--skewed` adds a huge province,
rare procedures and comments with personal data, as the tests' skewed set; `--fast` draws the demo's model in
bulk with `bench/seed_bench.py`: 10 M responses in minutes instead of hours), then runs each export in a child
process and reports its wall time, peak resident memory (ru_maxrss of that child alone, via wait4), the file
size, and what the default export keeps: the share of all rows whose procedure is published as its code, whose
office is published at office or province level, whose period is a month or a quarter, and the rows dropped.
The aggregate table by procedure × province is timed too. Not part of the tests:

    PYTHONPATH=. .venv/bin/python bench/bench_export.py [--responses 1000000] [--skewed | --fast]
        [--formats csv,parquet] [--quasi month,office,procedure,channel] [--folder /tmp/survey-bench] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_app(folder: Path):  # type: ignore[no-untyped-def]
    os.environ["SURVEY_ENV"] = "testing"
    os.environ["SURVEY_INSTANCE_PATH"] = str(folder)
    from survey import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}"})


def prepare(folder: Path, responses: int, skewed: bool, fast: bool) -> None:
    """Migrate and seed once; a database that already holds `responses` responses is reused."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from survey.extensions import db
    from survey.models import Response
    from survey.services.demo.seed import seed_demo

    folder.mkdir(parents=True, exist_ok=True)
    app = make_app(folder)
    with app.app_context():
        upgrade()
        have = db.session.scalar(select(func.count()).select_from(Response))
        if not have:
            started = time.perf_counter()
            print(f"seeding {responses:,} responses…", file=sys.stderr, flush=True)
            if fast:
                sys.path.insert(0, str(ROOT / "bench"))
                from seed_bench import seed_bulk

                seed_bulk(db.session, responses, seed=2025, months=12)
            elif skewed:
                from tests.survey.datasets.research import seed_skewed

                seed_skewed(db.session, demo_responses=responses // 2, huge=responses // 2)
            else:
                seed_demo(db.session, responses=responses, seed=2025, months=12)
            print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        db.session.remove()
        db.engine.dispose()


def child(folder: Path, file_format: str, k: int, trace: bool, quasi: tuple[str, ...] | None) -> None:
    """Run one export and print its numbers as JSON (peak RSS is measured by the parent)."""
    import tracemalloc

    from survey.extensions import db
    from survey.services.research.aggregates import TableOptions, build_table
    from survey.services.research.export import ExportError, ExportOptions, export_anonymised

    app = make_app(folder)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the app and its imports, before exporting
    with app.app_context():
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        out = folder / f"export.{file_format}"
        options = ExportOptions(file_format=file_format, k=k, quasi=quasi)

        def progress(done: int, total: int) -> None:  # every million rows, on stderr: a long run shows its pace
            if done % 1_000_000 < 10_000:
                elapsed = time.perf_counter() - started
                print(f"  {file_format}: {done:,} / {total:,} rows read, {elapsed:.0f} s", file=sys.stderr, flush=True)

        try:
            result = export_anonymised(db.session, out, options, actor="bench", progress=progress)
        except ExportError as exc:  # SPSS and Stata above their row limit
            print(json.dumps({"refused": str(exc), "seconds": time.perf_counter() - started}))
            return
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace else None
        recoding = result.recoding
        started = time.perf_counter()
        table = build_table(db.session, TableOptions(by=("procedure", "province")))
        table_seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "baseline_rss_mb": baseline,
                "python_heap_peak_mb": peak / 2**20 if peak is not None else None,
                "rows_total": result.rows_total,
                "rows_written": result.rows_written,
                "rows_dropped": result.rows_dropped,
                "file_mb": out.stat().st_size / 2**20,
                "generalisation": result.generalisation,
                "procedure_kept": recoding.share_at_or_below("procedure", 0),
                "province_or_finer": recoding.share_at_or_below("office", "province"),
                "quarter_or_finer": recoding.share_at_or_below("month", "quarter") if "month" in recoding.quasi else 1,
                "information_loss": recoding.information_loss,
                "table_seconds": table_seconds,
                "table_hidden": table.suppressed_primary + table.suppressed_complementary,
                "table_cells": len(table.cells),
            }
        )
    )


def run_child(folder: Path, file_format: str, k: int, trace: bool, quasi: str | None) -> dict:  # type: ignore[type-arg]
    command = [sys.executable, __file__, "--child", file_format, "--folder", str(folder), "--k", str(k)]
    if trace:
        command.append("--tracemalloc")
    if quasi:
        command += ["--quasi", quasi]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"export child failed ({process.returncode})")
    numbers = json.loads(output.strip().splitlines()[-1])
    numbers["peak_rss_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    numbers["cpu_seconds"] = usage.ru_utime + usage.ru_stime  # the same on a busy machine, unlike the wall time
    return dict(numbers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--skewed", action="store_true", help="the tests' skewed set: half demo, half one province")
    parser.add_argument("--fast", action="store_true", help="seed in bulk (bench/seed_bench.py), not with seed-demo")
    parser.add_argument("--folder", type=Path, default=Path("/tmp/survey-bench"))
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--formats", default="csv,parquet,sav,dta")
    parser.add_argument("--quasi", default=None, help="quasi-identifiers (default: the export's default)")
    parser.add_argument("--tracemalloc", action="store_true", help="also measure the peak Python heap (slower)")
    parser.add_argument("--child", choices=["csv", "parquet", "sav", "dta"], help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.folder, args.child, args.k, args.tracemalloc, tuple(args.quasi.split(",")) if args.quasi else None)
        return
    if args.prepare:
        prepare(args.folder, args.responses, args.skewed, args.fast)
        return
    # Seed in a child too: a child forked from a big parent would inherit its peak RSS.
    kind_flags = (["--skewed"] if args.skewed else []) + (["--fast"] if args.fast else [])
    subprocess.run([sys.executable, __file__, "--prepare", "--folder", str(args.folder),
                    "--responses", str(args.responses), *kind_flags], check=True)  # fmt: skip
    kind = "skewed " if args.skewed else ""
    print(
        f"export of {args.responses:,} {kind}responses, k = {args.k}, quasi {args.quasi or 'default'} ({args.folder})"
    )
    numbers: dict = {}  # type: ignore[type-arg]
    for file_format in args.formats.split(","):
        tried = run_child(args.folder, file_format, args.k, False, args.quasi)
        if "refused" in tried:
            print(f"  {file_format:8} refused after {tried['seconds']:.1f} s: {tried['refused']}", flush=True)
            continue
        numbers = tried
        line = (
            f"  {file_format:8} {numbers['seconds']:6.1f} s (CPU {numbers['cpu_seconds']:6.1f} s)  peak RSS "
            f"{numbers['peak_rss_mb']:4.0f} MB (app alone {numbers['baseline_rss_mb']:.0f} MB)  file "
            f"{numbers['file_mb']:6.1f} MB"
        )
        if args.tracemalloc:
            traced = run_child(args.folder, file_format, args.k, True, args.quasi)
            line += f"  Python heap peak {traced['python_heap_peak_mb']:.0f} MB"
        print(line, flush=True)
    if not numbers:
        return
    total = numbers["rows_total"]
    print(
        f"  kept: procedure {100 * numbers['procedure_kept']:.1f} %, office or province "
        f"{100 * numbers['province_or_finer']:.1f} %, month or quarter {100 * numbers['quarter_or_finer']:.1f} %; "
        f"dropped {numbers['rows_dropped']:,} of {total:,} ({100 * numbers['rows_dropped'] / total:.2f} %); "
        f"information loss {numbers['information_loss']:.3f}"
    )
    print(f"  generalisation: {numbers['generalisation']}")
    print(
        f"  table procedure × province: {numbers['table_seconds']:.2f} s, {numbers['table_cells']:,} cells, "
        f"{numbers['table_hidden']:,} entries hidden"
    )


if __name__ == "__main__":
    main()
