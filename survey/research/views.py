"""Views of the research blueprint."""

from __future__ import annotations

from flask import Blueprint

research = Blueprint("research", __name__)
