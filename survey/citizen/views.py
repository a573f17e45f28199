"""Views of the citizen blueprint."""

from __future__ import annotations

from flask import Blueprint

citizen = Blueprint("citizen", __name__)
