"""Response headers that make every page safe by default: no script at all, no framing, no sniffing, HTTPS only.

No template has inline script or style, so one strict Content-Security-Policy fits every page. Pages whose
URL or content is sensitive (a citizen's link, complaint comments, erasure) also send no referrer and are
not cached: they call `keep_private`. Where cookies are HTTPS-only (production), browsers are also told to
use HTTPS alone (Strict-Transport-Security). `LastResort` gives the same headers to the one answer Flask
cannot make: the 500 when an error page itself fails (the database gone while drawing it), which would
otherwise be the WSGI server's own bare page.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask, Response, current_app

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
logger = logging.getLogger(__name__)


def baseline_headers(config: Mapping[str, Any]) -> dict[str, str]:
    """The headers every answer carries (a page may set stricter ones of its own)."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
    }
    if config.get("SESSION_COOKIE_SECURE"):
        headers["Strict-Transport-Security"] = f"max-age={int(config['HSTS_MAX_AGE'])}"
    return headers


def keep_private(response: Response) -> Response:
    """No referrer (a citizen's token is in the URL) and no copy in any cache."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _defaults(response: Response) -> Response:
    for name, value in baseline_headers(current_app.config).items():
        response.headers.setdefault(name, value)
    return response


_LAST_RESORT_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Đã có lỗi xảy ra</title><link rel="stylesheet" href="{root}/static/site.css"></head>
<body><main><h1>Đã có lỗi xảy ra</h1><p>Xin vui lòng thử lại sau ít phút.</p>
<p lang="en">Something went wrong. Please try again in a few minutes.</p>
<p><a href="{root}/">Về trang chủ / Home page</a></p></main></body></html>
"""

StartResponse = Callable[..., Any]


class LastResort:
    """WSGI wrapper: an exception that escapes Flask becomes a plain 500 with the baseline headers.

    It answers only where Flask would have answered 500 itself: when exceptions propagate (testing, debug), they
    still reach the test or the debugger untouched.
    """

    def __init__(self, app: Flask) -> None:
        self.flask_app = app
        self.wsgi_app = app.wsgi_app

    def _propagates(self) -> bool:
        setting = self.flask_app.config.get("PROPAGATE_EXCEPTIONS")
        return bool(setting) if setting is not None else self.flask_app.testing or self.flask_app.debug

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            return self.wsgi_app(environ, start_response)
        except Exception:
            if self._propagates():
                raise
            logger.exception("unhandled error outside the error pages: %s %s", environ.get("REQUEST_METHOD"),
                             environ.get("PATH_INFO"))  # fmt: skip
            return self._answer(environ, start_response)

    def _answer(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if path.startswith("/api/") or path in ("/healthz", "/openapi.json"):
            body = json.dumps({"errors": [{"field": None, "message": "internal server error"}]}).encode()
            content_type = "application/json"
        else:
            root = html.escape(str(environ.get("SCRIPT_NAME", "")).rstrip("/"))
            body = _LAST_RESORT_PAGE.format(root=root).encode("utf-8")
            content_type = "text/html; charset=utf-8"
        headers = {
            **baseline_headers(self.flask_app.config),
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            "Cache-Control": "no-store",
        }
        start_response("500 INTERNAL SERVER ERROR", list(headers.items()))  # Flask had not started one
        return [body]


def init_app(app: Flask) -> None:
    app.after_request(_defaults)
    app.wsgi_app = LastResort(app)  # type: ignore[method-assign]
