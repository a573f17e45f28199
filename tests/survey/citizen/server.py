"""Helpers for the citizen page tests: a real gunicorn server, a cookie-keeping HTTP client, an HTML tree.

The server is started the way an operator starts it (`python -m gunicorn wsgi:app`) with settings only from
SURVEY_* variables, on a free port; commands run as `python -m flask --app wsgi …` subprocesses.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[3]
SECRET = "live-server-secret-live-server-secret-0123456789"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def issue_test_link(database_url: str, tmp_path: Path, dossier_code: str) -> str:
    """The token of a one-time link at a demo ward office, issued straight through the service."""
    from survey.extensions import db
    from tests.conftest import make_app
    from tests.factories import load_catalog, make_dossier_link

    app = make_app(database_url, tmp_path, SECRET_KEY=SECRET)
    with app.app_context():
        load_catalog()
        db.session.commit()
        token = make_dossier_link(dossier=dossier_code).token
        db.session.remove()
        db.engine.dispose()
    return token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environment(database_url: str, tmp_path: Path, base_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "SURVEY_ENV": "testing",
        "SURVEY_DATABASE_URL": database_url,
        "SURVEY_SECRET_KEY": SECRET,
        "SURVEY_BASE_URL": base_url,
        "SURVEY_INSTANCE_PATH": str(tmp_path / "instance"),
    }


def flask_command(env: dict[str, str], *args: str) -> str:
    """Run `flask --app wsgi ARGS` in a subprocess; its standard output, or a failure with its messages."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def host_port(self) -> tuple[str, int]:
        parts = urlsplit(self.url)
        return str(parts.hostname), int(parts.port or 80)

    def client(self) -> WebClient:
        return WebClient(*self.host_port)


@contextmanager
def gunicorn(
    database_url: str,
    tmp_path: Path,
    *,
    port: int | None = None,
    workers: int = 2,
    threads: int = 4,
    environment: dict[str, str] | None = None,
) -> Iterator[LiveServer]:
    """A gunicorn server (on a free port unless given) for an already migrated database; stopped afterwards.

    `environment` adds or overrides variables (e.g. SURVEY_RATELIMIT_STORAGE_URL) for the server only.
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**server_environment(database_url, tmp_path, url), **(environment or {})}
    log = tmp_path / f"gunicorn-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
             "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5", "wsgi:app"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    server = LiveServer(url, env, process, log)
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def worker_pids(master: int) -> list[int]:
    """A gunicorn master's live children (its workers), from /proc: what a fault test kills."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[1]) == master and fields[0] != "Z":
            pids.append(int(stat.parent.name))
    return pids


def _wait_until_healthy(server: LiveServer, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{server.log.read_text(errors='replace')}")
        try:
            if server.client().get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"gunicorn did not answer within {timeout} s:\n{server.log.read_text(errors='replace')}")


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class WebClient:
    """One visitor: keeps its cookies, follows no redirects, speaks plain HTTP/1.1."""

    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Reply:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            all_headers = dict(headers or {})
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            reply = Reply(response.status, response.headers, response.read())
        finally:
            connection.close()
        for header in reply.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if "1970" in morsel["expires"] or morsel["max-age"] == "0":  # Flask deleting a cookie
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return reply

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(self, path: str, fields: dict[str, str] | list[tuple[str, str]]) -> Reply:
        body = urlencode(fields).encode("ascii")
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})


# --- A small HTML tree, enough to check forms and accessibility without a third-party parser ---------------


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node] = field(default_factory=list)
    parent: Node | None = None
    text_parts: list[str] = field(default_factory=list)

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        wanted = {key.rstrip("_").replace("_", "-"): value for key, value in attrs.items()}
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag) and all(node.attrs.get(k) == v for k, v in wanted.items())
        ]

    def find(self, tag: str | None = None, **attrs: str) -> Node | None:
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def text(self) -> str:
        return " ".join(" ".join(part for node in self.iter() for part in node.text_parts).split())


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root
        self.unclosed: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs}, parent=self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, {name: value or "" for name, value in attrs}, parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.current.tag != tag:
            self.unclosed.append(f"</{tag}> closes <{self.current.tag}>")
            while self.current.parent is not None and self.current.tag != tag:
                self.current = self.current.parent
        if self.current.parent is not None:
            self.current = self.current.parent

    def handle_data(self, data: str) -> None:
        self.current.text_parts.append(data)


def parse_html(html: str) -> Node:
    """The document tree; fails on mismatched tags, so sloppy markup shows up in the tests."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.unclosed == [], builder.unclosed
    return builder.root


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of the page's form (CSRF token and submission nonce)."""
    tree = parse_html(html)
    return {node.attrs["name"]: node.attrs.get("value", "") for node in tree.find_all("input", type="hidden")}
