"""Benchmark: submissions per second under load, beside a bare Flask app on the same gunicorn settings.

For each database (SQLite file, and a throwaway PostgreSQL server), serves the survey and a bare Flask app (see
load_apps.py) with gunicorn on the loopback, and drives each with wrk: API posts (`POST /api/v1/responses`, a new
Idempotency-Key each) and citizen form posts (`POST /s/<token>` on an office's poster link, a new form nonce each).
The kind `api-refused` posts the API body with a rating of 9 and no Idempotency-Key: the survey and the floor app
refuse it with 422 once the request is authorised, limited and parsed, without reading or writing the database
(but for the rate limit's counts, a block of hits at a time), so it shows what the request's path costs on its own
(the bare app still answers 201).
Two comparators in the same run: the bare app (hello-world: parse and answer) and the floor app (parse, check the
rating, one INSERT with a commit into the same database); see load_apps.py. Prints requests/s, p50/p99 latency,
both ratios (survey/bare and survey/floor), and how many submissions were accepted (201 or 303) against how many
the database holds afterwards. Bounded: each wrk run lasts --duration seconds.

    apt-get install -y wrk postgresql
    .venv/bin/python bench/bench_load.py [--backends sqlite,postgresql] [--kinds api,form,api-refused] [--duration 10]
        [--connections 16] [--config gunicorn.conf.py | --no-config --workers 4 --threads 1]

Without --config or --no-config, the project's gunicorn.conf.py is used when it exists. Not part of the tests.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadkit import API_BODY, PROJECT, SECRET, Prepared, count_stored, form_body, prepare_database

BENCH = Path(__file__).resolve().parent

LUA = r"""
local threads = {}
counter, accepted, refused, statuses = 0, 0, 0, ""
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  kind, prefix, path, body, extra = args[1], args[2], args[3], args[4], args[5]
end
function request()
  counter = counter + 1
  local key = string.format("%s-%02d-%014d", prefix, id, counter)
  if kind == "api" then
    wrk.headers["Idempotency-Key"] = key
    return wrk.format("POST", path, nil, body)
  elseif kind == "api-refused" then
    return wrk.format("POST", path, nil, body)
  end
  return wrk.format("POST", path, nil, body .. "&submission_key=" .. key)
end
function response(status, headers, body)
  if status == 201 or status == 303 then accepted = accepted + 1 else
    refused = refused + 1
    if not string.find(statuses, tostring(status)) then statuses = statuses .. " " .. status end
  end
end
function done(summary, latency, requests)
  local a, r, s = 0, 0, ""
  for _, t in ipairs(threads) do a = a + t:get("accepted"); r = r + t:get("refused"); s = s .. t:get("statuses") end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %f, "p50_ms": %f, "p99_ms": %f, "accepted": %d, "refused": %d, ' ..
    '"socket_errors": %d, "timeouts": %d, "statuses": "%s"}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    a, r, e.connect + e.read + e.write, e.timeout, s))
