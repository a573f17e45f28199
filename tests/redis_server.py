"""A throwaway Redis server for the tests: Debian's redis-server on a free loopback port, nothing saved to disk."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    process: subprocess.Popen[bytes]
    root: Path
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self, *words: str) -> bytes:
        """Send one command in Redis' inline protocol and return the raw answer line."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            sock.sendall((" ".join(words) + "\r\n").encode("ascii"))
            return sock.recv(4096)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> RedisServer | None:
    """A running redis-server, or None when the binary is not installed (apt-get install redis-server)."""
    binary = shutil.which("redis-server")
    if binary is None:
        return None
    root = Path(tempfile.mkdtemp(prefix="survey-redis-"))
    port = _free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    with (root / "log").open("wb") as log:
        process = subprocess.Popen(
            [*command, "--dir", str(root)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = RedisServer(process, root, port)
    deadline = time.monotonic() + 30
    while True:
        try:
            if server.command("PING").startswith(b"+PONG"):
                return server
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            log = (root / "log").read_text(errors="replace")
            server.stop()
            raise RuntimeError(f"redis-server did not start:\n{log}")
        time.sleep(0.05)
