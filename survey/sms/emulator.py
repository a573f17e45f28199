"""A local SMS gateway for tests and the demo: it takes messages the way a real gateway does and shows them.

    python -m survey.sms.emulator [--port 8025] [--secret S] [--inbound-url URL] [--fail N]

- `POST /messages` (what SURVEY_SMS_GATEWAY_URL points at): takes `{"to", "text", "reference"}`, checks the
  X-Signature when `--secret` is given (401 otherwise), answers 202 `{"id": "emu-1"}`; the first N messages
  get 503 with `--fail N`, to see the service retry.
- `GET /messages`: every message taken so far, as JSON.
- `POST /reply` with `{"from": "0912345678", "text": "4"}`: plays a citizen's reply, signed with `--secret`
  and sent to `--inbound-url` (the service's /api/v1/sms/inbound); answers with the service's status and body.
It keeps everything in memory and never sends a real SMS.
"""

from __future__ import annotations

import argparse
import hmac
import itertools
import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from survey.services.sms.gateway import sign

_BODY_MAX = 64 * 1024


class Emulator(ThreadingHTTPServer):
    """The server and what it has received; `messages` is safe to read from another thread."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], *, secret: str = "", inbound_url: str = "", fail: int = 0) -> None:
        super().__init__(address, _Handler)
        self.secret, self.inbound_url, self.failures_left = secret, inbound_url, fail
        self.messages: list[dict[str, Any]] = []
        self.refused = 0
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._replies = itertools.count(1)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/messages"

    def take(self, body: bytes, signature: str) -> tuple[int, dict[str, Any]]:
        if self.secret and not hmac.compare_digest(signature, sign(self.secret, body)):
            return 401, {"error": "bad signature"}
        try:
            message = json.loads(body)
        except ValueError:
            message = None
        if not isinstance(message, dict) or not {"to", "text"} <= set(message):
            return 400, {"error": "expected JSON with to and text"}
        with self._lock:
            if self.failures_left > 0:
                self.failures_left -= 1
                self.refused += 1
                return 503, {"error": "emulated outage"}
            message_id = f"emu-{next(self._ids)}"
            self.messages.append({**message, "id": message_id, "signature": signature})
        return 202, {"id": message_id}

    def reply(self, body: bytes) -> tuple[int, dict[str, Any]]:
        data = json.loads(body or b"{}")
        inbound = {"message_id": f"emu-in-{next(self._replies)}", "from": data.get("from"), "text": data.get("text")}
        raw = json.dumps(inbound, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.inbound_url, data=raw, method="POST",
            headers={"Content-Type": "application/json", "X-Signature": sign(self.secret, raw)},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, json.loads(exc.read() or b"{}")


class _Handler(BaseHTTPRequestHandler):
    server: Emulator

    def _answer(self, status: int, body: Any) -> None:
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/messages":
            with self.server._lock:
                self._answer(200, list(self.server.messages))
        else:
            self._answer(404, {"error": "not found"})

    def do_POST(self) -> None:
        length = min(int(self.headers.get("Content-Length") or 0), _BODY_MAX)
        body = self.rfile.read(length)
        if self.path.rstrip("/") == "/messages":
            self._answer(*self.server.take(body, self.headers.get("X-Signature", "")))
        elif self.path.rstrip("/") == "/reply" and self.server.inbound_url:
            self._answer(*self.server.reply(body))
        else:
            self._answer(404, {"error": "not found"})

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and the demo read /messages instead."""


def start(*, port: int = 0, secret: str = "", inbound_url: str = "", fail: int = 0) -> Emulator:
    """Start an emulator on 127.0.0.1 in a background thread (port 0: any free port); `shutdown()` stops it."""
    server = Emulator(("127.0.0.1", port), secret=secret, inbound_url=inbound_url, fail=fail)
    threading.Thread(target=server.serve_forever, name="sms-emulator", daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m survey.sms.emulator", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--secret", default="", help="SURVEY_SMS_SECRET: check and sign X-Signature with it")
    parser.add_argument("--inbound-url", default="", help="e.g. http://127.0.0.1:8000/api/v1/sms/inbound")
    parser.add_argument("--fail", type=int, default=0, help="answer 503 to the first N messages")
    options = parser.parse_args(argv)
    server = Emulator(("127.0.0.1", options.port), secret=options.secret, inbound_url=options.inbound_url,
                      fail=options.fail)  # fmt: skip
    print(f"SMS gateway emulator: SURVEY_SMS_GATEWAY_URL={server.url} (messages: GET {server.url})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
