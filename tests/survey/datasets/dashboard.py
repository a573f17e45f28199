"""A small, fully known data set for the dashboard tests: responses with chosen answers in two provinces.

Responses are inserted together with their rollup counts (the same transaction), as the citizen form does, so
the dashboard reads them the way it reads real data; tests recompute every number from the raw rows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from survey.auth.identity import SESSION_STAMP, SESSION_USER, _stamp
from survey.models import Office, Procedure, Response, User
from survey.services.catalog.imports import load_starter_catalog
from survey.services.catalog.questionnaire import active_questionnaire
from survey.services.responses.rollups import add_to_rollups, count_cells

_emails = count()


def load_catalog(session: Session) -> None:
    load_starter_catalog(session, demo_offices=True)


def office(session: Session, code: str) -> Office:
    return session.scalars(select(Office).where(Office.code == code)).one()


def procedure(session: Session, code: str) -> Procedure:
    return session.scalars(select(Procedure).where(Procedure.code == code)).one()


def make_responses(
    session: Session,
    *,
    office_code: str,
    procedure_code: str = "1.001193",
    month: str = "2025-03",
    ratings: list[int],
    channel: str = "qr",
    verified: bool = True,
    **answers: Any,
) -> list[dict[str, Any]]:
    """Store one response per rating (other answers the same for all), with their rollups; returns the rows."""
    questionnaire = active_questionnaire(session)
    year, month_number = map(int, month.split("-"))
    rows = [
        {
            "created_at": datetime(year, month_number, 10, 3, tzinfo=UTC),
            "month": month,
            "procedure_id": procedure(session, procedure_code).id,
            "office_id": office(session, office_code).id,
            "channel": channel,
            "verified": verified,
            "questionnaire_version_id": questionnaire.id,
            "rating": rating,
            "language": "vi",
            "is_demo": False,
            "service_mode": answers.get("service_mode"),
            "on_time": answers.get("on_time"),
            "returns": answers.get("returns"),
            "agencies": answers.get("agencies"),
            "extra_payment": answers.get("extra_payment"),
            **{f"element_{name}": answers.get(f"element_{name}") for name in ELEMENTS},
        }
        for rating in ratings
    ]
    table: Any = Response.__table__
    session.connection().execute(insert(table), rows)
    add_to_rollups(session, count_cells(rows))
    session.commit()
    return rows


ELEMENTS = ("access", "procedure", "staff", "result", "feedback")


def make_user(session: Session, *, role: str = "official", office_code: str | None = None) -> User:
    user = User(
        email=f"user{next(_emails)}@example.gov.vn",
        password_hash="not-used-in-these-tests",
        role=role,
        office_id=office(session, office_code).id if office_code else None,
        active=True,
        must_change_password=False,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    session.commit()
    return user


def sign_in(client: Any, user: User) -> None:
    """Put the user in the client's session, with the keys `survey.auth.identity.log_in` writes."""
    with client.session_transaction() as flask_session:
        flask_session[SESSION_USER] = user.id
        flask_session[SESSION_STAMP] = _stamp(user)


def standard_data(session: Session) -> None:
    """Two communes of Ho Chi Minh City and one of Hà Nội, with different satisfaction.

    79.01 Bến Thành: 1.001193 = 40 responses, 38 satisfied (months 2025-02 and 2025-03); 2.000815 = 3 responses.
    79.02 Sài Gòn:   1.001193 = 50 responses, 30 satisfied.
    01.01 Hoàn Kiếm: 1.001193 = 60 responses, 59 satisfied.
    """
    load_catalog(session)
    full = {"element_access": 5, "element_procedure": 4, "element_staff": 5, "element_result": 3,
            "element_feedback": 4, "on_time": "on_time", "returns": 0, "agencies": 1,
            "extra_payment": "no", "service_mode": "in_person"}  # fmt: skip
    make_responses(session, office_code="79.01", month="2025-02", ratings=[5] * 18 + [2] * 2, **full)
    make_responses(session, office_code="79.01", month="2025-03", ratings=[4] * 20, channel="kiosk", **full)
    make_responses(session, office_code="79.01", procedure_code="2.000815", ratings=[5, 1, 4], verified=False)
    make_responses(session, office_code="79.02", month="2025-03", ratings=[5] * 30 + [3] * 20, extra_payment="yes")
    make_responses(session, office_code="01.01", month="2025-03", ratings=[5] * 59 + [1])
