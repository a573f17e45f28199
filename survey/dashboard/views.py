"""Views of the dashboard blueprint."""

from __future__ import annotations

from flask import Blueprint

dashboard = Blueprint("dashboard", __name__)
