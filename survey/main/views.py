"""The landing page and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from survey.extensions import db
from survey.services.site import demo_mode

main = Blueprint("main", __name__)


@main.get("/")
def index():  # type: ignore[no-untyped-def]
    return render_template("main/index.html", demo=demo_mode(db.session, current_app.config))


@main.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("health check: database unreachable")
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})
