"""Views of the auth blueprint."""

from __future__ import annotations

from flask import Blueprint

auth = Blueprint("auth", __name__)
