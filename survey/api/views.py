"""Views of the api blueprint."""

from __future__ import annotations

from flask import Blueprint

api = Blueprint("api", __name__)
