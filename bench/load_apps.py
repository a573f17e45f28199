"""The two applications the load benchmarks serve with gunicorn: the survey, and a bare Flask app as the floor.

    gunicorn -c gunicorn.conf.py 'load_apps:survey_app()'     (run from bench/, project root on PYTHONPATH)
    gunicorn -c gunicorn.conf.py 'load_apps:bare_app()'

The survey app is the real one (settings from SURVEY_* variables) with rate limits raised far above what a
benchmark sends, so the limiter runs but never refuses. The bare app parses the same bodies and answers with the
same status codes, and does nothing else: what any Flask app costs on the same gunicorn settings.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, redirect, request

UNLIMITED = {"API_RATE_LIMIT": "100000000/minute", "SUBMIT_RATE_LIMIT": "100000000/minute"}


def survey_app() -> Flask:
    import os

    from survey import create_app

    settings: dict[str, Any] = dict(UNLIMITED)
    if os.environ.get("BENCH_NO_RATE_LIMITS"):  # to measure what the limiter itself costs
        settings["RATELIMIT_ENABLED"] = False
    return create_app(settings)


def bare_app() -> Flask:
    app = Flask("bare")

    @app.post("/api/v1/responses")
    def responses() -> Any:
        body = request.get_json()
        return jsonify({"id": len(body)}), 201

    @app.post("/s/<token>")
    def form(token: str) -> Any:
        return redirect(f"/s/{token}/thanks?n={len(request.form)}", 303)

    @app.get("/s/<token>")
    def page(token: str) -> Any:
        return f'<input type="hidden" name="csrf_token" value="{token}">'

    return app
