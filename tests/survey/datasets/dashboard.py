"""A small, fully known data set for the dashboard and reporting tests: responses with chosen answers in two
provinces, stored with their rollups by `tests.factories.make_responses`; tests recompute every number from the
raw rows.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import Office, Procedure
from tests.factories import load_catalog, make_responses


def office(session: Session, code: str) -> Office:
    return session.scalars(select(Office).where(Office.code == code)).one()


def procedure(session: Session, code: str) -> Procedure:
    return session.scalars(select(Procedure).where(Procedure.code == code)).one()


def standard_data() -> None:
    """Two communes of Ho Chi Minh City and one of Hà Nội, with different satisfaction.

    79.01 Bến Thành: 1.001193 = 40 responses, 38 satisfied (months 2025-02 and 2025-03); 2.000815 = 3 responses.
    79.02 Sài Gòn:   1.001193 = 50 responses, 30 satisfied.
    01.01 Hoàn Kiếm: 1.001193 = 60 responses, 59 satisfied.
    """
    load_catalog()
    full = {"element_access": 5, "element_procedure": 4, "element_staff": 5, "element_result": 3,
            "element_feedback": 4, "on_time": "on_time", "returns": 0, "agencies": 1,
            "extra_payment": "no", "service_mode": "in_person"}  # fmt: skip
    make_responses(office="79.01", month="2025-02", ratings=[5] * 18 + [2] * 2, **full)
    make_responses(office="79.01", month="2025-03", ratings=[4] * 20, channel="kiosk", **full)
    make_responses(office="79.01", procedure="2.000815", ratings=[5, 1, 4], verified=False)
    make_responses(office="79.02", month="2025-03", ratings=[5] * 30 + [3] * 20, extra_payment="yes")
    make_responses(office="01.01", month="2025-03", ratings=[5] * 59 + [1])
