"""Facts about this installation as a whole."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from survey.models import SiteSetting


def demo_mode(session: Session, config: Mapping[str, Any]) -> bool:
    """Demo mode: not production, and the database holds data from `seed-demo`."""
    if not config.get("DEMO_ALLOWED", False):
        return False
    try:
        return session.scalar(select(SiteSetting.value).where(SiteSetting.key == "demo_data")) is not None
    except SQLAlchemyError:
        session.rollback()
        return False
