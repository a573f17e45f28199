"""Benchmark: the anonymised research export of 1 M responses from a real (SQLite) database, CSV and Parquet.

Seeds a database once with `seed-demo` data (kept between runs in --folder), then runs each export in a child
process and reports its wall time, peak resident memory (ru_maxrss of that child alone, via wait4), and
optionally the peak Python heap (tracemalloc, which slows the run), with the rows dropped. Not part of the tests:

    .venv/bin/python bench/bench_export.py [--responses 1000000] [--folder /tmp/survey-bench] [--tracemalloc]
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


def prepare(folder: Path, responses: int) -> None:
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
        if have != responses:
            started = time.perf_counter()
            print(f"seeding {responses:,} responses…", file=sys.stderr, flush=True)
            seed_demo(db.session, responses=responses, seed=2025, months=12)
            print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        db.session.remove()
        db.engine.dispose()


def child(folder: Path, file_format: str, k: int, trace: bool) -> None:
    """Run one export and print its numbers as JSON (peak RSS is measured by the parent)."""
    import tracemalloc

    from survey.extensions import db
    from survey.services.research.export import ExportOptions, export_anonymised

    app = make_app(folder)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the app and its imports, before exporting
    with app.app_context():
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        out = folder / f"export.{file_format}"
        result = export_anonymised(db.session, out, ExportOptions(file_format=file_format, k=k), actor="bench")
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if trace else None
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
            }
        )
    )


def run_child(folder: Path, file_format: str, k: int, trace: bool) -> dict:  # type: ignore[type-arg]
    command = [sys.executable, __file__, "--child", file_format, "--folder", str(folder), "--k", str(k)]
    if trace:
        command.append("--tracemalloc")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"export child failed ({process.returncode})")
    numbers = json.loads(output.strip().splitlines()[-1])
    numbers["peak_rss_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return dict(numbers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/survey-bench"))
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--tracemalloc", action="store_true", help="also measure the peak Python heap (slower)")
    parser.add_argument("--child", choices=["csv", "parquet"], help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.folder, args.child, args.k, args.tracemalloc)
        return
    if args.prepare:
        prepare(args.folder, args.responses)
        return
    # Seed in a child too: a child forked from a big parent would inherit its peak RSS.
    subprocess.run([sys.executable, __file__, "--prepare", "--folder", str(args.folder),
                    "--responses", str(args.responses)], check=True)  # fmt: skip
    print(f"export of {args.responses:,} responses, k = {args.k} (SQLite, {args.folder})")
    for file_format in ("csv", "parquet"):
        numbers = run_child(args.folder, file_format, args.k, trace=False)
        line = (
            f"  {file_format:8} {numbers['seconds']:6.1f} s  peak RSS {numbers['peak_rss_mb']:4.0f} MB "
            f"(app alone {numbers['baseline_rss_mb']:.0f} MB)  "
            f"file {numbers['file_mb']:6.1f} MB  dropped {numbers['rows_dropped']:,} of {numbers['rows_total']:,} "
            f"({100 * numbers['rows_dropped'] / numbers['rows_total']:.2f} %)"
        )
        if args.tracemalloc:
            traced = run_child(args.folder, file_format, args.k, trace=True)
            line += f"  Python heap peak {traced['python_heap_peak_mb']:.0f} MB"
        print(line, flush=True)
    print(f"  generalisation: {numbers['generalisation']}")


if __name__ == "__main__":
    main()
