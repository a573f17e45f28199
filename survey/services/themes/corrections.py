"""Officials correct a comment's official theme(s): up to two themes, or "not a complaint".

A correction is checked against the official's office scope, written to `theme_corrections` (who, when, the
old and the new labels), made the comment's label in force in `comment_labels` (so every figure and quote reads
it, and the classifier never overwrites it), and audited, all in one transaction. A later correction of the
same comment supersedes the earlier one; the earlier one stays on record. `training_rows` gives the corrections
in force to `flask retrain-themes`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.models import Response, User
from survey.models_themes import NOT_A_COMPLAINT, CommentLabel, ThemeCorrection
from survey.services import audit
from survey.services.transactions import rolls_back_on_error

NOT_A_COMPLAINT_TRAINING_LABEL = "neutral"  # the classifier's own label for comments that raise no complaint


class CorrectionError(ValueError):
    """The correction cannot be made: unknown or out-of-scope comment, or labels that are not allowed."""


def allowed_codes() -> tuple[str, ...]:
    """What an official may choose: the eight official themes, `other` (a complaint outside them), not a complaint."""
    from analysis.themes import OFFICIAL_CODES, OTHER

    return (*OFFICIAL_CODES, OTHER, NOT_A_COMPLAINT)


def check_labels(theme: str, theme2: str | None) -> tuple[str, str | None]:
    from analysis.themes import OFFICIAL_CODES

    theme2 = theme2 or None
    if theme not in allowed_codes():
        raise CorrectionError(f"unknown theme {theme!r}")
    if theme2 is not None and (theme2 not in OFFICIAL_CODES or theme not in OFFICIAL_CODES or theme2 == theme):
        raise CorrectionError("a second theme must be another official theme, beside an official first theme")
    return theme, theme2


@dataclass(frozen=True)
class Correction:
    response_id: int
    old: tuple[str | None, str | None]
    new: tuple[str, str | None]


@rolls_back_on_error
def correct_label(
    session: Session, user: User, scope: Collection[int] | None, response_id: int, theme: str, theme2: str | None
) -> Correction:
    """Set the comment's theme(s) as `user` says; `scope` = the offices they may see (None: all). One commit."""
    theme, theme2 = check_labels(theme, theme2)
    response = session.get(Response, response_id)
    if response is None or not response.comment or response.flagged:
        raise CorrectionError("no such comment")
    if scope is not None and response.office_id not in scope:
        raise CorrectionError("no such comment")  # the same answer as a missing one: nothing leaks
    label = session.get(CommentLabel, response_id)
    old = (label.theme, label.theme2) if label is not None else (None, None)
    now = datetime.now(UTC)
    session.add(
        ThemeCorrection(
            response_id=response_id,
            user_id=user.id,
            corrected_at=now,
            old_theme=old[0],
            old_theme2=old[1],
            new_theme=theme,
            new_theme2=theme2,
        )
    )
    if label is None:
        from survey.services.themes.labels import search_key

        label = CommentLabel(response_id=response_id, search_text=search_key(response.comment))
        session.add(label)
    label.theme, label.theme2, label.probability = theme, theme2, 1.0
    label.source, label.model_version, label.labelled_at = "official", None, now
    audit.record(
        session,
        actor=user.email,
        user_id=user.id,
        action="theme.correct",
        target=f"response:{response_id}",
        details={"old": list(old), "new": [theme, theme2]},
    )
    session.commit()
    return Correction(response_id, old, (theme, theme2))


def training_rows(session: Session) -> list[dict[str, str]]:
    """The corrections in force (the latest per comment) as labelled rows: the stored, already redacted text."""
    latest = select(func.max(ThemeCorrection.id)).group_by(ThemeCorrection.response_id)
    query = (
        select(ThemeCorrection.id, ThemeCorrection.new_theme, ThemeCorrection.new_theme2, Response.comment)
        .join(Response, Response.id == ThemeCorrection.response_id)
        .where(ThemeCorrection.id.in_(latest), Response.comment.is_not(None))
        .order_by(ThemeCorrection.id)
    )
    return [
        {
            "id": f"correction-{correction_id}",
            "text": comment,
            "theme": NOT_A_COMPLAINT_TRAINING_LABEL if theme == NOT_A_COMPLAINT else theme,
            "theme2": theme2 or "",
            "split": "train",
        }
        for correction_id, theme, theme2, comment in session.execute(query)
        if comment and comment.strip()
    ]
