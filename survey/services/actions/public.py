"""Done actions an official published, as /results/<office_code> shows them under "Bạn nói – chúng tôi làm".

Only what the office did and what it answered: the complaint theme in plain words, the change, the date and the
procedure. No comment text and no names: officials' free text is passed through the same redaction as comments
(`analysis.redaction.redact`) on the way out, in case a name or a phone number slipped in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Procedure
from survey.models_actions import Action
from survey.services.accounts.scoping import subtree_ids
from survey.services.reporting.query import OfficeInfo

PUBLIC_LIMIT = 5
THEME_CHARS, CHANGE_CHARS = 150, 300  # the page stays within its 30 KB even with the longest texts


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class PublicAction:
    theme: str
    change: str
    done_on: date
    procedure_code: str
    procedure_name: str


def published_actions(session: Session, office: OfficeInfo, *, limit: int = PUBLIC_LIMIT) -> list[PublicAction]:
    """The office's (and the offices under it) published done actions, newest first, their texts shortened to fit
    the page."""
    from analysis.redaction import redact  # its patterns take ~0.1 s to compile: loaded on first use

    rows = session.execute(
        select(Action.theme_label, Action.change, Action.done_on, Procedure.code, Procedure.name)
        .join(Procedure, Procedure.id == Action.procedure_id)
        .where(
            Action.office_id.in_(sorted(subtree_ids(session, office.id))),
            Action.public.is_(True),
            Action.status == "done",
        )
        .order_by(Action.done_on.desc(), Action.id.desc())
        .limit(limit)
    )
    return [
        PublicAction(
            _shortened(redact(theme), THEME_CHARS), _shortened(redact(change), CHANGE_CHARS), done_on, code, name
        )
        for theme, change, done_on, code, name in rows
        if done_on is not None
    ]
