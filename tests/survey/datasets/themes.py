"""Demo data for the complaint theme tests, and a way to tell which demo theme a stored comment came from."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.periods import current_month, shift_month
from analysis.redaction import redact
from survey.models import Office
from survey.services.demo import comments as demo_comments
from survey.services.demo.seed import seed_demo
from tests.factories import make_response

DEMO_RESPONSES = 6000
DEMO_MONTHS = 3


def seed(session: Session) -> None:
    seed_demo(session, responses=DEMO_RESPONSES, seed=11, months=DEMO_MONTHS)


def period() -> tuple[str, str]:
    month = current_month()
    return shift_month(month, -(DEMO_MONTHS - 1)), month


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    """Every demo pool comment, as stored (redacted; the pool holds no personal data, so unchanged) → its label."""
    return {redact(text): label for label, texts in demo_comments.pool().items() for text in texts}


def demo_theme_of(comment: str | None) -> str | None:
    """The label of the pool comment a demo comment was drawn from: an official theme code, `other`, `praise`,
    `neutral`; None for anything else (the comments with personal data, comments added by a test)."""
    return _labels().get(comment) if comment is not None else None


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
