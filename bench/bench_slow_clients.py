"""Benchmark: what a few slow phones do to everyone else, with and without nginx in front of gunicorn.

A slow client here is a socket that sends the headers of a citizen's form POST and then one byte of its body
each second, as a stalled 3G upload does. While a few of them are open, wrk sends API submissions (a new
Idempotency-Key each) and the table shows requests/s, p50/p99 and failures: straight to gunicorn, and through
nginx configured by deploy/nginx/survey.conf (its listen and upstream rewritten to free loopback ports).
Bounded: each wrk run lasts --duration seconds; the slow sockets are closed after each run.

    apt-get install -y wrk nginx
    .venv/bin/python bench/bench_slow_clients.py [--slow 8] [--duration 8] [--config gunicorn.conf.py |
        --no-config --workers 4 [--threads N]]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import BENCH, free_port, run_wrk, served, target, wrapped_config
from loadkit import PROJECT, SECRET, Prepared, count_stored, prepare_database


def nginx_config(prefix: Path, port: int, upstream: str) -> Path:
    """deploy/nginx/survey.conf inside a minimal main configuration, listening on `port`, proxying to `upstream`."""
    site = (PROJECT / "deploy" / "nginx" / "survey.conf").read_text(encoding="utf-8")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = re.sub(r"server 127\.0\.0\.1:8000;", f"server {upstream};", site)
    (prefix / "site.conf").write_text(site, encoding="utf-8")
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = f"""{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/site.conf;
}}
"""
    path = prefix / "nginx.conf"
    path.write_text(main, encoding="utf-8")
    return path


@contextmanager
def nginx(folder: Path, upstream: str) -> Iterator[str]:
    prefix = folder / "nginx"
    prefix.mkdir(exist_ok=True)
    port = free_port()
    config = nginx_config(prefix, port, upstream)
    process = subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(config), "-g", "daemon off;"],
                               stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    error = process.stderr.read().decode() if process.stderr else ""
                    sys.exit(f"nginx did not start: {error}")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def slow_uploads(base_url: str, token: str, count: int) -> Iterator[None]:
    """`count` sockets that send a form POST's headers, then one byte of its body per second, until closed."""
    host, port = base_url.removeprefix("http://").split(":")
    stop = threading.Event()
    sockets = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)), timeout=5)
        head = (f"POST /s/{token} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                "Content-Length: 4096\r\n\r\n")  # fmt: skip
        sock.sendall(head.encode("ascii"))
        sockets.append(sock)

    def trickle() -> None:
        while not stop.wait(1.0):
            for sock in sockets:
                try:
                    sock.sendall(b"r")
                except OSError:
                    pass  # the server gave up on it: that is the server's right

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    time.sleep(1.0)  # let the server accept them (and, without a proxy, hand them to workers)
    try:
        yield
    finally:
        stop.set()
        thread.join()
        for sock in sockets:
            sock.close()


def probe(base_url: str, headers: dict[str, str], path: str, body: str, count: int = 20) -> tuple[int, float]:
    """`count` submissions, each on a new connection, one after another, each given 3 s: how many were answered,
    and the slowest answer in ms. wrk's own figures cover only the connections that got answers; a fresh
    connection shows whether a newcomer gets through at all."""
    host, port = base_url.removeprefix("http://").split(":")
    answered, slowest = 0, 0.0
    for number in range(count):
        started = time.perf_counter()
        connection = http.client.HTTPConnection(host, int(port), timeout=3)
        try:
            connection.request(
                "POST",
                path,
                body=body.encode(),
                headers={**headers, "Idempotency-Key": f"probe-{time.time()}-{number}"},
            )
            if connection.getresponse().status == 201:
                answered += 1
                slowest = max(slowest, (time.perf_counter() - started) * 1000)
        except OSError:
            pass  # no answer within 3 s
        finally:
            connection.close()
    return answered, slowest


def measure(options: argparse.Namespace, prepared: Prepared, folder: Path) -> list[dict[str, Any]]:
    environment = {
        **os.environ,
        "PYTHONPATH": f"{PROJECT}{os.pathsep}{BENCH}",
        "SURVEY_ENV": "production",
        "SURVEY_SECRET_KEY": SECRET,
        "SURVEY_DATABASE_URL": prepared.database_url,
        "SURVEY_INSTANCE_PATH": str(folder / "instance"),
    }
    rows = []
    with served(options, "load_apps:survey_app()", environment, folder / "gunicorn.log") as (url, master):
        upstream = url.removeprefix("http://")
        with nginx(folder, upstream) as proxy_url:
            for mode, address in (("gunicorn", url), ("nginx", proxy_url)):
                headers, path, body = target("api", url, prepared)
                for slow in (0, options.slow):
                    with slow_uploads(address, prepared.token, slow):
                        prefix = f"{mode}{slow}t{int(time.time())}"
                        result = run_wrk(options, (address, master), "api", prefix, headers, path, body, folder)
                        answered, slowest = probe(address, headers, path, body)
                    rows.append({"mode": mode, "slow": slow, "probes": answered, "probe_ms": slowest, **result})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slow", type=int, default=8, help="slow sockets held open during the loaded runs")
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--timeout", type=int, default=2, help="seconds before wrk counts a request as timed out")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--no-config", action="store_true")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--worker-class")
    options = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: apt-get install -y {tool}")
    if options.config is None and not options.no_config:
        options.config = PROJECT / "gunicorn.conf.py"
    options.database_pid = None
    folder = Path(tempfile.mkdtemp(prefix="bench-slow-"))
    try:
        options.wrapped_config = folder / "bench.conf.py"
        options.wrapped_config.write_text(wrapped_config(options.config), encoding="utf-8")
        prepared = prepare_database(f"sqlite:///{folder / 'survey.db'}", folder)
        before = count_stored(prepared.database_url)["responses"]
        rows = measure(options, prepared, folder)
        stored = count_stored(prepared.database_url)["responses"] - before
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    report(rows, options, stored)


def report(rows: list[dict[str, Any]], options: argparse.Namespace, stored: int) -> None:
    settings = f"config={options.config or 'none'} workers={options.workers or '-'} threads={options.threads or '-'}"
    print(f"\nwrk -t{options.wrk_threads} -c{options.connections} -d{options.duration}s --timeout {options.timeout}s, "
          f"API posts; gunicorn {settings}")  # fmt: skip
    print(f"{'in front':<10}{'slow':>5}{'r/s':>8}{'p50':>8}{'p99':>9}{'accepted':>10}{'refused':>9}"
          f"{'errors':>8}{'new clients answered':>22}{'slowest':>9}")  # fmt: skip
    for row in rows:
        print(f"{row['mode']:<10}{row['slow']:>5}{row['rps']:>8.0f}{row['p50_ms']:>8.1f}{row['p99_ms']:>9.1f}"
              f"{row['accepted']:>10}{row['refused']:>9}{row['socket_errors'] + row['timeouts']:>8}"
              f"{row['probes']:>19}/20{row['probe_ms']:>9.1f}")  # fmt: skip
    accepted = sum(row["accepted"] for row in rows)
    print("slow = sockets trickling a form body at 1 byte/s during the run; r/s and latency (ms) count only the")
    print("wrk connections that got answers; new clients answered = of 20 submissions sent afterwards one by one on")
    print("fresh connections (slow sockets still open), how many were answered within 3 s, and the slowest (ms);")
    print(f"accepted {accepted}, stored {stored} (stored may exceed accepted by requests in flight when wrk stopped)")


if __name__ == "__main__":
    main()
