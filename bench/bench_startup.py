"""Benchmark: how long a `flask` command takes to start, beside importing Flask and SQLAlchemy alone.

Every `flask --app wsgi …` command and every gunicorn master builds the app first. Runs `flask --app wsgi --help`
and `python -c "import flask, sqlalchemy"` in turn (A B A B …, so a drift in the machine's speed hits both), each
in a fresh interpreter, and prints the CPU seconds of each (user + system, the child's own accounting), the ratio
pair by pair (the target is about 3×), and the modules that took longest to import in one extra run
(`python -X importtime`, each module's own time), so a slip shows what caused it.

    .venv/bin/python bench/bench_startup.py [--runs 10] [--top 12]

Not part of the tests (tests/survey/test_startup.py checks which libraries load, not how fast).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
HELP = [sys.executable, "-m", "flask", "--app", "wsgi", "--help"]
FRAMEWORK = [sys.executable, "-c", "import flask, sqlalchemy"]


def cpu_seconds(command: list[str], environment: dict[str, str]) -> float:
    """User + system CPU of one run of `command`, from the kernel's accounting of the finished child."""
    process = subprocess.Popen(command, cwd=PROJECT, env=environment, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} exited with {process.returncode}")
    return usage.ru_utime + usage.ru_stime


def slowest_imports(environment: dict[str, str], top: int) -> list[tuple[float, str]]:
    """(ms, module) of the `top` modules whose own code took longest to import, in one run (not counting the
    modules they import in turn, so a heavy library shows as itself, not as everything that imports it)."""
    finished = subprocess.run([sys.executable, "-X", "importtime", *HELP[1:]], cwd=PROJECT, env=environment,
                              capture_output=True, text=True, check=True)  # fmt: skip
    rows = []
    for line in finished.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        own, _cumulative, name = line.removeprefix("import time:").split("|")
        if own.strip().isdigit():
            rows.append((int(own) / 1000, name.strip()))
    return sorted(rows, reverse=True)[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="pairs of runs (after one pair not counted)")
    parser.add_argument("--top", type=int, default=12, help="slowest imports to list (0: none)")
    options = parser.parse_args()
    if not 1 <= options.runs <= 200 or options.top < 0:
        parser.error("--runs must be 1 to 200 and --top 0 or more")
    environment = {**os.environ, "PYTHONPATH": str(PROJECT), "SURVEY_ENV": "development"}
    cpu_seconds(HELP, environment)  # warm the file cache and the bytecode
    cpu_seconds(FRAMEWORK, environment)
    app_runs, framework_runs, ratios = [], [], []
    for number in range(options.runs):
        app = cpu_seconds(HELP, environment)
        framework = cpu_seconds(FRAMEWORK, environment)
        app_runs.append(app)
        framework_runs.append(framework)
        ratios.append(app / framework)
        print(f"  pair {number + 1:>3}: flask --help {app:.3f} s, import flask, sqlalchemy {framework:.3f} s",
              file=sys.stderr, flush=True)  # fmt: skip
    print(f"\n{options.runs} pairs, CPU seconds (median, min-max)")
    for label, runs in (("flask --app wsgi --help", app_runs), ("import flask, sqlalchemy", framework_runs)):
        print(f"  {label:<28}{statistics.median(runs):7.3f}   {min(runs):.3f}-{max(runs):.3f}")
    print(f"  {'ratio, pair by pair':<28}{statistics.median(ratios):6.2f}×   {min(ratios):.2f}-{max(ratios):.2f}"
          "   (target: about 3×)")  # fmt: skip
    if options.top:
        print("\nslowest modules to import in one run (ms of their own code)")
        for milliseconds, name in slowest_imports(environment, options.top):
            print(f"  {milliseconds:8.1f}  {name}")


if __name__ == "__main__":
    main()
