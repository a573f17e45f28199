"""Keyword-only factories for what tests need in the database: the catalog, accounts, responses, links and API keys.

They write through the application's session (`survey.extensions.db.session`), so call them inside the `app`
fixture. Accounts, links and keys go through the product's own services (hashed password and audit entry,
signed token, hashed key); responses are inserted with their rollup counts in the same transaction, as the
citizen form stores them, so every reader (pages, downloads, API, CLI) sees them the way it sees real data.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import insert, select

from survey.extensions import db
from survey.models import ELEMENTS, Invitation, Office, Procedure, RatedDossier, Response, User
from survey.services.accounts.api_keys import create_api_key
from survey.services.accounts.users import create_user
from survey.services.catalog.imports import load_starter_catalog
from survey.services.catalog.questionnaire import active_questionnaire
from survey.services.responses.invitation_rollups import count_answer, count_issued
from survey.services.responses.invitations import IssuedLink, issue_dossier_link, public_link
from survey.services.responses.rollups import add_to_rollups, count_cells

PASSWORD = "một câu dài đủ nhớ 2025"  # passes the password rules (12+ characters, not a common one)
OFFICE = "79.01"  # a ward office of Hồ Chí Minh City in the starter catalog's demo offices
PROCEDURE = "1.001193"  # birth registration, offered by every demo office

_numbers = itertools.count(1)


def load_catalog(*, demo_offices: bool = True) -> None:
    """The starter catalog: procedures, provinces and (by default) the demo offices the factories refer to."""
    load_starter_catalog(db.session, demo_offices=demo_offices)


def make_user(
    *, email: str | None = None, role: str = "official", office: str | None = None, password: str = PASSWORD
) -> User:
    """An account made by `create_user` with a chosen password, so it signs in without a forced change.

    An official belongs to `office` (79.01 unless given); other roles belong to none, as the product requires.
    The e-mail defaults to a new `<role>N@example.gov.vn`.
    """
    if role in ("official", "clerk") and office is None:
        office = OFFICE
    email = email or f"{role}{next(_numbers)}@example.gov.vn"
    user, _ = create_user(db.session, email=email, role=role, office_code=office, password=password)
    return user


def make_responses(
    *,
    ratings: list[int],
    office: str = OFFICE,
    procedure: str = PROCEDURE,
    month: str = "2025-03",
    created_at: datetime | None = None,
    channel: str = "qr",
    verified: bool = True,
    comment: str | None = None,
    **answers: Any,
) -> list[int]:
    """One response per rating, the other answers the same for all, stored with their rollups; returns the ids.

    `answers` are Response columns (`on_time="late"`, `element_staff=5`, `flagged=True` for responses held back
    as spam, which are stored but not counted). The comment is stored exactly as
    given, without redaction, like data from before redaction existed. Created on the 10th of `month`, 10:00
    in Việt Nam, unless `created_at` is given.
    """
    unknown = set(answers) - {column.key for column in Response.__table__.columns}
    assert not unknown, f"not Response columns: {sorted(unknown)}"
    year, month_number = map(int, month.split("-"))
    common = {
        "created_at": created_at or datetime(year, month_number, 10, 3, tzinfo=UTC),
        "month": month,
        "procedure_id": _id(Procedure, procedure),
        "office_id": _id(Office, office),
        "channel": channel,
        "verified": verified,
        "questionnaire_version_id": active_questionnaire(db.session).id,
        "language": "vi",
        "is_demo": False,
        "comment": comment,
        **{f"element_{name}": None for name in ELEMENTS},
        **dict.fromkeys(("service_mode", "on_time", "returns", "agencies", "extra_payment")),
        **answers,
    }
    rows = [{**common, "rating": rating} for rating in ratings]
    table: Any = Response.__table__
    ids = list(db.session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))
    add_to_rollups(db.session, count_cells([row for row in rows if not row.get("flagged")]))  # held: not counted
    db.session.commit()
    return ids


def make_invitations(
    *,
    answers: Sequence[int] = (),
    unanswered: int = 0,
    office: str = OFFICE,
    procedure: str = PROCEDURE,
    month: str = "2025-03",
    answered_month: str | None = None,
    channel: str = "qr",
) -> list[int]:
    """One-time invitations issued on the 10th of `month` (10:00 in Việt Nam): one answered with each rating in
    `answers` (a verified response stored in `answered_month`, by default the same month) and `unanswered` more
    that nobody answered. Counted in the invitation rollups by the product's own functions, as issuing a link and
    storing its answer count them. Returns the invitation ids, answered ones first.
    """
    year, month_number = map(int, month.split("-"))
    issued_at = datetime(year, month_number, 10, 3, tzinfo=UTC)
    office_id, procedure_id = _id(Office, office), _id(Procedure, procedure)
    ids = []
    for rating in [*answers, *[None] * unanswered]:
        number = next(_numbers)
        invitation = Invitation(
            token_id=f"test{number:08d}", office_id=office_id, procedure_id=procedure_id, channel=channel,
            is_public=False, dossier_hash=f"{number:064x}", created_at=issued_at,
            expires_at=issued_at + timedelta(days=30),
        )  # fmt: skip
        db.session.add(invitation)
        db.session.flush()
        count_issued(db.session, invitation)
        if rating is not None:
            response_id = make_response(
                rating=rating, office=office, procedure=procedure, month=answered_month or month, channel=channel
            )
            invitation.used_at = datetime.now(UTC)
            invitation.response_id = response_id
            db.session.add(RatedDossier(dossier_hash=invitation.dossier_hash, rated_on=issued_at.date()))
            count_answer(db.session, invitation, rating)
        ids.append(invitation.id)
    db.session.commit()
    return ids


def make_response(*, rating: int = 5, **fields: Any) -> int:
    """One response (see `make_responses` for the fields); returns its id."""
    return make_responses(ratings=[rating], **fields)[0]


def make_dossier_link(
    *,
    office: str = OFFICE,
    procedure: str = PROCEDURE,
    dossier: str | None = None,
    channel: str = "qr",
    expires_days: int = 30,
) -> IssuedLink:
    """A one-time link for a dossier (a new dossier code each time unless given), signed with the app's secret."""
    link = issue_dossier_link(
        db.session,
        **_link_settings(),
        office_code=office,
        procedure_code=procedure,
        dossier_code=dossier or f"000.00.31.H56-250115-{next(_numbers):04d}",
        channel=channel,
        expires_days=expires_days,
    )
    db.session.commit()
    return link


def make_poster_link(*, office: str = OFFICE, procedure: str | None = None, channel: str = "qr") -> IssuedLink:
    """The office's poster link: the citizen picks the procedure unless `procedure` is given."""
    link = public_link(db.session, **_link_settings(), office_code=office, procedure_code=procedure, channel=channel)
    db.session.commit()
    return link


def make_api_key(*, name: str = "Một cửa phường Bến Thành", office: str | None = None) -> str:
    """A new API key (bound to `office` and its subtree when given); returns the raw key, shown once."""
    raw_key, _ = create_api_key(db.session, name=name, office_code=office)
    return raw_key


def bearer(raw_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw_key}"}


def _id(model: type[Office] | type[Procedure], code: str) -> int:
    return int(db.session.scalars(select(model.id).where(model.code == code)).one())


def _link_settings() -> dict[str, str]:
    return {"secret": current_app.config["SECRET_KEY"], "base_url": current_app.config["BASE_URL"]}