end
"""


READY = "BENCH-WORKER-READY"


def wrapped_config(config: Path | None) -> str:
    """The chosen gunicorn.conf.py (or none: gunicorn's defaults), plus a hook that says when a worker has loaded
    the app, so the load starts only once every worker is ready (the survey takes a second to start)."""
    source = ""
    if config:
        source = f"__file__ = {str(config)!r}\nexec(compile(open(__file__).read(), __file__, 'exec'))\n"
    return (
        f"{source}\n"
        "_chosen_post_worker_init = globals().get('post_worker_init')\n\n\n"
        "def post_worker_init(worker):\n"
        "    if _chosen_post_worker_init:\n"
        "        _chosen_post_worker_init(worker)\n"
        f"    import sys; print('{READY}', worker.cfg.workers, flush=True, file=sys.stderr)\n"
    )


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def family_cpu(parent: int) -> float:
    """CPU seconds (user + system) used so far by a server process and its children, live or ended (gunicorn's
    workers, recycled after max_requests; PostgreSQL's backends)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid = int(stat.parent.name)
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, ValueError):
            continue  # the process ended meanwhile
        if pid == parent:  # after "pid (comm)": state ppid … utime stime cutime cstime (its ended children's)
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        elif int(fields[1]) == parent:
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gunicorn_command(options: argparse.Namespace, port: int, app: str) -> list[str]:
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--chdir", str(BENCH)]
    command += ["--config", str(options.wrapped_config), "--no-control-socket"]
    if options.workers:
        command += ["--workers", str(options.workers)]
    if options.threads:
        command += ["--threads", str(options.threads)]
    if options.worker_class:
        command += ["--worker-class", options.worker_class]
    return [*command, app]


@contextmanager
def served(options: argparse.Namespace, app: str, environment: dict[str, str], log: Path) -> Iterator[tuple[str, int]]:
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            gunicorn_command(options, port, app),
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_up(process, log)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.send_signal(signal.SIGTERM)  # graceful: requests under way are finished first
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the master and every worker
            process.wait()


def wait_until_up(process: subprocess.Popen[bytes], log: Path) -> None:
    """Until every worker has said it is ready (see `wrapped_config`)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited:\n{log.read_text(errors='replace')[-3000:]}")
        ready = [line.split() for line in log.read_text(errors="replace").splitlines() if line.startswith(READY)]
        if ready and len(ready) >= int(ready[0][1]):
            return
        time.sleep(0.2)
    sys.exit(f"gunicorn did not start:\n{log.read_text(errors='replace')[-3000:]}")


def open_form(base_url: str, token: str) -> tuple[str, str]:
    """GET the form once, as a phone would: its session cookie and CSRF token, reused by every POST."""
    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("GET", f"/s/{token}")
    reply = connection.getresponse()
    text = reply.read().decode("utf-8")
    cookies = [header.split(";", 1)[0] for header in reply.headers.get_all("Set-Cookie") or []]
    connection.close()
    marker = 'name="csrf_token" value="'
    start = text.index(marker) + len(marker)
    return "; ".join(cookies), text[start : text.index('"', start)]


def run_wrk(options: argparse.Namespace, server: tuple[str, int], kind: str, prefix: str, headers: dict[str, str],
            path: str, body: str, folder: Path) -> dict[str, Any]:  # fmt: skip
    """One wrk run; adds the server's CPU milliseconds per request (its workers' own accounting, whatever else
    the machine is doing) and, for PostgreSQL, the database server's."""
    base_url, master = server
    script = folder / "post.lua"
    script.write_text(LUA, encoding="utf-8")
    command = ["wrk", "-t", str(options.wrk_threads), "-c", str(options.connections), "-d", f"{options.duration}s",
               "--timeout", f"{options.timeout}s", "-s", str(script)]  # fmt: skip
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command += [f"{base_url}{path}", "--", kind, prefix, path, body]
    cpu_before = family_cpu(master), family_cpu(options.database_pid) if options.database_pid else 0.0
    finished = subprocess.run(command, capture_output=True, text=True, timeout=options.duration + 60, check=False)
    cpu_after = family_cpu(master), family_cpu(options.database_pid) if options.database_pid else 0.0
    for line in finished.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
            result["rps"] = result["requests"] / result["seconds"]
            result["cpu_ms"] = (cpu_after[0] - cpu_before[0]) * 1000 / max(result["requests"], 1)
            result["db_cpu_ms"] = (cpu_after[1] - cpu_before[1]) * 1000 / max(result["requests"], 1)
            return result
    sys.exit(f"wrk failed:\n{finished.stdout}\n{finished.stderr}")


def target(kind: str, base_url: str, prepared: Prepared) -> tuple[dict[str, str], str, str]:
    """Headers, path and body of one kind of submission (the form's cookie and CSRF token read from the page)."""
    if kind in ("api", "api-refused"):
        headers = {"Authorization": f"Bearer {prepared.api_key}", "Content-Type": "application/json"}
        body = API_BODY if kind == "api" else {**API_BODY, "rating": 9}  # refused after parsing, before any write
        return headers, "/api/v1/responses", json.dumps(body, ensure_ascii=False)
    cookie, csrf_token = open_form(base_url, prepared.token)
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    return headers, f"/s/{prepared.token}", form_body(csrf_token)


def measure(options: argparse.Namespace, backend: str, database_url: str, folder: Path) -> list[dict[str, Any]]:
    """The three apps served at once; wrk runs bare, floor, survey, bare … so a busy spell on the machine hits all."""
    prepared = prepare_database(database_url, folder)
    environment = {
        **os.environ,
        "PYTHONPATH": f"{PROJECT}{os.pathsep}{BENCH}",
        "SURVEY_ENV": "production",
        "SURVEY_SECRET_KEY": SECRET,
        "SURVEY_DATABASE_URL": database_url,
        "SURVEY_INSTANCE_PATH": str(folder / "instance"),
    }
    rows = []
    for kind in options.kinds:
        runs: dict[str, list[dict[str, Any]]] = {"bare": [], "floor": [], "survey": []}
        before = count_stored(database_url)
        with (
            served(options, "load_apps:bare_app()", environment, folder / f"gunicorn-{kind}-bare.log") as bare_url,
            served(options, "load_apps:floor_app()", environment, folder / f"gunicorn-{kind}-floor.log") as floor,
            served(options, "load_apps:survey_app()", environment, folder / f"gunicorn-{kind}-survey.log") as url,
        ):
            servers = {"bare": bare_url, "floor": floor, "survey": url}
            targets = {app: target(kind, server[0], prepared) for app, server in servers.items()}
            for number in range(options.rounds):
                for app, server in servers.items():
                    prefix = f"{kind}{app}{number}t{int(time.time())}"
                    runs[app].append(run_wrk(options, server, kind, prefix, *targets[app], folder))
        after = count_stored(database_url)  # once the server has finished every request it took
        rows.append({
            "backend": backend,
            "kind": kind,
            "bare": summarise(runs["bare"]),
            "floor": summarise(runs["floor"]),
            "survey": summarise(runs["survey"]),
            "ratio": statistics.median(s["rps"] / b["rps"] for b, s in zip(runs["bare"], runs["survey"], strict=True)),
            "floor_ratio": statistics.median(
                s["rps"] / f["rps"] for f, s in zip(runs["floor"], runs["survey"], strict=True)
            ),
            "stored": after["responses"] - before["responses"],
            "floor_stored": after["floor"] - before["floor"],
            "rollups_agree": after["counted"] == after["rollup_ratings"],
        })  # fmt: skip
    return rows


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians of the rounds' rates and latencies; totals of what was accepted, refused or failed."""
    figures: dict[str, Any] = {}
    for name in ("rps", "p50_ms", "p99_ms", "cpu_ms", "db_cpu_ms"):
        figures[name] = statistics.median(run[name] for run in runs)
    for name in ("accepted", "refused", "socket_errors", "timeouts"):
        figures[name] = sum(run[name] for run in runs)
    figures["statuses"] = sorted({status for run in runs for status in run["statuses"].split()})
    return figures


