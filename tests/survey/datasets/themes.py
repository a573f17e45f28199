"""Demo data for the complaint theme tests, and a way to tell which demo theme a stored comment came from."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.periods import current_month, shift_month
from survey.models import Office
from survey.services.demo import comments as demo_comments
from survey.services.demo.seed import seed_demo
from tests.factories import make_response

# The demo generator's theme names → the official seed theme codes they correspond to.
DEMO_TO_SEED = {
    "waiting_time": "waiting_time",
    "staff_attitude": "staff_attitude",
    "documents_returns": "documents_repeat_visits",
    "extra_payment": "extra_payment",
    "fees": "fees",
    "facilities": "facilities",
    "online_system": "online_system",
    "information": "information_guidance",
}
DEMO_RESPONSES = 6000
DEMO_MONTHS = 3


def seed(session: Session) -> None:
    seed_demo(session, responses=DEMO_RESPONSES, seed=11, months=DEMO_MONTHS)


def period() -> tuple[str, str]:
    month = current_month()
    return shift_month(month, -(DEMO_MONTHS - 1)), month


@lru_cache(maxsize=1)
def _markers() -> list[tuple[str, str]]:
    """(the longest fixed piece of a demo complaint template, lower case, its seed code)."""
    markers = []
    for theme, templates in demo_comments.COMPLAINTS.items():
        for template in templates:
            pieces = re.split(r"\{\w+\}", template)
            markers.append((max(pieces, key=len).strip().lower()[1:], DEMO_TO_SEED[theme]))
    return markers


def demo_theme_of(comment: str) -> str | None:
    """The seed code of the demo theme a comment was written from, or None (praise, personal data…)."""
    text = comment.lower()
    for marker, code in _markers():
        if marker in text:
            return code
    return None


def office_id(session: Session, code: str) -> int:
    return session.scalars(select(Office.id).where(Office.code == code)).one()


def add_comment(
    *,
    office_code: str,
    comment: str,
    rating: int = 1,
    month: str | None = None,
    created_at: datetime | None = None,
) -> int:
    """Store one response with `comment` exactly as given (bypassing redaction, like data from an old version)."""
    month = month or current_month()
    year, number = map(int, month.split("-"))
    created_at = created_at or datetime(year, number, 28, 9, tzinfo=UTC)
    return make_response(office=office_code, comment=comment, rating=rating, month=month, created_at=created_at)
