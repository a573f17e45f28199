"""Views of the admin blueprint."""

from __future__ import annotations

from flask import Blueprint

admin = Blueprint("admin", __name__)