def report(rows: list[dict[str, Any]], options: argparse.Namespace) -> None:
    settings = f"config={options.config or 'none'} workers={options.workers or '-'} threads={options.threads or '-'}"
    print(f"\nwrk -t{options.wrk_threads} -c{options.connections} -d{options.duration}s x {options.rounds} rounds "
          f"(medians); gunicorn {settings}")  # fmt: skip
    columns = f"{'r/s':>7}{'p50':>6}{'p99':>7}{'cpu':>6}"
    print(f"{'':16}{'--------- bare ---------':>26} {'--------- floor --------':>26} {'--------- survey --------':>26}")
    print(f"{'backend':<11}{'kind':<5}{columns} {columns} {columns}{'db':>5}{'/bare':>6}{'/floor':>7}"
          f"{'accepted':>9}{'stored':>7}{'refused':>8}{'errors':>7} rollups")  # fmt: skip
    for row in rows:
        cells = []
        for app in ("bare", "floor", "survey"):
            f = row[app]
            cells.append(f"{f['rps']:>7.0f}{f['p50_ms']:>6.1f}{f['p99_ms']:>7.1f}{f['cpu_ms']:>6.2f}")
        survey = row["survey"]
        print(
            f"{row['backend']:<11}{row['kind']:<5}{' '.join(cells)}{survey['db_cpu_ms']:>5.1f}{row['ratio']:>6.2f}"
            f"{row['floor_ratio']:>7.2f}{survey['accepted']:>9}{row['stored']:>7}{survey['refused']:>8}"
            f"{survey['socket_errors'] + survey['timeouts']:>7} {'agree' if row['rollups_agree'] else 'DIFFER'}"
            + (f"  refused with {', '.join(survey['statuses'])}" if survey["statuses"] else "")
        )
        floor = row["floor"]
        if floor["accepted"] > row["floor_stored"] or floor["refused"]:
            accepted, stored, refused = floor["accepted"], row["floor_stored"], floor["refused"]
            print(f"  floor app: accepted {accepted}, stored {stored}, refused {refused}")
    print("p50/p99: latency in ms; cpu: the gunicorn processes' CPU ms per request (db: PostgreSQL's own, survey);")
    print("/bare, /floor = survey r/s over the bare app's and over the floor app's, round by round (medians);")
    print("accepted = the survey's 201/303 answers wrk received; stored = rows the database gained (it may exceed")
    print("accepted by requests in flight when wrk stopped; fewer stored than accepted would be a loss); rollups")
    print("agree = the rating counts equal the stored responses not held back as spam")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--kinds", default="api,form")
    parser.add_argument("--duration", type=int, default=5, help="seconds of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs per app, alternating bare and survey")
    parser.add_argument("--timeout", type=int, default=3, help="seconds before wrk counts a request as timed out")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--no-config", action="store_true", help="gunicorn's defaults plus --workers/--threads")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--worker-class")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (databases, gunicorn.log)")
    options = parser.parse_args()
    options.kinds = options.kinds.split(",")
    options.database_pid = None
    if options.config is None and not options.no_config and (PROJECT / "gunicorn.conf.py").exists():
        options.config = PROJECT / "gunicorn.conf.py"
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: apt-get install -y wrk")
    rows: list[dict[str, Any]] = []
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    options.wrapped_config = folder / "bench.conf.py"
    options.wrapped_config.write_text(wrapped_config(options.config), encoding="utf-8")
    try:
        for backend in options.backends.split(","):
            if backend == "sqlite":
                (folder / "sqlite").mkdir()
                rows += measure(options, backend, f"sqlite:///{folder / 'sqlite' / 'survey.db'}", folder / "sqlite")
                continue
            from tests.postgres_server import start_server

            server = start_server()
            if server is None:
                sys.exit("PostgreSQL binaries (initdb, pg_ctl) not found: apt-get install -y postgresql")
            try:
                postmaster = int((server.root / "data" / "postmaster.pid").read_text().split()[0])
                options.database_pid = postmaster
                server.execute("CREATE DATABASE bench")
                (folder / "pg").mkdir()
                rows += measure(options, backend, server.url("bench"), folder / "pg")
            finally:
                options.database_pid = None
                server.stop()
    finally:
        if options.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    report(rows, options)


if __name__ == "__main__":
    main()
