"""The landing page and the health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, send_from_directory
from sqlalchemy.exc import SQLAlchemyError

from survey.codes import CHANNEL_LABELS
from survey.extensions import db
from survey.services.demo.links import demo_links
from survey.services.demo.mode import demo_mode
from survey.services.transactions import database_reachable

main = Blueprint("main", __name__)


@main.get("/")
def index():
    demo = demo_mode(db.session(), current_app.config)
    links = []
    if demo:
        try:
            links = demo_links(
                db.session(), secret=current_app.config["SECRET_KEY"], base_url=current_app.config["BASE_URL"]
            )
        except SQLAlchemyError:
            current_app.logger.exception("landing page: demo links unavailable")
    return render_template(
        "main/index.html",
        demo=demo,
        demo_links=links,
        target=current_app.config["SATISFACTION_TARGET"],
        channel_labels=CHANNEL_LABELS,
    )


@main.get("/healthz")
def healthz():
    if not database_reachable(db.session()):
        current_app.logger.error("health check: database unreachable")
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


@main.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on every site; answer with the service's icon instead of a 404."""
    response = send_from_directory(current_app.static_folder or "static", "favicon.ico", mimetype="image/x-icon")
    response.cache_control.max_age = 7 * 24 * 3600
    response.cache_control.public = True
    return response
