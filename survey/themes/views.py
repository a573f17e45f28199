"""Views of the themes blueprint."""

from __future__ import annotations

from flask import Blueprint

themes = Blueprint("themes", __name__)
