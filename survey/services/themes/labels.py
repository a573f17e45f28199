"""Official theme labels of stored comments: classify the ones without a label, in batches.

Every counted comment (not held back as spam, with words in it) gets one `CommentLabel` row: the classifier's
main theme, its probability, an optional second theme, and the comment without tone marks for searching.
Submissions stay lean: labelling is done by `flask classify-comments [--loop]` (a scheduled job) and, for
the scope an official is looking at, on demand by the themes and comments pages, so a page never shows an
empty theme list while there are comments. bench/bench_classify_inline.py has the numbers behind that choice.
Rows corrected by an official (`source = "official"`) are never overwritten here.

A label remembers the model that gave it (`model_version`). When another model is in use (a new release ships a
better one, or `retrain-themes` installs one), the job gives the older model's labels again, after the new
comments, so officials read today's model everywhere, not a mix that depends on when a comment came in.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import ColumnElement, Table, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.models import Response
from survey.models_themes import CommentLabel
from survey.services.themes.installed import LoadedModel
from survey.services.transactions import rolls_back_on_error

BATCH = 500
PAGE_LIMIT = 5000  # comments a page classifies on demand before it answers; the job does the rest

Progress = Callable[[str], None]


def search_key(text: str) -> str:
    """The comment lower-cased, without tone marks and with đ as d: what a toneless query is matched against."""
    from analysis.text import toneless

    return " ".join(toneless(text.casefold()).split())


def _pending(
    office_ids: Collection[int] | None, procedure_id: int | None, months: tuple[str, str] | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        Response.flagged.is_(False),
        Response.comment.is_not(None),
        Response.comment != "",
        CommentLabel.response_id.is_(None),
    ]
    if office_ids is not None:
        conditions.append(Response.office_id.in_(sorted(office_ids)))
    if procedure_id is not None:
        conditions.append(Response.procedure_id == procedure_id)
    if months is not None:
        conditions.extend((Response.month >= months[0], Response.month <= months[1]))
    return conditions


def count_unlabelled(
    session: Session,
    *,
    office_ids: Collection[int] | None = None,
    procedure_id: int | None = None,
    months: tuple[str, str] | None = None,
) -> int:
    query = (
        select(func.count())
        .select_from(Response)
        .outerjoin(CommentLabel, CommentLabel.response_id == Response.id)
        .where(*_pending(office_ids, procedure_id, months))
    )
    return session.scalar(query) or 0


@rolls_back_on_error
def label_comments(
    session: Session,
    loaded: LoadedModel,
    *,
    office_ids: Collection[int] | None = None,
    procedure_id: int | None = None,
    months: tuple[str, str] | None = None,
    limit: int | None = None,
    batch: int = BATCH,
    progress: Progress | None = None,
) -> int:
    """Classify up to `limit` unlabelled comments in scope (oldest first), one commit per batch; returns how many."""
    from analysis.themes import classify

    done = 0
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        rows = session.execute(
            select(Response.id, Response.comment)
            .outerjoin(CommentLabel, CommentLabel.response_id == Response.id)
            .where(*_pending(office_ids, procedure_id, months))
            .order_by(Response.id)
            .limit(size)
        ).all()
        if not rows:
            break
        texts = [comment or "" for _, comment in rows]
        now = datetime.now(UTC)
        labels = [
            {
                "response_id": response_id,
                "theme": result.code,
                "theme2": result.code2,
                "probability": round(float(result.probability), 4),
                "source": "model",
                "model_version": loaded.version,
                "labelled_at": now,
                "search_text": search_key(text),
            }
            for (response_id, _), text, result in zip(rows, texts, classify(texts, loaded.model), strict=True)
        ]
        try:
            session.execute(insert(CommentLabel), labels)
            session.commit()
        except IntegrityError:  # another process (the job, another page) labelled some of them first
            session.rollback()
            continue
        done += len(rows)
        if progress is not None:
            progress(f"classified {done} comments")
    return done


_LABELS = cast(Table, CommentLabel.__table__)
_RELABEL = (
    update(_LABELS)
    .where(_LABELS.c.response_id == bindparam("label_id"))
    .values(
        theme=bindparam("new_theme"),
        theme2=bindparam("new_theme2"),
        probability=bindparam("new_probability"),
        model_version=bindparam("new_version"),
        labelled_at=bindparam("new_labelled_at"),
    )
)


def label_missing(
    session: Session,
    load: Callable[[], LoadedModel],
    *,
    office_ids: Collection[int] | None,
    procedure_id: int | None,
    months: tuple[str, str],
    limit: int = PAGE_LIMIT,
) -> int:
    """What a page does before it answers: label up to `limit` of the scope's unlabelled comments (loading the
    model only when there are some); returns how many are still waiting for the scheduled job."""
    if not count_unlabelled(session, office_ids=office_ids, procedure_id=procedure_id, months=months):
        return 0
    label_comments(session, load(), office_ids=office_ids, procedure_id=procedure_id, months=months, limit=limit)
    return count_unlabelled(session, office_ids=office_ids, procedure_id=procedure_id, months=months)


def _stale(version: str) -> list[ColumnElement[bool]]:
    return [
        CommentLabel.source == "model",
        CommentLabel.model_version.is_distinct_from(version),
    ]


def count_stale(session: Session, version: str) -> int:
    """Labels the classifier gave with a model other than `version` (officials' corrections never count)."""
    return session.scalar(select(func.count()).select_from(CommentLabel).where(*_stale(version))) or 0


@rolls_back_on_error
def relabel_stale(
    session: Session, loaded: LoadedModel, *, batch: int = BATCH, progress: Progress | None = None
) -> int:
    """Give again, with `loaded`, every label an older model gave; one commit per batch; returns how many."""
    from analysis.themes import classify

    done, after = 0, 0
    while True:
        rows = session.execute(
            select(CommentLabel.response_id, Response.comment)
            .join(Response, Response.id == CommentLabel.response_id)
            .where(*_stale(loaded.version), CommentLabel.response_id > after)
            .order_by(CommentLabel.response_id)
            .limit(batch)
        ).all()
        if not rows:
            return done
        now = datetime.now(UTC)
        texts = [comment or "" for _, comment in rows]
        session.execute(  # one statement for the batch, run once per row by the driver
            _RELABEL.where(*_stale(loaded.version)),  # not a label an official corrected meanwhile
            [
                {"label_id": response_id, "new_theme": result.code, "new_theme2": result.code2,
                 "new_probability": round(float(result.probability), 4), "new_version": loaded.version,
                 "new_labelled_at": now}
                for (response_id, _), result in zip(rows, classify(texts, loaded.model), strict=True)
            ],
        )  # fmt: skip
        session.commit()
        done, after = done + len(rows), rows[-1][0]
        if progress is not None:
            progress(f"gave {done} older labels again")
