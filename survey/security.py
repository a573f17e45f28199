"""Response headers that make every page safe by default: no script at all, no framing, no sniffing.

No template has inline script or style, so one strict Content-Security-Policy fits every page. Pages whose
URL or content is sensitive (a citizen's link, complaint comments, erasure) also send no referrer and are
not cached: they call `keep_private`.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


def keep_private(response: Response) -> Response:
    """No referrer (a citizen's token is in the URL) and no copy in any cache."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _defaults(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_app(app: Flask) -> None:
    app.after_request(_defaults)
